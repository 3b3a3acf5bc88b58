"""``mammoth-pandas lab`` (what ``make lab`` runs) end to end: with no credentials set, it
starts a sandbox, hands it to JupyterLab's kernels, and the panels notebook runs on it."""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser


def wait_for_log(server, pattern: str, timeout: float = 30.0) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while True:
        match = re.search(pattern, server.log())
        if match:
            return match
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} not in the log:\n{server.log()}")
        time.sleep(0.1)  # polling interval while the log file grows


def test_lab_command_serves_the_notebooks_with_a_sandbox(lab_command_server, open_lab_page) -> None:
    server = lab_command_server
    url = wait_for_log(server, r"Sandbox running at (http://127\.0\.0\.1:\d+/api/v2)")[1]
    assert "MAMMOTH_API_SECRET" in server.log()  # named, never shown
    names = {item["name"] for item in server.api("contents")["content"]}
    assert {"01-explore-batches.ipynb", "02-mapping.ipynb", "03-panels.ipynb"} <= names

    lab = open_lab_page(server)
    lab.open("03-panels.ipynb")
    lab.run_all()
    lab.page.get_by_text(f"Using the Mammoth API at {url}").wait_for()
    summary = lab.page.get_by_text("60 batches, page 1 of 3; selected: []")
    summary.wait_for()
    lab.screenshot("panels-on-the-lab-sandbox", show=summary)
    assert lab.errors() == []

    server.stop()
    assert server.process is not None
    assert server.process.poll() is not None
