"""What one 100-row batch listing page costs the sandbox, lean path against a naive one.

The lean path is what the sandbox serves: one query reading each batch's JSON object as
it was stored when the batch was written, joined by Python (the same query rendering the
objects with ``json_object`` as it reads them is measured beside it, as a database made
by an older version is served), and for deep pages the listing index (the
listing's ordered ids kept per committed state) instead of an ``OFFSET`` skipped row by
row. The naive path, measured in the same run on the same database, is what it did
before: ``SELECT *`` after the skip, one dict per batch with its JSON columns decoded,
then ``json.dumps`` of the page. Figures:

- *query + render*: the store call alone, CPU per page;
- *whole handler*: the WSGI application (routing, auth, lookups, envelope), CPU per
  page, through Werkzeug's test client (no sockets);
- *HTTP*: wall time per page on one kept-alive connection to the running sandbox.

::

    python -m bench --only sandbox_page              # 100,000 batches
    python -m bench.bench_sandbox_page --scale 10000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import time
from collections.abc import Callable
from typing import Any

import requests
from werkzeug.test import Client

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox.app import SandboxApp
from mammoth_pandas.sandbox.query import parse_batch_query
from mammoth_pandas.sandbox.store import Db

FIELDS = ("id", "name", "state", "created_at", "description", "row_count", "column_count", "source")
PATH = f"/api/v2/workspaces/1/projects/1/datasets/{DEMO.scale}/batches"


def naive_page(db: Db, limit: int, offset: int) -> str:
    """The page as the sandbox used to build it: rows, dicts, ``json.dumps``."""
    rows = db.all(
        "SELECT * FROM batches WHERE id IN (SELECT id FROM batches WHERE dataset_id = ?"
        " ORDER BY id LIMIT ? OFFSET ?) ORDER BY id",
        (DEMO.scale, limit + 1, offset),
    )
    out = []
    for row in rows[:limit]:
        item: dict[str, Any] = {}
        for name in FIELDS:
            item[name] = json.loads(row[name]) if name in ("description", "source") else row[name]
        out.append(item)
    return json.dumps({"batches": out, "next": "", "offset": offset, "limit": limit})


def lean_page(db: Db, limit: int, offset: int) -> str:
    """The page as the sandbox builds it now."""
    query = parse_batch_query({"limit": str(limit), "offset": str(offset)})
    items = db.batches_page(DEMO.scale, query)
    return '{"batches":[' + ",".join(items[:limit]) + "]}"


def rendered_page(db: Db, limit: int, offset: int) -> str:
    """The lean page with each object rendered by ``json_object`` as it is read."""
    db.stored_listing = False
    return lean_page(db, limit, offset)


def per_page(work: Callable[[int], object], pages: int, clock: Callable[[], float]) -> float:
    """Median of five rounds of ``pages`` calls, in ms per call."""
    rounds = []
    for _ in range(5):
        begin = clock()
        for page in range(pages):
            work(page)
        rounds.append((clock() - begin) / pages * 1000)
    return statistics.median(rounds)


def run(scale: int | None = None, pages: int = 200) -> str:
    """Measure and return a markdown table (``scale`` batches in the scale dataset)."""
    count = scale or 100_000
    spread = max(1, count // 100 - 1)
    with Sandbox(scale=count, job_delay=0.0) as sb:
        store = sb._live_store()

        def store_call(build: Callable[[Db, int, int], str], deep: bool) -> Callable[[int], object]:
            def work(page: int) -> object:
                with store.read() as db:
                    return build(db, 100, (page * 7919 % spread) * 100 if deep else 0)

            return work

        app = SandboxApp(
            store,
            sb._runner,  # type: ignore[arg-type]
            sb.faults,
            credentials=(sb.api_key, sb.api_secret, sb.token),
            job_delay=0.0,
        )
        client = Client(app)

        def handler(page: int) -> object:
            offset = (page * 7919 % spread) * 100
            return client.get(f"{PATH}?limit=100&offset={offset}", headers=sb.headers).data

        def first_page(page: int) -> object:
            return client.get(f"{PATH}?limit=100", headers=sb.headers).data

        session = requests.Session()
        session.headers.update(sb.headers)

        def http(page: int) -> object:
            offset = (page * 7919 % spread) * 100
            return session.get(sb.root_url + PATH, params={"limit": 100, "offset": offset}).content

        check = json.loads(handler(0))
        assert len(check["batches"]) == 100, "the scale dataset serves 100-row pages"
        with store.read() as db:
            assert (
                json.loads(lean_page(db, 100, 0))["batches"]
                == json.loads(naive_page(db, 100, 0))["batches"]
            ), "both paths render the same page"
        cpu = time.process_time
        naive = per_page(store_call(naive_page, False), pages, cpu)
        lean = per_page(store_call(lean_page, False), pages, cpu)
        rendered = per_page(store_call(rendered_page, False), pages, cpu)
        naive_deep = per_page(store_call(naive_page, True), pages, cpu)
        handler(1)  # the listing index is filled by the first deep page
        first = per_page(first_page, pages, cpu)
        whole = per_page(handler, pages, cpu)
        wall = per_page(http, pages, time.perf_counter)
        session.close()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f}"
    )
    return "\n".join(
        [
            f"Sandbox, {count:,} batches, 100-row pages at spread offsets ({machine}).",
            "",
            "| measure | per page |",
            "|---|---|",
            f"| first page, query + render, naive (rows, dicts, dumps), CPU | {naive:.3f} ms |",
            f"| first page, query + render, json_object as read, CPU | {rendered:.3f} ms |",
            f"| first page, query + render, lean (stored JSON), CPU | {lean:.3f} ms |",
            f"| lean / naive, first page | {lean / naive:.2f}× |",
            f"| lean / json_object as read, first page | {lean / rendered:.2f}× |",
            f"| spread offsets, naive (OFFSET skipped row by row), CPU | {naive_deep:.3f} ms |",
            f"| whole handler, first page (routing, auth, lookups), CPU | {first:.3f} ms |",
            f"| whole handler, spread offsets (listing index), CPU | {whole:.3f} ms |",
            f"| whole handler / naive query + render, spread offsets | {whole / naive_deep:.2f}× |",
            f"| HTTP on a kept-alive connection, spread offsets, wall | {wall:.3f} ms |",
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    print(run(args.scale, args.pages))
