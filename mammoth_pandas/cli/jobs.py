"""``mammoth-pandas jobs get ID…``: show jobs.

::

    mammoth-pandas jobs get 5001

Each job is read on its own, so that a job the server does not know is said (its 404
message on stderr, exit status 1) instead of silently missing from the output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from mammoth_pandas import display
from mammoth_pandas import params as P
from mammoth_pandas.cli._common import add_common, ids, run
from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import NotFoundError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``jobs`` command's parser."""
    parser = argparse.ArgumentParser(prog="mammoth-pandas jobs", description="Show jobs.")
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("get", help="show one or more jobs")
    add_common(p, dataset=False)
    p.add_argument("job_ids", nargs="+", help="job ids")
    return parser


def _run(args: argparse.Namespace, client: MammothClient, out: TextIO) -> int:
    job_ids = P.id_list("job_ids", ids(args.job_ids), allow_empty=False)
    missing: list[str] = []
    for job_id in job_ids:
        try:
            job = client.jobs.get(job_id)
        except NotFoundError as exc:
            missing.append(exc.detail or str(exc))
            continue
        print(display.render(job, args.format).rstrip(), file=out)
    for message in missing:
        print(f"mammoth-pandas: {message.rstrip('.')} (404)", file=sys.stderr)
    return 1 if missing else 0


def main(argv: Sequence[str]) -> int:
    """Run ``jobs get ID…`` (``argv`` after the command word); returns the exit status."""
    return run(build_parser(), argv, _run)
