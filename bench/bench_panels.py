"""Batch panel benchmark: what a user waits for on 100,000 batches, in a real browser.

The sandbox runs in a process of its own (``python -m mammoth_pandas.sandbox.cli``) with
``--scale`` batches; JupyterLab and Debian's Chromium (through Playwright, with the browser
tests' harness) show a notebook; times are taken around real clicks, until the page shows
the result:

- **first rows**: Shift+Enter on ``BatchPanel(handle)`` until 20 rows are on screen;
- **page change**: ▶ until the first row shows the next page, timed in the page (the click
  dispatched there, until the frame after the rows changed; Playwright's own click first
  waits for the button to stop moving, and its polling adds its round trips): the first
  click (while the index is read in the background), the median of the five clicks after
  it, and the median of five once the index is read;
- **state filter**: a chip until the status line gives the new count;
- **name filter** on a panel whose index is not read yet (``overview=False``, the cold
  case): Enter in the Name box until the first match is on screen, and until the status
  line gives the final count;
- **overview**: from the cell's run until the chips show their counts (counted by the
  server while the index is read), and until the timeline is drawn (from the whole index,
  read in the background); the name filter is measured after that read, on its own.

Each is also given as a ratio against a baseline of the same run: Shift+Enter on a cell
showing one stock HTML widget, until it is on screen (the cost of a cell and a widget
round trip on this machine, now).

::

    python -m bench panels                  # 100,000 batches
    python -m bench panels --scale 5000     # a quick run
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.listing_servers import sandbox_process
from mammoth_pandas import contract

CELLS = [
    "import ipywidgets\n"
    "from mammoth_pandas import BatchPanel, MammothClient\n"
    "from mammoth_pandas.sandbox import DEMO\n"
    "handle = MammothClient.from_env().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.scale)",
    "baseline = ipywidgets.HTML('<b>ready</b>')\nbaseline.add_class('mp-baseline')\nbaseline",
    "panel = BatchPanel(handle)\npanel",
    "cold = BatchPanel(handle, overview=False)\ncold.add_class('mp-cold')\ncold",
]


def _notebook(root: Path) -> str:
    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c}
        for c in CELLS
    ]
    body = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "bench-panels.ipynb").write_text(json.dumps(body), encoding="utf-8")
    return "bench-panels.ipynb"


def _timed(action: Callable[[], None], until: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    until()
    return time.perf_counter() - start


def _run_cell(page: Any, index: int) -> None:
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")


def measure(scale: int) -> dict[str, float]:
    """The timings in seconds (see the module docstring)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        JupyterLabServer,
        LabPage,
        lab_environment,
    )

    work = Path(tempfile.mkdtemp(prefix="bench-panels-"))
    times: dict[str, float] = {}
    try:
        with sandbox_process(scale, 0.0) as (url, headers):
            env = lab_environment(
                {
                    contract.ENV_URL: url,
                    contract.ENV_KEY: headers["X-API-KEY"],
                    contract.ENV_SECRET: headers["X-API-SECRET"],
                }
            )
            root = work / "notebooks"
            root.mkdir()
            notebook = _notebook(root)
            server = JupyterLabServer(
                root, env=env, settings_dir=work / "settings", log_path=work / "lab.log"
            ).start()
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
                    page = browser.new_page(viewport={"width": 1600, "height": 1000})
                    page.set_default_timeout(300_000)
                    lab = LabPage(page, server, "bench")
                    lab.open(notebook)
                    times.update(_measure_page(page, lab, scale))
                    browser.close()
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return times


#: A click on ▶ dispatched in the page, timed there until the frame after the first visible
#: row shows another batch (checked on every change of the panel's DOM and every frame).
_PAGE_CHANGE_JS = """async (selector) => {
  const panel = document.querySelector(selector);
  const first = () => [...panel.querySelectorAll('.mp-batch-row .mp-col-id')]
    .find(e => e.offsetParent);
  const old = first().textContent;
  const start = performance.now();
  await new Promise(resolve => {
    let seen = false;
    const done = () => { const e = first(); return e && e.textContent !== old; };
    const painted = () => { if (!seen) { seen = true; requestAnimationFrame(() => resolve()); } };
    const observer = new MutationObserver(() => {
      if (done()) { observer.disconnect(); painted(); }
    });
    observer.observe(panel, {subtree: true, childList: true, characterData: true});
    const frame = () => done() ? (observer.disconnect(), painted()) : requestAnimationFrame(frame);
    panel.querySelector('button.mp-next').click();
    requestAnimationFrame(frame);
  });
  return (performance.now() - start) / 1000;
}"""


