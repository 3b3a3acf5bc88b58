"""The batch panel's table, filters, sorting, paging and selection, driven like a user would."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel
from mammoth_pandas.widgets._batch_source import source_texts

IDS = (DEMO.workspace_id, DEMO.project_id, DEMO.customers)


@pytest.fixture(scope="module")
def listing(sandbox: Sandbox) -> pd.DataFrame:
    """Every batch of the demo destination, straight from the client."""
    return sandbox.client().batches.list(*IDS)


def test_opens_on_the_first_page_with_every_column(panel: BatchPanel, listing: pd.DataFrame):
    assert panel.total == len(listing) == 60
    assert (panel.page_input.value, panel.page_label.value) == (1, "of 3")
    assert panel.page_ids == sorted(listing.index)[:20]
    assert len(panel.row_checkboxes) == 20
    assert panel.status.text == "60 batches."
    assert panel.title.value == "<b>Batches of Customers</b> (dataset 101)"
    assert panel.prev_button.disabled
    assert panel.first_button.disabled
    assert not panel.next_button.disabled
    assert not panel.last_button.disabled
    first = listing.loc[panel.page_ids[0]]
    cells = panel._rows[0].cells.value
    for text in (str(panel.page_ids[0]), str(first["name"]), str(first["state"])):
        assert text in cells
    assert first["created_at"].strftime("%Y-%m-%d %H:%M") in cells
    assert f'class="mp-state mp-state-{first["state"]}"' in cells
    labels = [button.description for button in panel.header.buttons.values()]
    assert labels == ["id ▲", "name", "state", "rows", "columns", "created", "source"]


def test_dataset_handle_opens_the_panel(sandbox: Sandbox):
    panel = sandbox.client().dataset(*IDS).panel(page_size=10)
    try:
        assert isinstance(panel, BatchPanel)
        assert panel.page_label.value == "of 6"
        assert len(panel.row_checkboxes) == 10
    finally:
        panel.close()


@pytest.mark.parametrize("page_size", [0, 101, "20", True, 2.5])
def test_a_bad_page_size_is_refused_before_any_request(sandbox: Sandbox, page_size):
    with pytest.raises(MammothInputError, match="page_size"):
        BatchPanel(sandbox.client().dataset(*IDS), page_size=page_size)


def test_a_dataset_handle_is_required():
    with pytest.raises(MammothInputError, match="dataset_handle"):
        BatchPanel(object())  # type: ignore[arg-type]


def test_paging_forward_back_and_by_number(panel: BatchPanel, listing: pd.DataFrame):
    ordered = sorted(listing.index)
    panel.next_button.click()
    assert (panel.page_input.value, panel.page_label.value) == (2, "of 3")
    assert panel.page_ids == ordered[20:40]
    panel.next_button.click()
    assert panel.page_ids == ordered[40:60]
    assert panel.next_button.disabled
    panel.next_button.click()  # disabled in a browser; clicking from code changes nothing
    assert panel.page == 3
    panel.prev_button.click()
    assert panel.page == 2
    panel.page = 99
    assert panel.page == 3
    panel.page = 0
    assert panel.page == 1
    assert panel.page_ids == ordered[:20]
    panel.last_button.click()
    assert panel.page == 3
    assert panel.last_button.disabled
    panel.first_button.click()
    assert panel.page_ids == ordered[:20]
    panel.page_input.value = 2  # typing a page number goes there
    assert panel.page_ids == ordered[20:40]
    assert panel.page_input.max == 3


def test_page_size_change_keeps_the_first_visible_batch(panel: BatchPanel, listing: pd.DataFrame):
    ordered = sorted(listing.index)
    panel.page = 3
    panel.page_size_input.value = 10
    assert (panel.page_input.value, panel.page_label.value) == (5, "of 6")
    assert panel.page_ids == ordered[40:50]
    assert len(panel.row_checkboxes) == 10
    panel.page_size_input.value = 50
    assert (panel.page_input.value, panel.page_label.value) == (1, "of 2")
    assert ordered[40] in panel.page_ids
    assert len(panel.row_checkboxes) == 50
    assert panel.page_size == 50


def test_state_chips_filter_on_the_server(panel: BatchPanel, listing: pd.DataFrame):
    panel.state_chips.chips["suspended"].value = True
    assert panel.total == (listing["state"] == "suspended").sum()
    panel.state_chips.chips["sync_pending"].value = True
    expected = listing[listing["state"].isin(["suspended", "sync_pending"])]
    assert panel.total == len(expected) == 9
    assert panel.page_ids == sorted(expected.index)
    assert set(panel.page_frame["state"]) == {"suspended", "sync_pending"}
    assert panel.status.text == "9 batches match the filters."
    assert panel.page_label.value == "of 1"
    assert panel.state_chips.value == ("sync_pending", "suspended")


def test_created_range_includes_both_whole_days(panel: BatchPanel, listing: pd.DataFrame):
    start, end = dt.date(2025, 3, 1), dt.date(2025, 6, 30)
    panel.created_from.value = start
    panel.created_to.value = end
    days = listing["created_at"].dt.date
    expected = listing[(days >= start) & (days <= end)]
    assert 0 < len(expected) < len(listing)
    assert panel.total == len(expected)
    assert list(panel.frame.index) == sorted(expected.index)


def test_a_reversed_date_range_is_reported_not_raised(panel: BatchPanel):
    panel.created_from.value = dt.date(2025, 6, 1)
    shown = panel.page_ids
    panel.created_to.value = dt.date(2025, 5, 1)
    assert panel.status.level == "error"
    assert panel.status.text.startswith("Created: the end 2025-05-01 is before the start")
    assert panel.created_error.value == panel.status.text
    assert "mp-invalid" in panel.created_to._dom_classes
    assert "mp-invalid" in panel.created_from._dom_classes
    assert panel.stale_note.value == "Showing the previous result until Created is fixed."
    assert panel.page_ids == shown
    panel.created_to.value = dt.date(2025, 7, 1)
    assert panel.created_error.value == panel.stale_note.value == ""
    assert "mp-invalid" not in panel.created_to._dom_classes
    assert panel.status.level == "info"


def test_row_range_and_name_filter_match_pandas(panel: BatchPanel, listing: pd.DataFrame):
    panel.rows_min.value = "10"
    panel.rows_max.value = "20"
    panel.name_filter.value = "CSV"
    names = listing["name"].str.lower()
    expected = listing[
        (listing["row_count"] >= 10) & (listing["row_count"] <= 20) & names.str.contains("csv")
    ]
    assert 0 < len(expected) < 40
    assert panel.total == len(expected)
    assert list(panel.frame.index) == sorted(expected.index)
    assert all(10 <= n <= 20 for n in panel.page_frame["row_count"])


def test_filters_combine_server_and_local_parts(panel: BatchPanel, listing: pd.DataFrame):
    panel.state_chips.value = ("active",)
    panel.name_filter.value = "sync"
    expected = listing[
        (listing["state"] == "active") & listing["name"].str.contains("sync", case=False)
    ]
    assert len(expected) > 0
    assert panel.page_ids == sorted(expected.index)[:20]


def test_bad_row_bounds_are_reported_in_words(panel: BatchPanel):
    shown = panel.page_ids
    panel.rows_min.value = "ten"
    assert panel.status.level == "error"
    # in the words on screen, not the attribute's name
    assert panel.status.text == (
        "Rows (from): 'ten' is not a whole number; expected digits, or empty."
    )
    assert "rows_min" not in panel.status.text
    assert panel.rows_error.value == panel.status.text
    assert "mp-invalid" in panel.rows_min._dom_classes
    assert "mp-invalid" not in panel.rows_max._dom_classes
    assert panel.stale_note.value == "Showing the previous result until Rows (from) is fixed."
    assert panel.page_ids == shown
    panel.rows_min.value = "30"
    assert panel.rows_error.value == ""
    panel.rows_max.value = "5"
    assert panel.status.text.startswith("Rows: the maximum 5 is below the minimum 30")
    assert {"mp-invalid"} <= set(panel.rows_min._dom_classes) & set(panel.rows_max._dom_classes)
    panel.rows_max.value = ""
    assert panel.status.level == "info"
    assert panel.total == 0
    assert panel.row_checkboxes == []
    assert panel.empty_note.layout.display is None
    assert panel.page_label.value == "of 1"


def test_clear_filters_button(panel: BatchPanel):
    panel.state_chips.value = ("suspended",)
    panel.name_filter.value = "x"
    panel.created_from.value = dt.date(2025, 1, 1)
    panel.clear_filters_button.click()
    assert panel.state_chips.value == ()
    assert panel.name_filter.value == ""
    assert panel.created_from.value is None
    assert panel.total == 60


@pytest.mark.parametrize(
    ("label", "column"),
    [("id", None), ("rows", "row_count"), ("columns", "column_count"), ("created", "created_at")],
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_sorting_by_numbers_and_times(panel, listing, label, column, direction):
    header = panel.header.buttons[label]
    if label != "id":
        header.click()  # the first click sorts ascending
    if direction == "desc":
        header.click()  # the second reverses
    assert header.description == f"{label} {'▼' if direction == 'desc' else '▲'}"
    assert "mp-sorted" in header._dom_classes
    frame = listing.reset_index()
    if column is None:
        expected = frame.sort_values("id", ascending=direction == "asc")
    else:
        # ties are broken by id, ascending, whatever the direction
        frame["neg_id"] = -frame["id"]
        expected = frame.sort_values(
            [column, "id"] if direction == "asc" else [column, "neg_id"],
            ascending=direction == "asc",
        )
    assert panel.page_ids == expected["id"].tolist()[:20]


@pytest.mark.parametrize("label", ["name", "state"])
def test_sorting_by_text_follows_the_server(panel, sandbox, label):
    field = {"name": "name", "state": "state"}[label]
    panel.sort(label, descending=True)
    expected = sandbox.client().batches.list(*IDS, sort=[(field, "desc"), ("id", "asc")])
    assert panel.page_ids == list(expected.index)[:20]
    assert list(panel.frame.index) == list(expected.index)


def test_sorting_by_source_happens_locally(panel: BatchPanel, listing: pd.DataFrame):
    panel.header.buttons["source"].click()
    texts = dict(zip(listing.index, source_texts(listing), strict=True))
    expected = sorted(listing.index, key=lambda i: (texts[i].casefold(), i))
    assert list(panel.frame.index) == expected
    panel.header.buttons["source"].click()
    shown = [texts[i] for i in panel.frame.index]
    assert shown == sorted(shown, key=str.casefold, reverse=True)
    assert shown[0].startswith("file:")


def test_selection_is_kept_by_id_across_pages_filters_sorts_and_refresh(panel: BatchPanel):
    first = panel.page_ids
    panel.row_checkboxes[0].value = True
    panel.row_checkboxes[3].value = True
    panel.next_button.click()
    assert not any(box.value for box in panel.row_checkboxes)
    panel.row_checkboxes[1].value = True
    expected = sorted([first[0], first[3], panel.page_ids[1]])
    assert panel.selected == expected
    assert panel.selection_label.value == "3 selected (1 on this page)"

    panel.state_chips.value = ("suspended",)
    panel.sort("name")
    panel.refresh()
    assert panel.selected == expected
    panel.clear_filters_button.click()
    panel.sort("id", descending=False)
    panel.page = 1
    checked = [i for i, box in zip(panel.page_ids, panel.row_checkboxes, strict=True) if box.value]
    assert checked == [first[0], first[3]]
    panel.row_checkboxes[0].value = False
    assert panel.selected == expected[1:]
    assert panel.selection_label.value == "2 selected (1 on this page)"


def test_select_page_select_all_matching_and_clear(panel: BatchPanel, listing: pd.DataFrame):
    panel.select_page_button.click()
    assert panel.selected == panel.page_ids
    assert all(box.value for box in panel.row_checkboxes)
    panel.state_chips.value = ("suspended",)
    panel.select_matching_button.click()
    suspended = sorted(listing.index[listing["state"] == "suspended"])
    assert panel.selected == sorted(set(suspended) | set(sorted(listing.index)[:20]))
    assert panel.selection_label.value.startswith(f"{len(panel.selected)} selected")
    panel.clear_selection_button.click()
    assert panel.selected == []
    assert panel.selection_label.value == "0 selected"
    assert not any(box.value for box in panel.row_checkboxes)


def test_select_all_matching_with_a_local_filter(panel: BatchPanel, listing: pd.DataFrame):
    panel.name_filter.value = "crm"
    panel.select_matching_button.click()
    expected = listing.index[listing["name"].str.contains("crm", case=False)]
    assert panel.selected == sorted(expected)


def test_programmatic_selection(panel: BatchPanel):
    panel.select([1002, 1001, 1050])
    assert panel.selected == [1001, 1002, 1050]
    assert [box.value for box in panel.row_checkboxes[:3]] == [True, True, False]
    panel.deselect([1002])
    assert panel.selected == [1001, 1050]


def test_frame_is_the_filtered_sorted_listing(panel: BatchPanel, listing: pd.DataFrame):
    panel.state_chips.value = ("active",)
    panel.sort("rows")
    frame = panel.frame
    assert set(frame["state"]) == {"active"}
    assert len(frame) == (listing["state"] == "active").sum()
    assert frame["row_count"].is_monotonic_increasing
    for column in ("name", "state", "created_at", "row_count", "column_count", "source_type"):
        assert column in frame.columns
    assert pd.api.types.is_string_dtype(frame["name"])


def test_actions_need_a_selection(panel: BatchPanel):
    for button, verb in (
        (panel.suspend_button, "suspend"),
        (panel.restore_button, "restore"),
        (panel.delete_button, "delete"),
    ):
        button.click()
        assert panel.status.level == "warning"
        assert panel.status.text == f"Select at least one batch to {verb}."
        assert not panel.confirmation.pending
        assert panel.confirmation.layout.display == "none"


def test_every_state_has_a_chip_with_its_count(panel: BatchPanel, listing: pd.DataFrame):
    assert tuple(panel.state_chips.chips) == C.BATCH_STATES
    counts = listing["state"].astype(str).value_counts()
    for state, chip in panel.state_chips.chips.items():
        assert chip.description == f"{state} {counts.get(state, 0):,}"
    # the counts follow the other filters, not the chips themselves
    panel.name_filter.value = "csv"
    panel.state_chips.value = ("active",)
    csv = listing[listing["name"].str.contains("csv", case=False)]["state"].astype(str)
    for state, chip in panel.state_chips.chips.items():
        assert chip.description == f"{state} {(csv == state).sum():,}"
    assert panel.delete_button.button_style == "danger"


def test_from_a_client_and_ids(sandbox: Sandbox):
    panel = BatchPanel.from_ids(sandbox.client(), *IDS, page_size=50)
    try:
        assert panel.handle.dataset_id == DEMO.customers
        assert panel.page_label.value == "of 2"
    finally:
        panel.close()


def test_an_unexpected_error_is_reported_not_raised(panel: BatchPanel, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    shown = panel.page_ids
    monkeypatch.setattr(panel.handle.client.batches, "list", broken)
    panel.refresh_button.click()
    assert panel.status.level == "error"
    assert panel.status.text == (
        "Loading the batches failed: unexpected RuntimeError: disk on fire."
    )
    panel.select_matching_button.click()
    assert "Selecting all matching failed" in panel.status.text
    assert panel.page_ids == shown
    monkeypatch.undo()
    panel.refresh_button.click()
    assert panel.status.text == "60 batches."
