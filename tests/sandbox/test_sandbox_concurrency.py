"""Many clients at once: no lost update, no corrupt state, stats that add up."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from mammoth_pandas.sandbox import DEMO

LIST = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"
THREADS = 8


def _body(suspend: list[int], restore: list[int]) -> dict:
    return {
        "patch": {
            "op": "replace",
            "path": "batches",
            "value": {"suspend": suspend, "restore": restore},
        }
    }


def _check_consistent(api) -> None:
    batches = api.all_batches(DEMO.customers)
    active = [b for b in batches if b["state"] == "active"]
    stats = api.dataset(DEMO.customers)["stats"]
    assert stats["batch_count"] == len(active)
    assert stats["row_count"] == sum(b["row_count"] for b in active)
    for batch in batches:
        assert batch["row_count"] == len(api.sb.rows(DEMO.customers, batch["id"]))


def test_eight_clients_toggling_their_own_batches_lose_no_update(fresh_api):
    sb = fresh_api.sb
    active = [b["id"] for b in fresh_api.all_batches(DEMO.customers, status="active")][
        : THREADS * 2
    ]
    owned = {t: active[t * 2 : t * 2 + 2] for t in range(THREADS)}
    start = threading.Barrier(THREADS)

    def client(t: int) -> list[int]:
        session = requests.Session()
        session.headers.update(sb.headers)
        start.wait()
        jobs = []
        for round_ in range(6):  # suspend, restore, ... ending on suspend for odd threads
            ids = owned[t]
            body = _body(ids, []) if round_ % 2 == 0 else _body([], ids)
            response = session.patch(sb.url + LIST, json=body, timeout=30)
            assert response.status_code == 202
            jobs.append(response.json()["job_id"])
        if t % 2:
            response = session.patch(sb.url + LIST, json=_body(owned[t], []), timeout=30)
            jobs.append(response.json()["job_id"])
        return jobs

    with ThreadPoolExecutor(THREADS) as pool:
        job_ids = [j for jobs in pool.map(client, range(THREADS)) for j in jobs]
    assert len(set(job_ids)) == len(job_ids) == 6 * THREADS + THREADS // 2
    sb.wait_idle(timeout=60)
    for t, ids in owned.items():
        expected = "suspended" if t % 2 else "active"
        assert {fresh_api.batch(DEMO.customers, i)["state"] for i in ids} == {expected}
    assert len(sb.actions()) == len(job_ids)
    _check_consistent(fresh_api)


def test_clients_fighting_over_the_same_batches_end_as_the_last_job_says(fresh_api):
    sb = fresh_api.sb
    shared = [b["id"] for b in fresh_api.all_batches(DEMO.customers, status="active")][:4]
    start = threading.Barrier(THREADS)

    def client(t: int) -> None:
        session = requests.Session()
        session.headers.update(sb.headers)
        start.wait()
        for round_ in range(5):
            body = _body(shared, []) if (t + round_) % 2 == 0 else _body([], shared)
            assert session.patch(sb.url + LIST, json=body, timeout=30).status_code == 202
            # Reads in between must always see a consistent listing.
            page = session.get(sb.url + LIST, params={"id": ",".join(map(str, shared))}, timeout=30)
            assert len({b["state"] for b in page.json()["batches"]}) == 1

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(client, range(THREADS)))
    sb.wait_idle(timeout=60)
    last = sb.actions()[-1]
    job = fresh_api.job(last["job_id"])
    expected = "suspended" if job["response"]["suspended"] else "active"
    assert {fresh_api.batch(DEMO.customers, i)["state"] for i in shared} == {expected}
    assert len(sb.actions()) == THREADS * 5
    _check_consistent(fresh_api)


def test_concurrent_deletes_of_one_batch_act_once(fresh_api):
    sb = fresh_api.sb
    start = threading.Barrier(THREADS)

    def client(_: int) -> int:
        start.wait()
        response = requests.delete(sb.url + LIST + "/1005", headers=sb.headers, timeout=30)
        return response.status_code

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = sorted(pool.map(client, range(THREADS)))
    assert statuses.count(202) == 1
    # The others find it being deleted (400) or, once the job ran, gone (404).
    assert set(statuses) - {202} <= {400, 404}
    sb.wait_idle()
    assert [a["batch_ids"] for a in sb.actions()] == [[1005]]
    _check_consistent(fresh_api)


def test_concurrent_creates_with_one_idempotency_key_append_once(fresh_api):
    sb = fresh_api.sb
    body = {
        "source_id": DEMO.crm_export,
        "mapping": [
            {
                "destination_c_id": "column_1",
                "source_c_id": "column_2",
                "expected_destination_c_type": "TEXT",
            }
        ],
        "validate_only": False,
        "delete_source_ds": False,
    }
    start = threading.Barrier(THREADS)

    def client(_: int) -> int:
        start.wait()
        headers = {**sb.headers, "Idempotency-Key": "one-append"}
        response = requests.post(sb.url + LIST, json=body, headers=headers, timeout=30)
        assert response.status_code == 200
        return int(response.json()["job_id"])

    with ThreadPoolExecutor(THREADS) as pool:
        assert len(set(pool.map(client, range(THREADS)))) == 1
    sb.wait_idle()
    assert len(fresh_api.all_batches(DEMO.customers)) == 61
    _check_consistent(fresh_api)
