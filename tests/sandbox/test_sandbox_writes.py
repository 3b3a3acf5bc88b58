"""Update, remove, delete and create over real HTTP: jobs, states, stats, rows and errors."""

from __future__ import annotations

from typing import Any

import pytest

from mammoth_pandas.sandbox import DEMO

CUSTOMERS = DEMO.customers
LIST = f"/workspaces/1/projects/1/datasets/{CUSTOMERS}/batches"


def _states(api, ids: list[int]) -> dict[int, str]:
    return {i: api.batch(CUSTOMERS, i)["state"] for i in ids}


def _stats(api, ds: int = CUSTOMERS) -> dict[str, int]:
    return api.dataset(ds)["stats"]


def _active(api, state: str = "active", count: int = 2) -> list[int]:
    batches = api.all_batches(CUSTOMERS, status=state)
    return [b["id"] for b in batches[:count]]


# -- update ----------------------------------------------------------------------------


def test_suspend_runs_as_a_job_processing_then_success(fresh_api):
    target = _active(fresh_api, count=1)[0]
    before = _stats(fresh_api)
    with fresh_api.sb.hold_jobs():
        response = fresh_api.update(CUSTOMERS, suspend=[target])
        assert response.status_code == 202
        handle = response.json()
        assert handle["status_code"] == 202
        job = fresh_api.job(handle["job_id"])
        assert job["status"] == "processing"
        assert job["operation"] == "update_batches"
        assert job["path"] == "/api/v2" + LIST
        assert fresh_api.batch(CUSTOMERS, target)["state"] == "active"  # not yet applied
    job = fresh_api.finished(response)
    assert job["status"] == "success"
    assert fresh_api.batch(CUSTOMERS, target)["state"] == "suspended"
    after = _stats(fresh_api)
    rows = fresh_api.batch(CUSTOMERS, target)["row_count"]
    assert after["batch_count"] == before["batch_count"] - 1
    assert after["row_count"] == before["row_count"] - rows


def test_suspend_and_restore_together_and_back(fresh_api):
    active = _active(fresh_api, count=2)
    suspended = _active(fresh_api, "suspended", count=2)
    before = _stats(fresh_api)
    job = fresh_api.finished(fresh_api.update(CUSTOMERS, suspend=active, restore=suspended))
    assert job["status"] == "success"
    assert job["response"] == {"suspended": active, "restored": suspended}
    assert _states(fresh_api, active) == dict.fromkeys(active, "suspended")
    assert _states(fresh_api, suspended) == dict.fromkeys(suspended, "active")
    fresh_api.finished(fresh_api.update(CUSTOMERS, suspend=suspended, restore=active))
    assert _stats(fresh_api) == before
    assert [a["batch_ids"] for a in fresh_api.sb.actions()] == [
        sorted(active + suspended),
        sorted(active + suspended),
    ]


def test_suspending_a_batch_under_deletion_fails_and_changes_nothing(fresh_api):
    deleting = _active(fresh_api, "deleting", count=1)[0]
    other = _active(fresh_api, count=1)[0]
    job = fresh_api.finished(fresh_api.update(CUSTOMERS, suspend=[other, deleting]))
    assert job["status"] == "failure"
    assert str(deleting) in job["response"]["error"]
    assert _states(fresh_api, [other, deleting]) == {other: "active", deleting: "deleting"}
    assert fresh_api.sb.actions() == []


