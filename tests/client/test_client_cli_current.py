"""``whoami``, ``projects list``, ``batches data`` and ``datasets stats``, through ``main``."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mammoth_pandas import cli


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_whoami_names_the_workspace_and_its_projects(capsys) -> None:
    code, out, _ = _run(capsys, "whoami", "--sandbox")
    assert code == 0
    assert "Demo workspace" in out
    assert "Demo project" in out
    assert "Partners" in out


def test_projects_list_as_json(capsys) -> None:
    code, out, _ = _run(capsys, "projects", "list", "--sandbox", "--format", "json", "--sort=-id")
    assert code == 0
    projects = json.loads(out)
    ids = [p["id"] for p in projects] if isinstance(projects, list) else list(projects)
    assert [int(i) for i in ids] == sorted((int(i) for i in ids), reverse=True)


def test_batches_data_as_csv_with_columns_by_name(capsys) -> None:
    code, out, _ = _run(
        capsys, "batches", "data", "1001", "--sandbox", "--columns", "Customer,Email",
        "--limit", "4", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4
    assert {"Customer", "Email"} <= set(rows[0])
    assert all("@" in r["Email"] for r in rows)


def test_batches_data_of_an_unknown_column_is_a_usage_error(capsys) -> None:
    code, out, err = _run(capsys, "batches", "data", "1001", "--sandbox", "--columns", "Nope")
    assert code == 2
    assert "columns: unknown column 'Nope'" in err
    assert out == ""


def test_datasets_stats_lists_every_column_of_the_project(capsys) -> None:
    code, out, _ = _run(capsys, "datasets", "stats", "--sandbox", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    customers = [r for r in rows if r["dataset"] == "Customers"]
    assert {r["column"] for r in customers} >= {"Customer", "Email"}
    assert all(0.0 <= float(r["blank_share"]) <= 1.0 for r in rows)
