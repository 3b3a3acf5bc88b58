"""What the API commands share: options, the client they run against, output, exit statuses.

Credentials come from the environment (``MAMMOTH_API_URL``, ``MAMMOTH_API_KEY``,
``MAMMOTH_API_SECRET``, or ``MAMMOTH_API_TOKEN``) or from ``--url``, ``--api-key``,
``--api-secret``, ``--token``; or ``--sandbox`` runs against an embedded, seeded sandbox
whose database is kept in the user's cache folder between calls (``--sandbox-reset``
starts it over). Tables fit the terminal unless ``--wide``. Exit status: 0 success, 1 an
error from the server or a failed job, 2 bad usage or missing credentials.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas import display
from mammoth_pandas.cli import _fit
from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import JobError, MammothConfigError, MammothError, MammothInputError
from mammoth_pandas.jobs import Job

__all__ = [
    "Handler",
    "add_common",
    "add_mutation",
    "connect",
    "ids",
    "need",
    "run",
    "sandbox_db_path",
    "show",
]

#: What the command line says when it has no credentials: in shell terms.
NO_CREDENTIALS = (
    f"no Mammoth credentials. Export {C.ENV_KEY} and {C.ENV_SECRET} (or {C.ENV_TOKEN}), "
    f"and {C.ENV_URL} for a server other than https://app.mammoth.io, or pass "
    "--api-key and --api-secret (or --token) and --url; to try things without an "
    "account, add --sandbox"
)

#: A command's body: the parsed arguments, an open client, the output stream -> exit status.
Handler = Callable[[argparse.Namespace, MammothClient, TextIO], int]


def add_common(parser: argparse.ArgumentParser, *, dataset: bool = True) -> None:
    """The options every API command takes: ids, ``--format``, ``--sandbox``, ``--timeout``."""
    parser.add_argument("--workspace", type=int, help="workspace id (1 with --sandbox)")
    parser.add_argument("--project", type=int, help="project id (1 with --sandbox)")
    if dataset:
        parser.add_argument("--dataset", type=int, help="dataset id (101 with --sandbox)")
    parser.add_argument(
        "--format", choices=display.FORMATS, default="table", help="output format (table)"
    )
    parser.add_argument(
        "--wide", action="store_true", help="tables: every column in full (not cut to the terminal)"
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="run against a local, seeded sandbox whose data is kept between calls "
        "(in ~/.cache/mammoth-pandas/, or $XDG_CACHE_HOME/mammoth-pandas/)",
    )
    parser.add_argument(
        "--sandbox-reset",
        action="store_true",
        help="start the --sandbox data over from the seed (implies --sandbox)",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for jobs")
    auth = parser.add_argument_group(
        "credentials (the environment variables are safer: other users can see arguments)"
    )
    auth.add_argument("--url", help=f"API URL (or {C.ENV_URL})")
    auth.add_argument("--api-key", help=f"API key (or {C.ENV_KEY})")
    auth.add_argument("--api-secret", help=f"API secret (or {C.ENV_SECRET})")
    auth.add_argument("--token", help=f"bearer token (or {C.ENV_TOKEN})")


def add_mutation(parser: argparse.ArgumentParser) -> None:
    """The options of a command that starts a job."""
    parser.add_argument(
        "--no-wait", action="store_true", help="return the job at once instead of waiting"
    )


def sandbox_db_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where ``--sandbox`` keeps its database: ``$XDG_CACHE_HOME/mammoth-pandas/sandbox.db``,
    or ``~/.cache/mammoth-pandas/sandbox.db`` when ``XDG_CACHE_HOME`` is not set."""
    env = os.environ if environ is None else environ
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "mammoth-pandas" / "sandbox.db"


