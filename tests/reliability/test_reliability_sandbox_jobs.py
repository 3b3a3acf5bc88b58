"""The sandbox's job runner survives a full disk, or any error in one job.

A server cannot easily be made to run out of disk in a test (a tiny filesystem needs
privileges CI does not have), so the full disk is injected: the ``job_disk_full`` fault
makes every commit of the job runner raise SQLite's own ``sqlite3.OperationalError
("database or disk is full")`` while it is set, including the commit that would record
the job's failure, which is what a really full disk does. Everything else is real: the
jobs are queued over HTTP, their outcome and ``/health`` are read over HTTP.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from mammoth_pandas.sandbox import DEMO, Sandbox

BATCHES = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(job_delay=0.0) as sandbox:
        yield sandbox


def _active_ids(sb: Sandbox) -> list[int]:
    answer = requests.get(
        sb.url + BATCHES, params={"state": "active", "limit": 5}, headers=sb.headers, timeout=10
    )
    answer.raise_for_status()
    return [batch["id"] for batch in answer.json()["batches"]]


def _suspend(sb: Sandbox, batch_id: int) -> int:
    body = {"patch": {"op": "replace", "path": "batches", "value": {"suspend": [batch_id]}}}
    answer = requests.patch(sb.url + BATCHES, json=body, headers=sb.headers, timeout=10)
    assert answer.status_code == 202, answer.text
    return int(answer.json()["job_id"])


def _job(sb: Sandbox, job_id: int) -> dict[str, Any]:
    answer = requests.get(f"{sb.url}/jobs/{job_id}", headers=sb.headers, timeout=10)
    answer.raise_for_status()
    job: dict[str, Any] = answer.json()["job"]
    return job


def _health(sb: Sandbox) -> dict[str, Any]:
    answer = requests.get(sb.root_url + "/health", timeout=10)
    jobs: dict[str, Any] = answer.json()["jobs"]
    return jobs


def _state(sb: Sandbox, batch_id: int) -> str:
    answer = requests.get(f"{sb.url}{BATCHES}/{batch_id}", headers=sb.headers, timeout=10)
    answer.raise_for_status()
    return str(answer.json()["batch"]["state"])


def _until(condition: Callable[[], bool], what: str, within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"{what} not reached within {within} s"
        time.sleep(0.02)  # polling with a bound


def test_a_full_disk_fails_the_job_and_later_jobs_run_once_space_is_back(sb):
    first, second = _active_ids(sb)[:2]
    assert _health(sb) == {
        "status": "ok",
        "processed": 0,
        "failed": 0,
        "unsettled": 0,
        "last_error": None,
        "last_error_at": None,
    }
    sb.faults.set(job_disk_full=1.0)
    stuck = _suspend(sb, first)
    _until(lambda: _health(sb)["status"] == "degraded", "the runner reporting the full disk")
    health = _health(sb)
    assert health["last_error"] == "storage error: database or disk is full"
    assert health["unsettled"] == 1
    # nothing of the job was applied, and its failure could not be written yet
    assert _job(sb, stuck)["status"] == "processing"
    assert _state(sb, first) == "active"
    queued = _suspend(sb, second)  # queued while the disk is full

    sb.faults.clear()  # space is back
    sb.wait_idle(timeout=15)
    failed = _job(sb, stuck)
    assert failed["status"] == "error"
    assert failed["response"] == {"error": "storage error: database or disk is full"}
    assert _state(sb, first) == "active"
    assert _job(sb, queued)["status"] == "success"
    assert _state(sb, second) == "suspended"
    health = _health(sb)
    assert health["status"] == "ok"
    assert (health["processed"], health["failed"], health["unsettled"]) == (2, 1, 0)
    assert health["last_error"] == "storage error: database or disk is full"


def test_a_commit_failing_once_fails_that_job_alone(sb):
    """A disk that fills for one commit: the job fails with the reason at once (its
    failure is written on the next try), the next job runs."""
    first, second = _active_ids(sb)[:2]
    original = sb.faults.draw_job_disk_full
    calls = iter([True])  # the first commit fails, every later one succeeds

    def once() -> bool:
        return next(calls, False)

    sb.faults.draw_job_disk_full = once  # type: ignore[method-assign]
    try:
        failing, later = _suspend(sb, first), _suspend(sb, second)
        sb.wait_idle(timeout=15)
    finally:
        sb.faults.draw_job_disk_full = original  # type: ignore[method-assign]
        sb.faults.clear()
    assert _job(sb, failing)["response"] == {"error": "storage error: database or disk is full"}
    assert _job(sb, later)["status"] == "success"
    assert _health(sb)["status"] == "ok"


def test_a_corrupt_job_row_fails_alone_and_the_runner_carries_on(sb):
    """A job whose stored parameters are not JSON (a damaged database row): it ends as
    ``error`` naming the problem, the runner's thread lives on, the next job runs."""
    batch_id = _active_ids(sb)[0]
    store = sb._live_store()
    with sb.hold_jobs():
        with store.write() as db:
            broken = db.insert_job(
                operation="update_batches",
                path="/api/v2" + BATCHES,
                params={},
                run_after=0.0,
                idempotency_key=None,
            )
            db.run("UPDATE jobs SET params = ? WHERE id = ?", ("{not json", broken))
        later = _suspend(sb, batch_id)
    sb.wait_idle(timeout=15)
    job = _job(sb, broken)
    assert job["status"] == "error"
    assert job["response"]["error"].startswith("internal error: ")
    assert _job(sb, later)["status"] == "success"
    assert _state(sb, batch_id) == "suspended"
    health = _health(sb)
    assert health["status"] == "ok"
    assert (health["processed"], health["failed"]) == (2, 1)
    assert json.dumps(health)  # plain JSON values only


def test_the_full_disk_fault_is_a_setting_like_the_others(sb):
    answer = requests.put(
        sb.root_url + "/__sandbox__/faults",
        json={"job_disk_full": 0.5},
        headers=sb.headers,
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json()["faults"]["job_disk_full"] == 0.5
    with pytest.raises(ValueError, match="job_disk_full must be a share between 0 and 1"):
        sb.faults.set(job_disk_full=2)
