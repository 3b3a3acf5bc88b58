"""``mammoth-pandas projects list``: a workspace's projects (the credential's by default).

::

    mammoth-pandas projects list --sort -created_at

The table fits the terminal's width as ``batches list`` does (``--wide`` for every column).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from mammoth_pandas.cli._common import add_common, run, show
from mammoth_pandas.cli._fit import PROJECT_LAYOUT
from mammoth_pandas.client import MammothClient

__all__ = ["main"]


def _projects_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mammoth-pandas projects", description="List a workspace's projects."
    )
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", help="the workspace's projects (all pages)")
    add_common(p, dataset=False)
    p.add_argument("--sort", help='"-created_at" or "(name:asc)"')
    p.add_argument("--limit", type=int, help="at most this many projects")
    return parser


def _projects(args: argparse.Namespace, client: MammothClient, out: TextIO) -> int:
    frame = client.projects.list(args.workspace, sort=args.sort, limit=args.limit)
    show(frame, args, out, PROJECT_LAYOUT)
    return 0


def main(argv: Sequence[str]) -> int:
    """Run ``projects list`` (``argv`` after the command word); returns the exit status."""
    return run(_projects_parser(), argv, _projects)
