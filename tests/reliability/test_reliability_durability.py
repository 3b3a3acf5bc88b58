"""Durability: the sandbox runs as its own process on a database file; it is killed with
SIGKILL while jobs run and restarted on the same file. The database opens and passes
SQLite's integrity check, no batch is half-written (each batch's stored rows match its
row count, and the datasets' stats follow their active batches), every job that was
running ends as succeeded or failed (never stuck ``processing``), and none was applied
twice."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import MammothError
from mammoth_pandas.sandbox import DEMO
from tests.reliability.reliability_support import wait_for

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers
KEY, SECRET = "mk_durability", "durability-secret-value"
CRM_MAPPING = [
    {"destination_c_id": dest, "source_c_id": src, "expected_destination_c_type": kind}
    for dest, src, kind in (
        ("column_1", "column_2", "TEXT"),
        ("column_2", "column_1", "TEXT"),
        ("column_5", "column_4", "DATE"),
        ("column_6", "column_5", "NUMERIC"),
    )
]


class Server:
    """``python -m mammoth_pandas.sandbox.cli`` on a database file, as a child process."""

    def __init__(self, db: Path, job_delay: float) -> None:
        command = [
            sys.executable, "-m", "mammoth_pandas.sandbox.cli", "--db", str(db), "--port", "0",
            "--job-delay", str(job_delay), "--api-key", KEY, "--api-secret", SECRET,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        assert "ready at " in first, first + (self.process.stderr.read() if first == "" else "")
        self.url = first.split("ready at ", 1)[1].strip()
        assert self.url.startswith("http://127.0.0.1:")
        self.client = MammothClient(self.url, api_key=KEY, api_secret=SECRET)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)
        assert self.process.returncode == -signal.SIGKILL
        for stream in (self.process.stdout, self.process.stderr):  # no communicate() here
            if stream is not None:
                stream.close()
        self.client.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.communicate(timeout=20)
        self.client.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def _check_database(db: Path) -> dict[str, int]:
    """Integrity of the file itself, read straight from SQLite."""
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        half_written = connection.execute(
            "SELECT b.id, b.row_count, (SELECT COUNT(*) FROM rows r WHERE r.batch_id = b.id)"
            " FROM batches b WHERE b.dataset_id != ?"
            " AND b.row_count != (SELECT COUNT(*) FROM rows r WHERE r.batch_id = b.id)",
            (DEMO.scale,),
        ).fetchall()
        assert half_written == []
        orphans = connection.execute(
            "SELECT COUNT(*) FROM rows WHERE batch_id NOT IN (SELECT id FROM batches)"
        ).fetchone()[0]
        assert orphans == 0
        applied_twice = connection.execute(
            "SELECT job_id FROM actions GROUP BY job_id HAVING COUNT(*) > 1"
        ).fetchall()
        assert applied_twice == []
        return {
            "batches": connection.execute("SELECT COUNT(*) FROM batches").fetchone()[0],
            "jobs": connection.execute("SELECT COUNT(*) FROM jobs").fetchone()[0],
        }
    finally:
        connection.close()


def _check_stats(client: MammothClient) -> None:
    for ds in (DEMO.customers, DEMO.crm_export, DEMO.orders):
        listing = client.batches.list(WS, PR, ds)
        active = listing[listing.state == "active"]
        stats = client.datasets.get(WS, PR, ds)["stats"]
        assert stats["batch_count"] == len(active)
        assert stats["row_count"] == int(active.row_count.sum())


def _all_done(client: MammothClient, job_ids: list[int]) -> bool:
    return all(job.done for job in client.jobs.list(job_ids))


def test_sigkill_while_jobs_wait_then_restart(tmp_path, servers, figures):
    db = tmp_path / "sandbox.db"
    first = Server(db, job_delay=2.0)
    servers.append(first)
    client = first.client
    listing = client.batches.list(WS, PR, DS)
    active = [int(i) for i in listing.index[listing.state == "active"]]
    suspended = [int(i) for i in listing.index[listing.state == "suspended"]]
    jobs = [
        client.batches.create(WS, PR, DS, source_id=DEMO.crm_export, mapping=CRM_MAPPING),
        client.batches.create(WS, PR, DS, source_id=DEMO.crm_export, mapping=CRM_MAPPING),
        client.batches.update(WS, PR, DS, suspend=active[:3], restore=suspended[:1]),
        client.batches.remove(WS, PR, DS, active[3:5]),
        client.batches.delete(WS, PR, DS, active[5]),
    ]
    ids = [int(job.id) for job in jobs if job.id is not None]
    assert len(ids) == 5
    assert all(job.status == "processing" for job in client.jobs.list(ids))
    first.kill()
    _check_database(db)  # the file as the kill left it
    assert _processing_in_file(db) == 5
    figures.add("durability_kills")
    figures.add("durability_jobs_interrupted", 5)

    second = Server(db, job_delay=0.0)
    servers.append(second)
    wait_for(lambda: _all_done(second.client, ids), timeout=20, what="the interrupted jobs")
    finished = second.client.jobs.list(ids)
    assert {job.status for job in finished} <= {"success", "failure", "error"}
    assert all(job.succeeded for job in finished), finished  # nothing stood in their way
    figures.add("durability_jobs_recovered", len(finished))
    after = second.client.batches.list(WS, PR, DS)
    assert set(after.loc[active[:3], "state"]) == {"suspended"}
    assert after.loc[suspended[0], "state"] == "active"
    assert not set(active[3:6]) & set(after.index)
    created = [int(job.response["batch_id"]) for job in finished[:2]]
    assert set(created) <= set(after.index)
    assert list(after.loc[created, "row_count"]) == [24, 24]
    _check_stats(second.client)
    second.stop()
    counts = _check_database(db)
    assert counts["jobs"] == 5


def _processing_in_file(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return int(
            connection.execute("SELECT COUNT(*) FROM jobs WHERE status = 'processing'").fetchone()[
                0
            ]
        )
    finally:
        connection.close()


def test_repeated_sigkill_during_a_burst_of_appends(tmp_path, servers, figures):
    """Kill right after a burst of appends, three times over: while the worker applies
    them (no delay), just after (a short delay), and before it starts (a long delay)."""
    db = tmp_path / "sandbox.db"
    all_ids: list[int] = []
    interrupted = 0
    for delay in (0.0, 0.02, 1.0):
        server = Server(db, job_delay=delay)
        servers.append(server)
        if all_ids:  # what the previous kill interrupted ends now
            wait_for(
                lambda s=server, i=list(all_ids): _all_done(s.client, i), timeout=20, what="jobs"
            )
        for _ in range(12):
            job = server.client.batches.create(
                WS, PR, DS, source_id=DEMO.crm_export, mapping=CRM_MAPPING
            )
            all_ids.append(int(job.id))
        server.kill()
        _check_database(db)
        interrupted += _processing_in_file(db)
    assert interrupted >= 1  # the long delay leaves the last burst processing
    figures.add("durability_kills", 3)
    figures.add("durability_jobs_interrupted", interrupted)
    final = Server(db, job_delay=0.0)
    servers.append(final)
    wait_for(lambda: _all_done(final.client, all_ids), timeout=20, what="jobs")
    jobs = final.client.jobs.list(all_ids)
    assert len(jobs) == 36
    assert all(job.succeeded for job in jobs)
    figures.add("durability_jobs_recovered", len(jobs))
    created = {int(job.response["batch_id"]) for job in jobs}
    assert len(created) == 36
    listing = final.client.batches.list(WS, PR, DS)
    assert created <= set(listing.index)
    assert (listing.loc[sorted(created), "row_count"] == 24).all()
    _check_stats(final.client)
    final.stop()
    _check_database(db)


def test_sigkill_while_requests_are_in_flight(tmp_path, servers, figures):
    """Four threads keep sending appends and suspends while the process is killed: each
    request either committed whole (its job, its idempotency record) or left no trace."""
    db = tmp_path / "sandbox.db"
    first = Server(db, job_delay=0.0)
    servers.append(first)
    sent = []
    stop = threading.Event()
    lock = threading.Lock()

    def hammer(worker: int) -> None:
        client = MammothClient(first.url, api_key=KEY, api_secret=SECRET, max_retries=0)
        k = 0
        while not stop.is_set():
            k += 1
            try:
                if k % 2:
                    client.batches.create(
                        WS, PR, DS, source_id=DEMO.crm_export, mapping=CRM_MAPPING
                    )
                else:
                    client.batches.update(WS, PR, DS, suspend=[1001 + worker], restore=[])
            except MammothError:
                if first.process.poll() is not None:
                    return
            with lock:
                sent.append(worker)

    threads = [threading.Thread(target=hammer, args=(i,), daemon=True) for i in range(4)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(sent) >= 40, timeout=30, what="forty requests answered")
    first.kill()  # while the four threads are still sending
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    _check_database(db)
    connection = sqlite3.connect(db)
    try:
        dangling = connection.execute(
            "SELECT COUNT(*) FROM idempotency WHERE job_id IS NOT NULL"
            " AND job_id NOT IN (SELECT id FROM jobs)"
        ).fetchone()[0]
        job_ids = [r[0] for r in connection.execute("SELECT id FROM jobs ORDER BY id")]
    finally:
        connection.close()
    assert dangling == 0
    figures.add("durability_kills")
    figures.add("durability_jobs_interrupted", _processing_in_file(db))

    second = Server(db, job_delay=0.0)
    servers.append(second)
    wait_for(lambda: _all_done(second.client, job_ids), timeout=20, what="jobs")
    jobs = second.client.jobs.list(job_ids)
    assert len(jobs) == len(job_ids) >= 40
    assert {job.status for job in jobs} <= {"success", "failure"}
    figures.add("durability_jobs_recovered", len(jobs))
    _check_stats(second.client)
    second.stop()
    _check_database(db)
