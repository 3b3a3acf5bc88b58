"""The command line as a terminal user meets it: tables that fit, a sandbox that remembers,
missing jobs said, credentials asked for in shell words; exit codes seen from a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mammoth_pandas import MammothClient, cli
from mammoth_pandas import contract as C
from mammoth_pandas.cli import _common, _fit
from mammoth_pandas.errors import MammothConfigError
from mammoth_pandas.sandbox import DEMO, Sandbox

REPO = Path(__file__).resolve().parents[2]
ENV_NAMES = (C.ENV_URL, C.ENV_KEY, C.ENV_SECRET, C.ENV_TOKEN, C.ENV_SDK_KEY, C.ENV_SDK_SECRET)
WHERE = ["--workspace", str(DEMO.workspace_id), "--project", str(DEMO.project_id)]


@pytest.fixture(autouse=True)
def terminal(monkeypatch, tmp_path):
    """No credentials, a 100-column terminal, a cache folder of the test's own."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv: str, cache: Path, env: dict[str, str] | None = None):
    base = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    base.update(PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(cache), COLUMNS="100", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "mammoth_pandas", *argv],
        env=base, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


# -- tables that fit -----------------------------------------------------------------------


@pytest.mark.parametrize("columns", [60, 80, 100, 140])
def test_the_batch_table_fits_the_terminal(monkeypatch, capsys, columns: int):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run(capsys, "batches", "list", "--sandbox")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 + 60
    assert max(map(len, lines)) <= columns
    assert lines[0].split()[:4] == ["id", "name", "state", "created_at"]
    assert "--wide shows them" in err
    assert "2025-01-11 17:29" in out  # to the minute: the seconds would not tell more


