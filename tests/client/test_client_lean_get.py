"""The lean GET path (``mammoth_pandas._lean``) sends what ``requests`` would send, and a
``requests.Session`` the user brings keeps every setting it has: its headers, mounted
adapters, hooks, proxies (its own and the environment's), cookies, ``verify`` and ``cert``.

Real HTTP throughout, against a loopback server that records each request it gets
(``tests/reliability/hostile.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import certifi
import pytest
import requests
from requests.adapters import HTTPAdapter

from mammoth_pandas import MammothClient
from mammoth_pandas.errors import MammothConnectionError
from tests.conftest import RecordingSession
from tests.reliability.hostile import API_KEY, API_SECRET, BATCHES, Handler, HostileServer, mode

LISTING = "/workspaces/1/projects/1/datasets/5/batches"
ALL = len(BATCHES)


@mode
def sets_a_cookie(h: Handler) -> None:
    """A correct listing whose first answer sets a cookie (as a load balancer's does)."""
    if h.offset == 0:
        page = BATCHES[: h.limit]
        h.json(
            200,
            {"batches": page, "next": "more", "offset": 0, "limit": h.limit},
            {"Set-Cookie": "lb=node-7; Path=/"},
        )
    else:
        h.listing()


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as s:
        yield s


def listed(client: MammothClient) -> list[int]:
    frame = client.batches.list(1, 1, 5, page_size=50, max_workers=1)
    return list(frame.index)


def lean_taken(client: MammothClient) -> bool:
    transport = client._transport
    return transport.lean.route(transport.url(LISTING)) is not None


def test_the_lean_path_sends_the_request_requests_would_send(server: HostileServer) -> None:
    lean = server.client()
    full = server.client(session=RecordingSession())  # a subclass: the full path
    assert lean_taken(lean)
    assert not lean_taken(full)
    params: dict[str, Any] = {
        "limit": 3,
        "offset": 0,
        "id": "1,2,3",
        "name": "café & co/?",
        "fields": ["id", "name"],
        "status": None,
    }
    for client in (lean, full):
        client._transport.get(LISTING, params)
    one, other = server.requests
    assert one["line"] == other["line"]
    assert "%C3%A9" in one["line"]
    assert "%2C" in one["line"]
    assert "status" not in one["line"]
    assert one["headers"] == other["headers"]
    assert one["headers"]["X-API-KEY"] == API_KEY
    assert one["headers"]["X-API-SECRET"] == API_SECRET
    assert one["headers"]["Accept-Encoding"] == "gzip, deflate"


def test_the_session_headers_are_sent_and_a_change_is_seen(server: HostileServer) -> None:
    session = requests.Session()
    session.headers["X-Trace"] = "first"
    client = server.client(session=session)
    client._transport.get(LISTING, {"limit": 2})
    assert lean_taken(client)
    session.headers["X-Trace"] = "second"
    session.headers["User-Agent"] = "notebook/1.0"
    client._transport.get(LISTING, {"limit": 2})
    first, second = server.requests
    assert first["headers"]["X-Trace"] == "first"
    assert second["headers"]["X-Trace"] == "second"
    assert second["headers"]["User-Agent"] == "notebook/1.0"


class CountingAdapter(HTTPAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(str(request.url))
        return super().send(request, **kwargs)


def test_an_adapter_the_user_mounts_carries_every_page(server: HostileServer) -> None:
    session = requests.Session()
    adapter = CountingAdapter()
    session.mount(server.url, adapter)  # more specific than the client's own mounts
    client = server.client(session=session)
    assert listed(client) == [b["id"] for b in BATCHES]
    assert not lean_taken(client)
    assert len(adapter.sent) == len(server.calls("/batches")) > ALL // 50


def test_response_hooks_see_every_page(server: HostileServer) -> None:
    session = requests.Session()
    seen: list[int] = []
    session.hooks["response"].append(lambda r, *args, **kwargs: seen.append(r.status_code))
    client = server.client(session=session)
    assert listed(client) == [b["id"] for b in BATCHES]
    assert seen
    assert len(seen) == len(server.calls("/batches"))


def test_a_proxy_of_the_session_is_used(server: HostileServer) -> None:
    session = requests.Session()
    session.proxies = {"http": server.url}  # the recording server stands as the proxy
    client = MammothClient(
        "http://127.0.0.1:9", api_key=API_KEY, api_secret=API_SECRET, session=session
    )
    assert listed(client) == [b["id"] for b in BATCHES]
    lines = [r["line"] for r in server.calls("/batches")]
    assert lines
    assert all(line.startswith("GET http://127.0.0.1:9/api/v2/") for line in lines)


def test_a_proxy_set_in_the_environment_later_is_used(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with HostileServer() as proxy:
        client = MammothClient(server.url, api_key=API_KEY, api_secret=API_SECRET)
        client._transport.get(LISTING, {"limit": 2})
        assert lean_taken(client)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        mine = server.client(session=requests.Session())
        mine._transport.get(LISTING, {"limit": 2})
        assert not lean_taken(mine)
        assert len(server.calls("/batches")) == 1  # the second request went to the proxy
        assert proxy.calls("/batches")[0]["line"].startswith(f"GET {server.url}/api/v2/")


def test_a_cookie_the_server_sets_is_kept_and_sent_back(server: HostileServer) -> None:
    server.mode = "sets_a_cookie"
    for session in (None, requests.Session()):
        before = len(server.requests)
        client = server.client(session=session)
        assert listed(client) == [b["id"] for b in BATCHES]
        assert client.session.cookies.get("lb") == "node-7"
        later = server.requests[before + 1 :]
        assert later
        assert all(r["headers"].get("Cookie") == "lb=node-7" for r in later)


def test_a_tls_setting_of_the_session_reaches_the_pages_connections(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # requests lets them win over
        monkeypatch.delenv(name, raising=False)  # the session's verify
    session = requests.Session()
    session.verify = certifi.where()
    client = MammothClient(
        "https://api.example.invalid", api_key=API_KEY, api_secret=API_SECRET, session=session
    )
    transport = client._transport
    route = transport.lean.route(transport.url(LISTING))
    assert route is not None
    assert route.pool.ca_certs == certifi.where()
    assert route.pool.cert_reqs == "CERT_REQUIRED"
    session.verify = str(server.url)  # no such file: requests refuses, and so do pages
    assert transport.lean.route(transport.url(LISTING)) is None
    with pytest.raises(MammothConnectionError, match="invalid path"):
        MammothClient(
            "https://127.0.0.1:9",
            api_key=API_KEY,
            api_secret=API_SECRET,
            session=session,
            max_retries=0,
        ).batches.list(1, 1, 5)


def test_a_client_certificate_that_is_missing_is_refused_by_name() -> None:
    session = requests.Session()
    session.cert = "/nonexistent/client.pem"
    client = MammothClient(
        "https://127.0.0.1:9",
        api_key=API_KEY,
        api_secret=API_SECRET,
        session=session,
        max_retries=0,
    )
    with pytest.raises(MammothConnectionError, match=r"client\.pem"):
        client.batches.list(1, 1, 5)
