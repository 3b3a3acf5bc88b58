"""``mammoth-pandas lab``: JupyterLab on the notebooks, with a sandbox for their kernels.

Run it with ``make lab`` or ``python -m mammoth_pandas lab``. Unless ``MAMMOTH_API_URL``
is already set, it starts the local sandbox in this process and hands its URL and
throwaway credentials to JupyterLab (and so to every kernel) as ``MAMMOTH_API_URL``,
``MAMMOTH_API_KEY`` and ``MAMMOTH_API_SECRET``; the notebooks' first cell then uses it
through ``MammothClient.from_env()``. Arguments after ``--`` go to JupyterLab unchanged.
JupyterLab stops with Ctrl-C (or SIGTERM), and the sandbox with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mammoth_pandas import contract as contract

__all__ = ["build_command", "default_notebooks_dir", "main", "sandbox_environment"]


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the source checkout this package runs from, else of the cwd."""
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    return checkout if checkout.is_dir() else Path.cwd() / "notebooks"


def sandbox_environment(sandbox: Any) -> dict[str, str]:
    """The variables that point ``MammothClient.from_env()`` at ``sandbox``."""
    return {
        contract.ENV_URL: sandbox.url,
        contract.ENV_KEY: sandbox.api_key,
        contract.ENV_SECRET: sandbox.api_secret,
    }


def build_command(
    notebooks: Path,
    *,
    ip: str = "127.0.0.1",
    port: int | None = None,
    open_browser: bool = True,
    extra: Sequence[str] = (),
) -> list[str]:
    """The JupyterLab command line (this interpreter's ``python -m jupyterlab``).

    A setting also given in ``extra`` (``--ServerApp.ip=…``, ``--no-browser``) is left to
    ``extra``: JupyterLab refuses a setting given twice.
    """
    own = [f"--ServerApp.root_dir={notebooks}", f"--ServerApp.ip={ip}"]
    if port is not None:
        own.append(f"--ServerApp.port={port}")
    if not open_browser:
        own.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        own.append("--allow-root")  # containers and CI machines often run as root
    given = {arg.split("=", 1)[0] for arg in extra}
    kept = [arg for arg in own if arg.split("=", 1)[0] not in given]
    return [sys.executable, "-m", "jupyterlab", *kept, *extra]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mammoth-pandas lab",
        description=(
            "Open JupyterLab on the notebooks. Without MAMMOTH_API_URL in the environment, "
            "a local sandbox of the Mammoth API is started for the notebooks' kernels."
        ),
        epilog="Arguments after -- are passed to JupyterLab, e.g. -- --ServerApp.token=...",
    )
    parser.add_argument(
        "--notebooks", type=Path, default=None, help="folder to open (default: notebooks/)"
    )
    parser.add_argument("--ip", default="127.0.0.1", help="address JupyterLab binds (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=None, help="JupyterLab's port (8888, or next free)"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--db", default=None, help="sandbox SQLite file kept across runs")
    parser.add_argument(
        "--job-delay", type=float, default=0.5, help="seconds a sandbox job processes (0.5)"
    )
    return parser


def _run(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run JupyterLab in the foreground; Ctrl-C and SIGTERM go to it, then we wait."""
    process = subprocess.Popen(list(command), env=dict(env))  # noqa: S603 (our own argv)

    def forward(signum: int, _frame: Any) -> None:
        if process.poll() is None:
            process.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                # The terminal sent SIGINT to JupyterLab too; it asks or stops by itself.
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args_list:
        cut = args_list.index("--")
        args_list, extra = args_list[:cut], args_list[cut + 1 :]
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0)

    notebooks = (args.notebooks or default_notebooks_dir()).resolve()
    if not notebooks.is_dir():
        print(
            f"mammoth-pandas lab: no notebooks folder at {notebooks}; "
            "pass --notebooks DIR or run from the repository root",
            file=sys.stderr,
        )
        return 2
    if importlib.util.find_spec("jupyterlab") is None:
        print(
            "mammoth-pandas lab: JupyterLab is not installed; "
            "pip install jupyterlab (or the package's [browser] extra)",
            file=sys.stderr,
        )
        return 1

    command = build_command(
        notebooks, ip=args.ip, port=args.port, open_browser=not args.no_browser, extra=extra
    )
    env = dict(os.environ)
    if env.get(contract.ENV_URL):
        print(f"Using the Mammoth API at {env[contract.ENV_URL]} (from {contract.ENV_URL})")
        sys.stdout.flush()
        return _run(command, env)

    from mammoth_pandas.sandbox import Sandbox

    with Sandbox(args.db, job_delay=args.job_delay) as sandbox:
        env.update(sandbox_environment(sandbox))
        print(f"Sandbox running at {sandbox.url}")
        print(
            f"The notebooks' kernels get {contract.ENV_URL}, {contract.ENV_KEY} and "
            f"{contract.ENV_SECRET} for it. Stop JupyterLab with Ctrl-C."
        )
        sys.stdout.flush()
        return _run(command, env)
