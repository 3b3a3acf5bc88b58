"""The harness itself: JupyterLab 4 renders ipywidgets 8 out of the box, a click in
Chromium reaches the kernel and comes back as a new widget value, the kernel is this
interpreter, and a failing cell fails the run with its traceback."""

from __future__ import annotations

import sys
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


def write_notebook(path: Path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Harness check")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)


def test_widgets_render_and_react_in_jupyterlab(lab, lab_root: Path) -> None:
    write_notebook(lab_root / "harness.ipynb", WIDGET_CELL, "print('kernel python ok', 6 * 7)")

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


def test_the_notebooks_kernel_is_this_interpreter(lab, lab_root: Path) -> None:
    write_notebook(lab_root / "which.ipynb", "import sys; print('kernel:', sys.executable)")

    lab.open("which.ipynb")
    lab.run_all()
    lab.page.get_by_text(f"kernel: {sys.executable}").wait_for()


def test_a_failing_cell_fails_the_run_with_its_traceback(lab, lab_root: Path) -> None:
    write_notebook(
        lab_root / "failing.ipynb", "x = 1", "raise RuntimeError('deliberate failure 6x7')", "y = 2"
    )

    lab.open("failing.ipynb")
    with pytest.raises(AssertionError, match="deliberate failure 6x7"):
        lab.run_all()
