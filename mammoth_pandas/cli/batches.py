"""``mammoth-pandas batches …``: list and act on a dataset's batches.

::

    mammoth-pandas batches list --workspace 1 --project 1 --dataset 101 --status active
    mammoth-pandas batches suspend 1001 1002 --workspace 1 --project 1 --dataset 101
    mammoth-pandas batches data 1001 --workspace 1 --project 1 --dataset 101 --limit 20
    mammoth-pandas batches list --sandbox          # against an embedded sandbox
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from mammoth_pandas import display
from mammoth_pandas.cli._common import add_common, add_mutation, ids, need, run, show
from mammoth_pandas.cli._fit import BATCH_LAYOUT
from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import MammothInputError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``batches`` command's parser, one sub-command per operation."""
    parser = argparse.ArgumentParser(
        prog="mammoth-pandas batches", description="List and act on a dataset's batches."
    )
    actions = parser.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", help="list batches (all pages)")
    add_common(p)
    p.add_argument("--id", help='batch ids, "1,2,3"')
    p.add_argument("--status", "--state", dest="status", help='states, "active,suspended"')
    p.add_argument("--row-count", help='exact row counts, "10,25"')
    p.add_argument("--created-from", help="created at or after (ISO-8601 or date)")
    p.add_argument("--created-to", help="created at or before (ISO-8601 or date)")
    p.add_argument("--created-at", help="\"(from:'…',to:'…')\" as in the API")
    p.add_argument("--sort", help='"-created_at,id" or "(id:asc)"')
    p.add_argument("--fields", help='"id,name,state" or a preset (__min, __standard, __full)')
    p.add_argument("--limit", type=int, help="at most this many rows")
    p = actions.add_parser("get", help="show one batch")
    add_common(p)
    p.add_argument("batch_id", type=int)
    p.add_argument("--fields")
    p = actions.add_parser("data", help="show a batch's rows (typed from the dataset's schema)")
    add_common(p)
    p.add_argument("batch_id", type=int)
    p.add_argument("--columns", help='column names or c_ids, "Customer,Email"')
    p.add_argument("--limit", type=int, help="at most this many rows (all when omitted)")
    p = actions.add_parser("create", help="append another dataset's rows as a new batch")
    add_common(p)
    add_mutation(p)
    p.add_argument("--source-id", type=int, required=True, help="the dataset to append")
    p.add_argument(
        "--mapping", required=True, help="the mapping as JSON, or @FILE holding that JSON"
    )
    p.add_argument("--validate-only", action="store_true")
    p.add_argument("--delete-source", action="store_true")
    for name, text in (
        ("remove", "delete several batches"),
        ("suspend", "suspend batches"),
        ("restore", "restore suspended batches"),
    ):
        p = actions.add_parser(name, help=text)
        add_common(p)
        add_mutation(p)
        p.add_argument("ids", nargs="+", help="batch ids (space or comma separated)")
    p = actions.add_parser("delete", help="delete one batch")
    add_common(p)
    add_mutation(p)
    p.add_argument("batch_id", type=int)
    return parser


def _run(args: argparse.Namespace, client: MammothClient, out: TextIO) -> int:
    fmt = args.format
    ws, pr, ds = need(args, "workspace", "project", "dataset")
    action = args.action
    if action == "list":
        created: Any = args.created_at
        if args.created_from or args.created_to:
            if created:
                raise MammothInputError(
                    "--created-at", "give --created-at or --created-from/--created-to",
                    accepted="one form",
                )  # fmt: skip
            created = (args.created_from, args.created_to)
        frame = client.batches.list(
            ws, pr, ds, fields=args.fields, id=args.id, status=args.status,
            row_count=args.row_count, created_at=created, sort=args.sort, limit=args.limit,
        )  # fmt: skip
        show(frame, args, out, BATCH_LAYOUT)
        return 0
    if action == "data":
        columns = None if args.columns is None else [c.strip() for c in args.columns.split(",")]
        rows = client.batches.data(ws, pr, ds, args.batch_id, columns=columns, limit=args.limit)
        print(display.render(rows, fmt).rstrip(), file=out)
        return 0
    if action == "get":
        show(client.batches.get(ws, pr, ds, args.batch_id, fields=args.fields), args, out)
        return 0
    wait = not args.no_wait
    timeout = args.timeout
    if action == "create":
        job = client.batches.create(
            ws, pr, ds, source_id=args.source_id, mapping=_load_mapping(args.mapping),
            validate_only=args.validate_only, delete_source_ds=args.delete_source,
            wait=wait, timeout=timeout,
        )  # fmt: skip
    elif action == "remove":
        job = client.batches.remove(ws, pr, ds, ids(args.ids), wait=wait, timeout=timeout)
    elif action == "suspend":
        job = client.batches.update(ws, pr, ds, suspend=ids(args.ids), wait=wait, timeout=timeout)
    elif action == "restore":
        job = client.batches.update(ws, pr, ds, restore=ids(args.ids), wait=wait, timeout=timeout)
    else:
        job = client.batches.delete(ws, pr, ds, args.batch_id, wait=wait, timeout=timeout)
    print(display.render(job, fmt).rstrip(), file=out)
    return 0


def _load_mapping(text: str) -> Any:
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise MammothInputError(
            "--mapping", f"not valid JSON ({exc})", accepted="a JSON list"
        ) from None


def main(argv: Sequence[str]) -> int:
    """Run ``batches ACTION …`` (``argv`` after the command word); returns the exit status."""
    return run(build_parser(), argv, _run)
