"""How stored records look on the wire: batches, datasets, the action log."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from mammoth_pandas.contract import API_PREFIX
from mammoth_pandas.sandbox.errors import param_error
from mammoth_pandas.sandbox.seed import resource_path
from mammoth_pandas.sandbox.store import Db

P = API_PREFIX

DATASET_PRESETS: dict[str, tuple[str, ...]] = {
    "__min": (
        "id",
        "name",
        "created_at",
        "updated_at",
        "created_by",
        "status",
        "status_info",
        "get_url",
    ),
}
DATASET_PRESETS["__standard"] = (
    *DATASET_PRESETS["__min"],
    "data_schema",
    "stats",
    "sources",
    "display_info",
    "dependencies",
    "data_url",
    "resource_path",
    "configurations",
)
DATASET_PRESETS["__full"] = (*DATASET_PRESETS["__standard"], "batch_ids")


def dataset_fields(raw: str | None) -> tuple[str, ...]:
    text = (raw or "").strip()
    if not text:
        return DATASET_PRESETS["__standard"]
    out: list[str] = []
    every = DATASET_PRESETS["__full"]
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        names = DATASET_PRESETS.get(item) or ((item,) if item in every else None)
        if names is None:
            accepted = ", ".join((*DATASET_PRESETS, *every))
            raise param_error("fields", f"unknown field {item!r} (accepted: {accepted})")
        out.extend(n for n in names if n not in out)
    return tuple(out) or DATASET_PRESETS["__standard"]


def batch_json(row: sqlite3.Row, fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        if name in ("description", "source"):
            out[name] = json.loads(row[name])
        elif name == "data_schema":
            out[name] = json.loads(row[name]) if row[name] is not None else []
        else:
            out[name] = row[name]
    return out


def dataset_json(db: Db, row: sqlite3.Row, fields: tuple[str, ...]) -> dict[str, Any]:
    ds, ws, pr = row["id"], row["workspace_id"], row["project_id"]
    schema = json.loads(row["data_schema"])
    url = f"{P}/workspaces/{ws}/projects/{pr}/datasets/{ds}"
    values: dict[str, Callable[[], Any]] = {
        "id": lambda: ds,
        "name": lambda: row["name"],
        "created_at": lambda: row["created_at"],
        "updated_at": lambda: row["updated_at"],
        "created_by": lambda: row["created_by"],
        "status": lambda: row["status"],
        "status_info": lambda: {},
        "get_url": lambda: url,
        "data_schema": lambda: schema,
        "stats": lambda: db.dataset_stats(ds, len(schema)),
        "sources": lambda: [],
        "display_info": lambda: None,
        "dependencies": lambda: {},
        "data_url": lambda: url + "/data",
        "resource_path": lambda: resource_path(ds, row["name"], pr),
        "configurations": lambda: {},
        "batch_ids": lambda: [
            r["id"]
            for r in db.all("SELECT id FROM batches WHERE dataset_id = ? ORDER BY id", (ds,))
        ],
    }
    return {name: values[name]() for name in fields}


def actions(db: Db) -> list[dict[str, Any]]:
    return [
        {
            "seq": row["seq"],
            "job_id": row["job_id"],
            "operation": row["operation"],
            "dataset_id": row["dataset_id"],
            "batch_ids": json.loads(row["batch_ids"]),
            "idempotency_key": row["idempotency_key"],
            "applied_at": row["applied_at"],
        }
        for row in db.all("SELECT * FROM actions ORDER BY seq")
    ]
