"""``mammoth-pandas lab``: JupyterLab on the notebooks, with a sandbox for their kernels.

Run it with ``make lab`` or ``python -m mammoth_pandas lab``. Unless ``MAMMOTH_API_URL``
is already set, it starts the local sandbox in this process and hands its URL and
throwaway credentials to JupyterLab (and so to every kernel) as ``MAMMOTH_API_URL``,
``MAMMOTH_API_KEY`` and ``MAMMOTH_API_SECRET``; the notebooks' first cell then uses it
through ``MammothClient.from_env()``. Arguments after ``--`` go to JupyterLab unchanged.
JupyterLab stops with Ctrl-C (or SIGTERM), and the sandbox with it.

``mammoth-pandas lab --binder-url`` prints the Binder link of this clone's ``origin``
(GitHub, GitLab or any public Git URL) and starts nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from mammoth_pandas import contract as contract

__all__ = [
    "binder_url",
    "build_command",
    "default_notebooks_dir",
    "main",
    "origin_url",
    "sandbox_environment",
]

_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/)[^\s]+)$")


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the source checkout this package runs from, else of the cwd."""
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    return checkout if checkout.is_dir() else Path.cwd() / "notebooks"


def binder_url(remote: str, *, ref: str = "HEAD", labpath: str = "notebooks") -> str:
    """The mybinder.org link that opens ``labpath`` of the repository at ``remote``.

    ``remote`` is a Git URL as ``git remote get-url origin`` prints it:
    ``git@github.com:acme/mammoth-pandas.git``, ``https://github.com/acme/mammoth-pandas``,
    a GitLab URL, or any other public ``https://`` Git URL. Credentials in the URL are
    dropped, never copied into the link. Raises ``ValueError`` for a local path or an
    address Binder cannot clone.
    """
    text = remote.strip()
    scp = _SCP_LIKE.match(text)
    if scp and "://" not in text:
        host, path = scp.group("host"), scp.group("path")
    else:
        parts = urlsplit(text)
        if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
            raise ValueError("origin is not a public Git URL (a local path, or no host)")
        host, path = parts.hostname, parts.path.lstrip("/")
    path = path.removesuffix("/").removesuffix(".git")
    if not path or "/" not in path:
        raise ValueError("origin names no repository (expected OWNER/NAME after the host)")
    query = f"?labpath={quote(labpath)}" if labpath else ""
    if host == "github.com":
        return f"https://mybinder.org/v2/gh/{path}/{quote(ref)}{query}"
    if host == "gitlab.com":
        return f"https://mybinder.org/v2/gl/{quote(path, safe='')}/{quote(ref)}{query}"
    clean = urlunsplit(("https", host, "/" + path + ".git", "", ""))
    return f"https://mybinder.org/v2/git/{quote(clean, safe='')}/{quote(ref)}{query}"


def origin_url(checkout: Path | None = None) -> str:
    """``git remote get-url origin`` of ``checkout`` (default: this package's checkout).

    Raises ``ValueError`` when there is no Git, no repository or no ``origin``.
    """
    where = checkout or Path(__file__).resolve().parent.parent
    try:
        result = subprocess.run(  # noqa: S603 (a fixed git command)
            ["git", "-C", str(where), "remote", "get-url", "origin"],  # noqa: S607
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ValueError(f"could not run git ({type(exc).__name__})") from None
    if result.returncode != 0 or not result.stdout.strip():
        raise ValueError("this checkout has no 'origin' remote (git remote add origin URL)")
    return result.stdout.strip()


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
        epilog=(
            "Arguments after -- are passed to JupyterLab, e.g. -- --IdentityProvider.token=..."
        ),
    )
    parser.add_argument(
        "--binder-url",
        action="store_true",
        help="print the Binder link of this clone's origin remote and exit",
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
    """Run ``mammoth-pandas lab``; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args_list:
        cut = args_list.index("--")
        args_list, extra = args_list[:cut], args_list[cut + 1 :]
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0)

    if args.binder_url:
        try:
            print(binder_url(origin_url()))
        except ValueError as exc:
            print(f"mammoth-pandas lab: no Binder link: {exc}", file=sys.stderr)
            return 2
        return 0

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
            'pip install "mammoth-pandas[lab]" (or run make lab)',
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