@pytest.mark.parametrize("columns", [40, 60])
def test_the_projects_table_fits_the_terminal_and_wide_shows_all(monkeypatch, capsys, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run(capsys, "projects", "list", "--sandbox", "--workspace", "1")
    assert code == 0
    lines = out.splitlines()
    assert max(map(len, lines)) <= columns
    assert lines[0].split()[:2] == ["id", "name"]
    assert "--wide shows them" in err
    code, wide, _ = run(capsys, "projects", "list", "--sandbox", "--workspace", "1", "--wide")
    assert code == 0
    assert max(map(len, wide.splitlines())) > columns
    assert "created_at" in wide.splitlines()[0]


def test_names_are_whole_at_80_columns_and_keep_both_ends_when_narrower(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run(capsys, "batches", "list", "--sandbox")
    assert " customers_2025_01_11.csv " in out
    assert "row_count" in out.splitlines()[0]
    monkeypatch.setenv("COLUMNS", "56")
    _, out, _ = run(capsys, "batches", "list", "--sandbox")
    row = next(line for line in out.splitlines() if line.startswith("1001 "))
    name = row.split()[1]
    assert "…" in name
    assert name.startswith("custom")
    assert name.endswith("_01_11.csv")  # the date that tells the batches apart stays


def test_wider_terminals_show_more_columns(monkeypatch, capsys):
    headers = {}
    for columns in (80, 140):
        monkeypatch.setenv("COLUMNS", str(columns))
        _, out, _ = run(capsys, "batches", "list", "--sandbox")
        headers[columns] = out.splitlines()[0].split()
    assert set(headers[80]) < set(headers[140])
    assert "source" in headers[140]
    _, out, _ = run(capsys, "batches", "list", "--sandbox")
    assert "dataset: CRM export (102)" in out


def test_wide_prints_every_column_in_full(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    code, out, err = run(capsys, "batches", "list", "--sandbox", "--wide")
    assert code == 0
    header = out.splitlines()[0].split()
    for name in ("source_type", "source_file_name", "source_url", "column_count"):
        assert name in header
    assert max(map(len, out.splitlines())) > 60
    assert "more column" not in err


def test_csv_and_json_are_never_cut(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "40")
    _, out, _ = run(capsys, "batches", "list", "--sandbox", "--format", "csv")
    assert out.splitlines()[0].startswith("id,name,state,created_at,row_count,column_count")
    assert "source_url" in out.splitlines()[0]
    _, out, _ = run(capsys, "batches", "list", "--sandbox", "--format", "json", "--limit", "1")
    assert json.loads(out)[0]["name"] == "customers_2025_01_11.csv"


def test_one_batch_fits_too(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    code, out, _ = run(capsys, "batches", "get", "1001", "--sandbox")
    assert code == 0
    assert max(map(len, out.splitlines())) <= 60
    url = next(line for line in out.splitlines() if line.startswith("source_url"))
    assert url.endswith("…")


def test_datasets_say_their_counts_are_of_active_batches(capsys, sandbox: Sandbox):
    code, out, _ = run(capsys, "datasets", "list", "--sandbox")
    assert code == 0
    header = out.splitlines()[0].split()
    assert "active_batches" in header
    assert "batch_count" not in header
    customers = next(line for line in out.splitlines() if line.startswith(f"{DEMO.customers} "))
    active = sandbox.client().batches.list(1, 1, DEMO.customers, status="active")
    assert customers.split()[header.index("active_batches") + 0] == str(len(active))


def test_fit_shortens_in_the_middle():
    assert _fit.shorten("customers_2025_01_19.csv", 18) == "custom…5_01_19.csv"
    assert _fit.shorten("short", 13) == "short"
    assert len(_fit.shorten("x" * 50, 20)) == 20
    assert _fit.shorten("https://example.com/a/b", 10, middle=False) == "https://e…"


# -- a sandbox that remembers --------------------------------------------------------------


def test_the_sandbox_keeps_its_data_between_calls(capsys, terminal: Path):
    code, _, err = run(capsys, "batches", "suspend", "1001", "--sandbox")
    assert code == 0
    path = terminal / "mammoth-pandas" / "sandbox.db"
    assert path.is_file()
    assert f"a new sandbox database at {path}" in err
    code, out, err = run(capsys, "batches", "list", "--sandbox", "--status", "suspended")
    assert code == 0
    assert "1001 " in out  # the next call sees the suspend
    assert "new sandbox database" not in err
    code, out, err = run(capsys, "batches", "get", "1001", "--sandbox", "--format", "json")
    assert json.loads(out)["state"] == "suspended"

    code, out, err = run(capsys, "batches", "get", "1001", "--sandbox-reset", "--format", "json")
    assert code == 0
    assert json.loads(out)["state"] == "active"  # back to the seed
    assert "a new sandbox database" in err


def test_a_job_left_running_is_finished_by_a_later_call(capsys):
    code, out, _ = run(capsys, "batches", "suspend", "1002", "--sandbox", "--no-wait",
                       "--format", "json")  # fmt: skip
    assert code == 0
    job_id = json.loads(out)["id"]
    for _ in range(40):  # each call runs the sandbox a moment: the job's turn comes
        code, out, _ = run(capsys, "jobs", "get", str(job_id), "--sandbox", "--format", "json")
        assert code == 0
        if json.loads(out)["status"] != "processing":
            break
    assert json.loads(out)["status"] == "success"
    _, out, _ = run(capsys, "batches", "get", "1002", "--sandbox", "--format", "json")
    assert json.loads(out)["state"] == "suspended"


def test_the_database_lives_in_the_cache_folder(tmp_path: Path):
    assert _common.sandbox_db_path({"XDG_CACHE_HOME": str(tmp_path)}) == (
        tmp_path / "mammoth-pandas" / "sandbox.db"
    )
    assert _common.sandbox_db_path({}) == Path.home() / ".cache" / "mammoth-pandas" / "sandbox.db"


# -- jobs that do not exist ----------------------------------------------------------------


def test_a_missing_job_is_said_and_fails(capsys):
    code, out, err = run(capsys, "jobs", "get", "999999", "--sandbox")
    assert code == 1
    assert out == ""
    assert "Job 999999 not found (404)" in err


def test_known_jobs_print_and_a_missing_one_still_fails(capsys):
    _, out, _ = run(capsys, "batches", "suspend", "1003", "--sandbox", "--format", "json")
    job_id = json.loads(out)["id"]
    code, out, err = run(capsys, "jobs", "get", f"{job_id},999999", "--sandbox", "--format", "json")
    assert code == 1
    assert json.loads(out)["id"] == job_id
    assert "Job 999999 not found" in err


def test_exit_codes_seen_from_a_process(tmp_path: Path):
    cache = tmp_path / "cache"
    missing = run_process("jobs", "get", "999999", "--sandbox", cache=cache)
    assert missing.returncode == 1
    assert "Job 999999 not found (404)" in missing.stderr
    assert "Traceback" not in missing.stderr
    found = run_process("batches", "list", "--sandbox", "--limit", "2", cache=cache)
    assert found.returncode == 0, found.stderr
    no_credentials = run_process("batches", "list", *WHERE, "--dataset", "101", cache=cache)
    assert no_credentials.returncode == 2
    assert "--api-key" in no_credentials.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path):
    """``mammoth-pandas batches list | head -1``: no traceback when the reader leaves."""
    base = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    base.update(PYTHONPATH=str(REPO), XDG_CACHE_HOME=str(tmp_path / "cache"))
    process = subprocess.Popen(
        [sys.executable, "-m", "mammoth_pandas", "batches", "list", "--sandbox", "--wide"],
        env=base, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline().startswith(b"id")
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0
    assert b"Traceback" not in err


# -- credentials ---------------------------------------------------------------------------


def test_credentials_as_options(capsys, sandbox: Sandbox):
    code, out, err = run(
        capsys, "batches", "list", *WHERE, "--dataset", "101", "--limit", "1", "--format", "csv",
        "--url", sandbox.url, "--api-key", sandbox.api_key, "--api-secret", sandbox.api_secret,
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[1].startswith("1001,")
    wrong = "not-the-secret-5b7c1f"
    code, out, err = run(
        capsys, "batches", "list", *WHERE, "--dataset", "101",
        "--url", sandbox.url, "--api-key", sandbox.api_key, "--api-secret", wrong,
    )  # fmt: skip
    assert code == 1
    assert wrong not in out + err
    assert sandbox.api_secret not in out + err


def test_python_is_told_in_python():
    with pytest.raises(MammothConfigError) as caught:
        MammothClient.from_env({})
    text = str(caught.value)
    assert "MammothClient(url, api_key=..., api_secret=...)" in text
    assert "Sandbox().start().client()" in text
    assert "--api-key" not in text
    assert "--sandbox" not in text
