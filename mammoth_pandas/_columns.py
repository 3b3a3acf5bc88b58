"""Typed columns built from records chunk by chunk: the engine behind :mod:`frames`.

A listing's records arrive page by page. :class:`FrameBuilder` keeps at most one chunk
of them (``chunk_rows``) as Python dicts; each full chunk is converted at once into
compact typed pieces (``int64`` values and masks, ``int8`` category codes, ``datetime64``
integers, arrays of the name strings), and the dicts are dropped. So building a frame of
a million batches never holds a million dicts, and the garbage collector never has to
walk them: memory while listing stays close to the final frame's.

Every conversion is total: a value of the wrong type becomes missing (``NA``/``NaT``)
instead of failing the listing, and a chunk whose fast vectorised conversion fails is
converted value by value. Values that were present but could not be kept (a date
outside what ``datetime64[ns]`` holds, text where a date was expected, ``NaN`` or
``Infinity`` where a count was expected) are counted per column, and the builder issues
one :class:`ValueWarning` naming the counts.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

__all__ = ["CHUNK_ROWS", "FIRST_CHUNK_ROWS", "FrameBuilder", "ValueWarning"]

#: Records converted at once, at most (the dicts of at most one chunk are alive at a time).
CHUNK_ROWS = 8192
#: Records converted at once, at least: a chunk holds an eighth as many records as were
#: converted before it, between this and :data:`CHUNK_ROWS`, so that the values waiting
#: as Python objects (about four times a typed row) stay half the frame built so far or
#: less, and a long listing still converts in chunks of :data:`CHUNK_ROWS`.
FIRST_CHUNK_ROWS = 1024
_EMPTY: dict[str, Any] = {}
_NAT = np.iinfo(np.int64).min
_INT64 = (-(2**63), 2**63 - 1)
_PER_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_YEAR = re.compile(r"^\s*([+-]?\d{4,})-")


class ValueWarning(UserWarning):
    """Values of a listing that could not be kept as their column's dtype (now missing)."""


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


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _joined_pieces(pieces: list[np.ndarray], dtype: Any) -> np.ndarray:
    """One array of ``pieces`` (emptied as they are joined, so that a column's pieces and
    its joined array are alive together only for one column at a time)."""
    if not pieces:
        return np.empty(0, dtype=dtype)
    joined = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    pieces.clear()
    return joined


class _Accumulator:
    """The pieces of one column; ``add`` converts one chunk's values."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.pieces: list[Any] = []
        self.lost = 0  # present values that became missing
        self.out_of_range = 0  # of which: dates beyond datetime64[ns]

    def add(self, values: list[Any]) -> None:
        raise NotImplementedError

    def add_missing(self, n: int) -> None:
        raise NotImplementedError

    def finish(self, n: int) -> Any:
        raise NotImplementedError


class _Strings(_Accumulator):
    def add(self, values: list[Any]) -> None:
        array = _objects(values)
        if _kind(array) not in ("string", "empty"):
            array = _objects([_text(v) for v in values])
        self.pieces.append(array)

    def add_missing(self, n: int) -> None:
        self.pieces.append(np.full(n, None, dtype=object))

    def finish(self, n: int) -> Any:
        return pd.array(_joined_pieces(self.pieces, object), dtype="string")


class _Objects(_Accumulator):
    def add(self, values: list[Any]) -> None:
        self.pieces.append(_objects(values))

    def add_missing(self, n: int) -> None:
        self.pieces.append(np.full(n, None, dtype=object))

    def finish(self, n: int) -> Any:
        return _joined_pieces(self.pieces, object)


def _int_or_none(value: Any) -> int | None:
    """One count, read as tolerantly as its meaning allows; ``None`` if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if _INT64[0] <= value <= _INT64[1] else None
    if isinstance(value, float):
        ok = math.isfinite(value) and value == int(value) and abs(value) < 2**63
        return int(value) if ok else None
    if isinstance(value, str):
        try:
            return _int_or_none(float(value)) if value.strip() else None
        except ValueError:
            return None
    return None


