"""Dates written as text: which format a column uses, and the timestamps it holds.

``parse_dates(values)`` tries the commonest formats, those that parse most of a small probe
first; the probe is checked with each format's pattern (``strptime``'s own, and a look at the
calendar), which gives ``strptime``'s verdict for much less time.
"""

from __future__ import annotations

import calendar
import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

__all__ = ["parse_dates", "text_values"]

_DATE_FORMATS: tuple[str, ...] = (
    "ISO8601",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
)


def _texts(values: Iterable[object]) -> list[str]:
    """Values (nulls already dropped) as stripped strings, empty ones left out."""
    return [text for text in (str(v).strip() for v in values) if text]


def text_values(values: pd.Series) -> list[str]:
    """Non-empty values as stripped strings (nulls dropped)."""
    return _texts(values.dropna().tolist())


#: Values a format is first tried on, to order the formats before parsing them all.
_PROBE = 12


def _to_datetime(text: np.ndarray, fmt: str) -> pd.Index | None:
    """Timestamps (an object index when the offsets differ), None if ``fmt`` cannot parse."""
    try:
        return pd.Index(pd.to_datetime(text, format=fmt, errors="coerce", cache=False))
    except (ValueError, TypeError):
        return None


def _parses(value: str, fmt: str) -> bool:
    """Whether ``value`` parses in ``fmt`` (``datetime.strptime``'s verdict)."""
    if fmt == "ISO8601":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    found = _FORMAT_PATTERNS[fmt].fullmatch(value)
    if found is None:
        return False
    parts = found.groupdict()
    year = int(parts["Y"]) if parts.get("Y") else _century(int(parts.get("y") or 1900))
    month = _MONTH_NUMBER[parts["b"].lower()] if parts.get("b") else None
    if month is None:
        month = _MONTH_NUMBER[parts["B"].lower()] if parts.get("B") else int(parts["m"])
    return int(parts["d"]) <= calendar.monthrange(year, month)[1]


def _century(year: int) -> int:
    """A two-digit year as ``strptime`` reads it (69 to 99 in the 1900s, else the 2000s)."""
    return year + (2000 if year <= 68 else 1900)


_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
#: English month names and abbreviations (any case) → month number.
_MONTH_NUMBER: dict[str, int] = {
    name.lower(): number for number, full in enumerate(_MONTHS, 1) for name in (full, full[:3])
}

#: What each directive of the date formats accepts: ``strptime``'s own patterns (C locale).
_DIRECTIVES: dict[str, str] = {
    "d": r"(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])",
    "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
    "Y": r"(?P<Y>\d\d\d\d)",
    "y": r"(?P<y>\d\d)",
    "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
    "M": r"(?P<M>[0-5]\d|\d)",
    "b": "(?P<b>" + "|".join(sorted((n for n in _MONTH_NUMBER if len(n) == 3), key=len)) + ")",
    "B": "(?P<B>"
    + "|".join(sorted((n for n in _MONTH_NUMBER if len(n) > 3 or n == "may"), key=len)[::-1])
    + ")",
}


def _format_pattern(fmt: str) -> re.Pattern[str]:
    """``fmt`` as the pattern ``strptime`` matches values against (whitespace runs as one)."""
    out = []
    for literal, directive in re.findall(r"([^%]*)(?:%(.))?", fmt):
        out.append(r"\s+".join(re.escape(part) for part in re.split(r"\s+", literal)))
        if directive:
            out.append(_DIRECTIVES[directive])
    return re.compile("".join(out), re.IGNORECASE)


#: Each date format (but ISO 8601) as a pattern: checking a value is a match and a look at
#: the calendar, much quicker than ``strptime`` and with its verdict.
_FORMAT_PATTERNS: dict[str, re.Pattern[str]] = {
    fmt: _format_pattern(fmt) for fmt in _DATE_FORMATS if fmt != "ISO8601"
}


def _literals(fmt: str) -> frozenset[str]:
    """The characters every value in this format holds (its separators)."""
    if fmt == "ISO8601":
        return frozenset("-")
    return frozenset(re.sub(r"%.", "", fmt))


#: Each date format's separators: a value without them is not parsed in that format.
_FORMAT_LITERALS: dict[str, frozenset[str]] = {fmt: _literals(fmt) for fmt in _DATE_FORMATS}


def _hits(probe: list[str], fmt: str) -> int:
    """How many probe values parse in this format (those without its separators are not tried)."""
    literals = _FORMAT_LITERALS[fmt]
    return sum(_parses(v, fmt) for v in probe if all(ch in v for ch in literals))


