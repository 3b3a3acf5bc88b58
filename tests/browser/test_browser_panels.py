"""The panels notebook in a real browser: JupyterLab on loopback, Debian's Chromium.

The sandbox runs in the test process; JupyterLab's kernels reach it through
``MAMMOTH_API_*`` in their environment, so what the clicks did is checked through the API
(and, for the appended rows, in the sandbox's store). Controls are found by the panels'
CSS class hooks (``mp-suspend``, ``mp-batch-id-12``, ``mp-dest-column_5``…), not by their
text, which may change; what they say is asserted. Each step leaves a screenshot in
``test-artifacts/browser/``.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox

pytestmark = pytest.mark.browser

NOTEBOOK = "03-panels.ipynb"
WS, PR = DEMO.workspace_id, DEMO.project_id


def states(sb: Sandbox) -> pd.Series:
    listing = sb.client().batches.list(WS, PR, DEMO.customers)
    return listing["state"].astype(str)


def hook(scope: Any, name: str) -> Any:
    """The element carrying the panels' CSS class hook ``mp-<name>`` inside ``scope``.

    A Button's class lands on its ``<button>``; a Checkbox's or Dropdown's on the ``div``
    around its ``<input>`` or ``<select>``.
    """
    return scope.locator(f".mp-{name}")


def panel_output(lab, kind: str) -> Any:
    """The ``kind`` panel (``batch`` or ``mapping``) of the one open notebook."""
    return lab.page.locator(f".mp-{kind}-panel")


def batch_row(panel: Any, batch_id: int) -> Any:
    """The table row showing ``batch_id`` (the batch's class, on the row's cells, follows the
    batch it shows)."""
    return panel.locator(f".mp-batch-row:has(.mp-batch-id-{batch_id})")


def checkbox(panel: Any, batch_id: int) -> Any:
    return hook(batch_row(panel, batch_id), "row-checkbox").locator("input[type=checkbox]")


def status_says(panel: Any, text: str | re.Pattern[str]) -> Any:
    """The panel's status line, once it says ``text``."""
    status = hook(panel, "status").get_by_text(text)
    status.wait_for()
    return status


def act_on_selection(lab, panel: Any, ids: list[int], action: str, done: str) -> str:
    """Tick ``ids``, press ``action``, confirm, and wait for the status line's success."""
    for batch_id in ids:
        box = checkbox(panel, batch_id)
        box.check()
        assert box.is_checked()
    hook(panel, "selection-label").get_by_text(f"{len(ids)} selected").wait_for()
    lab.screenshot(f"{action.lower()}-ticked", show=batch_row(panel, ids[0]))

    hook(panel, action.lower()).click()
    was, becomes = {"Suspend": ("active", "suspended"), "Restore": ("suspended", "restored")}[
        action
    ]
    question = f"2 selected: 2 {was} will be {becomes}."
    confirmation = hook(panel, "confirmation").filter(has_text=question)
    confirmation.wait_for()
    lab.screenshot(f"{action.lower()}-confirm", show=confirmation)
    confirm = hook(confirmation, "confirm")
    assert confirm.inner_text().strip() == f"{action} 2"
    confirm.click()

    status = status_says(panel, f"{done} 2 batches: {ids[0]}, {ids[1]}.")
    lab.screenshot(f"{action.lower()}-done", show=status)
    text: str = status.inner_text()
    return text


def assert_rows_fit_beside_the_sidebar(lab, panel: Any) -> None:
    """At 1400 px with the file browser open, each table row stays on one line (the names
    of the demo dataset fit whole)."""
    page = lab.page
    viewport = page.viewport_size
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").click()
    page.locator("#jp-left-stack").wait_for(state="visible")
    try:
        rows = panel.locator(".mp-batch-row:visible")
        rows.first.scroll_into_view_if_needed()
        lab.screenshot("batch-table-beside-sidebar", show=rows.first)
        heights = rows.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
        header = hook(panel, "batch-header").evaluate("e => e.getBoundingClientRect().height")
        assert len(heights) == 20
        assert max(heights) < 1.5 * header, (heights, header)
        # the seven cells of every row side by side: one distinct top each row
        cells = panel.locator(".mp-batch-row:visible .mp-batch-cells .mp-cells")
        tops = cells.evaluate_all(
            "els => els.map(e => [...e.children]"
            ".map(c => Math.round(c.getBoundingClientRect().top)))"
        )
        assert len(tops) == 20
        assert all(len(row) == 7 and len(set(row)) == 1 for row in tops), tops
    finally:
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").click()
        page.locator("#jp-left-stack").wait_for(state="hidden")
        if viewport is not None:
            page.set_viewport_size(viewport)