def _reset(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _credentials(args: argparse.Namespace) -> dict[str, str]:
    """The environment with the credential options laid over it; refuses none at all."""
    env = dict(os.environ)
    for option, name in (
        ("url", C.ENV_URL),
        ("api_key", C.ENV_KEY),
        ("api_secret", C.ENV_SECRET),
        ("token", C.ENV_TOKEN),
    ):
        value = getattr(args, option, None)
        if value:
            env[name] = value
    key = env.get(C.ENV_KEY) or env.get(C.ENV_SDK_KEY)
    secret = env.get(C.ENV_SECRET) or env.get(C.ENV_SDK_SECRET)
    if not env.get(C.ENV_TOKEN) and not (key and secret):
        raise MammothConfigError(NO_CREDENTIALS)
    return env


@contextlib.contextmanager
def connect(args: argparse.Namespace) -> Iterator[MammothClient]:
    """A client from the environment and options, or on the kept sandbox with ``--sandbox``.

    With ``--sandbox``, ids not given default to the sandbox's demo dataset.
    """
    if not (args.sandbox or args.sandbox_reset):
        with MammothClient.from_env(_credentials(args)) as client:
            yield client
        return
    # Imported here, not above: only --sandbox needs the sandbox (and its server stack).
    from mammoth_pandas.sandbox import DEMO, Sandbox

    for name, default in (
        ("workspace", DEMO.workspace_id),
        ("project", DEMO.project_id),
        ("dataset", DEMO.customers),
    ):
        if hasattr(args, name) and getattr(args, name) is None:
            setattr(args, name, default)
    path = sandbox_db_path()
    if args.sandbox_reset:
        _reset(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(
            f"mammoth-pandas: a new sandbox database at {path}: later --sandbox calls see "
            "its changes; --sandbox-reset starts it over",
            file=sys.stderr,
        )
    with Sandbox(path, job_delay=0.05) as sandbox, sandbox.client() as client:
        yield client


def show(
    obj: pd.DataFrame | pd.Series,
    args: argparse.Namespace,
    out: TextIO,
    layout: _fit.Layout | None = None,
) -> None:
    """Print a listing or a record: tables cut to the terminal (unless ``--wide``)."""
    if args.format != "table" or args.wide:
        print(display.render(obj, args.format).rstrip(), file=out)
        return
    size = _fit.width()
    if isinstance(obj, pd.Series):
        print(_fit.fit_series(obj, size), file=out)
        return
    table, hidden = _fit.fit_table(obj, layout or _fit.Layout((), (), ()), size)
    print(table, file=out)
    if hidden and len(obj):
        print(
            f"({len(hidden)} more column{'s' if len(hidden) > 1 else ''}: {', '.join(hidden)}; "
            "--wide shows them)",
            file=sys.stderr,
        )


def ids(values: Sequence[str]) -> list[str]:
    """Ids given space- or comma-separated, as one list."""
    return [part for value in values for part in value.split(",") if part.strip()]


def need(args: argparse.Namespace, *names: str) -> list[int]:
    """The values of the id options ``names``; refuses any not given."""
    missing = [f"--{n}" for n in names if getattr(args, n, None) is None]
    if missing:
        raise MammothInputError(", ".join(missing), "required", accepted="an integer id")
    return [getattr(args, n) for n in names]


def run(parser: argparse.ArgumentParser, argv: Sequence[str], handler: Handler) -> int:
    """Parse ``argv``, run ``handler`` with a client, and turn errors into exit statuses.

    An error is one line on stderr, never a traceback; a failed job is also printed.
    """
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    out = sys.stdout
    try:
        with connect(args) as client:
            return handler(args, client, out)
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (MammothConfigError, MammothInputError) as exc:
        print(f"mammoth-pandas: {exc}", file=sys.stderr)
        return 2
    except JobError as exc:
        print(f"mammoth-pandas: {exc}", file=sys.stderr)
        if isinstance(exc.job, Job):
            print(display.render(exc.job, args.format).rstrip(), file=out)
        return 1
    except MammothError as exc:
        print(f"mammoth-pandas: {exc}", file=sys.stderr)
        return 1
