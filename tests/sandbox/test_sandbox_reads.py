"""Read routes over real HTTP: health, auth, batches, datasets, jobs, and their errors.

Every answer goes through the ``Api`` helper, which validates it against the spec."""

from __future__ import annotations

from collections import Counter

import pytest
import requests

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox import DEMO, Sandbox

CUSTOMERS = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"


def test_health_needs_no_credentials(anon):
    response = anon.get(anon.sb.root_url + "/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["jobs"]["status"] == "ok"  # the job runner's health


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "Missing credentials"),
        ({"X-API-KEY": "nope", "X-API-SECRET": "nope"}, "Invalid API key"),
        ({"Authorization": "Bearer mm_wrong"}, "Invalid bearer"),
        ({"Authorization": "Basic abc"}, "Missing credentials"),
    ],
)
def test_wrong_or_missing_credentials_get_401_json(anon, headers, why):
    response = anon.get(CUSTOMERS, headers=headers)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert why in response.json()["detail"]


def test_key_without_the_right_secret_is_refused(anon):
    response = anon.get(CUSTOMERS, headers={"X-API-KEY": anon.sb.api_key, "X-API-SECRET": "x"})
    assert response.status_code == 401


def test_bearer_token_is_accepted(anon):
    response = anon.get(CUSTOMERS, headers={"Authorization": f"Bearer {anon.sb.token}"})
    assert response.status_code == 200


def test_sandbox_controls_need_credentials(anon):
    assert anon.get(anon.sb.root_url + "/__sandbox__/faults").status_code == 401


def test_repr_never_shows_the_secret(sandbox):
    assert sandbox.api_secret not in repr(sandbox)
    assert sandbox.api_key not in repr(sandbox)
    assert sandbox.token not in repr(sandbox)
    assert sandbox.url in repr(sandbox)


def test_generated_credentials_differ_per_sandbox_and_given_ones_are_used():
    with Sandbox(api_key="k", api_secret="s", token="t") as given, Sandbox() as generated:
        assert (given.api_key, given.api_secret, given.token) == ("k", "s", "t")
        ok = requests.get(given.url + CUSTOMERS, headers=given.headers, timeout=10)
        assert ok.status_code == 200
        assert generated.api_secret != "s"
        assert len(generated.api_secret) >= 20
        assert generated.url.startswith("http://127.0.0.1:")


def test_list_default_envelope(api):
    body = api.get(CUSTOMERS).json()
    assert (body["offset"], body["limit"]) == (0, contract.DEFAULT_LIMIT)
    assert len(body["batches"]) == contract.DEFAULT_LIMIT
    assert set(body["batches"][0]) == set(contract.FIELD_PRESETS["__standard"])
    assert isinstance(body["next"], str)
    assert "offset=50" in body["next"]
    assert body["next"].startswith(f"api/v2/workspaces/1/projects/1/datasets/{DEMO.customers}")


def test_last_page_has_empty_next_and_next_links_walk_everything(api):
    seen: list[int] = []
    url = api.sb.root_url + "/api/v2" + CUSTOMERS + "?limit=7&fields=__min"
    pages = 0
    while url:
        body = api.get(url).json()
        seen += [b["id"] for b in body["batches"]]
        url = api.sb.root_url + "/" + body["next"] if body["next"] else ""
        pages += 1
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 60
    assert pages == 9


def test_seed_has_every_state_and_source_kind_over_a_year(api):
    batches = api.all_batches(DEMO.customers)
    states = Counter(b["state"] for b in batches)
    assert {"active", "suspended", "sync_pending", "deleting"} <= set(states)
    kinds = {b["source"]["type"] for b in batches}
    assert {"file", "dataset", "cloud"} <= kinds
    months = {b["created_at"][:7] for b in batches}
    assert len(months) >= 12
    assert any(b["description"].get("numeric_error_columns") for b in batches)


def test_seed_is_deterministic(sandbox, fresh_sandbox):
    def listing(sb: Sandbox) -> list[tuple]:
        body = requests.get(sb.url + CUSTOMERS, headers=sb.headers, timeout=10).json()
        keys = ("id", "name", "created_at", "row_count", "source", "description")
        return [tuple(str(b[k]) for k in keys) for b in body["batches"]]

    assert listing(sandbox) == listing(fresh_sandbox)
    assert sandbox.rows(DEMO.crm_export) == fresh_sandbox.rows(DEMO.crm_export)


def test_seed_source_schema_differs_like_real_appends(api):
    customers = {c["c_name"]: c for c in api.dataset(DEMO.customers)["data_schema"]}
    crm = {c["c_name"]: c for c in api.dataset(DEMO.crm_export)["data_schema"]}
    assert "Email" in customers
    assert "E-mail address" in crm
    assert customers["Email"]["c_id"] != crm["E-mail address"]["c_id"]
    assert "Country" not in crm
    assert "Phone" not in customers
    assert customers["Lifetime value"]["c_type"] == "numeric"
    assert crm["LTV (USD)"]["c_type"] == "text"
    row = api.sb.rows(DEMO.crm_export)[0]
    assert isinstance(row[crm["LTV (USD)"]["c_id"]], str)


@pytest.mark.parametrize("preset", ["__min", "__standard", "__full"])
def test_get_batch_with_presets(api, preset):
    body = api.get(f"{CUSTOMERS}/1001", params={"fields": preset}).json()
    assert set(body["batch"]) == set(contract.FIELD_PRESETS[preset])
    assert body["batch"]["id"] == 1001


