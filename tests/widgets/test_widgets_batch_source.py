"""The batch panel's query layer: counting without a total, and what goes to the server."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.widgets._batch_source import BatchFilters, BatchSource


class RangeListing:
    """Stands in for ``client.batches.list`` over ids ``0..n-1`` (the algorithm, not the wire,
    is under test here; the sandbox-backed tests cover the wire)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def list(self, *ids: int, limit: int | None = None, offset: int = 0, **_: Any) -> pd.DataFrame:
        self.calls += 1
        end = self.n if limit is None else min(self.n, offset + limit)
        return pd.DataFrame(index=pd.Index(range(offset, max(offset, end)), name="id"))


class Handle:
    workspace_id = project_id = dataset_id = 1

    def __init__(self, n: int) -> None:
        self.listing = RangeListing(n)
        self.client = type("Client", (), {"batches": self.listing})()


@given(st.one_of(st.integers(0, 1_000), st.integers(1_000, 3_000_000)))
def test_counting_finds_the_exact_total_with_logarithmic_probes(n: int):
    handle = Handle(n)
    assert BatchSource(handle).count(BatchFilters()) == n  # type: ignore[arg-type]
    assert handle.listing.calls <= 2 * math.ceil(math.log2(max(n, 100) / 100)) + 3


@pytest.mark.parametrize("n", [0, 1, 99, 100, 101, 199, 200, 201, 400, 401, 100_000])
def test_counting_at_page_boundaries(n: int):
    assert BatchSource(Handle(n)).count(BatchFilters()) == n  # type: ignore[arg-type]


def test_counts_are_cached_until_invalidated():
    handle = Handle(5_000)
    source = BatchSource(handle)  # type: ignore[arg-type]
    source.count(BatchFilters())
    calls = handle.listing.calls
    source.count(BatchFilters(sort_by="rows", descending=True))  # the order does not matter
    assert handle.listing.calls == calls
    source.invalidate()
    source.count(BatchFilters())
    assert handle.listing.calls > calls


def test_server_params_cover_whole_utc_days():
    filters = BatchFilters(
        states=("suspended", "active"),
        created_from=dt.date(2025, 3, 1),
        created_to=dt.date(2025, 3, 31),
    )
    params = filters.server_params()
    assert params["status"] == ["suspended", "active"]
    start, end = params["created_at"]
    assert start == pd.Timestamp("2025-03-01T00:00:00Z")
    assert end == pd.Timestamp("2025-03-31T23:59:59.999999Z")
    assert not filters.local


def test_every_state_chosen_means_no_state_filter():
    from mammoth_pandas import contract as C

    assert "status" not in BatchFilters(states=C.BATCH_STATES).server_params()


@pytest.mark.parametrize(
    ("filters", "local"),
    [
        (BatchFilters(name_contains="x"), True),
        (BatchFilters(name_contains="   "), False),
        (BatchFilters(rows_min=3), True),
        (BatchFilters(rows_max=3), True),
        (BatchFilters(sort_by="source"), True),
        (BatchFilters(sort_by="created", descending=True), False),
    ],
)
def test_which_filters_are_applied_locally(filters: BatchFilters, local: bool):
    assert filters.local is local


def test_sort_ends_on_id_for_stable_pages():
    assert BatchFilters(sort_by="rows", descending=True).server_sort() == [
        ("row_count", "desc"),
        ("id", "asc"),
    ]
    assert BatchFilters(sort_by="id", descending=True).server_sort() == [("id", "desc")]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"states": ("gone",)}, "states"),
        ({"sort_by": "colour"}, "sort_by"),
        ({"rows_min": -1}, "rows_min"),
        ({"rows_min": 5, "rows_max": 4}, "rows"),
        ({"created_from": dt.date(2025, 2, 1), "created_to": dt.date(2025, 1, 1)}, "created"),
    ],
)
def test_bad_filters_name_the_field(kwargs: dict[str, Any], field: str):
    with pytest.raises(MammothInputError) as caught:
        BatchFilters(**kwargs)
    assert caught.value.field == field
    assert caught.value.accepted


def test_errors_are_said_as_one_sentence():
    from mammoth_pandas.errors import MammothConnectionError, RateLimitError
    from mammoth_pandas.widgets._text import describe_error

    assert describe_error(RateLimitError("429", retry_after=3), doing="Loading") == (
        "Loading failed: the server is rate limiting requests; try again in 3 s."
    )
    assert describe_error(MammothConnectionError("connection refused.")) == (
        "lost the connection to the server (connection refused). Check it and press Refresh."
    )
    assert describe_error(MammothInputError("ids", "is empty.")) == "ids: is empty."
    assert describe_error(KeyError("x")) == "unexpected KeyError: 'x'."


def test_pages_joined_into_frames_hold_the_same_listing(sandbox: Any):
    from mammoth_pandas.sandbox import DEMO

    client = sandbox.client()
    ids = (DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    whole = client.batches.list(*ids, fields=["id", "name"])
    joined = list(
        client.batches.iter_pages(*ids, fields=["id", "name"], page_size=10, rows_per_frame=25)
    )
    assert len(joined) < len(whole) / 10  # fewer frames than pages
    assert all(len(frame) >= 25 for frame in joined[:-1])
    pd.testing.assert_frame_equal(pd.concat(joined), whole)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_rows_per_frame_must_be_a_positive_integer(sandbox: Any, bad: Any):
    from mammoth_pandas.sandbox import DEMO

    with pytest.raises(MammothInputError) as caught:
        sandbox.client().batches.iter_pages(
            DEMO.workspace_id, DEMO.project_id, DEMO.customers, rows_per_frame=bad
        )
    assert caught.value.field == "rows_per_frame"


def test_a_background_read_waits_while_the_panel_requests():
    import threading

    source = BatchSource(Handle(500))  # type: ignore[arg-type]
    waited = threading.Thread(target=source.yield_to)
    with source.first():
        waited.start()
        waited.join(0.2)
        assert waited.is_alive()  # held while the panel's request runs
    waited.join(10)
    assert not waited.is_alive()

    cancel = threading.Event()
    cancelled = threading.Thread(target=source.yield_to, args=(cancel,))
    with source.first():
        cancelled.start()
        with source._requests:
            cancel.set()
            source._requests.notify_all()
        cancelled.join(10)
        assert not cancelled.is_alive()  # a cancelled read does not wait
