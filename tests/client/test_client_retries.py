"""Retries: reads on 429/502/503/504, connection errors and broken bodies; writes only when
no double action is possible. ``responses`` for exact timings, the sandbox for real faults."""

from __future__ import annotations

import json
import time
from email.utils import formatdate
from typing import Any

import pandas as pd
import pytest
import requests
import responses

from mammoth_pandas import _backoff, _transport
from mammoth_pandas import contract as C
from mammoth_pandas._concurrency import AdaptiveLimit, ConcurrencyGate
from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import (
    MammothAPIError,
    MammothConnectionError,
    RateLimitError,
    ServerError,
)
from mammoth_pandas.sandbox import DEMO, Sandbox

BASE = "http://127.0.0.1:9/api/v2"
JOB_URL = BASE + "/jobs/7"
BATCHES = BASE + "/workspaces/1/projects/1/datasets/5/batches"
JOB = {"job": {"id": 7, "status": "success", "response": {}}}
WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record the transport's waits instead of waiting."""
    waited: list[float] = []
    monkeypatch.setattr(_transport, "_sleep", waited.append)
    return waited


@pytest.fixture
def client() -> MammothClient:
    return MammothClient(BASE, api_key="k", api_secret="s", max_retries=4)


def test_retry_after_is_honoured_on_reads(sandbox: Sandbox, sleeps: list[float]) -> None:
    clean = sandbox.client().batches.list(WS, PR, DS, page_size=10)
    # Six requests in ten meet a fault; thirty retries keep a request that collects more
    # faults than it may retry out of reach (0.6**31 is about 1e-7).
    client = sandbox.client(max_retries=30)
    try:
        sandbox.faults.set(rate_429=0.4, rate_503=0.2, retry_after=2, seed=7)
        faulty = client.batches.list(WS, PR, DS, page_size=10, max_workers=1)
    finally:
        sandbox.faults.clear()
    pd.testing.assert_frame_equal(clean, faulty)
    assert len(sleeps) >= 2
    assert set(sleeps) == {2.0}  # both 429 and 503 carried Retry-After: 2


def test_a_huge_retry_after_is_capped(client: MammothClient, sleeps: list[float]) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JOB_URL, status=503, headers={"Retry-After": "3600"})
        rsps.add(responses.GET, JOB_URL, json=JOB)
        assert client.jobs.get(7).succeeded
    assert sleeps == [10.0]


def test_one_backoff_schedule_grows_to_its_cap() -> None:
    waits = [_backoff.delay(n) for n in range(1, 10)]
    assert waits[:5] == [0.2, 0.4, 0.8, 1.6, 3.2]
    assert waits == sorted(waits)
    assert waits[-1] == _backoff.CAP == 5.0
    assert _backoff.delay(10**6) == 5.0  # no overflow for a huge attempt count
    polls = [_backoff.delay(n, first=0.2, factor=1.5, cap=5.0) for n in range(1, 4)]
    assert polls == pytest.approx([0.2, 0.3, 0.45])


def test_reads_give_up_after_max_retries(client: MammothClient) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JOB_URL, status=502, json={"detail": "bad gateway"})
        with pytest.raises(ServerError) as info:
            client.jobs.get(7)
        assert len(rsps.calls) == 1 + 4
    assert info.value.status == 502
    assert "bad gateway" in str(info.value)


def test_rate_limit_error_carries_retry_after(client: MammothClient, sleeps: list[float]) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            JOB_URL,
            status=429,
            json={"detail": "quota"},
            headers={"Retry-After": "1"},
        )
        with pytest.raises(RateLimitError) as info:
            client.jobs.get(7)
    assert info.value.retry_after == 1.0
    assert info.value.status == 429


def test_a_500_on_a_read_is_retried(client: MammothClient) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JOB_URL, status=500, json={"message": "boom", "detail": "x"})
        rsps.add(responses.GET, JOB_URL, json=JOB)
        assert client.jobs.get(7).succeeded
        assert len(rsps.calls) == 2
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JOB_URL, status=500, json={"message": "boom", "detail": "x"})
        with pytest.raises(ServerError, match="boom"):
            client.jobs.get(7)
        assert len(rsps.calls) == 1 + 4