class _Ints(_Accumulator):
    """``Int64``: pieces of (values, mask)."""

    def add(self, values: list[Any]) -> None:
        n = len(values)
        missing = np.fromiter((v is None for v in values), dtype=bool, count=n)
        some = bool(missing.any())
        try:
            array = np.array([0 if v is None else v for v in values] if some else values)
        except (OverflowError, ValueError, TypeError):
            array = np.empty(0, dtype=object)
        if array.dtype.kind == "i" and array.shape == (n,):  # integers, maybe missing
            self.pieces.append((array.astype(np.int64, copy=False), missing if some else None))
            return
        ints = [_int_or_none(v) for v in values]  # None, floats, text, odd values
        mask = np.fromiter((v is None for v in ints), dtype=bool, count=len(ints))
        self.lost += int(mask.sum()) - sum(v is None for v in values)
        data = np.fromiter((0 if v is None else v for v in ints), dtype=np.int64, count=len(ints))
        self.pieces.append((data, mask))

    def add_missing(self, n: int) -> None:
        self.pieces.append((np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)))

    def finish(self, n: int) -> Any:
        if not self.pieces:
            return pd.array(np.empty(0, dtype=np.int64), dtype="Int64")
        masks = [np.zeros(len(d), dtype=bool) if m is None else m for d, m in self.pieces]
        data = [d for d, _ in self.pieces]
        self.pieces.clear()
        return pd.arrays.IntegerArray(_joined_pieces(data, np.int64), _joined_pieces(masks, bool))


class _Times(_Accumulator):
    """UTC ``datetime64[ns]``: pieces of int64 nanoseconds (``NaT`` as int64 min)."""

    def add(self, values: list[Any]) -> None:
        array = _objects(values)
        if _kind(array) not in ("string", "empty"):  # a number is no time (nor an epoch)
            array = _objects([v if isinstance(v, str) else None for v in values])
        try:
            parsed = pd.DatetimeIndex(
                pd.to_datetime(array, utc=True, format="ISO8601", errors="coerce")
            )
            unit = str(getattr(parsed, "unit", "ns"))
            raw = np.asarray(parsed.asi8, dtype=np.int64)
            per = _PER_NS[unit]
        except (ValueError, TypeError, OverflowError, KeyError):
            self.pieces.append(self._one_by_one(values))
            return
        nat = raw == _NAT
        if per != 1:
            bound = np.iinfo(np.int64).max // per
            beyond = ~nat & ((raw > bound) | (raw < -bound))
            ns = np.where(nat | beyond, _NAT, raw * per)
        else:
            ns = raw
        self._count_lost(values, ns)
        self.pieces.append(ns)

    def _one_by_one(self, values: list[Any]) -> np.ndarray:
        out = np.full(len(values), _NAT, dtype=np.int64)
        for position, value in enumerate(values):
            try:
                stamp = pd.Timestamp(value)
                stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
                out[position] = stamp.tz_convert("UTC").as_unit("ns").value
            except (ValueError, TypeError, OverflowError):
                continue
        self._count_lost(values, out)
        return out

    def _count_lost(self, values: list[Any], ns: np.ndarray) -> None:
        """Count the present values that became NaT, and which of them were out of range."""
        for position in np.flatnonzero(ns == _NAT):
            value = values[position]
            if value is None:
                continue
            self.lost += 1
            match = _YEAR.match(value) if isinstance(value, str) else None
            if match is not None and not 1677 <= int(match.group(1)) <= 2262:
                self.out_of_range += 1

    def add_missing(self, n: int) -> None:
        self.pieces.append(np.full(n, _NAT, dtype=np.int64))

    def finish(self, n: int) -> Any:
        data = _joined_pieces(self.pieces, np.int64)
        return pd.Series(data.view("datetime64[ns]")).dt.tz_localize("UTC").array


def _no_categories(n: int) -> pd.Categorical:
    empty = pd.CategoricalDtype(pd.Index([], dtype=object))
    return pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), dtype=empty)


