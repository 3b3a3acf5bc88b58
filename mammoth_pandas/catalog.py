"""Workspaces, projects, dataset fields and column statistics → typed DataFrames.

The tables here follow :mod:`mammoth_pandas.frames` (one :class:`~frames.ListingColumn` per
frame column, the same builder): a workspace or project listing is indexed by ``id``;
column statistics come one row per dataset column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from mammoth_pandas import frames
from mammoth_pandas.errors import MammothConnectionError
from mammoth_pandas.frames import UTC, ListingColumn

__all__ = [
    "COLUMN_STATS_COLUMNS",
    "DATASET_EXTRA_COLUMNS",
    "DATASET_FIELDS",
    "DATASET_SORTABLE",
    "PROJECT_COLUMNS",
    "PROJECT_FIELDS",
    "PROJECT_SORTABLE",
    "WORKSPACE_COLUMNS",
    "column_stats_frame",
    "dataset_listing_frame",
    "project_frame",
    "workspace_frame",
]

WORKSPACE_COLUMNS: tuple[ListingColumn, ...] = (
    ListingColumn("name", "string", "name", None, "workspace name"),
    ListingColumn("status", "category", "status", None, "ACTIVE, SUSPENDED, …"),
    ListingColumn("created_at", UTC, "created_at", None, "creation time, UTC"),
    ListingColumn("updated_at", UTC, "updated_at", None, "last update, UTC"),
    ListingColumn("date_format", "string", "date_format", None, "the workspace's date format"),
    ListingColumn("total_users", "Int64", "total_users", None, "members"),
    ListingColumn("projects", "object", "projects", None, "the projects the caller can reach"),
)

PROJECT_COLUMNS: tuple[ListingColumn, ...] = (
    ListingColumn("name", "string", "name", None, "project name"),
    ListingColumn("owner_workspace_id", "Int64", "owner_workspace_id", None, "owning workspace"),
    ListingColumn("status", "category", "status", None, "project status"),
    ListingColumn("created_at", UTC, "created_at", None, "creation time, UTC"),
    ListingColumn("updated_at", UTC, "updated_at", None, "last update, UTC"),
    ListingColumn("properties", "object", "properties", None, "the project's properties"),
)
#: Project fields a listing may ask for, and sort on.
PROJECT_FIELDS: tuple[str, ...] = ("id", *(c.field for c in PROJECT_COLUMNS))
PROJECT_SORTABLE: tuple[str, ...] = ("id", "name", "status", "created_at", "updated_at")

#: The newer dataset fields: in the listing frame when asked for with ``fields=``
#: (``created_by`` and ``updated_by`` always).
DATASET_EXTRA_COLUMNS: tuple[ListingColumn, ...] = (
    ListingColumn("created_by", "string", "created_by", None, "who created it"),
    ListingColumn("updated_by", "string", "updated_by", None, "who last changed it"),
    ListingColumn("description", "string", "description", None, "the dataset's description"),
    ListingColumn("resource_path", "string", "resource_path", None, "its path in the project"),
    ListingColumn("data_url", "string", "data_url", None, "the route of its rows"),
    ListingColumn("additional_info", "object", "additional_info", None, "more details"),
)
_ALWAYS = ("created_by", "updated_by")
DATASET_FIELDS: tuple[str, ...] = (
    "id",
    *dict.fromkeys(c.field for c in frames.DATASET_COLUMNS),
    "data_schema",
    "batch_ids",
    *(c.field for c in DATASET_EXTRA_COLUMNS),
)
DATASET_SORTABLE: tuple[str, ...] = ("id", "name", "status", "created_at", "updated_at")

COLUMN_STATS_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("dataset_id", "Int64"),
    ("dataset", "string"),
    ("column", "string"),
    ("type", "category"),
    ("blanks", "Int64"),
    ("blank_share", "Float64"),
    ("distinct", "Int64"),
    ("rows", "Int64"),
)


def workspace_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Workspace records → a frame indexed by workspace ``id``."""
    return frames._frame(records, WORKSPACE_COLUMNS, "id")


