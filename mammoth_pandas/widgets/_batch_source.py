"""What the batch panel shows, fetched at a cost bounded by the page rather than the dataset.

The API filters on states, a created-at range and ids, sorts on most columns, and pages
with ``limit``/``offset``. Filters it can express go to the server: a page is then one
request, and the number of matching batches (the listing has no total) is found by a
few probes of ``fields=id`` pages, doubling then bisecting the offset. Filters it cannot
express (name contains, a row-count range) and sorting by source are applied here, over
the batches that match the server-side part, fetched once and cached until a refresh.

Every request of the source is a click's request: while one runs, the panel's background
read of the index waits between its frames (:meth:`BatchSource.yield_to`), so that a page
or a count is not queued behind the read on the server; a read that only draws the
overview also waits for ``QUIET`` seconds without such a request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas._paging import MAX_PAGES
from mammoth_pandas.errors import MammothConnectionError, MammothInputError

if TYPE_CHECKING:
    from mammoth_pandas.dataset import DatasetHandle

__all__ = ["SORT_KEYS", "BatchFilters", "BatchSource", "source_text", "source_texts"]

#: Column label shown in the panel -> field the server sorts on (None: sorted here).
SORT_KEYS: dict[str, str | None] = {
    "id": "id",
    "name": "name",
    "state": "state",
    "rows": "row_count",
    "columns": "column_count",
    "created": "created_at",
    "source": None,
}

#: Fields the panel asks for: what its table shows, nothing more.
DISPLAY_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "state",
    "created_at",
    "row_count",
    "column_count",
    "source",
)

#: Rows per request when the panel counts or collects ids (the API's maximum page).
_PROBE = C.MAX_LIMIT

#: Seconds a background read waits at most for the panel's requests before going on.
YIELD_AT_MOST = 5.0

#: Seconds without a request of the panel's own before a read that only draws the overview
#: goes on: a user clicking through pages is not slowed by it.
QUIET = 1.0


@dataclass(frozen=True)
class BatchFilters:
    """The panel's filters and sort order, as plain values.

    ``states`` empty means every state. Dates are whole UTC days, both ends included.
    """

    states: tuple[str, ...] = ()
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    rows_min: int | None = None
    rows_max: int | None = None
    name_contains: str = ""
    sort_by: str = "id"
    descending: bool = False

    def __post_init__(self) -> None:
        """Check every filter with the rules of :mod:`mammoth_pandas.params`."""
        P.states(list(self.states), "states")
        if self.sort_by not in SORT_KEYS:
            raise MammothInputError(
                "sort_by", f"cannot sort on {self.sort_by!r}", accepted=", ".join(SORT_KEYS)
            )
        P.time_range(self.created_from, self.created_to, "created")
        for name in ("rows_min", "rows_max"):
            value = getattr(self, name)
            if value is not None:
                P.non_negative_int(name, value)
        if (
            self.rows_min is not None
            and self.rows_max is not None
            and self.rows_max < self.rows_min
        ):
            raise MammothInputError(
                "rows",
                f"the maximum {self.rows_max} is below the minimum {self.rows_min}",
                accepted="a minimum at or below the maximum",
            )

    @property
    def local(self) -> bool:
        """True when part of the filter or the sort must be applied here, not by the server."""
        return (
            bool(self.name_contains.strip())
            or self.rows_min is not None
            or self.rows_max is not None
            or SORT_KEYS[self.sort_by] is None
        )

    def server_params(self) -> dict[str, Any]:
        """The ``status`` and ``created_at`` filters for ``client.batches.list``."""
        params: dict[str, Any] = {}
        if self.states and set(self.states) != set(C.BATCH_STATES):
            params["status"] = list(self.states)
        if self.created_from is not None or self.created_to is not None:
            # Whole UTC days, both ends included: the one definition in params.
            start, end = P.time_range(self.created_from, self.created_to, "created")
            params["created_at"] = (start, end)
        return params

    def server_sort(self) -> list[tuple[str, str]]:
        """The sort terms the server applies, ending on ``id`` so that pages are stable."""
        field = SORT_KEYS[self.sort_by]
        direction = "desc" if self.descending else "asc"
        if field is None or field == "id":
            return [("id", direction if field == "id" else "asc")]
        return [(field, direction), ("id", "asc")]

    def count_key(self) -> tuple[Any, ...]:
        """What the number of server-side matches depends on."""
        params = self.server_params()
        return (tuple(sorted(params.get("status", ()))), params.get("created_at"))

    def server_key(self) -> tuple[Any, ...]:
        """What the server's answer depends on: the filters it applies and its sort."""
        return (*self.count_key(), tuple(self.server_sort()))

    def apply_locally(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The part of the filter and sort the server cannot do, over rows it returned in order."""
        keep = pd.Series(True, index=frame.index)
        needle = self.name_contains.strip()
        if needle:
            names = frame["name"].astype("string")
            keep &= names.str.contains(needle, case=False, regex=False).fillna(False).astype(bool)
        if self.rows_min is not None or self.rows_max is not None:
            counts = frame["row_count"]
            present = counts.notna()
            inside = present.copy()
            if self.rows_min is not None:
                inside &= (counts >= self.rows_min).fillna(False).astype(bool)
            if self.rows_max is not None:
                inside &= (counts <= self.rows_max).fillna(False).astype(bool)
            keep &= inside
        result = frame.loc[keep.to_numpy(dtype=bool)]
        if SORT_KEYS[self.sort_by] is None:
            keys = source_texts(result)
            ids = list(result.index)
            filled = sorted(
                (i for i in range(len(ids)) if keys[i]),
                key=lambda i: (keys[i].casefold(), ids[i]),
                reverse=self.descending,
            )
            empty = [i for i in range(len(ids)) if not keys[i]]
            result = result.iloc[filled + empty]
        return result


_SOURCE_COLUMNS = (
    "source_type",
    "source_dataset_name",
    "source_dataset_id",
    "source_file_name",
    "source_connector",
)


def source_texts(frame: pd.DataFrame) -> list[str]:
    """:func:`source_text` of every row, in order."""
    values = [
        frame[c].tolist() if c in frame.columns else [None] * len(frame) for c in _SOURCE_COLUMNS
    ]
    return [_source_text(*row) for row in zip(*values, strict=True)]


def source_text(row: pd.Series) -> str:
    """``dataset: CRM export (102)``, ``file: customers.csv``, ``cloud: postgres``…"""
    return _source_text(*(row.get(c) for c in _SOURCE_COLUMNS))


def _source_text(
    kind: Any, dataset_name: Any, dataset_id: Any, file_name: Any, connector: Any
) -> str:
    kind_text = _text(kind)
    if _text(dataset_name) or not _missing(dataset_id):
        label = _text(dataset_name) or "dataset"
        suffix = "" if _missing(dataset_id) else f" ({int(dataset_id)})"
        return f"{kind_text or 'dataset'}: {label}{suffix}"
    detail = _text(file_name) or _text(connector)
    if detail:
        return f"{kind_text}: {detail}" if kind_text else detail
    return kind_text


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


class BatchSource:
    """Fetches pages, counts and id lists of one dataset's batches through the client.

    Results are cached per filter until :meth:`invalidate`; every method is thread-safe.
    """

    def __init__(self, handle: DatasetHandle) -> None:
        self.handle = handle
        self._lock = threading.RLock()
        self._counts: dict[tuple[Any, ...], int] = {}
        self._candidates: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._frames: dict[BatchFilters, pd.DataFrame] = {}
        self._started: dict[tuple[Any, ...], Future[Any]] = {}  # begun by start()
        self._first_answers: dict[tuple[Any, ...], tuple[Future[int], threading.Event, list[bool]]]
        self._first_answers = {}
        self._requests = threading.Condition()
        self._running = 0  # requests of the source under way
        self._last = time.monotonic()  # when the last of them ended (or the source began)
        #: Set while a background read waits in :meth:`yield_to` (set under the lock of the
        #: source's requests, so once the lock is free again the read is waiting).
        self.paused = threading.Event()

    def yield_to(self, cancel: threading.Event | None = None, *, quiet: float = 0.0) -> None:
        """Block while one of the source's requests runs, and until ``quiet`` seconds have
        passed since the last one ended (at most ``YIELD_AT_MOST`` s in all), or until
        ``cancel`` is set: a background read calls this between its frames.

        :meth:`wake` ends the wait at once (``cancel_read`` calls it after setting ``cancel``).
        """
        deadline = time.monotonic() + YIELD_AT_MOST
        with self._requests:
            try:
                while not (cancel is not None and cancel.is_set()):
                    now = time.monotonic()
                    if now >= deadline:
                        return
                    wait = deadline - now
                    if self._running == 0:
                        wait = min(wait, self._last + quiet - now)
                        if wait <= 0:
                            return
                    self.paused.set()  # under the lock, which the wait gives up
                    self._requests.wait(wait)
            finally:
                self.paused.clear()

    def wake(self) -> None:
        """Wake the reads waiting in :meth:`yield_to`, so that they look at their ``cancel``."""
        with self._requests:
            self._requests.notify_all()

    def invalidate(self) -> None:
        with self._lock:
            self._counts.clear()
            self._candidates.clear()
            self._frames.clear()
            self._started.clear()
            self._first_answers.clear()

    def start(self, filters: BatchFilters, size: int) -> None:
        """Begin counting ``filters`` and fetching their first page of ``size`` in the
        background: ``count`` and ``page`` then wait for these requests instead of making
        their own (the panel does its other work meanwhile)."""
        if filters.local:
            return
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mammoth-panel-start")
        try:
            answered = threading.Event()
            short: list[bool] = []

            def first(found: int) -> None:
                short.append(found < _PROBE)
                answered.set()

            def count() -> int:
                try:
                    return self._server_count(filters, on_first=first)
                finally:
                    answered.set()

            with self._lock:
                self._started[("page", filters.server_key(), 0, size)] = pool.submit(
                    self._server_page, filters, 0, size
                )
                counting = pool.submit(count)
                self._started[("count", filters.count_key())] = counting
                self._first_answers[filters.count_key()] = (counting, answered, short)
        finally:
            pool.shutdown(wait=False)

    def count_if_quick(self, filters: BatchFilters) -> Future[int] | int:
        """The number of batches matching ``filters`` when it is known, or when the first
        probe of a count begun by :meth:`start` shows it (fewer than one probe's page);
        otherwise that count's future, still running."""
        key = filters.count_key()
        with self._lock:
            begun = self._first_answers.pop(key, None)
        if begun is None or filters.local:
            return self.count(filters)
        counting, answered, short = begun
        answered.wait()
        if counting.done() or (short and short[0]):
            return self.count(filters)
        return counting

    def _take_started(self, key: tuple[Any, ...]) -> Future[Any] | None:
        with self._lock:
            return self._started.pop(key, None)

    @contextlib.contextmanager
    def first(self) -> Iterator[None]:
        """Give the requests made inside priority over a background read (nestable)."""
        with self._requests:
            self._running += 1
        try:
            yield
        finally:
            with self._requests:
                self._running -= 1
                self._last = time.monotonic()
                self._requests.notify_all()

    def _list(self, **kwargs: Any) -> pd.DataFrame:
        handle = self.handle
        with self.first():
            return handle.client.batches.list(
                handle.workspace_id, handle.project_id, handle.dataset_id, **kwargs
            )

    # -- server-side filters ------------------------------------------------------------

    def _probe(self, filters: BatchFilters, offset: int) -> list[int]:
        frame = self._list(fields=["id"], limit=_PROBE, offset=offset, **filters.server_params())
        return [int(i) for i in frame.index]

    def _server_count(
        self, filters: BatchFilters, on_first: Callable[[int], None] | None = None
    ) -> int:
        """How many batches match, with O(log n) probes of one small page each.

        Probes start at multiples of the page (``_PROBE``): a short page gives the exact
        count; a full one says "at least that many more", an empty one "no more than that".
        The offset doubles until a probe comes back empty, then bisects.

        The probes are bounded: a probe that brings the same ids as one at another offset
        (a server that ignores ``offset``), or an offset past what any listing may hold
        (:data:`~mammoth_pandas._paging.MAX_PAGES` pages), ends the count with
        :class:`MammothConnectionError` instead of probing for ever.

        ``on_first(found)`` is told how many ids the first probe brought.
        """
        at_least = 0  # a multiple of _PROBE
        at_most: int | None = None  # a multiple of _PROBE
        offset = 0
        seen: dict[frozenset[int], int] = {}
        while True:
            if offset > MAX_PAGES * _PROBE:
                raise MammothConnectionError(
                    f"counting batches: the server still answers full pages at offset "
                    f"{offset:,}, past any listing's size; the count is not known"
                )
            ids = self._probe(filters, offset)
            found = len(ids)
            if on_first is not None:
                on_first(found)
                on_first = None
            key = frozenset(ids)
            if found and key in seen and seen[key] != offset:
                raise MammothConnectionError(
                    f"counting batches: the page at offset {offset} holds the same batches "
                    f"as the one at offset {seen[key]} (the server ignores offset); the "
                    "count is not known"
                )
            seen[key] = offset
            if 0 < found < _PROBE or (found == 0 and offset == at_least):
                return offset + found
            if found == _PROBE:
                at_least = offset + _PROBE
            else:
                at_most = offset
            if at_most is not None and at_most <= at_least:
                return at_least
            if at_most is None:
                offset = at_least * 2
            else:
                offset = at_least + (at_most - at_least) // _PROBE // 2 * _PROBE

    def _candidate_frame(self, filters: BatchFilters) -> pd.DataFrame:
        """Every batch matching the server-side part of the filter, in the server's order."""
        key = filters.server_key()
        with self._lock:
            cached = self._candidates.get(key)
            if cached is None:
                cached = self._list(
                    fields=list(DISPLAY_FIELDS),
                    sort=filters.server_sort(),
                    **filters.server_params(),
                )
                self._candidates[key] = cached
            return cached

    def _local_frame(self, filters: BatchFilters) -> pd.DataFrame:
        with self._lock:
            cached = self._frames.get(filters)
            if cached is None:
                cached = filters.apply_locally(self._candidate_frame(filters))
                self._frames[filters] = cached
            return cached

    # -- what the panel asks ------------------------------------------------------------

    def count(self, filters: BatchFilters) -> int:
        if filters.local:
            return len(self._local_frame(filters))
        key = filters.count_key()
        started = self._take_started(("count", key))
        if started is not None:
            total: int = started.result()  # its error, if any, is this call's
            with self._lock:
                self._counts[key] = total
        with self._lock:
            if key not in self._counts:
                self._counts[key] = self._server_count(filters)
            return self._counts[key]

    def known_count(self, filters: BatchFilters) -> int | None:
        """The number of server-side matches of ``filters`` when counted already, else None."""
        if filters.local:
            return None
        with self._lock:
            return self._counts.get(filters.count_key())

    def page(self, filters: BatchFilters, offset: int, size: int) -> pd.DataFrame:
        if filters.local:
            return self._local_frame(filters).iloc[offset : offset + size]
        started = self._take_started(("page", filters.server_key(), offset, size))
        if started is not None:
            frame: pd.DataFrame = started.result()  # its error, if any, is this call's
            return frame
        return self._server_page(filters, offset, size)

    def _server_page(self, filters: BatchFilters, offset: int, size: int) -> pd.DataFrame:
        return self._list(
            fields=list(DISPLAY_FIELDS),
            sort=filters.server_sort(),
            limit=size,
            offset=offset,
            **filters.server_params(),
        )

    def frame(self, filters: BatchFilters) -> pd.DataFrame:
        """Every matching batch, filtered and sorted (fetched on demand, then cached)."""
        if filters.local:
            return self._local_frame(filters)
        return self._candidate_frame(filters)

    def matching_ids(self, filters: BatchFilters) -> list[int]:
        if filters.local:
            return [int(i) for i in self._local_frame(filters).index]
        frame = self._list(fields=["id"], sort=filters.server_sort(), **filters.server_params())
        return [int(i) for i in frame.index]

    def rows(self, ids: Sequence[int]) -> pd.DataFrame:
        """The display fields of ``ids``, in that order (ids no longer listed are left out)."""
        parts = [
            self._list(fields=list(DISPLAY_FIELDS), id=list(ids[start : start + _PROBE]))
            for start in range(0, len(ids), _PROBE)
        ]
        if not parts:
            return self._list(fields=list(DISPLAY_FIELDS), limit=0)
        frame = parts[0] if len(parts) == 1 else pd.concat(parts)
        return frame.reindex([i for i in ids if i in frame.index])

    def states_of(self, ids: Sequence[int]) -> dict[int, str]:
        """The current state of each id that still exists (chunked by the API's page size)."""
        states: dict[int, str] = {}
        for start in range(0, len(ids), _PROBE):
            chunk = list(ids[start : start + _PROBE])
            frame = self._list(fields=["id", "state"], id=chunk)
            for batch_id, state in zip(frame.index.tolist(), frame["state"].tolist(), strict=True):
                states[int(batch_id)] = "" if _missing(state) else str(state)
        return states
