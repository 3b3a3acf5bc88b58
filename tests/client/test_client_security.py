"""Construction, settings and secrets: never shown by repr, str, vars, logs or exceptions."""

from __future__ import annotations

import copy
import logging
import pickle

import pytest
import requests

from mammoth_pandas import contract as C
from mammoth_pandas.client import DEFAULT_URL, MammothClient
from mammoth_pandas.errors import MammothAPIError, MammothConfigError, MammothInputError
from mammoth_pandas.sandbox import DEMO, Sandbox

SECRET = "s3cr3t-VALUE-never-shown"
KEY = "key-VALUE-never-shown"
TOKEN = "mm_token-VALUE-never-shown"


def texts_of(obj: object) -> str:
    return " ".join([repr(obj), str(obj), repr(vars(obj)) if hasattr(obj, "__dict__") else ""])


def test_repr_str_and_vars_hide_credentials() -> None:
    for client in (
        MammothClient("https://example.invalid", api_key=KEY, api_secret=SECRET),
        MammothClient("https://example.invalid", token=TOKEN),
    ):
        text = texts_of(client) + texts_of(client._transport) + repr(vars(client._auth))
        for secret in (SECRET, KEY, TOKEN):
            assert secret not in text
        assert "example.invalid" in repr(client)
        assert SECRET not in repr(client.session.headers)


def test_client_cannot_be_pickled_and_copies_are_itself() -> None:
    client = MammothClient("https://example.invalid", api_key=KEY, api_secret=SECRET)
    with pytest.raises(TypeError):
        pickle.dumps(client)
    assert copy.deepcopy(client) is client


def test_secrets_absent_from_logs_exceptions_and_requests_history(sandbox: Sandbox, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = MammothClient(sandbox.url, api_key=sandbox.api_key, api_secret=sandbox.api_secret)
    client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers, limit=3)
    errors = []
    for call in (
        lambda: client.batches.get(DEMO.workspace_id, DEMO.project_id, DEMO.customers, 424242),
        lambda: client.batches.update(
            DEMO.workspace_id, DEMO.project_id, DEMO.customers, suspend=[424242]
        ),
        lambda: MammothClient(
            sandbox.url, api_key=sandbox.api_key, api_secret="wrong" + SECRET
        ).jobs.get(1),
    ):
        with pytest.raises(MammothAPIError) as info:
            call()
        errors.append(info.value)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged  # urllib3 and the client did log at debug level
    for secret in (sandbox.api_secret, sandbox.api_key, SECRET):
        assert secret not in logged
        for error in errors:
            assert secret not in str(error)
            assert secret not in repr(error)
            assert secret not in repr(error.body)
            assert secret not in repr(vars(error).get("detail"))


def test_from_env_reads_each_variable_family(sandbox: Sandbox) -> None:
    base = {C.ENV_URL: sandbox.url}
    for env in (
        {**base, C.ENV_KEY: sandbox.api_key, C.ENV_SECRET: sandbox.api_secret},
        {**base, C.ENV_SDK_KEY: sandbox.api_key, C.ENV_SDK_SECRET: sandbox.api_secret},
        {**base, C.ENV_TOKEN: sandbox.token},
    ):
        client = MammothClient.from_env(env)
        assert client.url == sandbox.url
        assert (
            len(client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers, limit=2))
            == 2
        )


def test_from_env_without_credentials_says_how_to_set_them(monkeypatch) -> None:
    for name in (C.ENV_KEY, C.ENV_SECRET, C.ENV_TOKEN, C.ENV_SDK_KEY, C.ENV_SDK_SECRET):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(MammothConfigError) as info:
        MammothClient.from_env()
    for name in (C.ENV_KEY, C.ENV_SECRET, C.ENV_TOKEN, C.ENV_SDK_KEY):
        assert name in str(info.value)
    with pytest.raises(MammothConfigError, match="api_secret"):
        MammothClient("https://example.invalid", api_key=KEY)


def test_default_url_and_prefix_handling() -> None:
    assert MammothClient(api_key=KEY, api_secret=SECRET).url == DEFAULT_URL
    for url in ("https://h.example/", "https://h.example/api/v2", "https://h.example/api/v2/"):
        assert MammothClient(url, token=TOKEN).url == "https://h.example/api/v2"


