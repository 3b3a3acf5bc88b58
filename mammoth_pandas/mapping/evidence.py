"""The evidence one side of a mapping brings: a schema, sampled rows, column statistics.

``derive_mapping(source, destination, source_rows=..., source_stats=...)`` takes each kind
separately; :class:`SideEvidence` bundles them for code that fetches them (a dataset's
sampled rows and its stored column statistics) and passes them on::

    evidence = SideEvidence(schema=ds.schema(), rows=sample, stats=stats_records)
    derive_mapping(evidence, destination)

Column statistics have the contract's column-stats shape, one record per column: ``name``,
``type``, ``blank_count``, ``blank_pct`` (0–100), ``distinct`` and ``rows`` (the last two
may be null). :func:`parse_stats` checks them and keys them by column name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping as AbcMapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mammoth_pandas.contract import COLUMN_TYPES
from mammoth_pandas.errors import MappingError

__all__ = ["ColumnStats", "SideEvidence", "parse_stats", "rows_frame"]


@dataclass(frozen=True)
class ColumnStats:
    """Stored statistics of one column (the API's column-stats record).

    ``blank_share`` is 0–1 (the API's ``blank_pct`` divided by 100); ``distinct`` and
    ``rows`` are ``None`` when the server does not know them.
    """

    name: str
    c_type: str | None
    blank_count: int | None
    blank_share: float | None
    distinct: int | None
    rows: int | None

    @property
    def filled(self) -> int | None:
        """Rows with a value, when known."""
        if self.rows is None:
            return None
        if self.blank_count is not None:
            return max(self.rows - self.blank_count, 0)
        if self.blank_share is not None:
            return max(round(self.rows * (1 - self.blank_share)), 0)
        return None

    @property
    def distinct_ratio(self) -> float | None:
        """Distinct values per filled row (1.0 for a column of unique values), when known."""
        filled = self.filled
        if self.distinct is None or not filled:
            return None
        return min(self.distinct / filled, 1.0)


@dataclass(frozen=True)
class SideEvidence:
    """What is known of one side: its schema, and optionally rows and column statistics.

    ``schema`` is anything :func:`~mammoth_pandas.mapping.derive_mapping` takes as a side (a
    DatasetHandle, a schema as records or a frame, a DataFrame of data); ``rows`` a
    DataFrame (or list of dicts) of sampled rows keyed by ``c_id`` or ``c_name``; ``stats``
    the column statistics as records or a frame (``name``, ``type``, ``blank_count``,
    ``blank_pct``, ``distinct``, ``rows``); ``rows_total`` the dataset's row count when the
    statistics records carry none.
    """

    schema: Any
    rows: pd.DataFrame | list[dict[str, Any]] | None = None
    stats: pd.DataFrame | list[dict[str, Any]] | None = None
    rows_total: int | None = None


def rows_frame(role: str, rows: Any) -> pd.DataFrame | None:
    """Sampled rows as a DataFrame (``None`` stays ``None``); raises :class:`MappingError`."""
    if rows is None:
        return None
    if isinstance(rows, pd.DataFrame):
        return rows
    if (
        isinstance(rows, Sequence)
        and not isinstance(rows, (str, bytes))
        and all(isinstance(r, AbcMapping) for r in rows)
    ):
        return pd.DataFrame.from_records(list(rows))
    raise MappingError(
        f"{role}_rows", f"is a {type(rows).__name__}", accepted="a DataFrame or a list of dicts"
    )


def _count(role: str, key: str, value: Any, *, nullable: bool = True) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if nullable:
            return None
        raise MappingError(f"{role}_stats.{key}", "is missing", accepted="a whole number >= 0")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MappingError(
            f"{role}_stats.{key}", f"is {value!r}", accepted="a whole number >= 0 or null"
        )
    if value < 0 or float(value) != int(value):
        raise MappingError(
            f"{role}_stats.{key}", f"is {value!r}", accepted="a whole number >= 0 or null"
        )
    return int(value)


def _share(role: str, value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise MappingError(
            f"{role}_stats.blank_pct", f"is {value!r}", accepted="a number from 0 to 100 or null"
        )
    return float(value) / 100.0


def parse_stats(
    role: str, stats: Any, rows_total: int | None = None
) -> dict[str, ColumnStats] | None:
    """Column statistics keyed by column name; raises :class:`MappingError` on bad records.

    Accepts records (dicts) or a DataFrame with at least ``name``; every other field may be
    missing or null. ``rows_total`` fills ``rows`` where a record has none.
    """
    if stats is None:
        return None
    if isinstance(stats, pd.DataFrame):
        records: list[Any] = stats.to_dict(orient="records")
    elif isinstance(stats, Sequence) and not isinstance(stats, (str, bytes)):
        records = list(stats)
    else:
        raise MappingError(
            f"{role}_stats",
            f"is a {type(stats).__name__}",
            accepted="column statistics as a list of dicts or a DataFrame",
        )
    total = _count(role, "rows", rows_total)
    out: dict[str, ColumnStats] = {}
    for record in records:
        if not isinstance(record, AbcMapping):
            raise MappingError(
                f"{role}_stats", f"item {record!r} is not a mapping", accepted="dicts with name"
            )
        lowered = {str(k).lower(): v for k, v in record.items()}
        name = lowered.get("name", lowered.get("c_name"))
        if name is None or not str(name).strip():
            raise MappingError(
                f"{role}_stats.name", "a record has no column name", accepted="a column name"
            )
        raw_type = lowered.get("type", lowered.get("c_type"))
        c_type = None
        if raw_type is not None and not (isinstance(raw_type, float) and math.isnan(raw_type)):
            c_type = str(raw_type).strip().lower()
            if c_type not in COLUMN_TYPES:
                raise MappingError(
                    f"{role}_stats.type",
                    f"column {name!r} has type {raw_type!r}",
                    accepted=", ".join(COLUMN_TYPES) + " (any case) or null",
                )
        rows = _count(role, "rows", lowered.get("rows"))
        out[str(name)] = ColumnStats(
            name=str(name),
            c_type=c_type,
            blank_count=_count(role, "blank_count", lowered.get("blank_count")),
            blank_share=_share(role, lowered.get("blank_pct")),
            distinct=_count(role, "distinct", lowered.get("distinct")),
            rows=rows if rows is not None else total,
        )
    return out


def stats_from_values(name: str, c_type: str, values: pd.Series) -> ColumnStats:
    """The statistics a column of known values would have (so both modes compare alike)."""
    seen: set[str] = set()
    blank = 0
    for value in values.tolist():
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            blank += 1
            continue
        text = str(value).strip()
        if not text or text in ("nan", "NaT", "<NA>"):
            blank += 1
        else:
            seen.add(text)
    rows = len(values)
    return ColumnStats(
        name=name,
        c_type=c_type,
        blank_count=blank,
        blank_share=blank / rows if rows else None,
        distinct=len(seen),
        rows=rows,
    )
