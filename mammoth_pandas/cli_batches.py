"""The ``batches``, ``datasets`` and ``jobs`` commands of ``mammoth-pandas``.

::

    mammoth-pandas batches list --workspace 1 --project 1 --dataset 101 --status active
    mammoth-pandas batches suspend 1001 1002 --workspace 1 --project 1 --dataset 101
    mammoth-pandas datasets schema --workspace 1 --project 1 --dataset 101 --format csv
    mammoth-pandas jobs get 5001
    mammoth-pandas batches list --sandbox          # against an embedded sandbox

Credentials come from the environment (``MAMMOTH_API_URL``, ``MAMMOTH_API_KEY``,
``MAMMOTH_API_SECRET``, or ``MAMMOTH_API_TOKEN``). Exit status: 0 success, 1 an error
from the server or a failed job, 2 bad usage or missing credentials.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from mammoth_pandas import display
from mammoth_pandas.errors import (
    JobError,
    MammothConfigError,
    MammothError,
    MammothInputError,
)

__all__ = ["build_parser", "main"]

_ACTIONS = ("list", "get", "create", "remove", "suspend", "restore", "delete")


def _common(parser: argparse.ArgumentParser, *, dataset: bool = True) -> None:
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


def _mutation(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-wait", action="store_true", help="return the job at once instead of waiting"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mammoth-pandas", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    batches = commands.add_parser("batches", help="list and act on a dataset's batches")
    actions = batches.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", help="list batches (all pages)")
    _common(p)
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
    _common(p)
    p.add_argument("batch_id", type=int)
    p.add_argument("--fields")
    p = actions.add_parser("create", help="append another dataset's rows as a new batch")
    _common(p)
    _mutation(p)
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
        _common(p)
        _mutation(p)
        p.add_argument("ids", nargs="+", help="batch ids (space or comma separated)")
    p = actions.add_parser("delete", help="delete one batch")
    _common(p)
    _mutation(p)
    p.add_argument("batch_id", type=int)

    datasets = commands.add_parser("datasets", help="list datasets, show a dataset's schema")
    actions = datasets.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", help="the project's datasets")
    _common(p, dataset=False)
    p = actions.add_parser("schema", help="a dataset's columns")
    _common(p)

    jobs = commands.add_parser("jobs", help="show jobs")
    actions = jobs.add_subparsers(dest="action", required=True)
    p = actions.add_parser("get", help="show one or more jobs")
    _common(p, dataset=False)
    p.add_argument("job_ids", nargs="+", help="job ids")
    return parser


@contextlib.contextmanager
def _client(args: argparse.Namespace) -> Iterator[Any]:
    from mammoth_pandas.client import MammothClient

    if not args.sandbox:
        with MammothClient.from_env() as client:
            yield client
        return
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


def _ids(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _need(args: argparse.Namespace, *names: str) -> list[int]:
    missing = [f"--{n}" for n in names if getattr(args, n, None) is None]
    if missing:
        raise MammothInputError(", ".join(missing), "required", accepted="an integer id")
    return [getattr(args, n) for n in names]


def _run(args: argparse.Namespace, client: Any, out: TextIO) -> int:
    fmt = args.format
    wait = not getattr(args, "no_wait", False)
    if args.command == "jobs":
        jobs = client.jobs.list(_ids(args.job_ids))
        for job in jobs:
            print(display.render(job, fmt), file=out)
        return 0
    if args.command == "datasets":
        ws, pr = _need(args, "workspace", "project")
        if args.action == "list":
            print(display.render(client.datasets.list(ws, pr), fmt), file=out)
        else:
            (ds,) = _need(args, "dataset")
            print(display.render(client.datasets.schema(ws, pr, ds), fmt).rstrip(), file=out)
        return 0
    ws, pr, ds = _need(args, "workspace", "project", "dataset")
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
        print(display.render(frame, fmt).rstrip(), file=out)
        return 0
    if action == "get":
        batch = client.batches.get(ws, pr, ds, args.batch_id, fields=args.fields)
        print(display.render(batch, fmt).rstrip(), file=out)
        return 0
    kwargs = {"wait": wait, "timeout": args.timeout}
    if action == "create":
        job = client.batches.create(
            ws, pr, ds, source_id=args.source_id, mapping=_load_mapping(args.mapping),
            validate_only=args.validate_only, delete_source_ds=args.delete_source, **kwargs,
        )  # fmt: skip
    elif action == "remove":
        job = client.batches.remove(ws, pr, ds, _ids(args.ids), **kwargs)
    elif action in ("suspend", "restore"):
        job = client.batches.update(ws, pr, ds, **{action: _ids(args.ids)}, **kwargs)
    else:
        job = client.batches.delete(ws, pr, ds, args.batch_id, **kwargs)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``batches|datasets|jobs …``; ``argv`` includes the command word."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0)
    out = sys.stdout
    try:
        with _client(args) as client:
            return _run(args, client, out)
    except MammothConfigError as exc:
        print(f"mammoth-pandas: {exc}", file=sys.stderr)
        return 2
    except MammothInputError as exc:
        print(f"mammoth-pandas: {exc}", file=sys.stderr)
        return 2
    except JobError as exc:
        print(f"mammoth-pandas: {exc}", file=sys.stderr)
        print(display.render(exc.job, args.format).rstrip(), file=out)
        return 1
    except MammothError as exc:
        print(f"mammoth-pandas: {exc}", file=sys.stderr)
        return 1