@pytest.mark.parametrize(
    "url", ["http://example.com", "http://10.0.0.5:8080", "http://my-host/api/v2"]
)
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(MammothConfigError, match="https"):
        MammothClient(url, api_key=KEY, api_secret=SECRET)
    assert MammothClient(
        url, api_key=KEY, api_secret=SECRET, allow_insecure_http=True
    ).url.startswith("http://")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_to_loopback_is_fine(url: str) -> None:
    assert MammothClient(url, token=TOKEN).url.endswith("/api/v2")


@pytest.mark.parametrize("url", ["ftp://h.example", "h.example", "", "https://h.example/?x=1"])
def test_unusable_urls(url: str) -> None:
    with pytest.raises(MammothConfigError):
        MammothClient(url or " ", token=TOKEN)


def test_tls_verification_cannot_be_turned_off() -> None:
    session = requests.Session()
    session.verify = False
    with pytest.raises(MammothConfigError, match="verif"):
        MammothClient("https://h.example", token=TOKEN, session=session)
    client = MammothClient("https://h.example", token=TOKEN)
    assert client.session.verify is True


def test_settings_are_validated() -> None:
    for kwargs in ({"timeout": 0}, {"timeout": None}, {"timeout": float("inf")},
                   {"max_retries": -1}, {"max_workers": 0}, {"max_workers": 2.5}):  # fmt: skip
        with pytest.raises(MammothConfigError):
            MammothClient("https://h.example", token=TOKEN, **kwargs)
    client = MammothClient("https://h.example", token=TOKEN)
    assert 0 < client.timeout < 1000


def test_injected_session_is_used_and_auth_is_per_request(sandbox: Sandbox) -> None:
    session = requests.Session()
    client = sandbox.client(session=session)
    assert client.session is session
    assert C.HEADER_API_SECRET not in session.headers
    assert (
        len(client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers, limit=1)) == 1
    )


def test_input_errors_are_value_errors() -> None:
    client = MammothClient("https://h.example", token=TOKEN)
    with pytest.raises(ValueError, match="status"):
        client.batches.list(1, 1, 1, status="nope")
    with pytest.raises(MammothInputError):
        client.batches.list(1, 1, 1, status="nope")


def test_the_generated_sdks_security_argument(sandbox: Sandbox) -> None:
    from types import SimpleNamespace

    for security in (
        SimpleNamespace(api_key=sandbox.api_key, api_secret=sandbox.api_secret),
        {"api_key": sandbox.api_key, "api_secret": sandbox.api_secret},
    ):
        with MammothClient(server_url=sandbox.url, security=security) as client:
            assert (
                len(
                    client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers, limit=1)
                )
                == 1
            )
    with pytest.raises(MammothConfigError, match="not both"):
        MammothClient(sandbox.url, api_key="k", security={"api_key": "k", "api_secret": "s"})
    with pytest.raises(MammothConfigError, match="api_secret"):
        MammothClient(sandbox.url, security={"api_key": "k", "api_secret": ""})


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{SECRET}@h.example",
        f"https://user:{SECRET}@h.example/api/v2",
        f"http://{SECRET}@127.0.0.1:8080",
        f"ftp://user:{SECRET}@h.example",
    ],
)
def test_a_server_url_with_userinfo_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(MammothConfigError, match="must not carry a user name or password") as info:
        MammothClient(url, token=TOKEN)
    assert SECRET not in str(info.value) + repr(info.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"ftp://h.example/{SECRET}", "scheme 'ftp' and host 'h.example'"),
        (f"h.example/{SECRET}", "scheme '' and no host"),
        (f"https:///{SECRET}", "scheme 'https' and no host"),
        (f"http://[::1/{SECRET}", "not a valid URL"),
        (f"https://h.example/api/v2?k={SECRET}", "query string"),
    ],
)
def test_refusals_show_at_most_the_scheme_and_host(url: str, shown: str) -> None:
    with pytest.raises(MammothConfigError) as info:
        MammothClient(url, token=TOKEN)
    assert shown in str(info.value)
    assert SECRET not in str(info.value) + repr(info.value)