def test_get_batch_full_has_lowercase_schema(api):
    batch = api.batch(DEMO.customers, 1001)
    assert batch["data_schema"]
    assert {c["c_type"] for c in batch["data_schema"]} <= set(contract.COLUMN_TYPES)
    assert batch["row_count"] == len(api.sb.rows(DEMO.customers, 1001))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{CUSTOMERS}/999999", 404),
        ("/workspaces/1/projects/1/datasets/777/batches", 404),
        ("/workspaces/9/projects/1/datasets/101/batches", 404),
        ("/workspaces/1/projects/9/datasets/101/batches", 404),
        (f"/workspaces/1/projects/2/datasets/{DEMO.customers}/batches", 404),
        ("/workspaces/1/projects/1/datasets/777", 404),
        ("/jobs/424242", 404),
        ("/workspaces/0/projects/1/datasets/101/batches", 400),
        ("/workspaces/1/projects/0/datasets/101", 400),
    ],
)
def test_unknown_or_invalid_path_ids(api, path, status):
    response = api.get(path)
    assert response.status_code == status
    assert response.json()["status_code"] == status


def test_unknown_route_and_method_get_json_errors(api):
    response = api.session.get(api.sb.url + "/nothing/here", timeout=10)
    assert response.status_code == 404
    assert response.json()["name"] == "NOT_FOUND"
    response = api.session.put(api.sb.url + CUSTOMERS, json={}, timeout=10)
    assert response.status_code == 405
    assert "PATCH" in response.json()["detail"]


def test_get_bad_fields_names_the_parameter(api):
    response = api.get(f"{CUSTOMERS}/1001", params={"fields": "id,colour"})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "fields"


def test_dataset_stats_follow_active_batches(api):
    for dataset_id in (DEMO.customers, DEMO.orders, DEMO.crm_export):
        dataset = api.dataset(dataset_id)
        active = [b for b in api.all_batches(dataset_id) if b["state"] == "active"]
        assert dataset["stats"] == {
            "batch_count": len(active),
            "row_count": sum(b["row_count"] for b in active),
            "column_count": len(dataset["data_schema"]),
        }
        assert dataset["status"] in contract.DATASET_STATUSES


def test_dataset_fields(api):
    full = api.get("/workspaces/1/projects/1/datasets/101", params={"fields": "__full"}).json()
    assert len(full["dataset"]["batch_ids"]) == 60
    small = api.get("/workspaces/1/projects/1/datasets/101", params={"fields": "id,name"}).json()
    assert small == {"dataset": {"id": 101, "name": "Customers"}}
    bad = api.get("/workspaces/1/projects/1/datasets/101", params={"fields": "nope"})
    assert bad.status_code == 400


def test_dataset_list_pages_and_projects(api):
    body = api.get("/workspaces/1/projects/1/datasets").json()
    ids = [d["id"] for d in body["datasets"]]
    assert ids == [101, 102, 103, 104, 105]
    assert body["next"] == ""
    page = api.get("/workspaces/1/projects/1/datasets", params={"limit": 2, "offset": 2}).json()
    assert [d["id"] for d in page["datasets"]] == [103, 104]
    assert "offset=4" in page["next"]
    other = api.get("/workspaces/1/projects/2/datasets").json()
    assert [d["id"] for d in other["datasets"]] == [DEMO.partner_leads]
    named = api.get("/workspaces/1/projects/1/datasets", params={"name": "Orders, Products"})
    assert [d["id"] for d in named.json()["datasets"]] == [103, 105]
    ready = api.get("/workspaces/1/projects/1/datasets", params={"status": "error", "name": ""})
    assert ready.json()["datasets"] == []
    assert api.get("/workspaces/1/projects/7/datasets").status_code == 404
    assert api.get("/workspaces/1/projects/1/datasets", params={"limit": 101}).status_code == 400


def test_jobs_list_keeps_order_and_skips_unknown(fresh_api):
    first = fresh_api.update(DEMO.customers, suspend=[1001]).json()["job_id"]
    second = fresh_api.update(DEMO.customers, restore=[1001]).json()["job_id"]
    fresh_api.sb.wait_idle()
    body = fresh_api.get("/jobs", params={"job_ids": f"{second},{first},99999"}).json()
    assert [j["id"] for j in body["jobs"]] == [second, first]
    assert all(j["status"] == "success" for j in body["jobs"])
    assert fresh_api.get("/jobs", params={"job_ids": ""}).json() == {"jobs": []}
    bad = fresh_api.get("/jobs", params={"job_ids": "1,x"})
    assert bad.status_code == 400
    assert bad.json()["extra"][0]["key"] == "job_ids"


def test_a_handler_bug_still_answers_with_the_error_envelope(fresh_api, monkeypatch):
    from mammoth_pandas.sandbox.app import SandboxApp

    def broken(self, request, job_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(SandboxApp, "on_get_job", broken)
    response = fresh_api.get("/jobs/1")
    assert response.status_code == 500
    assert response.json()["name"] == "INTERNAL_ERROR"
    assert "boom" in response.json()["detail"]
    assert fresh_api.get(CUSTOMERS).status_code == 200


@pytest.mark.parametrize(
    ("query", "link"),
    [
        ("limit=7", "?limit=7&offset=7"),
        ("offset=14&limit=7", "?limit=7&offset=21"),
        ("offset=3", "?limit={default}&offset={next_default}"),
        ("limit=7&fields=__min", "?fields=__min&limit=7&offset=7"),
        ("status=active&limit=5&offset=5", "?status=active&limit=5&offset=10"),
    ],
)
def test_a_next_link_is_the_same_query_at_the_next_offset(api, query, link):
    body = api.get(api.sb.root_url + "/api/v2" + CUSTOMERS + "?" + query).json()
    default = contract.DEFAULT_LIMIT
    expected = link.format(default=default, next_default=3 + default)
    assert body["next"] == "api/v2" + CUSTOMERS + expected