def _formats_to_try(text: pd.Series | list[str]) -> Iterator[str]:
    """The date formats in the order to try them.

    Those that parse most of a small even probe come first (checked value by value, which is much
    cheaper than a parse of the whole column); a format that parses none of the probe is not tried.
    The first format that parses the whole probe leads whatever the others do, so it is yielded
    before the others are checked (often it is the only one tried).
    """
    values = text.tolist() if isinstance(text, pd.Series) else text
    positions = np.linspace(0, len(values) - 1, min(_PROBE, len(values))).round().astype(int)
    probe = [str(values[i]) for i in positions]
    ranked = []
    lead = len(_DATE_FORMATS)
    for order, fmt in enumerate(_DATE_FORMATS):
        hits = _hits(probe, fmt)
        if hits:
            ranked.append((-hits, order, fmt))
        if hits == len(probe):
            lead = order
            yield fmt
            break
    ranked += [
        (-h, o, f)
        for o, f in enumerate(_DATE_FORMATS[lead + 1 :], lead + 1)
        if (h := _hits(probe, f))
    ]
    if not ranked:
        yield from _DATE_FORMATS
    yield from (fmt for _, order, fmt in sorted(ranked) if order != lead)


def parse_dates(values: pd.Series) -> tuple[pd.Series, float]:
    """Dates from text in the commonest formats (ISO 8601, ``m/d/Y``, ``d.m.Y``, ``Mon d, Y``…).

    The format that parses the most values wins. Returns the parsed timestamps (NaT where a
    value fails) and the share of non-empty values that fail.
    """
    parsed, fail = _parse_date_texts(text_values(values))
    return pd.Series(parsed), fail


def _parse_date_texts(texts: list[str]) -> tuple[pd.Index, float]:
    """:func:`parse_dates` of values already stripped, nulls and empty ones left out.

    The timestamps come back as an index: a series costs more than a short column's parse.
    """
    if not texts:
        return pd.DatetimeIndex([], dtype="datetime64[ns]"), 0.0
    text = np.array(texts, dtype=object)
    best: pd.Index | None = None
    best_fail = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fmt in _formats_to_try(texts):
            parsed = _to_datetime(text, fmt)
            if parsed is None:
                continue
            fail = float(np.mean(parsed.isna()))
            if fail < best_fail:
                best, best_fail = parsed, fail
            if fail == 0.0:
                break
        if best is not None and best_fail == 0.0 and fmt in _DAY_FIRST:
            best = _day_first_if_monthly(text, best, _DAY_FIRST[fmt])
    if best is None:
        return pd.DatetimeIndex([pd.NaT] * len(texts), dtype="datetime64[ns]"), 1.0
    return best, best_fail


#: Month-first formats and their day-first readings (the same separators, fields swapped).
_DAY_FIRST: dict[str, str] = {
    "%m/%d/%Y": "%d/%m/%Y",
    "%m/%d/%y": "%d/%m/%y",
    "%m-%d-%Y": "%d-%m-%Y",
    "%m/%d/%Y %H:%M": "%d/%m/%Y %H:%M",
}


def _day_first_if_monthly(text: np.ndarray, parsed: pd.Index, day_first: str) -> pd.Index:
    """The day-first reading of a column that reads both ways, when only it is monthly.

    A column that parses month-first and day-first alike is read day-first when only that
    reading puts every date on one day of the month (a monthly series such as ``01/08/1855``,
    ``01/09/1855``: the 1st of August and September, not the 8th and 9th of January); the
    whole column is read one way. Otherwise the month-first reading stands.
    """
    days = pd.DatetimeIndex(parsed).day
    if len(parsed) < 2 or len(np.unique(days)) == 1:
        return parsed
    probe = [str(v) for v in text[:_PROBE]]
    if _hits(probe, day_first) < len(probe):
        return parsed
    other = _to_datetime(text, day_first)
    if other is None or bool(other.isna().any()):
        return parsed
    return other if len(np.unique(pd.DatetimeIndex(other).day)) == 1 else parsed


def _is_date_dtype(values: pd.Series | pd.Index) -> bool:
    return pd.api.types.is_datetime64_any_dtype(values)


#: Nanoseconds per second and seconds per day, for days since 1970 from timestamps.
_NS, _DAY = 1_000_000_000, 86400.0


def _days(values: pd.Series | pd.Index) -> np.ndarray:
    """Days since 1970 (UTC; naive times taken as UTC), nulls and failures dropped."""
    if _is_date_dtype(values):
        # Already timestamps: the same arithmetic as below, without parsing them again.
        index = pd.DatetimeIndex(values.dropna())
        try:
            return (index.as_unit("ns").asi8 / _NS) / _DAY
        except OutOfBoundsDatetime:  # before 1677 or after 2262: count in the stored unit
            per_second = {"s": 1, "ms": 1_000, "us": 1_000_000}[index.unit]
            return (index.asi8 / per_second) / _DAY
    stamps = pd.DatetimeIndex(pd.to_datetime(values, errors="coerce", utc=True)).dropna()
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).total_seconds().to_numpy(dtype="float64")
    return seconds / 86400.0
