"""``mammoth-pandas whoami``: the workspace a credential belongs to, and its projects.

::

    mammoth-pandas whoami
    mammoth-pandas whoami --format json
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from mammoth_pandas import display
from mammoth_pandas.cli._common import add_common, run
from mammoth_pandas.client import MammothClient

__all__ = ["main"]


def _whoami_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mammoth-pandas whoami",
        description="Show the workspace the credential belongs to, and its projects.",
    )
    add_common(parser, dataset=False)
    return parser


def _whoami(args: argparse.Namespace, client: MammothClient, out: TextIO) -> int:
    ws = client.workspace()
    info = ws.info().drop(labels=["projects"], errors="ignore")
    print(display.render(info, args.format).rstrip(), file=out)
    if args.format == "table":
        print("", file=out)
        projects = client.projects.list(ws.id, fields=["name", "status"])
        print(display.render(projects, "table").rstrip(), file=out)
    return 0


def main(argv: Sequence[str]) -> int:
    """Run ``whoami`` (``argv`` after the command word); returns the exit status."""
    return run(_whoami_parser(), argv, _whoami)
