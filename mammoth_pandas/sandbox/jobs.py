"""The asynchronous job runner: one worker thread applies queued jobs after ``job_delay``.

A job is a row in ``jobs`` with status ``processing``. The runner applies it, its status
change and its action-log entry in one transaction, so a crash leaves the job
``processing`` with nothing applied, and the next start simply runs it again. A job that
fails (its check fails, or fault injection says so) changes nothing: batches marked
``deleting`` by its request return to their previous state. An error inside a job (a full
disk, a corrupt row) fails that job alone, and the runner carries on (see
:class:`JobRunner`).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from mammoth_pandas.sandbox.faults import Faults
from mammoth_pandas.sandbox.reads import RowsUnavailable, read_rows
from mammoth_pandas.sandbox.seed import resource_path
from mammoth_pandas.sandbox.store import Db, Store, now_iso

log = logging.getLogger(__name__)

_NUMBER_JUNK = re.compile(r"[\s,$€£]")
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
)


class JobFailure(Exception):
    """A job's check failed at run time; the reason lands in ``response.error``."""


#: Seconds between attempts while the database refuses writes (doubling up to the last).
_RETRY_FIRST = 0.05
_RETRY_MAX = 2.0


class JobRunner:
    """The worker thread that applies queued jobs, and survives what one job does.

    An error inside one job (a full disk, a corrupt row, a bug) fails that job alone: its
    transaction is rolled back, and it ends as ``error`` with the reason in
    ``response.error``. When even that cannot be written (the disk is still full), the
    runner keeps the reason, reports itself ``degraded`` in :meth:`health`, and retries
    with a growing delay (up to 2 s) before it runs anything else; once the database takes
    writes again the job's failure is recorded and later jobs run.
    """

    def __init__(self, store: Store, faults: Faults) -> None:
        self.store = store
        self.faults = faults
        self._wake = threading.Condition()
        self._stopping = False
        self._held = 0
        self._thread = threading.Thread(target=self._loop, name="sandbox-jobs", daemon=True)
        self._stats = threading.Lock()
        self._processed = 0
        self._failed = 0
        self._last_error: str | None = None
        self._last_error_at: str | None = None
        self._degraded = False
        self._retry = _RETRY_FIRST
        #: Jobs that failed but whose failure is not stored yet: job id -> reason.
        self._unsettled: dict[int, str] = {}

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker thread (a job being applied finishes first)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout=10)

    def hold(self, held: bool) -> None:
        """Pause (``True``) or resume (``False``) the running of jobs; calls nest."""
        with self._wake:
            self._held += 1 if held else -1
            self._wake.notify_all()

    def notify(self) -> None:
        """Wake the worker (a job was queued, or a job ended)."""
        with self._wake:
            self._wake.notify_all()

    def pending(self) -> int:
        """Jobs still ``processing``."""
        with self.store.read() as db:
            return db.processing_job_count()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no job is ``processing``; ``TimeoutError`` after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self.pending():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"jobs still processing after {timeout} s")
                self._wake.wait(min(remaining, 0.05))

    def health(self) -> dict[str, Any]:
        """The runner's state, for the ``/health`` routes.

        Returns:
            ``status`` (``"ok"``; ``"degraded"`` while the database refuses the runner's
            writes; ``"stopped"`` when the worker is not running), ``processed`` (jobs
            ended), ``failed`` (of those, ended otherwise than ``success``),
            ``unsettled`` (failed jobs whose failure is not stored yet), ``last_error``
            and ``last_error_at`` (the latest error inside a job, or ``None``).
        """
        with self._stats:
            if not self._thread.is_alive():
                status = "stopped"
            else:
                status = "degraded" if self._degraded else "ok"
            return {
                "status": status,
                "processed": self._processed,
                "failed": self._failed,
                "unsettled": len(self._unsettled),
                "last_error": self._last_error,
                "last_error_at": self._last_error_at,
            }

    # -- the worker ---------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
                if self._held > 0:
                    self._wake.wait(1.0)
                    continue
            try:
                delay = self._step()
            except Exception as error:  # the database failing outside any one job
                self._trouble(error)
                delay = self._backoff()
            if delay is not None and delay <= 0:
                continue
            with self._wake:
                if not self._stopping:
                    self._wake.wait(1.0 if delay is None else min(delay, 1.0))

    def _step(self) -> float | None:
        """Store the failures not stored yet, else run the next due job.

        Returns the seconds until there is work (0: now; None: no job queued).
        """
        if self._unsettled:
            self._settle()
            return 0.0
        with self.store.read() as db:
            row = db.next_processing_job()
        if row is None:
            return None
        delay = float(row["run_after"]) - time.time()
        if delay > 0:
            return delay
        self._execute(int(row["id"]))
        self.notify()
        return 0.0

    def _execute(self, job_id: int) -> None:
        try:
            outcome = self._apply(job_id)
        except Exception as error:  # nothing of the job was applied: its transaction rolled back
            if not isinstance(error, sqlite3.Error):
                log.exception("sandbox job %s crashed", job_id)
            with self._stats:  # before the runner says it is degraded, so /health agrees
                self._unsettled[job_id] = _reason(error)
            self._trouble(error)
            self._settle()  # raises while the database still refuses writes
            return
        if outcome is not None:
            self._ended(outcome)

    def _apply(self, job_id: int) -> str | None:
        """Apply one job in one transaction; its final status (None: nothing to do)."""
        with self._write() as db:
            job = db.job(job_id)
            if job is None or job["status"] != "processing":
                return None
            params = json.loads(job["params"])
            db.run("SAVEPOINT job")
            try:
                if self.faults.draw_job_failure():
                    raise JobFailure("injected job failure (sandbox fault injection)")
                response, affected = APPLY[job["operation"]](db, params)
            except JobFailure as failure:
                db.run("ROLLBACK TO job")
                _undo_deleting(db, params)
                db.finish_job(job_id, "failure", {"error": str(failure)})
                return "failure"
            db.run("RELEASE job")
            db.finish_job(job_id, "success", response)
            if affected is not None:
                db.log_action(
                    job_id=job_id,
                    operation=job["operation"],
                    dataset_id=params["dataset_id"],
                    batch_ids=affected,
                    idempotency_key=job["idempotency_key"],
                )
            return "success"

    def _settle(self) -> None:
        """Store each failure not stored yet (``error``, with its reason)."""
        for job_id, reason in list(self._unsettled.items()):
            with self._write() as db:
                job = db.job(job_id)
                if job is not None and job["status"] == "processing":
                    _undo_deleting(db, _params(job["params"]))
                    db.finish_job(job_id, "error", {"error": reason})
            with self._stats:
                del self._unsettled[job_id]
            self._ended("error")

    @contextmanager
    def _write(self) -> Iterator[Db]:
        """A write transaction of the runner; the ``job_disk_full`` fault fails its commit."""
        with self.store.write() as db:
            yield db
            if self.faults.draw_job_disk_full():
                raise sqlite3.OperationalError("database or disk is full")

    def _ended(self, status: str) -> None:
        with self._stats:
            self._processed += 1
            if status != "success":
                self._failed += 1
            self._degraded = False  # the database took a write again
            self._retry = _RETRY_FIRST

    def _trouble(self, error: Exception) -> None:
        with self._stats:
            first = not self._degraded
            self._degraded = True
            self._last_error = _reason(error)
            self._last_error_at = now_iso()
        if first:
            log.warning("the sandbox's job runner cannot write: %s", self._last_error)

    def _backoff(self) -> float:
        with self._stats:
            delay = self._retry
            self._retry = min(self._retry * 2, _RETRY_MAX)
        return delay


