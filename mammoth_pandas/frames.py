"""Wire records → typed DataFrames, in one place.

:data:`BATCH_COLUMNS` is the single table of the batch listing's columns: name, dtype,
the batch field each comes from and what it means. A listing is indexed by the batch
``id`` (``int64``) and carries exactly the columns of the requested fields, in this
order, with these dtypes, also when it is empty.

Columns are built directly from the parsed records, one list comprehension per column
and chunk of records, and converted with pandas' vectorised constructors
(:class:`~mammoth_pandas._columns.FrameBuilder`): a listing is fed page by page, so
that memory stays close to the final frame's. Values a column cannot hold become
missing with one :class:`ValueWarning` naming their count (a date outside what
``datetime64[ns]`` holds, ``NaN`` or ``Infinity`` as a count); one odd record never
fails a listing. Free text that repeats across
batches or is mostly missing (the flattened ``source_*`` and ``*_error_columns``) is
stored as ``category``: missing values then cost one byte instead of a ``pd.NA`` object
each, while comparisons such as ``df.source_type == "file"`` and the ``.str`` accessor
work as on strings.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas._columns import FrameBuilder, ValueWarning

__all__ = [
    "BATCH_COLUMNS",
    "DATASET_COLUMNS",
    "SCHEMA_COLUMNS",
    "FrameBuilder",
    "ListingColumn",
    "ValueWarning",
    "batch_builder",
    "batch_frame",
    "batch_series",
    "builder",
    "columns_for_fields",
    "concat_keep_categories",
    "schema_frame",
]

STATE_DTYPE = pd.CategoricalDtype(list(C.BATCH_STATES))
DATASET_STATUS_DTYPE = pd.CategoricalDtype(list(C.DATASET_STATUSES))
COLUMN_TYPE_DTYPE = pd.CategoricalDtype(list(C.COLUMN_TYPES))
UTC = pd.DatetimeTZDtype("ns", "UTC")
INDEX_DTYPE = "int64"


@dataclass(frozen=True)
class ListingColumn:
    """One listing column: its dtype, the batch field it comes from, and the key inside it."""

    name: str
    dtype: Any
    field: str
    key: str | None
    doc: str


#: The batch listing's columns (the index ``id`` is not listed: it is always ``int64``).
BATCH_COLUMNS: tuple[ListingColumn, ...] = (
    ListingColumn("name", "string", "name", None, "batch name"),
    ListingColumn(
        "state", STATE_DTYPE, "state", None, "every known state is a category, even if absent"
    ),
    ListingColumn("created_at", UTC, "created_at", None, "creation time, UTC"),
    ListingColumn("row_count", "Int64", "row_count", None, "rows in the batch"),
    ListingColumn("column_count", "Int64", "column_count", None, "columns in the batch"),
    ListingColumn("source_type", "category", "source", "type", "file, dataset, cloud, webhook, …"),
    ListingColumn(
        "source_dataset_id", "Int64", "source", "dataset_id", "dataset the rows were appended from"
    ),
    ListingColumn(
        "source_dataset_name", "category", "source", "dataset_name", "that dataset's name"
    ),
    ListingColumn(
        "source_resource_path", "category", "source", "resource_path", "that dataset's path"
    ),
    ListingColumn("source_file_name", "category", "source", "file_name", "uploaded file name"),
    ListingColumn("source_url", "category", "source", "url", "file URL"),
    ListingColumn("source_connector", "category", "source", "connector_name", "cloud connector"),
    ListingColumn(
        "numeric_error_columns",
        "category",
        "description",
        "numeric_error_columns",
        "columns with text where numbers were expected, comma separated",
    ),
    ListingColumn(
        "date_error_columns",
        "category",
        "description",
        "date_error_columns",
        "columns with text where dates were expected, comma separated",
    ),
    ListingColumn(
        "data_schema",
        "object",
        "data_schema",
        None,
        "list of {c_id, c_name, c_type}; only when asked (fields=__full)",
    ),
)

DATASET_COLUMNS: tuple[ListingColumn, ...] = (
    ListingColumn("name", "string", "name", None, "dataset name"),
    ListingColumn("status", DATASET_STATUS_DTYPE, "status", None, "dataset status"),
    ListingColumn("created_at", UTC, "created_at", None, "creation time, UTC"),
    ListingColumn("updated_at", UTC, "updated_at", None, "last update, UTC"),
    ListingColumn("batch_count", "Int64", "stats", "batch_count", "batches"),
    ListingColumn("row_count", "Int64", "stats", "row_count", "rows of active batches"),
    ListingColumn("column_count", "Int64", "stats", "column_count", "columns"),
)

SCHEMA_COLUMNS: tuple[ListingColumn, ...] = (
    ListingColumn("c_id", "string", "c_id", None, "stable column id"),
    ListingColumn("c_name", "string", "c_name", None, "display name"),
    ListingColumn("c_type", COLUMN_TYPE_DTYPE, "c_type", None, "text, numeric or date"),
)


def columns_for_fields(fields: Sequence[str]) -> tuple[ListingColumn, ...]:
    """The listing columns that the requested batch fields produce."""
    wanted = set(fields)
    return tuple(col for col in BATCH_COLUMNS if col.field in wanted)


# -- conversion ---------------------------------------------------------------------------


def builder(columns: Sequence[ListingColumn], *, index: str | None = "id") -> FrameBuilder:
    """A :class:`FrameBuilder` for ``columns``: add records page by page, then ``frame()``."""
    spec = [(c.name, c.dtype, c.field, c.key) for c in columns]
    return FrameBuilder(spec, index=index, int_index=INDEX_DTYPE)


def batch_builder(fields: Sequence[str] = C.FIELD_PRESETS[C.DEFAULT_FIELDS]) -> FrameBuilder:
    """A builder of the batch listing of ``fields``, fed one page of records at a time.

    Records must not repeat an id (the pager sees to that); memory stays bounded by one
    chunk of records plus the typed columns (see :mod:`mammoth_pandas._columns`).
    """
    return builder(columns_for_fields(fields))


def _frame(
    records: list[dict[str, Any]], columns: Sequence[ListingColumn], index: str | None
) -> pd.DataFrame:
    build = builder(columns, index=index)
    build.add(records)
    return build.frame()


def batch_frame(
    records: list[dict[str, Any]],
    fields: Sequence[str] = C.FIELD_PRESETS[C.DEFAULT_FIELDS],
    *,
    unique: bool = False,
) -> pd.DataFrame:
    """Batch records → the listing frame (index ``id``, the columns of ``fields``).

    Records repeating an earlier id are dropped, unless ``unique`` says the caller
    already made sure there are none.
    """
    if not unique:
        records = _dedupe(records)
    return _frame(records, columns_for_fields(fields), "id")


def _dedupe(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for record in records:
        key = record.get("id")
        if key is not None and key in seen:
            continue
        seen.add(key)
        out.append(record)
    return out if len(out) != len(records) else records


def batch_series(record: dict[str, Any], fields: Sequence[str]) -> pd.Series:
    """One batch as a Series (values typed as in the listing), named by its id."""
    frame = batch_frame([record], fields)
    series = frame.iloc[0].copy()
    series.name = record.get("id")
    return series


def schema_frame(columns: list[dict[str, Any]]) -> pd.DataFrame:
    """``data_schema`` → DataFrame with ``c_id``, ``c_name``, ``c_type`` (one row per column)."""
    rows = [{**c, "c_type": C.column_type(c.get("c_type"))} for c in columns if isinstance(c, dict)]
    return _frame(rows, SCHEMA_COLUMNS, None)


def describe_columns() -> list[tuple[str, str, str]]:
    """``(column, dtype, meaning)`` rows of :data:`BATCH_COLUMNS`, for docs and ``--help``."""
    rows = [("id (index)", INDEX_DTYPE, "batch id")]
    for col in BATCH_COLUMNS:
        source = col.field if col.key is None else f"{col.field}.{col.key}"
        rows.append((col.name, _dtype_name(col.dtype), f"{col.doc} (from `{source}`)"))
    return rows


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "category" if dtype.categories is None else "category (fixed)"
    return str(dtype)


def concat_keep_categories(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate listing frames, unioning categoricals so that they stay categorical."""
    if len(parts) == 1:
        return parts[0].copy()
    with warnings.catch_warnings():
        # pandas 2 warns that all-NA parts will count towards the result dtype; every part
        # carries the declared dtypes (categoricals are rebuilt below), so nothing changes.
        warnings.simplefilter("ignore", FutureWarning)
        combined = pd.concat(parts)
    for name in parts[0].columns:
        dtype = parts[0][name].dtype
        if not isinstance(dtype, pd.CategoricalDtype):
            continue
        if name == "state":
            known = list(dtype.categories)
            extra = {c for p in parts for c in p[name].cat.categories if c not in set(known)}
            categories = known + sorted(extra)
        else:
            categories = sorted({c for p in parts for c in p[name].cat.categories})
        values = combined[name].astype(object).where(combined[name].notna(), None)
        combined[name] = pd.Categorical(values.tolist(), categories=categories)
    return combined
