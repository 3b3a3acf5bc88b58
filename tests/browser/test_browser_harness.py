"""The harness itself: JupyterLab 4 renders ipywidgets 8 out of the box, and a click in
Chromium reaches the kernel and comes back as a new widget value."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

WIDGET_CELL = """\
import ipywidgets as widgets

button = widgets.Button(description="Count clicks")
button.add_class("harness-button")
label = widgets.Label("clicks: 0")
label.add_class("harness-label")
clicks = []

def on_click(_):
    clicks.append(1)
    label.value = f"clicks: {len(clicks)}"

button.on_click(on_click)
widgets.VBox([button, label])
"""


def test_widgets_render_and_react_in_jupyterlab(lab, lab_root: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Harness check"),
        nbformat.v4.new_code_cell(WIDGET_CELL),
        nbformat.v4.new_code_cell("print('kernel python ok', 6 * 7)"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, lab_root / "harness.ipynb")

    lab.open("harness.ipynb")
    lab.run_all()
    button = lab.page.locator(".harness-button")
    button.wait_for()
    assert lab.page.get_by_text("kernel python ok 42").count() == 1
    lab.screenshot("rendered")

    button.click()
    lab.page.locator(".harness-label", has_text="clicks: 1").wait_for()
    button.click()
    lab.page.locator(".harness-label", has_text="clicks: 2").wait_for()
    lab.screenshot("clicked-twice")
    assert lab.errors() == []


def test_a_failing_cell_fails_the_run_with_its_traceback(lab, lab_root: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure 6x7')"),
        nbformat.v4.new_code_cell("y = 2"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, lab_root / "failing.ipynb")

    lab.open("failing.ipynb")
    with pytest.raises(AssertionError, match="deliberate failure 6x7"):
        lab.run_all()
