"""Values as the API takes them: ids, states, fields, sort terms, sizes, timeouts.

See :mod:`mammoth_pandas.params` for the forms each parameter accepts.
"""

from __future__ import annotations

import itertools
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sized
from typing import Any

import numpy as np
import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError

#: Longest id list accepted in one call (the query string must stay reasonable).
MAX_IDS = 10_000

_FIELD_ALIASES = {"status": "state"}
_SORT_TERM_RE = re.compile(r"^\((?P<field>[a-z_]+):(?P<dir>[a-z]+)\)$")


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


def fraction(
    field: str, value: Any, *, error: type[MammothInputError] = MammothInputError
) -> float:
    """A number from 0 to 1 (a confidence threshold); ``error`` is the class raised."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not 0 <= float(value) <= 1
    ):
        raise error(field, f"is {_describe(value)}", accepted="a number from 0 to 1")
    return float(value)


def count(field: str, value: Any, *, minimum: int = 1, none_ok: bool = False) -> int:
    """A setting that counts something (workers, rows per frame): a Python int ≥ ``minimum``.

    Unlike an id, it is never read from a string or a float. ``none_ok`` says in the error
    that ``None`` (the default) is accepted too; the caller handles ``None`` itself.
    """
    accepted = f"{'None or ' if none_ok else ''}an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise MammothInputError(field, f"got {_describe(value)}", accepted=accepted)
    if value < minimum:
        raise MammothInputError(field, f"{int(value)} is below {minimum}", accepted=accepted)
    return int(value)


def non_negative_int(field: str, value: Any) -> int:
    return _as_int(field, value, minimum=0)


def _iter_values(field: str, value: Any, accepted: str, cap: int | None = None) -> list[Any]:
    """The items of ``value``; more than ``cap`` items are refused before being listed.

    A sized input (``range(10**9)``, a numpy array) is measured first; any other
    iterable is read one item past the cap at most, so memory stays bounded.
    """
    sized = not isinstance(value, (str, Mapping)) and isinstance(value, Sized)
    if cap is not None and sized and len(value) > cap:
        raise MammothInputError(
            field, f"{len(value)} items is more than {cap} in one call", accepted=accepted
        )
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
        items = list(itertools.islice(value, None if cap is None else cap + 1))
        if cap is not None and len(items) > cap:
            raise MammothInputError(field, f"more than {cap} items in one call", accepted=accepted)
        return items
    raise MammothInputError(field, f"got {type(value).__name__}", accepted=accepted)


def id_list(field: str, value: Any, *, allow_empty: bool = True, minimum: int = 0) -> list[int]:
    """Integer ids (deduplicated, order kept) from a scalar, a comma string or an iterable."""
    accepted = 'an id, "1,2,3", or a list/set/range/array/Index of integer ids'
    items = _iter_values(field, value, accepted, cap=MAX_IDS)
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
