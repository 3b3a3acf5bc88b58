"""Exactly once under concurrency: the same keyed write sent by several threads at the
same instant is applied once; one client shared by threads under faults applies each
thread's write once; the sandbox's fault controls refuse hostile settings with a 4xx."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mammoth_pandas import contract as C
from mammoth_pandas.sandbox import DEMO, Sandbox
from tests.reliability.reliability_support import FaultCounter

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers
BATCHES = f"/workspaces/{WS}/projects/{PR}/datasets/{DS}/batches"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(job_delay=0.0) as sandbox:
        yield sandbox


def _patch(ids: list[int]) -> dict:
    return {"patch": {"op": "replace", "path": "batches", "value": {"suspend": ids}}}


def test_one_key_sent_by_eight_threads_at_once_is_applied_once(sb, figures):
    barrier = threading.Barrier(8)
    headers = {**sb.headers, C.HEADER_IDEMPOTENCY_KEY: "same-key-from-eight-threads"}

    def send(_: int) -> requests.Response:
        barrier.wait(timeout=10)
        return requests.patch(sb.url + BATCHES, json=_patch([1001]), headers=headers, timeout=10)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["job_id"] for a in answers}) == 1  # one job for all eight
    sb.wait_idle()
    applied = sb.actions()
    assert len(applied) == 1
    assert applied[0]["batch_ids"] == [1001]
    # The same key with another request is a conflict and changes nothing.
    other = requests.patch(sb.url + BATCHES, json=_patch([1002]), headers=headers, timeout=10)
    assert other.status_code == 409
    sb.wait_idle()
    assert len(sb.actions()) == 1
    figures.add("writes_exactly_once")


def test_one_client_shared_by_threads_under_faults_applies_each_write_once(sb, no_wait, figures):
    counter = FaultCounter(sb)
    client = sb.client()
    listing = client.batches.list(WS, PR, DS, status="active")
    targets = [int(i) for i in listing.index[:8]]
    client.batches.update(WS, PR, DS, suspend=[targets[0]], wait=True)  # the key is honoured
    # Threads draw from the dice in no fixed order, so keep a run of six faults on one
    # request (which would exhaust its retries) out of reach: 0.18**6 is about 3e-5.
    sb.faults.set(
        rate_429=0.03, rate_500=0.03, rate_503=0.03, drop=0.03, drop_after=0.03,
        truncate=0.03, retry_after=0, seed=17,
    )  # fmt: skip

    def suspend(batch_id: int) -> int:
        job = client.batches.update(WS, PR, DS, suspend=[batch_id], wait=True, timeout=20)
        assert job.succeeded
        return int(job.id)

    with ThreadPoolExecutor(max_workers=7) as pool:
        jobs = list(pool.map(suspend, targets[1:]))
    assert counter.injected >= 1
    sb.faults.clear()
    sb.wait_idle()
    applied = sb.actions()[1:]
    assert sorted(a["job_id"] for a in applied) == sorted(jobs)  # each once, none lost
    assert sorted(a["batch_ids"][0] for a in applied) == sorted(targets[1:])
    states = client.batches.list(WS, PR, DS, id=targets)["state"]
    assert set(states) == {"suspended"}
    figures.add("writes_exactly_once", len(jobs))


@pytest.mark.parametrize(
    "body",
    [
        {"rate_500": 2},
        {"rate_500": -0.5},
        {"rate_500": "1"},
        {"rate_500": None},
        {"rate_429": 0.6, "rate_500": 0.6},
        {"latency": -1},
        {"retry_after": 1.5},
        {"retry_after": "' OR 1=1 --"},
        {"seed": [1]},
        {"seed": {"a": 1}},
        {"unknown": 1},
        {"rate_500": 1e308},
        [],
        "drop",
        None,
    ],
)
def test_fault_controls_refuse_hostile_settings(sb, body):
    url = sb.root_url + "/__sandbox__/faults"
    before = requests.get(url, headers=sb.headers, timeout=10).json()
    response = requests.put(url, json=body, headers=sb.headers, timeout=10)
    assert 400 <= response.status_code < 500, response.text
    assert requests.get(url, headers=sb.headers, timeout=10).json() == before
    assert sb.faults.as_dict() == before["faults"]
