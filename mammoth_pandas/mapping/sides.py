"""Either side of a mapping as plain data: columns with id, name, type and (maybe) values.

A side comes from a dataset (its schema read through the client), a schema (a DataFrame
or a list of dicts with ``c_id``, ``c_name``, ``c_type``) or a pandas DataFrame of data
(column names become names and ids, types are inferred, values serve as evidence).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping as AbcMapping
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from mammoth_pandas.contract import COLUMN_TYPES, column_type
from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping.evidence import (
    ColumnStats,
    SideEvidence,
    parse_stats,
    rows_frame,
    stats_from_values,
)
from mammoth_pandas.mapping.infer import Profile, infer_type, profile

if TYPE_CHECKING:
    from mammoth_pandas.dataset import DatasetHandle

__all__ = ["Column", "Side", "to_side", "with_value_stats"]

_SCHEMA_KEYS = ("c_id", "c_name", "c_type")


@dataclass(frozen=True)
class Column:
    """One column: stable id, display name, lowercase type, and its values if known."""

    c_id: str
    c_name: str
    c_type: str
    values: pd.Series | None = field(default=None, repr=False, compare=False)
    profile: Profile | None = field(default=None, repr=False, compare=False)
    stats: ColumnStats | None = field(default=None, repr=False, compare=False)

    def sample_values(self, n: int = 3) -> list[str]:
        """Up to ``n`` distinct non-empty values as text (none when the rows are unknown)."""
        if self.values is None:
            return []
        out: list[str] = []
        for value in self.values.dropna().tolist():
            text = str(value).strip()
            if text and text not in out:
                out.append(text)
                if len(out) >= n:
                    break
        return out


@dataclass(frozen=True)
class Side:
    """The columns of a source or destination, and the dataset they belong to, if any."""

    role: str
    columns: tuple[Column, ...]
    dataset: DatasetHandle | None = None
    kind: str = "schema"
    #: The evidence this side brought: ``schema``, and ``rows`` and/or ``stats`` if given.
    evidence: tuple[str, ...] = ("schema",)

    @property
    def has_ids(self) -> bool:
        """Whether the columns carry real dataset ids (not DataFrame column names)."""
        return self.kind == "dataset"

    def find(self, key: str) -> Column | None:
        """The column with this id, else the one with this name (exact, then normalised)."""
        for column in self.columns:
            if column.c_id == key:
                return column
        for column in self.columns:
            if column.c_name == key:
                return column
        folded = str(key).strip().lower()
        matches = [c for c in self.columns if c.c_name.strip().lower() == folded]
        return matches[0] if len(matches) == 1 else None

    def frame(self) -> pd.DataFrame:
        """The side's columns as a frame: ``c_id``, ``c_name``, ``c_type``."""
        return pd.DataFrame(
            {
                "c_id": [c.c_id for c in self.columns],
                "c_name": [c.c_name for c in self.columns],
                "c_type": [c.c_type for c in self.columns],
            }
        )


def _is_dataset(obj: Any) -> bool:
    return all(hasattr(obj, name) for name in ("schema", "dataset_id", "workspace_id"))


def _dataset_schema(obj: Any) -> Any:
    """A dataset's schema as records if it offers them, else its schema frame."""
    records = getattr(obj, "schema_records", None)
    return records() if callable(records) else obj.schema()


def _normalise_type(role: str, raw: Any, c_id: str) -> str:
    text = column_type(raw) or ""
    if text not in COLUMN_TYPES:
        raise MappingError(
            f"{role}.c_type",
            f"column {c_id!r} has type {raw!r}",
            accepted=", ".join(COLUMN_TYPES) + " (any case)",
        )
    return text


def _check_columns(role: str, columns: Sequence[Column]) -> None:
    if not columns:
        raise MappingError(role, "has no columns", accepted="at least one column")
    for key, label in (("c_id", "ids"), ("c_name", "names")):
        counts = Counter(getattr(c, key) for c in columns)
        repeated = sorted(str(k) for k, n in counts.items() if n > 1)
        if repeated:
            raise MappingError(
                role,
                f"duplicate column {label}: {', '.join(repeated)}",
                accepted=f"unique column {label}",
            )


def _schema_records(role: str, schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, pd.DataFrame):
        lowered = {str(c).lower(): c for c in schema.columns}
        missing = [k for k in _SCHEMA_KEYS if k not in lowered]
        if missing:
            raise MappingError(
                role, f"schema lacks {', '.join(missing)}", accepted="c_id, c_name, c_type"
            )
        return [
            {k: row[lowered[k]] for k in _SCHEMA_KEYS} for row in schema.to_dict(orient="records")
        ]
    records = []
    for item in schema:
        if not isinstance(item, AbcMapping):
            raise MappingError(
                role,
                f"schema item {item!r} is not a mapping",
                accepted="dicts with c_id, c_name, c_type",
            )
        lowered = {str(k).lower(): v for k, v in item.items()}
        missing = [k for k in _SCHEMA_KEYS if k not in lowered]
        if missing:
            raise MappingError(
                role, f"schema item lacks {', '.join(missing)}", accepted="c_id, c_name, c_type"
            )
        records.append({k: lowered[k] for k in _SCHEMA_KEYS})
    return records


def _is_schema_frame(frame: pd.DataFrame) -> bool:
    lowered = {str(c).lower() for c in frame.columns}
    return set(_SCHEMA_KEYS) <= lowered and len(frame.columns) == len(_SCHEMA_KEYS)


def _values_for(data: pd.DataFrame | None, column: Column) -> pd.Series | None:
    if data is None:
        return None
    for key in (column.c_id, column.c_name):
        if key in data.columns:
            return data[key]
    return None