def test_batch_panel_suspends_and_restores_two_ticked_batches(lab, lab_sandbox: Sandbox) -> None:
    before = states(lab_sandbox)
    page_one = before.sort_index().index[:20]
    active = [int(i) for i in page_one if before[i] == "active"]
    chosen = [active[1], active[3]]

    lab.open(NOTEBOOK)
    lab.run_all()
    panel = panel_output(lab, "batch")
    panel.wait_for()
    assert lab.errors() == []
    lab.screenshot("batch-panel", show=panel)
    assert_rows_fit_beside_the_sidebar(lab, panel)

    message = act_on_selection(lab, panel, chosen, "Suspend", "Suspended")
    assert "Now 2 suspended." in message
    after = states(lab_sandbox)
    changed = sorted(int(i) for i in after.index if after[i] != before[i])
    assert changed == sorted(chosen)
    assert (after[chosen] == "suspended").all()
    for batch_id in chosen:
        batch_row(panel, batch_id).get_by_text("suspended").wait_for()

    # The selection is kept by id across the refresh; untick and tick again like a user would.
    for batch_id in chosen:
        checkbox(panel, batch_id).uncheck()
    hook(panel, "selection-label").get_by_text("0 selected").wait_for()
    message = act_on_selection(lab, panel, chosen, "Restore", "Restored")
    assert "Now 2 active." in message
    assert states(lab_sandbox).equals(before)


def test_mapping_panel_dropdown_validate_append(lab, lab_sandbox: Sandbox) -> None:
    client = lab_sandbox.client()
    before = set(client.batches.list(WS, PR, DEMO.customers).index)
    crm_rows = client.datasets.get(WS, PR, DEMO.crm_export)["stats"]["row_count"]

    lab.open(NOTEBOOK)
    lab.run_all()
    panel = panel_output(lab, "mapping")
    panel.wait_for()
    assert lab.errors() == []
    lab.screenshot("mapping-panel", show=panel)

    # Country (column_4) has no counterpart in the CRM export; fill it by hand.
    row = panel.locator(".mp-mapping-row.mp-dest-column_4")
    assert hook(row, "mapping-label").inner_text().strip() == "Country · TEXT"
    dropdown = hook(row, "mapping-dropdown").locator("select")
    assert dropdown.input_value() == "— none —"
    # entries read "Lead source (TEXT) · 0.28 · e.g. …": the score follows the name
    option = dropdown.locator("option", has_text="Lead source (TEXT)")
    dropdown.select_option(label=option.inner_text())
    status_says(panel, "'Country' now comes from 'Lead source'.")
    # the pair reads as the user's choice, not as a poor suggestion
    hook(row, "evidence").get_by_text(re.compile(r"^set by hand; computed score")).wait_for()
    assert hook(row, "confidence").inner_text().strip() == "1.00"
    assert hook(row, "flag").inner_text().strip() == "set by hand"
    lab.screenshot("mapping-dropdown-changed", show=row)

    hook(panel, "validate").click()
    valid = status_says(panel, re.compile(r"^Valid: the append would add"))
    lab.screenshot("mapping-validated", show=valid)
    assert set(client.batches.list(WS, PR, DEMO.customers).index) == before

    hook(panel, "append").click()
    confirmation = hook(panel, "confirmation").filter(
        has_text=f"Append the rows of dataset {DEMO.crm_export} into dataset {DEMO.customers}"
    )
    confirmation.wait_for()
    lab.screenshot("mapping-append-confirm", show=confirmation)
    confirm = hook(confirmation, "confirm")
    assert confirm.inner_text().strip() == "Append"
    confirm.click()

    appended = status_says(panel, re.compile(r"^Appended \d+ rows as batch \d+\."))
    lab.screenshot("mapping-appended", show=appended)
    match = re.search(r"Appended (\d+) rows as batch (\d+)\.", appended.inner_text())
    assert match is not None
    rows, batch_id = int(match[1]), int(match[2])

    after = client.batches.list(WS, PR, DEMO.customers)
    assert set(after.index) - before == {batch_id}
    batch = client.batches.get(WS, PR, DEMO.customers, batch_id)
    assert batch["state"] == "active"
    assert batch["source_dataset_id"] == DEMO.crm_export
    assert batch["row_count"] == rows == crm_rows
    # The dropdown changed in the browser decided what was stored: every appended row has
    # its Country (column_4) from the source's "Lead source" (column_7).
    stored = lab_sandbox.rows(DEMO.customers, batch_id)
    assert len(stored) == crm_rows
    sources = sorted((r["column_7"] for r in lab_sandbox.rows(DEMO.crm_export)), key=str)
    assert any(sources)
    assert sorted((row["column_4"] for row in stored), key=str) == sources, stored[:3]
