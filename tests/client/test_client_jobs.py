"""Jobs: polling with backoff (fake clock, no real waiting), failures, repr, server jobs."""

from __future__ import annotations

from typing import Any

import pytest

from mammoth_pandas.errors import (
    JobFailedError,
    JobTimeoutError,
    MammothConnectionError,
    MammothInputError,
)
from mammoth_pandas.jobs import POLL_FACTOR, POLL_FIRST, POLL_MAX, Job, failure_reason
from tests.conftest import FakeClock


class FakeJobs:
    """Stands in for ``client.jobs``: answers a scripted sequence of job states."""

    def __init__(self, states: list[dict[str, Any]]) -> None:
        self.states = states
        self.calls = 0

    def _fetch(self, job_id: int) -> dict[str, Any]:
        self.calls += 1
        return self.states[min(self.calls - 1, len(self.states) - 1)]


class FakeClient:
    def __init__(self, states: list[dict[str, Any]]) -> None:
        self.jobs = FakeJobs(states)


def make_job(states: list[dict[str, Any]], clock: FakeClock) -> Job:
    return Job(
        {"id": 9, "status": "processing"},
        client=FakeClient(states),  # type: ignore[arg-type]
        clock=clock,
        sleep=clock.sleep,
    )


def test_wait_polls_with_growing_capped_delays() -> None:
    clock = FakeClock(now=0.0)
    states = [{"id": 9, "status": "processing"}] * 12 + [
        {"id": 9, "status": "success", "response": {"suspended": [1]}}
    ]
    job = make_job(states, clock).wait(timeout=120)
    assert job.succeeded
    assert job.done
    assert job.result == {"suspended": [1]}
    expected = []
    delay = POLL_FIRST
    for _ in range(13):
        expected.append(delay)
        delay = min(delay * POLL_FACTOR, POLL_MAX)
    assert clock.sleeps == pytest.approx(expected)
    assert max(clock.sleeps) == POLL_MAX


def test_wait_raises_timeout_without_waiting_past_the_deadline() -> None:
    clock = FakeClock(now=0.0)
    job = make_job([{"id": 9, "status": "processing"}], clock)
    with pytest.raises(JobTimeoutError) as info:
        job.wait(timeout=3)
    assert clock.now == pytest.approx(3.0)
    assert "may still finish" in str(info.value)
    assert info.value.job is job
    assert isinstance(info.value, TimeoutError)


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ({"error": "Column mismatch", "detail": "x", "reason": "y"}, "Column mismatch"),
        ({"detail": "Batch 3 is locked", "reason": "y"}, "Batch 3 is locked"),
        ({"reason": "cancelled"}, "cancelled"),
        ({}, "failure"),
    ],
)
def test_failure_reason_order(response: dict[str, Any], reason: str) -> None:
    clock = FakeClock(now=0.0)
    job = make_job([{"id": 9, "status": "failure", "response": response}], clock)
    with pytest.raises(JobFailedError) as info:
        job.wait(timeout=10)
    assert info.value.reason == reason
    assert reason in str(info.value)
    assert info.value.job.status == "failure"


def test_failure_reason_helper() -> None:
    assert failure_reason({"error": "", "detail": "d"}) == "d"
    assert failure_reason(None) is None
    assert failure_reason("plain text") == "plain text"


def test_repr_is_readable() -> None:
    job = Job({"id": 4, "status": "success", "operation": "update_batches", "response": {"a": 1}})
    assert repr(job) == "Job(id=4, status='success', operation='update_batches', response={'a': 1})"
    failed = Job({"id": 5, "status": "error", "response": {"detail": "boom"}})
    assert repr(failed) == "Job(id=5, status='error', reason='boom')"
    assert failed.failed
    assert not failed.succeeded


def test_handle_with_failure_reason_and_no_job() -> None:
    job = Job.from_handle({"status_code": 400, "failure_reason": "Source is empty"})
    assert job.failed
    assert job.reason == "Source is empty"
    with pytest.raises(JobFailedError):
        job.wait(1)


def test_bad_timeout() -> None:
    with pytest.raises(MammothInputError):
        Job({"id": 1}).wait(timeout=-1)


def test_server_job_lifecycle(fresh_client, ids) -> None:
    first = int(fresh_client.batches.list(*ids, status="active").index[0])
    job = fresh_client.batches.update(*ids, suspend=[first])
    assert job.id is not None
    assert job.status == "processing"
    job.wait(timeout=30)
    assert job.succeeded
    assert job.operation == "update_batches"
    again = fresh_client.jobs.get(job.id)
    assert again.status == "success"
    assert again.response == job.response
    listed = fresh_client.jobs.list([job.id])
    assert [j.id for j in listed] == [job.id]


def test_failed_job_raises_with_the_server_reason(fresh_sandbox, ids) -> None:
    fresh_sandbox.faults.set(job_failure=1.0)
    client = fresh_sandbox.client()
    first = int(client.batches.list(*ids, status="active").index[0])
    with pytest.raises(JobFailedError) as info:
        client.batches.update(*ids, suspend=[first], wait=True, timeout=30)
    assert info.value.reason
    assert info.value.reason in str(info.value)
    fresh_sandbox.faults.clear()
    assert client.batches.get(*ids, first)["state"] == "active"


def test_losing_the_connection_while_waiting_does_not_claim_not_applied() -> None:
    class Unreachable:
        def _fetch(self, job_id: int) -> dict[str, Any]:
            raise MammothConnectionError("GET /jobs/9: no answer", applied=False)

    class Client:
        jobs = Unreachable()

    clock = FakeClock(now=0.0)
    job = Job(
        {"id": 9, "status": "processing", "operation": "update_batches"},
        client=Client(),
        clock=clock,
        sleep=clock.sleep,
    )  # type: ignore[arg-type]
    with pytest.raises(MammothConnectionError) as info:
        job.wait(10)
    assert info.value.applied is None
    assert "job 9" in str(info.value)
    assert "client.jobs.get(9)" in str(info.value)
    assert info.value.job is job  # type: ignore[attr-defined]
