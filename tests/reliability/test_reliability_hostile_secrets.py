"""Secrets against a gateway that echoes the request's headers in its error answer
(``hostile.py``, mode ``echo_headers``): no message, ``body``, ``repr``, traceback,
``response`` or CLI line shows the key, the secret or the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from typing import Any

import pytest

from mammoth_pandas.errors import MammothAPIError
from tests.reliability.hostile import API_KEY, API_SECRET, TOKEN, HostileServer

SECRETS = (API_KEY, API_SECRET, TOKEN)


def _everything_shown(error: MammothAPIError) -> str:
    shown = [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        json.dumps(error.body, default=str),
        repr(error.body),
        str(error.args),
    ]
    if error.response is not None:
        shown += [error.response.text, repr(error.response.content)]
        shown += [str(v) for v in error.response.request.headers.values()]
    return "\n".join(shown)


CALLS: dict[str, Any] = {
    "list": lambda c: c.batches.list(1, 1, 5),
    "delete": lambda c: c.batches.delete(1, 1, 5, 3),
}


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
@pytest.mark.parametrize("credential", ["key pair", "token"])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_an_echoed_request_never_shows_a_credential(
    hostile: HostileServer, figures, no_wait, as_json: bool, credential: str, call: str
) -> None:
    hostile.mode = "echo_headers"
    hostile.options.update(as_json=as_json, status=400)
    client = hostile.client(token=TOKEN) if credential == "token" else hostile.client()
    with pytest.raises(MammothAPIError) as info:
        CALLS[call](client)
    shown = _everything_shown(info.value)
    assert "bad gateway" in shown.lower()  # the echo did arrive
    assert "********" in shown
    for secret in SECRETS:
        assert secret not in shown
    figures.add("hostile_held")


def test_a_retried_echo_never_shows_a_credential(hostile: HostileServer, figures, no_wait) -> None:
    hostile.mode = "echo_headers"  # 502: retried, then raised
    with pytest.raises(MammothAPIError) as info:
        hostile.client(max_retries=2).batches.list(1, 1, 5)
    shown = _everything_shown(info.value)
    for secret in SECRETS:
        assert secret not in shown
    figures.add("hostile_held")


def test_the_cli_never_shows_an_echoed_credential(hostile: HostileServer, figures) -> None:
    hostile.mode = "echo_headers"
    hostile.options.update(status=400, as_json=False)
    env = {
        **os.environ,
        "MAMMOTH_API_URL": hostile.url,
        "MAMMOTH_API_KEY": API_KEY,
        "MAMMOTH_API_SECRET": API_SECRET,
    }
    command = [sys.executable, "-m", "mammoth_pandas", "batches", "list"]
    command += ["--workspace", "1", "--project", "1", "--dataset", "5"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "bad gateway" in result.stderr.lower()
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr
    figures.add("hostile_held")
