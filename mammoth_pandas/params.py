"""Turn the Pythonic and the seed-SDK forms of every parameter into their wire strings.

Each function validates one parameter and returns what goes on the wire, or raises
:class:`~mammoth_pandas.errors.MammothInputError` naming the parameter and what it
accepts. Nothing here performs I/O, so a bad value never reaches the server.

Accepted forms, by parameter:

- ids (``id``, ``ids``, ``batch_id``, ``suspend``, ``restore``): an int, ``"1,2,3"``, or
  any iterable of integers (list, set, tuple, range, numpy array, ``pd.Index``,
  ``pd.Series``). Booleans, NaN, negative numbers and non-integral floats are refused.
- ``status`` (also ``state``): ``"active,suspended"`` or an iterable of states.
- ``row_count``: like ids.
- ``created_at``: the seed string ``"(from:'…',to:'…')"``; a ``(start, end)`` pair, a
  ``slice(start, end)`` or a ``{"from": …, "to": …}`` dict whose bounds are
  ``datetime``, ``pd.Timestamp``, ``date`` or ISO strings, ``None`` for an open end; a
  single ``date`` (or ``"YYYY-MM-DD"``) for that whole UTC day; a single datetime for
  "from then on". Naive times are taken as UTC.
- ``sort``: ``"(id:asc),(state:desc)"``, ``"-created_at"``, ``["-created_at", "id"]`` or
  ``[("created_at", "desc"), ("id", "asc")]``.
- ``fields``: ``"id,name"``, a preset (``__min``, ``__standard``, ``__full``) or a list.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError

__all__ = [
    "batch_id",
    "batch_patch",
    "created_at",
    "dataset_ids",
    "fields",
    "id_list",
    "mapping_items",
    "non_negative_int",
    "path_id",
    "row_counts",
    "sort",
    "states",
]

#: Longest id list accepted in one call (the query string must stay reasonable).
MAX_IDS = 10_000

_FIELD_ALIASES = {"status": "state"}
_RANGE_RE = re.compile(
    r"^\(\s*(?:from:'(?P<from>[^']*)')?\s*,?\s*(?:to:'(?P<to>[^']*)')?\s*\)$",
)
_SORT_TERM_RE = re.compile(r"^\((?P<field>[a-z_]+):(?P<dir>[a-z]+)\)$")
_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_int(field: str, value: Any, *, minimum: int, what: str = "an integer") -> int:
    """One integer ≥ ``minimum``; refuses bool, NaN, non-integral floats and non-digit strings."""
    accepted = f"{what} >= {minimum}"
    if isinstance(value, (bool, np.bool_)):
        raise MammothInputError(field, f"got a boolean {value!r}", accepted=accepted)
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise MammothInputError(
                field, f"{_describe(value)} is not an integer", accepted=accepted
            )
        number = int(text)
    elif isinstance(value, numbers.Integral):
        number = int(value)
    elif isinstance(value, numbers.Real):
        as_float = float(value)
        if math.isnan(as_float) or math.isinf(as_float):
            raise MammothInputError(field, f"got {value!r}", accepted=accepted)
        if not as_float.is_integer():
            raise MammothInputError(field, f"{value!r} is not a whole number", accepted=accepted)
        number = int(as_float)
    elif value is None or value is pd.NA or value is pd.NaT:
        raise MammothInputError(field, "got a missing value", accepted=accepted)
    else:
        raise MammothInputError(
            field, f"got {type(value).__name__} {_describe(value)}", accepted=accepted
        )
    if number < minimum:
        raise MammothInputError(field, f"{number} is below {minimum}", accepted=accepted)
    return number


def path_id(field: str, value: Any, *, minimum: int = 0) -> int:
    """A workspace, project, dataset, batch or job id in a URL path."""
    return _as_int(field, value, minimum=minimum, what="an integer id")


def dataset_ids(workspace_id: Any, project_id: Any, dataset_id: Any) -> tuple[int, int, int]:
    """The ``(workspace_id, project_id, dataset_id)`` that name one dataset in a path."""
    return (
        path_id("workspace_id", workspace_id, minimum=1),
        path_id("project_id", project_id, minimum=1),
        path_id("dataset_id", dataset_id, minimum=0),
    )


def batch_id(value: Any, field: str = "batch_id") -> int:
    return path_id(field, value, minimum=0)


def non_negative_int(field: str, value: Any) -> int:
    return _as_int(field, value, minimum=0)


def _iter_values(field: str, value: Any, accepted: str) -> list[Any]:
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
        if parts == [""]:
            return []
        if any(part == "" for part in parts):
            raise MammothInputError(field, f"empty item in {_describe(value)}", accepted=accepted)
        return parts
    if isinstance(value, (numbers.Number, np.generic)) or value is None:
        return [value]
    if isinstance(value, Mapping):
        raise MammothInputError(field, "got a dict", accepted=accepted)
    if isinstance(value, (pd.Index, pd.Series, np.ndarray)):
        return list(value.tolist())
    if isinstance(value, Iterable):
        return list(value)
    raise MammothInputError(field, f"got {type(value).__name__}", accepted=accepted)


def id_list(field: str, value: Any, *, allow_empty: bool = True, minimum: int = 0) -> list[int]:
    """Integer ids (deduplicated, order kept) from a scalar, a comma string or an iterable."""
    accepted = 'an id, "1,2,3", or a list/set/range/array/Index of integer ids'
    items = _iter_values(field, value, accepted)
    if len(items) > MAX_IDS:
        raise MammothInputError(
            field, f"{len(items)} ids is more than {MAX_IDS} in one call", accepted=accepted
        )
    ids = [_as_int(field, item, minimum=minimum, what="integer ids") for item in items]
    if not ids and not allow_empty:
        raise MammothInputError(field, "the list of ids is empty", accepted="at least one id")
    return list(dict.fromkeys(ids))


def row_counts(value: Any) -> list[int]:
    return id_list("row_count", value, minimum=0)


def states(value: Any, field: str = "status") -> list[str]:
    accepted = ", ".join(C.BATCH_STATES)
    items = _iter_values(field, value, accepted)
    result: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise MammothInputError(field, f"{_describe(item)} is not a state", accepted=accepted)
        state = item.strip().lower()
        if state not in C.BATCH_STATES:
            raise MammothInputError(field, f"unknown state {item!r}", accepted=accepted)
        result.append(state)
    return list(dict.fromkeys(result))


def fields(value: Any) -> tuple[str, ...]:
    """The requested fields, in contract order, always including ``id``."""
    accepted = ", ".join(C.BATCH_FIELDS) + "; or a preset " + ", ".join(C.FIELD_PRESETS)
    if value is None:
        return C.FIELD_PRESETS[C.DEFAULT_FIELDS]
    items = _iter_values("fields", value, accepted)
    if not items:
        return C.FIELD_PRESETS[C.DEFAULT_FIELDS]
    chosen: set[str] = {"id"}
    for item in items:
        if not isinstance(item, str):
            raise MammothInputError(
                "fields", f"{_describe(item)} is not a field name", accepted=accepted
            )
        name = item.strip()
        if name in C.FIELD_PRESETS:
            chosen.update(C.FIELD_PRESETS[name])
            continue
        name = _FIELD_ALIASES.get(name, name)
        if name not in C.BATCH_FIELDS:
            raise MammothInputError("fields", f"unknown field {item!r}", accepted=accepted)
        chosen.add(name)
    return tuple(f for f in C.BATCH_FIELDS if f in chosen)


def fields_wire(chosen: tuple[str, ...]) -> str:
    for preset, members in C.FIELD_PRESETS.items():
        if tuple(members) == chosen:
            return preset
    return ",".join(chosen)


# -- created_at ---------------------------------------------------------------------------


def _timestamp(value: Any, which: str, field: str = "created_at") -> pd.Timestamp | None:
    accepted = "datetime, pd.Timestamp, date or ISO-8601 string; None for an open end"
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_, numbers.Number)):
        raise MammothInputError(
            field, f"{which} bound {_describe(value)} is not a time", accepted=accepted
        )
    if isinstance(value, str) and not value.strip():
        return None
    if not isinstance(value, (str, _dt.date, np.datetime64, pd.Timestamp)):
        raise MammothInputError(
            field, f"{which} bound has type {type(value).__name__}", accepted=accepted
        )
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise MammothInputError(
            field,
            f"{which} bound {_describe(value)} is not a time ({exc})",
            accepted=accepted,
        ) from None
    if stamp is pd.NaT or pd.isna(stamp):
        raise MammothInputError(field, f"{which} bound is NaT", accepted=accepted)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _wire_time(stamp: pd.Timestamp) -> str:
    """``2023-12-19T09:39:18.628Z`` (microseconds only when they are not whole milliseconds).

    The year always has four digits (``0999-…``): ``strftime`` would drop the zeros.
    """
    micro = stamp.microsecond
    fraction = f"{micro // 1000:03d}" if micro % 1000 == 0 else f"{micro:06d}"
    return (
        f"{stamp.year:04d}-{stamp.month:02d}-{stamp.day:02d}T"
        f"{stamp.hour:02d}:{stamp.minute:02d}:{stamp.second:02d}.{fraction}Z"
    )


#: A whole UTC day ends this long before the next day's midnight (the API's ``to`` is
#: inclusive, and times carry microseconds): the one definition of "a whole day".
DAY_END = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def day_end(day: pd.Timestamp, field: str = "created_at") -> pd.Timestamp:
    """The last instant (to the microsecond) of the UTC day that starts at ``day``."""
    try:
        return day + DAY_END
    except (OverflowError, ValueError):  # beyond what pandas 2's timestamps hold
        raise MammothInputError(
            field, f"date {day.date()} is out of range", accepted="a date pandas can hold"
        ) from None


def time_range(
    start: Any, end: Any, field: str = "created_at"
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The UTC bounds of a range; an end given as a date covers that whole day.

    ``(day, day)`` is that one day, and ``slice(first_day, last_day)`` includes the last
    day, as pandas' ``.loc`` does with dates.

    Raises:
        MammothInputError: a bound is not a time, or the end is before the start.
    """
    first = _timestamp(start, "start", field)
    last = _timestamp(end, "end", field)
    if last is not None and _is_date_only(end):
        last = day_end(last, field)
    if first is not None and last is not None and last < first:

        def shown(value: Any, stamp: pd.Timestamp) -> str:  # a date as it was given
            return str(stamp.date()) if _is_date_only(value) else stamp.isoformat()

        raise MammothInputError(
            field,
            f"the end {shown(end, last)} is before the start {shown(start, first)}",
            accepted="a start on or before the end",
        )
    return first, last


