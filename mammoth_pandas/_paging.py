"""Offset paging that neither repeats nor silently skips batches while a dataset changes.

The API pages by ``offset``. When a batch before the read position disappears (deleted,
or leaving a ``status`` filter) between two requests, every later batch moves one
position forward, and plain offset paging would skip the one crossing the page boundary.
So consecutive pages overlap by a few records (``overlap``): each page must contain a
batch already listed, and only what follows the last such batch is new. A page with no
known batch means more batches went than the overlap covers; the pager then reads
backwards (the step doubling each time, never before the first offset) until it finds
its place again, and carries on forward from there. Forward, offsets only ever advance;
only such a look back requests an offset again, and it is bounded (log2 of the offset).
A page identical to the previous one (a server that ignores ``offset``) ends the read.

Guarantees, for a listing sorted on values that do not change during the read (the
default ``id``, ``created_at``):

- no batch appears twice;
- every batch that existed for the whole read, was not deleted and stayed in the filter
  is listed;
- batches created or deleted during the read may or may not be listed.

With ``workers > 1`` the next pages are requested ahead, at most ``workers`` at once,
once the first page has shown that more may exist; they are placed strictly in order, so
the result equals a sequential read. Reading backwards drops the pages fetched ahead.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["PageCollector", "Pager", "overlap_for"]

Records = list[dict[str, Any]]
Fetch = Callable[[int, int], tuple[Records, Any]]


def overlap_for(page_size: int) -> int:
    """Records shared by consecutive pages: a tenth of the page, at least 1 (0 for size 1,
    which is why the pager reads at least two records per request)."""
    return 0 if page_size <= 1 else max(1, page_size // 10)


class PageCollector:
    """Keeps the records not seen on earlier pages (by id), up to ``limit`` in all."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.seen: set[Any] = set()
        self.delivered = 0

    @property
    def full(self) -> bool:
        return self.limit is not None and self.delivered >= self.limit

    def take(self, records: Records) -> Records:
        ids = [r.get("id") for r in records]
        new = set(ids)
        if len(new) == len(ids) and None not in new and self.seen.isdisjoint(new):
            self.seen |= new  # the usual case: every id is new
            fresh = records
        else:
            fresh = []
            for record, key in zip(records, ids, strict=True):
                if key is not None:
                    if key in self.seen:
                        continue
                    self.seen.add(key)
                fresh.append(record)
        if self.limit is not None:
            fresh = fresh[: max(0, self.limit - self.delivered)]
        self.delivered += len(fresh)
        return fresh

    def after_known(self, records: Records) -> Records | None:
        """The records after the last already-seen one; ``None`` if none was seen."""
        seen = self.seen
        for position in range(len(records) - 1, -1, -1):
            if records[position].get("id") in seen:
                return records[position + 1 :]
        return None


class Pager:
    """Yields the new records of each page, in order (see the module docstring)."""

    def __init__(
        self,
        fetch: Fetch,
        *,
        start: int,
        page_size: int,
        limit: int | None,
        workers: int,
    ) -> None:
        self.fetch = fetch
        self.start = start
        if limit is not None and limit <= page_size:  # one request holds the whole read
            self.size, self.overlap = max(1, limit), 0
        else:  # pages of one still read two records, so that consecutive pages overlap
            self.size = max(2, page_size)
            self.overlap = overlap_for(self.size)
        self.step = self.size - self.overlap
        self.workers = workers
        self.collector = PageCollector(limit)
        #: Offsets requested, in order (for tests and diagnostics).
        self.offsets: list[int] = []
        self.backtracks = 0

    def _get(self, offset: int) -> tuple[Records, Any]:
        self.offsets.append(offset)
        return self.fetch(offset, self.size)

    def _place(self, records: Records, first: bool) -> Records | None:
        if first or self.overlap == 0:
            return records
        return self.collector.after_known(records)

    def _find_place(self, offset: int) -> tuple[int, Records, Any, Records]:
        """Read backwards from ``offset`` until a page holds a batch already listed."""
        self.backtracks += 1
        back = 2 * self.overlap
        position = offset
        records: Records = []
        nxt: Any = None
        while position > self.start:
            position = max(self.start, position - back)
            records, nxt = self._get(position)
            after = self.collector.after_known(records)
            if after is not None:
                return position, records, nxt, after
            back *= 2
        return position, records, nxt, records

    def __iter__(self) -> Iterator[Records]:
        pool = (
            ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="mammoth-page")
            if self.workers > 1
            else None
        )
        window: deque[tuple[int, Future[tuple[Records, Any]] | None]] = deque()
        ahead = self.start  # the next offset to request
        first = True
        previous_ids: list[Any] | None = None

        def request() -> None:
            nonlocal ahead
            future = pool.submit(self._get, ahead) if pool is not None else None
            window.append((ahead, future))
            ahead += self.step

        try:
            while True:
                if pool is not None and not first:
                    while len(window) < self.workers:
                        request()
                elif not window:
                    request()
                offset, future = window.popleft()
                records, nxt = future.result() if future is not None else self._get(offset)
                after = self._place(records, first)
                if after is None:  # more went behind us than the overlap covers
                    for _, pending in window:
                        if pending is not None:
                            pending.cancel()
                    window.clear()
                    offset, records, nxt, after = self._find_place(offset)
                    ahead = offset + self.step
                first = False
                yield self.collector.take(after)
                ids = [r.get("id") for r in records]
                if (
                    len(records) < self.size
                    or nxt == ""
                    or self.collector.full
                    or ids == previous_ids  # a server that does not advance
                ):
                    return
                previous_ids = ids
        finally:
            for _, pending in window:
                if pending is not None:
                    pending.cancel()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
