"""Data reads: the ``columns`` parameter, and the job that reads a page of rows.

The job's ``response`` is the shape the current CLI reads::

    {"headers": ["Customer", "Email"], "columns": ["column_1", "column_2"],
     "data": {"0": ["Olivia Smith", "olivia.smith4@example.com"], "1": [...]},
     "offset": 0, "limit": 50, "row_count": 14}

``data`` is keyed by each row's position in the batch (or the dataset), ``offset``
onwards; each row is a list in ``headers`` order.
"""

from __future__ import annotations

import json
from typing import Any

from mammoth_pandas.sandbox.errors import param_error
from mammoth_pandas.sandbox.store import Db

#: Batch states whose rows cannot be read.
UNREADABLE_STATES = frozenset({"deleting", "pending_delete"})


class RowsUnavailable(Exception):
    """The rows a read job was asked for are gone (or going) by the time it runs."""


def parse_columns(raw: str | None, schema: list[dict[str, str]]) -> list[str]:
    """``columns``: comma separated ``c_id``s of the schema, in request order.

    Every column, in schema order, when empty. A display name is refused, naming its ``c_id``.
    """
    text = (raw or "").strip()
    if not text:
        return [column["c_id"] for column in schema]
    by_id = {column["c_id"] for column in schema}
    by_name = {column["c_name"]: column["c_id"] for column in schema}
    out: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item or item in out:
            continue
        if item not in by_id:
            if item in by_name:
                raise param_error(
                    "columns",
                    f"{item!r} is a column name; columns takes c_ids ({item!r} is"
                    f" {by_name[item]!r})",
                )
            known = ", ".join(column["c_id"] for column in schema)
            raise param_error("columns", f"unknown column {item!r} (known c_ids: {known})")
        out.append(item)
    return out


def read_rows(db: Db, params: dict[str, Any]) -> dict[str, Any]:
    """The job's response: a page of one batch's rows, or of the dataset's active rows."""
    dataset_id, batch_id = params["dataset_id"], params.get("batch_id")
    if db.dataset(dataset_id) is None:
        raise RowsUnavailable(f"dataset {dataset_id} no longer exists")
    if batch_id is not None:
        batch = db.batch(dataset_id, batch_id)
        if batch is None:
            raise RowsUnavailable(f"batch {batch_id} no longer exists")
        if batch["state"] in UNREADABLE_STATES:
            raise RowsUnavailable(f"batch {batch_id} is being deleted; its rows cannot be read")
        row_count = int(batch["row_count"])
    else:
        row_count = db.dataset_row_count(dataset_id)
    names = {column["c_id"]: column["c_name"] for column in db.dataset_schema(dataset_id)}
    c_ids: list[str] = params["columns"] or list(names)
    gone = [c for c in c_ids if c not in names]
    if gone:
        raise RowsUnavailable(f"columns no longer exist: {gone}")
    limit, offset = params["limit"], params["offset"]
    rows = db.rows_page(dataset_id, batch_id, c_ids, limit, offset) if limit else []
    data = json.loads("{" + ",".join(f'"{offset + i}":{row}' for i, row in enumerate(rows)) + "}")
    return {
        "headers": [names[c] for c in c_ids],
        "columns": c_ids,
        "data": data,
        "offset": offset,
        "limit": limit,
        "row_count": row_count,
    }
