"""The ``batches``, ``datasets`` and ``jobs`` commands, run through ``main([...])``."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mammoth_pandas import cli, demo
from mammoth_pandas import contract as C
from mammoth_pandas.sandbox import DEMO, Sandbox

WHERE = ["--workspace", str(DEMO.workspace_id), "--project", str(DEMO.project_id)]
DS = ["--dataset", str(DEMO.customers)]
ENV_NAMES = (C.ENV_URL, C.ENV_KEY, C.ENV_SECRET, C.ENV_TOKEN, C.ENV_SDK_KEY, C.ENV_SDK_SECRET)


@pytest.fixture(autouse=True)
def terminal(monkeypatch, tmp_path):
    """A 100-column terminal, and a cache folder of the test's own for ``--sandbox``."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def use(monkeypatch, sandbox: Sandbox) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(C.ENV_URL, sandbox.url)
    monkeypatch.setenv(C.ENV_KEY, sandbox.api_key)
    monkeypatch.setenv(C.ENV_SECRET, sandbox.api_secret)


def test_list_as_table_csv_and_json(monkeypatch, capsys, sandbox: Sandbox, client) -> None:
    use(monkeypatch, sandbox)
    expected = client.batches.list(
        DEMO.workspace_id, DEMO.project_id, DEMO.customers, status="suspended"
    )
    assert cli.main(["batches", "list", *WHERE, *DS, "--status", "suspended"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["id", "name", "state"]
    assert set(table[1]) <= {"-", " "}
    assert len(table) == 2 + len(expected)
    assert all(" suspended " in line for line in table[2:])

    assert (
        cli.main(["batches", "list", *WHERE, *DS, "--status", "suspended", "--format", "csv"]) == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [int(r["id"]) for r in rows] == list(expected.index)
    assert rows[0]["created_at"].endswith("Z")

    assert (
        cli.main(
            [
                "batches",
                "list",
                *WHERE,
                *DS,
                "--format",
                "json",
                "--limit",
                "3",
                "--sort=-created_at",
            ]
        )
        == 0
    )
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 3
    assert records[0]["created_at"] >= records[1]["created_at"] >= records[2]["created_at"]
    assert isinstance(records[0]["row_count"], int)


def test_get_datasets_and_schema(monkeypatch, capsys, sandbox: Sandbox) -> None:
    use(monkeypatch, sandbox)
    assert cli.main(["batches", "get", "1001", *WHERE, *DS, "--format", "json"]) == 0
    batch = json.loads(capsys.readouterr().out)
    assert batch["id"] == 1001
    assert batch["state"] in C.BATCH_STATES
    assert cli.main(["datasets", "list", *WHERE]) == 0
    assert "Customers" in capsys.readouterr().out
    assert cli.main(["datasets", "schema", *WHERE, *DS, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "c_id,c_name,c_type"
    assert "column_1,Customer,text" in out


def test_mutations_print_their_job(monkeypatch, capsys, fresh_sandbox: Sandbox) -> None:
    use(monkeypatch, fresh_sandbox)
    client = fresh_sandbox.client()
    active = [
        str(i)
        for i in client.batches.list(
            DEMO.workspace_id, DEMO.project_id, DEMO.customers, status="active"
        ).index[:3]
    ]
    assert cli.main(["batches", "suspend", active[0], active[1], *WHERE, *DS]) == 0
    out = capsys.readouterr().out
    assert "success" in out
    assert "update_batches" in out
    assert cli.main(["batches", "restore", active[0], *WHERE, *DS, "--format", "json"]) == 0
    job = json.loads(capsys.readouterr().out)
    assert job["status"] == "success"
    assert cli.main(["batches", "remove", f"{active[1]},{active[2]}", *WHERE, *DS]) == 0
    capsys.readouterr()
    assert (
        cli.main(["batches", "delete", active[0], *WHERE, *DS, "--no-wait", "--format", "json"])
        == 0
    )
    job_id = json.loads(capsys.readouterr().out)["id"]
    fresh_sandbox.wait_idle()
    assert cli.main(["jobs", "get", str(job_id)]) == 0
    shown = capsys.readouterr().out
    assert str(job_id) in shown
    assert "success" in shown
    listing = client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    assert not {int(a) for a in active} & set(listing.index)
    mapping = json.dumps(
        [
            {
                "destination_c_name": "Email",
                "source_c_name": "E-mail address",
                "expected_destination_c_type": "TEXT",
            }
        ]
    )
    code = cli.main(["batches", "create", *WHERE, *DS, "--source-id", str(DEMO.crm_export),
                             "--mapping", mapping, "--validate-only"])  # fmt: skip
    assert code == 0
    assert "success" in capsys.readouterr().out


def test_no_credentials_says_how_to_set_them(monkeypatch, capsys) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["batches", "list", *WHERE, *DS]) == 2
    err = capsys.readouterr().err
    assert C.ENV_KEY in err
    assert C.ENV_SECRET in err
    assert "--sandbox" in err
    assert "--api-key" in err  # shell words, not Python ones
    assert "api_key=" not in err
    assert "MammothClient" not in err


def test_bad_input_and_server_errors_exit_codes(monkeypatch, capsys, sandbox: Sandbox) -> None:
    use(monkeypatch, sandbox)
    assert cli.main(["batches", "list", *WHERE, *DS, "--status", "archived"]) == 2
    assert "status" in capsys.readouterr().err
    assert cli.main(["batches", "get", "999999", *WHERE, *DS]) == 1
    assert "404" in capsys.readouterr().err
    assert cli.main(["batches", "list", *WHERE]) == 2
    assert "--dataset" in capsys.readouterr().err
    assert cli.main(["batches", "frobnicate"]) == 2


def test_sandbox_option_runs_without_credentials(monkeypatch, capsys) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["batches", "list", "--sandbox", "--limit", "4", "--fields", "__min"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "state", "created_at"]
    assert len(lines) == 2 + 4


def test_demo_prints_a_table_and_jobs(capsys) -> None:
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert "id    name" in out
    assert "Job(id=" in out
    assert out.count("update_batches") == 2
    assert "is now suspended" in out
    assert "is now active" in out


@pytest.mark.parametrize("argv", [["batches", "--help"], ["batches", "list", "--help"]])
def test_help_exits_cleanly(argv: list[str], capsys) -> None:
    assert cli.main(argv) == 0
    assert "usage" in capsys.readouterr().out


def test_created_range_options(monkeypatch, capsys, sandbox: Sandbox, client) -> None:
    use(monkeypatch, sandbox)
    full = client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    cut = full.created_at.sort_values().iloc[40]
    expected = full[full.created_at >= cut]
    argv = ["batches", "list", *WHERE, *DS, "--format", "json", "--created-from", cut.isoformat()]
    assert cli.main(argv) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == list(expected.index)
    argv += ["--created-at", "(from:'2024-01-01')"]
    assert cli.main(argv) == 2
    assert "--created-at" in capsys.readouterr().err
