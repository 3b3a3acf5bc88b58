"""Dataset listing filters, sort and newer fields; batch listing counts; request bodies.

Every answer goes through the ``Api`` helper, which validates it against the spec."""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from mammoth_pandas.sandbox import DEMO

DS = "/workspaces/1/projects/1/datasets"
CUSTOMERS = f"{DS}/{DEMO.customers}/batches"


def ids(api, **params) -> list[int]:
    response = api.get(DS, params=params)
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()["datasets"]]


def test_datasets_sort(api):
    created = {d["id"]: d["created_at"] for d in api.get(DS).json()["datasets"]}
    newest = ids(api, sort="(created_at:desc)")
    assert [created[i] for i in newest] == sorted(created.values(), reverse=True)
    assert newest != sorted(newest)  # the order is not the ids'
    assert ids(api, sort="(name:asc)") == [102, 101, 103, 104, 105]  # CRM, Customers, ...
    assert ids(api, sort="(created_by:asc),(id:desc)")[0] == DEMO.crm_export


def test_datasets_created_and_updated_ranges(api):
    created = {d["id"]: d["created_at"] for d in api.get(DS).json()["datasets"]}
    cut = created[DEMO.customers]
    since = ids(api, created_at=f"(from:'{cut}')")
    assert sorted(since) == sorted(i for i, at in created.items() if at >= cut)
    until = ids(api, created_at=f"(to:'{cut}')")
    assert sorted(until) == sorted(i for i, at in created.items() if at <= cut)
    assert ids(api, created_at=f"(from:'{cut}',to:'{cut}')") == [DEMO.customers]
    assert ids(api, updated_at="(from:'2099-01-01T00:00:00Z')") == []
    assert ids(api, updated_at="(to:'2099-01-01T00:00:00Z')") == [101, 102, 103, 104, 105]


def test_datasets_updated_at_follows_a_change(fresh_api):
    before = ids(fresh_api, updated_at="(from:'2026-01-01T00:00:00Z')")
    fresh_api.finished(fresh_api.update(DEMO.orders, suspend=[fresh_api.all_batches(103)[0]["id"]]))
    after = ids(fresh_api, updated_at="(from:'2026-01-01T00:00:00Z')")
    assert DEMO.orders not in before
    assert DEMO.orders in after


def test_datasets_created_by_and_source_type(api):
    assert ids(api, created_by="crm-bot@example.com") == [DEMO.crm_export]
    assert ids(api, created_by="crm-bot@example.com, maria.lopez@example.com") == [102, 104]
    assert ids(api, created_by="nobody@example.com") == []
    assert ids(api, source_type="file") == [101, 102, 103, 104, 105]
    assert ids(api, source_type="webhook,cloud") == []
    assert ids(api, source_type="", created_by="") == [101, 102, 103, 104, 105]


def test_datasets_newer_fields_are_served(api):
    fields = "id,created_by,updated_by,description,additional_info,resource_path,data_url"
    body = api.get(DS, params={"fields": fields, "id": str(DEMO.customers)}).json()
    [dataset] = body["datasets"]
    assert list(dataset) == fields.split(",")
    assert dataset["created_by"] == "demo@example.com"
    assert dataset["updated_by"] == "maria.lopez@example.com"
    assert dataset["description"].startswith("Customer master")
    assert dataset["additional_info"] == {"owner_team": "Growth", "refresh": "weekly"}
    assert dataset["resource_path"].endswith(f":{DEMO.customers}")
    assert dataset["data_url"] == f"/api/v2{DS}/{DEMO.customers}/data"
    full = api.get(f"{DS}/{DEMO.customers}", params={"fields": "__full"}).json()["dataset"]
    assert {"updated_by", "description", "additional_info", "batch_ids"} <= set(full)


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"sort": "(colour:asc)"}, "sort"),
        ({"sort": "created_at:desc"}, "sort"),
        ({"created_at": "2025-01-01"}, "created_at"),
        ({"updated_at": "(from:'yesterday')"}, "updated_at"),
        ({"fields": "id,owner"}, "fields"),
    ],
)
def test_datasets_bad_parameters_are_named(api, params, key):
    response = api.get(DS, params=params)
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == key


# -- batch listings: active and pending counts --------------------------------------------


def test_active_batches_counts_every_page(api):
    batches = api.all_batches(DEMO.customers)
    active = sum(1 for b in batches if b["state"] == "active")
    for params in ({"limit": 5}, {"limit": 5, "offset": 55}, {"status": "suspended"}):
        assert api.get(CUSTOMERS, params=params).json()["active_batches"] == active


def test_active_batches_follow_a_suspend(fresh_api):
    before = fresh_api.get(CUSTOMERS).json()["active_batches"]
    fresh_api.finished(fresh_api.update(DEMO.customers, suspend=[1001]))
    assert fresh_api.get(CUSTOMERS).json()["active_batches"] == before - 1


def test_pending_batches_only_where_a_file_waits(api):
    body = api.get(CUSTOMERS, params={"limit": 1}).json()
    [pending] = body["pending_batches"]
    assert pending["name"].endswith(".csv")
    assert pending["needs_review"] is True
    assert pending["count"] == 18
    orders = api.get(f"{DS}/{DEMO.orders}/batches").json()
    assert "pending_batches" not in orders
    assert orders["active_batches"] >= 1


