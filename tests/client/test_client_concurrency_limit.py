"""Adaptive concurrency over real HTTP, against a server that takes eight requests at once.

The server refuses (429, ``Retry-After: 0``) a request that finds eight in flight (each
answer takes 10 ms, so that requests overlap). To make
the client's first burst meet the limit in a known way, the listing pages after the first
are held until eight requests have been refused, and the refusals are answered last
refused first: the client reads first the refusal of the request sent with the most in
flight. It must still learn the lowest level refused, and stay below it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from mammoth_pandas import MammothClient, _concurrency

CAP = 8
RECORDS = 2_000
#: Seconds each page takes to answer (requests must overlap for the limit to matter).
LATENCY = 0.01
#: A guard against a client that never sends the burst: the test then fails on the counts.
GUARD = 10.0


class LimitState:
    """What the server counts: requests in flight, refused, and the order of answers."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.in_flight = 0
        self.refused = 0
        self.answered_refusals = 0
        self.refused_with: list[int] = []  # the server's count in flight at each refusal


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        lines = [f"HTTP/1.1 {status} {self.responses[status][0]}"]
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        # One write: headers and body in one segment (no wait on a delayed ACK).
        self.wfile.write("\r\n".join([*lines, "", ""]).encode() + payload)

    def do_GET(self) -> None:
        query = dict(parse_qsl(urlsplit(self.path).query))
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        state: LimitState = self.server.state
        with state.cond:
            refuse = state.in_flight >= CAP
            if refuse:
                state.refused += 1
                turn = state.refused
                state.refused_with.append(state.in_flight + 1)
                state.cond.notify_all()
                # The first burst's refusals: all of them collected, then the last first.
                if turn <= CAP:
                    state.cond.wait_for(lambda: state.refused >= CAP, timeout=GUARD)
                    state.cond.wait_for(
                        lambda: state.answered_refusals == CAP - turn, timeout=GUARD
                    )
            else:
                state.in_flight += 1
        if refuse:
            self._json(429, {"detail": "too many at once"}, {"Retry-After": "0"})
            with state.cond:
                state.answered_refusals += 1
                state.cond.notify_all()
            return
        with state.cond:
            if offset > 0:  # held until the first burst has been refused and answered
                state.cond.wait_for(lambda: state.answered_refusals >= CAP, timeout=GUARD)
        time.sleep(LATENCY)  # a service's latency, so that requests overlap
        with state.cond:
            state.in_flight -= 1  # before answering: never counted once the client has it
        ids = range(offset + 1, min(offset + limit, RECORDS) + 1)
        more = offset + limit < RECORDS
        page = [{"id": i, "name": f"b{i}", "state": "active"} for i in ids]
        nxt = f"{urlsplit(self.path).path}?limit={limit}&offset={offset + limit}" if more else ""
        self._json(200, {"batches": page, "next": nxt, "limit": limit, "offset": offset})


@pytest.fixture
def limited() -> Iterator[tuple[str, LimitState]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = LimitState()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}", server.state  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_first_burst_teaches_the_lowest_refused_level(
    limited: tuple[str, LimitState], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, state = limited
    monkeypatch.setattr(_concurrency, "DEFAULT_START", 2 * CAP)  # the burst: sixteen at once
    client = MammothClient(url, api_key="k", api_secret="s", max_workers=2 * CAP)
    df = client.batches.list(1, 1, 1, page_size=10)
    assert list(df.index) == list(range(1, RECORDS + 1))
    assert state.refused_with[:CAP] == [CAP + 1] * CAP  # the burst met the limit
    # Read last refused first, the refusals still taught "nine is too many": the limit
    # stayed at eight or below, and no request was refused after the burst.
    assert state.refused == CAP