def _is_date_only(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_DATE_ONLY_RE.match(value.strip()))
    return isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)


def created_at(value: Any, field: str = "created_at") -> str:
    """The ``created_at`` filter as ``(from:'…',to:'…')``; ``""`` for no filter.

    ``field`` names the filter in errors (``updated_at`` takes the same forms).
    """
    accepted = (
        "\"(from:'ISO',to:'ISO')\", a (start, end) pair, slice(start, end), "
        '{"from": ..., "to": ...}, a date, or a datetime (from then on)'
    )
    if value is None:
        return ""
    if isinstance(value, str) and value.strip().startswith("("):
        match = _RANGE_RE.match(value.strip())
        if not match or (match.group("from") is None and match.group("to") is None):
            raise MammothInputError(field, f"malformed range {_describe(value)}", accepted=accepted)
        start = _timestamp(match.group("from"), "from", field)
        end = _timestamp(match.group("to"), "to", field)
    elif isinstance(value, slice):
        if value.step is not None:
            raise MammothInputError(field, "a slice step is not allowed", accepted=accepted)
        start, end = time_range(value.start, value.stop, field)
    elif isinstance(value, Mapping):
        unknown = set(value) - {"from", "to", "start", "end"}
        if unknown:
            raise MammothInputError(
                field, f"unknown keys {sorted(map(str, unknown))}", accepted=accepted
            )
        start, end = time_range(
            value.get("from", value.get("start")), value.get("to", value.get("end")), field
        )
    elif isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise MammothInputError(
                field, f"a pair needs 2 items, got {len(value)}", accepted=accepted
            )
        start, end = time_range(value[0], value[1], field)
    elif _is_date_only(value):
        start = _timestamp(value, "date", field)
        assert start is not None
        end = day_end(start, field)
    else:
        start, end = _timestamp(value, "start", field), None
        if start is None:
            return ""
    if start is not None and end is not None and end < start:
        raise MammothInputError(
            field,
            f"the end {end.isoformat()} is before the start {start.isoformat()}",
            accepted=accepted,
        )
    if start is None and end is None:
        return ""
    parts = []
    if start is not None:
        parts.append(f"from:'{_wire_time(start)}'")
    if end is not None:
        parts.append(f"to:'{_wire_time(end)}'")
    return "(" + ",".join(parts) + ")"


