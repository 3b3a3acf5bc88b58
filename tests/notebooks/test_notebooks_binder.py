"""The Binder environment, built from ``binder/`` as far as this machine allows.

Binder (repo2docker) installs ``binder/requirements.txt``, then runs ``binder/postBuild``
from the repository root. Here the same two steps run in a fresh virtual environment on a
copy of the working tree; then JupyterLab's widget front end must be installed in it and
every notebook must run top to bottom on its Python, starting its own sandbox.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

#: What a Binder build never sees: local state, caches, virtualenvs, build output.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "__pycache__",
    "*.egg-info",
    "build",
    "dist",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
    "test-artifacts",
    "*.db",
)

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{args} failed:\n{output[-5000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def binder_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv built the way Binder builds its image; returns its ``bin`` folder."""
    root = tmp_path_factory.mktemp("binder")
    clone = root / "repo"
    shutil.copytree(REPO, clone, ignore=NOT_IN_A_CLONE)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / "bin"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv))
    python = str(bin_dir / "python")
    run(
        [python, "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
        cwd=clone,
        env=env,
    )
    run(["bash", "binder/postBuild"], cwd=clone, env=env)
    return bin_dir


def test_binder_files_are_there() -> None:
    post_build = REPO / "binder" / "postBuild"
    assert (REPO / "binder" / "requirements.txt").is_file()
    assert post_build.is_file()
    assert os.access(post_build, os.X_OK), "repo2docker runs postBuild as an executable"


def test_binder_environment_has_the_package_and_the_widget_front_end(
    binder_venv: Path, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    where = run(
        [
            str(binder_venv / "python"),
            "-c",
            "import mammoth_pandas, ipywidgets, jupyterlab, matplotlib; "
            "print(mammoth_pandas.__file__); print(ipywidgets.__version__)",
        ],
        cwd=tmp_path,
        env=env,
    ).splitlines()
    assert Path(where[0]).is_relative_to(binder_venv.parent), where
    assert int(where[1].split(".")[0]) >= 8
    extensions = subprocess.run(
        [str(binder_venv / "jupyter"), "labextension", "list"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    listed = extensions.stdout + extensions.stderr  # the list goes to stderr
    assert "@jupyter-widgets/jupyterlab-manager" in listed
    assert "enabled" in listed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_in_the_binder_environment(
    path: Path, binder_venv: Path, execute_notebook
) -> None:
    nb = execute_notebook(path, python=binder_venv / "python")
    setup = next(cell for cell in nb.cells if cell.cell_type == "code")
    first = "".join(o.get("text", "") for o in setup.outputs if o.output_type == "stream")
    assert "No Mammoth credentials configured: started a local sandbox at" in first
