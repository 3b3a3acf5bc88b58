"""The compact set of ids a listing has delivered: a set's answers in a fraction of its memory."""

from __future__ import annotations

import random
import tracemalloc

import numpy as np
import pytest

from mammoth_pandas._paging import PageCollector
from mammoth_pandas._seen import RECENT, SeenIds


def test_it_answers_as_a_set_does_through_folds() -> None:
    rng = random.Random(5)
    seen, reference = SeenIds(), set()
    for _ in range(40):
        batch = [rng.randrange(-(2**63), 2**63) if rng.random() < 0.05 else rng.randrange(60_000)
                 for _ in range(rng.randrange(1, 900))]  # fmt: skip
        probe = [rng.randrange(60_000) for _ in range(200)] + batch[:5] + [2**63 - 1, -(2**63)]
        assert list(seen.contains(probe)) == [k in reference for k in probe]
        assert seen.isdisjoint(probe) == reference.isdisjoint(probe)
        assert all((k in seen) == (k in reference) for k in probe[:50])
        way = rng.random()
        if way < 0.4:
            seen.update(batch)
        elif way < 0.7:
            assert seen.add_new(batch) == reference.isdisjoint(batch)
            if not reference.isdisjoint(batch):  # nothing was added: add them one by one
                for key in batch:
                    seen.add(key)
        else:
            for key in batch:
                seen.add(key)
        reference.update(batch)
        assert len(seen) == len(reference)
    assert len(reference) > 8 * RECENT  # the ids went through several folds


@pytest.mark.parametrize("odd", ["17", None, 2**64, True, 1.5])
def test_ids_that_are_not_64_bit_integers_are_kept_too(odd: object) -> None:
    seen = SeenIds()
    seen.update([1, 2, odd])
    assert odd in seen
    assert list(seen.contains([odd, 1, 3])) == [True, True, False]
    assert not seen.isdisjoint([3, odd])
    assert seen.isdisjoint([])
    assert not seen.add_new([3, odd])
    assert 3 not in seen
    assert seen.add_new([3, 4])
    assert list(seen.contains([3, 4])) == [True, True]


def test_a_hundred_thousand_ids_take_a_fraction_of_a_sets_memory() -> None:
    ids = list(range(10**12, 10**12 + 100_000))  # ints beyond the small-int cache
    sizes = {}
    for name, make in (("set", set), ("seen", SeenIds)):
        fresh = [i + 0 for i in ids]
        tracemalloc.start()
        held = make()
        for start in range(0, len(fresh), 100):  # page by page, as a listing adds them
            held.update(fresh[start : start + 100])
        del fresh
        sizes[name] = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert len(held) == len(ids)
    assert sizes["seen"] < 16 * len(ids)  # about 8 bytes an id once folded
    assert sizes["seen"] < sizes["set"] / 3


def test_the_collector_drops_repeated_ids_across_folds() -> None:
    collector = PageCollector()
    delivered = []
    for start in range(0, 20_000, 90):  # pages of 100 overlapping by 10
        page = [{"id": i} for i in range(start, min(start + 100, 20_000))]
        after = collector.after_known(page)
        if start:
            assert after == page[10:]
        delivered += [r["id"] for r in collector.take(page)]
    assert delivered == list(range(20_000))
    assert collector.after_known([{"id": 5}, {"id": 10**9}]) == [{"id": 10**9}]
    assert collector.after_known([{"id": 10**9}]) is None
    assert np.array_equal(collector.seen.contains([0, 19_999, 20_000]), [True, True, False])
