"""SQLite storage of the sandbox: the schema, its transactions and the :class:`Db` queries.

Every write goes through :meth:`Store.write`: one connection, one lock, one ``BEGIN
IMMEDIATE`` transaction whose ``COMMIT`` sits inside the rollback guard, so a crash or a
failing commit (a full disk) leaves either all of a change or none of it. The database
runs in WAL mode, so reads (:meth:`Store.read`) run on a small pool of their own
connections, each inside one read transaction (a consistent snapshot), without waiting
for the writer or for each other.

All SQL of the sandbox lives in the store: this module (schema, meta, jobs, idempotency,
the action log) and its query mixins ``store_catalog`` (workspaces, projects, datasets),
``store_batches`` (batches and their listing) and ``store_rows`` (rows, data reads,
column statistics).
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mammoth_pandas.sandbox.sql import INT_MAX, INT_MIN
from mammoth_pandas.sandbox.store_batches import LISTING_DECLARATION, BatchSql
from mammoth_pandas.sandbox.store_catalog import CatalogSql
from mammoth_pandas.sandbox.store_rows import RowSql
from mammoth_pandas.sandbox.timefmt import iso, now_iso

__all__ = ["INT_MAX", "INT_MIN", "Db", "Store", "iso", "job_json", "now_iso"]

#: The moment seeded and migrated records default to.
EPOCH = "2025-01-06T09:00:00.000000Z"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, date_format TEXT, total_users INTEGER
);
CREATE TABLE IF NOT EXISTS projects (
    workspace_id INTEGER NOT NULL, project_id INTEGER NOT NULL, name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active', created_at TEXT NOT NULL DEFAULT '{EPOCH}',
    updated_at TEXT NOT NULL DEFAULT '{EPOCH}', properties TEXT NOT NULL DEFAULT '{{}}',
    PRIMARY KEY (workspace_id, project_id)
);
CREATE TABLE IF NOT EXISTS datasets (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, project_id INTEGER NOT NULL,
    name TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL, data_schema TEXT NOT NULL, updated_by TEXT, description TEXT,
    additional_info TEXT NOT NULL DEFAULT '{{}}', source_type TEXT
);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, dataset_id INTEGER NOT NULL, name TEXT NOT NULL,
    state TEXT NOT NULL, prev_state TEXT, created_at TEXT NOT NULL, row_count INTEGER NOT NULL,
    column_count INTEGER NOT NULL, description TEXT NOT NULL, source TEXT NOT NULL,
    data_schema TEXT{LISTING_DECLARATION}
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
CREATE TABLE IF NOT EXISTS pending_batches (
    id INTEGER PRIMARY KEY, target_dataset_id INTEGER NOT NULL, dataset_id INTEGER NOT NULL,
    status TEXT NOT NULL, state TEXT NOT NULL, name TEXT NOT NULL, count INTEGER,
    created_at TEXT NOT NULL, needs_review INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS column_stats (
    dataset_id INTEGER PRIMARY KEY, row_count INTEGER, columns TEXT NOT NULL,
    computed_at TEXT NOT NULL
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

#: Columns an older database file lacks, added on open: (table, column, declaration).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("projects", "status", "TEXT NOT NULL DEFAULT 'active'"),
    ("projects", "created_at", f"TEXT NOT NULL DEFAULT '{EPOCH}'"),
    ("projects", "updated_at", f"TEXT NOT NULL DEFAULT '{EPOCH}'"),
    ("projects", "properties", "TEXT NOT NULL DEFAULT '{}'"),
    ("datasets", "updated_by", "TEXT"),
    ("datasets", "description", "TEXT"),
    ("datasets", "additional_info", "TEXT NOT NULL DEFAULT '{}'"),
    ("datasets", "source_type", "TEXT"),
)


class Store:
    """The sandbox's database. ``path`` is a file; the caller owns its lifetime."""

    #: Read connections kept open; a request beyond them waits for one to come back.
    READERS = 4

    def __init__(self, path: Path) -> None:
        """Open (or create) the database at ``path`` and bring its schema up to date."""
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn = self._connect()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=OFF")
        #: Counts commits, twice each: odd while one is under way. A reader that saw the
        #: same even value before and after its snapshot began knows which committed
        #: state it reads (see :meth:`stable`), so a cache keyed by it is never stale.
        self.generation = 0
        #: Whether default listing pages read each batch's JSON as stored at write time (a
        #: file made by an older version renders it as pages are read); known once open.
        self.stored_listing = False
        with self.write() as db:
            db.create_schema()
            self.stored_listing = db.has_stored_listing()
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
        """Close every connection."""
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
                yield Db(reader, stored_listing=self.stored_listing)
            finally:
                _end(reader, "COMMIT")
        finally:
            self._readers.put(reader)

    @contextmanager
    def write(self) -> Iterator[Db]:
        """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on any error.

        That includes an error of the ``COMMIT`` itself.
        """
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Db(self._conn, stored_listing=self.stored_listing)
                self.generation += 1  # odd while the commit is under way
                try:
                    self._conn.execute("COMMIT")
                finally:
                    self.generation += 1
            except BaseException:
                _end(self._conn, "ROLLBACK")
                raise

    def stable(self, generation: int) -> bool:
        """Whether a snapshot reads exactly the committed state that ``generation`` names.

        The snapshot is one begun after reading ``generation`` (and before this call).
        """
        return generation % 2 == 0 and self.generation == generation

    def backup_to(self, target: Path) -> None:
        """Copy the database into the file ``target``."""
        with self._lock:
            dest = sqlite3.connect(str(target))
            try:
                self._conn.backup(dest)
            finally:
                dest.close()


