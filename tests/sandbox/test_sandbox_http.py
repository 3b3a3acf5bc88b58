"""The sandbox's HTTP/1.1 over raw sockets: bodies, pipelining, and requests it refuses.

Each test writes the bytes a client (or a request smuggler) would send and reads what the
server answers, so the parsing is checked as the wire sees it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from mammoth_pandas.sandbox import Sandbox
from mammoth_pandas.sandbox.http11 import MAX_HEAD

FAULTS = "/__sandbox__/faults"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(seed=False, read_timeout=5) as sandbox:
        yield sandbox


def _connect(sb: Sandbox) -> socket.socket:
    return socket.create_connection(("127.0.0.1", sb.port), timeout=10)


def _answer(conn: socket.socket, buffer: bytes = b"") -> tuple[int, dict[str, str], bytes, bytes]:
    """``(status, headers, body, rest)`` of the next answer on ``conn``."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        assert chunk, f"the connection closed before an answer: {buffer!r}"
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:])}
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = conn.recv(65536)
        assert chunk, "the connection closed inside a body"
        rest += chunk
    return status, headers, rest[:length], rest[length:]


def _closed(conn: socket.socket, rest: bytes = b"") -> bool:
    """Whether the server closed ``conn`` (after what was already read)."""
    if rest:
        return False
    try:
        return conn.recv(1) == b""
    except ConnectionResetError:
        return True


def _auth(sb: Sandbox) -> str:
    return f"X-API-KEY: {sb.api_key}\r\nX-API-SECRET: {sb.api_secret}\r\n"


def _put_faults(sb: Sandbox, body: bytes, *, extra: str = "") -> bytes:
    head = f"PUT {FAULTS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    return f"{head}{_auth(sb)}{extra}\r\n".encode() + body


def test_pipelined_requests_are_answered_in_order_on_one_connection(sb: Sandbox):
    one = json.dumps({"latency": 0.0}).encode()
    requests = (
        b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        + _put_faults(sb, one, extra=f"Content-Length: {len(one)}\r\n")
        + f"GET {FAULTS} HTTP/1.1\r\nHost: x\r\n{_auth(sb)}\r\n".encode()
    )
    with _connect(sb) as conn:
        conn.sendall(requests)  # all three at once
        first, _, body1, rest = _answer(conn)
        second, _, body2, rest = _answer(conn, rest)
        third, _, body3, rest = _answer(conn, rest)
    assert (first, second, third) == (200, 200, 200)
    assert json.loads(body1)["status"] == "ok"
    assert json.loads(body2) == json.loads(body3)


def test_a_chunked_body_is_decoded(sb: Sandbox):
    body = json.dumps({"latency": 0.25}).encode()
    chunked = b"".join(
        f"{len(part):x};ext=1\r\n".encode() + part + b"\r\n" for part in (body[:5], body[5:])
    )
    request = _put_faults(
        sb, chunked + b"0\r\nTrailer: x\r\n\r\n", extra="Transfer-Encoding: chunked\r\n"
    )
    with _connect(sb) as conn:
        conn.sendall(request)
        status, _, answer, rest = _answer(conn)
        assert status == 200
        assert json.loads(answer)["faults"]["latency"] == 0.25
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")  # the connection goes on
        assert _answer(conn, rest)[0] == 200


