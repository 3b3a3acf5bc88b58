"""Each batch's default JSON, stored when it is written, against ``json_object`` at read time.

A default listing page joins the texts stored in ``batches.listing_json``; these tests change
batches every way the sandbox can (seed, bulk seed, create, suspend, restore, remove, delete,
a failed delete, ``delete_source_ds``) and compare, after each change, what the listing
answers with what SQLite renders from the batch's columns as the page is read, text for
text, and with the get route and a ``fields=`` listing, field by field. A database file
made without the column (an older version's) is served by ``json_object``.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from typing import Any

import pytest
import requests

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox.query import parse_batch_query
from mammoth_pandas.sandbox.store import SCHEMA
from mammoth_pandas.sandbox.store_batches import (
    LISTING_DECLARATION,
    LISTING_SQL,
    STORED_FIELDS,
)

pytestmark = pytest.mark.skipif(
    not LISTING_DECLARATION, reason="this SQLite has no generated columns"
)

CUSTOMERS = DEMO.customers
TEXT = {"expected_destination_c_type": "TEXT"}
#: The default fields, named in another order: a ``fields=`` listing rendered by json_object.
REORDERED = ",".join(reversed(STORED_FIELDS))


def _rendered(sb: Sandbox, ds: int, *, stored: bool) -> list[str]:
    """Every batch of ``ds`` as the store renders it: stored texts, or json_object's."""
    with sb._live_store().read() as db:
        assert db.stored_listing
        db.stored_listing = stored
        query = parse_batch_query({"limit": "100"})
        pages: list[str] = []
        while True:
            page = db.batches_page(ds, query)[: query.page.limit]
            pages += page
            if len(page) < query.page.limit:
                return pages
            query = parse_batch_query({"limit": "100", "offset": str(len(pages))})


