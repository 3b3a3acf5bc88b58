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

from mammoth_pandas.params._bodies import batch_patch, distinct_source, mapping_items
from mammoth_pandas.params._times import DAY_END, created_at, day_end, time_range
from mammoth_pandas.params._types import DateRangeLike, IdsLike, SortLike, StatesLike
from mammoth_pandas.params._values import (
    MAX_IDS,
    batch_id,
    catalog_fields,
    count,
    dataset_ids,
    dataset_statuses,
    fields,
    fields_wire,
    flag,
    fraction,
    id_list,
    limit,
    names,
    non_negative_int,
    page_size,
    path_id,
    row_counts,
    row_limit,
    sort,
    states,
    timeout,
)

__all__ = [
    "DAY_END",
    "MAX_IDS",
    "DateRangeLike",
    "IdsLike",
    "SortLike",
    "StatesLike",
    "batch_id",
    "batch_patch",
    "catalog_fields",
    "count",
    "created_at",
    "dataset_ids",
    "dataset_statuses",
    "day_end",
    "distinct_source",
    "fields",
    "fields_wire",
    "flag",
    "fraction",
    "id_list",
    "limit",
    "mapping_items",
    "names",
    "non_negative_int",
    "page_size",
    "path_id",
    "row_counts",
    "row_limit",
    "sort",
    "states",
    "time_range",
    "timeout",
]
