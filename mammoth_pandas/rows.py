"""Rows of a batch or a dataset → a DataFrame typed from the dataset's schema.

A data read answers with cells in one of the shapes servers are known to use, read
tolerantly (:func:`read_page`):

- ``{"headers": ["Customer", …], "data": {"0": [cell, …], "1": […]}}``: the current CLI's
  shape, each row a list in ``headers`` order (schema order when ``headers`` is absent);
  ``data`` may also be a list of rows;
- a list of rows (lists, in the order of the columns asked for, else of the schema);
- a list of objects keyed by ``c_id`` or by display name.

:func:`rows_frame` turns the pages into one frame whose columns carry the display names
(``c_name``) and whose dtypes follow the schema: ``numeric`` → ``Int64`` when every value
is a whole number, else ``Float64``; ``date`` → UTC ``datetime64``; ``text`` → ``string``.
Cells arrive as JSON scalars and numbers or dates may arrive as strings; a value that does
not parse becomes NA and is counted in ``frame.attrs["unparsed"]`` (``{name: count}``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mammoth_pandas.errors import MammothConnectionError

__all__ = ["RowsPage", "SchemaColumn", "read_page", "rows_frame", "schema_columns"]

_INT64_LIMIT = 2**63


@dataclass(frozen=True)
class SchemaColumn:
    """One column of a dataset's schema, as the rows reader uses it."""

    c_id: str
    c_name: str
    c_type: str  # lowercase: text, numeric or date


@dataclass(frozen=True)
class RowsPage:
    """One page of a data read: the column ids of its cells and its rows."""

    c_ids: tuple[str, ...]
    rows: list[list[Any]]


def schema_columns(schema: Sequence[Mapping[str, Any]]) -> tuple[SchemaColumn, ...]:
    """The schema records (``c_id``, ``c_name``, ``c_type``) as :class:`SchemaColumn`."""
    out = []
    for item in schema:
        c_id = item.get("c_id")
        if not isinstance(c_id, str) or not c_id:
            raise MammothConnectionError(
                f"the dataset's data_schema holds a column without c_id: {item!r}"
            )
        name = item.get("c_name")
        kind = item.get("c_type")
        out.append(
            SchemaColumn(
                c_id=c_id,
                c_name=name if isinstance(name, str) and name else c_id,
                c_type=kind.lower() if isinstance(kind, str) else "text",
            )
        )
    return tuple(out)


def _labels(schema: Sequence[SchemaColumn]) -> dict[str, str]:
    """Both labels a server may use for a column (c_id and display name) → c_id."""
    by_label: dict[str, str] = {}
    for col in schema:
        by_label.setdefault(col.c_name, col.c_id)
    for col in schema:
        by_label[col.c_id] = col.c_id  # an id always wins over a display name
    return by_label


def _resolve(labels: Sequence[Any], by_label: Mapping[str, str], where: str) -> tuple[str, ...]:
    out = []
    for label in labels:
        c_id = by_label.get(label) if isinstance(label, str) else None
        if c_id is None:
            raise MammothConnectionError(
                f"{where}: the server named a column {label!r} that the dataset's schema lacks"
            )
        out.append(c_id)
    return tuple(out)


def _row_list(data: Any, where: str) -> list[Any]:
    if isinstance(data, Mapping):  # {"0": [...], "1": [...]}: ordered by the row number
        try:
            keys = sorted(data, key=int)
        except (TypeError, ValueError):
            raise MammothConnectionError(
                f"{where}: 'data' is an object whose keys are not row numbers"
            ) from None
        return [data[k] for k in keys]
    if isinstance(data, list):
        return data
    raise MammothConnectionError(
        f"{where}: 'data' is {type(data).__name__}, expected rows (a list or an object)"
    )


def read_page(
    response: Any,
    schema: Sequence[SchemaColumn],
    asked: Sequence[str] | None,
    *,
    where: str = "data read",
) -> RowsPage:
    """One data-read answer, in any of the known shapes, as a :class:`RowsPage`.

    Args:
        response: the job's ``response`` (or the body, for a server answering directly).
        schema: the dataset's columns.
        asked: the c_ids asked for with ``columns=``, or ``None`` for all of them.
        where: how errors name this page (e.g. ``"rows 200..299 of batch 1001"``).

    Raises:
        MammothConnectionError: the answer has none of the known shapes, or names a column
            the schema lacks.
    """
    by_label = _labels(schema)
    default = tuple(asked) if asked else tuple(col.c_id for col in schema)
    headers: Sequence[Any] | None = None
    if isinstance(response, Mapping):
        if "headers" in response and response["headers"] is not None:
            headers = response["headers"]
            if not isinstance(headers, list):
                raise MammothConnectionError(f"{where}: 'headers' is not a list")
        data = response.get("data", response.get("rows", []))
        rows = _row_list(data if data is not None else [], where)
    elif isinstance(response, list):
        rows = response
    else:
        raise MammothConnectionError(
            f"{where}: the answer is {type(response).__name__}, expected rows"
        )
    if rows and all(isinstance(r, Mapping) for r in rows):
        keys: dict[str, None] = {}
        for r in rows:
            keys.update(dict.fromkeys(r))
        c_ids = _resolve(list(keys), by_label, where)
        labels = list(keys)
        return RowsPage(c_ids, [[r.get(k) for k in labels] for r in rows])
    c_ids = _resolve(headers, by_label, where) if headers is not None else default
    width = len(c_ids)
    for n, row in enumerate(rows):
        if not isinstance(row, list):
            raise MammothConnectionError(
                f"{where}: row {n} is {type(row).__name__}, expected a list of cells"
            )
        if len(row) != width:
            raise MammothConnectionError(
                f"{where}: row {n} has {len(row)} cells for {width} columns"
            )
    return RowsPage(c_ids, rows)


