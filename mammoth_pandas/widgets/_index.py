"""A light listing of a whole dataset, read once in the background and kept up to date.

The name filter, the row-count range, the state chips' counts and the timeline need
every batch, not one page. They need few fields, and a large dataset's index reads only
those its panel needs (:func:`fields_for`): ``name`` for a name filter, ``row_count`` for
a row-count range, the sort's field, and ``name``, ``state``, ``created_at`` and
``row_count`` for the overview (the chips and the timeline); never the source, the
heaviest. Every field adds to what the server renders and the client converts for each
batch: a name filter on a panel without the overview reads ``id`` and ``name`` alone, in
about two thirds of the time of all six fields. A need the index does not hold yet is
read again with the fields held and the new ones.

Pages are fetched ahead (at most ``READ_WORKERS`` at once, joined into frames of
``READ_FRAME_ROWS`` rows: one small frame per page costs more than the page), and the
result is kept per dataset until a refresh. Between frames the read gives way
(``yield_to``) to the panel's own requests (a page, a count), so that a click is not
queued behind the read. After an action the panel patches the states it changed instead
of reading everything again.

Reading is cancellable (an event checked between pages) and reports progress with the
part read so far, so that a filter can show its first matches before the read ends. The
part read so far only grows while a read goes on (each part begins with the one before),
and :class:`Matches` keeps a filter's matches up to date by filtering the rows read since
it last looked, never those it has seen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from mammoth_pandas.widgets._batch_source import SORT_KEYS, BatchFilters

if TYPE_CHECKING:
    from mammoth_pandas.dataset import DatasetHandle

__all__ = [
    "INDEX_FIELDS",
    "OVERVIEW_FIELDS",
    "READ_FRAME_ROWS",
    "READ_WORKERS",
    "DatasetIndex",
    "Matches",
    "ReadCancelled",
    "fields_for",
    "order",
    "select",
]

#: Every field the index may hold (a small dataset's index reads them all at once).
INDEX_FIELDS: tuple[str, ...] = ("id", "name", "state", "created_at", "row_count", "column_count")

#: What the overview's read holds: the chips count ``state``, the timeline spans
#: ``created_at`` and sums ``row_count``; ``name`` is there for the name filter, the filter
#: most likely next (a read of its own later would cost a whole read again).
OVERVIEW_FIELDS: frozenset[str] = frozenset({"id", "name", "state", "created_at", "row_count"})

#: Seconds between two progress reports while reading. Each report changes the progress
#: bar, its label and the status line: three messages the page lays out and paints, which on
#: a busy machine take CPU from the read (twice a second is still a moving count).
PROGRESS_EVERY = 0.5

#: Pages the read keeps in flight at most (the client's ``max_workers`` when lower): more
#: only lengthen the queue a click's request waits in on the server.
READ_WORKERS = 8

#: Rows per frame built while reading (pages are joined until a frame holds this many).
READ_FRAME_ROWS = 1_000


def fields_for(filters: BatchFilters) -> frozenset[str]:
    """The index fields :func:`select` needs to apply ``filters`` (``id`` always)."""
    need = {"id"}
    if filters.name_contains.strip():
        need.add("name")
    if filters.rows_min is not None or filters.rows_max is not None:
        need.add("row_count")
    if filters.states:
        need.add("state")
    if filters.created_from is not None or filters.created_to is not None:
        need.add("created_at")
    field = SORT_KEYS[filters.sort_by]
    if field is not None:
        need.add(field)
    return frozenset(need)


class ReadCancelled(Exception):
    """The read was cancelled before its end (``read`` keeps nothing of it)."""


Progress = Callable[[int, pd.DataFrame], None]


class DatasetIndex:
    """The whole dataset's light listing (``frame``), once ``complete``; thread-safe.

    ``fields`` are the fields of the complete listing, or of the read under way.
    ``generation`` changes whenever rows already in ``frame`` may change (a read begins, a
    patch, a refresh), not when a read adds rows or ends: within one generation every
    ``frame`` begins with the rows of the one before.
    """

    def __init__(self, handle: DatasetHandle) -> None:
        self.handle = handle
        self._lock = threading.RLock()
        self._frame: pd.DataFrame | None = None
        self._partial: pd.DataFrame | None = None
        self.complete = False
        self.fields: frozenset[str] = frozenset()
        #: Grows with every change of the complete index (a read, a patch, a refresh).
        self.version = 0
        self.generation = 0

    @property
    def frame(self) -> pd.DataFrame | None:
        """The full index when complete, else the part read so far (or ``None``)."""
        with self._lock:
            return self._frame if self._frame is not None else self._partial

    def snapshot(self) -> tuple[pd.DataFrame | None, int]:
        """``(frame, generation)``, read together."""
        with self._lock:
            return self.frame, self.generation

    def holds(self, fields: frozenset[str] | set[str]) -> bool:
        """Whether the index is complete and has every one of ``fields``."""
        with self._lock:
            return self.complete and fields <= self.fields

    def has_columns(self, fields: frozenset[str] | set[str]) -> bool:
        """Whether the listing read so far (complete or not) has every one of ``fields``."""
        with self._lock:
            return fields <= self.fields

    def invalidate(self) -> None:
        """Forget everything (the next read starts over)."""
        with self._lock:
            self._frame = None
            self._partial = None
            self.complete = False
            self.fields = frozenset()
            self.version += 1
            self.generation += 1

    def read(
        self,
        *,
        cancel: threading.Event,
        on_progress: Progress | None = None,
        yield_to: Callable[[], None] | None = None,
        fields: frozenset[str] | set[str] | None = None,
    ) -> pd.DataFrame:
        """Read ``fields`` of every batch (default: :data:`INDEX_FIELDS`, ``id`` always).

        ``on_progress(read, so_far)`` is called along the way. What the index held is
        forgotten as the read begins.

        ``yield_to()`` is called before the first request and between frames (it may block
        while other requests have priority). Raises :class:`ReadCancelled` when ``cancel`` is
        set before the first request or between two frames.
        """
        wanted = set(INDEX_FIELDS if fields is None else fields) | {"id"}
        unknown = wanted - set(INDEX_FIELDS)
        if unknown:
            raise ValueError(f"the index holds no field {sorted(unknown)}")
        chosen = [f for f in INDEX_FIELDS if f in wanted]  # in a fixed order
        with self._lock:
            self._frame = None
            self._partial = None
            self.complete = False
            self.fields = frozenset(chosen)
            self.version += 1
            self.generation += 1
        handle = self.handle
        client = handle.client
        workers = min(READ_WORKERS, int(getattr(client, "max_workers", READ_WORKERS)))
        pages = client.batches.iter_pages(
            handle.workspace_id,
            handle.project_id,
            handle.dataset_id,
            fields=chosen,
            max_workers=max(1, workers),
            rows_per_frame=READ_FRAME_ROWS,
        )
        parts: list[pd.DataFrame] = []
        count = 0
        reported = time.monotonic()
        try:
            if yield_to is not None:  # before the first request too
                yield_to()
            if cancel.is_set():
                raise ReadCancelled
            for page in pages:
                if yield_to is not None:
                    yield_to()
                if cancel.is_set():
                    raise ReadCancelled
                parts.append(page)
                count += len(page)
                now = time.monotonic()
                if on_progress is not None and now - reported >= PROGRESS_EVERY:
                    reported = now
                    so_far = _concat(parts, chosen)
                    parts = [so_far]
                    with self._lock:
                        self._partial = so_far
                    on_progress(count, so_far)
        except BaseException:
            with self._lock:
                self._partial = None
                self.fields = frozenset()
                self.generation += 1
            raise
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()
        frame = _concat(parts, chosen)
        with self._lock:
            self._frame = frame
            self._partial = None
            self.complete = True
            self.version += 1
        return frame

    def patch_states(self, states: Mapping[int, str], gone: Sequence[int] = ()) -> None:
        """Record batches' new states and drop those that are gone, without a read."""
        with self._lock:
            frame = self._frame
            if frame is None:
                return
            frame = frame.drop(index=[i for i in gone if i in frame.index])
            known = {i: s for i, s in states.items() if i in frame.index}
            if known and "state" in frame.columns:
                frame = frame.copy()
                column = frame["state"]
                if isinstance(column.dtype, pd.CategoricalDtype):
                    missing = set(known.values()) - set(column.cat.categories)
                    if missing:
                        frame["state"] = column.cat.add_categories(sorted(missing))
                frame.loc[list(known), "state"] = list(known.values())
            self._frame = frame
            self.version += 1
            self.generation += 1


