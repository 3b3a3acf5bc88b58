"""SQLite storage of the sandbox: datasets, batches, their rows, jobs and the action log.

Every write goes through :meth:`Store.write`: one connection, one lock, one ``BEGIN
IMMEDIATE`` transaction, so a crash leaves either all of a change or none of it. The
database runs in WAL mode, so reads (:meth:`Store.read`) run on a small pool of their own
connections, each inside one read transaction (a consistent snapshot), without waiting for
the writer or for each other.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

#: SQLite's INTEGER range: an id or count outside it matches nothing and cannot be bound
#: to a query, so every integer the sandbox accepts is checked against it first.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    workspace_id INTEGER NOT NULL, project_id INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (workspace_id, project_id)
);
CREATE TABLE IF NOT EXISTS datasets (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
    name TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL, data_schema TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, dataset_id INTEGER NOT NULL, name TEXT NOT NULL,
    state TEXT NOT NULL, prev_state TEXT, created_at TEXT NOT NULL, row_count INTEGER NOT NULL,
    column_count INTEGER NOT NULL, description TEXT NOT NULL, source TEXT NOT NULL,
    data_schema TEXT
);
CREATE INDEX IF NOT EXISTS batches_ds_id ON batches (dataset_id, id);
CREATE INDEX IF NOT EXISTS batches_ds_state ON batches (dataset_id, state);
CREATE INDEX IF NOT EXISTS batches_ds_created ON batches (dataset_id, created_at);
CREATE INDEX IF NOT EXISTS batches_ds_rows ON batches (dataset_id, row_count);
CREATE INDEX IF NOT EXISTS batches_ds_name ON batches (dataset_id, name);
CREATE TABLE IF NOT EXISTS rows (
    batch_id INTEGER NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, status TEXT NOT NULL, response TEXT NOT NULL,
    created_at TEXT NOT NULL, last_updated_at TEXT NOT NULL, path TEXT NOT NULL,
    operation TEXT NOT NULL, params TEXT NOT NULL, run_after REAL NOT NULL,
    idempotency_key TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, run_after);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
    body TEXT NOT NULL, job_id INTEGER
);
CREATE TABLE IF NOT EXISTS actions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL, operation TEXT NOT NULL,
    dataset_id INTEGER NOT NULL, batch_ids TEXT NOT NULL, idempotency_key TEXT,
    applied_at TEXT NOT NULL
);
"""


def now_iso() -> str:
    return iso(datetime.now(timezone.utc))