def test_expect_100_continue_is_answered_before_the_body_is_sent(sb: Sandbox):
    body = json.dumps({"latency": 0.0}).encode()
    head = _put_faults(sb, b"", extra=f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n")
    with _connect(sb) as conn:
        conn.sendall(head)
        interim = b""
        while b"\r\n\r\n" not in interim:
            chunk = conn.recv(1024)
            assert chunk, "closed without 100 Continue"
            interim += chunk
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        conn.sendall(body)
        assert _answer(conn, interim.split(b"\r\n\r\n", 1)[1])[0] == 200


@pytest.mark.parametrize(
    ("request_bytes", "status", "words"),
    [
        (b"GET /health\r\n\r\n", 400, "request line"),
        (b"GET /health HTTP/2.0\r\n\r\n", 400, "request line"),
        (b"GE(T /health HTTP/1.1\r\n\r\n", 400, "method"),
        (b"GET /health HTTP/1.1\r\nNo colon here\r\n\r\n", 400, "header line"),
        (b"GET /health HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "header line"),
        (
            b"PUT /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            400,
            "both Content-Length and Transfer-Encoding",
        ),
        (b"PUT /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, "one whole"),
        (b"PUT /x HTTP/1.1\r\nContent-Length: -3\r\n\r\n", 400, "one whole"),
        (b"PUT /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "chunked"),
    ],
)
def test_a_malformed_request_is_refused_and_the_connection_closed(
    sb: Sandbox, request_bytes: bytes, status: int, words: str
):
    with _connect(sb) as conn:
        conn.sendall(request_bytes)
        got, headers, body, rest = _answer(conn)
        assert got == status
        assert words in body.decode()
        assert headers["connection"] == "close"
        assert _closed(conn, rest)


def test_a_head_over_the_limit_is_refused_with_431(sb: Sandbox):
    with _connect(sb) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * (MAX_HEAD + 10))
        status, _, body, rest = _answer(conn)
        assert status == 431
        assert str(MAX_HEAD) in body.decode()
        assert _closed(conn, rest)


def test_http_1_0_and_connection_close_end_the_connection_after_the_answer(sb: Sandbox):
    for request in (
        b"GET /health HTTP/1.0\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ):
        with _connect(sb) as conn:
            conn.sendall(request)
            status, headers, _, rest = _answer(conn)
            assert status == 200
            assert headers["connection"] == "close"
            assert _closed(conn, rest)


def test_an_unread_body_not_yet_sent_closes_the_connection(sb: Sandbox):
    """A body the application refused unread (here: over the size cap, 413) cannot be left
    on the connection to be read as the next request."""
    with _connect(sb) as conn:
        conn.sendall(_put_faults(sb, b"", extra=f"Content-Length: {10 * 1024 * 1024}\r\n"))
        status, headers, _, rest = _answer(conn)
        assert status == 413
        assert headers["connection"] == "close"
        assert _closed(conn, rest)


def test_a_body_that_arrived_whole_but_unread_is_skipped_and_the_connection_kept(sb: Sandbox):
    body = b'{"ignored": true}'
    request = (
        f"POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
        + b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    with _connect(sb) as conn:
        conn.sendall(request)
        first, headers, _, rest = _answer(conn)
        assert first == 405  # the body was never read by the application
        assert "connection" not in headers
        assert _answer(conn, rest)[0] == 200


def test_a_header_name_with_an_underscore_is_not_read_as_its_dashed_twin(sb: Sandbox):
    """``X_API_KEY`` would reach the application as ``HTTP_X_API_KEY``, the key of
    ``X-API-KEY``: it is dropped, so it can neither pass for nor override the real one."""
    request = (
        f"GET /api/v2/workspaces/current HTTP/1.1\r\nHost: x\r\n"
        f"X_API_KEY: {sb.api_key}\r\nX_API_SECRET: {sb.api_secret}\r\n\r\n"
    ).encode()
    with _connect(sb) as conn:
        conn.sendall(request)
        assert _answer(conn)[0] == 401


def test_a_body_cut_short_by_the_client_gets_no_answer(sb: Sandbox):
    with _connect(sb) as conn:
        conn.sendall(_put_faults(sb, b'{"lat', extra="Content-Length: 100\r\n"))
        conn.shutdown(socket.SHUT_WR)
        assert _closed(conn)
    with _connect(sb) as conn:  # and the server goes on
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _answer(conn)[0] == 200


def test_one_worker_serves_a_prompt_client_while_another_drips_and_a_third_idles():
    """A request still arriving is read by the loop, not by a worker; a kept-alive
    connection between requests is parked: one worker is enough for everyone else."""
    with (
        Sandbox(seed=False, threads=1, read_timeout=30) as sb,
        _connect(sb) as dripping,
        _connect(sb) as kept,
        _connect(sb) as prompt,
    ):
        dripping.sendall(b"GET /health HTTP/1.1\r\nHo")
        kept.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _answer(kept)[0] == 200  # and now idle, kept open
        for _ in range(3):
            prompt.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _answer(prompt)[0] == 200
            kept.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _answer(kept)[0] == 200
        dripping.sendall(b"st: x\r\n\r\n")  # the rest of its request, at last
        assert _answer(dripping)[0] == 200
