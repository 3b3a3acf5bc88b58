"""A filter over the index as it is read: only the rows read since the last look are
filtered, and the matches equal a full recomputation, in the panel's order."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pandas as pd
import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel, _batch_reading, _index
from mammoth_pandas.widgets._batch_source import BatchFilters
from mammoth_pandas.widgets._index import INDEX_FIELDS, DatasetIndex, Matches, select

BATCHES = 3_000

FILTERS = [
    BatchFilters(name_contains="7"),
    BatchFilters(name_contains="7", sort_by="name", descending=True),
    BatchFilters(name_contains="7", states=("suspended", "sync_pending"), sort_by="rows"),
    BatchFilters(name_contains="-0001", sort_by="created", descending=True, rows_min=1_000),
    BatchFilters(name_contains="EVENTS", states=("active",), sort_by="id", descending=True),
    BatchFilters(name_contains="no such name"),
]


@pytest.fixture(scope="module")
def sandbox3k() -> Iterator[Sandbox]:
    """A sandbox whose dataset ``DEMO.scale`` has a few thousand batches."""
    with Sandbox(scale=BATCHES) as sb:
        yield sb


@pytest.fixture(scope="module")
def full(sandbox3k: Sandbox) -> pd.DataFrame:
    """Every field of the index, read whole."""
    handle = sandbox3k.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.scale)
    frame = DatasetIndex(handle).read(cancel=threading.Event(), fields=INDEX_FIELDS)
    assert len(frame) == BATCHES
    return frame


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f.name_contains))
def test_matches_extended_by_new_rows_equal_a_full_recomputation(
    full: pd.DataFrame, filters: BatchFilters
):
    matches = Matches(filters)
    for end in (0, 1, 7, 250, 251, 1_000, 1_999, 2_000, BATCHES, BATCHES):
        part = full.iloc[:end].copy()  # a new frame each time, as a read makes
        ids = matches.update(part, generation=3)
        assert list(ids) == list(select(part, filters).index), end
    assert matches.filtered == BATCHES  # every row filtered once
    assert 0 < len(matches.ids) < BATCHES or filters.name_contains == "no such name"


def test_another_generation_or_other_rows_start_over(full: pd.DataFrame):
    filters = BatchFilters(name_contains="7", states=("active",), sort_by="name")
    matches = Matches(filters)
    matches.update(full.iloc[:1_000], generation=1)
    patched = full.copy()
    patched["state"] = patched["state"].where(patched.index % 2 == 0, "suspended")
    ids = matches.update(patched, generation=2)  # a patch: rows seen may have changed
    assert list(ids) == list(select(patched, filters).index)
    assert matches.filtered == 1_000 + BATCHES
    reordered = full.iloc[::-1]  # the same generation, but not beginning with the rows seen
    ids = matches.update(reordered, generation=2)
    assert list(ids) == list(select(reordered, filters).index)
    assert matches.filtered == 1_000 + 2 * BATCHES


def test_the_panel_extends_a_name_filter_while_reading_and_ends_as_a_full_one(
    sandbox3k: Sandbox, full: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
):
    # small frames, each shown as it arrives: the read shows its matches several times
    monkeypatch.setattr(_index, "READ_FRAME_ROWS", 250)
    monkeypatch.setattr(_index, "PROGRESS_EVERY", 0.0)
    monkeypatch.setattr(_batch_reading, "PARTIAL_EVERY", 0.0)
    updates: list[tuple[int, int]] = []
    original = Matches.update

    def spy(self: Matches, frame: pd.DataFrame, generation: int) -> pd.Index:
        before = self.filtered
        ids = original(self, frame, generation)
        updates.append((len(frame), self.filtered - before))
        return ids

    monkeypatch.setattr(Matches, "update", spy)
    handle = sandbox3k.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.scale)
    panel = BatchPanel(handle, overview=False)
    try:
        panel.state_chips.value = ("active", "suspended")
        panel.sort("name", descending=True)
        panel.name_filter.value = "7"  # the index is read now, in the background
        panel.wait_read(120)
        assert panel.status.text.endswith("match the filters."), panel.status.text
        grown = sorted({size for size, _ in updates})
        assert len(grown) > 3  # matches shown while reading
        assert grown[-1] == BATCHES
        assert sum(added for _, added in updates) == BATCHES  # each row filtered once
        expected = select(full, panel.filters)
        assert panel.total == len(expected) > 0
        ids, partial = panel._ordered_ids(panel.filters)
        assert not partial
        assert list(ids) == list(expected.index)
        assert list(ids) == list(panel.frame.index)  # as the server and the listing order them
        assert panel.page_ids == list(expected.index[:20])
    finally:
        panel.close()
