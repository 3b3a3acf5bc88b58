"""State in a SQLite file: restarts, jobs interrupted by a crash, the CLI, the scale dataset."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import requests

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox import cli as sandbox_cli

LIST = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"


def _get(sb: Sandbox, path: str, **kwargs: Any) -> requests.Response:
    return requests.get(sb.url + path, headers=sb.headers, timeout=10, **kwargs)


def test_state_survives_a_restart(tmp_path):
    db = tmp_path / "demo.db"
    with Sandbox(db, job_delay=0) as sb:
        suspend = requests.patch(
            sb.url + LIST,
            json={"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}},
            headers={**sb.headers, "Idempotency-Key": "persist-1"},
            timeout=10,
        )
        requests.delete(sb.url + LIST + "/1002", headers=sb.headers, timeout=10)
        sb.wait_idle()
        first_job = suspend.json()["job_id"]
    assert db.exists()
    with Sandbox(db, job_delay=0) as sb:
        assert _get(sb, LIST + "/1001").json()["batch"]["state"] == "suspended"
        assert _get(sb, LIST + "/1002").status_code == 404
        assert len(_get(sb, LIST, params={"limit": 100}).json()["batches"]) == 59  # not re-seeded
        assert _get(sb, f"/jobs/{first_job}").json()["job"]["status"] == "success"
        again = requests.patch(
            sb.url + LIST,
            json={"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}},
            headers={**sb.headers, "Idempotency-Key": "persist-1"},
            timeout=10,
        )
        assert again.json()["job_id"] == first_job
        assert sb.actions()[0]["job_id"] == first_job


def test_a_job_interrupted_by_a_stop_completes_on_the_next_start(tmp_path):
    db = tmp_path / "demo.db"
    sb = Sandbox(db).start()
    with sb.hold_jobs():
        response = requests.delete(sb.url + LIST + "/1003", headers=sb.headers, timeout=10)
        job_id = response.json()["job_id"]
        sb.stop()  # while the job is still held
    with closing(sqlite3.connect(db)) as conn:
        status = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
    assert status == "processing"
    with Sandbox(db) as sb:
        sb.wait_idle()
        assert _get(sb, f"/jobs/{job_id}").json()["job"]["status"] == "success"
        assert _get(sb, LIST + "/1003").status_code == 404


def test_without_a_path_the_database_is_temporary():
    sb = Sandbox().start()
    path = sb._live_store().path
    assert path.exists()
    sb.stop()
    assert not path.exists()
    assert not sb.running


def test_scale_dataset(tmp_path):
    db = tmp_path / "scale.db"
    with Sandbox(db, scale=2500) as sb:
        page = _get(
            sb,
            f"/workspaces/1/projects/1/datasets/{DEMO.scale}/batches",
            params={"limit": 100, "offset": 2450},
        ).json()
        assert len(page["batches"]) == 50
        assert page["next"] == ""
        dataset = _get(sb, f"/workspaces/1/projects/1/datasets/{DEMO.scale}").json()["dataset"]
        assert 1500 < dataset["stats"]["batch_count"] < 2500
        assert {"active", "suspended", "sync_pending"} == {
            b["state"]
            for b in _get(
                sb, f"/workspaces/1/projects/1/datasets/{DEMO.scale}/batches", params={"limit": 100}
            ).json()["batches"]
        }
    with Sandbox(db, scale=2500) as sb:  # a restart does not add them twice
        dataset = _get(
            sb, f"/workspaces/1/projects/1/datasets/{DEMO.scale}", params={"fields": "__full"}
        )
        assert len(dataset.json()["dataset"]["batch_ids"]) == 2500


def test_no_scale_dataset_by_default(sandbox):
    assert _get(sandbox, f"/workspaces/1/projects/1/datasets/{DEMO.scale}").status_code == 404


def test_without_seed_there_is_an_empty_project():
    with Sandbox(seed=False) as sb:
        body = _get(sb, "/workspaces/1/projects/1/datasets").json()
        assert body == {"datasets": [], "next": "", "limit": 50, "offset": 0}


def test_binding_beyond_loopback_warns():
    with (
        pytest.warns(RuntimeWarning, match="reachable from other machines"),
        pytest.raises(OSError, match=r"cannot listen on 192\.0\.2\.1"),
    ):
        Sandbox(host="192.0.2.1").start()  # TEST-NET address: warns, then cannot bind


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"scale": -1}, "scale"), ({"job_delay": -1}, "job_delay")]
)
def test_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Sandbox(**kwargs)


# -- the CLI as a process ------------------------------------------------------------------


class Process:
    """A sandbox CLI subprocess whose stdout lines arrive on a queue."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mammoth_pandas.sandbox.cli", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        first = self.lines.get(timeout=30)
        assert first.startswith("Mammoth sandbox ready at http://127.0.0.1:"), first
        self.url = first.rsplit(" ", 1)[1].strip()
        exports = dict(self._export(self.lines.get(timeout=5)) for _ in range(4))
        self.headers = {
            "X-API-KEY": exports["MAMMOTH_API_KEY"],
            "X-API-SECRET": exports["MAMMOTH_API_SECRET"],
        }
        assert exports["MAMMOTH_API_URL"] == self.url

    @staticmethod
    def _export(line: str) -> tuple[str, str]:
        name, value = line.strip().removeprefix("export ").split("=", 1)
        return name, value

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def get(self, path: str) -> requests.Response:
        return requests.get(self.url + path, headers=self.headers, timeout=10)


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
        process.proc.wait(timeout=10)
        assert process.proc.stdout is not None
        process.proc.stdout.close()


