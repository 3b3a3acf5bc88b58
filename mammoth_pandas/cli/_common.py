"""What the API commands share: options, the client they run against, exit statuses.

Credentials come from the environment (``MAMMOTH_API_URL``, ``MAMMOTH_API_KEY``,
``MAMMOTH_API_SECRET``, or ``MAMMOTH_API_TOKEN``), or ``--sandbox`` runs against an
embedded, seeded sandbox. Exit status: 0 success, 1 an error from the server or a
failed job, 2 bad usage or missing credentials.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from mammoth_pandas import display
from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import JobError, MammothConfigError, MammothError, MammothInputError
from mammoth_pandas.jobs import Job

__all__ = ["Handler", "add_common", "add_mutation", "connect", "ids", "need", "run"]

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
        "--sandbox", action="store_true", help="run against an embedded, seeded local sandbox"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for jobs")


def add_mutation(parser: argparse.ArgumentParser) -> None:
    """The options of a command that starts a job."""
    parser.add_argument(
        "--no-wait", action="store_true", help="return the job at once instead of waiting"
    )


@contextlib.contextmanager
def connect(args: argparse.Namespace) -> Iterator[MammothClient]:
    """A client from the environment, or one on an embedded sandbox with ``--sandbox``.

    With ``--sandbox``, ids not given default to the sandbox's demo dataset.
    """
    if not args.sandbox:
        with MammothClient.from_env() as client:
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
    with Sandbox(job_delay=0.05) as sandbox, sandbox.client() as client:
        yield client


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
