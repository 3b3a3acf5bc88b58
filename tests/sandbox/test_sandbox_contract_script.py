"""A plain ``requests`` script written from the wire contract alone works against the sandbox.

``contract_script`` knows nothing of this project: only a base URL, a key pair, the routes,
headers, query strings and bodies of the contract. It would run unchanged against the
real service (given a workspace, a project and two compatible datasets)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import requests


def contract_script(base_url: str, api_key: str, api_secret: str) -> dict[str, Any]:
    session = requests.Session()
    session.headers.update({"X-API-KEY": api_key, "X-API-SECRET": api_secret})
    report: dict[str, Any] = {}

    def call(method: str, path: str, expect: int, **kwargs: Any) -> dict[str, Any]:
        if method != "GET":
            kwargs.setdefault("headers", {})["Idempotency-Key"] = str(uuid.uuid4())
        response = session.request(method, base_url + path, timeout=30, **kwargs)
        if response.status_code != expect:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        if method != "GET":
            echoed = response.headers.get("Idempotency-Key")
            assert echoed == kwargs["headers"]["Idempotency-Key"]
        body: dict[str, Any] = response.json()
        return body

    def wait(job_id: int) -> dict[str, Any]:
        delay, deadline = 0.2, time.monotonic() + 60
        pause = threading.Event()
        while True:
            job: dict[str, Any] = call("GET", f"/jobs/{job_id}", 200)["job"]
            if job["status"] != "processing":
                return job
            assert time.monotonic() < deadline, f"job {job_id} still processing"
            pause.wait(delay)
            delay = min(delay * 1.5, 5.0)

    ws, pr = 1, 1
    datasets = call("GET", f"/workspaces/{ws}/projects/{pr}/datasets", 200)["datasets"]
    by_name = {d["name"]: d for d in datasets}
    dest, source = by_name["Customers"], by_name["CRM export"]
    batches_path = f"/workspaces/{ws}/projects/{pr}/datasets/{dest['id']}/batches"

    # 1. list, with the generated SDK's empty filters and a percent-encoded range
    listing = call(
        "GET",
        batches_path,
        200,
        params={
            "fields": "__standard",
            "id": "",
            "created_at": "(from:'2025-01-01T00:00:00.000Z',to:'2030-01-01T00:00:00.000Z')",
            "status": "active,suspended",
            "row_count": "",
            "limit": 10,
            "offset": 0,
            "sort": "(created_at:desc),(id:asc)",
        },
    )
    assert len(listing["batches"]) == 10
    assert isinstance(listing["next"], str)
    active = [b["id"] for b in listing["batches"] if b["state"] == "active"]
    report["listed"] = len(listing["batches"])

    # 2. get one
    one = call("GET", f"{batches_path}/{active[0]}", 200, params={"fields": "__full"})["batch"]
    assert one["id"] == active[0]

    # 3. update: suspend, then restore
    patch = {"patch": {"op": "replace", "path": "batches", "value": {"suspend": active[:2]}}}
    handle = call("PATCH", batches_path, 202, json=patch)
    assert wait(handle["job_id"])["status"] == "success"
    states = call("GET", batches_path, 200, params={"id": f"{active[0]},{active[1]}"})["batches"]
    assert {b["state"] for b in states} == {"suspended"}
    patch["patch"]["value"] = {"restore": active[:2]}
    assert wait(call("PATCH", batches_path, 202, json=patch)["job_id"])["status"] == "success"

    # 4. create: append the source by column names, types from the destination schema
    dest_schema = {c["c_name"]: c for c in dest["data_schema"]}
    pairs = [("Customer", "Full name"), ("Email", "E-mail address"), ("City", "Town")]
    mapping = [
        {
            "destination_c_name": d,
            "source_c_name": s,
            "expected_destination_c_type": dest_schema[d]["c_type"].upper(),
        }
        for d, s in pairs
    ]
    body = {
        "source_id": source["id"],
        "mapping": mapping,
        "validate_only": False,
        "delete_source_ds": False,
    }
    created = wait(call("POST", batches_path, 200, json=body)["job_id"])
    assert created["status"] == "success", created
    new_batch = call("GET", batches_path, 200, params={"sort": "(id:desc)", "limit": 1})["batches"][
        0
    ]
    assert new_batch["source"]["dataset_id"] == source["id"]
    report["created"] = new_batch["id"]

    # 5. delete one, 6. remove several (the new batch and one more)
    delete = call("DELETE", f"{batches_path}/{new_batch['id']}", 202)
    jobs = call("GET", "/jobs", 200, params={"job_ids": str(delete["job_id"])})["jobs"]
    assert jobs[0]["operation"]
    assert wait(delete["job_id"])["status"] == "success"
    remove = call("DELETE", batches_path, 202, params={"ids": f"{active[2]},{active[3]}"})
    assert wait(remove["job_id"])["status"] == "success"
    missing = session.get(f"{base_url}{batches_path}/{active[2]}", timeout=30)
    assert missing.status_code == 404
    report["removed"] = [active[2], active[3]]

    # the dataset's stats follow its active batches
    stats = call("GET", f"/workspaces/{ws}/projects/{pr}/datasets/{dest['id']}", 200)["dataset"][
        "stats"
    ]
    report["stats"] = stats
    return report


def test_a_plain_requests_script_does_all_six_operations(fresh_sandbox):
    report = contract_script(fresh_sandbox.url, fresh_sandbox.api_key, fresh_sandbox.api_secret)
    assert report["listed"] == 10
    assert len(report["removed"]) == 2
    assert [a["operation"] for a in fresh_sandbox.actions()] == [
        "update_batches",
        "update_batches",
        "create_batch",
        "delete_batch",
        "remove_batches",
    ]
    assert report["stats"]["batch_count"] == 50 - 2  # seeded active batches minus the removed
