"""The batch listing's query semantics, table-driven, checked against the full listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jsonschema
import pytest

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox import DEMO

LIST = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"


@pytest.fixture(scope="module")
def everything(sandbox) -> list[dict[str, Any]]:
    import requests

    out: list[dict[str, Any]] = []
    for offset in (0, 100):
        out += requests.get(
            sandbox.url + LIST,
            headers=sandbox.headers,
            params={"limit": 100, "offset": offset},
            timeout=10,
        ).json()["batches"]
    return out


def _ids(api, **params: Any) -> list[int]:
    response = api.get(LIST, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [b["id"] for b in response.json()["batches"]]


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_checker_rejects_a_body_that_breaks_the_spec(checker):
    ref = checker.schema_ref("GET", LIST, 200)
    validator = jsonschema.Draft202012Validator({**checker.spec, "$ref": ref})
    assert not validator.is_valid({"batches": [], "next": None})
    assert not validator.is_valid({"batches": [{"state": "lost"}], "next": ""})
    assert validator.is_valid({"batches": [{"state": "active"}], "next": ""})


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"id": "1003,1001,1002"}, lambda b: b["id"] in (1001, 1002, 1003)),
        ({"id": " 1001 , 1005 "}, lambda b: b["id"] in (1001, 1005)),
        ({"id": "1001,424242"}, lambda b: b["id"] == 1001),
        ({"status": "suspended"}, lambda b: b["state"] == "suspended"),
        ({"status": "active,sync_pending"}, lambda b: b["state"] in ("active", "sync_pending")),
        ({"status": "pending_delete"}, lambda b: False),
        ({"row_count": "10,12"}, lambda b: b["row_count"] in (10, 12)),
        (
            {"status": "active", "row_count": "10,12"},
            lambda b: b["row_count"] in (10, 12) and b["state"] == "active",
        ),
        (
            {"id": "", "created_at": "", "status": "", "row_count": "", "sort": "", "fields": ""},
            lambda b: True,
        ),
    ],
)
def test_filters(api, everything, params, expect):
    assert _ids(api, **params) == [b["id"] for b in everything if expect(b)]


@pytest.mark.parametrize(
    ("raw", "low", "high"),
    [
        (
            "(from:'2025-03-01T00:00:00.000Z',to:'2025-06-30T23:59:59.999Z')",
            "2025-03-01",
            "2025-06-30T23:59:59.999",
        ),
        ("(from:'2025-09-01T00:00:00Z')", "2025-09-01", None),
        ("(to:'2025-02-15T12:00:00+00:00')", None, "2025-02-15T12:00:00"),
        ("(from:'2025-05-01T02:00:00+02:00',to:'')", "2025-05-01T00:00:00", None),
        ("(from:'',to:'')", None, None),
        ("(to:'2025-08-01T00:00:00Z',from:'2025-07-01T00:00:00Z')", "2025-07-01", "2025-08-01"),
        ("(from:'2025-08-01T00:00:00Z',to:'2025-07-01T00:00:00Z')", "2025-08-01", "2025-07-01"),
    ],
)
def test_created_at_ranges(api, everything, raw, low, high):
    lo = _ts(low + ("" if "T" in low else "T00:00:00") + "+00:00") if low else None
    hi = _ts(high + ("" if "T" in high else "T00:00:00") + "+00:00") if high else None
    wanted = [
        b["id"]
        for b in everything
        if (lo is None or _ts(b["created_at"]) >= lo) and (hi is None or _ts(b["created_at"]) <= hi)
    ]
    assert _ids(api, created_at=raw) == wanted


def test_created_at_filter_is_not_trivial(api, everything):
    inside = _ids(api, created_at="(from:'2025-03-01T00:00:00Z',to:'2025-06-30T00:00:00Z')")
    assert 0 < len(inside) < len(everything)


@pytest.mark.parametrize("field", contract.SORTABLE_FIELDS)
@pytest.mark.parametrize("direction", contract.SORT_DIRECTIONS)
def test_sort_on_every_field_with_stable_id_tie_break(api, everything, field, direction):
    # Ties are broken by ascending id whatever the direction (a stable sort keeps it).
    ordered = sorted(everything, key=lambda b: b["id"])
    ordered = sorted(ordered, key=lambda b: b[field], reverse=direction == "desc")
    assert _ids(api, sort=f"({field}:{direction})") == [b["id"] for b in ordered]


def test_sort_with_several_terms(api, everything):
    ordered = sorted(everything, key=lambda b: (b["state"], -b["row_count"], b["id"]))
    assert _ids(api, sort="(state:asc),(row_count:desc)") == [b["id"] for b in ordered]


@pytest.mark.parametrize(
    ("limit", "offset", "count"),
    [(0, 0, 0), (1, 0, 1), (10, 55, 5), (100, 0, 60), (50, 60, 0), (50, 1000, 0), ("", "", 50)],
)
def test_limit_and_offset(api, everything, limit, offset, count):
    body = api.get(LIST, params={"limit": limit, "offset": offset}).json()
    start = offset or 0
    assert [b["id"] for b in body["batches"]] == [b["id"] for b in everything][
        start : start + count
    ]
    assert body["limit"] == (limit if limit != "" else 50)
    assert body["offset"] == start
    more = start + count < len(everything) and count > 0
    assert (body["next"] != "") == more


def test_fields_projection(api):
    body = api.get(LIST, params={"fields": "name,id", "limit": 2}).json()
    assert [set(b) for b in body["batches"]] == [{"id", "name"}] * 2
    full = api.get(LIST, params={"fields": "__full", "limit": 1}).json()["batches"][0]
    assert set(full) == set(contract.BATCH_FIELDS)
    mixed = api.get(LIST, params={"fields": "__min,row_count", "limit": 1}).json()["batches"][0]
    assert set(mixed) == {"id", "name", "state", "created_at", "row_count"}


def test_next_keeps_the_filters(api):
    body = api.get(LIST, params={"status": "active", "limit": 5, "sort": "(name:asc)"}).json()
    follow = api.get(api.sb.root_url + "/" + body["next"]).json()
    assert follow["offset"] == 5
    assert all(b["state"] == "active" for b in follow["batches"])
    names = [b["name"] for b in body["batches"] + follow["batches"]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-5"}, "offset"),
        ({"offset": "1.5"}, "offset"),
        ({"id": "1,two"}, "id"),
        ({"row_count": "x"}, "row_count"),
        ({"status": "active,frozen"}, "status"),
        ({"fields": "id,colour"}, "fields"),
        ({"sort": "id:asc"}, "sort"),
        ({"sort": "(id:up)"}, "sort"),
        ({"sort": "(source:asc)"}, "sort"),
        ({"sort": "(id:asc),(name)"}, "sort"),
        ({"created_at": "2025-01-01"}, "created_at"),
        ({"created_at": "(from:2025-01-01)"}, "created_at"),
        ({"created_at": "(from:'yesterday')"}, "created_at"),
        ({"created_at": "(since:'2025-01-01T00:00:00Z')"}, "created_at"),
    ],
)
def test_malformed_values_get_400_naming_the_parameter(api, params, key):
    response = api.get(LIST, params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["extra"][0]["key"] == key
    assert key in body["detail"]


def test_percent_encoded_created_at_from_the_contract(api):
    raw = (
        "created_at=%28from%3A%272025-03-01T00%3A00%3A00.000Z%27"
        "%2Cto%3A%272025-04-01T00%3A00%3A00.000Z%27%29"
    )
    body = api.get(f"{LIST}?{raw}&limit=100").json()
    assert body["batches"]
    assert all("2025-03" <= b["created_at"][:7] <= "2025-04" for b in body["batches"])
