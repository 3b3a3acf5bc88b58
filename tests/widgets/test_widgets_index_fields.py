"""A large dataset's index reads only the fields its panel needs, and reads again for more.

The demo destination (60 batches) stands in for a large dataset: ``SYNC_READ`` is set
below its size, so its index is read in the background as a large one's would be.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pandas as pd
import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel, _batch_reading
from mammoth_pandas.widgets._batch_source import BatchFilters
from mammoth_pandas.widgets._index import OVERVIEW_FIELDS, DatasetIndex, fields_for


@pytest.fixture
def listing(sandbox: Sandbox) -> pd.DataFrame:
    return sandbox.client().batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers)


@pytest.fixture
def as_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_batch_reading, "SYNC_READ", 10)


def _panel(sandbox: Sandbox, **kwargs: object) -> BatchPanel:
    client = sandbox.client()
    return BatchPanel(client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers), **kwargs)


@pytest.fixture
def cold(sandbox: Sandbox, as_large: None) -> Iterator[BatchPanel]:
    panel = _panel(sandbox, overview=False)
    yield panel
    panel.close()


def test_fields_for_names_what_each_filter_and_sort_needs():
    assert fields_for(BatchFilters()) == {"id"}
    assert fields_for(BatchFilters(name_contains="crm")) == {"id", "name"}
    assert fields_for(BatchFilters(name_contains="  ")) == {"id"}
    assert fields_for(BatchFilters(rows_min=3)) == {"id", "row_count"}
    assert fields_for(BatchFilters(rows_max=3)) == {"id", "row_count"}
    assert fields_for(BatchFilters(states=("active",))) == {"id", "state"}
    assert fields_for(BatchFilters(created_to=dt.date(2025, 3, 1))) == {"id", "created_at"}
    assert fields_for(BatchFilters(sort_by="columns")) == {"id", "column_count"}
    assert fields_for(BatchFilters(sort_by="created")) == {"id", "created_at"}
    assert fields_for(BatchFilters(sort_by="source")) == {"id"}  # never on the index


def test_a_name_filter_without_the_overview_reads_ids_and_names_only(
    cold: BatchPanel, listing: pd.DataFrame
):
    cold.wait_read(30)
    assert not cold._index.complete  # nothing read before a filter needs it
    cold.name_filter.value = "crm"
    cold.wait_read(30)
    assert cold._index.fields == {"id", "name"}
    assert list(cold._index.frame.columns) == ["name"]  # what the server was asked for
    expected = listing[listing["name"].str.contains("crm", case=False)]
    assert cold.total == len(expected) > 0
    assert cold.page_ids == [int(i) for i in expected.index[: cold.page_size]]
    assert cold.status.text == f"{len(expected)} batches match the filters."


def test_a_later_filter_needing_another_field_reads_again_with_both(
    cold: BatchPanel, listing: pd.DataFrame
):
    cold.name_filter.value = "customers"
    cold.wait_read(30)
    assert cold._index.fields == {"id", "name"}
    cold.rows_min.value = "20"
    cold.wait_read(30)
    assert cold._index.fields == {"id", "name", "row_count"}
    names = listing["name"].str.contains("customers", case=False)
    expected = listing[names & (listing["row_count"] >= 20)]
    assert cold.total == len(expected) > 0
    assert sorted(cold.page_ids) == sorted(int(i) for i in expected.index[: cold.page_size])
    assert all(count >= 20 for count in cold.page_frame["row_count"])


def test_the_overview_reads_its_fields_and_a_sort_it_lacks_goes_to_the_server(
    sandbox: Sandbox, as_large: None, listing: pd.DataFrame
):
    panel = _panel(sandbox)
    try:
        panel.wait_read(30)
        assert panel._index.fields == OVERVIEW_FIELDS
        assert "column_count" not in OVERVIEW_FIELDS
        counts = listing["state"].astype(str).value_counts()
        assert panel.state_chips.chips["active"].description == f"active {counts['active']:,}"
        panel.sort("columns", descending=True)  # the index has no column count
        assert not panel.reading  # the server sorts: no second read
        assert panel._index.fields == OVERVIEW_FIELDS
        server = listing.reset_index().sort_values(
            ["column_count", "id"], ascending=[False, True], kind="mergesort"
        )
        assert panel.page_ids == server["id"].head(panel.page_size).tolist()
        panel.sort("rows")  # one the index holds: answered from it, as before
        assert not panel.reading
        by_rows = listing.reset_index().sort_values(["row_count", "id"], kind="mergesort")
        assert panel.page_ids == by_rows["id"].head(panel.page_size).tolist()
    finally:
        panel.close()


def test_patching_states_of_an_index_without_states_keeps_its_columns(sandbox: Sandbox):
    handle = sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    index = DatasetIndex(handle)
    frame = index.read(cancel=threading.Event(), fields={"name"})
    first, second = (int(i) for i in frame.index[:2])
    index.patch_states({first: "suspended"}, gone=[second])
    assert list(index.frame.columns) == ["name"]
    assert second not in index.frame.index
    assert first in index.frame.index
    assert index.holds({"id", "name"})
    assert not index.holds({"state"})


def test_an_unknown_index_field_is_refused_by_name(sandbox: Sandbox):
    handle = sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    with pytest.raises(ValueError, match="source"):
        DatasetIndex(handle).read(cancel=threading.Event(), fields={"name", "source"})


def test_the_chips_are_counted_by_the_server_before_the_index_and_a_chip_filters_at_once(
    sandbox: Sandbox, as_large: None, listing: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
):
    release = threading.Event()
    read = DatasetIndex.read

    def held_read(self: DatasetIndex, **kwargs: object) -> pd.DataFrame:
        assert release.wait(60)  # the index is read only once the test has looked
        return read(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DatasetIndex, "read", held_read)
    panel = _panel(sandbox)
    try:
        assert panel._chip_thread is not None
        panel._chip_thread.join(30)
        assert not panel._index.complete
        counts = listing["state"].astype(str).value_counts()
        for state, chip in panel.state_chips.chips.items():
            assert chip.description == f"{state} {int(counts.get(state, 0)):,}"
        asked: list[dict[str, object]] = []
        list_ = panel._source._list
        monkeypatch.setattr(panel._source, "_list", lambda **kw: asked.append(kw) or list_(**kw))
        panel.state_chips.chips["suspended"].value = True
        assert len(asked) == 1  # its page: the count was known
        assert asked[0]["status"] == ["suspended"]
        assert panel.total == counts["suspended"]
        assert panel.status.text == f"{counts['suspended']} batches match the filters."
        assert set(panel.page_frame["state"]) == {"suspended"}
        release.set()
        panel.wait_read(30)
        assert panel._index.complete
        assert panel.state_chips.chips["active"].description == f"active {counts['active']:,}"
    finally:
        release.set()
        panel.close()


def test_with_a_name_filter_the_chips_wait_for_the_index(cold: BatchPanel):
    cold.name_filter.value = "crm"
    assert cold._server_chip_counts(cold.filters) is None
    assert cold._chip_thread is None
