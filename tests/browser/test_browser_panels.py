"""The panels notebook in a real browser: JupyterLab on loopback, Debian's Chromium.

The sandbox runs in the test process; JupyterLab's kernels reach it through
``MAMMOTH_API_*`` in their environment, so what the clicks did is checked through the API
(and, for the appended rows, in the sandbox's store). Each step leaves a screenshot in
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


def button(scope: Any, label: str) -> Any:
    """The button labelled ``label`` (by its text: an icon would add a glyph to its name)."""
    return scope.locator("button").filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def panel_output(lab, button_label: str) -> Any:
    """The cell output holding the panel with a ``button_label`` button (one panel each)."""
    return lab.page.locator(".jp-OutputArea-output").filter(has=button(lab.page, button_label))


def batch_row(lab, panel: Any, batch_id: int) -> Any:
    """The table row of ``batch_id``: a checkbox, then cells whose first one is the id."""
    first_cell = lab.page.locator(".widget-html-content > span:first-child")
    return (
        panel.locator(".widget-hbox")
        .filter(has=lab.page.locator(".widget-checkbox"))
        .filter(has=first_cell.filter(has_text=re.compile(rf"^{batch_id}$")))
    )


def act_on_selection(lab, panel: Any, ids: list[int], action: str, done: str) -> str:
    """Tick ``ids``, press ``action``, confirm, and wait for the status line's success."""
    for batch_id in ids:
        box = batch_row(lab, panel, batch_id).locator("input[type=checkbox]")
        box.check()
        assert box.is_checked()
    panel.get_by_text(f"{len(ids)} selected").wait_for()
    lab.screenshot(f"{action.lower()}-ticked", show=batch_row(lab, panel, ids[0]))

    button(panel, action).click()
    question = f"{action} 2 batches: {ids[0]}, {ids[1]}?"
    confirmation = panel.locator(".widget-hbox").filter(has_text=question)
    confirmation.wait_for()
    lab.screenshot(f"{action.lower()}-confirm", show=confirmation)
    button(confirmation, action).click()

    status = panel.get_by_text(f"{done} 2 batches: {ids[0]}, {ids[1]}.")
    status.wait_for()
    lab.screenshot(f"{action.lower()}-done", show=status)
    text: str = status.inner_text()
    return text


def test_batch_panel_suspends_and_restores_two_ticked_batches(lab, lab_sandbox: Sandbox) -> None:
    before = states(lab_sandbox)
    page_one = before.sort_index().index[:20]
    active = [int(i) for i in page_one if before[i] == "active"]
    chosen = [active[1], active[3]]

    lab.open(NOTEBOOK)
    lab.run_all()
    panel = panel_output(lab, "Suspend")
    panel.wait_for()
    assert lab.errors() == []
    lab.screenshot("batch-panel", show=panel)

    message = act_on_selection(lab, panel, chosen, "Suspend", "Suspended")
    assert "Now 2 suspended." in message
    after = states(lab_sandbox)
    changed = sorted(int(i) for i in after.index if after[i] != before[i])
    assert changed == sorted(chosen)
    assert (after[chosen] == "suspended").all()
    for batch_id in chosen:
        batch_row(lab, panel, batch_id).get_by_text("suspended").wait_for()

    # The selection is kept by id across the refresh; untick and tick again like a user would.
    for batch_id in chosen:
        batch_row(lab, panel, batch_id).locator("input[type=checkbox]").uncheck()
    panel.get_by_text("0 selected").wait_for()
    message = act_on_selection(lab, panel, chosen, "Restore", "Restored")
    assert "Now 2 active." in message
    assert states(lab_sandbox).equals(before)


def test_mapping_panel_dropdown_validate_append(lab, lab_sandbox: Sandbox) -> None:
    client = lab_sandbox.client()
    before = set(client.batches.list(WS, PR, DEMO.customers).index)
    crm_rows = client.datasets.get(WS, PR, DEMO.crm_export)["stats"]["row_count"]

    lab.open(NOTEBOOK)
    lab.run_all()
    panel = panel_output(lab, "Validate")
    panel.wait_for()
    assert lab.errors() == []
    lab.screenshot("mapping-panel", show=panel)

    # Signup date has no suggestion; fill it from "Customer since" by hand.
    label = lab.page.locator(".widget-html-content", has_text=re.compile(r"^Signup date · DATE$"))
    row = panel.locator(".widget-hbox").filter(has=label)
    dropdown = row.locator("select")
    assert dropdown.input_value() == "— none —"
    dropdown.select_option(label="Customer since (TEXT)")
    panel.get_by_text("'Signup date' now comes from 'Customer since'.").wait_for()
    lab.screenshot("mapping-dropdown-changed", show=row)

    button(panel, "Validate").click()
    valid = panel.get_by_text(re.compile(r"^Valid: the append would add"))
    valid.wait_for()
    lab.screenshot("mapping-validated", show=valid)
    assert set(client.batches.list(WS, PR, DEMO.customers).index) == before

    button(panel, "Append").click()
    confirmation = panel.locator(".widget-hbox").filter(
        has_text=f"Append the rows of dataset {DEMO.crm_export} into dataset {DEMO.customers}"
    )
    confirmation.wait_for()
    lab.screenshot("mapping-append-confirm", show=confirmation)
    button(confirmation, "Append").click()

    appended = panel.get_by_text(re.compile(r"^Appended \d+ rows as batch \d+\."))
    appended.wait_for()
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
    # its Signup date (column_5) from the source's "Customer since".
    stored = lab_sandbox.rows(DEMO.customers, batch_id)
    assert len(stored) == crm_rows
    assert all(row["column_5"] for row in stored), stored[:3]