def test_redirects_are_not_followed(client: MammothClient) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET, JOB_URL, status=302, headers={"Location": "http://elsewhere.invalid/x"}
        )
        with pytest.raises(MammothAPIError, match=r"elsewhere\.invalid") as info:
            client.jobs.get(7)
        assert len(rsps.calls) == 1
        rsps.add(
            responses.PATCH, BATCHES, status=307, headers={"Location": "https://other.invalid/"}
        )
        with pytest.raises(MammothAPIError, match="not followed"):
            client.batches.update(1, 1, 5, suspend=[1])
    assert info.value.status == 302


def test_garbled_bodies_are_fetched_again_then_reported(
    client: MammothClient, sleeps: list[float]
) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JOB_URL, body="<html>maintenance</html>", content_type="text/html")
        rsps.add(responses.GET, JOB_URL, body='{"job": {"id": 7, "sta')
        rsps.add(responses.GET, JOB_URL, json=JOB)
        assert client.jobs.get(7).succeeded
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JOB_URL, body="<html>maintenance</html>")
        with pytest.raises(MammothConnectionError, match="not valid JSON") as info:
            client.jobs.get(7)
        assert len(rsps.calls) == 1 + 4
    assert info.value.applied is False


def test_writes_carry_a_fresh_idempotency_key(client: MammothClient, sleeps: list[float]) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.PATCH, BATCHES, json={"status_code": 202, "job_id": 7}, status=202)
        rsps.add(responses.PATCH, BATCHES, json={"status_code": 202, "job_id": 8}, status=202)
        client.batches.update(1, 1, 5, suspend=[1])
        client.batches.update(1, 1, 5, suspend=[1])
        keys = [c.request.headers[C.HEADER_IDEMPOTENCY_KEY] for c in rsps.calls]
    assert len(set(keys)) == 2
    assert all(len(k) == 36 for k in keys)


def test_a_write_is_not_retried_until_the_server_honours_keys(
    client: MammothClient, sleeps: list[float]
) -> None:
    with responses.RequestsMock() as rsps:
        rsps.add(responses.PATCH, BATCHES, status=503, json={"detail": "busy"})
        with pytest.raises(ServerError, match="may or may not have been applied"):
            client.batches.update(1, 1, 5, suspend=[1])
        assert len(rsps.calls) == 1
        rsps.add(
            responses.PATCH, BATCHES, body=requests.exceptions.ConnectionError("reset by peer")
        )
        with pytest.raises(MammothConnectionError) as info:
            client.batches.update(1, 1, 5, suspend=[1])
    assert info.value.applied is None
    assert "may or may not have been applied" in str(info.value)
    assert "list the batches" in str(info.value)


def test_writes_are_retried_with_the_same_key_once_keys_are_honoured(
    client: MammothClient, sleeps: list[float]
) -> None:
    def echo(status: int, body: Any) -> Any:
        def callback(request: Any) -> tuple[int, dict[str, str], str]:
            key = request.headers[C.HEADER_IDEMPOTENCY_KEY]
            return status, {C.HEADER_IDEMPOTENCY_KEY: key}, json.dumps(body)

        return callback

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.PATCH, BATCHES, callback=echo(202, {"job_id": 1}))
        client.batches.update(1, 1, 5, suspend=[1])
        rsps.add(responses.PATCH, BATCHES, body=requests.exceptions.ConnectionError("dropped"))
        rsps.add_callback(responses.PATCH, BATCHES, callback=echo(503, {"detail": "busy"}))
        rsps.add_callback(responses.PATCH, BATCHES, callback=echo(500, {"detail": "oops"}))
        rsps.add(responses.PATCH, BATCHES, body=requests.exceptions.ChunkedEncodingError("cut"))
        rsps.add_callback(responses.PATCH, BATCHES, callback=echo(202, {"job_id": 2}))
        job = client.batches.update(1, 1, 5, suspend=[1])
        keys = [c.request.headers[C.HEADER_IDEMPOTENCY_KEY] for c in rsps.calls[1:]]
    assert job.id == 2
    assert len(keys) == 5
    assert len(set(keys)) == 1


