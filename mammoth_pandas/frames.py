"""Wire records → typed DataFrames, in one place.

:data:`BATCH_COLUMNS` is the single table of the batch listing's columns: name, dtype,
the batch field each comes from and what it means. A listing is indexed by the batch
``id`` (``int64``) and carries exactly the columns of the requested fields, in this
order, with these dtypes, also when it is empty.

Columns are built directly from the parsed records, one list comprehension per column,
and converted with pandas' vectorised constructors. Free text that repeats across
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

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from mammoth_pandas import contract as C

__all__ = [
    "BATCH_COLUMNS",
    "DATASET_COLUMNS",
    "SCHEMA_COLUMNS",
    "Column",
    "batch_frame",
    "batch_series",
    "columns_for_fields",
    "concat_keep_categories",
    "dataset_frame",
    "schema_frame",
]

STATE_DTYPE = pd.CategoricalDtype(list(C.BATCH_STATES))
DATASET_STATUS_DTYPE = pd.CategoricalDtype(list(C.DATASET_STATUSES))
COLUMN_TYPE_DTYPE = pd.CategoricalDtype(list(C.COLUMN_TYPES))
UTC = pd.DatetimeTZDtype("ns", "UTC")
INDEX_DTYPE = "int64"


@dataclass(frozen=True)
class Column:
    """One listing column: its dtype, the batch field it comes from, and the key inside it."""

    name: str
    dtype: Any
    field: str
    key: str | None
    doc: str


#: The batch listing's columns (the index ``id`` is not listed: it is always ``int64``).
BATCH_COLUMNS: tuple[Column, ...] = (
    Column("name", "string", "name", None, "batch name"),
    Column("state", STATE_DTYPE, "state", None, "every known state is a category, even if absent"),
    Column("created_at", UTC, "created_at", None, "creation time, UTC"),
    Column("row_count", "Int64", "row_count", None, "rows in the batch"),
    Column("column_count", "Int64", "column_count", None, "columns in the batch"),
    Column("source_type", "category", "source", "type", "file, dataset, cloud, webhook, …"),
    Column(
        "source_dataset_id", "Int64", "source", "dataset_id", "dataset the rows were appended from"
    ),
    Column("source_dataset_name", "category", "source", "dataset_name", "that dataset's name"),
    Column("source_resource_path", "category", "source", "resource_path", "that dataset's path"),
    Column("source_file_name", "category", "source", "file_name", "uploaded file name"),
    Column("source_url", "category", "source", "url", "file URL"),
    Column("source_connector", "category", "source", "connector_name", "cloud connector"),
    Column(
        "numeric_error_columns",
        "category",
        "description",
        "numeric_error_columns",
        "columns with text where numbers were expected, comma separated",
    ),
    Column(
        "date_error_columns",
        "category",
        "description",
        "date_error_columns",
        "columns with text where dates were expected, comma separated",
    ),
    Column(
        "data_schema",
        "object",
        "data_schema",
        None,
        "list of {c_id, c_name, c_type}; only when asked (fields=__full)",
    ),
)

DATASET_COLUMNS: tuple[Column, ...] = (
    Column("name", "string", "name", None, "dataset name"),
    Column("status", DATASET_STATUS_DTYPE, "status", None, "dataset status"),
    Column("created_at", UTC, "created_at", None, "creation time, UTC"),
    Column("updated_at", UTC, "updated_at", None, "last update, UTC"),
    Column("batch_count", "Int64", "stats", "batch_count", "batches"),
    Column("row_count", "Int64", "stats", "row_count", "rows of active batches"),
    Column("column_count", "Int64", "stats", "column_count", "columns"),
)

SCHEMA_COLUMNS: tuple[Column, ...] = (
    Column("c_id", "string", "c_id", None, "stable column id"),
    Column("c_name", "string", "c_name", None, "display name"),
    Column("c_type", COLUMN_TYPE_DTYPE, "c_type", None, "text, numeric or date"),
)


def columns_for_fields(fields: Sequence[str]) -> tuple[Column, ...]:
    """The listing columns that the requested batch fields produce."""
    wanted = set(fields)
    return tuple(col for col in BATCH_COLUMNS if col.field in wanted)


# -- conversion ---------------------------------------------------------------------------


_EMPTY: dict[str, Any] = {}


def _objects(values: list[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _kind(array: np.ndarray) -> str:
    """pandas' C-level type inference: "string", "integer", "empty", "mixed", …"""
    return str(infer_dtype(array, skipna=True))