def _concat(parts: list[pd.DataFrame], fields: Sequence[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=[c for c in fields if c != "id"], index=pd.Index([], name="id"))
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts)


def select(
    frame: pd.DataFrame,
    filters: BatchFilters,
    *,
    states: bool = True,
    dates: bool = True,
    sort: bool = True,
) -> pd.DataFrame:
    """The rows of an index ``frame`` matching ``filters``, in the filters' order.

    ``states=False`` or ``dates=False`` leave that part of the filter out (the chips count
    every state under the other filters; the timeline spans every date). ``sort=False``
    keeps the frame's order; the order is :func:`order`'s. Whether a row matches depends on
    that row alone.
    """
    keep = pd.Series(True, index=frame.index)
    if states and filters.states:
        keep &= frame["state"].astype("string").isin(list(filters.states)).fillna(False)
    if dates and (filters.created_from is not None or filters.created_to is not None):
        bounds = filters.server_params().get("created_at", (None, None))
        created = frame["created_at"]
        if bounds[0] is not None:
            keep &= (created >= bounds[0]).fillna(False).astype(bool)
        if bounds[1] is not None:
            keep &= (created <= bounds[1]).fillna(False).astype(bool)
    result = filters.apply_locally(frame.loc[keep.to_numpy(dtype=bool)]) if len(frame) else frame
    return order(result, filters) if sort else result


