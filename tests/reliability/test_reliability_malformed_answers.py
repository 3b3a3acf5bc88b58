"""Answers a real server could send but the sandbox does not: a server that ignores the
offset, duplicate and odd records, and ``200 OK`` bodies that are JSON but not the
answer asked for (a gateway's ``{"message": "..."}``). These use ``responses``: no
server, only the answers under test. The client must end every read, never repeat a
batch, and never turn a wrong answer into a silently shorter listing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses

from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import MammothError

BASE = "https://api.example.com"
LIST_URL = f"{BASE}/api/v2/workspaces/1/projects/1/datasets/5/batches"
GOOD = {
    "id": 1,
    "name": "a",
    "state": "active",
    "created_at": "2024-01-01T00:00:00.000Z",
    "row_count": 3,
    "column_count": 2,
    "description": {},
    "source": {"type": "file", "file_name": "a.csv"},
}
GATEWAY_ANSWERS: list[Any] = [
    {"message": "Service temporarily unavailable"},
    {"error": "upstream timeout"},
    {},
    [],
    None,
    {"batches": "try again later"},
]


def _records(count: int) -> list[dict[str, Any]]:
    return [{**GOOD, "id": 1000 + i, "name": f"b{i}"} for i in range(count)]


def _server(answer: Callable[[int, dict[str, str]], Any]) -> Callable:
    """A ``responses`` callback: ``answer(call_number, query)`` gives the JSON body."""
    calls = {"n": 0}

    def callback(request: Any) -> tuple[int, dict[str, str], str]:
        calls["n"] += 1
        query = dict(request.params)
        return 200, {"Content-Type": "application/json"}, json.dumps(answer(calls["n"], query))

    callback.calls = calls  # type: ignore[attr-defined]
    return callback


def _paged(records: list[dict[str, Any]]) -> Callable[[int, dict[str, str]], Any]:
    def answer(call: int, query: dict[str, str]) -> Any:
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        page = records[offset : offset + limit]
        more = offset + limit < len(records)
        return {"batches": page, "next": "more" if more else "", "offset": offset, "limit": limit}

    return answer


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _client() -> MammothClient:
    return MammothClient(BASE, token="mm_test-token", max_retries=2)


def test_a_server_ignoring_the_offset_cannot_make_a_read_endless(mocked, no_wait):
    callback = _server(lambda call, query: {"batches": _records(100), "next": "more"})
    mocked.add_callback("GET", LIST_URL, callback=callback)
    with pytest.raises(MammothError, match="no new batch"):  # not 100 of an unknown number
        _client().batches.list(1, 1, 5, page_size=100, max_workers=1)
    assert callback.calls["n"] <= 3


def test_odd_records_are_kept_typed_and_never_repeated(mocked, no_wait):
    odd = [
        GOOD,
        GOOD,  # the same id twice in one page
        {**GOOD, "id": 2, "state": "archived"},  # a state from a newer server
        {"id": 3, "name": None, "state": None, "created_at": None, "row_count": None},
        {**GOOD, "id": 4, "extra_field": {"nested": [1, 2]}},  # unknown keys
    ]
    mocked.add_callback(
        "GET", LIST_URL, callback=_server(lambda call, query: {"batches": odd, "next": ""})
    )
    frame = _client().batches.list(1, 1, 5)
    assert list(frame.index) == [1, 2, 3, 4]
    assert str(frame.loc[2, "state"]) == "archived"
    assert frame["row_count"].isna().tolist() == [False, False, True, False]
    assert str(frame["row_count"].dtype) == "Int64"


def _read_with_a_wrong_answer(mocked: responses.RequestsMock, wrong: Any, at: int) -> None:
    records = _records(250)
    paged = _paged(records)

    def answer(call: int, query: dict[str, str]) -> Any:
        return wrong if call == at else paged(call, query)

    mocked.add_callback("GET", LIST_URL, callback=_server(answer))
    try:
        frame = _client().batches.list(1, 1, 5, page_size=100, max_workers=1)
    except MammothError:
        return  # a typed error is an honest answer
    assert len(frame) == len(records)  # or recovered: complete


@pytest.mark.parametrize("wrong", GATEWAY_ANSWERS, ids=[json.dumps(a) for a in GATEWAY_ANSWERS])
def test_a_wrong_answer_mid_read_never_shortens_the_listing(mocked, no_wait, wrong):
    _read_with_a_wrong_answer(mocked, wrong, at=2)


@pytest.mark.parametrize("wrong", GATEWAY_ANSWERS, ids=[json.dumps(a) for a in GATEWAY_ANSWERS])
def test_a_wrong_first_answer_is_not_an_empty_listing(mocked, no_wait, wrong):
    _read_with_a_wrong_answer(mocked, wrong, at=1)


@pytest.mark.parametrize("wrong", GATEWAY_ANSWERS, ids=[json.dumps(a) for a in GATEWAY_ANSWERS])
def test_a_wrong_answer_to_get_is_not_a_blank_batch(mocked, no_wait, wrong):
    mocked.add_callback("GET", f"{LIST_URL}/1001", callback=_server(lambda call, query: wrong))
    with pytest.raises(MammothError):
        _client().batches.get(1, 1, 5, 1001)