def test_listing_body_is_the_same_json_as_before(api):
    """The page rendered by SQLite parses to what the classic envelope says."""
    body = api.get(CUSTOMERS, params={"limit": 3, "fields": "__full"}).json()
    assert list(body) == ["batches", "next", "offset", "limit", "active_batches", "pending_batches"]
    first = body["batches"][0]
    assert first["id"] == 1001
    assert isinstance(first["description"], dict)
    assert isinstance(first["source"], dict)
    assert isinstance(first["data_schema"], list)
    assert first == api.batch(DEMO.customers, 1001)


# -- request bodies -----------------------------------------------------------------------


def test_a_body_over_the_cap_is_413_and_changes_nothing(fresh_api):
    huge = {"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}}
    payload = requests.models.complexjson.dumps(huge)[:-1] + ', "pad": "' + "x" * (1 << 20) + '"}'
    response = fresh_api.patch(
        CUSTOMERS, data=payload, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    body = response.json()
    assert body["name"] == "PAYLOAD_TOO_LARGE"
    assert body["extra"][0]["key"] == "body"
    fresh_api.sb.wait_idle()
    assert fresh_api.batch(DEMO.customers, 1001)["state"] == "active"
    assert fresh_api.get(CUSTOMERS).status_code == 200  # the sandbox answers on


def test_a_chunked_body_over_the_cap_is_413(fresh_api):
    def chunks():
        yield b'{"patch": "'
        for _ in range(80):
            yield b"x" * 16384
        yield b'"}'

    response = fresh_api.patch(
        CUSTOMERS, data=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["name"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    ("method", "path", "body", "key"),
    [
        (
            "PATCH",
            CUSTOMERS,
            {"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}, "x": 1},
            "x",
        ),
        (
            "POST",
            CUSTOMERS,
            {"source_id": DEMO.crm_export, "mapping": [], "dry_run": True},
            "dry_run",
        ),
    ],
)
def test_unknown_top_level_keys_are_refused_by_name(fresh_api, method, path, body, key):
    response = fresh_api.request(method, path, json=body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["extra"][0]["key"] == key
    assert "unknown key" in answer["message"]
    fresh_api.sb.wait_idle()
    assert fresh_api.sb.actions() == []


# -- the store's rollback guard -----------------------------------------------------------


def test_a_failing_commit_rolls_back_and_the_store_goes_on(fresh_sandbox, monkeypatch):
    from mammoth_pandas.sandbox.store import Store

    store = fresh_sandbox._live_store()
    real = store._conn

    class FailingCommit:
        """The writer's connection, whose COMMIT fails once (as on a full disk)."""

        def __init__(self) -> None:
            self.failed = False

        def execute(self, sql, *args):
            if sql == "COMMIT" and not self.failed:
                self.failed = True
                raise sqlite3.OperationalError("database or disk is full")
            return real.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(store, "_conn", FailingCommit())
    generation = store.generation
    with pytest.raises(sqlite3.OperationalError), store.write() as db:
        db.set_meta("probe", "1")
    assert not real.in_transaction
    assert store.generation % 2 == 0  # no commit under way: caches keyed by it stay honest
    assert store.generation >= generation
    with store.read() as db:
        assert db.meta("probe") is None
    with store.write() as db:
        db.set_meta("probe", "2")
    with store.read() as db:
        assert db.meta("probe") == "2"
    assert isinstance(store, Store)


# -- deep pages through the listing index -------------------------------------------------


def _direct(sb, params, extra=0):
    """The page as the database alone gives it (OFFSET skipped row by row), with
    ``extra`` more rows."""
    from dataclasses import replace

    from mammoth_pandas.sandbox.query import Page, parse_batch_query

    query = parse_batch_query({k: str(v) for k, v in params.items()})
    query = replace(query, page=Page(query.page.limit + extra, query.page.offset))
    with sb._live_store().read() as db:
        return [json.loads(x) for x in db.batches_page(DEMO.scale, query)][: query.page.limit]


SCALE = f"{DS}/{DEMO.scale}/batches"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 100, "offset": 4_000},
        {"limit": 100, "offset": 5_950},
        {"limit": 7, "offset": 2_500, "sort": "(created_at:desc)"},
        {"limit": 50, "offset": 2_100, "status": "active", "sort": "(row_count:asc)"},
        {"limit": 100, "offset": 9_000},
    ],
)
def test_deep_pages_are_the_databases_pages(scaled, params):
    body = scaled.get(SCALE, params=params).json()
    assert body["batches"] == _direct(scaled.sb, params)
    one_more = _direct(scaled.sb, params, extra=1)
    assert bool(body["next"]) == (len(one_more) > params["limit"])


def test_deep_pages_follow_a_write(scaled):
    params = {"limit": 10, "offset": 3_000, "status": "active"}
    before = scaled.get(SCALE, params=params).json()["batches"]
    victim = before[0]["id"]
    try:
        scaled.finished(scaled.update(DEMO.scale, suspend=[victim]))
        after = scaled.get(SCALE, params=params).json()["batches"]
        assert victim not in [b["id"] for b in after]
        assert after == _direct(scaled.sb, params)
        assert after[0]["id"] == before[1]["id"]  # everything moved up by one
    finally:
        scaled.finished(scaled.update(DEMO.scale, restore=[victim]))
    assert scaled.get(SCALE, params=params).json()["batches"] == before
