"""Jobs and write answers against a server that misbehaves (``hostile.py``): a status
outside the enum, a write accepted without a job id. Both are known at once, never after
the whole wait."""

from __future__ import annotations

import pytest

from mammoth_pandas.errors import JobFailedError, MammothConnectionError
from tests.reliability.hostile import HostileServer


@pytest.mark.parametrize("status", ["SUCCESS", " Success "])
def test_a_status_in_another_case_is_the_known_one(
    hostile: HostileServer, figures, no_wait, status: str
) -> None:
    hostile.mode = "job_status"
    hostile.options["status"] = status
    job = hostile.client().batches.delete(1, 1, 5, 3, wait=True, timeout=2)
    assert job.status == "success"
    assert job.succeeded
    figures.add("hostile_held")


def test_a_failure_in_capitals_is_a_failure(hostile: HostileServer, figures, no_wait) -> None:
    hostile.mode = "job_status"
    hostile.options["status"] = "FAILURE"
    with pytest.raises(JobFailedError):
        hostile.client().batches.delete(1, 1, 5, 3, wait=True, timeout=2)
    assert len(hostile.calls("/jobs")) == 1
    figures.add("hostile_held")


@pytest.mark.parametrize("status", ["exploded", "", 7])
def test_an_unknown_status_is_reported_at_once(
    hostile: HostileServer, figures, no_wait, status: object
) -> None:
    hostile.mode = "job_status"
    hostile.options["status"] = status
    with pytest.raises(MammothConnectionError, match="status") as info:
        hostile.client().batches.delete(1, 1, 5, 3, wait=True, timeout=2)
    assert info.value.applied is None
    assert len(hostile.calls("/jobs")) == 1  # the first poll, not the whole timeout
    figures.add("hostile_held")


@pytest.mark.parametrize(
    "answer", [{}, {"status_code": 202}, {"job_id": None}, {"job_id": "seven"}, []]
)
def test_a_write_accepted_without_a_job_id_is_an_error_at_once(
    hostile: HostileServer, figures, no_wait, answer: object
) -> None:
    hostile.mode = "write_without_job"
    hostile.options["answer"] = answer
    with pytest.raises(MammothConnectionError, match="job") as info:
        hostile.client().batches.delete(1, 1, 5, 3, wait=True, timeout=2)
    assert info.value.applied is None
    assert hostile.calls("/jobs") == []
    # A refusal that gives its reason instead of a job is still a failed job, as before.
    hostile.options["answer"] = {"status_code": 202, "failure_reason": "dataset is locked"}
    with pytest.raises(JobFailedError, match="locked"):
        hostile.client().batches.delete(1, 1, 5, 3, wait=True, timeout=2)
    figures.add("hostile_held")