class _Categories(_Accumulator):
    """``category``: pieces of codes into the values in the order first seen, sorted into
    categories at the end.

    With ``known`` categories (``state``), every known value is a category in its
    order, and a newer server's value is added after them rather than lost. A chunk of
    values already seen costs one dictionary lookup each; lists are joined and other
    values read as text, as when building a ``Categorical``.
    """

    def __init__(self, name: str, known: pd.Index | None) -> None:
        super().__init__(name)
        self.known = known
        self.values: list[Any] = [] if known is None else list(known)
        self.codes: dict[Any, int] = {value: code for code, value in enumerate(self.values)}
        self.codes[None] = -1

    def add(self, values: list[Any]) -> None:
        try:
            codes = np.fromiter(map(self.codes.__getitem__, values), np.int32, len(values))
        except (KeyError, TypeError):  # a value first seen, or one to read as text
            codes = self._discovered(values)
        self.pieces.append(codes)

    def _discovered(self, values: list[Any]) -> np.ndarray:
        if not all(v is None or type(v) is str for v in values):
            values = [_joined(v) for v in values]  # lists joined, other values text
        for value in values:
            if value not in self.codes:
                self.codes[value] = len(self.values)
                self.values.append(value)
        return np.fromiter(map(self.codes.__getitem__, values), np.int32, len(values))

    def add_missing(self, n: int) -> None:
        self.pieces.append(n)  # a run of missing values, placed when finishing

    def finish(self, n: int) -> Any:
        if self.known is not None:
            extra = sorted(self.values[len(self.known) :])
            dtype = pd.CategoricalDtype([*self.known, *extra])
        elif self.values:
            dtype = pd.Categorical(_objects(sorted(self.values))).dtype  # as inferred there
        else:
            self.pieces.clear()
            return _no_categories(n)
        # Each code first seen, then -1 (missing), to its category's position.
        where = np.append(dtype.categories.get_indexer(pd.Index(_objects(self.values))), -1)
        codes = [
            np.full(piece, -1, dtype=np.int64) if isinstance(piece, int) else where[piece]
            for piece in self.pieces
        ]
        self.pieces.clear()
        return pd.Categorical.from_codes(_joined_pieces(codes, np.int64), dtype=dtype)


