"""Fault injection: error answers, dropped and broken answers, failing jobs, and control."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time

import pytest
import requests

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox.faults import FaultConfig, Faults

LIST = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"


@pytest.mark.parametrize(
    ("setting", "status", "name"),
    [
        ("rate_429", 429, "TOO_MANY_REQUESTS"),
        ("rate_500", 500, "INTERNAL_ERROR"),
        ("rate_502", 502, "BAD_GATEWAY"),
        ("rate_503", 503, "SERVICE_UNAVAILABLE"),
    ],
)
def test_error_answers_use_the_envelope_and_apply_nothing(fresh_api, setting, status, name):
    fresh_api.sb.faults.set(**{setting: 1.0}, retry_after=7)
    read = fresh_api.get(LIST)
    assert (read.status_code, read.json()["name"]) == (status, name)
    if status in (429, 503):
        assert read.headers["Retry-After"] == "7"
    write = fresh_api.update(DEMO.customers, suspend=[1001], headers={"Idempotency-Key": "f-1"})
    assert write.status_code == status
    assert write.headers["Idempotency-Key"] == "f-1"
    fresh_api.sb.faults.clear()
    fresh_api.sb.wait_idle()
    assert fresh_api.batch(DEMO.customers, 1001)["state"] == "active"
    assert fresh_api.sb.actions() == []
    # The key was not used up by the faulted attempt: the retry acts.
    retry = fresh_api.update(DEMO.customers, suspend=[1001], headers={"Idempotency-Key": "f-1"})
    assert fresh_api.finished(retry)["status"] == "success"


def test_health_and_controls_are_never_faulted(fresh_sandbox):
    fresh_sandbox.faults.set(rate_500=1.0)
    assert requests.get(fresh_sandbox.root_url + "/health", timeout=10).status_code == 200
    control = requests.get(
        fresh_sandbox.root_url + "/__sandbox__/faults", headers=fresh_sandbox.headers, timeout=10
    )
    assert control.json()["faults"]["rate_500"] == 1.0


def test_dropped_connection_applies_nothing(fresh_api):
    fresh_api.sb.faults.set(drop=1.0)
    with pytest.raises(requests.ConnectionError):
        fresh_api.session.get(fresh_api.url(LIST), timeout=10)
    with pytest.raises(requests.ConnectionError):
        fresh_api.update(DEMO.customers, suspend=[1001])
    fresh_api.sb.faults.clear()
    fresh_api.sb.wait_idle()
    assert fresh_api.batch(DEMO.customers, 1001)["state"] == "active"
    assert fresh_api.sb.actions() == []


def test_drop_after_applies_the_write_then_loses_the_answer(fresh_api):
    key = {"Idempotency-Key": "lost-answer-1"}
    fresh_api.sb.faults.set(drop_after=1.0)
    with pytest.raises(requests.ConnectionError):
        fresh_api.update(DEMO.customers, suspend=[1001], headers=key)
    fresh_api.sb.faults.clear()
    fresh_api.sb.wait_idle()
    assert fresh_api.batch(DEMO.customers, 1001)["state"] == "suspended"
    retry = fresh_api.update(DEMO.customers, suspend=[1001], headers=key)
    assert retry.status_code == 202
    fresh_api.sb.wait_idle()
    actions = fresh_api.sb.actions()
    assert len(actions) == 1
    assert actions[0]["job_id"] == retry.json()["job_id"]


def test_truncated_body(fresh_api):
    fresh_api.sb.faults.set(truncate=1.0)
    with pytest.raises(requests.RequestException):
        fresh_api.session.get(fresh_api.url(LIST), timeout=10)
    fresh_api.sb.faults.clear()
    assert fresh_api.get(LIST).status_code == 200  # the server is fine afterwards


def test_non_json_body(fresh_api):
    fresh_api.sb.faults.set(non_json=1.0)
    response = fresh_api.session.get(fresh_api.url(LIST), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError, match="Expecting value"):
        response.json()
    fresh_api.session.patch(
        fresh_api.url(LIST),
        json={"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}},
        timeout=10,
    )
    fresh_api.sb.faults.clear()
    fresh_api.sb.wait_idle()
    assert fresh_api.sb.actions() == []


def _statuses(sb: Sandbox, count: int) -> list[int]:
    session = requests.Session()
    session.headers.update(sb.headers)
    return [
        session.get(sb.url + LIST, params={"limit": 1}, timeout=10).status_code
        for _ in range(count)
    ]


def test_a_seed_makes_faults_reproducible(fresh_sandbox):
    fresh_sandbox.faults.set(rate_500=0.3, rate_503=0.2, seed=11)
    first = _statuses(fresh_sandbox, 30)
    fresh_sandbox.faults.set(rate_500=0.3, rate_503=0.2, seed=11)
    assert _statuses(fresh_sandbox, 30) == first
    assert {200, 500, 503} == set(first)


def test_shares_are_roughly_honoured():
    faults = Faults({"rate_429": 0.25, "drop": 0.25, "seed": 3})
    draws = [faults.draw_request() for _ in range(4000)]
    assert 800 < draws.count("rate_429") < 1200
    assert 800 < draws.count("drop") < 1200
    assert 1800 < draws.count(None) < 2200


def test_faults_at_start_and_over_http(checker):
    with Sandbox(faults={"rate_429": 1.0, "retry_after": 3}) as sb:
        session = requests.Session()
        session.headers.update(sb.headers)
        limited = session.get(sb.url + LIST, timeout=10)
        assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
        checker.validate(limited)
        cleared = session.put(sb.root_url + "/__sandbox__/faults", json={}, timeout=10)
        assert cleared.json()["faults"]["rate_429"] == 0.0
        assert session.get(sb.url + LIST, timeout=10).status_code == 200
        switched = session.put(
            sb.root_url + "/__sandbox__/faults", json={"rate_502": 1.0, "latency": 0.01}, timeout=10
        )
        assert switched.status_code == 200
        assert sb.faults.config == FaultConfig(rate_502=1.0, latency=0.01)
        assert session.get(sb.url + LIST, timeout=10).status_code == 502


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"rate_500": 2}, "body"),
        ({"rate_500": 0.7, "rate_503": 0.7}, "body"),
        ({"colour": 1}, "colour"),  # an unknown key is named
        ({"latency": -1}, "body"),
        ([], "body"),
    ],
)
def test_bad_fault_settings_are_a_400(sandbox, body, key):
    response = requests.put(
        sandbox.root_url + "/__sandbox__/faults", json=body, headers=sandbox.headers, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == key
    assert sandbox.faults.config == FaultConfig()


@pytest.mark.parametrize(
    "body",
    [{"seed": [1]}, {"seed": {"a": 1}}, {"seed": "7"}, {"seed": True}, {"latency": float("inf")}],
)
def test_a_refused_setting_changes_nothing(fresh_sandbox, body):
    fresh_sandbox.faults.set(rate_503=0.25, seed=5)
    before = fresh_sandbox.faults.as_dict()
    draws = Faults({"rate_503": 0.25, "seed": 5})
    response = requests.put(
        fresh_sandbox.root_url + "/__sandbox__/faults",
        data=json.dumps(body),
        headers={**fresh_sandbox.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "body"
    assert fresh_sandbox.faults.as_dict() == before
    # The dice were not re-seeded either: the draws go on as they would have.
    expected = [draws.draw_request() for _ in range(20)]
    assert [fresh_sandbox.faults.draw_request() for _ in range(20)] == expected
    with pytest.raises(ValueError, match=r"seed|latency"):
        fresh_sandbox.faults.set(**body)
    assert fresh_sandbox.faults.as_dict() == before


def test_bad_fault_settings_in_python():
    with pytest.raises(ValueError, match="rate_429"):
        Faults({"rate_429": 1.5})
    with pytest.raises(ValueError, match="unknown fault"):
        Faults().set(rate_404=0.1)


def test_actions_over_http(fresh_api):
    fresh_api.finished(
        fresh_api.update(DEMO.customers, suspend=[1001], headers={"Idempotency-Key": "a1"})
    )
    body = fresh_api.session.get(fresh_api.sb.root_url + "/__sandbox__/actions", timeout=10).json()
    assert [(a["operation"], a["batch_ids"], a["idempotency_key"]) for a in body["actions"]] == [
        ("update_batches", [1001], "a1")
    ]


def test_a_dropped_connection_closes_without_reading_its_body_as_a_request(fresh_sandbox, caplog):
    """A keep-alive handler must not parse the unread body of a dropped request as the
    next request line (which logged "400 Bad request version")."""
    caplog.set_level(logging.INFO)
    fresh_sandbox.faults.set(drop=1.0)
    body = json.dumps(
        {"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}}
    ).encode()
    head = (
        f"PATCH /api/v2{LIST} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"X-API-KEY: {fresh_sandbox.api_key}\r\nX-API-SECRET: {fresh_sandbox.api_secret}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", fresh_sandbox.port), timeout=10) as conn:
        conn.sendall(head + body)
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := conn.recv(4096):
                received += chunk
    assert received == b""  # closed with no answer at all
    deadline = time.monotonic() + 10
    assert fresh_sandbox._server is not None
    while fresh_sandbox._server.connections:
        assert time.monotonic() < deadline, "the dropped connection was never closed"
        threading.Event().wait(0.01)
    servers = ("werkzeug", "waitress", "mammoth_pandas.sandbox")
    assert [r.getMessage() for r in caplog.records if r.name.startswith(servers)] == []
    fresh_sandbox.faults.clear()
    assert fresh_sandbox.actions() == []
