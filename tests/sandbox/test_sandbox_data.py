"""Rows of a batch or a dataset (answered as jobs) and column statistics, over real HTTP.

Every answer goes through the ``Api`` helper (validated against the spec); each data
job's ``response`` is validated against the ``DataRows`` schema."""

from __future__ import annotations

from typing import Any

import pytest

from mammoth_pandas.sandbox import DEMO

DS = "/workspaces/1/projects/1/datasets"
CUSTOMERS = f"{DS}/{DEMO.customers}"
CRM = f"{DS}/{DEMO.crm_export}"


def read(api: Any, path: str, **params: Any) -> dict[str, Any]:
    """The finished job of a data read, its response validated."""
    response = api.get(path, params=params)
    assert response.status_code == 202, response.text
    assert response.json()["status_code"] == 202
    job = api.finished(response)
    assert job["operation"] in ("read_batch_data", "read_dataset_data")
    if job["status"] == "success":
        api.checker.validate_schema("DataRows", job["response"])
    return job


def rows(response: dict[str, Any]) -> list[list[Any]]:
    return [response["data"][key] for key in sorted(response["data"], key=int)]


def test_batch_rows_in_headers_and_data_shape(api):
    job = read(api, f"{CUSTOMERS}/batches/1001/data")
    assert job["status"] == "success"
    body = job["response"]
    schema = api.dataset(DEMO.customers)["data_schema"]
    assert body["headers"] == [c["c_name"] for c in schema]
    assert body["columns"] == [c["c_id"] for c in schema]
    stored = api.sb.rows(DEMO.customers, 1001)
    assert body["row_count"] == len(stored) == api.batch(DEMO.customers, 1001)["row_count"]
    assert rows(body) == [[row.get(c["c_id"]) for c in schema] for row in stored]
    assert list(body["data"]) == [str(i) for i in range(len(stored))]
    assert (body["offset"], body["limit"]) == (0, 50)


def test_values_look_real(api):
    body = read(api, f"{CUSTOMERS}/batches/1001/data")["response"]
    first = dict(zip(body["headers"], rows(body)[0], strict=False))
    assert " " in first["Customer"]
    assert "@" in first["Email"]
    assert first["Signup date"][4] == "-"
    assert isinstance(first["Lifetime value"], float)
    crm = read(api, f"{CRM}/data", columns="column_4,column_5")["response"]
    since, ltv = rows(crm)[0]
    assert since[2] == "/"  # 03/14/2025
    assert isinstance(ltv, str)
    assert any(c.isdigit() for c in ltv)


def test_columns_pick_and_order_by_c_id(api):
    body = read(api, f"{CUSTOMERS}/batches/1001/data", columns="column_2,column_1")["response"]
    assert body["headers"] == ["Email", "Customer"]
    stored = api.sb.rows(DEMO.customers, 1001)
    assert rows(body) == [[r["column_2"], r["column_1"]] for r in stored]


def test_limit_and_offset_page_through_a_batch(api):
    stored = api.sb.rows(DEMO.customers, 1001)
    page = read(api, f"{CUSTOMERS}/batches/1001/data", columns="column_1", limit=3, offset=2)
    body = page["response"]
    assert list(body["data"]) == ["2", "3", "4"]  # keyed by position in the batch
    assert rows(body) == [[r["column_1"]] for r in stored[2:5]]
    past = read(api, f"{CUSTOMERS}/batches/1001/data", offset=len(stored))["response"]
    assert past["data"] == {}
    none = read(api, f"{CUSTOMERS}/batches/1001/data", limit=0)["response"]
    assert none["data"] == {}
    assert none["row_count"] == len(stored)


def test_dataset_rows_are_the_active_batches_rows(api):
    everything = api.sb.rows(DEMO.crm_export)
    body = read(api, f"{CRM}/data", limit=100)["response"]
    assert body["row_count"] == api.dataset(DEMO.crm_export)["stats"]["row_count"]
    assert len(body["data"]) == len(everything)
    schema = api.dataset(DEMO.crm_export)["data_schema"]
    assert rows(body) == [[row.get(c["c_id"]) for c in schema] for row in everything]
    tail = read(api, f"{CRM}/data", limit=5, offset=len(everything) - 2)["response"]
    assert list(tail["data"]) == [str(len(everything) - 2), str(len(everything) - 1)]


def test_a_suspended_batchs_rows_are_still_readable(api):
    suspended = next(b for b in api.all_batches(DEMO.customers) if b["state"] == "suspended")
    job = read(api, f"{CUSTOMERS}/batches/{suspended['id']}/data")
    assert job["status"] == "success"
    assert len(job["response"]["data"]) == suspended["row_count"] > 0


def test_a_batch_under_deletion_is_refused_with_409(api):
    deleting = next(b for b in api.all_batches(DEMO.customers) if b["state"] == "deleting")
    response = api.get(f"{CUSTOMERS}/batches/{deleting['id']}/data")
    assert response.status_code == 409
    body = response.json()
    assert body["name"] == "BATCH_BEING_DELETED"
    assert "being deleted" in body["message"]


def test_a_read_whose_batch_goes_before_the_job_runs_fails_with_the_reason(fresh_api):
    with fresh_api.sb.hold_jobs():
        handle = fresh_api.get(f"{CUSTOMERS}/batches/1004/data")
        assert handle.status_code == 202
        with fresh_api.sb._live_store().write() as db:  # gone between request and job
            db.delete_batches([1004])
    job = fresh_api.finished(handle)
    assert job["status"] == "failure"
    assert job["response"] == {"error": "batch 1004 no longer exists"}