# -- against the sandbox's fault injection ---------------------------------------------------


def test_reads_survive_every_read_fault(sandbox: Sandbox, sleeps: list[float]) -> None:
    clean = sandbox.client().batches.list(WS, PR, DS, page_size=10)
    # Six requests in ten meet a fault, and parallel pages take the dice in no fixed order:
    # thirty retries keep a run of faults longer than the retries out of reach (0.6**31 is
    # about 1e-7; with eight, one page in a hundred ran out and the listing failed).
    client = sandbox.client(max_retries=30)
    try:
        sandbox.faults.set(rate_429=0.1, rate_502=0.1, rate_503=0.1, drop=0.1, truncate=0.1,
                           non_json=0.1, retry_after=0, seed=11)  # fmt: skip
        for workers in (1, 4):
            faulty = client.batches.list(WS, PR, DS, page_size=10, max_workers=workers)
            pd.testing.assert_frame_equal(clean, faulty)
    finally:
        sandbox.faults.clear()
    assert len(sleeps) >= 3  # faults were met and retried


def test_a_write_whose_answer_is_lost_is_applied_once(
    fresh_sandbox: Sandbox, sleeps: list[float]
) -> None:
    client = fresh_sandbox.client(max_retries=6)
    active = [int(i) for i in client.batches.list(WS, PR, DS, status="active").index[:2]]
    client.batches.update(WS, PR, DS, suspend=active[:1], wait=True)  # the server echoes keys
    fresh_sandbox.faults.set(drop_after=0.4, rate_503=0.2, retry_after=0, seed=7)
    job = client.batches.update(WS, PR, DS, suspend=active[1:])
    fresh_sandbox.faults.clear()
    assert len(sleeps) >= 2  # it was retried (after a lost answer and a 503)
    job.wait(30)
    applied = [a for a in fresh_sandbox.actions() if a["batch_ids"] == active[1:]]
    assert len(applied) == 1
    assert client.batches.get(WS, PR, DS, active[1])["state"] == "suspended"


def test_a_dropped_first_write_says_it_may_have_been_applied(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    target = int(client.batches.list(WS, PR, DS, status="active").index[0])
    fresh_sandbox.faults.set(drop=1.0)
    with pytest.raises(MammothConnectionError) as info:
        client.batches.update(WS, PR, DS, suspend=[target])
    fresh_sandbox.faults.clear()
    assert info.value.applied is None
    assert "may or may not" in str(info.value)
    assert fresh_sandbox.actions() == []


def test_connection_refused_means_not_applied(sleeps: list[float]) -> None:
    import socket

    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = MammothClient(f"http://127.0.0.1:{port}", token="t", max_retries=1)
    with pytest.raises(MammothConnectionError) as info:
        client.batches.update(1, 1, 1, suspend=[1])
    assert info.value.applied is False
    with pytest.raises(MammothConnectionError):
        client.batches.list(1, 1, 1)


@pytest.mark.parametrize(("budget", "calls"), [(60.0, 7), (25.0, 4)])
def test_write_retries_are_bounded_in_time_like_reads(transport_clock, budget, calls) -> None:
    clock = transport_clock
    client = MammothClient(BASE, api_key="k", api_secret="s", max_retries=50)
    client._transport.retry.total_time = budget

    def limited(request: Any) -> tuple[int, dict[str, str], str]:
        key = request.headers[C.HEADER_IDEMPOTENCY_KEY]
        headers = {C.HEADER_IDEMPOTENCY_KEY: key, "Retry-After": "10"}
        return 429, headers, json.dumps({"detail": "slow down"})

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.PATCH, BATCHES, callback=limited)
        with pytest.raises(RateLimitError):
            client.batches.update(1, 1, 5, suspend=[1])
        assert len(rsps.calls) == calls  # far fewer than the 51 attempts max_retries allows
    assert sum(clock.waits) <= budget
    assert all(0 <= w <= 10.0 for w in clock.waits)