# -- sort ---------------------------------------------------------------------------------


def sort(value: Any, *, sortable: tuple[str, ...] = C.SORTABLE_FIELDS) -> str:
    """Sort terms as ``(field:dir),(field:dir)``; ``""`` for the server's default.

    ``sortable`` lists the fields a term may name (a batch listing's by default).
    """
    accepted = (
        f'"(id:asc),(state:desc)", "-created_at", ["-created_at", "id"] or '
        f"[(field, 'asc'|'desc')]; fields: {', '.join(sortable)}"
    )
    if value is None:
        return ""
    terms: list[tuple[str, str]] = []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ""
        if text.startswith("("):
            if not text.endswith(")"):
                raise MammothInputError("sort", f"malformed {text!r}", accepted=accepted)
            for raw in re.split(r"\)\s*,\s*\(", text[1:-1]):
                term = "(" + raw + ")"
                match = _SORT_TERM_RE.match(term.replace(" ", ""))
                if not match:
                    raise MammothInputError("sort", f"malformed term {term!r}", accepted=accepted)
                terms.append((match.group("field"), match.group("dir")))
            items: list[Any] = []
        else:
            items = [part.strip() for part in text.split(",")]
    elif isinstance(value, tuple) and len(value) == 2 and value[1] in C.SORT_DIRECTIONS:
        items = [value]
    elif isinstance(value, Iterable) and not isinstance(value, Mapping):
        items = list(value)
        if not items:
            raise MammothInputError("sort", "the list of sort terms is empty", accepted=accepted)
    else:
        raise MammothInputError("sort", f"got {type(value).__name__}", accepted=accepted)
    for item in items:
        if isinstance(item, str):
            name = item.strip()
            direction = "desc" if name.startswith("-") else "asc"
            name = name.lstrip("+-")
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            name, direction = item[0].strip(), item[1].strip().lower()
        else:
            raise MammothInputError("sort", f"malformed term {_describe(item)}", accepted=accepted)
        terms.append((name, direction))
    seen = set()
    for name, direction in terms:
        if name not in sortable:
            raise MammothInputError("sort", f"cannot sort on {name!r}", accepted=accepted)
        if direction not in C.SORT_DIRECTIONS:
            raise MammothInputError("sort", f"unknown direction {direction!r}", accepted=accepted)
        if name in seen:
            raise MammothInputError("sort", f"{name!r} appears twice", accepted=accepted)
        seen.add(name)
    return ",".join(f"({name}:{direction})" for name, direction in terms)