def _reason(error: Exception) -> str:
    kind = "storage error" if isinstance(error, sqlite3.Error) else "internal error"
    return f"{kind}: {error}"


def _params(raw: str) -> dict[str, Any]:
    """A job's parameters, or none when they cannot be read (a corrupt row)."""
    try:
        params = json.loads(raw)
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}


def _undo_deleting(db: Db, params: dict[str, Any]) -> None:
    for batch_id, state in params.get("prev_states", {}).items():
        db.undo_deleting(int(batch_id), state)


def _require_batches(db: Db, dataset_id: int, ids: list[int]) -> dict[int, str]:
    states = db.batch_states(dataset_id, ids)
    missing = [i for i in ids if i not in states]
    if missing:
        raise JobFailure(f"batches no longer exist: {missing}")
    return states


def apply_update(db: Db, params: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Apply a suspend/restore job; returns its response and the batches it changed."""
    dataset_id = params["dataset_id"]
    suspend, restore = params["suspend"], params["restore"]
    states = _require_batches(db, dataset_id, suspend + restore)
    busy = sorted(i for i, s in states.items() if s in ("deleting", "pending_delete"))
    if busy:
        raise JobFailure(f"batches are being deleted and cannot change state: {busy}")
    db.suspend_batches(suspend)
    db.restore_batches(restore)
    db.touch_dataset(dataset_id)
    return {"suspended": suspend, "restored": restore}, sorted(set(suspend + restore))


def apply_delete(db: Db, params: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Apply a delete job; returns its response and the batches it removed."""
    ids = params["ids"]
    states = _require_batches(db, params["dataset_id"], ids)
    wrong = sorted(i for i, s in states.items() if s != "deleting")
    if wrong:
        raise JobFailure(f"batches are no longer marked for deletion: {wrong}")
    db.delete_batches(ids)
    db.touch_dataset(params["dataset_id"])
    return {"deleted": ids}, ids


def _convert(value: Any, kind: str) -> tuple[Any, bool]:
    """A source value as the destination type; the flag says it could not be read."""
    if value is None or value == "":
        return None, False
    if kind == "text":
        if isinstance(value, float) and value.is_integer():
            return str(int(value)), False
        return str(value), False
    if kind == "numeric":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value, False
        text = _NUMBER_JUNK.sub("", str(value))
        try:
            number = float(text)
        except ValueError:
            return None, True
        return (int(number) if number.is_integer() and "." not in text else number), False
    text = str(value).strip()
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date().isoformat(), False
        except ValueError:
            continue
    try:
        return date.fromisoformat(text[:10]).isoformat(), False
    except ValueError:
        return None, True


def apply_create(db: Db, params: dict[str, Any]) -> tuple[dict[str, Any], list[int] | None]:
    """Apply an append (create) job; returns its response and the new batch, if any."""
    dataset_id, source_id = params["dataset_id"], params["source_id"]
    source = db.dataset(source_id)
    if source is None:
        raise JobFailure(f"source dataset {source_id} no longer exists")
    schema = db.dataset_schema(dataset_id)
    pairs: list[tuple[str, str]] = []
    for dest, src, *added in params["mapping"]:
        if dest is None:  # add_column: a new destination column, named after the source's
            if any(c["c_name"] == added[0]["c_name"] for c in schema):
                raise JobFailure(f"the destination already has a column {added[0]['c_name']!r}")
            numbers = [int(c["c_id"].rsplit("_", 1)[1]) for c in schema if c["c_id"][7:].isdigit()]
            dest = f"column_{max(numbers, default=0) + 1}"
            schema.append(
                {"c_id": dest, "c_name": added[0]["c_name"], "c_type": added[0]["c_type"]}
            )
        pairs.append((dest, src))
    types = {column["c_id"]: column["c_type"] for column in schema}
    missing = [d for d, _ in pairs if d not in types]
    if missing:
        raise JobFailure(f"destination columns no longer exist: {missing}")
    numeric_errors: set[str] = set()
    date_errors: set[str] = set()
    rows: list[dict[str, Any]] = []
    for source_row in db.rows_of(source_id, None):
        row: dict[str, Any] = {column["c_id"]: None for column in schema}
        for dest, src in pairs:
            value, bad = _convert(source_row.get(src), types[dest])
            row[dest] = value
            if bad:
                (numeric_errors if types[dest] == "numeric" else date_errors).add(dest)
        rows.append(row)
    if params["validate_only"]:
        return {"valid": True, "row_count": len(rows), "dataset_id": dataset_id}, None
    description: dict[str, Any] = {}
    if numeric_errors or date_errors:
        description = {
            "numeric_error_columns": sorted(numeric_errors),
            "date_error_columns": sorted(date_errors),
        }
    if len(schema) != len(db.dataset_schema(dataset_id)):
        db.set_dataset_schema(dataset_id, schema)
    batch_id = db.insert_batch(
        dataset_id=dataset_id,
        name=params.get("name") or source["name"],
        state="active",
        created_at=now_iso(),
        rows=rows,
        column_count=len(schema),
        description=description,
        source={
            "type": "dataset",
            "dataset_id": source_id,
            "dataset_name": source["name"],
            "resource_path": resource_path(source_id, source["name"], source["project_id"]),
        },
        data_schema=schema,
    )
    db.touch_dataset(dataset_id)
    if params["delete_source_ds"]:
        db.delete_batches(db.batch_ids(source_id))
        db.mark_dataset_deleted(source_id, now_iso())
    response = {"batch_id": batch_id, "dataset_id": dataset_id, "row_count": len(rows)}
    return response, [batch_id]


def apply_read(db: Db, params: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """A data read: the page of rows is the job's response; nothing changes."""
    try:
        return read_rows(db, params), None
    except RowsUnavailable as gone:
        raise JobFailure(str(gone)) from None


APPLY: dict[str, Any] = {
    "read_batch_data": apply_read,
    "read_dataset_data": apply_read,
    "update_batches": apply_update,
    "remove_batches": apply_delete,
    "delete_batch": apply_delete,
    "create_batch": apply_create,
}
