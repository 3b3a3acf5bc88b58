"""The batch panel under Voilà (the notebook as an app, no JupyterLab around it).

Voilà runs the test's notebook on loopback with this module's sandbox; Chromium opens
it, sorts by a header, ticks a shift-click range and filters by a chip, and what the
panel says is checked against the API.
"""

from __future__ import annotations

from typing import Any

import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox

pytestmark = pytest.mark.browser

WS, PR = DEMO.workspace_id, DEMO.project_id


def test_batch_panel_works_in_voila(
    chromium: Any, voila: str, lab_sandbox: Sandbox, browser_artifacts: Any
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    artifacts = browser_artifacts
    try:
        page.goto(voila)
        panel = page.locator(".mp-batch-panel")
        panel.wait_for()
        panel.locator(".mp-status").get_by_text("60 batches.").wait_for()
        page.screenshot(path=str(artifacts / "voila-01-opened.png"))
        listing = lab_sandbox.client().batches.list(WS, PR, DEMO.customers)

        header = panel.locator(".mp-batch-header button.mp-col-created")
        header.click()
        header.click()
        header.get_by_text("created ▼").wait_for()
        newest = listing.sort_values("created_at", ascending=False).index[:3].tolist()
        first = panel.locator(".mp-batch-row:visible .mp-col-id")
        page.wait_for_function(
            "ids => [...document.querySelectorAll('.mp-batch-row .mp-col-id')]"
            ".filter(e => e.offsetParent).slice(0, 3).map(e => +e.textContent).join()"
            " === ids.join()",
            arg=[int(i) for i in newest],
        )
        assert int(first.first.inner_text()) == int(newest[0])

        rows = panel.locator(".mp-batch-row:visible .mp-col-name")
        rows.nth(0).click()
        rows.nth(2).click(modifiers=["Shift"])
        panel.locator(".mp-selection-label").get_by_text("3 selected").wait_for()
        page.screenshot(path=str(artifacts / "voila-02-sorted-and-ticked.png"))

        active = int((listing["state"] == "active").sum())
        chip = panel.locator(".mp-chip-active")
        assert chip.inner_text().strip() == f"active {active}"
        chip.click()
        panel.locator(".mp-status").get_by_text(f"{active} batches match the filters.").wait_for()
        page.screenshot(path=str(artifacts / "voila-03-chip.png"))
    finally:
        context.close()