def _end(conn: sqlite3.Connection, statement: str) -> None:
    """End the open transaction; if that fails, roll back so the connection stays usable."""
    if not conn.in_transaction:
        return
    try:
        conn.execute(statement)
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        if statement != "ROLLBACK":
            raise


class Db(CatalogSql, BatchSql, RowSql):
    """Queries over one connection, used inside :meth:`Store.read` / :meth:`Store.write`."""

    def __init__(self, conn: sqlite3.Connection, *, stored_listing: bool = False) -> None:
        """Wrap ``conn``; ``stored_listing`` when its ``batches`` table stores each batch's JSON."""
        super().__init__(conn)
        self.stored_listing = stored_listing

    def create_schema(self) -> None:
        """Create missing tables and add the columns an older file lacks."""
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self.run(statement)
        for table, column, declaration in ADDED_COLUMNS:
            present = {row["name"] for row in self.all(f"PRAGMA table_info({table})")}
            if column not in present:
                self.run(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        for dataset_id in self.datasets_without_stats():
            self.refresh_column_stats(dataset_id)

    def executescript_in_tx(self, script: str) -> None:
        """Run the ``;``-separated statements of ``script`` in the open transaction."""
        for statement in script.split(";"):
            if statement.strip():
                self.run(statement)

    # -- meta ---------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A stored setting, or None."""
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting."""
        self.run("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def set_sequence(self, table: str, last: int) -> None:
        """Make the next AUTOINCREMENT id of ``table`` ``last + 1``."""
        self.run("INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, last))

    def touch_dataset(self, dataset_id: int) -> None:
        """A dataset's rows changed.

        Its ``updated_at`` is now, its column statistics are computed again from its active rows
        (once here, never on a request).
        """
        self.run("UPDATE datasets SET updated_at = ? WHERE id = ?", (now_iso(), dataset_id))
        self.refresh_column_stats(dataset_id)

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
        """A new ``processing`` job; its id."""
        stamp = now_iso()
        cursor = self.run(
            "INSERT INTO jobs (status, response, created_at, last_updated_at, path, operation,"
            " params, run_after, idempotency_key) VALUES ('processing', '{}', ?, ?, ?, ?, ?, ?, ?)",
            (stamp, stamp, path, operation, json.dumps(params), run_after, idempotency_key),
        )
        return int(cursor.lastrowid or 0)

    def finish_job(self, job_id: int, status: str, response: dict[str, Any]) -> None:
        """Record a job's outcome."""
        self.run(
            "UPDATE jobs SET status = ?, response = ?, last_updated_at = ? WHERE id = ?",
            (status, json.dumps(response), now_iso(), job_id),
        )

    def job(self, job_id: int) -> sqlite3.Row | None:
        """One job's row, or None."""
        return self.one("SELECT * FROM jobs WHERE id = ?", (job_id,))

    def processing_job_count(self) -> int:
        """Jobs still ``processing``."""
        return int(self.scalar("SELECT COUNT(*) FROM jobs WHERE status = 'processing'"))

    def next_processing_job(self) -> sqlite3.Row | None:
        """The ``processing`` job due first (its ``id`` and ``run_after``), or None."""
        return self.one(
            "SELECT id, run_after FROM jobs WHERE status = 'processing'"
            " ORDER BY run_after, id LIMIT 1"
        )

    def rerun_interrupted_jobs(self, now: float) -> None:
        """Jobs a crash left ``processing`` run again now."""
        self.run(
            "UPDATE jobs SET run_after = MIN(run_after, ?) WHERE status = 'processing'", (now,)
        )

    # -- idempotency and the action log -------------------------------------------------

    def idempotent_answer(self, key: str) -> sqlite3.Row | None:
        """The stored answer to an ``Idempotency-Key``, or None."""
        return self.one("SELECT * FROM idempotency WHERE key = ?", (key,))

    def remember_answer(self, key: str, digest: str, status: int, body: dict[str, Any]) -> None:
        """Store the answer to an ``Idempotency-Key`` and the digest of its request."""
        self.run(
            "INSERT INTO idempotency (key, request_hash, status, body, job_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (key, digest, status, json.dumps(body), body.get("job_id")),
        )

    def log_action(
        self,
        *,
        job_id: int,
        operation: str,
        dataset_id: int,
        batch_ids: list[int],
        idempotency_key: str | None,
    ) -> None:
        """Append an applied mutation to the action log."""
        self.run(
            "INSERT INTO actions (job_id, operation, dataset_id, batch_ids, idempotency_key,"
            " applied_at) VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, operation, dataset_id, json.dumps(batch_ids), idempotency_key, now_iso()),
        )

    def actions(self) -> list[sqlite3.Row]:
        """The action log, oldest first."""
        return self.all("SELECT * FROM actions ORDER BY seq")

    def health_probe(self) -> int:
        """A trivial query: the number of datasets (raises when the database is unusable)."""
        return int(self.scalar("SELECT COUNT(*) FROM datasets"))


def job_json(row: sqlite3.Row) -> dict[str, Any]:
    """A job row as the wire's ``Job``."""
    return {
        "id": row["id"],
        "status": row["status"],
        "response": json.loads(row["response"]),
        "created_at": row["created_at"],
        "last_updated_at": row["last_updated_at"],
        "path": row["path"],
        "operation": row["operation"],
    }
