"""The ids a listing has already delivered, in about 8 bytes each.

A listing keeps every id it has delivered, to drop the records a later page repeats
(pages overlap, and a server may reorder). A Python ``set`` of ints costs about 60 bytes
an id (the set's slot and the int object), half as much again as the whole typed row of
the listing frame, so it dominated the memory of long listings. :class:`SeenIds` keeps
most ids in a sorted ``int64`` array and only the latest in a set, folded into the array
once the set holds an eighth as many (at least :data:`RECENT`): memory stays near 8 bytes
an id, and each fold costs one copy of the array, so a listing of N ids pays O(N log N).

Ids that are not 64-bit integers (the pager checks that every id is one; other readers
may pass strings or ``None``) go in a plain set. Equality is Python's, except that a
float equal to an integer id is a different id (no reader produces float ids).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["RECENT", "SeenIds"]

#: The fewest ids kept in the set of the latest before they are folded into the array.
RECENT = 1024
_MIN, _MAX = -(2**63), 2**63 - 1


def _is_int64(key: Any) -> bool:
    return type(key) is int and _MIN <= key <= _MAX


def _as_int64(keys: Sequence[Any]) -> np.ndarray | None:
    """``keys`` as an ``int64`` array when every one is a 64-bit ``int``, else ``None``."""
    if not all(type(k) is int for k in keys):
        return None
    try:
        return np.array(keys, dtype=np.int64)
    except OverflowError:
        return None


class SeenIds:
    """A set of ids (``in``, ``len``, :meth:`add`, :meth:`update`) that also answers for
    many ids at once (:meth:`contains`, :meth:`isdisjoint`, :meth:`add_new`)."""

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.int64)
        self._recent: set[int] = set()
        self._other: set[Any] = set()

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent) + len(self._other)

    def __contains__(self, key: Any) -> bool:
        if not _is_int64(key):
            return key in self._other
        if key in self._recent:
            return True
        at = int(np.searchsorted(self._sorted, key))
        return at < len(self._sorted) and int(self._sorted[at]) == key

    def contains(self, keys: Sequence[Any]) -> np.ndarray:
        """Whether each of ``keys`` is in the set, as a boolean array."""
        array = _as_int64(keys)
        if array is None:
            return np.fromiter((k in self for k in keys), dtype=bool, count=len(keys))
        found = self._in_sorted(array)
        if self._recent:
            recent = self._recent
            found |= np.fromiter((k in recent for k in keys), dtype=bool, count=len(keys))
        return found

    def isdisjoint(self, keys: Sequence[Any]) -> bool:
        """Whether none of ``keys`` is in the set."""
        return not bool(self.contains(keys).any()) if len(keys) else True

    def add(self, key: Any) -> None:
        if not _is_int64(key):
            self._other.add(key)
        elif key not in self:
            self._recent.add(key)
            self._fold_if_due()

    def update(self, keys: Sequence[Any]) -> None:
        array = _as_int64(keys)
        if array is None:
            for key in keys:
                self.add(key)
            return
        if len(self._sorted):
            array = array[~self._in_sorted(array)]
        self._recent.update(array.tolist())
        self._fold_if_due()

    def add_new(self, keys: Sequence[Any]) -> bool:
        """Add ``keys`` if none of them is in the set yet; whether they were added (one
        conversion and one look for the usual page of new ids, not one for the question and
        another for the update)."""
        array = _as_int64(keys)
        if array is None:
            if not self.isdisjoint(keys):
                return False
            self.update(keys)
            return True
        if self._in_sorted(array).any() or not self._recent.isdisjoint(keys):
            return False
        self._recent.update(keys)
        self._fold_if_due()
        return True

    def _in_sorted(self, array: np.ndarray) -> np.ndarray:
        stored = self._sorted
        if not len(stored):
            return np.zeros(len(array), dtype=bool)
        at = np.minimum(np.searchsorted(stored, array), len(stored) - 1)
        return np.asarray(stored[at] == array)

    def _fold_if_due(self) -> None:
        if len(self._recent) < max(RECENT, len(self._sorted) // 8):
            return
        # No id of the set of the latest is in the array: add and update keep them apart.
        recent = np.sort(np.fromiter(self._recent, dtype=np.int64, count=len(self._recent)))
        self._sorted = np.insert(self._sorted, np.searchsorted(self._sorted, recent), recent)
        self._recent = set()