DATASET_URL = BASE + "/workspaces/1/projects/1/datasets/5"
WRONG_SHAPES = [{"message": "Service temporarily unavailable"}, {}, [], None, {"batches": "later"}]
READS: dict[str, tuple[str, str, Any, Any]] = {
    # name: (url, what the error names, a right answer, the call)
    "batch listing": (
        BATCHES,
        "a batch listing",
        {"batches": [{"id": 1, "name": "a", "state": "active"}], "next": ""},
        lambda c: c.batches.list(1, 1, 5),
    ),
    "batch": (
        BATCHES + "/1",
        "a batch",
        {"batch": {"id": 1, "name": "a", "state": "active"}},
        lambda c: c.batches.get(1, 1, 5, 1),
    ),
    "dataset": (
        DATASET_URL,
        "a dataset",
        {"dataset": {"id": 5, "name": "d", "data_schema": []}},
        lambda c: c.datasets.get(1, 1, 5),
    ),
    "dataset listing": (
        BASE + "/workspaces/1/projects/1/datasets",
        "a dataset listing",
        {"datasets": [{"id": 5, "name": "d"}], "next": ""},
        lambda c: c.datasets.list(1, 1),
    ),
    "job": (JOB_URL, "a job", JOB, lambda c: c.jobs.get(7)),
    "job listing": (
        BASE + "/jobs",
        "a job listing",
        {"jobs": [JOB["job"]]},
        lambda c: c.jobs.list([7]),
    ),
}


@pytest.mark.parametrize("wrong", WRONG_SHAPES, ids=json.dumps)
@pytest.mark.parametrize("read", sorted(READS))
def test_a_2xx_answer_of_the_wrong_shape_is_retried_then_refused(
    client: MammothClient, sleeps: list[float], read: str, wrong: Any
) -> None:
    url, expected, _, call = READS[read]
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, url, body=json.dumps(wrong), content_type="application/json")
        with pytest.raises(MammothConnectionError) as info:
            call(client)
        assert len(rsps.calls) == 1 + client.max_retries  # bounded
    assert info.value.applied is False
    assert f"was not {expected} (an object whose" in str(info.value)


@pytest.mark.parametrize("read", sorted(READS))
def test_a_wrong_answer_then_the_right_one_reads_the_right_one(
    client: MammothClient, sleeps: list[float], read: str
) -> None:
    url, _, right, call = READS[read]
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, url, json={"message": "warming up"})
        rsps.add(responses.GET, url, json=right)
        result = call(client)
        assert len(rsps.calls) == 2
    if read == "job":
        assert result.status == "success"
    else:
        assert len(result) >= 1
    if read == "batch":
        assert result["name"] == "a"


def test_an_http_date_retry_after_reaches_the_wait_and_the_gate(
    client: MammothClient, sleeps: list[float]
) -> None:
    gate = ConcurrencyGate(AdaptiveLimit(4))
    told: list[float | None] = []
    on_throttle = gate.policy.on_throttle

    def record(ticket: Any, retry_after: float | None, now: float) -> None:
        told.append(retry_after)
        on_throttle(ticket, retry_after, now)

    gate.policy.on_throttle = record  # type: ignore[method-assign]
    when = formatdate(time.time() + 30, usegmt=True)  # an HTTP date, half a minute ahead
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, JOB_URL, status=429, headers={"Retry-After": when})
        rsps.add(responses.GET, JOB_URL, json=JOB)
        assert gate.run(client.jobs.get, 7).succeeded
    assert sleeps == [10.0]  # the date's 30 s, capped at the longest wait
    assert len(told) == 1
    assert told[0] == pytest.approx(30, abs=5)