# -- typing the columns -------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _numbers(values: list[Any]) -> tuple[Any, int]:
    objects = np.empty(len(values), dtype=object)
    objects[:] = [None if _blank(v) or isinstance(v, bool) else v for v in values]
    given = int(sum(1 for v in values if not _blank(v)))
    series = pd.to_numeric(pd.Series(objects, dtype=object), errors="coerce")
    floats = series.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    finite = np.isfinite(floats)
    floats[~finite] = np.nan
    unparsed = given - int(finite.sum())
    whole = floats[finite]
    array = pd.array(floats, dtype="Float64")
    if whole.size and np.all(whole == np.round(whole)) and np.all(np.abs(whole) < _INT64_LIMIT):
        return array.astype("Int64"), unparsed
    return array, unparsed


#: Date formats tried, vectorised, on the values ISO 8601 leaves unparsed (exports carry
#: dates in several formats); whatever is left goes through pandas' per-value parser.
_DATE_FORMATS: tuple[str, ...] = (
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d %b %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%Y%m%d",
)
_UTC = pd.DatetimeTZDtype("ns", "UTC")


def _parse_dates(texts: pd.Series, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' notes on mixed offsets and inference
        return pd.to_datetime(texts, utc=True, format=fmt, errors="coerce")


def _dates(values: list[Any]) -> tuple[Any, int]:
    texts = pd.Series([None if _blank(v) else str(v).strip() for v in values], dtype=object)
    given = texts.notna()
    parsed = _parse_dates(texts, "ISO8601")
    left = given & parsed.isna()
    for fmt in _DATE_FORMATS:
        if not left.any():
            break
        more = _parse_dates(texts[left], fmt)
        if more.notna().any():
            parsed[left] = more
            left = given & parsed.isna()
    if left.any():
        parsed[left] = _parse_dates(texts[left], "mixed")
    parsed = parsed.astype(_UTC)
    return parsed.array, int(given.sum()) - int(parsed.notna().sum())


def _texts(values: list[Any]) -> Any:
    cells: list[str | None] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            cells.append(None)
        elif isinstance(v, str):
            cells.append(v)
        elif isinstance(v, bool):
            cells.append("true" if v else "false")
        elif isinstance(v, float) and v.is_integer():
            cells.append(str(int(v)))
        else:
            cells.append(str(v))
    return pd.array(cells, dtype="string")


def _typed(values: list[Any], c_type: str) -> tuple[Any, int]:
    if c_type == "numeric":
        return _numbers(values)
    if c_type == "date":
        return _dates(values)
    return _texts(values), 0


def _names(columns: Sequence[SchemaColumn]) -> list[str]:
    seen: dict[str, int] = {}
    for col in columns:
        seen[col.c_name] = seen.get(col.c_name, 0) + 1
    return [
        col.c_name if seen[col.c_name] == 1 else f"{col.c_name} ({col.c_id})" for col in columns
    ]


def rows_frame(
    pages: Sequence[RowsPage],
    schema: Sequence[SchemaColumn],
    asked: Sequence[str] | None = None,
    *,
    start: int = 0,
) -> pd.DataFrame:
    """The pages' rows as one typed frame, columns named by display name.

    The index numbers the rows from ``start`` (the offset of the first row read).

    The columns are those asked for (c_ids, in that order), else the schema's; a column a
    page lacks is NA in that page's rows. ``frame.attrs["unparsed"]`` counts, per column,
    the values that were given but did not parse as the column's type;
    ``frame.attrs["c_ids"]`` maps each column name back to its c_id.
    """
    by_id = {col.c_id: col for col in schema}
    wanted = [by_id[c] for c in asked] if asked else list(schema)
    cells: dict[str, list[Any]] = {col.c_id: [] for col in wanted}
    for page in pages:
        position = {c_id: i for i, c_id in enumerate(page.c_ids)}
        n = len(page.rows)
        for c_id, out in cells.items():
            i = position.get(c_id)
            if i is None:
                out.extend([None] * n)
            else:
                out.extend(row[i] for row in page.rows)
    names = _names(wanted)
    data: dict[str, Any] = {}
    unparsed: dict[str, int] = {}
    for name, col in zip(names, wanted, strict=True):
        data[name], bad = _typed(cells[col.c_id], col.c_type)
        if bad:
            unparsed[name] = bad
    total = sum(len(p.rows) for p in pages)
    index = pd.RangeIndex(start, start + total, name="row")
    frame = pd.DataFrame(data, index=index) if data else pd.DataFrame(index=index)
    frame.attrs["unparsed"] = unparsed
    frame.attrs["c_ids"] = {name: col.c_id for name, col in zip(names, wanted, strict=True)}
    return frame