def _chosen(
    columns: Sequence[ListingColumn], fields: Sequence[str] | None
) -> tuple[ListingColumn, ...]:
    if not fields:
        return tuple(columns)
    wanted = set(fields)
    return tuple(c for c in columns if c.field in wanted)


def project_frame(records: list[dict[str, Any]], fields: Sequence[str] | None) -> pd.DataFrame:
    """Project records → a frame indexed by project ``id`` (the columns of ``fields``)."""
    return frames._frame(records, _chosen(PROJECT_COLUMNS, fields), "id")


def dataset_listing_frame(
    records: list[dict[str, Any]], fields: Sequence[str] | None
) -> pd.DataFrame:
    """Dataset records → the datasets frame, with the newer fields that were asked for."""
    extra = tuple(
        c for c in DATASET_EXTRA_COLUMNS if c.field in _ALWAYS or (fields and c.field in fields)
    )
    base = frames.DATASET_COLUMNS if not fields else _chosen(frames.DATASET_COLUMNS, fields)
    # A repeated id (a page that shifted) counts once.
    return frames._frame(frames._dedupe(records), (*base, *extra), "id")


def _number(value: Any, where: str, *, whole: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MammothConnectionError(f"column statistics: {where} is {value!r}, not a number")
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if whole:
        return int(value) if float(value).is_integer() else None
    return float(value)


def column_stats_frame(body: Any) -> pd.DataFrame:
    """``GET …/datasets/column-stats`` → one row per dataset column.

    Columns: ``dataset_id``, ``dataset``, ``column``, ``type``, ``blanks``,
    ``blank_share`` (0–1, from the API's 0–100 ``blank_pct``), ``distinct``, ``rows``
    (``distinct`` and ``rows`` may be NA).

    Raises:
        MammothConnectionError: the body is not the column-statistics shape.
    """
    datasets = body.get("datasets") if isinstance(body, dict) else None
    if not isinstance(datasets, list):
        raise MammothConnectionError("column statistics: the answer holds no 'datasets' list")
    rows: list[tuple[Any, ...]] = []
    for d, dataset in enumerate(datasets):
        if not isinstance(dataset, dict):
            raise MammothConnectionError(f"column statistics: datasets[{d}] is not an object")
        columns = dataset.get("columns") or []
        if not isinstance(columns, list):
            raise MammothConnectionError(f"column statistics: datasets[{d}].columns is not a list")
        total = _number(dataset.get("rows"), f"datasets[{d}].rows", whole=True)
        for c, column in enumerate(columns):
            if not isinstance(column, dict):
                raise MammothConnectionError(
                    f"column statistics: datasets[{d}].columns[{c}] is not an object"
                )
            where = f"datasets[{d}].columns[{c}]"
            pct = _number(column.get("blank_pct"), f"{where}.blank_pct", whole=False)
            kind = column.get("type")
            rows.append(
                (
                    _number(dataset.get("id"), f"datasets[{d}].id", whole=True),
                    dataset.get("name"),
                    column.get("name"),
                    kind.lower() if isinstance(kind, str) else None,
                    _number(column.get("blank_count"), f"{where}.blank_count", whole=True),
                    None if pct is None else pct / 100.0,
                    _number(column.get("distinct"), f"{where}.distinct", whole=True),
                    total,
                )
            )
    data = {
        name: pd.array([r[i] for r in rows], dtype=dtype if dtype != "category" else object)
        for i, (name, dtype) in enumerate(COLUMN_STATS_COLUMNS)
    }
    frame = pd.DataFrame(data)
    frame["type"] = frame["type"].astype(pd.CategoricalDtype(["text", "numeric", "date"]))
    for name in ("dataset", "column"):
        frame[name] = frame[name].astype("string")
    return frame
