"""A batch's rows are complete or the read fails: data reads against a misbehaving server.

The modes here serve one dataset (``DS``, three typed columns) whose batch ``BATCH``
holds ``ROWS`` rows, each page answered as a job (or, for ``rows_direct``, with the rows
themselves); each mode breaks one thing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from mammoth_pandas.errors import JobFailedError, MammothConnectionError
from tests.reliability.hostile import Handler, HostileServer, mode

DS, BATCH, ROWS = 5, 7, 430
SCHEMA = [
    {"c_id": "column_1", "c_name": "Customer", "c_type": "text"},
    {"c_id": "column_2", "c_name": "Amount", "c_type": "numeric"},
    {"c_id": "column_3", "c_name": "Signed up", "c_type": "date"},
]
CELLS = [[f"c{i}", str(i), f"2024-01-{1 + i % 28:02d}"] for i in range(ROWS)]


def _rows(offset: int, limit: int, *, shape: str = "headers") -> Any:
    page = CELLS[offset : offset + limit]
    if shape == "list":
        return page
    if shape == "objects":
        return [dict(zip(("column_1", "Amount", "column_3"), row, strict=True)) for row in page]
    return {
        "headers": [c["c_name"] for c in SCHEMA],
        "data": {str(offset + i): row for i, row in enumerate(page)},
        "offset": offset,
        "limit": limit,
    }


def _serve(h: Handler, answer: Any) -> bool:
    """The routes around the rows; ``answer(offset, limit)`` gives a page's job response."""
    route = h.route
    if route.endswith(f"/datasets/{DS}"):
        h.json(200, {"dataset": {"id": DS, "data_schema": SCHEMA, "stats": {"row_count": ROWS}}})
    elif route.endswith(f"/batches/{BATCH}"):
        h.json(200, {"batch": {"id": BATCH, "state": "active", "row_count": ROWS}})
    elif route.endswith("/data"):
        job = 100_000 + h.offset * 1000 + h.limit  # the job id says which page it reads
        h.json(202, {"status_code": 202, "job_id": job})
    elif "/jobs/" in route:
        number = int(route.rsplit("/", 1)[-1]) - 100_000
        offset, limit = divmod(number, 1000)
        response = answer(offset, limit)
        if isinstance(response, Exception):
            job = {"id": number, "status": "failure", "response": {"error": str(response)}}
        else:
            job = {"id": number, "status": "success", "response": response}
        h.json(200, {"job": job})
    else:
        return False
    return True


@mode
def rows_well_behaved(h: Handler) -> None:
    """A batch's rows in pages of the size asked for, each page a finished job."""
    _serve(h, _rows)


@mode
def rows_capped(h: Handler) -> None:
    """Serves at most ``cap`` (30) rows a page whatever is asked, echoing ``"limit": 30``."""
    cap = h.server.hostile.option("cap", 30)
    _serve(h, lambda offset, limit: {**_rows(offset, min(limit, cap)), "limit": cap})


@mode
def rows_capped_unsaid(h: Handler) -> None:
    """Serves at most ``cap`` (30) rows a page and says nothing of its cap."""
    cap = h.server.hostile.option("cap", 30)

    def answer(offset: int, limit: int) -> Any:
        body = _rows(offset, min(limit, cap))
        body.pop("limit")
        return body

    _serve(h, answer)


@mode
def rows_stop_early(h: Handler) -> None:
    """Serves no rows from row ``stop`` (300) on, although the batch says it holds more."""
    stop = h.server.hostile.option("stop", 300)
    _serve(h, lambda offset, limit: _rows(offset, max(0, min(limit, stop - offset))))


@mode
def rows_job_fails(h: Handler) -> None:
    """The job reading the page at offset ``fail_at`` (200) fails."""
    fail_at = h.server.hostile.option("fail_at", 200)
    _serve(h, lambda o, n: RuntimeError("disk quota") if o == fail_at else _rows(o, n))


@mode
def rows_as_lists(h: Handler) -> None:
    """Each page's rows as a bare list of lists, in schema order."""
    _serve(h, lambda offset, limit: _rows(offset, limit, shape="list"))


@mode
def rows_as_objects(h: Handler) -> None:
    """Each page's rows as objects keyed by c_id or display name, mixed."""
    _serve(h, lambda offset, limit: _rows(offset, limit, shape="objects"))


@mode
def rows_overfull(h: Handler) -> None:
    """Serves more rows than asked for on every page."""
    _serve(h, lambda offset, limit: _rows(offset, limit + 5))


@mode
def rows_garbled(h: Handler) -> None:
    """The page at offset 100 holds rows of the wrong width."""

    def answer(offset: int, limit: int) -> Any:
        body = _rows(offset, limit)
        if offset == 100:
            body["data"] = {k: v[:2] for k, v in body["data"].items()}
        return body

    _serve(h, answer)


def _read(server: HostileServer, **kwargs: Any) -> pd.DataFrame:
    with server.client(max_retries=0) as client:
        return client.batches.data(1, 1, DS, BATCH, **kwargs)


def _expected() -> pd.DataFrame:
    with HostileServer("rows_well_behaved") as server:
        return _read(server)


def test_a_correct_server_gives_every_row_typed() -> None:
    frame = _expected()
    assert len(frame) == ROWS
    assert frame["Amount"].tolist()[:3] == [0, 1, 2]
    assert str(frame["Amount"].dtype) == "Int64"
    assert isinstance(frame["Signed up"].dtype, pd.DatetimeTZDtype)


@pytest.mark.parametrize(
    "name", ["rows_capped", "rows_capped_unsaid", "rows_as_lists", "rows_as_objects"]
)
def test_pages_that_are_capped_or_shaped_otherwise_still_give_every_row(name: str) -> None:
    with HostileServer(name) as server:
        frame = _read(server, max_workers=3)
    pd.testing.assert_frame_equal(frame, _expected())


def test_a_server_that_stops_short_fails_the_read_instead_of_a_partial_frame() -> None:
    with (
        HostileServer("rows_stop_early") as server,
        pytest.raises(MammothConnectionError, match=f"batch {BATCH}: .*short of the {ROWS}"),
    ):
        _read(server)


def test_a_page_whose_job_fails_fails_the_read() -> None:
    with (
        HostileServer("rows_job_fails") as server,
        pytest.raises(
            JobFailedError, match=r"rows 200\.\.299 of batch 7: job .* failed: disk quota"
        ),
    ):
        _read(server)


@pytest.mark.parametrize(
    ("name", "words"),
    [("rows_overfull", "105 rows for a page of 100"), ("rows_garbled", "row 0 has 2 cells")],
)
def test_pages_that_do_not_add_up_are_refused_by_page(name: str, words: str) -> None:
    with HostileServer(name) as server, pytest.raises(MammothConnectionError, match=words):
        _read(server)


def test_a_limit_reads_only_the_pages_it_needs() -> None:
    with HostileServer("rows_well_behaved") as server:
        frame = _read(server, limit=150)
        pages = [c for c in server.calls("/data") if c["path"].endswith("/data")]
    assert len(frame) == 150
    assert sorted(int(p["query"]["offset"]) for p in pages) == [0, 100]
