"""``mammoth-pandas datasets …``: a project's datasets, a dataset's schema, column statistics.

::

    mammoth-pandas datasets list --workspace 1 --project 1
    mammoth-pandas datasets schema --workspace 1 --project 1 --dataset 101 --format csv
    mammoth-pandas datasets stats --project 1
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TextIO

from mammoth_pandas import display
from mammoth_pandas.cli._common import add_common, need, run, show
from mammoth_pandas.cli._fit import DATASET_LAYOUT
from mammoth_pandas.client import MammothClient

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``datasets`` command's parser."""
    parser = argparse.ArgumentParser(
        prog="mammoth-pandas datasets", description="List datasets, show a dataset's schema."
    )
    actions = parser.add_subparsers(dest="action", required=True)
    add_common(actions.add_parser("list", help="the project's datasets"), dataset=False)
    add_common(actions.add_parser("schema", help="a dataset's columns"))
    add_common(
        actions.add_parser("stats", help="per-column statistics of the project's datasets"),
        dataset=False,
    )
    return parser


def _run(args: argparse.Namespace, client: MammothClient, out: TextIO) -> int:
    if args.action == "stats":
        stats = client.datasets.column_stats(args.workspace, args.project)
        print(display.render(stats.set_index("dataset_id"), args.format).rstrip(), file=out)
        return 0
    ws, pr = need(args, "workspace", "project")
    if args.action == "list":
        datasets = client.datasets.list(ws, pr)
        if args.format == "table":  # the dataset stats count active batches only
            datasets = datasets.rename(
                columns={"batch_count": "active_batches", "row_count": "active_rows"}
            )
        show(datasets, args, out, DATASET_LAYOUT)
    else:
        (ds,) = need(args, "dataset")
        schema = client.datasets.schema(ws, pr, ds)
        print(display.render(schema, args.format).rstrip(), file=out)
    return 0


def main(argv: Sequence[str]) -> int:
    """Run ``datasets ACTION …`` (``argv`` after the command word); returns the exit status."""
    return run(build_parser(), argv, _run)