def test_a_read_whose_batch_enters_deletion_before_the_job_runs_fails(fresh_api):
    with fresh_api.sb.hold_jobs():
        handle = fresh_api.get(f"{CUSTOMERS}/batches/1005/data")
        deleting = fresh_api.delete(f"{CUSTOMERS}/batches/1005")
        assert deleting.status_code == 202
        with fresh_api.sb._live_store().write() as db:  # the delete job runs first
            db.run(
                "UPDATE jobs SET run_after = run_after + 0.5 WHERE id = ?",
                (handle.json()["job_id"],),
            )
    job = fresh_api.finished(handle)
    assert job["status"] == "failure"
    assert "1005" in job["response"]["error"]


@pytest.mark.parametrize(
    ("params", "key", "needle"),
    [
        ({"columns": "Customer"}, "columns", "column name"),
        ({"columns": "column_1,column_99"}, "columns", "unknown column"),
        ({"limit": 101}, "limit", "0..100"),
        ({"limit": -1}, "limit", "0..100"),
        ({"offset": -1}, "offset", "out of range"),
        ({"offset": "x"}, "offset", "not an integer"),
    ],
)
def test_bad_read_parameters_are_named(api, params, key, needle):
    response = api.get(f"{CUSTOMERS}/batches/1001/data", params=params)
    assert response.status_code == 400
    body = response.json()
    assert body["extra"][0]["key"] == key
    assert needle in body["message"]


def test_a_display_name_is_refused_naming_its_c_id(api):
    response = api.get(f"{CUSTOMERS}/data", params={"columns": "Email"})
    assert response.status_code == 400
    assert "'column_2'" in response.json()["message"]


@pytest.mark.parametrize(
    "path",
    [
        f"{CUSTOMERS}/batches/999999/data",
        f"{DS}/777/data",
        f"{DS}/{DEMO.orders}/batches/1001/data",  # a batch of another dataset
        f"/workspaces/1/projects/2/datasets/{DEMO.customers}/data",
    ],
)
def test_unknown_ids_are_404(api, path):
    assert api.get(path).status_code == 404


# -- column statistics --------------------------------------------------------------------


def stats(api: Any, ws: int = 1, pr: int = 1) -> dict[int, dict[str, Any]]:
    response = api.get(f"/workspaces/{ws}/projects/{pr}/datasets/column-stats")
    assert response.status_code == 200
    return {d["id"]: d for d in response.json()["datasets"]}


def test_column_stats_newest_first_from_stored_rows(api):
    response = api.get(f"{DS}/column-stats").json()
    ids = [d["id"] for d in response["datasets"]]
    created = {d["id"]: d["created_at"] for d in api.get(DS).json()["datasets"]}
    assert sorted(ids) == sorted(created)
    assert [created[i] for i in ids] == sorted(created.values(), reverse=True)
    crm = stats(api)[DEMO.crm_export]
    everything = api.sb.rows(DEMO.crm_export)
    assert crm["rows"] == len(everything) == api.dataset(DEMO.crm_export)["stats"]["row_count"]
    by_name = {c["name"]: c for c in crm["columns"]}
    phones = [r["column_6"] for r in everything]
    blanks = sum(1 for p in phones if p in ("", None))
    assert blanks > 0
    assert by_name["Phone"]["blank_count"] == blanks
    assert by_name["Phone"]["blank_pct"] == round(100 * blanks / len(phones), 2)
    assert by_name["Phone"]["distinct"] == len({p for p in phones if p})
    assert by_name["Phone"]["type"] == "text"
    assert by_name["E-mail address"]["blank_count"] == 0
    assert by_name["E-mail address"]["blank_pct"] == 0.0


def test_column_stats_of_another_project_and_errors(api):
    assert list(stats(api, 1, 2)) == [DEMO.partner_leads]
    assert api.get("/workspaces/1/projects/9/datasets/column-stats").status_code == 404
    assert api.get("/workspaces/1/projects/0/datasets/column-stats").status_code == 400


def _customer_stats(api: Any) -> tuple[int, dict[str, Any]]:
    entry = stats(api)[DEMO.customers]
    return entry["rows"], {c["name"]: c for c in entry["columns"]}


def test_column_stats_follow_suspend_restore_delete_and_append(fresh_api):
    api = fresh_api
    rows0, _ = _customer_stats(api)
    assert rows0 == api.dataset(DEMO.customers)["stats"]["row_count"]
    size = api.batch(DEMO.customers, 1001)["row_count"]

    api.finished(api.update(DEMO.customers, suspend=[1001]))
    assert _customer_stats(api)[0] == rows0 - size
    api.finished(api.update(DEMO.customers, restore=[1001]))
    assert _customer_stats(api)[0] == rows0
    api.finished(api.delete(f"{CUSTOMERS}/batches/1001"))
    assert _customer_stats(api)[0] == rows0 - size

    mapping = [
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
    ]
    job = api.finished(
        api.post(f"{CUSTOMERS}/batches", json={"source_id": DEMO.crm_export, "mapping": mapping})
    )
    assert job["status"] == "success"
    added = job["response"]["row_count"]
    rows1, columns = _customer_stats(api)
    assert rows1 == rows0 - size + added
    # the appended rows fill two columns only: the others gained blanks
    assert columns["City"]["blank_count"] == added
    assert columns["Customer"]["blank_count"] == 0


def test_column_stats_are_not_computed_on_request(fresh_api, monkeypatch):
    from mammoth_pandas.sandbox.store import Db

    calls: list[int] = []
    monkeypatch.setattr(Db, "refresh_column_stats", lambda self, ds: calls.append(ds))
    stats(fresh_api)
    fresh_api.get(f"{CUSTOMERS}/batches")
    assert calls == []
    fresh_api.finished(fresh_api.update(DEMO.customers, suspend=[1001]))
    assert calls == [DEMO.customers]