def iso(moment: datetime) -> str:
    """The contract's timestamp form, fixed width so that text order is time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """The sandbox's database. ``path`` is a file; the caller owns its lifetime."""

    #: Read connections kept open; a request beyond them waits for one to come back.
    READERS = 4

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn = self._connect()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=OFF")
        #: Counts committed writes: a cache keyed by it is never stale.
        self.generation = 0
        with self.write() as db:
            db.executescript_in_tx(SCHEMA)
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._all_readers: list[sqlite3.Connection] = []
        for _ in range(self.READERS):
            reader = self._connect()
            self._all_readers.append(reader)
            self._readers.put(reader)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=30.0
        )
        conn.row_factory = sqlite3.Row
        return conn

    def close(self) -> None:
        with self._lock:
            for reader in self._all_readers:
                reader.close()
            self._conn.close()

    @contextmanager
    def read(self) -> Iterator[Db]:
        """One read transaction on a pooled connection: every query inside sees one snapshot."""
        reader = self._readers.get()
        try:
            reader.execute("BEGIN")
            try:
                yield Db(reader)
            finally:
                reader.execute("COMMIT")
        finally:
            self._readers.put(reader)

    @contextmanager
    def write(self) -> Iterator[Db]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Db(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self.generation += 1

    def backup_to(self, target: Path) -> None:
        with self._lock:
            dest = sqlite3.connect(str(target))
            try:
                self._conn.backup(dest)
            finally:
                dest.close()


class Db:
    """Queries over one connection, used inside :meth:`Store.read` / :meth:`Store.write`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def executescript_in_tx(self, script: str) -> None:
        for statement in script.split(";"):
            if statement.strip():
                self.conn.execute(statement)

    def all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def run(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def many(self, sql: str, rows: Any) -> None:
        self.conn.executemany(sql, rows)

    # -- meta ---------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.run("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- datasets -----------------------------------------------------------------------

    def project_exists(self, workspace_id: int, project_id: int | None = None) -> bool:
        params: tuple[int, ...]
        if project_id is None:
            sql, params = "SELECT 1 FROM projects WHERE workspace_id = ?", (workspace_id,)
        else:
            sql = "SELECT 1 FROM projects WHERE workspace_id = ? AND project_id = ?"
            params = (workspace_id, project_id)
        return self.one(sql, params) is not None

    def dataset(self, dataset_id: int) -> sqlite3.Row | None:
        return self.one(
            "SELECT * FROM datasets WHERE id = ? AND status != 'deleted'", (dataset_id,)
        )

    def dataset_schema(self, dataset_id: int) -> list[dict[str, str]]:
        raw = self.scalar("SELECT data_schema FROM datasets WHERE id = ?", (dataset_id,))
        return [] if raw is None else list(json.loads(raw))

    def dataset_stats(self, dataset_id: int, column_count: int) -> dict[str, int]:
        row = self.one(
            "SELECT COUNT(*) AS n, COALESCE(SUM(row_count), 0) AS r FROM batches"
            " WHERE dataset_id = ? AND state = 'active'",
            (dataset_id,),
        )
        assert row is not None
        return {"batch_count": row["n"], "row_count": row["r"], "column_count": column_count}

    def touch_dataset(self, dataset_id: int) -> None:
        self.run("UPDATE datasets SET updated_at = ? WHERE id = ?", (now_iso(), dataset_id))

    # -- batches ------------------------------------------------------------------------

    def batch(self, dataset_id: int, batch_id: int) -> sqlite3.Row | None:
        return self.one(
            "SELECT * FROM batches WHERE dataset_id = ? AND id = ?", (dataset_id, batch_id)
        )

    def batch_states(self, dataset_id: int, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        found = self.all(
            f"SELECT id, state FROM batches WHERE dataset_id = ? AND id IN ({marks})",  # noqa: S608
            (dataset_id, *ids),
        )
        return {row["id"]: row["state"] for row in found}

    def insert_batch(
        self,
        *,
        dataset_id: int,
        name: str,
        state: str,
        created_at: str,
        rows: list[dict[str, Any]],
        column_count: int,
        description: dict[str, Any],
        source: dict[str, Any],
        data_schema: list[dict[str, str]],
    ) -> int:
        cursor = self.run(
            "INSERT INTO batches (dataset_id, name, state, created_at, row_count, column_count,"
            " description, source, data_schema) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dataset_id,
                name,
                state,
                created_at,
                len(rows),
                column_count,
                json.dumps(description),
                json.dumps(source),
                json.dumps(data_schema),
            ),
        )
        batch_id = int(cursor.lastrowid or 0)
        self.many(
            "INSERT INTO rows (batch_id, seq, data) VALUES (?, ?, ?)",
            ((batch_id, seq, json.dumps(row)) for seq, row in enumerate(rows)),
        )
        return batch_id

    def delete_batches(self, ids: list[int]) -> None:
        for batch_id in ids:
            self.run("DELETE FROM rows WHERE batch_id = ?", (batch_id,))
            self.run("DELETE FROM batches WHERE id = ?", (batch_id,))

    def rows_of(self, dataset_id: int, batch_id: int | None) -> list[dict[str, Any]]:
        if batch_id is None:
            found = self.all(
                "SELECT r.data FROM rows r JOIN batches b ON b.id = r.batch_id"
                " WHERE b.dataset_id = ? AND b.state = 'active' ORDER BY b.id, r.seq",
                (dataset_id,),
            )
        else:
            found = self.all(
                "SELECT r.data FROM rows r JOIN batches b ON b.id = r.batch_id"
                " WHERE b.dataset_id = ? AND b.id = ? ORDER BY r.seq",
                (dataset_id, batch_id),
            )
        return [json.loads(row["data"]) for row in found]

    # -- jobs ---------------------------------------------------------------------------

    def insert_job(
        self,
        *,
        operation: str,
        path: str,
        params: dict[str, Any],
        run_after: float,
        idempotency_key: str | None,
    ) -> int:
        stamp = now_iso()
        cursor = self.run(
            "INSERT INTO jobs (status, response, created_at, last_updated_at, path, operation,"
            " params, run_after, idempotency_key) VALUES ('processing', '{}', ?, ?, ?, ?, ?, ?, ?)",
            (stamp, stamp, path, operation, json.dumps(params), run_after, idempotency_key),
        )
        return int(cursor.lastrowid or 0)

    def finish_job(self, job_id: int, status: str, response: dict[str, Any]) -> None:
        self.run(
            "UPDATE jobs SET status = ?, response = ?, last_updated_at = ? WHERE id = ?",
            (status, json.dumps(response), now_iso(), job_id),
        )

    def job(self, job_id: int) -> sqlite3.Row | None:
        return self.one("SELECT * FROM jobs WHERE id = ?", (job_id,))

    def log_action(
        self,
        *,
        job_id: int,
        operation: str,
        dataset_id: int,
        batch_ids: list[int],
        idempotency_key: str | None,
    ) -> None:
        self.run(
            "INSERT INTO actions (job_id, operation, dataset_id, batch_ids, idempotency_key,"
            " applied_at) VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, operation, dataset_id, json.dumps(batch_ids), idempotency_key, now_iso()),
        )


def job_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "status": row["status"],
        "response": json.loads(row["response"]),
        "created_at": row["created_at"],
        "last_updated_at": row["last_updated_at"],
        "path": row["path"],
        "operation": row["operation"],
    }
