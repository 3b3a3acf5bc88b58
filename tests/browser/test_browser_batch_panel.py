"""The batch panel in a real browser, light and dark: what a demanding user clicks through.

JupyterLab on loopback, Debian's Chromium. The test writes its own notebook (one panel
on the demo dataset of this module's sandbox), runs it, then clicks like a user: the
layout at 1280 px, header sorting, the sticky header, row clicks and shift ranges, the
state chips, a bulk suspend with its breakdown, undo, Cancel, bad input, the timeline's
slider, and the colours' contrast. What the clicks did is checked on the page and through
the API. Each step leaves a screenshot in ``test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox

pytestmark = pytest.mark.browser

WS, PR = DEMO.workspace_id, DEMO.project_id

# The WCAG contrast ratio of an element's text against the first opaque background behind it.
CONTRAST = """el => {
  const rgb = s => { const m = s.match(/[\\d.]+/g).map(Number); return m; };
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92
    : Math.pow((c + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g)
    + 0.0722 * f(b); };
  let bg = null; let node = el;
  while (node && node.nodeType === 1) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length < 4 || c[3] > 0.5) { bg = c; break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


@pytest.fixture(scope="module")
def notebook(batch_notebook: str) -> str:
    return batch_notebook


def states(sb: Sandbox) -> pd.Series:
    return sb.client().batches.list(WS, PR, DEMO.customers)["state"].astype(str)


def hook(scope: Any, name: str) -> Any:
    return scope.locator(f".mp-{name}")


def row(panel: Any, batch_id: int) -> Any:
    """The row showing ``batch_id``: the batch's class is on its cells, inside the row."""
    return panel.locator(f".mp-batch-row:has(.mp-batch-id-{batch_id})")


def shown_ids(panel: Any) -> list[int]:
    texts = panel.locator(".mp-batch-row:visible .mp-col-id").all_inner_texts()
    return [int(t) for t in texts]


def status_says(panel: Any, text: str | re.Pattern[str]) -> Any:
    status = hook(panel, "status").get_by_text(text)
    status.wait_for()
    return status


def set_theme(server: Any, theme: str) -> None:
    """Choose JupyterLab's theme through its settings API (what Settings → Theme saves)."""
    body = json.dumps({"raw": json.dumps({"theme": theme})}).encode("utf-8")
    request = urllib.request.Request(
        f"{server.base_url}/lab/api/settings/@jupyterlab/apputils-extension:themes",
        data=body,
        method="PUT",
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 204)


def open_panel(lab: Any, notebook: str, theme: str) -> Any:
    set_theme(lab.server, theme)
    lab.open(notebook)
    light = "true" if theme == "JupyterLab Light" else "false"
    lab.page.locator(f"body[data-jp-theme-light='{light}']").wait_for(state="attached")
    lab.run_all()
    panel = lab.page.locator(".mp-batch-panel")
    panel.wait_for()
    status_says(panel, "60 batches.")
    hook(panel, "timeline-chart").locator("svg").wait_for()
    assert lab.errors() == []
    return panel


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_batch_panel_click_through(lab, notebook, lab_sandbox: Sandbox, theme: str) -> None:
    page = lab.page
    page.set_viewport_size({"width": 1280, "height": 1000})
    panel = open_panel(lab, notebook, theme)
    tag = "dark" if "Dark" in theme else "light"
    lab.screenshot(f"{tag}-opened", show=panel)
    listing = lab_sandbox.client().batches.list(WS, PR, DEMO.customers)

    # 1280 px: every name is shown whole (wrapped if need be), never cut before its date
    names = panel.locator(".mp-batch-row:visible .mp-col-name")
    fits = names.evaluate_all("els => els.map(e => e.scrollWidth <= e.clientWidth + 1)")
    assert all(fits)
    assert len(fits) == 20
    assert names.all_inner_texts() == [str(n) for n in listing.sort_index()["name"][:20]]
    # the header's columns line up with the cells'
    for column in ("id", "name", "source"):
        head = hook(panel, "batch-header").locator(f"button.mp-col-{column}")
        cell = panel.locator(f".mp-batch-row:visible .mp-col-{column}").first
        assert abs(head.bounding_box()["x"] - cell.bounding_box()["x"]) <= 3, column

    # headers sort, showing the direction; a second click reverses
    rows_header = hook(panel, "batch-header").locator("button.mp-col-rows")
    rows_header.click()
    rows_header.get_by_text("rows ▲").wait_for()
    ascending = listing.reset_index().sort_values(["row_count", "id"])["id"].tolist()[:20]
    page.wait_for_function(
        "ids => [...document.querySelectorAll('.mp-batch-row:not([style*=none]) .mp-col-id')]"
        ".filter(e => e.offsetParent).map(e => +e.textContent).join() === ids.join()",
        arg=ascending,
    )
    rows_header.click()
    rows_header.get_by_text("rows ▼").wait_for()
    lab.screenshot(f"{tag}-sorted-by-rows-descending", show=rows_header)
    counts = [int(t) for t in panel.locator(".mp-batch-row:visible .mp-col-rows").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    hook(panel, "batch-header").locator("button.mp-col-id").click()
    page.wait_for_function(
        "first => +document.querySelector('.mp-batch-row:not([style*=none]) .mp-col-id')"
        ".textContent === first",
        arg=int(listing.index.min()),
    )

    # the header stays in view while the table scrolls (50 rows a page)
    hook(panel, "page-size").locator("select").select_option("50")
    row(panel, int(listing.index.min()) + 49).wait_for()
    scroll = hook(panel, "batch-scroll")
    scroll.evaluate("e => { e.scrollTop = 300; }")
    assert scroll.evaluate("e => e.scrollTop") > 100  # the table does scroll
    top = scroll.evaluate("e => e.getBoundingClientRect().top")
    header_top = hook(panel, "batch-header").evaluate("e => e.getBoundingClientRect().top")
    assert abs(header_top - top) <= 2
    lab.screenshot(f"{tag}-sticky-header", show=scroll)
    scroll.evaluate("e => { e.scrollTop = 0; }")
    hook(panel, "page-size").locator("select").select_option("20")
    page.wait_for_function(
        "() => document.querySelectorAll('.mp-batch-row:not([style*=none])').length === 20"
    )

    # click a row to tick it, shift-click another for the range
    ids = shown_ids(panel)
    row(panel, ids[1]).locator(".mp-col-name").click()
    hook(panel, "selection-label").get_by_text("1 selected").wait_for()
    row(panel, ids[4]).locator(".mp-col-name").click(modifiers=["Shift"])
    hook(panel, "selection-label").get_by_text("4 selected").wait_for()
    for batch_id in ids[1:5]:
        assert row(panel, batch_id).locator(".mp-row-checkbox input").is_checked()
    assert not row(panel, ids[5]).locator(".mp-row-checkbox input").is_checked()
    lab.screenshot(f"{tag}-shift-range", show=row(panel, ids[4]))
    # the row's hooks are in its cells: ticked and highlighted rows look it, others do not
    assert panel.locator(f".mp-batch-row .mp-cells.mp-batch-id-{ids[1]}").count() == 1
    checkbox = panel.locator(f".mp-batch-row:has(.mp-batch-id-{ids[1]}) .mp-row-checkbox input")
    assert checkbox.count() == 1
    assert checkbox.is_checked()
    ticked_ids = (
        "() => [...document.querySelectorAll('.mp-batch-row:has(.mp-cells.mp-ticked) .mp-col-id')]"
        ".map(e => +e.textContent)"
    )
    assert page.evaluate(ticked_ids) == ids[1:5]
    lit = panel.locator(".mp-batch-row:has(.mp-cells.mp-highlighted)")
    assert lit.locator(".mp-col-id").inner_text() == str(ids[4])
    background = "e => getComputedStyle(e).backgroundColor"
    assert row(panel, ids[2]).evaluate(background) != row(panel, ids[5]).evaluate(background)
    shadow = "e => getComputedStyle(e).boxShadow"
    assert row(panel, ids[4]).evaluate(shadow) != "none"
    assert row(panel, ids[3]).evaluate(shadow) == "none"
    # a page change moves the hooks with the batches; the selection comes back with page 1
    hook(panel, "next").click()
    page.wait_for_function(
        "first => [...document.querySelectorAll('.mp-batch-row .mp-cells')]"
        ".map(e => +e.dataset.id).join() === [...Array(20).keys()].map(i => first + i).join()",
        arg=ids[0] + 20,
    )
    assert page.evaluate(ticked_ids) == []
    assert lit.count() == 0
    assert panel.locator(f".mp-batch-id-{ids[1]}").count() == 0
    hook(panel, "prev").click()
    page.wait_for_function(f"() => ({ticked_ids})().length === 4")
    assert page.evaluate(ticked_ids) == ids[1:5]
    assert lit.locator(".mp-col-id").inner_text() == str(ids[4])
    hook(panel, "clear-selection").click()
    hook(panel, "selection-label").get_by_text("0 selected").wait_for()

    # a chip filters and says its count
    suspended = int((listing["state"] == "suspended").sum())
    chip = hook(panel, "chip-suspended")
    assert chip.inner_text().strip() == f"suspended {suspended}"
    chip.click()
    status_says(panel, f"{suspended} batches match the filters.")
    assert set(panel.locator(".mp-batch-row:visible .mp-state").all_inner_texts()) == {"suspended"}
    lab.screenshot(f"{tag}-chip-suspended", show=chip)

    # bulk suspend: the breakdown, next to the button; only the active ones change
    before = states(lab_sandbox)
    chosen_suspended = shown_ids(panel)[:2]
    chip.click()  # off again: every state
    status_says(panel, "60 batches.")
    active = [int(i) for i in before.sort_index().index if before[i] == "active"][:3]
    for batch_id in [*active, *chosen_suspended]:
        if row(panel, batch_id).count() == 0:
            continue
        row(panel, batch_id).locator(".mp-row-checkbox input").check()
    picked = [i for i in [*active, *chosen_suspended] if row(panel, i).count()]
    hook(panel, "selection-label").get_by_text(f"{len(picked)} selected").wait_for()
    hook(panel, "suspend").click()
    acting = [i for i in picked if before[i] == "active"]
    skipped = len(picked) - len(acting)
    question = f"{len(picked)} selected: {len(acting)} active will be suspended"
    if skipped:
        question += f", {skipped} already suspended are skipped."
    confirmation = hook(panel, "confirmation").filter(has_text=question)
    confirmation.wait_for()
    assert hook(panel, "status").inner_text().strip() == ""  # no stale message beside it
    box = confirmation.bounding_box()
    suspend_box = hook(panel, "suspend").bounding_box()
    assert abs(box["y"] - suspend_box["y"]) < 40  # in the row of the button that asked
    assert 0 <= box["y"] <= page.viewport_size["height"]
    lab.screenshot(f"{tag}-suspend-question", show=confirmation)
    hook(confirmation, "confirm").click()
    status_says(
        panel, re.compile(rf"^Suspended {len(acting)} batches: .* Now {len(acting)} suspended")
    )
    after = states(lab_sandbox)
    assert sorted(int(i) for i in after.index if after[i] != before[i]) == sorted(acting)
    undo = hook(panel, "undo")
    page.wait_for_function(  # the button's text, as the page shows it
        "text => document.querySelector('.mp-batch-panel button.mp-undo')"
        ".textContent.trim() === text",
        arg=f"Undo suspend ({len(acting)})",
    )
    lab.screenshot(f"{tag}-suspended-with-undo", show=undo)
    undo.click()
    status_says(panel, re.compile(rf"^Restored {len(acting)} batches"))
    assert states(lab_sandbox).equals(before)

    # a question cancelled leaves an empty bar
    hook(panel, "restore").click()
    hook(panel, "confirmation").get_by_text("will be restored").wait_for()
    hook(panel, "cancel").click()
    status_says(panel, "Cancelled: nothing was changed.")
    width = hook(panel, "progress").locator(".progress-bar").evaluate("e => e.style.width")
    assert width in ("0%", "0px", ""), width
    hook(panel, "clear-selection").click()

    # bad input: said next to the control, in its words, and the table says it is stale
    rows_min = hook(panel, "rows-min").locator("input")
    rows_min.fill("ten")
    rows_min.press("Enter")
    error = hook(panel, "rows-error").get_by_text("Rows (from): 'ten' is not a whole number")
    error.wait_for()
    assert panel.locator(".mp-rows-min.mp-invalid").count() == 1
    hook(panel, "stale").get_by_text("Showing the previous result until Rows (from) is fixed.")
    lab.screenshot(f"{tag}-bad-input", show=error)
    assert panel.locator(".mp-rows-error").evaluate(CONTRAST) >= 3.0
    rows_min.fill("")
    rows_min.press("Enter")
    status_says(panel, "60 batches.")

    # the timeline's slider sets the date filter
    handle = hook(panel, "timeline-range-slider").locator(".noUi-handle-lower")
    handle.focus()
    handle.press("ArrowRight")  # one step: the range starts at the second period
    date_from = hook(panel, "created-from").locator("input")
    page.wait_for_function("e => e.value !== ''", arg=date_from.element_handle())
    start = pd.Timestamp(date_from.input_value(), tz="UTC")
    expected = int((listing["created_at"] >= start).sum())
    status_says(panel, f"{expected} batches match the filters.")
    assert hook(panel, "timeline-chart").locator("rect.mp-timeline-range").count() == 1
    lab.screenshot(f"{tag}-timeline-range", show=hook(panel, "timeline"))
    hook(panel, "clear-filters").click()
    status_says(panel, "60 batches.")

    # colours follow the theme: readable status, chips, cells and confirm-Delete
    assert hook(panel, "status").locator("span").evaluate(CONTRAST) >= 4.5
    assert panel.locator(".mp-batch-row:visible .mp-col-name").first.evaluate(CONTRAST) >= 4.5
    assert hook(panel, "chip-active").evaluate(CONTRAST) >= 3.0
    row(panel, ids[0]).locator(".mp-row-checkbox input").check()
    hook(panel, "delete").click()
    confirm = hook(panel, "confirmation").locator("button.mp-confirm")
    confirm.wait_for()
    assert confirm.evaluate(CONTRAST) >= 3.0
    lab.screenshot(f"{tag}-delete-question", show=confirm)
    hook(panel, "cancel").click()
    assert states(lab_sandbox).equals(before)


def test_a_saved_notebook_keeps_the_panels_view(lab, notebook, lab_root: Path) -> None:
    """Saved, the output holds the table and status as HTML beside the widget view, with
    the word that the panel needs a running kernel; a viewer without widgets shows it."""
    open_panel(lab, notebook, "JupyterLab Light")
    lab.page.keyboard.press("Control+s")
    deadline = time.monotonic() + 60
    while True:  # until the saved file holds the panel's output
        try:
            saved = json.loads((lab_root / notebook).read_text(encoding="utf-8"))
        except json.JSONDecodeError:  # caught while JupyterLab writes it: read it again
            saved = {"cells": []}
        outputs = [o for cell in saved["cells"] for o in cell.get("outputs", [])]
        if any(
            "needs a running kernel" in "".join(o.get("data", {}).get("text/html", ""))
            for o in outputs
        ):
            break
        assert time.monotonic() < deadline, [
            "".join(o.get("data", {}).get("text/html", ""))[:900] for o in outputs
        ]
        time.sleep(0.2)  # polling interval while JupyterLab writes the file
    bundles = [o["data"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(bundles) == 1
    assert "application/vnd.jupyter.widget-view+json" in bundles[0]
    view = "".join(bundles[0]["text/html"])
    assert "it needs a running kernel to act" in view
    assert "Batches of Customers" in view
    assert "60 batches." in view
    assert "60 batches · page 1 of 3 · 0 selected" in view
    assert view.count("<tr>") == 1 + 20  # the header and the first page
    viewer = lab.page.context.new_page()
    try:
        viewer.set_content(f"<html><body>{view}</body></html>")
        viewer.get_by_text("it needs a running kernel to act").wait_for()
        viewer.screenshot(path=str(lab.screenshot("saved-view-in-lab").parent / "saved-view.png"))
    finally:
        viewer.close()