def _page_change(page: Any, panel: Any) -> float:
    """One click on ▶, until the first visible row shows another batch: the click is
    dispatched in the page, not by Playwright, whose click first waits for the button to
    stop moving (the chips and the timeline above it are still being filled in)."""
    panel.locator("button.mp-next:not([disabled])").wait_for()
    seconds: float = page.evaluate(_PAGE_CHANGE_JS, ".mp-batch-panel:not(.mp-cold)")
    return seconds


def _playwright_page_change(page: Any, panel: Any) -> float:
    """One click on ▶ by Playwright, timed from Python until its polling sees another batch
    in the first visible row (how the page change was timed before)."""
    first = panel.locator(".mp-batch-row:visible").first.locator(".mp-col-id").inner_text()

    def first_changes() -> None:
        page.wait_for_function(
            "old => { const e = [...document.querySelectorAll("
            "'.mp-batch-panel:not(.mp-cold) .mp-batch-row .mp-col-id')]"
            ".find(x => x.offsetParent); return e && e.textContent !== old; }",
            arg=first,
        )

    return _timed(lambda: panel.locator("button.mp-next").click(), first_changes)


def _measure_page(page: Any, lab: Any, scale: int) -> dict[str, float]:
    times: dict[str, float] = {}
    _run_cell(page, 0)
    lab.wait_kernel_idle()
    times["baseline"] = _timed(
        lambda: _run_cell(page, 1), lambda: page.locator(".mp-baseline").wait_for()
    )
    lab.wait_kernel_idle()
    panel = page.locator(".mp-batch-panel:not(.mp-cold)")
    start = time.perf_counter()
    _run_cell(page, 2)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.mp-batch-panel:not(.mp-cold) .mp-batch-row')]"
        ".filter(e => e.offsetParent).length >= 20"
    )
    times["first rows"] = time.perf_counter() - start
    times["page change"] = _page_change(page, panel)
    times["page change, median of the next 5"] = statistics.median(
        _page_change(page, panel) for _ in range(5)
    )
    chip = panel.locator("button.mp-chip-suspended")
    times["state filter"] = _timed(
        chip.click,
        lambda: (
            panel.locator(".mp-status")
            .get_by_text(re.compile(r"^[\d,]+ batches match the filters\.$"))
            .wait_for()
        ),
    )
    panel.locator(".mp-chip-active:not(:has-text('…'))").wait_for(timeout=600_000)
    times["overview (chips counted)"] = time.perf_counter() - start
    # the timeline is drawn from the whole index: the background read is over
    panel.locator(".mp-timeline-chart svg").wait_for(timeout=600_000)
    times["overview (index read, timeline)"] = time.perf_counter() - start
    lab.wait_kernel_idle()
    times["page change after the index read, median of 5"] = statistics.median(
        _page_change(page, panel) for _ in range(5)
    )
    times["page change after the index read, Playwright's click (as earlier runs)"] = (
        _playwright_page_change(page, panel)
    )

    _run_cell(page, 3)
    cold = page.locator(".mp-batch-panel.mp-cold")
    cold.locator(".mp-status").get_by_text(re.compile(r"^[\d,]+ batches\.$")).wait_for()
    lab.wait_kernel_idle()
    name = cold.locator(".mp-name-filter input")
    name.fill("-00001")
    start = time.perf_counter()
    name.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.mp-cold .mp-batch-row .mp-col-name')]"
        ".some(e => e.offsetParent && e.textContent.includes('-00001'))"
    )
    times["name filter, first matches"] = time.perf_counter() - start
    cold.locator(".mp-status").get_by_text(
        re.compile(r"^[\d,]+ batch(es)? match the filters\.$")
    ).wait_for(timeout=600_000)
    times["name filter, complete"] = time.perf_counter() - start
    return times


def run(scale: int = 100_000) -> str:
    """The figures as markdown, with the machine and its load."""
    times = measure(scale)
    base = times["baseline"]
    load = os.getloadavg()
    lines = [
        f"### Batch panel in the browser ({scale:,} batches, sandbox in its own process)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average {load[0]:.1f} / {load[1]:.1f} while "
        "measured (shared with other work).",
        "",
        "| step | seconds | × baseline |",
        "|---|---:|---:|",
    ]
    for step, seconds in times.items():
        lines.append(f"| {step} | {seconds:.2f} | {seconds / base:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
