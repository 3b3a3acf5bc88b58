"""Page loops against servers that misbehave in ways the sandbox does not: a ``next`` on
an empty page, pages that repeat, duplicate ids, out-of-order completion."""

from __future__ import annotations

import json
import random
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import responses

from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import MammothConnectionError

BASE = "http://127.0.0.1:9/api/v2"
PATH = "/workspaces/1/projects/1/datasets/5/batches"
URL = BASE + PATH


def batch(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"b{i}",
        "state": "active",
        "created_at": "2024-01-01T00:00:00Z",
        "row_count": i,
        "column_count": 3,
        "source": {"type": "file"},
        "description": {},
    }


def offsets(calls: Any) -> list[int]:
    return [int(parse_qs(urlsplit(c.request.url).query)["offset"][0]) for c in calls]


def serve(rsps: responses.RequestsMock, pages: Any) -> None:
    """``pages(offset, limit) -> (records, next)``."""

    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        query = parse_qs(urlsplit(request.url).query)
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        records, nxt = pages(offset, limit)
        body = {"batches": records, "next": nxt, "offset": offset, "limit": limit}
        return 200, {}, json.dumps(body)

    rsps.add_callback(responses.GET, URL, callback=callback)


@pytest.fixture
def client() -> MammothClient:
    return MammothClient(BASE, api_key="k", api_secret="s", max_workers=1)


def test_next_on_an_empty_page_does_not_loop(client: MammothClient) -> None:
    with responses.RequestsMock() as rsps:
        serve(rsps, lambda o, n: ([batch(i) for i in range(o, min(o + n, 20))], "more"))
        df = client.batches.list(1, 1, 5, page_size=10)
        assert list(df.index) == list(range(20))
        # pages overlap by one record: 0-9, 9-18, 18-19 (short: the end)
        assert offsets(rsps.calls) == [0, 9, 18]
    with responses.RequestsMock() as rsps:
        # 19 batches, but an empty page (with a next) from offset 18 on
        serve(rsps, lambda o, n: ([batch(i) for i in range(o, min(o + n, 19)) if o < 18], "more"))
        df = client.batches.list(1, 1, 5, page_size=10)
        assert list(df.index) == list(range(19))
        assert offsets(rsps.calls) == [0, 9, 18, 16]  # an empty page, then a look back


def test_a_full_last_page_with_an_empty_next_stops(client: MammothClient) -> None:
    with responses.RequestsMock() as rsps:
        serve(
            rsps,
            lambda o, n: ([batch(i) for i in range(o, min(o + n, 19))], "" if o + n >= 19 else "x"),
        )
        df = client.batches.list(1, 1, 5, page_size=10)
        assert list(df.index) == list(range(19))
        assert offsets(rsps.calls) == [0, 9]


def test_a_server_repeating_the_same_page_ends_the_loop(client: MammothClient) -> None:
    with responses.RequestsMock() as rsps:
        serve(rsps, lambda o, n: ([batch(i) for i in range(n)], "again"))
        with pytest.raises(MammothConnectionError, match="no new batch"):
            client.batches.list(1, 1, 5, page_size=10)
        seen = offsets(rsps.calls)
        assert seen == sorted(set(seen))  # never the same offset twice
        assert len(seen) == 3  # the first page, then two that brought nothing new


def test_duplicate_ids_across_and_within_pages_are_dropped(client: MammothClient) -> None:
    def pages(o: int, n: int) -> tuple[list[dict[str, Any]], str]:
        start = max(0, o - 3)  # from the second page on, 3 ids of the previous page again
        ids = list(range(start, min(start + n, 30)))
        return ([batch(i) for i in ids] + [batch(ids[-1])]) if ids else [], "x"

    with responses.RequestsMock() as rsps:
        serve(rsps, pages)
        df = client.batches.list(1, 1, 5, page_size=10)
        assert df.index.is_unique
        assert list(df.index) == list(range(30))


def test_limit_stops_requests_early(client: MammothClient) -> None:
    with responses.RequestsMock() as rsps:
        serve(rsps, lambda o, n: ([batch(i) for i in range(o, o + n)], "x"))
        df = client.batches.list(1, 1, 5, page_size=10, limit=25)
        assert list(df.index) == list(range(25))
        assert offsets(rsps.calls) == [0, 9, 18]
    with responses.RequestsMock() as rsps:
        serve(rsps, lambda o, n: ([batch(i) for i in range(o, o + n)], "x"))
        df = client.batches.list(1, 1, 5, limit=7)
        assert list(df.index) == list(range(7))
        limits = [int(parse_qs(urlsplit(c.request.url).query)["limit"][0]) for c in rsps.calls]
        assert limits == [7]  # one request for exactly the rows wanted


def test_deletions_behind_the_read_position_hide_nothing(client: MammothClient) -> None:
    """Between pages, batches already listed are deleted: the rest shift forward. The
    overlap (and, past it, a look back) keeps every batch that stayed."""
    alive = list(range(100))
    deleted: list[int] = []

    def pages(o: int, n: int) -> tuple[list[dict[str, Any]], str]:
        page = [batch(i) for i in alive[o : o + n]]
        if o > 0:  # delete some already-listed batches after answering
            gone = (
                [i for i in alive if i < page[0]["id"]][-(len(deleted) % 4 + 1) :] if page else []
            )
            for i in gone:
                alive.remove(i)
                deleted.append(i)
        return page, "x"

    with responses.RequestsMock() as rsps:
        serve(rsps, pages)
        df = client.batches.list(1, 1, 5, page_size=10)
    assert df.index.is_unique
    assert set(range(100)) - set(deleted) <= set(df.index)
    assert len(deleted) > 10


def test_concurrent_pages_come_out_in_order(client: MammothClient) -> None:
    rng = random.Random(7)
    lock = threading.Lock()
    total = 237

    def pages(o: int, n: int) -> tuple[list[dict[str, Any]], str]:
        with lock:
            delay = rng.random() * 0.01
        time.sleep(delay)  # the server answers pages out of order
        return [batch(i) for i in range(o, min(o + n, total))], "x"

    with responses.RequestsMock() as rsps:
        serve(rsps, pages)
        sequential = client.batches.list(1, 1, 5, page_size=10, max_workers=1)
        concurrent = client.batches.list(1, 1, 5, page_size=10, max_workers=6)
        pages_seen = list(client.batches.iter_pages(1, 1, 5, page_size=10, max_workers=6))
    pd.testing.assert_frame_equal(sequential, concurrent)
    assert list(concurrent.index) == list(range(total))
    pd.testing.assert_frame_equal(pd.concat(pages_seen), sequential)


def test_stopping_iteration_early_stops_fetching(client: MammothClient) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        serve(rsps, lambda o, n: ([batch(i) for i in range(o, o + n)], "x"))
        pages = client.batches.iter_pages(1, 1, 5, page_size=10, max_workers=3)
        first_two = [next(pages), next(pages)]
        pages.close()
        fetched = len(rsps.calls)
    assert [len(p) for p in first_two] == [10, 9]  # pages overlap by one record
    assert fetched <= 2 + 3  # the first page plus at most one window of look-ahead
