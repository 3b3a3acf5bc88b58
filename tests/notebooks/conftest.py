"""Fixtures for running the notebooks headlessly with nbclient.

The kernel is always a named Python interpreter (the test's own, or the Binder virtualenv's),
registered through a kernel spec in a temporary folder: nothing depends on which kernels
happen to be installed on the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from mammoth_pandas import contract

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))

#: Every variable that would make a notebook use a configured Mammoth account.
CREDENTIAL_VARIABLES = (
    contract.ENV_URL,
    contract.ENV_KEY,
    contract.ENV_SECRET,
    contract.ENV_TOKEN,
    contract.ENV_SDK_KEY,
    contract.ENV_SDK_SECRET,
)

CELL_TIMEOUT = 180

ExecuteNotebook = Callable[..., nbformat.NotebookNode]


def write_kernel_spec(folder: Path, python: str | os.PathLike[str], name: str) -> Path:
    """Write a kernel spec running ``python -m ipykernel_launcher`` into ``folder/name``."""
    spec_dir = folder / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python ({name})",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_dir


def credential_free_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any Mammoth credentials, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    # Plots render to PNG without a display; the kernels pick the inline backend anyway.
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    env.update(extra or {})
    return env


def run_notebook(
    source: Path,
    workdir: Path,
    *,
    python: str | os.PathLike[str],
    kernel_dir: Path,
    env: Mapping[str, str] | None = None,
) -> nbformat.NotebookNode:
    """Execute a copy of ``source`` in ``workdir`` on ``python``; raise on the first error."""
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / source.name
    shutil.copyfile(source, copy)
    name = "mammoth-pandas-test"
    write_kernel_spec(kernel_dir, python, name)
    manager = KernelManager(
        kernel_name=name, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)])
    )
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        nb,
        km=manager,
        kernel_name=name,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute(env=dict(env) if env is not None else credential_free_environment())
    nbformat.write(nb, copy)
    return nb


@pytest.fixture
def execute_notebook(tmp_path: Path) -> ExecuteNotebook:
    """``execute_notebook(path, python=sys.executable, env=None)``: the executed notebook.

    By default the kernel runs this interpreter with no Mammoth credentials in its
    environment, so the notebook has to start its own sandbox.
    """

    def execute(
        source: Path,
        *,
        python: str | os.PathLike[str] = sys.executable,
        env: Mapping[str, str] | None = None,
    ) -> nbformat.NotebookNode:
        return run_notebook(
            source, tmp_path / "run", python=python, kernel_dir=tmp_path / "kernels", env=env
        )

    return execute
