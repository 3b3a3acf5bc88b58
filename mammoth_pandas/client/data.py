"""Reading the rows of a batch or a dataset: every page, or the first ``limit`` rows.

A data read answers with a job (or, on some servers, with the rows directly); the job's
``response`` holds one page of at most 100 rows (:mod:`mammoth_pandas.rows` reads its
shape). :func:`read_rows` plans the pages from the row count the batch or the dataset
reports, reads them with bounded concurrency, follows each page's job, and checks that
the rows add up: a page shorter than asked is continued at the server's own page size
(the ``limit`` it echoes), and a read that ends short of the count raises instead of
returning a partial frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas._concurrency import AdaptiveLimit, ConcurrencyGate
from mammoth_pandas.errors import (
    JobFailedError,
    JobTimeoutError,
    MammothConnectionError,
    MammothInputError,
)
from mammoth_pandas.jobs import Job
from mammoth_pandas.rows import RowsPage, SchemaColumn, read_page, rows_frame, schema_columns

__all__ = ["DataRead", "column_ids", "expected_rows", "plan_read", "read_rows"]

#: Rows per request: the API's maximum.
PAGE_ROWS = C.MAX_LIMIT
#: Polling of a read's job: at once, then growing to a short cap (reads finish quickly).
_POLL_FIRST, _POLL_FACTOR, _POLL_MAX = 0.02, 1.5, 1.0
#: Pages with no rows before the count is reached, after which the read gives up.
_MAX_EMPTY_PAGES = 2


@dataclass(frozen=True)
class DataRead:
    """What one data read asks for.

    Attributes:
        path: the route, e.g. ``…/datasets/121/batches/1001/data``.
        schema: the dataset's columns.
        columns: the c_ids asked for, or ``None`` for all.
        limit: at most this many rows, or ``None`` for all.
        total: the rows the batch or dataset holds (``None`` if it does not say).
        what: how errors name the read, e.g. ``"batch 1001"``.
        offset: the first row to read.
    """

    path: str
    schema: tuple[SchemaColumn, ...]
    columns: tuple[str, ...] | None
    limit: int | None
    total: int | None
    what: str
    offset: int = 0


Getter = Callable[[str, Mapping[str, Any]], Any]
JobFetcher = Callable[[int], dict[str, Any]]


def _follow(
    body: Any,
    fetch_job: JobFetcher,
    *,
    timeout: float,
    where: str,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> Any:
    """The rows of one page: the body itself, or the response of the job it names."""
    if not isinstance(body, Mapping) or "job_id" not in body:
        return body
    job_id = body.get("job_id")
    if isinstance(job_id, bool) or not isinstance(job_id, int):
        raise MammothConnectionError(f"{where}: the answer's job_id is {job_id!r}, not an id")
    deadline = clock() + timeout
    delay = _POLL_FIRST
    while True:
        record = fetch_job(job_id)
        job = Job(record)
        if job.done:
            if job.failed:
                raise JobFailedError(
                    f"{where}: job {job_id} failed: {job.reason or job.status}", job=job
                )
            return record.get("response")  # rows may come as a list, not only an object
        remaining = deadline - clock()
        if remaining <= 0:
            raise JobTimeoutError(
                f"{where}: job {job_id} still {job.status!r} after {timeout:g} s", job=job
            )
        sleep(min(delay, remaining))
        delay = min(delay * _POLL_FACTOR, _POLL_MAX)


def _echoed_limit(response: Any) -> int | None:
    if isinstance(response, Mapping):
        value = response.get("limit")
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def read_rows(
    read: DataRead,
    get: Getter,
    fetch_job: JobFetcher,
    *,
    workers: int,
    timeout: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> pd.DataFrame:
    """Every row the read asks for, as one typed frame (see :func:`rows_frame`).

    Args:
        read: the route, schema, columns, limit and row count.
        get: ``get(path, query)`` → the parsed body (the client's transport).
        fetch_job: ``fetch_job(job_id)`` → the job's record.
        workers: the most pages in flight at once (at least 1); how many actually are
            adapts to the server (see :mod:`mammoth_pandas._concurrency`).
        timeout: how long one page's job may run.
        clock: the monotonic clock (tests pass a fake one).
        sleep: how to wait between polls (tests pass a fake one).

    Raises:
        MammothConnectionError: an answer of no known shape, or fewer rows than the batch
            or dataset holds.
        JobFailedError: a page's job failed.
        JobTimeoutError: a page's job did not end in time.
    """
    first = read.offset
    left = None if read.total is None else max(0, read.total - first)
    want = left if read.limit is None else read.limit
    if left is not None and want is not None:
        want = min(want, left)
    query_columns = ",".join(read.columns) if read.columns else ""

    def page(offset: int, size: int) -> tuple[int, int, RowsPage, int | None]:
        where = f"rows {offset}..{offset + size - 1} of {read.what}"
        query = {"columns": query_columns, "limit": size, "offset": offset}
        body = get(read.path, query)
        response = _follow(body, fetch_job, timeout=timeout, where=where, clock=clock, sleep=sleep)
        rows = read_page(response, read.schema, read.columns, where=where)
        if len(rows.rows) > size:
            raise MammothConnectionError(
                f"{where}: the server sent {len(rows.rows)} rows for a page of {size}"
            )
        return offset, size, rows, _echoed_limit(response)

    pages: dict[int, RowsPage] = {}
    if want == 0:
        return rows_frame([], read.schema, read.columns, start=first)
    if want is None:  # no count to plan with: one page after another until a short one
        offset, size = first, PAGE_ROWS
        while True:
            _, _, rows, echoed = page(offset, size)
            pages[offset] = rows
            got = len(rows.rows)
            offset += got
            size = min(size, echoed) if echoed else size  # the server's page size
            if got == 0 or got < size:
                break
        return rows_frame([pages[k] for k in sorted(pages)], read.schema, read.columns, start=first)

    end = first + want
    todo = [(start, min(PAGE_ROWS, end - start)) for start in range(first, end, PAGE_ROWS)]
    empty = 0
    # As for listings: start modestly, grow while pages come back quickly, halve on 429/503.
    gate = ConcurrencyGate(AdaptiveLimit(max(1, workers)))
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
        while todo:
            futures: list[Future[tuple[int, int, RowsPage, int | None]]] = [
                pool.submit(gate.run, page, start, size) for start, size in todo
            ]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in done if f.exception() is not None]
            if failed:
                for f in futures:
                    f.cancel()
                raise failed[0].exception()  # type: ignore[misc]
            todo = []
            for future in futures:
                offset, size, rows, echoed = future.result()
                got = len(rows.rows)
                pages[offset] = rows
                if got == size:
                    continue
                if got == 0:
                    empty += 1
                    if empty >= _MAX_EMPTY_PAGES:
                        raise MammothConnectionError(
                            f"{read.what}: the server sent no rows from row {offset} on, "
                            f"short of the {want} it holds; nothing is returned rather "
                            "than a partial frame"
                        )
                step = min(size, echoed) if echoed and echoed < size else size
                rest = offset + size
                # The rest of this page, at the server's page size (it may cap lower).
                todo.extend(
                    (start, min(step, rest - start)) for start in range(offset + got, rest, step)
                )
    total = sum(len(p.rows) for p in pages.values())
    if total != want:
        raise MammothConnectionError(
            f"{read.what}: read {total} rows, expected {want}; nothing is returned rather "
            "than a partial frame"
        )
    return rows_frame([pages[k] for k in sorted(pages)], read.schema, read.columns, start=first)


def expected_rows(record: Mapping[str, Any], *keys: str) -> int | None:
    """A row count from a record (``row_count``, or ``stats.row_count``), if it has one."""
    value: Any = record
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def column_ids(
    columns: Any, schema: Sequence[SchemaColumn], *, field: str = "columns"
) -> tuple[str, ...] | None:
    """``columns=`` (names or c_ids, a string or a list) as c_ids; ``None`` for all."""
    if columns is None:
        return None
    items = [columns] if isinstance(columns, str) else columns
    if not isinstance(items, (list, tuple, pd.Index)) or not items:
        raise MammothInputError(
            field, f"got {columns!r}", accepted="a column name or c_id, or a non-empty list"
        )
    by_id = {col.c_id: col.c_id for col in schema}
    by_name = {col.c_name: col.c_id for col in schema}
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise MammothInputError(field, f"{item!r} is not a column name or c_id")
        c_id = by_id.get(item) or by_name.get(item)
        if c_id is None:
            known = ", ".join(repr(col.c_name) for col in schema)
            raise MammothInputError(
                field, f"unknown column {item!r}", accepted=f"names or c_ids of: {known}"
            )
        if c_id not in out:
            out.append(c_id)
    return tuple(out)


def plan_read(
    dataset: Mapping[str, Any],
    path: str,
    columns: Any,
    *,
    limit: int | None,
    offset: int,
    what: str,
    total: int | None = None,
) -> DataRead:
    """The read of ``path`` against ``dataset``'s schema (``columns=`` resolved to c_ids)."""
    schema = schema_columns(list(dataset.get("data_schema") or []))
    return DataRead(
        path=path,
        schema=schema,
        columns=column_ids(columns, schema),
        limit=limit,
        total=total,
        what=what,
        offset=offset,
    )
