"""Type aliases for the Pythonic forms a parameter takes, for signatures and the docs."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any, Union

import numpy as np
import pandas as pd

__all__ = ["DateRangeLike", "IdsLike", "SortLike", "StatesLike", "TimeLike"]

# Union, not ``X | Y``: these aliases are evaluated at run time, and some members are
# forward references (strings), which ``|`` cannot join on Python 3.10.
# ruff: noqa: UP007

#: One id, ``"1,2,3"``, or any iterable of ids (list, set, range, array, Index; digits as text too).
IdsLike = Union[
    int, str, Iterable[Union[int, str]], "np.ndarray[Any, Any]", "pd.Index[Any]", "pd.Series[Any]"
]

#: ``"active,suspended"`` or an iterable of states.
StatesLike = Union[str, Iterable[str]]

#: One bound of a time range: a datetime, a ``pd.Timestamp``, a date or an ISO string.
TimeLike = Union[_dt.datetime, _dt.date, pd.Timestamp, np.datetime64, str, None]

#: The seed string ``"(from:'…',to:'…')"``, a ``(start, end)`` pair, ``slice(start, end)``,
#: ``{"from": …, "to": …}``, one date (that whole UTC day) or one time (from then on).
DateRangeLike = Union[
    str, tuple[TimeLike, TimeLike], slice, Mapping[str, TimeLike], _dt.date, pd.Timestamp
]

#: ``"(id:asc),(state:desc)"``, ``"-created_at"``, ``["-created_at", "id"]`` or
#: ``[("created_at", "desc"), ("id", "asc")]``.
SortLike = Union[str, tuple[str, str], Iterable[Union[str, tuple[str, str]]]]