def _wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        pause.wait(0.05)


def test_cli_survives_sigkill_with_a_job_in_flight(tmp_path, processes):
    db = str(tmp_path / "killed.db")
    first = Process("--db", db, "--job-delay", "600")
    processes.append(first)
    delete = requests.delete(
        first.url + LIST + "/1004",
        headers={**first.headers, "Idempotency-Key": "kill-1"},
        timeout=10,
    )
    assert delete.status_code == 202
    job_id = delete.json()["job_id"]
    assert first.get(LIST + "/1004").json()["batch"]["state"] == "deleting"
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(timeout=10)

    second = Process("--db", db, "--job-delay", "0")
    processes.append(second)
    _wait_for(lambda: second.get(f"/jobs/{job_id}").json()["job"]["status"] != "processing")
    assert second.get(f"/jobs/{job_id}").json()["job"]["status"] == "success"
    assert second.get(LIST + "/1004").status_code == 404
    retry = requests.delete(
        second.url + LIST + "/1004",
        headers={**second.headers, "Idempotency-Key": "kill-1"},
        timeout=10,
    )
    assert retry.json()["job_id"] == job_id
    listing = second.get(LIST + "?limit=100").json()["batches"]
    assert len(listing) == 59
    second.proc.send_signal(signal.SIGTERM)
    assert second.proc.wait(timeout=10) == 0


def test_cli_takes_credentials_and_faults(processes):
    process = Process(
        "--api-key",
        "demo-key",
        "--api-secret",
        "demo-secret",
        "--rate-503",
        "1",
        "--retry-after",
        "4",
    )
    processes.append(process)
    assert process.headers == {"X-API-KEY": "demo-key", "X-API-SECRET": "demo-secret"}
    response = process.get(LIST)
    assert (response.status_code, response.headers["Retry-After"]) == (503, "4")
    process.proc.send_signal(signal.SIGTERM)
    assert process.proc.wait(timeout=10) == 0


def test_cli_rejects_bad_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        sandbox_cli.main(["--rate-429", "1.5"])
    assert exit_info.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert sandbox_cli.main(["--rate-429", "0.6", "--rate-500", "0.6"]) == 2
    assert "add up to" in capsys.readouterr().err


def test_cli_warns_before_binding_beyond_loopback(capsys):
    assert sandbox_cli.main(["--host", "192.0.2.1", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "reachable from other machines" in err
    assert "cannot listen" in err


def test_cli_help_through_the_dispatcher(capsys):
    from mammoth_pandas.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--db" in out
    assert "--rate-429" in out
    assert Path(sandbox_cli.__file__).name == "cli.py"
