"""Deep listing pages at the cost of the first: the ordered ids of a listing, kept per write.

SQLite skips an ``OFFSET`` row by row (page 500 of 1,000 reads 50,000 index entries
first). A client listing a large dataset asks the same query at growing offsets, so the
sandbox keeps that query's ordered ids once (one index scan, a compact array) and serves
each deeper page by looking its ids up. An entry belongs to one committed state of the
database, told by :attr:`Store.generation`; a snapshot whose generation is not stable
(a commit under way) never reads or fills the index.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: Below this offset the database skips rows faster than the index pays for itself.
DEEP_OFFSET = 2_000
#: Listings kept at once (least recently used goes first).
ENTRIES = 8
#: A listing longer than this is never kept (8 bytes an id).
MAX_IDS = 4_000_000


class ListingIndex:
    """A small LRU map from a listing's query to its ordered ids at one generation."""

    def __init__(self) -> None:
        """An empty index."""
        self._lock = threading.Lock()
        self._entries: OrderedDict[Any, tuple[int, array[int]]] = OrderedDict()

    def window(
        self,
        key: Any,
        generation: int,
        offset: int,
        count: int,
        load: Callable[[], list[int]],
    ) -> list[int]:
        """The ``count`` ids from ``offset`` of the listing ``key`` at ``generation``.

        ``load`` reads every id of the listing, in order, when the index lacks them.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == generation:
                self._entries.move_to_end(key)
                return entry[1][offset : offset + count].tolist()
        ids = array("q", load())
        if len(ids) <= MAX_IDS:
            with self._lock:
                self._entries[key] = (generation, ids)
                self._entries.move_to_end(key)
                while len(self._entries) > ENTRIES:
                    self._entries.popitem(last=False)
        return ids[offset : offset + count].tolist()
