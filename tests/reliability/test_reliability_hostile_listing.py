"""A listing is complete or it fails, against a loopback server that misbehaves
(``hostile.py``): pages shorter than asked, offsets ignored, endless new ids, items and
ids of the wrong kind. The client never returns a silently short or wrong listing."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from mammoth_pandas import _paging
from mammoth_pandas.errors import MammothConnectionError
from tests.reliability.hostile import BATCHES, HostileServer

ALL_IDS = [b["id"] for b in BATCHES]


@pytest.mark.parametrize("workers", [1, 4])
@pytest.mark.parametrize("page_size", [100, 60])
def test_pages_shorter_than_asked_are_followed_at_the_servers_size(
    hostile: HostileServer, figures, workers: int, page_size: int
) -> None:
    hostile.mode = "short_pages"  # 50 a page, "limit": 50, a next link
    frame = hostile.client().batches.list(1, 1, 5, page_size=page_size, max_workers=workers)
    assert frame.index.tolist() == ALL_IDS
    figures.add("hostile_held")


def test_iter_pages_follows_short_pages_too(hostile: HostileServer, figures) -> None:
    hostile.mode = "short_pages"
    pages = list(hostile.client().batches.iter_pages(1, 1, 5, max_workers=1))
    assert pd.concat(pages).index.tolist() == ALL_IDS
    assert len(hostile.calls("/batches")) <= 7  # read on at 50 a page (pages overlap)
    figures.add("hostile_held")


def test_a_short_page_with_a_next_link_is_not_the_end(hostile: HostileServer, figures) -> None:
    hostile.mode = "short_pages_unsaid"  # serves 50, echoes no limit, next non-empty
    frame = hostile.client().batches.list(1, 1, 5, max_workers=1)
    assert frame.index.tolist() == ALL_IDS
    figures.add("hostile_held")


def test_a_limit_honours_short_pages(hostile: HostileServer, figures) -> None:
    hostile.mode = "short_pages"
    frame = hostile.client().batches.list(1, 1, 5, limit=120, max_workers=1)
    assert frame.index.tolist() == ALL_IDS[:120]
    figures.add("hostile_held")


def test_short_dataset_pages_are_followed(hostile: HostileServer, figures) -> None:
    hostile.mode = "short_dataset_pages"  # 60 datasets, 20 a page
    frame = hostile.client().datasets.list(1, 1)
    assert frame.index.tolist() == list(range(1, 61))
    figures.add("hostile_held")


def test_the_panels_count_probes_follow_short_pages(hostile: HostileServer, figures) -> None:
    from mammoth_pandas.widgets._batch_source import BatchFilters, BatchSource

    hostile.mode = "short_pages"  # the probes ask for 100 ids at a time, get 50
    source = BatchSource(hostile.client().dataset(1, 1, 5))
    assert source.count(BatchFilters()) == len(ALL_IDS)
    figures.add("hostile_held")


@pytest.mark.parametrize("name", ["offset_ignored", "same_page_shuffled"])
def test_pages_without_new_ids_end_the_read_with_an_error(
    hostile: HostileServer, figures, name: str
) -> None:
    hostile.mode = name
    with pytest.raises(MammothConnectionError, match="no new batch") as info:
        hostile.client().batches.list(1, 1, 5, max_workers=1)
    assert "offset" in str(info.value)
    assert len(hostile.calls("/batches")) <= 3  # the first page and at most two stale ones
    figures.add("hostile_held")


def test_an_endless_stream_of_new_ids_stops_at_the_count_the_server_gave(
    hostile: HostileServer, figures
) -> None:
    hostile.mode = "endless_new_ids"  # says active_batches: 250, never stops
    with pytest.raises(MammothConnectionError, match="pages") as info:
        hostile.client().batches.list(1, 1, 5, status="active", max_workers=1)
    assert "250" in str(info.value)
    assert len(hostile.calls("/batches")) <= 20
    figures.add("hostile_held")


def test_an_endless_stream_stops_at_the_page_cap(
    hostile: HostileServer, figures, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_paging, "MAX_PAGES", 30)  # the real cap is 100,000 pages
    hostile.mode = "endless_new_ids"
    with pytest.raises(MammothConnectionError, match="30 pages"):
        hostile.client().batches.list(1, 1, 5, max_workers=2)
    assert len(hostile.calls("/batches")) <= 30 + 2
    figures.add("hostile_held")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("item_not_object", "not an object"),
        ("float_id", "id"),
        ("string_ids_later", "id"),
        ("huge_id", "64"),
    ],
)
def test_items_and_ids_of_the_wrong_kind_are_typed_errors_naming_the_page(
    hostile: HostileServer, figures, name: str, says: str
) -> None:
    hostile.mode = name  # the bad item is the 106th
    with pytest.raises(MammothConnectionError, match=says) as info:
        hostile.client().batches.list(1, 1, 5, max_workers=1)
    assert "the page at offset 90, item" in str(info.value)  # pages: 0, 90, 180
    figures.add("hostile_held")


def test_ids_are_compared_in_one_form() -> None:
    check, collector = _paging.IdCheck(), _paging.PageCollector()
    first = check([{"id": "1"}, {"id": "2"}], 0)  # string ids throughout: read as int
    assert [r["id"] for r in collector.take(first)] == [1, 2]
    again = check([{"id": "2"}, {"id": "3"}], 2)
    assert [r["id"] for r in collector.take(again)] == [3]
    with pytest.raises(MammothConnectionError, match="offset 4"):
        check([{"id": 4}], 4)  # an int where strings came before


@pytest.mark.parametrize(
    ("items", "says"),
    [
        ([{"id": 1}, {"id": True}], "item 1: field 'id' is bool True"),
        ([{"id": 1}, {"name": "x"}], "item 1: field 'id' is missing"),
        ([{"id": 1}, [2]], "item 1 is not an object"),
        ([{"id": 1}, {"id": 2**63}], "item 1: field 'id' is 9223372036854775808, beyond 64"),
        ([{"id": -(2**63) - 1}, {"id": 2}], "item 0: field 'id' is -9223372036854775809"),
        ([{"id": 1}, {"id": 2.0}], "item 1: field 'id' is float 2.0"),
    ],
)
def test_a_page_of_int_ids_with_one_odd_item_names_that_item(
    items: list[object], says: str
) -> None:
    check = _paging.IdCheck()
    assert check([{"id": 7}, {"id": 2**63 - 1}, {"id": -(2**63)}], 0) == [
        {"id": 7},
        {"id": 2**63 - 1},
        {"id": -(2**63)},
    ]  # the bounds of 64 bits are ids
    with pytest.raises(MammothConnectionError, match="the page at offset 3, " + re.escape(says)):
        check(items, 3)
