"""The batch panel's cost follows the page size, not the number of batches."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import ipywidgets
import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel

LARGE = 100_000


def exercise(panel: BatchPanel) -> None:
    """Open, page, filter, sort and change the page size, as a user would."""
    panel.next_button.click()
    panel.page = panel.page_count
    panel.prev_button.click()
    panel.state_chips.value = ("active", "suspended")
    panel.created_from.value = dt.date(2025, 3, 1)
    panel.header.buttons["created"].click()
    panel.header.buttons["created"].click()
    panel.name_filter.value = "1"
    panel.wait_read(300)
    panel.last_button.click()
    panel.clicks.click(panel.page_ids[0])
    panel.clicks.click(panel.page_ids[-1], shift=True)
    panel.name_filter.value = ""
    panel.next_button.click()
    panel.page_size_input.value = 50
    panel.next_button.click()
    panel.page_size_input.value = 20
    panel.select_page_button.click()
    panel.refresh_button.click()
    panel.clear_filters_button.click()


def widgets_used(
    sandbox: Sandbox, dataset_id: int, live_widgets: Callable[[], int]
) -> tuple[int, int, int, int]:
    """Widgets alive after opening, after exercising, after closing; and the batch count."""
    before = live_widgets()
    panel = BatchPanel(sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, dataset_id))
    panel.wait_read(300)
    opened = live_widgets() - before
    exercise(panel)
    assert panel.status.level == "info", panel.status.text
    used = live_widgets() - before
    total = panel.total
    panel.close()
    return opened, used, live_widgets() - before, total


def test_widget_count_does_not_depend_on_the_number_of_batches(
    sandbox: Sandbox, large_sandbox: Sandbox, count_widgets: Callable[[], int]
):
    small = widgets_used(sandbox, DEMO.customers, count_widgets)
    large = widgets_used(large_sandbox, DEMO.scale, count_widgets)
    assert small[3] == 60
    assert large[3] == LARGE
    assert small[:3] == large[:3]
    opened, used, closed, _ = small
    # opening creates one page of rows; a larger page size adds its extra rows once
    assert used > opened
    assert closed == 0  # close() releases every widget the panel made


def test_widgets_grow_with_the_page_size_only(sandbox: Sandbox, count_widgets: Callable[[], int]):
    counts = []
    for size in (10, 20, 40):
        before = count_widgets()
        panel = BatchPanel(
            sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers),
            page_size=size,
        )
        counts.append(count_widgets() - before)
        panel.close()
    per_row = (counts[1] - counts[0]) / 10
    assert per_row == (counts[2] - counts[1]) / 20
    assert 0 < per_row <= 8  # a checkbox, one HTML strip of cells, a row box; layouts, styles


def test_requests_stay_logarithmic_in_the_number_of_batches(
    large_sandbox: Sandbox, recording_session: Any
):
    session = recording_session
    client = large_sandbox.client(session=session)
    # without the overview (chips' counts, timeline), which reads every batch's index
    panel = BatchPanel(
        client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.scale), overview=False
    )
    # counting 100,000 batches without a total in the listing: doubling then bisecting
    bound = 2 * math.ceil(math.log2(LARGE / 100)) + 3
    try:
        assert panel.total == LARGE
        assert panel.page_label.value == f"of {LARGE // 20:,}"
        assert len(session.sent) <= bound

        session.sent.clear()
        panel.next_button.click()
        panel.page = 4_000
        assert len(session.sent) == 2  # one request per page turn once the count is known
        assert panel.page_ids == list(range(panel.page_ids[0], panel.page_ids[0] + 20))

        session.sent.clear()
        panel.state_chips.value = ("suspended",)
        assert len(session.sent) <= bound
        assert 0 < panel.total < LARGE
        assert set(panel.page_frame["state"]) == {"suspended"}

        session.sent.clear()
        panel.header.buttons["rows"].click()
        assert len(session.sent) == 1  # the count does not depend on the order
    finally:
        panel.close()


def test_a_row_costs_three_widgets_its_box_shows_or_hides_with_a_shared_layout(
    sandbox: Sandbox, count_widgets: Callable[[], int]
):
    handle = sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    before = count_widgets()
    small = BatchPanel(handle, page_size=10)
    ten = count_widgets() - before
    small.close()
    before = count_widgets()
    panel = BatchPanel(handle, page_size=20)
    try:
        assert (count_widgets() - before - ten) / 10 == 3  # checkbox, cells, box
        boxes = [row.box for row in panel._rows]
        assert {id(box.layout) for box in boxes} == {id(panel._row_parts.shown_layout)}
        panel.name_filter.value = "crm"  # fewer matches than rows
        shown = [box for box in boxes if box.layout.display != "none"]
        hidden = [box for box in boxes if box.layout.display == "none"]
        assert len(shown) == panel.total < 20
        assert all(box.layout is panel._row_parts.hidden_layout for box in hidden)
        panel.name_filter.value = ""
        assert all(box.layout is panel._row_parts.shown_layout for box in boxes)
    finally:
        panel.close()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[ipywidgets.Widget, Any]]:
    """Every message the widgets send to the page, as ``(widget, message)``."""
    messages: list[tuple[ipywidgets.Widget, Any]] = []
    original = ipywidgets.Widget._send

    def spy(widget: ipywidgets.Widget, msg: Any, buffers: Any = None) -> None:
        messages.append((widget, msg))
        original(widget, msg, buffers)

    monkeypatch.setattr(ipywidgets.Widget, "_send", spy)
    return messages


def test_a_page_change_sends_one_message_per_row(
    panel: BatchPanel, sent: list[tuple[ipywidgets.Widget, Any]]
):
    # a row's batch id, tick and highlight are in its cells' HTML: one value per row, and
    # a few for the page's controls (the page number, the four arrows' states, the
    # selection's "(1 on this page)"), plus the checkbox of a row whose tick changes
    panel.wait_read()
    rows = panel.page_size
    panel.clicks.click(panel.page_ids[3])  # ticked and highlighted, on page 1
    panel.preview.wait()  # the click's preview is shown before counting
    turns = [
        (panel.next_button.click, 1),  # the ticked row's checkbox, unticked
        (panel.last_button.click, 0),
        (panel.first_button.click, 1),  # ticked again
        (lambda: setattr(panel.page_input, "value", 2), 1),
    ]
    for turn, ticks in turns:
        before = panel.page_ids
        sent.clear()
        turn()
        assert panel.page_ids != before
        assert len(sent) <= rows + ticks + 6, Counter(type(w).__name__ for w, _ in sent)
        per_widget = Counter(id(widget) for widget, _ in sent)
        assert [per_widget[id(row.cells)] for row in panel._rows] == [1] * rows
        assert [per_widget[id(row.box)] for row in panel._rows] == [0] * rows
        changed = sum(per_widget[id(row.checkbox)] for row in panel._rows)
        assert changed == ticks
