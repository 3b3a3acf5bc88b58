"""The client's own session reads the environment's proxy and CA settings once per host,
not on every request, with the result ``requests`` itself would reach; a session the user
brings is left alone."""

from __future__ import annotations

import pytest
import requests
import requests.sessions

from mammoth_pandas import MammothClient
from mammoth_pandas._transport import _EnvironmentOnce

URL = "https://api.example.com/api/v2/jobs/1"


def settings(session: requests.Session) -> dict:
    return session.merge_environment_settings(URL, {}, None, None, None)


def test_the_settings_are_those_requests_would_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = MammothClient("https://api.example.com", api_key="k", api_secret="s")
    ours = settings(client._transport.session)
    assert ours == settings(requests.Session())
    assert ours["proxies"]["https"] == "http://proxy.example:3128"
    assert ours["verify"] == str(bundle)
    assert client._transport.session.verify is True  # verification itself stays on


def test_no_proxy_for_the_server_host_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "api.example.com")
    assert "https" not in settings(_EnvironmentOnce())["proxies"]


def test_the_environment_is_read_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = requests.sessions.get_environ_proxies

    def counting(url: str, no_proxy: object = None) -> dict:
        calls.append(url)
        return real(url, no_proxy=no_proxy)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counting)
    session = _EnvironmentOnce()
    for offset in range(5):
        session.merge_environment_settings(f"{URL}?offset={offset}", {}, None, None, None)
    assert len(calls) == 1
    session.merge_environment_settings("https://other.example/x", {}, None, None, None)
    assert len(calls) == 2
    first = settings(session)
    first["proxies"]["https"] = "changed"  # a caller's change does not leak into the cache
    assert settings(session)["proxies"].get("https") != "changed"


def test_a_session_the_user_brings_is_left_as_it_is() -> None:
    mine = requests.Session()
    client = MammothClient("https://api.example.com", api_key="k", api_secret="s", session=mine)
    assert client._transport.session is mine
    assert type(mine) is requests.Session