def _joined(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else None
    return value if value is None or isinstance(value, str) else str(value)


def _to_ints(values: list[Any]) -> Any:
    try:
        return pd.array(values, dtype="Int64")
    except (TypeError, ValueError):
        numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        return pd.array(numbers.where(numbers == numbers.round())).astype("Int64")


def _to_times(values: list[Any]) -> Any:
    parsed = pd.to_datetime(_objects(values), utc=True, format="ISO8601", errors="coerce")
    return pd.Series(parsed).astype(UTC).array


def _no_categories(n: int) -> Any:
    empty = pd.CategoricalDtype(pd.Index([], dtype=object))
    return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=empty)


def _to_categories(values: list[Any], dtype: Any) -> Any:
    array = _objects(values)
    kind = _kind(array)
    if kind not in ("string", "empty"):
        array = _objects([_joined(v) for v in values])  # lists joined, other values as text
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories is not None:
        known = set(dtype.categories)
        extra = {v for v in pd.unique(array) if isinstance(v, str) and v not in known}
        if extra:  # a newer server's value: keep it rather than turning it into NaN
            dtype = pd.CategoricalDtype([*dtype.categories, *sorted(extra)])
        return pd.Categorical(array, dtype=dtype)
    if kind == "empty":
        return _no_categories(len(values))
    return pd.Categorical(array)


def _to_strings(values: list[Any]) -> Any:
    array = _objects(values)
    if _kind(array) not in ("string", "empty"):
        array = _objects([v if v is None or isinstance(v, str) else str(v) for v in values])
    return pd.array(array, dtype="string")


def _convert(values: list[Any], dtype: Any) -> Any:
    if isinstance(dtype, pd.CategoricalDtype) or dtype == "category":
        return _to_categories(values, dtype)
    if dtype == "Int64":
        return _to_ints(values)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _to_times(values)
    if dtype == "string":
        return _to_strings(values)
    return _objects(values)


def _parents(records: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """The nested ``source``/``description`` objects, ``{}`` where missing or not a dict."""
    parent = [r.get(field) or _EMPTY for r in records]
    try:
        for value in parent:
            value.get  # noqa: B018 - a cheap check that every value is dict-like
    except AttributeError:
        parent = [v if isinstance(v, dict) else _EMPTY for v in parent]
    return parent


def _missing(n: int, dtype: Any) -> Any:
    """An all-missing column of ``dtype``, built without looking at any record."""
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories is not None:
        return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=dtype)
    if isinstance(dtype, pd.CategoricalDtype) or dtype == "category":
        return _no_categories(n)
    if dtype == "Int64":
        return pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), np.ones(n, dtype=bool))
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.array(np.full(n, np.datetime64("NaT", "ns")), dtype="datetime64[ns]").tz_localize(
            "UTC"
        )
    if dtype == "string":
        return pd.array(np.full(n, None, dtype=object), dtype="string")
    return np.full(n, None, dtype=object)


def _frame(
    records: list[dict[str, Any]],
    columns: Sequence[Column],
    index: Any,
) -> pd.DataFrame:
    parents: dict[str, tuple[list[dict[str, Any]], set[str]]] = {}
    data = {}
    for col in columns:
        if col.key is None:
            data[col.name] = _convert([r.get(col.field) for r in records], col.dtype)
            continue
        if col.field not in parents:
            parent = _parents(records, col.field)
            parents[col.field] = (parent, set().union(*parent))  # the keys present at all
        parent, present = parents[col.field]
        if col.key in present:
            key = col.key
            data[col.name] = _convert([p.get(key) for p in parent], col.dtype)
        else:
            data[col.name] = _missing(len(records), col.dtype)
    if not data:
        return pd.DataFrame(index=index)
    return pd.DataFrame(data, index=index, copy=False)


def _id_index(ids: list[Any]) -> pd.Index:
    if any(i is None for i in ids):
        return pd.Index(pd.array(ids, dtype="Int64"), name="id")
    return pd.Index(np.asarray(ids, dtype=INDEX_DTYPE), name="id")


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
    index = _id_index([r.get("id") for r in records])
    return _frame(records, columns_for_fields(fields), index)


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


def dataset_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    records = _dedupe(records)
    index = _id_index([r.get("id") for r in records])
    return _frame(records, DATASET_COLUMNS, index)


def schema_frame(columns: list[dict[str, Any]]) -> pd.DataFrame:
    """``data_schema`` → DataFrame with ``c_id``, ``c_name``, ``c_type`` (one row per column)."""
    rows = [{**c, "c_type": _lower(c.get("c_type"))} for c in columns if isinstance(c, dict)]
    return _frame(rows, SCHEMA_COLUMNS, pd.RangeIndex(len(rows)))


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


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