def _check(api: Any, ds: int = CUSTOMERS) -> list[dict[str, Any]]:
    """The listing of ``ds`` is json_object's rendering, whichever way it is asked."""
    stored, fresh = _rendered(api.sb, ds, stored=True), _rendered(api.sb, ds, stored=False)
    assert stored == fresh  # the texts themselves, key order and all
    listed = api.all_batches(ds)
    assert listed == [json.loads(text) for text in fresh]
    assert api.all_batches(ds, fields=REORDERED) == listed
    for batch in listed[:: max(1, len(listed) // 8)]:
        got = api.get(f"{api.batches_path(ds)}/{batch['id']}").json()["batch"]
        assert list(got) == list(STORED_FIELDS)
        assert got == batch
    return listed


def _states(api: Any, ids: list[int]) -> dict[int, str]:
    by_id = {b["id"]: b["state"] for b in _check(api)}
    return {i: by_id.get(i, "gone") for i in ids}


def _ids(api: Any, state: str, count: int) -> list[int]:
    return [b["id"] for b in api.all_batches(CUSTOMERS, status=state)[:count]]


def test_seeded_datasets_store_what_json_object_renders(api):
    for ds in (DEMO.customers, DEMO.orders, DEMO.crm_export):
        assert _check(api, ds)


def test_the_bulk_seeded_scale_dataset_stores_what_json_object_renders(scaled):
    listed = _check(scaled, DEMO.scale)
    assert len(listed) == 6_000


def test_every_write_keeps_the_stored_json(fresh_api):
    api = fresh_api
    active, suspended = _ids(api, "active", 3), _ids(api, "suspended", 1)
    # suspend and restore in one job
    api.finished(api.update(CUSTOMERS, suspend=active[:1], restore=suspended))
    assert _states(api, active[:1] + suspended) == {active[0]: "suspended", suspended[0]: "active"}
    # remove several: deleting while the job waits, then gone
    with api.sb.hold_jobs():
        response = api.delete(api.batches_path(CUSTOMERS), params={"ids": str(active[1])})
        assert _states(api, [active[1]]) == {active[1]: "deleting"}
    api.finished(response)
    assert _states(api, [active[1]]) == {active[1]: "gone"}
    # a failed delete puts the batch back in the state it left
    api.sb.faults.set(job_failure=1.0)
    with api.sb.hold_jobs():
        response = api.delete(f"{api.batches_path(CUSTOMERS)}/{active[0]}")
        assert _states(api, [active[0]]) == {active[0]: "deleting"}
    assert api.finished(response)["status"] == "failure"
    assert _states(api, [active[0]]) == {active[0]: "suspended"}
    api.sb.faults.set(job_failure=0.0)
    # delete one
    api.finished(api.delete(f"{api.batches_path(CUSTOMERS)}/{active[2]}"))
    assert _states(api, [active[2]]) == {active[2]: "gone"}
    # create: a new batch appended from another dataset, which is then deleted
    mapping = [
        {"destination_c_id": "column_1", "source_c_id": "column_2", **TEXT},
        {"destination_c_id": "column_2", "source_c_id": "column_1", **TEXT},
    ]
    body = {"source_id": DEMO.crm_export, "mapping": mapping, "delete_source_ds": True}
    job = api.finished(api.post(api.batches_path(CUSTOMERS), json=body))
    assert job["status"] == "success", job
    created = job["response"]["batch_id"]
    batch = next(b for b in _check(api) if b["id"] == created)
    assert batch["source"]["dataset_id"] == DEMO.crm_export
    assert batch["state"] == "active"
    assert api.sb.rows(DEMO.crm_export) == []


def test_a_database_made_without_the_column_is_served_by_json_object(tmp_path):
    path = tmp_path / "older.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA.replace(LISTING_DECLARATION, ""))
    conn.close()
    with Sandbox(db_path=path) as older, Sandbox() as newer:
        assert not older._live_store().stored_listing
        assert newer._live_store().stored_listing
        for ds in (CUSTOMERS, DEMO.orders):
            assert _listing(older, ds) == _listing(newer, ds)
        target = _listing(older, CUSTOMERS)[0]["id"]
        for sb in (older, newer):
            _suspend(sb, target)
        assert _listing(older, CUSTOMERS) == _listing(newer, CUSTOMERS)
        assert _listing(older, CUSTOMERS)[0]["state"] == "suspended"
    with closing(sqlite3.connect(path)) as conn:  # the file was left as it was made
        columns = [row[1] for row in conn.execute("PRAGMA table_xinfo(batches)")]
    assert "listing_json" not in columns


def test_a_column_storing_another_rendering_is_not_read(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA.replace(LISTING_SQL, "json_object('id', id)"))
    conn.close()
    with Sandbox(db_path=path) as sb:
        assert not sb._live_store().stored_listing
        first = _listing(sb, CUSTOMERS)[0]
        assert list(first) == list(STORED_FIELDS)


def test_a_new_database_file_keeps_its_stored_json_when_reopened(tmp_path):
    path = tmp_path / "new.db"
    with Sandbox(db_path=path) as sb:
        before = _listing(sb, CUSTOMERS)
    with Sandbox(db_path=path) as sb:
        assert sb._live_store().stored_listing
        assert _listing(sb, CUSTOMERS) == before


def _url(sb: Sandbox, ds: int) -> str:
    return f"{sb.url}/workspaces/1/projects/1/datasets/{ds}/batches"


def _suspend(sb: Sandbox, batch_id: int) -> None:
    value = {"suspend": [batch_id], "restore": []}
    body = {"patch": {"op": "replace", "path": "batches", "value": value}}
    response = requests.patch(_url(sb, CUSTOMERS), json=body, headers=sb.headers, timeout=10)
    assert response.status_code == 202, response.text
    sb.wait_idle()


def _listing(sb: Sandbox, ds: int) -> list[dict[str, Any]]:
    """The first page of ``ds``'s batches, as the sandbox answers it (no client decoding)."""
    response = requests.get(_url(sb, ds), params={"limit": 100}, headers=sb.headers, timeout=10)
    assert response.status_code == 200, response.text
    batches: list[dict[str, Any]] = response.json()["batches"]
    return batches
