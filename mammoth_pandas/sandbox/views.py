"""How stored records look on the wire: workspaces, projects, datasets, the action log."""

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
#: The newer servers' fields, served when named or with ``__full``.
DATASET_NEWER = ("updated_by", "description", "additional_info")
DATASET_PRESETS["__full"] = (*DATASET_PRESETS["__standard"], "batch_ids", *DATASET_NEWER)

PROJECT_FIELDS = (
    "id",
    "name",
    "owner_workspace_id",
    "status",
    "created_at",
    "updated_at",
    "properties",
)
PROJECT_PRESETS: dict[str, tuple[str, ...]] = {
    "__min": ("id", "name"),
    "__standard": PROJECT_FIELDS,
    "__full": PROJECT_FIELDS,
}

#: What the sandbox's workspace says of itself when the database has no row for it.
WORKSPACE_DEFAULTS: dict[str, Any] = {
    "name": "Demo workspace",
    "status": "ACTIVE",
    "created_at": "2024-11-04T08:30:00.000000Z",
    "updated_at": "2024-11-04T08:30:00.000000Z",
    "date_format": "YYYY-MM-DD",
    "total_users": 1,
}


def pick_fields(
    raw: str | None, presets: dict[str, tuple[str, ...]], every: tuple[str, ...]
) -> tuple[str, ...]:
    """``fields``: names of ``every`` or presets, in request order; ``__standard`` when empty."""
    text = (raw or "").strip()
    if not text:
        return presets["__standard"]
    out: list[str] = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        names = presets.get(item) or ((item,) if item in every else None)
        if names is None:
            accepted = ", ".join((*presets, *every))
            raise param_error("fields", f"unknown field {item!r} (accepted: {accepted})")
        out.extend(n for n in names if n not in out)
    return tuple(out) or presets["__standard"]


def dataset_fields(raw: str | None) -> tuple[str, ...]:
    """A dataset ``fields`` parameter."""
    return pick_fields(raw, DATASET_PRESETS, DATASET_PRESETS["__full"])


def project_fields(raw: str | None) -> tuple[str, ...]:
    """A project ``fields`` parameter."""
    return pick_fields(raw, PROJECT_PRESETS, PROJECT_FIELDS)


def datasets_json(db: Db, rows: list[sqlite3.Row], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Datasets as the wire's ``Dataset``; stats and batch ids cost one query per page."""
    ids = [row["id"] for row in rows]
    stats = db.dataset_stats(ids) if "stats" in fields else {}
    batch_ids = db.batch_ids_of(ids) if "batch_ids" in fields else {}
    return [_dataset_json(row, fields, stats, batch_ids) for row in rows]


def _dataset_json(
    row: sqlite3.Row,
    fields: tuple[str, ...],
    stats: dict[int, dict[str, int]],
    batch_ids: dict[int, list[int]],
) -> dict[str, Any]:
    ds, ws, pr = row["id"], row["workspace_id"], row["project_id"]
    schema = json.loads(row["data_schema"])
    url = f"{P}/workspaces/{ws}/projects/{pr}/datasets/{ds}"
    values: dict[str, Callable[[], Any]] = {
        "id": lambda: ds,
        "name": lambda: row["name"],
        "created_at": lambda: row["created_at"],
        "updated_at": lambda: row["updated_at"],
        "created_by": lambda: row["created_by"],
        "updated_by": lambda: row["updated_by"],
        "description": lambda: row["description"],
        "additional_info": lambda: json.loads(row["additional_info"] or "{}"),
        "status": lambda: row["status"],
        "status_info": lambda: {},
        "get_url": lambda: url,
        "data_schema": lambda: schema,
        "stats": lambda: {**stats[ds], "column_count": len(schema)},
        "sources": lambda: [],
        "display_info": lambda: None,
        "dependencies": lambda: {},
        "data_url": lambda: url + "/data",
        "resource_path": lambda: resource_path(ds, row["name"], pr),
        "configurations": lambda: {},
        "batch_ids": lambda: batch_ids[ds],
    }
    return {name: values[name]() for name in fields}


def project_json(row: sqlite3.Row, fields: tuple[str, ...]) -> dict[str, Any]:
    """A project row as the wire's ``Project``."""
    values = {
        "id": row["project_id"],
        "name": row["name"],
        "owner_workspace_id": row["workspace_id"],
        "status": row["status"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "properties": json.loads(row["properties"] or "{}"),
    }
    return {name: values[name] for name in fields}


def workspace_json(db: Db, workspace_id: int) -> dict[str, Any]:
    """The workspace as the wire's ``Workspace``, with the projects the caller can access."""
    row = db.workspace(workspace_id)
    info = dict(WORKSPACE_DEFAULTS) if row is None else {k: row[k] for k in WORKSPACE_DEFAULTS}
    projects = [project_json(p, PROJECT_FIELDS) for p in db.projects(workspace_id)]
    return {"id": workspace_id, **info, "projects": projects}


def actions(db: Db) -> list[dict[str, Any]]:
    """The action log as JSON records."""
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
        for row in db.actions()
    ]
