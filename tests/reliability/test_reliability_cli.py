"""The command line under faults and with bad credentials: the same output as with no
faults, a suspend applied once, and failures as one line on stderr with a non-zero exit
code, never a traceback and never a secret."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mammoth_pandas import cli
from mammoth_pandas import contract as C
from mammoth_pandas.sandbox import DEMO, Sandbox
from tests.reliability.reliability_support import FaultCounter

SECRET = "cli-secret-never-printed-0123456789"
WHERE = ["--workspace", "1", "--project", "1", "--dataset", str(DEMO.customers)]


@pytest.fixture
def cli_sandbox(monkeypatch, figures) -> Iterator[tuple[Sandbox, FaultCounter]]:
    with Sandbox(api_secret=SECRET, job_delay=0.0) as sb:
        for name in (C.ENV_TOKEN, C.ENV_SDK_KEY, C.ENV_SDK_SECRET):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv(C.ENV_URL, sb.url)
        monkeypatch.setenv(C.ENV_KEY, sb.api_key)
        monkeypatch.setenv(C.ENV_SECRET, SECRET)
        counter = FaultCounter(sb)
        try:
            yield sb, counter
        finally:
            sb.faults.clear()
            figures.merge("faults_injected.", counter.faults)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_listing_through_faults_prints_what_it_prints_without(
    cli_sandbox, capsys, no_wait, figures
):
    _, counter = cli_sandbox
    args = ("batches", "list", *WHERE, "--format", "csv")
    code, expected, _ = _run(capsys, *args)
    assert code == 0
    assert expected.count("\n") > 50
    for fault in ("rate_429", "rate_500", "rate_502", "drop", "truncate", "non_json"):
        counter.force(fault, fault)
        code, out, err = _run(capsys, *args)
        assert (code, out) == (0, expected), err
        assert counter.pending == 0
        figures.add("reads_survived")


def test_a_suspend_through_faults_is_applied_once(cli_sandbox, capsys, no_wait, figures):
    sb, counter = cli_sandbox
    counter.force("rate_503", "rate_500")  # the answers echo the key: retried under it
    code, out, err = _run(capsys, "batches", "suspend", *WHERE, "1001", "--format", "json")
    assert code == 0, err
    assert "success" in out
    sb.wait_idle()
    applied = sb.actions()
    assert len(applied) == 1
    assert applied[0]["batch_ids"] == [1001]
    assert sb.client().batches.get(1, 1, DEMO.customers, 1001)["state"] == "suspended"
    figures.add("writes_exactly_once")


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("wrong secret", 1),
        ("drop on a write", 1),
        ("server down", 1),
        ("plain http elsewhere", 2),
    ],
)
def test_failures_are_one_line_without_a_secret(
    cli_sandbox, capsys, monkeypatch, no_wait, setup, code
):
    _, counter = cli_sandbox
    argv = ["batches", "list", *WHERE]
    if setup == "wrong secret":
        monkeypatch.setenv(C.ENV_SECRET, "x" + SECRET)
    elif setup == "drop on a write":
        counter.force("drop")
        argv = ["batches", "delete", *WHERE, "1001"]
    elif setup == "server down":
        monkeypatch.setenv(C.ENV_URL, "http://127.0.0.1:9")
    else:
        monkeypatch.setenv(C.ENV_URL, "http://example.com")
    got, out, err = _run(capsys, *argv)
    assert got == code
    assert err.startswith("mammoth-pandas: ")
    assert "Traceback" not in err
    assert SECRET not in out + err
    if setup == "drop on a write":
        assert "may or may not have been applied" in err