def page_size(value: Any, *, text: bool = True) -> int:
    """Records per request, 1..100; ``text=False`` refuses anything but an ``int`` (panels).

    The one rule for a page size: listings, dataset listings and the batch panel use it.
    """
    accepted = f"an integer 1..{C.MAX_LIMIT}"
    if not text and (isinstance(value, bool) or not isinstance(value, int)):
        raise MammothInputError("page_size", f"got {_describe(value)}", accepted=accepted)
    number = _as_int("page_size", value, minimum=1, what=accepted)
    if number > C.MAX_LIMIT:
        raise MammothInputError(
            "page_size", f"{number} is above the maximum page size", accepted=f"1..{C.MAX_LIMIT}"
        )
    return number


def limit(value: Any) -> int | None:
    if value is None:
        return None
    return _as_int("limit", value, minimum=0, what="None or an integer (rows)")


def flag(field: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise MammothInputError(field, f"got {_describe(value)}", accepted="True or False")
    return bool(value)


def timeout(value: Any, field: str = "timeout") -> float:
    accepted = "a positive number of seconds"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise MammothInputError(field, f"got {_describe(value)}", accepted=accepted)
    number = float(value)
    if math.isnan(number) or number <= 0 or math.isinf(number):
        raise MammothInputError(field, f"got {value!r}", accepted=accepted)
    return number


# -- request bodies -----------------------------------------------------------------------

_MAPPING_FORMS = (
    "a list of {destination_c_id, source_c_id[, expected_destination_c_type]} or of "
    "{destination_c_name, source_c_name, ...} items (not mixed), or a Mapping from "
    "mammoth_pandas.mapping"
)


def mapping_items(mapping: Any) -> list[dict[str, Any]]:
    """The items of a ``create`` body's ``mapping``: every item checked, types upper-cased.

    Accepts a list of items by id or by name (not mixed) or a ``Mapping`` from
    :mod:`mammoth_pandas.mapping` (its ``payload()``).
    """
    if hasattr(mapping, "payload") and callable(mapping.payload):
        mapping = mapping.payload()
        if isinstance(mapping, Mapping) and "mapping" in mapping:
            mapping = mapping["mapping"]
    if isinstance(mapping, (str, bytes)) or not isinstance(mapping, Iterable):
        raise MammothInputError("mapping", f"got {type(mapping).__name__}", accepted=_MAPPING_FORMS)
    items = [dict(item) if isinstance(item, Mapping) else item for item in mapping]
    if not items:
        raise MammothInputError("mapping", "the mapping is empty", accepted=_MAPPING_FORMS)
    kinds = set()
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise MammothInputError("mapping", f"item {n} is not a dict", accepted=_MAPPING_FORMS)
        by_id = "destination_c_id" in item or "source_c_id" in item
        by_name = "destination_c_name" in item or "source_c_name" in item
        if by_id and by_name:
            raise MammothInputError(
                "mapping", f"item {n} mixes ids and names", accepted=_MAPPING_FORMS
            )
        if not by_id and not by_name:
            raise MammothInputError("mapping", f"item {n} names no column", accepted=_MAPPING_FORMS)
        kinds.add("id" if by_id else "name")
        for key, value in item.items():
            if key == "expected_destination_c_type":
                if not isinstance(value, str) or value.upper() not in C.MAPPING_TYPES:
                    raise MammothInputError(
                        f"mapping[{n}].expected_destination_c_type",
                        f"got {value!r}",
                        accepted=", ".join(C.MAPPING_TYPES),
                    )
                item[key] = value.upper()
            elif key == "action":
                if value != "add_column":
                    raise MammothInputError(
                        f"mapping[{n}].action", f"got {value!r}", accepted="add_column"
                    )
            elif not isinstance(value, str) or not value:
                raise MammothInputError(
                    f"mapping[{n}].{key}",
                    f"got {value!r}",
                    accepted="a non-empty column id or name",
                )
    if len(kinds) > 1:
        raise MammothInputError(
            "mapping", "some items map by id and others by name", accepted=_MAPPING_FORMS
        )
    return items


def batch_patch(patch: Any, suspend: Any, restore: Any) -> dict[str, Any]:
    """The ``patch`` of an ``update`` body, from the seed's ``patch=`` or ``suspend=``/``restore=``.

    Refuses both forms at once, an empty patch and ids both suspended and restored.
    """
    accepted = (
        '{"op": "replace", "path": "batches", "value": {"suspend": [...], "restore": [...]}}, '
        "or suspend=/restore= lists of ids"
    )
    if patch is not None and (suspend is not None or restore is not None):
        raise MammothInputError(
            "patch", "give patch= or suspend=/restore=, not both", accepted=accepted
        )
    if patch is not None:
        if not isinstance(patch, Mapping):
            raise MammothInputError("patch", f"got {type(patch).__name__}", accepted=accepted)
        op = patch.get("op", "replace")
        op = getattr(op, "value", op)
        if op not in C.PATCH_OPS:
            raise MammothInputError("patch.op", f"got {op!r}", accepted=", ".join(C.PATCH_OPS))
        path = getattr(patch.get("path", "batches"), "value", patch.get("path", "batches"))
        if path != "batches":
            raise MammothInputError("patch.path", f"got {path!r}", accepted="batches")
        unknown = set(patch) - {"op", "path", "value"}
        if unknown:
            raise MammothInputError("patch", f"unknown keys {sorted(unknown)}", accepted=accepted)
        value = patch.get("value")
        if not isinstance(value, Mapping):
            raise MammothInputError("patch.value", f"got {value!r}", accepted=accepted)
        extra = set(value) - {"suspend", "restore"}
        if extra:
            raise MammothInputError(
                "patch.value", f"unknown keys {sorted(extra)}", accepted="suspend, restore"
            )
        suspend, restore = value.get("suspend"), value.get("restore")
    else:
        op = "replace"
    to_suspend = [] if suspend is None else id_list("suspend", suspend)
    to_restore = [] if restore is None else id_list("restore", restore)
    if not to_suspend and not to_restore:
        raise MammothInputError(
            "suspend" if patch is None else "patch.value",
            "no batch ids to suspend or restore",
            accepted="at least one id",
        )
    both = set(to_suspend) & set(to_restore)
    if both:
        raise MammothInputError(
            "restore",
            f"ids {sorted(both)} are both suspended and restored",
            accepted="disjoint lists",
        )
    value_out: dict[str, list[int]] = {}
    if to_suspend:
        value_out["suspend"] = to_suspend
    if to_restore:
        value_out["restore"] = to_restore
    return {"op": op, "path": "batches", "value": value_out}


# -- catalog listings (projects, datasets) and data reads ------------------------------


def catalog_fields(field: str, value: Any, known: tuple[str, ...]) -> tuple[str, ...] | None:
    """A listing's ``fields``: names from ``known``, ``id`` first; ``None`` for the default."""
    accepted = ", ".join(known)
    if value is None:
        return None
    items = _iter_values(field, value, accepted)
    if not items:
        return None
    chosen: set[str] = {"id"}
    for item in items:
        if not isinstance(item, str) or item.strip() not in known:
            raise MammothInputError(field, f"unknown field {_describe(item)}", accepted=accepted)
        chosen.add(item.strip())
    return tuple(f for f in known if f in chosen)


def names(field: str, value: Any) -> list[str]:
    """A list of non-empty strings (``"a,b"`` or a list), e.g. ``created_by``."""
    accepted = "a string or a list of strings"
    items = _iter_values(field, value, accepted)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise MammothInputError(field, f"{_describe(item)} is not a name", accepted=accepted)
        if "," in item.strip() and not isinstance(value, str):
            raise MammothInputError(
                field, f"{item!r} holds a comma, which the wire uses between names"
            )
        out.append(item.strip())
    return list(dict.fromkeys(out))


def row_limit(value: Any) -> int | None:
    """A data read's ``limit``: how many rows at most (any whole number >= 0), or ``None``."""
    if value is None:
        return None
    return _as_int("limit", value, minimum=0, what="a whole number of rows >= 0")


def dataset_statuses(value: Any, field: str = "status") -> list[str]:
    """Dataset statuses (``ready``, ``processing``, …), lowercase, deduplicated."""
    accepted = ", ".join(C.DATASET_STATUSES)
    out: list[str] = []
    for item in _iter_values(field, value, accepted):
        if not isinstance(item, str) or item.strip().lower() not in C.DATASET_STATUSES:
            raise MammothInputError(field, f"unknown status {_describe(item)}", accepted=accepted)
        out.append(item.strip().lower())
    return list(dict.fromkeys(out))
