"""Serving: HTTP/1.1 connections stay open between requests, as the docs say."""

from __future__ import annotations

import http.client
import socket

import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox import serve as serving

LIST = f"/api/v2/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"


def _read_answer(conn: socket.socket, buffer: bytes) -> tuple[bytes, bytes, bytes]:
    """One answer (head, body) off a raw socket, and what is left after it."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        assert chunk, f"the connection closed before an answer: {buffer!r}"
        buffer += chunk
    head, rest = buffer.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(rest) < length:
        chunk = conn.recv(65536)
        assert chunk, "the connection closed inside a body"
        rest += chunk
    return head, rest[:length], rest[length:]


def test_answers_keep_the_connection_open(sandbox: Sandbox):
    """Three requests (a page, an error, a page) on one socket, answered in turn; none
    says ``Connection: close``. The development server closed after every answer."""
    auth = f"X-API-KEY: {sandbox.api_key}\r\nX-API-SECRET: {sandbox.api_secret}\r\n"
    paths = [f"{LIST}?limit=2", "/api/v2/no/such/route", f"{LIST}?limit=3&offset=2"]
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as conn:
        buffer = b""
        heads = []
        for path in paths:
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n"
            conn.sendall(request.encode())
            head, body, buffer = _read_answer(conn, buffer)
            heads.append(head)
            assert body.startswith(b"{")
    statuses = [head.split(b"\r\n", 1)[0].split(b" ")[1] for head in heads]
    assert statuses == [b"200", b"404", b"200"]
    assert not [h for h in heads if b"connection: close" in h.lower()]


def test_a_client_connection_serves_many_requests(sandbox: Sandbox):
    """``http.client`` reuses its socket only while the server keeps it open."""
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    try:
        sockets = set()
        for offset in range(0, 50, 5):
            conn.request("GET", f"{LIST}?limit=5&offset={offset}", headers=sandbox.headers)
            response = conn.getresponse()
            assert response.status == 200
            response.read()
            assert conn.sock is not None
            sockets.add(conn.sock.getsockname())
    finally:
        conn.close()
    assert len(sockets) == 1


def test_the_documented_defaults_are_the_servers():
    """``Sandbox`` spells the server's defaults out (so that importing the package does
    not import the server); they must stay the same numbers."""
    sandbox = Sandbox()
    assert sandbox.threads == serving.DEFAULT_THREADS
    assert sandbox.read_timeout == serving.DEFAULT_READ_TIMEOUT
    assert sandbox.max_connections == serving.DEFAULT_MAX_CONNECTIONS


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("threads", 0, "threads must be >= 1"),
        ("read_timeout", 0.0, "read_timeout must be > 0"),
        ("max_connections", 0, "max_connections must be >= 1"),
    ],
)
def test_serving_settings_are_checked(setting, value, message):
    with pytest.raises(ValueError, match=message):
        Sandbox(**{setting: value})


def test_a_path_asked_again_is_routed_by_its_method_and_path_each_time(sandbox: Sandbox):
    """Routes matched once are remembered per method and path: the same path asked with
    another method, another dataset, a wrong method or a path with no route still gets
    its own answer, however often each was asked before."""
    base = f"/api/v2/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"
    other = f"/api/v2/workspaces/1/projects/1/datasets/{DEMO.orders}/batches"
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    headers = dict(sandbox.headers)
    try:
        for _ in range(3):
            answers = {}
            for method, path in [
                ("GET", f"{base}?limit=1"),
                ("GET", f"{other}?limit=1"),
                ("PUT", base),  # a method the path does not take
                ("GET", f"{base}/999999"),  # one batch, not the listing
                ("GET", "/api/v2/no/such/route"),
                ("GET", f"{base}?limit=1"),
            ]:
                conn.request(method, path, headers=headers)
                response = conn.getresponse()
                answers.setdefault((method, path), []).append(
                    (response.status, response.getheader("Allow"), response.read())
                )
            listed = [answers[("GET", f"{base}?limit=1")], answers[("GET", f"{other}?limit=1")]]
            assert [a[0][0] for a in listed] == [200, 200]
            assert listed[0][0][2] != listed[1][0][2]  # two datasets, two listings
            assert listed[0][0][2] == listed[0][1][2]  # the same page again
            status, allow, _ = answers[("PUT", base)][0]
            assert status == 405
            assert "GET" in (allow or "")
            assert answers[("GET", f"{base}/999999")][0][0] == 404
            assert answers[("GET", "/api/v2/no/such/route")][0][0] == 404
    finally:
        conn.close()


def test_generated_credentials_can_follow_an_option_on_a_command_line():
    """A URL-safe token starts with ``-`` one time in 64, and ``--api-secret -x...`` is then
    taken for an option: the sandbox's own credentials are letters and digits only."""
    from mammoth_pandas.sandbox import _credential

    drawn = [_credential(32) for _ in range(2000)]
    assert all(len(value) == 32 and value.isascii() and value.isalnum() for value in drawn)
    assert len(set(drawn)) == len(drawn)
    box = Sandbox()  # not started: the credentials are drawn in the constructor
    for value in (box.api_key, box.api_secret, box.token):
        assert not value.startswith("-")
        assert value.replace("_", "").isalnum()