def order(frame: pd.DataFrame, filters: BatchFilters) -> pd.DataFrame:
    """The rows of an index ``frame`` in the filters' order.

    Ties are broken by id, ascending, as the server does, so the order of the rows given
    does not matter. Sorting by source is not possible on the index (it has no source):
    such filters keep the id order.
    """
    field = SORT_KEYS[filters.sort_by]
    if field == "id":
        return frame.sort_index(ascending=not filters.descending)
    if field is None or field not in frame.columns:
        return frame.sort_index()
    key = frame[field]
    if isinstance(key.dtype, pd.CategoricalDtype):
        key = key.astype("string")
    ordered = frame.assign(_key=key, _id=frame.index).sort_values(
        ["_key", "_id"],
        ascending=[not filters.descending, True],
        na_position="last",
        kind="mergesort",
    )
    return ordered.drop(columns=["_key", "_id"])


class Matches:
    """The ids of an index matching one filter, in its order, kept up to date as it grows.

    ``update(frame, generation)`` filters only the rows added since the last update of
    the same generation (a frame that begins with the one seen before) and orders the
    matches found so far with them; anything else (another generation, a frame that does
    not begin with the rows seen) starts over. Either way the ids equal
    ``select(frame, filters).index``. ``filtered`` counts the rows filtered so far.
    """

    def __init__(self, filters: BatchFilters) -> None:
        self.filters = filters
        self.ids: pd.Index = pd.Index([], name="id")
        self.filtered = 0
        self._generation: int | None = None
        self._seen = 0
        self._last: object = None  # the id of the last row seen
        self._matched: pd.DataFrame | None = None

    def _continues(self, frame: pd.DataFrame, generation: int) -> bool:
        if self._matched is None or generation != self._generation or len(frame) < self._seen:
            return False
        return self._seen == 0 or frame.index[self._seen - 1] == self._last

    def update(self, frame: pd.DataFrame, generation: int) -> pd.Index:
        """The ids of ``frame`` matching the filter, in order."""
        if not self._continues(frame, generation):
            self._generation, self._seen, self._matched = generation, 0, None
        elif len(frame) == self._seen:
            return self.ids
        new = select(frame.iloc[self._seen :], self.filters, sort=False)
        self.filtered += len(frame) - self._seen
        before = self._matched
        if before is None or not len(before):
            matched = new
        elif len(new):
            matched = pd.concat([before, new])
        else:
            matched = before
        if before is None or matched is not before:
            self.ids = order(matched, self.filters).index
        self._matched, self._seen = matched, len(frame)
        self._last = frame.index[-1] if len(frame) else None
        return self.ids
