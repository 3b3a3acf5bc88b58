"""Times as the API takes them: ``created_at``-style ranges and whole UTC days."""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.params._values import _describe

_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


_RANGE_RE = re.compile(
    r"^\(\s*(?:from:'(?P<from>[^']*)')?\s*,?\s*(?:to:'(?P<to>[^']*)')?\s*\)$",
)


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
