"""``mammoth-pandas jobs get ID…``: show jobs.

::

    mammoth-pandas jobs get 5001
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from mammoth_pandas import display
from mammoth_pandas.cli._common import add_common, ids, run
from mammoth_pandas.client import MammothClient

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
    for job in client.jobs.list(ids(args.job_ids)):
        print(display.render(job, args.format), file=out)
    return 0


def main(argv: Sequence[str]) -> int:
    """Run ``jobs get ID…`` (``argv`` after the command word); returns the exit status."""
    return run(build_parser(), argv, _run)
