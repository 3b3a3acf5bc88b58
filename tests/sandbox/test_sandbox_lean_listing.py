"""The batch listing's lean path (no Werkzeug request or response) answers as dispatch does.

Each request is sent twice on real HTTP: once as a client sends it (a GET listing without a
body takes the lean path) and once declaring an empty body (``Content-Length: 0``), which
:meth:`SandboxApp.dispatch` answers. Status, headers (but the date) and body bytes must be
the same, for good pages, for every refusal the contract names and for injected faults.
"""

from __future__ import annotations

import http.client
from typing import Any

import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox import app as app_module

LIST = f"/api/v2/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"
CASES: list[tuple[str, dict[str, str] | None]] = [
    (f"{LIST}?limit=5", None),
    (f"{LIST}?limit=5&offset=5", None),
    (f"{LIST}", None),
    (f"{LIST}?fields=__standard&id=&created_at=&status=&row_count=&limit=3&offset=2", None),
    (f"{LIST}?fields=id,name&status=active&sort=(row_count:desc),(id:asc)&limit=4", None),
    (f"{LIST}?status=active&status=suspended&limit=2&name=%C3%A9t%C3%A9+x", None),
    (f"{LIST}?created_at=%28from%3A%272025-01-10T00%3A00%3A00Z%27%29&limit=2", None),
    (f"{LIST}?limit=101", None),
    (f"{LIST}?offset=-1", None),
    (f"{LIST}?fields=nope", None),
    (f"{LIST}?sort=(colour:asc)", None),
    (f"{LIST}?id=1,x", None),
    (f"{LIST}?created_at=(from:yesterday)", None),
    (f"{LIST}?offset=%ff%fe", None),
    (f"{LIST}?limit=2", {"X-WORKSPACE-ID": "1"}),
    (f"{LIST}?limit=2", {"X-WORKSPACE-ID": "2"}),
    (f"{LIST}?limit=2", {"X-WORKSPACE-ID": "one"}),
    (f"{LIST}?limit=2", {"X-API-KEY": "wrong"}),
    (f"{LIST}?limit=2", {"X-API-KEY": "", "X-API-SECRET": ""}),
    ("/api/v2/workspaces/1/projects/1/datasets/424242/batches", None),
    ("/api/v2/workspaces/0/projects/1/datasets/1/batches", None),
    ("/api/v2/workspaces/1/projects/7/datasets/1/batches", None),
    (f"/api/v2/workspaces/1/projects/1/datasets/{2**63}/batches", None),
    (f"{LIST}/1001", None),
    ("/api/v2/no/such/route", None),
]


def _answer(sb: Sandbox, path: str, headers: dict[str, str]) -> tuple[Any, ...]:
    conn = http.client.HTTPConnection(sb.host, sb.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        kept = sorted((k, v) for k, v in response.getheaders() if k.lower() != "date")
        return response.status, kept, body
    finally:
        conn.close()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many Werkzeug requests the application builds."""
    built: list[int] = []
    real = app_module.Request

    def counting(environ: dict[str, Any]) -> Any:
        built.append(1)
        return real(environ)

    monkeypatch.setattr(app_module, "Request", counting)
    return built


#: A header that sends a request through dispatch: a declared (empty) body.
FULL = {"Content-Length": "0"}


@pytest.mark.parametrize(("path", "extra"), CASES)
def test_lean_and_full_paths_answer_alike(sandbox, counted, path, extra):
    headers = {**sandbox.headers, **(extra or {})}
    lean = _answer(sandbox, path, headers)
    lean_requests = len(counted)
    full = _answer(sandbox, path, {**headers, **FULL})
    assert lean == full
    assert len(counted) == lean_requests + 1
    if path.startswith(LIST + "?") or path == LIST:
        assert lean_requests == 0  # the listing was answered without a Werkzeug request


def test_bearer_token_and_no_credentials(sandbox, counted):
    token = {"Authorization": f"Bearer {sandbox.token}"}
    status, _, body = _answer(sandbox, f"{LIST}?limit=1", token)
    assert status == 200
    assert body.startswith(b'{"batches":[{"id":')
    assert _answer(sandbox, f"{LIST}?limit=1", {"Authorization": "Bearer mm_wrong"})[0] == 401
    assert _answer(sandbox, f"{LIST}?limit=1", {})[0] == 401
    assert counted == []


@pytest.mark.parametrize("fault", ["rate_429", "rate_500", "rate_502", "rate_503", "non_json"])
def test_faults_answer_alike_on_both_paths(fresh_sandbox, counted, fault):
    fresh_sandbox.faults.set(**{fault: 1.0}, retry_after=3)
    lean = _answer(fresh_sandbox, f"{LIST}?limit=1", fresh_sandbox.headers)
    full = _answer(fresh_sandbox, f"{LIST}?limit=1", {**fresh_sandbox.headers, **FULL})
    assert lean == full
    assert lean[0] == (200 if fault == "non_json" else int(fault[-3:]))
    assert counted == [1]


@pytest.mark.parametrize("fault", ["drop", "drop_after", "truncate"])
def test_dropping_faults_drop_the_lean_listing(fresh_sandbox, counted, fault):
    fresh_sandbox.faults.set(**{fault: 1.0})
    with pytest.raises((http.client.HTTPException, ConnectionError)):
        _answer(fresh_sandbox, f"{LIST}?limit=1", fresh_sandbox.headers)
    assert counted == []
    fresh_sandbox.faults.clear()
    assert _answer(fresh_sandbox, f"{LIST}?limit=1", fresh_sandbox.headers)[0] == 200


def test_latency_is_drawn_on_the_lean_path(fresh_sandbox, counted, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(app_module.time, "sleep", slept.append)
    fresh_sandbox.faults.set(latency=0.25)
    assert _answer(fresh_sandbox, f"{LIST}?limit=1", fresh_sandbox.headers)[0] == 200
    assert slept == [0.25]
    assert counted == []
