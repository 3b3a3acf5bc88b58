"""Offset paging that neither repeats nor silently skips records, whatever the server does.

The API pages by ``offset``. When a batch before the read position disappears (deleted,
or leaving a ``status`` filter) between two requests, every later batch moves one
position forward, and plain offset paging would skip the one crossing the page boundary.
So consecutive pages overlap by a few records (``overlap``): each page must contain a
record already listed, and only what follows the last such record is new. A page with no
known record means more went than the overlap covers; the pager then reads backwards (the
step doubling each time, never before the first offset) until it finds its place again,
and carries on forward from there. Forward, offsets only ever advance; only such a look
back requests an offset again, and it is bounded (log2 of the offset).

A listing is complete or it fails. Against a server that misbehaves:

- A page is short, and the last, when it holds fewer records than the ``limit`` the
  server echoes, never only fewer than asked: a server that serves fewer than asked and
  says so (``"limit": 50`` for 100 asked) is read on at its own page size. A server that
  echoes no ``limit`` is read on after a short page that has a ``next`` link, until a
  page brings nothing new.
- Every item must be an object whose ``id`` is an integer within 64 bits (or, when the
  server sends string ids throughout, a string of digits), ids of one kind on every page;
  anything else is a :class:`~mammoth_pandas.errors.MammothConnectionError` naming the
  field and the page. Ids are compared as ``int``.
- Full pages that bring no new id (an ignored ``offset``, the same page shuffled or sent
  again) end the read with that error after two such pages in a row.
- A read stops with that error after more pages than the server's own count allows
  (``Page.total``, e.g. ``active_batches``: twice the count, plus ten pages) or, without a
  count, after :data:`MAX_PAGES` pages.

Guarantees, for a listing sorted on values that do not change during the read (the
default ``id``, ``created_at``): no record appears twice; every record that existed for
the whole read, was not deleted and stayed in the filter is listed; records created or
deleted during the read may or may not be listed.

With ``workers > 1`` the next pages are requested ahead, once the first page has shown
that more may exist, as many at once as :mod:`mammoth_pandas._concurrency` allows
(starting at 4, growing while pages come back quickly, halving on 429/503, never more
than ``workers``, and none while :data:`READY_AHEAD` pages wait to be taken); they are
placed strictly in order, so
the result equals a sequential read. Reading backwards, or a change of page size, drops
the pages fetched ahead.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

from mammoth_pandas._concurrency import AdaptiveLimit, ConcurrencyGate
from mammoth_pandas._seen import SeenIds
from mammoth_pandas.errors import MammothConnectionError

__all__ = ["MAX_PAGES", "IdCheck", "Page", "PageCollector", "Pager", "overlap_for"]

Records = list[dict[str, Any]]
#: The most pages one read takes when the server gives no count (10 million records at
#: the largest page size): past it, the server is taken to be sending pages for ever.
MAX_PAGES = 100_000
#: Full pages in a row that bring no new id before the read is given up.
STALE_PAGES = 2
#: Pages read ahead and waiting to be taken, at most: when this many wait, the reader is
#: the slower side, so no further page is requested until it takes one (more would only
#: hold more decoded pages, about seven times their typed rows, without reading faster).
READY_AHEAD = 4
_INT64 = 2**63


class Page(NamedTuple):
    """One answer of a listing: its items (as sent), its ``next`` link, the ``limit`` the
    server echoed and, when known, how many records the whole listing holds."""

    records: list[Any]
    next: Any = None
    limit: int | None = None
    total: int | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any], key: str, *, total_key: str | None = None) -> Page:
        """The page of a listing body whose items are under ``key``; ``total_key`` names
        the count of the whole listing (``active_batches``) when it applies."""
        items = body.get(key)
        return cls(
            list(items) if isinstance(items, list) else [],
            body.get("next"),
            _count(body.get("limit")),
            _count(body.get(total_key)) if total_key else None,
        )

    def is_short(self, asked: int) -> bool:
        """Fewer items than asked for and than the server says it serves."""
        served = self.limit if self.limit is not None and 0 < self.limit < asked else asked
        return len(self.records) < served

    def capped_at(self, asked: int) -> int | None:
        """The smaller page size the server says it serves (the echoed ``limit``, when it
        is below ``asked`` and the page is that full), else ``None``."""
        if self.limit is not None and 0 < self.limit < asked and len(self.records) == self.limit:
            return self.limit
        return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


class IdCheck:
    """Checks the items of each page, in order: objects with ids of one kind (integers
    within 64 bits, or strings of digits on every page), normalised to ``int``."""

    def __init__(self, key: str = "id") -> None:
        self.key = key
        self.kind: type | None = None

    def __call__(self, items: list[Any], offset: int) -> Records:
        """The items of the page at ``offset``, ids as ``int``.

        Raises:
            MammothConnectionError: an item is not an object, or its id is missing, not
                an integer, beyond 64 bits, or of another kind than on earlier pages.
        """
        fast = self._all_int_ids(items)
        if fast is not None:
            return fast
        records: Records = []
        for position, item in enumerate(items):
            where = f"the page at offset {offset}, item {position}"
            if not isinstance(item, dict):
                raise _bad(f"{where} is not an object but {type(item).__name__} {_show(item)}")
            value = item.get(self.key)
            number = self._number(value, where)
            if value is not number:
                item = {**item, self.key: number}
            records.append(item)
        return records

    def _all_int_ids(self, items: list[Any]) -> Records | None:
        """The usual page at the cost of one look at each item: every item a dict whose id
        is an ``int`` (never a ``bool``) within 64 bits, as on earlier pages. ``None``
        when any item is otherwise: the item-by-item check then names what is wrong."""
        if self.kind is not None and self.kind is not int:
            return None
        key = self.key
        try:
            ids = [item[key] for item in items if type(item) is dict]
        except KeyError:
            return None
        if len(ids) != len(items) or not ids:
            return None
        if not all(type(value) is int for value in ids):
            return None
        if min(ids) < -_INT64 or max(ids) >= _INT64:
            return None
        self.kind = int
        return list(items)

    def _number(self, value: Any, where: str) -> int:
        field = f"{where}: field {self.key!r}"
        kind = type(value)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            got = "missing" if value is None else f"{kind.__name__} {_show(value)}"
            raise _bad(f"{field} is {got}; expected an integer id")
        if self.kind is None:
            self.kind = kind
        elif kind is not self.kind:
            raise _bad(
                f"{field} is {kind.__name__} {_show(value)}, but ids were "
                f"{self.kind.__name__}s on earlier items; expected ids of one kind"
            )
        if isinstance(value, str):
            text = value.strip()
            if not text.isdigit() or not text.isascii():
                raise _bad(f"{field} is the string {_show(value)}; expected an integer id")
            number = int(text)
        else:
            number = value
        if not -_INT64 <= number < _INT64:
            raise _bad(f"{field} is {_show(value)}, beyond 64 bits; expected a 64-bit id")
        return number


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _bad(message: str) -> MammothConnectionError:
    return MammothConnectionError(f"the listing answer was wrong: {message}", applied=False)


def overlap_for(page_size: int) -> int:
    """Records shared by consecutive pages: a tenth of the page, at least 1 (0 for size 1,
    which is why the pager reads at least two records per request)."""
    return 0 if page_size <= 1 else max(1, page_size // 10)


class PageCollector:
    """Keeps the records not seen on earlier pages (by id), up to ``limit`` in all."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self.seen = SeenIds()  # about 8 bytes an id, not a set's 60
        self.delivered = 0

    @property
    def full(self) -> bool:
        return self.limit is not None and self.delivered >= self.limit

    def take(self, records: Records) -> Records:
        ids = [r.get("id") for r in records]
        new = set(ids)
        if len(new) == len(ids) and None not in new and self.seen.add_new(ids):
            fresh = records  # the usual case: every id is new
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
        known = np.flatnonzero(self.seen.contains([r.get("id") for r in records]))
        return records[int(known[-1]) + 1 :] if len(known) else None


