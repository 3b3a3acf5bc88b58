"""The asynchronous job runner: one worker thread applies queued jobs after ``job_delay``.

A job is a row in ``jobs`` with status ``processing``. The runner applies it, its status
change and its action-log entry in one transaction, so a crash leaves the job
``processing`` with nothing applied, and the next start simply runs it again. A job that
fails (its check fails, or fault injection says so) changes nothing: batches marked
``deleting`` by its request return to their previous state.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
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


class JobRunner:
    def __init__(self, store: Store, faults: Faults) -> None:
        self.store = store
        self.faults = faults
        self._wake = threading.Condition()
        self._stopping = False
        self._held = 0
        self._thread = threading.Thread(target=self._loop, name="sandbox-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
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
        with self._wake:
            self._wake.notify_all()

    def pending(self) -> int:
        with self.store.read() as db:
            return int(db.scalar("SELECT COUNT(*) FROM jobs WHERE status = 'processing'"))

    def wait_idle(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self._wake:
            while self.pending():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"jobs still processing after {timeout} s")
                self._wake.wait(min(remaining, 0.05))

    def _loop(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
                if self._held > 0:
                    self._wake.wait(1.0)
                    continue
            with self.store.read() as db:
                row = db.one(
                    "SELECT id, run_after FROM jobs WHERE status = 'processing'"
                    " ORDER BY run_after, id LIMIT 1"
                )
            delay = None if row is None else row["run_after"] - time.time()
            if row is not None and delay is not None and delay <= 0:
                self._execute(int(row["id"]))
                self.notify()
                continue
            with self._wake:
                if not self._stopping:
                    self._wake.wait(1.0 if delay is None else min(delay, 1.0))

    def _execute(self, job_id: int) -> None:
        try:
            with self.store.write() as db:
                job = db.job(job_id)
                if job is None or job["status"] != "processing":
                    return
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
                    return
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
        except Exception as error:  # a bug must not leave the job processing forever
            log.exception("sandbox job %s crashed", job_id)
            with self.store.write() as db:
                params = json.loads(db.job(job_id)["params"])  # type: ignore[index]
                _undo_deleting(db, params)
                db.finish_job(job_id, "error", {"error": f"internal error: {error}"})


def _undo_deleting(db: Db, params: dict[str, Any]) -> None:
    for batch_id, state in params.get("prev_states", {}).items():
        db.run(
            "UPDATE batches SET state = ?, prev_state = NULL WHERE id = ? AND state = 'deleting'",
            (state, int(batch_id)),
        )


def _require_batches(db: Db, dataset_id: int, ids: list[int]) -> dict[int, str]:
    states = db.batch_states(dataset_id, ids)
    missing = [i for i in ids if i not in states]
    if missing:
        raise JobFailure(f"batches no longer exist: {missing}")
    return states


def apply_update(db: Db, params: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    dataset_id = params["dataset_id"]
    suspend, restore = params["suspend"], params["restore"]
    states = _require_batches(db, dataset_id, suspend + restore)
    busy = sorted(i for i, s in states.items() if s in ("deleting", "pending_delete"))
    if busy:
        raise JobFailure(f"batches are being deleted and cannot change state: {busy}")
    for batch_id in suspend:
        db.run("UPDATE batches SET state = 'suspended' WHERE id = ?", (batch_id,))
    for batch_id in restore:
        db.run(
            "UPDATE batches SET state = 'active' WHERE id = ? AND state = 'suspended'",
            (batch_id,),
        )
    db.touch_dataset(dataset_id)
    return {"suspended": suspend, "restored": restore}, sorted(set(suspend + restore))


def apply_delete(db: Db, params: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
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
        db.run("UPDATE datasets SET data_schema = ? WHERE id = ?", (json.dumps(schema), dataset_id))
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
        ids = [r["id"] for r in db.all("SELECT id FROM batches WHERE dataset_id = ?", (source_id,))]
        db.delete_batches(ids)
        db.run(
            "UPDATE datasets SET status = 'deleted', updated_at = ? WHERE id = ?",
            (now_iso(), source_id),
        )
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
