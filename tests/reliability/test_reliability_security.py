"""Security: credentials are required and compared in constant time, the sandbox binds
loopback by default and warns otherwise, secrets never show in a repr, str, log line,
exception, pickled frame or saved notebook, plain HTTP to another host is refused, TLS
verification stays on, and credentials never follow a redirect to another origin."""

from __future__ import annotations

import inspect
import io
import json
import logging
import pickle
import re
import secrets
import subprocess
import sys
import threading
import tokenize
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from mammoth_pandas import _transport
from mammoth_pandas import contract as C
from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import (
    AuthenticationError,
    BadRequestError,
    JobFailedError,
    JobTimeoutError,
    MammothConfigError,
    MammothConnectionError,
    MammothError,
    MammothInputError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox import app as sandbox_app

REPO = Path(__file__).resolve().parents[2]
WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers

KEY = "mk_relKEY" + secrets.token_urlsafe(10)
SECRET = "relSECRET" + secrets.token_urlsafe(18)
TOKEN = "mm_relTOKEN" + secrets.token_urlsafe(18)
HIDDEN = (SECRET, TOKEN)  # never shown anywhere
CLIENT_HIDDEN = (KEY, SECRET, TOKEN)  # the client masks the key too


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(api_key=KEY, api_secret=SECRET, token=TOKEN, job_delay=0.01) as sandbox:
        yield sandbox


def _leaks(text: str, hidden: tuple[str, ...] = CLIENT_HIDDEN) -> list[str]:
    return [s[:12] + "…" for s in hidden if s in text]


# -- credentials ---------------------------------------------------------------------------

ROUTES = [
    ("GET", f"/workspaces/{WS}/projects/{PR}/datasets/{DS}/batches"),
    ("GET", f"/workspaces/{WS}/projects/{PR}/datasets/{DS}/batches/1001"),
    ("POST", f"/workspaces/{WS}/projects/{PR}/datasets/{DS}/batches"),
    ("PATCH", f"/workspaces/{WS}/projects/{PR}/datasets/{DS}/batches"),
    ("DELETE", f"/workspaces/{WS}/projects/{PR}/datasets/{DS}/batches?ids=1001"),
    ("DELETE", f"/workspaces/{WS}/projects/{PR}/datasets/{DS}/batches/1001"),
    ("GET", "/jobs/1"),
    ("GET", "/jobs?job_ids=1"),
    ("GET", f"/workspaces/{WS}/projects/{PR}/datasets"),
    ("GET", f"/workspaces/{WS}/projects/{PR}/datasets/{DS}"),
    ("GET", "/../../__sandbox__/faults"),
    ("PUT", "/../../__sandbox__/faults"),
    ("GET", "/../../__sandbox__/actions"),
]

BAD_CREDENTIALS: dict[str, dict[str, str]] = {
    "none": {},
    "key only": {C.HEADER_API_KEY: KEY},
    "secret only": {C.HEADER_API_SECRET: SECRET},
    "wrong secret": {C.HEADER_API_KEY: KEY, C.HEADER_API_SECRET: "wrong"},
    "empty secret": {C.HEADER_API_KEY: KEY, C.HEADER_API_SECRET: ""},
    "secret prefix": {C.HEADER_API_KEY: KEY, C.HEADER_API_SECRET: SECRET[:-1]},
    "secret and more": {C.HEADER_API_KEY: KEY, C.HEADER_API_SECRET: SECRET + "x"},
    "secret case": {C.HEADER_API_KEY: KEY, C.HEADER_API_SECRET: SECRET.swapcase()},
    "wrong key": {C.HEADER_API_KEY: KEY + "x", C.HEADER_API_SECRET: SECRET},
    "swapped": {C.HEADER_API_KEY: SECRET, C.HEADER_API_SECRET: KEY},
    "wrong token": {"Authorization": "Bearer mm_wrong"},
    "token prefix": {"Authorization": f"Bearer {TOKEN[:-2]}"},
    "token, no scheme": {"Authorization": TOKEN},
    "secret as token": {"Authorization": f"Bearer {SECRET}"},
    "basic auth": {"Authorization": "Basic " + "a2V5OnNlY3JldA=="},
    "wrong secret with good token": {
        C.HEADER_API_KEY: KEY,
        C.HEADER_API_SECRET: "wrong",
        "Authorization": f"Bearer {TOKEN}",
    },
}


@pytest.mark.parametrize("creds", sorted(BAD_CREDENTIALS))
def test_every_route_refuses_missing_or_wrong_credentials(sb, figures, creds):
    headers = BAD_CREDENTIALS[creds]
    for method, path in ROUTES:
        url = (
            requests.compat.urljoin(sb.url + "/", path.lstrip("/"))
            if ".." in path
            else sb.url + path
        )
        body = {"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}}
        response = requests.request(method, url, headers=headers, json=body, timeout=10)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["status_code"] == 401
        assert not _leaks(response.text, (KEY, SECRET, TOKEN)), (method, path)
        figures.add("security_refusals")
    sb.wait_idle()
    assert sb.actions() == []
    assert sb.faults.as_dict()["rate_500"] == 0.0


def test_the_right_credentials_in_either_form_are_accepted(sb):
    path = f"/workspaces/{WS}/projects/{PR}/datasets/{DS}"
    for headers in (sb.headers, {"Authorization": f"Bearer {TOKEN}"}):
        assert requests.get(sb.url + path, headers=headers, timeout=10).status_code == 200
    assert requests.get(sb.root_url + "/health", timeout=10).status_code == 200  # open


def test_credentials_are_compared_in_constant_time():
    source = inspect.getsource(sandbox_app.SandboxApp._authenticate)
    assert source.count("hmac.compare_digest(") >= 3  # key, secret and token
    for attribute in ("self._key", "self._secret", "self._token"):
        assert not re.search(rf"(==|!=)\s*{re.escape(attribute)}\b", source)
        assert not re.search(rf"{re.escape(attribute)}\s*(==|!=)", source)
        assert not re.search(rf"\bin\s+{re.escape(attribute)}\b", source)


# -- binding -------------------------------------------------------------------------------


def test_the_sandbox_binds_loopback_by_default(sb):
    assert sb.host == "127.0.0.1"
    assert sb._server is not None
    assert sb._server.server_address[0] == "127.0.0.1"
    assert Sandbox().host == "127.0.0.1"


def test_binding_elsewhere_warns(recwarn):
    wide = Sandbox(host="0.0.0.0", seed=False)
    with pytest.warns(RuntimeWarning, match=r"0\.0\.0\.0.*other machines"):
        wide.start()
    try:
        assert wide._server is not None
        assert wide._server.server_address[0] == "0.0.0.0"
    finally:
        wide.stop()
    with Sandbox(seed=False):
        pass
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_the_cli_says_so_when_binding_elsewhere(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mammoth_pandas.sandbox.cli",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--no-seed",
            "--db",
            str(tmp_path / "wide.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "ready at http://0.0.0.0:" in first
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert "warning" in err.lower()
    assert "0.0.0.0" in err
    assert "other machines" in err


# -- secrets never shown --------------------------------------------------------------------


def _texts(obj: Any) -> str:
    parts = [repr(obj), str(obj)]
    if hasattr(obj, "__dict__"):
        parts.append(repr(vars(obj)))
    html = getattr(obj, "_repr_html_", None)
    if callable(html):
        parts.append(str(html()))
    return "\n".join(parts)


def _error_texts(error: BaseException) -> str:
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    parts += [repr(vars(error)), repr(error.args)]
    for name in ("body", "detail", "extra", "reason"):
        parts.append(repr(getattr(error, name, None)))
    return "\n".join(parts)


def _raised(call: Callable[[], Any], kind: type[BaseException]) -> BaseException:
    with pytest.raises(kind) as info:
        call()
    return info.value


def test_secrets_never_appear_in_reprs_logs_or_errors(sb, caplog, capfd, monkeypatch, figures):
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 and werkzeug included
    for name in ("urllib3", "urllib3.connectionpool", "mammoth_pandas", "werkzeug"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    monkeypatch.setattr(_transport, "_sleep", lambda seconds: None)
    keyed = sb.client()
    bearer = MammothClient(sb.url, token=TOKEN)
    shown: list[Any] = [keyed, bearer, keyed._transport, keyed._auth, bearer._auth, keyed.batches]
    listing = keyed.batches.list(WS, PR, DS, page_size=20)
    batch = bearer.batches.get(WS, PR, DS, int(listing.index[0]))
    handle = keyed.dataset(WS, PR, DS)
    mapping = derive_mapping(keyed.dataset(WS, PR, DEMO.crm_export), handle)
    job = mapping.validate()
    shown += [listing, batch, handle, mapping, mapping.to_frame(), job, sb.faults]
    shown.append(pickle.dumps(listing).decode("latin-1"))
    shown.append(json.dumps(listing.attrs))

    errors: list[BaseException] = [
        _raised(
            lambda: MammothClient(sb.url, api_key=KEY, api_secret="x" + SECRET).jobs.get(1),
            AuthenticationError,
        ),
        _raised(lambda: MammothClient(sb.url, token=TOKEN + "x").jobs.get(1), AuthenticationError),
        _raised(lambda: keyed.batches.get(WS, PR, DS, 424242), NotFoundError),
        _raised(lambda: keyed.batches.update(WS, PR, DS, suspend=[424242]), BadRequestError),
        _raised(lambda: keyed.batches.list(WS, PR, DS, status="nope"), MammothInputError),
        _raised(
            lambda: MammothClient("http://example.invalid", api_key=KEY, api_secret=SECRET),
            MammothConfigError,
        ),
        _raised(
            lambda: MammothClient(sb.url, api_key=KEY, api_secret=SECRET, timeout=-1),
            MammothConfigError,
        ),
    ]
    sb.faults.set(rate_429=1.0, retry_after=0)
    errors.append(_raised(lambda: sb.client(max_retries=1).jobs.get(1), RateLimitError))
    sb.faults.set(rate_500=1.0)
    errors.append(_raised(lambda: keyed.batches.list(WS, PR, DS), ServerError))
    sb.faults.set(drop=1.0)
    errors.append(_raised(lambda: sb.client(max_retries=1).jobs.get(1), MammothConnectionError))
    errors.append(
        _raised(lambda: sb.client().batches.delete(WS, PR, DS, 1001), MammothConnectionError)
    )
    sb.faults.set(job_failure=1.0)
    errors.append(
        _raised(lambda: keyed.batches.update(WS, PR, DS, suspend=[1001], wait=True), JobFailedError)
    )
    sb.faults.clear()
    with sb.hold_jobs():
        errors.append(_raised(lambda: handle.suspend([1001], timeout=0.05), JobTimeoutError))
    sb.wait_idle()
    keyed.batches.update(WS, PR, DS, restore=[1001], wait=True)

    for obj in shown:
        assert not _leaks(obj if isinstance(obj, str) else _texts(obj)), type(obj).__name__
    for error in errors:
        assert isinstance(error, MammothError)
        assert not _leaks(_error_texts(error)), type(error).__name__
    assert not _leaks(repr(sb), HIDDEN)
    logged = "\n".join(
        record.getMessage()
        + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    assert any(r.name.startswith("urllib3") for r in caplog.records)  # debug logs were on
    assert not _leaks(logged)
    out, err = capfd.readouterr()
    assert not _leaks(out + err)
    figures.add("security_secret_checks", len(shown) + len(errors) + len(caplog.records))


# -- saved notebooks -----------------------------------------------------------------------

SECRET_PATTERNS = [
    re.compile(r"X-API-SECRET['\"]?\s*[:=]\s*['\"][^'\"]{6,}", re.IGNORECASE),
    re.compile(r"api_secret\s*=\s*['\"][^'\"]{6,}['\"]"),
    re.compile(r"token\s*=\s*['\"]mm_[A-Za-z0-9_\-]{8,}['\"]"),
    re.compile(r"Bearer\s+mm_[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(MAMMOTH(?:ANALYTICS)?_API_(?:SECRET|TOKEN))\s*=\s*\S{6,}"),
]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def notebook_problems(path: Path, configured: tuple[str, ...]) -> list[str]:
    """What is wrong with one saved notebook: outputs kept, or a secret in any cell."""
    notebook = json.loads(path.read_text())
    problems = []
    for number, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
            problems.append(f"cell {number} was saved with its outputs")
        text = "\n".join(_strings(cell))
        problems += [
            f"cell {number} matches {p.pattern!r}" for p in SECRET_PATTERNS if p.search(text)
        ]
        problems += [
            f"cell {number} holds a configured secret" for s in configured if s and s in text
        ]
    return problems


def test_the_notebook_check_finds_a_leak(tmp_path):
    leaky = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 3,
                "metadata": {},
                "source": "client",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": f"{SECRET}\n"}],
            },
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": 'MammothClient(url, api_key="k", api_secret="hunter2-long")',
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "leaky.ipynb"
    path.write_text(json.dumps(leaky))
    problems = notebook_problems(path, (SECRET,))
    assert any("outputs" in p for p in problems)
    assert any("configured secret" in p for p in problems)
    assert any("api_secret" in p for p in problems)


def test_saved_notebooks_hold_no_outputs_and_no_secrets(sb):
    import os

    configured = (
        *(v for n in (C.ENV_SECRET, C.ENV_TOKEN, C.ENV_SDK_SECRET) if (v := os.environ.get(n))),
        sb.api_secret,
        sb.token,
    )
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted(REPO.glob("*.ipynb"))
    found = {str(p.relative_to(REPO)): notebook_problems(p, configured) for p in notebooks}
    assert {name: problems for name, problems in found.items() if problems} == {}


# -- transport security --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "HTTP://EXAMPLE.COM/api/v2",
        "http://0.0.0.0:8765",
        "http://10.0.0.5",
        "http://192.168.1.10:8765/api/v2",
        "http://[::ffff:10.0.0.1]",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
    ],
)
def test_plain_http_to_another_host_is_refused(url):
    for kwargs in ({"api_key": KEY, "api_secret": SECRET}, {"token": TOKEN}):
        with pytest.raises(MammothConfigError) as info:
            MammothClient(url, **kwargs)
        assert "https" in str(info.value)
        assert not _leaks(str(info.value))
        assert (
            MammothClient(url, allow_insecure_http=True, **kwargs).url.lower().startswith("http://")
        )
    with pytest.raises(MammothConfigError):
        MammothClient.from_env({C.ENV_URL: url, C.ENV_KEY: KEY, C.ENV_SECRET: SECRET})


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "https://example.com"]
)
def test_loopback_and_https_are_allowed(url):
    assert MammothClient(url, token=TOKEN).url.endswith("/api/v2")


def test_tls_verification_stays_on():
    client = MammothClient("https://example.com", token=TOKEN)
    assert client.session.verify is True
    session = requests.Session()
    session.verify = str(REPO / "ca.pem")  # a private CA bundle is fine
    assert MammothClient("https://example.com", token=TOKEN, session=session).session.verify
    off = requests.Session()
    off.verify = False
    with pytest.raises(MammothConfigError, match="verif"):
        MammothClient("https://example.com", token=TOKEN, session=off)


def _code_lines(path: Path) -> dict[int, str]:
    """Each line's code tokens, without string literals or comments."""
    skip = {tokenize.STRING, tokenize.COMMENT}
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
        if hasattr(tokenize, name):
            skip.add(getattr(tokenize, name))
    lines: dict[int, list[str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type not in skip and token.string.strip():
            lines.setdefault(token.start[0], []).append(token.string)
    return {number: " ".join(tokens) for number, tokens in lines.items()}


def test_nothing_in_the_package_turns_tls_verification_off():
    pattern = re.compile(
        r"verify\s*=\s*(False|0)\b|CERT_NONE|check_hostname\s*=\s*False|disable_warnings"
        r"|_create_unverified_context|PYTHONHTTPSVERIFY|CURL_CA_BUNDLE"
    )
    assert pattern.search("session . verify = False")  # the check itself works
    offenders = [
        f"{path.relative_to(REPO)}:{number}: {code}"
        for path in sorted((REPO / "mammoth_pandas").rglob("*.py"))
        for number, code in _code_lines(path).items()
        if pattern.search(code)
    ]
    assert offenders == []


class _Redirector:
    """Two loopback servers on different ports: ``start`` redirects to ``target``, which
    records the headers it receives."""

    def __init__(self) -> None:
        from werkzeug.serving import make_server
        from werkzeug.wrappers import Request, Response

        self.received: list[dict[str, str]] = []

        @Request.application
        def target(request: Request) -> Response:
            self.received.append(dict(request.headers))
            return Response('{"dataset": {"id": 1}}', content_type="application/json")

        self.target = make_server("127.0.0.1", 0, target, threaded=True)

        @Request.application
        def start(request: Request) -> Response:
            location = f"http://127.0.0.1:{self.target.server_port}{request.full_path}"
            return Response("", status=302, headers={"Location": location})

        self.start = make_server("127.0.0.1", 0, start, threaded=True)
        for server in (self.target, self.start):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self.target, self.start):
            server.shutdown()
            server.server_close()


@pytest.fixture
def redirector() -> Iterator[_Redirector]:
    servers = _Redirector()
    yield servers
    servers.close()


AUTHS = {"key pair": {"api_key": KEY, "api_secret": SECRET}, "bearer token": {"token": TOKEN}}
CALLS: dict[str, Callable[[MammothClient], Any]] = {
    "read": lambda c: c.datasets.get(1, 1, 1),
    "write": lambda c: c.batches.update(1, 1, 1, suspend=[1]),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("auth", sorted(AUTHS))
def test_credentials_never_follow_a_redirect_to_another_origin(redirector, figures, auth, call):
    client = MammothClient(f"http://127.0.0.1:{redirector.start.server_port}", **AUTHS[auth])
    with pytest.raises(MammothError) as info:  # a redirect is refused, with a typed error
        CALLS[call](client)
    assert not _leaks(_error_texts(info.value))
    assert not _leaks(json.dumps(redirector.received))
    figures.add("security_refusals")


URL_PASSWORD = "hunter2-url-password"


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{URL_PASSWORD}@h.example",
        f"https://user:{URL_PASSWORD}@h.example/api/v2",
        f"ftp://user:{URL_PASSWORD}@h.example",
        f"http://user:{URL_PASSWORD}@10.0.0.1",
    ],
)
def test_a_password_in_the_server_url_is_never_shown(url):
    for insecure in (False, True):
        try:
            client = MammothClient(url, token=TOKEN, allow_insecure_http=insecure)
        except MammothError as error:  # refusing such a URL is fine, without echoing it
            shown = _error_texts(error)
        else:
            shown = _texts(client) + client.url
        assert URL_PASSWORD not in shown