Fetch = Callable[[int, int], "Page | tuple[list[Any], Any]"]


class Pager:
    """Yields the new records of each page, in order (see the module docstring).

    ``fetch(offset, size)`` returns a :class:`Page` (or ``(items, next)``, read as a page
    whose server echoed the size asked); ``noun`` names the records in errors.
    """

    def __init__(
        self,
        fetch: Fetch,
        *,
        start: int,
        page_size: int,
        limit: int | None,
        workers: int,
        noun: str = "batch",
    ) -> None:
        self.fetch = fetch
        self.start = start
        self.noun = noun
        if limit is not None and limit <= page_size:  # one request holds the whole read
            self._plan(max(1, limit), overlap=0)
        else:  # pages of one still read two records, so that consecutive pages overlap
            self._plan(max(2, page_size))
        self.workers = workers
        self.gate = ConcurrencyGate(AdaptiveLimit(workers))
        self.collector = PageCollector(limit)
        self.check = IdCheck()
        self.max_pages = MAX_PAGES
        self.total: int | None = None
        #: Offsets requested, in order (for tests and diagnostics).
        self.offsets: list[int] = []
        self.backtracks = 0

    def _plan(self, size: int, overlap: int | None = None) -> None:
        self.size = size
        self.overlap = overlap_for(size) if overlap is None else overlap
        self.step = max(1, size - self.overlap)

    def _get(self, offset: int) -> Page:
        self.offsets.append(offset)
        answer = self.fetch(offset, self.size)
        if isinstance(answer, Page):
            return answer
        items, nxt = answer  # an ``(items, next)`` fetch: short means fewer than asked
        return Page(items, nxt, limit=self.size)

    def _checked(self, page: Page, offset: int) -> tuple[Page, Records]:
        return page, self.check(page.records, offset)

    def _find_place(self, offset: int) -> tuple[int, Page, Records, Records]:
        """Read backwards from ``offset`` until a page holds a record already listed."""
        self.backtracks += 1
        back = 2 * self.overlap
        position = offset
        page = Page([])
        records: Records = []
        while position > self.start:
            position = max(self.start, position - back)
            page, records = self._checked(self._get(position), position)
            after = self.collector.after_known(records)
            if after is not None:
                return position, page, records, after
            back *= 2
        return position, page, records, records

    def _too_many(self, pages: int) -> MammothConnectionError | None:
        if self.total is not None:
            allowed = math.ceil(2 * self.total / self.step) + 10
            if pages > allowed:
                return MammothConnectionError(
                    f"the server kept sending new {self.noun} ids: {pages} pages read, more "
                    f"than the {self.total:,} it counts can fill ({allowed} pages at most); "
                    "stopped rather than read for ever",
                    applied=False,
                )
        if pages >= self.max_pages:
            return MammothConnectionError(
                f"stopped after {self.max_pages:,} pages: the server never ended the "
                f"listing (the most one read takes is {self.max_pages:,} pages)",
                applied=False,
            )
        return None

    def __iter__(self) -> Iterator[Records]:
        pool = (
            ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="mammoth-page")
            if self.workers > 1
            else None
        )
        window: deque[tuple[int, Future[Page] | None]] = deque()
        ahead = self.start  # the next offset to request
        first = True
        stale: list[int] = []  # offsets of the full pages in a row that brought nothing new
        pages = 0

        def request() -> None:
            nonlocal ahead
            future = pool.submit(self.gate.run, self._get, ahead) if pool is not None else None
            window.append((ahead, future))
            ahead += self.step

        def drop_ahead() -> None:
            for _, pending in window:
                if pending is not None:
                    pending.cancel()
            window.clear()

        try:
            while True:
                if pool is not None and not first:
                    ready = sum(
                        1 for _, pending in window if pending is not None and pending.done()
                    )
                    while len(window) < self.gate.limit and ready < READY_AHEAD:
                        request()
                elif not window:
                    request()
                offset, future = window.popleft()
                raw = future.result() if future is not None else self._get(offset)
                page, records = self._checked(raw, offset)
                pages += 1
                if first and page.total is not None:
                    self.total = page.total
                after = records if first or self.overlap == 0 else None
                if after is None:
                    after = self.collector.after_known(records)
                if after is None:  # more went behind us than the overlap covers
                    drop_ahead()
                    offset, page, records, after = self._find_place(offset)
                    ahead = offset + self.step
                fresh = self.collector.take(after)
                first = False
                yield fresh
                received = len(records)
                short = page.is_short(self.size)
                if received == 0 or self.collector.full:
                    return
                if short and (page.limit is not None or not page.next):
                    return  # short against the limit the server echoes, or no next link
                if short and not fresh:
                    return  # short, a next link but no echoed limit, and nothing new
                if not short and page.next == "":
                    return
                if not fresh and not short:
                    stale.append(offset)
                    if len(stale) >= STALE_PAGES:
                        raise MammothConnectionError(
                            f"the server sent {len(stale)} full pages in a row with no new "
                            f"{self.noun} (at offsets {', '.join(map(str, stale))}): it seems "
                            "to ignore offset; stopped rather than return a listing that may "
                            "be incomplete",
                            applied=False,
                        )
                else:
                    stale.clear()
                error = self._too_many(pages)
                if error is not None:
                    raise error
                if received < self.size:  # the server serves smaller pages: follow them
                    drop_ahead()
                    capped = page.capped_at(self.size)
                    if capped is not None:
                        self._plan(capped)
                    ahead = offset + max(1, received - self.overlap)
        finally:
            drop_ahead()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