def test_update_with_unknown_ids_is_a_400_and_creates_no_job(fresh_api):
    known = _active(fresh_api, count=1)[0]
    response = fresh_api.update(CUSTOMERS, suspend=[known, 424242])
    assert response.status_code == 400
    body = response.json()
    assert "424242" in body["detail"]
    assert body["extra"][0]["key"] == "patch.value.suspend"
    fresh_api.sb.wait_idle()
    assert fresh_api.batch(CUSTOMERS, known)["state"] == "active"
    # Batches of another dataset are unknown here too.
    assert fresh_api.update(CUSTOMERS, restore=[1064]).status_code == 400


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"patch": [{"op": "replace", "path": "batches", "value": {"suspend": [1001]}}]}, "patch"),
        ({"op": "replace"}, "patch"),
        ({"patch": {"op": "swap", "path": "batches", "value": {"suspend": [1001]}}}, "patch.op"),
        ({"patch": {"op": "replace", "path": "rows", "value": {"suspend": [1001]}}}, "patch.path"),
        ({"patch": {"op": "replace", "path": "batches", "value": [1001]}}, "patch.value"),
        (
            {"patch": {"op": "replace", "path": "batches", "value": {"suspend": ["1001"]}}},
            "patch.value.suspend",
        ),
        (
            {"patch": {"op": "replace", "path": "batches", "value": {"restore": [True]}}},
            "patch.value.restore",
        ),
        (
            {"patch": {"op": "replace", "path": "batches", "value": {"pause": [1001]}}},
            "patch.value",
        ),
        ({"patch": {"op": "replace", "path": "batches", "value": {}}}, "patch.value"),
        (
            {
                "patch": {
                    "op": "replace",
                    "path": "batches",
                    "value": {"suspend": [1001], "restore": [1001]},
                }
            },
            "patch.value",
        ),
    ],
)
def test_update_body_errors_name_the_field(api, body, key):
    response = api.patch(LIST, json=body)
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == key


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1, 2"])
def test_update_without_a_json_body(api, raw):
    response = api.patch(LIST, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "body"


def test_null_lists_are_accepted(fresh_api):
    target = _active(fresh_api, count=1)[0]
    body = {
        "patch": {
            "op": "replace",
            "path": "batches",
            "value": {"suspend": [target], "restore": None},
        }
    }
    job = fresh_api.finished(fresh_api.patch(LIST, json=body))
    assert job["status"] == "success"


# -- delete and remove ------------------------------------------------------------------


def test_delete_shows_deleting_then_removes_batch_rows_and_stats(fresh_api):
    target = _active(fresh_api, count=1)[0]
    rows = fresh_api.batch(CUSTOMERS, target)["row_count"]
    before = _stats(fresh_api)
    assert len(fresh_api.sb.rows(CUSTOMERS, target)) == rows
    with fresh_api.sb.hold_jobs():
        response = fresh_api.delete(f"{LIST}/{target}")
        assert response.status_code == 202
        assert fresh_api.batch(CUSTOMERS, target)["state"] == "deleting"
        assert fresh_api.job(response.json()["job_id"])["operation"] == "delete_batch"
    assert fresh_api.finished(response)["status"] == "success"
    assert fresh_api.get(f"{LIST}/{target}").status_code == 404
    assert fresh_api.sb.rows(CUSTOMERS, target) == []
    after = _stats(fresh_api)
    assert after["batch_count"] == before["batch_count"] - 1
    assert after["row_count"] == before["row_count"] - rows
    assert target not in fresh_api.dataset(CUSTOMERS).get("batch_ids", [])


def test_remove_several(fresh_api):
    targets = _active(fresh_api, count=2) + _active(fresh_api, "suspended", count=1)
    with fresh_api.sb.hold_jobs():
        response = fresh_api.delete(LIST, params={"ids": ",".join(map(str, targets))})
        assert response.status_code == 202
        assert set(_states(fresh_api, targets).values()) == {"deleting"}
    job = fresh_api.finished(response)
    assert (job["status"], job["operation"]) == ("success", "remove_batches")
    for target in targets:
        assert fresh_api.get(f"{LIST}/{target}").status_code == 404
    assert len(fresh_api.all_batches(CUSTOMERS)) == 57


@pytest.mark.parametrize("ids", ["", "1001,abc", "1001,424242"])
def test_remove_with_missing_or_unknown_ids(api, ids):
    response = api.delete(LIST, params={"ids": ids})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "ids"
    assert api.batch(CUSTOMERS, 1001)["state"] != "deleting"


def test_deleting_a_batch_already_under_deletion_is_refused(api):
    deleting = _active(api, "deleting", count=1)[0]
    assert api.delete(f"{LIST}/{deleting}").status_code == 400
    assert api.delete(LIST, params={"ids": str(deleting)}).status_code == 400
    assert api.delete(f"{LIST}/424242").status_code == 404


def test_failed_delete_returns_the_batch_to_its_previous_state(fresh_api):
    suspended = _active(fresh_api, "suspended", count=1)[0]
    active = _active(fresh_api, count=1)[0]
    before = _stats(fresh_api)
    fresh_api.sb.faults.set(job_failure=1.0)
    job = fresh_api.finished(fresh_api.delete(LIST, params={"ids": f"{suspended},{active}"}))
    assert job["status"] == "failure"
    assert "injected" in job["response"]["error"]
    assert _states(fresh_api, [suspended, active]) == {suspended: "suspended", active: "active"}
    assert _stats(fresh_api) == before
    assert fresh_api.sb.actions() == []


def test_failed_update_changes_nothing(fresh_api):
    target = _active(fresh_api, count=1)[0]
    fresh_api.sb.faults.set(job_failure=1.0)
    job = fresh_api.finished(fresh_api.update(CUSTOMERS, suspend=[target]))
    assert job["status"] == "failure"
    assert fresh_api.batch(CUSTOMERS, target)["state"] == "active"


# -- create -----------------------------------------------------------------------------

BY_ID = [
    {
        "destination_c_id": "column_1",
        "source_c_id": "column_2",
        "expected_destination_c_type": "TEXT",
    },
    {
        "destination_c_id": "column_2",
        "source_c_id": "column_1",
        "expected_destination_c_type": "TEXT",
    },
    {
        "destination_c_id": "column_3",
        "source_c_id": "column_3",
        "expected_destination_c_type": "TEXT",
    },
    {
        "destination_c_id": "column_5",
        "source_c_id": "column_4",
        "expected_destination_c_type": "DATE",
    },
    {
        "destination_c_id": "column_6",
        "source_c_id": "column_5",
        "expected_destination_c_type": "NUMERIC",
    },
]


def _create(api, mapping: list[dict[str, Any]] | None = None, **extra: Any):
    body = {
        "source_id": DEMO.crm_export,
        "mapping": BY_ID if mapping is None else mapping,
        "validate_only": False,
        "delete_source_ds": False,
        **extra,
    }
    return api.post(LIST, json=body)


def test_create_appends_the_source_rows_mapped_into_destination_columns(fresh_api):
    before = _stats(fresh_api)
    source_rows = fresh_api.sb.rows(DEMO.crm_export)
    response = _create(fresh_api)
    assert response.status_code == 200
    assert response.json()["status_code"] == 200
    job = fresh_api.finished(response)
    assert (job["status"], job["operation"]) == ("success", "create_batch")
    batch_id = job["response"]["batch_id"]
    batch = fresh_api.batch(CUSTOMERS, batch_id)
    assert batch["state"] == "active"
    assert batch["row_count"] == len(source_rows) > 0
    assert batch["source"] == {
        "type": "dataset",
        "dataset_id": DEMO.crm_export,
        "dataset_name": "CRM export",
        "resource_path": batch["source"]["resource_path"],
    }
    assert "CRM export" in batch["source"]["resource_path"]
    rows = fresh_api.sb.rows(CUSTOMERS, batch_id)
    for src, row in zip(source_rows, rows, strict=True):
        assert row["column_1"] == src["column_2"]
        assert row["column_2"] == src["column_1"]
        assert row["column_4"] is None  # Country: nothing maps it
        assert row["column_7"] is None
        assert row["column_6"] == float(src["column_5"].replace(",", ""))
        month, day, year = src["column_4"].split("/")
        assert row["column_5"] == f"{year}-{month}-{day}"
    after = _stats(fresh_api)
    assert after["batch_count"] == before["batch_count"] + 1
    assert after["row_count"] == before["row_count"] + len(rows)
    assert fresh_api.sb.actions()[-1]["batch_ids"] == [batch_id]


def test_create_by_name_with_a_batch_name(fresh_api):
    mapping = [
        {
            "destination_c_name": "Customer",
            "source_c_name": "Full name",
            "expected_destination_c_type": "TEXT",
        },
        {
            "destination_c_name": "Lifetime value",
            "source_c_name": "LTV (USD)",
            "expected_destination_c_type": "NUMERIC",
        },
    ]
    job = fresh_api.finished(_create(fresh_api, mapping, new_ds_details={"name": "CRM, March"}))
    batch = fresh_api.batch(CUSTOMERS, job["response"]["batch_id"])
    assert batch["name"] == "CRM, March"
    rows = fresh_api.sb.rows(CUSTOMERS, batch["id"])
    assert all(isinstance(r["column_6"], float) for r in rows)
    assert all(r["column_2"] is None for r in rows)


def test_create_validate_only_creates_nothing(fresh_api):
    before = _stats(fresh_api)
    job = fresh_api.finished(_create(fresh_api, validate_only=True))
    assert job["status"] == "success"
    assert job["response"]["valid"] is True
    assert _stats(fresh_api) == before
    assert len(fresh_api.all_batches(CUSTOMERS)) == 60
    assert fresh_api.sb.actions() == []


def test_create_with_delete_source_ds_removes_the_source(fresh_api):
    job = fresh_api.finished(_create(fresh_api, delete_source_ds=True))
    assert job["status"] == "success"
    assert fresh_api.get(f"/workspaces/1/projects/1/datasets/{DEMO.crm_export}").status_code == 404
    listed = fresh_api.get("/workspaces/1/projects/1/datasets").json()["datasets"]
    assert DEMO.crm_export not in [d["id"] for d in listed]
    assert fresh_api.batch(CUSTOMERS, job["response"]["batch_id"])["row_count"] > 0


def test_create_job_failure_changes_nothing(fresh_api):
    before = _stats(fresh_api)
    fresh_api.sb.faults.set(job_failure=1.0)
    job = fresh_api.finished(_create(fresh_api, delete_source_ds=True))
    assert job["status"] == "failure"
    assert _stats(fresh_api) == before
    assert fresh_api.dataset(DEMO.crm_export)["status"] == "ready"


def _item(**kw: str) -> dict[str, str]:
    return {"expected_destination_c_type": "TEXT", **kw}


@pytest.mark.parametrize(
    ("body", "key", "name"),
    [
        (
            {
                "mapping": [
                    _item(destination_c_id="column_1", source_c_id="column_2"),
                    _item(destination_c_name="Email", source_c_name="E-mail address"),
                ]
            },
            "mapping.1",
            "INVALID_MAPPING",
        ),
        (
            {"mapping": [_item(destination_c_id="column_1", source_c_name="Full name")]},
            "mapping.0",
            "INVALID_MAPPING",
        ),
        (
            {"mapping": [_item(destination_c_id="column_99", source_c_id="column_2")]},
            "mapping.0.destination_c_id",
            "INVALID_MAPPING",
        ),
        (
            {"mapping": [_item(destination_c_id="column_1", source_c_id="column_99")]},
            "mapping.0.source_c_id",
            "INVALID_MAPPING",
        ),
        (
            {"mapping": [_item(destination_c_name="Nope", source_c_name="Full name")]},
            "mapping.0.destination_c_name",
            "INVALID_MAPPING",
        ),
        (
            {
                "mapping": [
                    {
                        "destination_c_id": "column_6",
                        "source_c_id": "column_5",
                        "expected_destination_c_type": "TEXT",
                    }
                ]
            },
            "mapping.0.expected_destination_c_type",
            "INVALID_MAPPING",
        ),
        (
            {
                "mapping": [
                    {
                        "destination_c_id": "column_1",
                        "source_c_id": "column_2",
                        "expected_destination_c_type": "text",
                    }
                ]
            },
            "mapping.0.expected_destination_c_type",
            "INVALID_MAPPING",
        ),
        (
            {"mapping": [{"destination_c_id": "column_1", "source_c_id": "column_2"}]},
            "mapping.0.expected_destination_c_type",
            "INVALID_MAPPING",
        ),
        (
            {
                "mapping": [
                    _item(destination_c_id="column_1", source_c_id="column_2"),
                    _item(destination_c_id="column_1", source_c_id="column_3"),
                ]
            },
            "mapping.1.destination_c_id",
            "INVALID_MAPPING",
        ),
        ({"mapping": []}, "mapping", "INVALID_REQUEST_BODY"),
        ({"mapping": "column_1"}, "mapping", "INVALID_REQUEST_BODY"),
        ({"source_id": DEMO.customers}, "source_id", "INVALID_SOURCE_DATASET"),
        ({"source_id": DEMO.partner_leads}, "source_id", "INVALID_SOURCE_DATASET"),
        ({"source_id": 777}, "source_id", "INVALID_SOURCE_DATASET"),
        ({"source_id": "102"}, "source_id", "INVALID_REQUEST_BODY"),
        ({"validate_only": "yes"}, "validate_only", "INVALID_REQUEST_BODY"),
        ({"new_ds_details": {"title": "x"}}, "new_ds_details", "INVALID_REQUEST_BODY"),
    ],
)
def test_create_errors_name_the_field(api, body, key, name):
    payload = {
        "source_id": DEMO.crm_export,
        "mapping": [_item(destination_c_id="column_1", source_c_id="column_2")],
        "validate_only": False,
        "delete_source_ds": False,
        **body,
    }
    response = api.post(LIST, json=payload)
    assert response.status_code == 400, response.text
    error = response.json()
    assert (error["extra"][0]["key"], error["name"]) == (key, name)
    assert error["message"] == error["detail"]


def test_orders_legacy_appends_into_orders(fresh_api):
    mapping = [
        {
            "destination_c_id": "column_1",
            "source_c_id": "column_1",
            "expected_destination_c_type": "TEXT",
        },
        {
            "destination_c_id": "column_3",
            "source_c_id": "column_3",
            "expected_destination_c_type": "DATE",
        },
        {
            "destination_c_id": "column_4",
            "source_c_id": "column_4",
            "expected_destination_c_type": "NUMERIC",
        },
    ]
    body = {
        "source_id": DEMO.orders_legacy,
        "mapping": mapping,
        "validate_only": False,
        "delete_source_ds": False,
    }
    job = fresh_api.finished(
        fresh_api.post(f"/workspaces/1/projects/1/datasets/{DEMO.orders}/batches", json=body)
    )
    assert job["status"] == "success"
    rows = fresh_api.sb.rows(DEMO.orders, job["response"]["batch_id"])
    assert rows
    assert all(len(r["column_3"]) == 10 and r["column_5"] is None for r in rows)


# -- add_column items (newer servers) ------------------------------------------------------


def test_add_column_item_adds_the_source_column_to_the_destination(fresh_api):
    mapping = [
        *BY_ID[:2],
        {"source_c_id": "column_6", "expected_destination_c_type": "TEXT", "action": "add_column"},
    ]
    check = fresh_api.finished(_create(fresh_api, mapping, validate_only=True))
    assert check["status"] == "success"
    assert len(fresh_api.dataset(CUSTOMERS)["data_schema"]) == 7  # validate_only adds nothing
    job = fresh_api.finished(_create(fresh_api, mapping))
    assert job["status"] == "success"
    schema = fresh_api.dataset(CUSTOMERS)["data_schema"]
    assert schema[-1] == {"c_id": "column_8", "c_name": "Phone", "c_type": "text"}
    assert fresh_api.dataset(CUSTOMERS)["stats"]["column_count"] == 8
    rows = fresh_api.sb.rows(CUSTOMERS, job["response"]["batch_id"])
    # a blank source cell arrives as null
    phones = [r["column_6"] or None for r in fresh_api.sb.rows(DEMO.crm_export)]
    assert None in phones
    assert [r["column_8"] for r in rows] == phones
    assert fresh_api.batch(CUSTOMERS, job["response"]["batch_id"])["column_count"] == 8


ADD_PHONE = {
    "source_c_id": "column_6",
    "expected_destination_c_type": "TEXT",
    "action": "add_column",
}


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ([{**ADD_PHONE, "action": "drop"}], "mapping.2.action"),
        ([ADD_PHONE, ADD_PHONE], "mapping.3.source_c_id"),
        (
            [{**ADD_PHONE, "expected_destination_c_type": "PHONE"}],
            "mapping.2.expected_destination_c_type",
        ),
        ([{**ADD_PHONE, "source_c_id": "column_42"}], "mapping.2.source_c_id"),
        (
            [
                {
                    "source_c_name": "Phone",
                    "expected_destination_c_type": "TEXT",
                    "action": "add_column",
                }
            ],
            "mapping.2",
        ),
        ([{**ADD_PHONE, "destination_c_id": "column_7"}], "mapping.2"),
    ],
)
def test_bad_add_column_items(api, extra, key):
    response = _create(api, [*BY_ID[:2], *extra])
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == key
    assert len(api.dataset(CUSTOMERS)["data_schema"]) == 7
