"""Stable CSS class hooks (``mp-…``) on the panels' controls, for styles and browser tests.

They are the names browser tests and users' stylesheets rely on: renaming a button's
text must not move them, and a row's batch-id class follows the batch it shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import ipywidgets
import pytest

from mammoth_pandas.mapping import Mapping, derive_mapping
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel, MappingPanel


def classes(widget: ipywidgets.DOMWidget) -> set[str]:
    return set(widget._dom_classes)


def descendants(root: ipywidgets.Widget) -> Iterator[ipywidgets.Widget]:
    """``root`` and every widget inside it, in document order."""
    yield root
    for child in getattr(root, "children", ()):
        yield from descendants(child)


def with_class(root: ipywidgets.Widget, name: str) -> list[ipywidgets.Widget]:
    """Every widget under ``root`` carrying ``name``, as a CSS selector would find them."""
    return [w for w in descendants(root) if name in getattr(w, "_dom_classes", ())]


@pytest.fixture
def mapping(sandbox: Sandbox) -> Mapping:
    client = sandbox.client()
    return derive_mapping(
        client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export),
        client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers),
    )


@pytest.fixture
def mpanel(mapping: Mapping) -> Iterator[MappingPanel]:
    panel = MappingPanel(mapping)
    yield panel
    panel.close()


BATCH_HOOKS = {
    "mp-suspend": "suspend_button",
    "mp-restore": "restore_button",
    "mp-delete": "delete_button",
    "mp-refresh": "refresh_button",
    "mp-confirm": "confirm_button",
    "mp-cancel": "cancel_button",
    "mp-status": "status",
    "mp-prev": "prev_button",
    "mp-next": "next_button",
    "mp-select-page": "select_page_button",
    "mp-select-matching": "select_matching_button",
    "mp-clear-selection": "clear_selection_button",
    "mp-state-chips": "state_chips",
    "mp-first": "first_button",
    "mp-last": "last_button",
    "mp-page-input": "page_input",
    "mp-undo": "undo_button",
    "mp-export": "export_button",
    "mp-download": "download_link",
    "mp-cancel-read": "cancel_read_button",
    "mp-read-progress": "read_progress",
    "mp-read-label": "read_label",
    "mp-timeline": "timeline",
    "mp-stale": "stale_note",
    "mp-rows-error": "rows_error",
    "mp-created-error": "created_error",
    "mp-preview-slot": "preview_slot",
    "mp-picker-slot": "picker_slot",
    "mp-click-channel": "clicks.text",
    "mp-batch-header": "header",
    "mp-name-filter": "name_filter",
    "mp-created-from": "created_from",
    "mp-created-to": "created_to",
    "mp-rows-min": "rows_min",
    "mp-rows-max": "rows_max",
    "mp-clear-filters": "clear_filters_button",
    "mp-page-size": "page_size_input",
    "mp-page-label": "page_label",
    "mp-selection-label": "selection_label",
    "mp-progress": "progress",
    "mp-confirmation": "confirmation",
}

MAPPING_HOOKS = {
    "mp-validate": "validate_button",
    "mp-append": "append_button",
    "mp-confirm": "confirm_button",
    "mp-cancel": "cancel_button",
    "mp-status": "status",
    "mp-progress": "progress",
    "mp-unused": "unused_label",
    "mp-summary": "summary",
}


def test_batch_panel_controls_carry_their_hooks(panel: BatchPanel):
    assert "mp-batch-panel" in classes(panel)
    for name, attribute in BATCH_HOOKS.items():
        control = panel
        for part in attribute.split("."):
            control = getattr(control, part)
        assert name in classes(control), attribute
        # one control per hook in the panel, and it is the one shown
        assert with_class(panel, name) == [control], name


def cells_classes(row: ipywidgets.Widget) -> set[str]:
    """The classes of the cells' ``div`` in a row box's HTML, as the page gets them."""
    (cells,) = with_class(row, "mp-batch-cells")
    found = re.findall(r'<div class="([^"]*)" data-id="(\d+)"', cells.value)
    assert len(found) <= 1
    if not found:
        return set()
    names, batch_id = found[0]
    assert f"mp-batch-id-{batch_id}" in names.split()
    return set(names.split())


def rows_showing(panel: BatchPanel, batch_id: int) -> list[ipywidgets.Widget]:
    """The row boxes ``.mp-batch-row:has(.mp-batch-id-<id>)`` finds."""
    rows = with_class(panel, "mp-batch-row")
    return [row for row in rows if f"mp-batch-id-{batch_id}" in cells_classes(row)]


def test_batch_rows_carry_row_and_batch_id_hooks(panel: BatchPanel):
    rows = with_class(panel, "mp-batch-row")
    assert len(rows) == panel.page_size
    shown = [row for row in rows if row.layout.display != "none"]
    assert len(shown) == len(panel.page_ids) == 20
    for row, batch_id in zip(shown, panel.page_ids, strict=True):
        # the batch's hook is in the row's cells, inside the row box, beside the checkbox
        assert cells_classes(row) == {"mp-cells", f"mp-batch-id-{batch_id}"}
        assert classes(row) == {"mp-batch-row"}
        (checkbox,) = with_class(row, "mp-row-checkbox")
        assert isinstance(checkbox, ipywidgets.Checkbox)
    assert len(with_class(panel, "mp-row-checkbox")) == panel.page_size


def test_ticked_and_highlighted_hooks_are_in_the_row_cells(panel: BatchPanel):
    ids = panel.page_ids
    panel.clicks.click(ids[2])
    panel.row_checkboxes[5].value = True
    (two,) = rows_showing(panel, ids[2])
    (five,) = rows_showing(panel, ids[5])
    assert cells_classes(two) >= {"mp-ticked"}
    assert "mp-highlighted" not in cells_classes(two)
    assert cells_classes(five) >= {"mp-ticked", "mp-highlighted"}
    panel.deselect([ids[2]])
    assert "mp-ticked" not in cells_classes(two)
    panel.next_button.click()
    for row in with_class(panel, "mp-batch-row"):
        assert not cells_classes(row) & {"mp-ticked", "mp-highlighted"}
    panel.prev_button.click()
    assert cells_classes(rows_showing(panel, ids[5])[0]) >= {"mp-ticked", "mp-highlighted"}


def test_the_batch_id_hook_follows_the_page(panel: BatchPanel):
    first_page = panel.page_ids
    panel.next_button.click()
    second_page = panel.page_ids
    assert panel.page == 2
    assert not set(first_page) & set(second_page)
    for batch_id in first_page:
        assert rows_showing(panel, batch_id) == []
    for batch_id in second_page:
        assert len(rows_showing(panel, batch_id)) == 1
    id_classes = [name for row in with_class(panel, "mp-batch-row") for name in cells_classes(row)]
    assert sum(name.startswith("mp-batch-id-") for name in id_classes) == len(second_page)


def test_a_hidden_row_names_no_batch(panel: BatchPanel):
    panel.name_filter.value = "crm"  # fewer matches than rows
    assert 0 < panel.total < panel.page_size
    rows = with_class(panel, "mp-batch-row")
    named = [row for row in rows if cells_classes(row)]
    assert [row.layout.display for row in named] == [None] * panel.total
    assert all(row.layout.display == "none" for row in rows if row not in named)


def test_mapping_panel_controls_carry_their_hooks(mpanel: MappingPanel, mapping: Mapping):
    assert "mp-mapping-panel" in classes(mpanel)
    for name, attribute in MAPPING_HOOKS.items():
        control = getattr(mpanel, attribute)
        assert name in classes(control), attribute
        assert with_class(mpanel, name) == [control], name
    rows = with_class(mpanel, "mp-mapping-row")
    assert len(rows) == len(mapping.rows)
    for row in mapping.rows:
        dest = row.destination.c_id
        (box,) = with_class(mpanel, f"mp-dest-{dest}")
        assert box is mpanel.rows[dest].box
        (dropdown,) = with_class(box, "mp-mapping-dropdown")
        assert dropdown is mpanel.dropdowns[dest]
        for name in ("mp-mapping-label", "mp-confidence", "mp-flag", "mp-evidence"):
            assert len(with_class(box, name)) == 1, name


def test_destination_hooks_are_valid_class_names():
    mapping = derive_mapping(
        [{"c_id": "a b.c", "c_name": "x", "c_type": "text"}],
        [{"c_id": "d:1 / 2", "c_name": "x", "c_type": "text"}],
    )
    panel = MappingPanel(mapping)
    try:
        (box,) = with_class(panel, "mp-mapping-row")
        assert "mp-dest-d-1---2" in classes(box)
    finally:
        panel.close()
