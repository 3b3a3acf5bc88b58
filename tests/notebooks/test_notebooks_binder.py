"""The Binder environment, built from ``binder/`` as far as this machine allows.

Binder (repo2docker) installs ``binder/requirements.txt``, then runs ``binder/postBuild``
from the repository root. Here the same two steps run in a fresh virtual environment on a
copy of the working tree; then JupyterLab's widget front end must be installed in it and
every notebook must run top to bottom on its Python, starting its own sandbox.
"""

from __future__ import annotations

import os
import re
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


def build_binder_venv(root: Path) -> Path:
    """A virtualenv built the way Binder builds its image; returns its ``bin`` folder."""
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


# A fresh venv's install plus every notebook: more than the suite's default 300 s on a
# busy machine, still bounded.
@pytest.mark.timeout(900)
def test_binder_environment_runs_every_notebook(tmp_path: Path, execute_notebook) -> None:
    """One test, so that one worker builds the environment once (it takes the longest)."""
    binder_venv = build_binder_venv(tmp_path / "binder")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}

    # The package comes from the environment (not the working tree), ipywidgets 8 with it.
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

    # JupyterLab's widget front end (what renders the panels) is installed and enabled.
    extensions = subprocess.run(
        [str(binder_venv / "jupyter"), "labextension", "list"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    listed = extensions.stdout + extensions.stderr  # the list goes to stderr
    assert re.search(r"@jupyter-widgets/jupyterlab-manager\S* v\S+ \S*enabled", listed), listed

    # Every notebook runs top to bottom on that Python, starting its own sandbox.
    for path in NOTEBOOKS:
        nb = execute_notebook(path, python=binder_venv / "python")
        setup = next(cell for cell in nb.cells if cell.cell_type == "code")
        printed = "".join(o.get("text", "") for o in setup.outputs if o.output_type == "stream")
        assert "No Mammoth credentials configured: started a local sandbox at" in printed, path
