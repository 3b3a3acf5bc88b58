"""What a column's values look like: TEXT, NUMERIC or DATE, even when stored as text.

``infer_type(values)`` gives the Mammoth type of a column of values; ``profile(values)``
summarises them for comparison (numbers as a sorted sample, distinct text values, value
formats such as emails or phone numbers) and records how many text values fail to parse
as numbers or dates, which is what a type conflict reports.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from mammoth_pandas.mapping.dates import (
    _days,
    _is_date_dtype,
    _parse_date_texts,
    _texts,
    parse_dates,
    text_values,
)

__all__ = [
    "Profile",
    "infer_type",
    "parse_dates",
    "parse_numbers",
    "profile",
    "text_values",
    "value_format",
]

#: Up to this many non-null values are profiled (an evenly spread, deterministic sample).
SAMPLE_SIZE = 400
#: Share of values that must parse for text to count as numbers or dates.
PARSE_SHARE = 0.9
#: Points in a numeric column's quantile sketch (what distributions are compared on).
QUANTILES = 65
_MAX_FAIL = 1 - PARSE_SHARE + 1e-9

_NUMBER_CLEAN = re.compile(r"[\s$€£¥%]|(?<=\d),(?=\d{3}(?:\D|$))")
_NUMBER_SHAPE = re.compile(r"^[(+-]?[$€£¥]?\s*[\d.,\s]+%?\)?$|^[+-]?\d*\.?\d+(?:[eE][+-]?\d+)?$")
_DATE_HINT = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{2,4}"
)
_WORD = re.compile(r"[a-z]{3,}")
_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)),
    ("url", re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)),
    ("uuid", re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)),
    (
        "date",
        re.compile(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})(?:[T ][\d:.]+Z?)?$"),
    ),
    ("phone", re.compile(r"^\+?[\d\s().-]{7,20}$")),
    ("number", re.compile(r"^[+-]?[\d,]*\.?\d+$")),
    ("code", re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{2,20}$")),
    ("word", re.compile(r"^[A-Za-z][A-Za-z'’-]*$")),
    ("words", re.compile(r"^[A-Za-z][A-Za-z'’.-]*(?:\s+[A-Za-z0-9][A-Za-z0-9'’.-]*)+$")),
)


#: The format classes as one pattern: its alternatives are tried in order, as the classes are.
_ANY_FORMAT = re.compile(
    "|".join(
        f"(?P<{name}>{'(?i:' if pattern.flags & re.IGNORECASE else '(?:'}{pattern.pattern}))"
        for name, pattern in _FORMATS
    )
)


def value_format(text: str) -> str:
    """The format class of a value: email, url, uuid, date, phone, number, code, word(s), other."""
    found = _ANY_FORMAT.match(text.strip())
    return found.lastgroup or "other" if found else "other"


def _sample(values: pd.Series) -> np.ndarray:
    """The non-null values, at most ``SAMPLE_SIZE`` evenly spread ones (an array)."""
    array = values.to_numpy()
    if array.dtype.kind in "fc":
        array = array[~np.isnan(array)]
    elif array.dtype.kind not in "biu":
        array = array[~pd.isna(array)]
    if len(array) > SAMPLE_SIZE:
        positions = np.linspace(0, len(array) - 1, SAMPLE_SIZE).round().astype(int)
        array = array[positions]
    return array


#: Digits with a space between them: a number only when the space groups thousands.
_SPACED_DIGITS = re.compile(r"\d\s+\d")
_SPACED_THOUSANDS = re.compile(
    r"[(+-]?[$€£¥]?\s*\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?\s*%?\)?"
)


def _number(text: str) -> float:
    if _SPACED_DIGITS.search(text) and not _SPACED_THOUSANDS.fullmatch(text):
        # "+44 7748 345262" is a phone number, "1 234 567" a number.
        return float("nan")
    negative = text.startswith("(") and text.endswith(")")
    cleaned = _NUMBER_CLEAN.sub("", text).strip("()")
    try:
        number = float(cleaned)
    except ValueError:
        return float("nan")
    return -number if negative else number


def _numbers(texts: list[str]) -> tuple[np.ndarray, float]:
    parsed = np.array([_number(t) for t in texts], dtype="float64")
    if not parsed.size:
        return parsed, 0.0
    failed = ~np.isfinite(parsed)
    return parsed[~failed], float(failed.mean())


def parse_numbers(values: pd.Series) -> tuple[pd.Series, float]:
    """Numbers from text such as ``"1,234.50"``, ``"$12"``, ``"(3)"``, ``"45%"``.

    Returns the parsed floats (NaN where a value fails) and the share of non-empty values
    that fail.
    """
    texts = text_values(values)
    parsed = pd.Series([_number(t) for t in texts], dtype="float64")
    return parsed, float(parsed.isna().mean()) if texts else 0.0


def _is_numeric_dtype(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


@dataclass(frozen=True)
class Profile:
    """A summary of a column's values for comparison.

    ``kind`` is what the values are (``numeric``, ``date``, ``text`` or ``empty``) whatever
    the declared type; ``numbers`` holds sorted floats for numbers and dates (days since
    1970); ``distinct`` up to ``SAMPLE_SIZE`` distinct normalised text values; ``formats``
    the share of each format class; ``number_fail`` / ``date_fail`` the share of values that
    do not parse as numbers / dates (0 for values already typed so).
    """

    kind: str
    count: int
    numbers: np.ndarray = field(repr=False)
    distinct: frozenset[str] = field(repr=False)
    distinct_ratio: float
    formats: dict[str, float] = field(repr=False)
    mean_length: float
    integer_share: float
    number_fail: float
    date_fail: float
    vocabulary: frozenset[str] = field(default=frozenset(), repr=False)
    #: For a column of yes/no flags (``true``/``false``, ``Y``/``N``, ``1``/``0``…): the
    #: share of yes; ``None`` for any other column.
    flag_share: float | None = None

    @property
    def empty(self) -> bool:
        """Whether the column holds no values."""
        return self.kind == "empty"

    @cached_property
    def sketch(self) -> np.ndarray:
        """``QUANTILES`` evenly spaced quantiles of ``numbers`` (empty without numbers)."""
        n = self.numbers.size
        if not n:
            return self.numbers
        return np.interp(np.linspace(0.0, n - 1, QUANTILES), np.arange(n), self.numbers)

    @cached_property
    def median(self) -> float:
        """The median of the numeric values (0.0 when there are none)."""
        return float(self.sketch[QUANTILES // 2]) if self.sketch.size else 0.0

    @cached_property
    def spread(self) -> float:
        """Interquartile range, else the full range, of ``numbers``."""
        q = self.sketch
        if not q.size:
            return 0.0
        spread = float(q[(QUANTILES - 1) * 3 // 4] - q[(QUANTILES - 1) // 4])
        return spread if spread > 0 else float(q[-1] - q[0])

    @cached_property
    def standardised(self) -> np.ndarray | None:
        """The sketch centred on the median and divided by the spread (None if constant)."""
        if self.spread <= 0:
            return None
        return (self.sketch - self.median) / self.spread


def _text_summary(
    counts: Counter[str], total: int
) -> tuple[frozenset[str], float, dict[str, float], float]:
    distinct = frozenset(" ".join(t.lower().split()) for t in counts)
    formats: Counter[str] = Counter()
    for text, n in counts.items():
        formats[value_format(text)] += n
    shares = {name: n / total for name, n in formats.items()}
    mean_length = sum(len(t) * n for t, n in counts.items()) / total
    return distinct, len(distinct) / total, shares, mean_length


def _share_matching(counts: Counter[str], total: int, test: Callable[[str], object]) -> float:
    """The share of values (counted with repeats) that pass ``test``, tried once per value."""
    return sum(n for text, n in counts.items() if test(text)) / total


#: How yes/no flags are written: each pair is one way (a column uses one pair).
FLAG_WORDS: tuple[tuple[str, str], ...] = (
    ("true", "false"),
    ("yes", "no"),
    ("y", "n"),
    ("t", "f"),
    ("1", "0"),
    ("on", "off"),
)
_FLAG_OF: dict[str, tuple[int, bool]] = {
    word: (pair, word == words[0]) for pair, words in enumerate(FLAG_WORDS) for word in words
}


def _flag_share(counts: Counter[str], total: int) -> float | None:
    """The share of yes when every value is a flag written one way, else ``None``.

    Both values must appear when they are digits or single letters (a column of ``1`` alone
    is a count as likely as a flag); ``yes`` alone or ``true`` alone is still a flag.
    """
    pairs: set[int] = set()
    yes = 0
    seen: set[bool] = set()
    for text, n in counts.items():
        found = _FLAG_OF.get(text.lower())
        if found is None:
            return None
        pairs.add(found[0])
        seen.add(found[1])
        yes += n if found[1] else 0
    if len(pairs) != 1 or (len(seen) < 2 and len(FLAG_WORDS[next(iter(pairs))][0]) < 3):
        return None
    return yes / total


def _numeric_flag_share(numbers: np.ndarray) -> float | None:
    """The share of 1 in a column of 0 and 1 (both present), else ``None``."""
    if not numbers.size:
        return None
    ones = numbers == 1.0
    zeros = numbers == 0.0
    if not (ones | zeros).all() or not ones.any() or not zeros.any():
        return None
    return float(ones.mean())


def _integer_share(numbers: np.ndarray) -> float:
    return float(np.mean(numbers == np.round(numbers))) if numbers.size else 0.0


def profile(values: pd.Series) -> Profile:
    """Summarise a column's values (a deterministic sample of at most ``SAMPLE_SIZE``)."""
    sample = _sample(values)
    empty_numbers = np.empty(0, dtype="float64")
    if not len(sample):
        return Profile("empty", 0, empty_numbers, frozenset(), 0.0, {}, 0.0, 0.0, 0.0, 0.0)
    if _is_date_dtype(values):
        days = np.sort(_days(pd.Series(sample, dtype=values.dtype)))
        return Profile(
            "date", len(sample), days, frozenset(), 0.0, {"date": 1.0}, 0.0, 0.0, 1.0, 0.0
        )
    if _is_numeric_dtype(values):
        numbers = np.sort(sample.astype("float64"))
        numbers = numbers[np.isfinite(numbers)]
        distinct = frozenset(f"{x:g}" for x in np.unique(numbers))
        return Profile(
            "numeric", len(sample), numbers, distinct,
            len(distinct) / len(numbers) if numbers.size else 0.0,
            {"number": 1.0}, 0.0, _integer_share(numbers), 0.0, 1.0,
            flag_share=_numeric_flag_share(numbers),
        )  # fmt: skip
    texts = _texts(sample.tolist())
    if not texts:
        return Profile("empty", 0, empty_numbers, frozenset(), 0.0, {}, 0.0, 0.0, 0.0, 0.0)
    counts, total = Counter(texts), len(texts)
    flags = _flag_share(counts, total) if len(counts) <= 4 else None
    distinct, ratio, formats, mean_length = _text_summary(counts, total)
    vocabulary = frozenset(w for value in distinct for w in _WORD.findall(value))
    number_fail = 1.0 - _share_matching(counts, total, _NUMBER_SHAPE.match)
    if number_fail <= 0.5:
        numbers, number_fail = _numbers(texts)
        if number_fail <= _MAX_FAIL:
            return Profile(
                "numeric", len(texts), np.sort(numbers), distinct, ratio, formats, mean_length,
                _integer_share(numbers), number_fail, 1.0, flag_share=flags,
            )  # fmt: skip
    date_fail = 1.0 - _share_matching(counts, total, _DATE_HINT.search)
    if date_fail <= 0.5:
        parsed_dates, date_fail = _parse_date_texts(texts)
        if date_fail <= _MAX_FAIL:
            days = np.sort(_days(parsed_dates))
            return Profile(
                "date", len(texts), days, distinct, ratio, formats, mean_length, 0.0,
                number_fail, date_fail,
            )  # fmt: skip
    return Profile(
        "text", len(texts), empty_numbers, distinct, ratio, formats, mean_length, 0.0,
        number_fail, date_fail, vocabulary, flags,
    )  # fmt: skip


def infer_type(values: pd.Series) -> str:
    """The Mammoth type that fits a column of values: ``text``, ``numeric`` or ``date``.

    Numbers and dates stored as text count as numbers and dates when at least 90 % of the
    non-empty values parse; an empty column is ``text``.
    """
    kind = profile(values).kind
    return "text" if kind == "empty" else kind