def _parents(records: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """The nested ``source``/``description`` objects, ``{}`` where missing or not a dict."""
    parent = [r.get(field) or _EMPTY for r in records]
    try:
        for value in parent:
            value.get  # noqa: B018 - a cheap check that every value is dict-like
    except AttributeError:
        parent = [v if isinstance(v, dict) else _EMPTY for v in parent]
    return parent


class FrameBuilder:
    """Records in, one typed DataFrame out; memory bounded by one chunk of records.

    Args:
        columns: ``(name, dtype, field, key)`` of each column, in order; ``key`` names
            the value inside a nested object ``field`` (``None``: the field itself).
        index: The field whose values form the index, or ``None`` for a ``RangeIndex``.
        int_index: The index dtype when no value is missing (``Int64`` when one is).
        chunk_rows: Records converted at once, at most (see :data:`FIRST_CHUNK_ROWS`).
    """

    def __init__(
        self,
        columns: Sequence[tuple[str, Any, str, str | None]],
        *,
        index: str | None = "id",
        int_index: str = "int64",
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        self.columns = tuple(columns)
        self.index = index
        self.int_index = int_index
        self.chunk_rows = chunk_rows
        self.rows = 0
        self._pending_rows = 0
        # Per column, the values of the pending records (plain lists: no dict survives a
        # page) and whether any of them was present at all.
        self._values: list[list[Any]] = [[] for _ in self.columns]
        self._present = [False] * len(self.columns)
        self._id_values: list[Any] = []
        self._ids: list[np.ndarray] = []
        self._acc = [_accumulator(name, dtype) for name, dtype, _, _ in self.columns]

    def add(self, records: list[dict[str, Any]]) -> None:
        """Take some records (a page): their values are kept, the dicts are not."""
        n = len(records)
        if not n:
            return
        if self.index is not None:
            name = self.index
            self._id_values.extend([r.get(name) for r in records])
        parents: dict[str, tuple[list[dict[str, Any]], set[str]]] = {}
        for position, (_, _, field, key) in enumerate(self.columns):
            pending = self._values[position]
            if key is None:
                pending.extend([r.get(field) for r in records])
                self._present[position] = True
                continue
            if field not in parents:
                parent = _parents(records, field)
                parents[field] = (parent, set().union(*parent))  # the keys present
            parent, present = parents[field]
            if key in present:
                pending.extend([p.get(key) for p in parent])
                self._present[position] = True
            else:
                pending.extend([None] * n)
        self._pending_rows += n
        due = min(self.chunk_rows, max(FIRST_CHUNK_ROWS, self.rows // 8))
        if self._pending_rows >= due:
            self._flush()

    def _flush(self) -> None:
        n = self._pending_rows
        if not n:
            return
        self.rows += n
        self._pending_rows = 0
        if self.index is not None:
            ids, self._id_values = self._id_values, []
            try:
                array = np.array(ids)
            except (OverflowError, ValueError, TypeError):
                array = np.empty(0)
            ok = array.dtype.kind == "i" and array.shape == (n,)
            self._ids.append(array.astype(np.int64, copy=False) if ok else _objects(ids))
        for position, acc in enumerate(self._acc):
            values, self._values[position] = self._values[position], []
            if self._present[position]:
                _converted(acc, values)
            else:
                acc.add_missing(n)
            self._present[position] = False

    def frame(self) -> pd.DataFrame:
        """The DataFrame of every record added (warns once about values not kept)."""
        self._flush()
        n = self.rows
        if self.index is None:
            index: pd.Index = pd.RangeIndex(n)
        else:
            index = _id_index(self._ids, self.index, self.int_index)
        data = {
            name: acc.finish(n) for (name, *_), acc in zip(self.columns, self._acc, strict=True)
        }
        _warn_lost(self._acc)
        if not data:
            return pd.DataFrame(index=index)
        return pd.DataFrame(data, index=index, copy=False)


def _converted(acc: _Accumulator, values: list[Any]) -> None:
    """Convert one chunk; should the vectorised path fail on an odd value, try the values
    as text, and at worst keep the chunk's column missing (counted): never raise."""
    try:
        acc.add(values)
    except Exception:
        try:
            acc.add([_joined(v) for v in values])
        except Exception:
            acc.add_missing(len(values))
            acc.lost += sum(v is not None for v in values)


def _id_index(pieces: list[np.ndarray], name: str, dtype: str) -> pd.Index:
    if all(p.dtype.kind == "i" for p in pieces):  # the usual case: every id an integer
        joined = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)
        return pd.Index(joined.astype(dtype, copy=False), name=name)
    ids = list(np.concatenate([p.astype(object) for p in pieces]))
    if any(i is None for i in ids):
        return pd.Index(pd.array(ids, dtype="Int64"), name=name)
    return pd.Index(np.asarray(ids, dtype=dtype), name=name)


def _accumulator(name: str, dtype: Any) -> _Accumulator:
    factories: list[tuple[Callable[[Any], bool], Callable[[], _Accumulator]]] = [
        (
            lambda d: isinstance(d, pd.CategoricalDtype) and d.categories is not None,
            lambda: _Categories(name, dtype.categories),
        ),
        (
            lambda d: isinstance(d, pd.CategoricalDtype) or d == "category",
            lambda: _Categories(name, None),
        ),
        (lambda d: isinstance(d, pd.DatetimeTZDtype), lambda: _Times(name)),
        (lambda d: d == "Int64", lambda: _Ints(name)),
        (lambda d: d == "string", lambda: _Strings(name)),
    ]
    for matches, make in factories:
        if matches(dtype):
            return make()
    return _Objects(name)


def _warn_lost(accumulators: Sequence[_Accumulator]) -> None:
    parts = []
    for acc in accumulators:
        if not acc.lost:
            continue
        if isinstance(acc, _Times):
            odd = acc.lost - acc.out_of_range
            said = []
            if acc.out_of_range:
                said.append(
                    f"{acc.out_of_range:,} beyond what datetime64[ns] holds "
                    "(1677-09-21 to 2262-04-11)"
                )
            if odd:
                said.append(f"{odd:,} not readable as a time")
            parts.append(f"{acc.name}: {' and '.join(said)} → NaT")
        else:
            parts.append(f"{acc.name}: {acc.lost:,} not an integer (NaN, Infinity, text) → NA")
    if parts:
        warnings.warn(
            "some values of the listing could not be kept and are missing: " + "; ".join(parts),
            ValueWarning,
            stacklevel=3,
        )