def _from_schema(
    role: str,
    records: list[dict[str, Any]],
    data: pd.DataFrame | None,
    stats: dict[str, ColumnStats] | None = None,
) -> list[Column]:
    columns = []
    for record in records:
        c_id = str(record["c_id"]).strip() if record["c_id"] is not None else ""
        if not c_id:
            raise MappingError(
                f"{role}.c_id", "a column has no id", accepted="non-empty column ids"
            )
        name = record["c_name"]
        c_name = str(name) if name is not None and not pd.isna(name) else c_id
        c_type = _normalise_type(role, record["c_type"], c_id)
        column = Column(c_id, c_name, c_type)
        values = _values_for(data, column)
        column_stats = None
        if stats is not None:
            column_stats = stats.get(c_name, stats.get(c_id))
        columns.append(
            Column(
                c_id,
                c_name,
                c_type,
                values,
                profile(values) if values is not None else None,
                column_stats,
            )
        )
    return columns


def _dtype_type(values: pd.Series) -> str:
    """The type a column's dtype implies (for a column with no values to look at)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "date"
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return "numeric"
    return "text"


def _from_frame(role: str, frame: pd.DataFrame) -> list[Column]:
    names = [str(c) for c in frame.columns]
    counts = Counter(names)
    repeated = sorted(k for k, n in counts.items() if n > 1)
    if repeated:
        raise MappingError(
            role, f"duplicate column names: {', '.join(repeated)}", accepted="unique column names"
        )
    columns = []
    for name, (_, values) in zip(names, frame.items(), strict=True):
        prof = profile(values)
        c_type = prof.kind if prof.kind != "empty" else _dtype_type(values)
        columns.append(Column(name, name, c_type, values, prof))
    return columns


def to_side(
    obj: Any,
    role: str,
    *,
    client: Any = None,
    workspace_id: int | None = None,
    project_id: int | None = None,
    data: pd.DataFrame | list[dict[str, Any]] | None = None,
    stats: pd.DataFrame | list[dict[str, Any]] | None = None,
    rows_total: int | None = None,
    data_label: str | None = None,
) -> Side:
    """Turn a dataset, schema or DataFrame into a :class:`Side` (nothing is mutated).

    ``obj`` may also be a :class:`~mammoth_pandas.mapping.evidence.SideEvidence`, whose rows
    and statistics are used unless ``data`` / ``stats`` are given too.
    """
    if isinstance(obj, SideEvidence):
        data = obj.rows if data is None else data
        stats = obj.stats if stats is None else stats
        rows_total = obj.rows_total if rows_total is None else rows_total
        obj = obj.schema
    if isinstance(data, list) and all(isinstance(r, AbcMapping) for r in data):
        data = pd.DataFrame.from_records(data)
    label = data_label or f"{role}_rows"
    if data is not None and not isinstance(data, pd.DataFrame):
        raise MappingError(
            label, f"is a {type(data).__name__}", accepted="a DataFrame or a list of dicts"
        )
    data = rows_frame(role, data)
    parsed_stats = parse_stats(role, stats, rows_total)
    if isinstance(obj, bool):
        raise MappingError(
            role, "is a bool", accepted="a DatasetHandle, a schema, a DataFrame or a dataset id"
        )
    if isinstance(obj, int):
        if client is None or workspace_id is None or project_id is None:
            raise MappingError(
                role,
                f"dataset id {obj} given without client, workspace_id and project_id",
                accepted="a DatasetHandle, or a dataset id with client, workspace_id, project_id",
            )
        obj = client.dataset(workspace_id, project_id, obj)
    if _is_dataset(obj):
        columns = _from_schema(
            role, _schema_records(role, _dataset_schema(obj)), data, parsed_stats
        )
        kind, dataset = "dataset", obj
    elif isinstance(obj, pd.DataFrame) and not _is_schema_frame(obj):
        if data is not None or parsed_stats is not None:
            raise MappingError(
                label if data is not None else f"{role}_stats",
                "given with a DataFrame of data",
                accepted="a schema or dataset",
            )
        columns, kind, dataset = _from_frame(role, obj), "frame", None
    elif isinstance(obj, pd.DataFrame) or (
        isinstance(obj, Sequence) and not isinstance(obj, (str, bytes))
    ):
        columns, kind, dataset = (
            _from_schema(role, _schema_records(role, obj), data, parsed_stats),
            "schema",
            None,
        )
    else:
        raise MappingError(
            role,
            f"is a {type(obj).__name__}",
            accepted="a DatasetHandle, a schema (DataFrame or list of dicts with c_id, c_name, "
            "c_type), a DataFrame of data, or a dataset id",
        )
    _check_columns(role, columns)
    used = ["schema"]
    if kind == "frame" or any(c.values is not None for c in columns):
        used.append("rows")
    if parsed_stats is not None and any(c.stats is not None for c in columns):
        used.append("stats")
    return Side(role, tuple(columns), dataset, kind, tuple(used))


def with_value_stats(side: Side) -> Side:
    """The side with statistics computed from its rows where it has rows but no statistics.

    This lets it be compared with a side known only by its statistics.
    """
    columns = tuple(
        replace(c, stats=stats_from_values(c.c_name, c.c_type, c.values))
        if c.stats is None and c.values is not None
        else c
        for c in side.columns
    )
    return replace(side, columns=columns)


def infer_schema(frame: pd.DataFrame) -> list[dict[str, str]]:
    """The schema a DataFrame would have as a side: ``c_id`` = ``c_name`` = column name."""
    return [
        {"c_id": str(c), "c_name": str(c), "c_type": infer_type(frame[c])} for c in frame.columns
    ]
