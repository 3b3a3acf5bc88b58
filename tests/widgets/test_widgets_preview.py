"""The batch panel's preview: the highlighted batch's first rows, typed, read in the background."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel, BatchPreview

IDS = (DEMO.workspace_id, DEMO.project_id, DEMO.customers)


def until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        pause.wait(0.01)


def batch_with_rows(panel: BatchPanel, *, at_least: int = 0, below: int = 10**9) -> int:
    rows = panel.page_frame["row_count"]
    return int(rows[(rows >= at_least) & (rows < below)].index[0])


def test_the_preview_takes_no_room_until_a_row_is_clicked(panel: BatchPanel):
    assert panel.preview_slot.children == (panel.preview,)
    assert panel.preview.layout.display == "none"
    assert panel.preview.frame is None
    assert panel.preview.batch_id is None


def test_clicking_a_row_shows_its_first_rows_with_their_types(panel: BatchPanel, sandbox: Sandbox):
    batch_id = batch_with_rows(panel, at_least=11)
    panel.clicks.click(batch_id)
    assert panel.highlighted == batch_id
    panel.preview.wait()
    expected = sandbox.client().batches.data(*IDS, batch_id, limit=10)
    assert len(expected) == 10
    pd.testing.assert_frame_equal(panel.preview.frame, expected)
    assert panel.preview.shown_batch_id == batch_id
    assert panel.preview.layout.display is None
    assert panel.preview.status.text == f"Batch {batch_id}: the first 10 rows, 7 columns."
    assert panel.preview.status.level == "info"
    table = panel.preview.table.value
    for name, dtype in expected.dtypes.items():
        assert f"{name}<br>" in table
        assert f">{dtype}</span></th>" in table
    assert {"string", "Int64", "Float64"} <= {str(d) for d in expected.dtypes}
    assert table.count("<tr>") == 1 + 10
    assert f">{expected.iloc[0, 0]}</td>" in table
    assert f"<b>Batch {batch_id}</b>" in panel.preview.title.value


def test_a_short_batch_shows_all_its_rows(panel: BatchPanel):
    batch_id = batch_with_rows(panel, at_least=1, below=10)
    count = int(panel.page_frame.loc[batch_id, "row_count"])
    panel.clicks.click(batch_id)
    panel.preview.wait()
    assert len(panel.preview.frame) == count
    assert panel.preview.status.text == f"Batch {batch_id}: {count} rows, 7 columns."


def test_ticking_a_checkbox_previews_that_batch(panel: BatchPanel, sandbox: Sandbox):
    ids = panel.page_ids
    panel.row_checkboxes[4].value = True
    assert panel.highlighted == ids[4]
    assert panel.selected == [ids[4]]
    assert "mp-highlighted" in panel._rows[4].classes
    panel.preview.wait()
    assert panel.preview.shown_batch_id == ids[4]
    expected = sandbox.client().batches.data(*IDS, ids[4], limit=10)
    pd.testing.assert_frame_equal(panel.preview.frame, expected)


def test_an_answer_overtaken_by_another_click_is_dropped(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
):
    client = sandbox.client()
    panel = BatchPanel(client.dataset(*IDS))
    try:
        first, second = panel.page_ids[:2]
        real = client.batches.data
        release, arrived = threading.Event(), threading.Event()

        def held(*args: Any, **kwargs: Any) -> pd.DataFrame:
            frame = real(*args, **kwargs)
            if args[3] == first:  # the first batch's answer comes back late
                arrived.set()
                release.wait(30)
            return frame

        monkeypatch.setattr(client.batches, "data", held)
        panel.clicks.click(first)
        assert arrived.wait(30)
        panel.clicks.click(second)
        until(lambda: panel.preview.shown_batch_id == second)
        release.set()
        panel.preview.wait()
        assert panel.preview.dropped == 1
        assert panel.preview.shown_batch_id == panel.preview.batch_id == second
        pd.testing.assert_frame_equal(panel.preview.frame, real(*IDS, second, limit=10))
        assert panel.preview.status.text.startswith(f"Batch {second}:")
        assert f"<b>Batch {second}</b>" in panel.preview.title.value
    finally:
        release.set()
        panel.close()


def test_a_batch_that_cannot_be_read_says_so_in_the_preview(panel: BatchPanel):
    panel.clicks.click(panel.page_ids[0])
    panel.preview.wait()
    assert panel.preview.frame is not None
    panel.preview.show(999_999)
    panel.preview.wait()
    assert panel.preview.status.level == "error"
    text = panel.preview.status.text
    assert text.startswith("Reading the first rows of batch 999999 failed: not found on the server")
    assert "Traceback" not in text
    assert panel.preview.frame is None
    assert panel.preview.table.value == ""
    assert panel.status.level != "error"  # the panel's own status line is untouched


def test_a_lost_server_says_so_in_the_preview(fresh_sandbox: Sandbox):
    panel = BatchPanel(fresh_sandbox.client(max_retries=0).dataset(*IDS))
    try:
        batch_id = panel.page_ids[1]
        fresh_sandbox.stop()
        panel.clicks.click(batch_id)
        assert panel.selected == [batch_id]  # the click itself needs no server
        panel.preview.wait()
        text = panel.preview.status.text
        assert panel.preview.status.level == "error"
        assert text.startswith(
            f"Reading the first rows of batch {batch_id} failed: lost the connection"
        )
        assert fresh_sandbox.api_secret not in text
        assert panel.preview.frame is None
    finally:
        panel.close()


def test_a_closed_panel_drops_the_answer(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch):
    client = sandbox.client()
    panel = BatchPanel(client.dataset(*IDS))
    real = client.batches.data
    release = threading.Event()

    def held(*args: Any, **kwargs: Any) -> pd.DataFrame:
        frame = real(*args, **kwargs)
        release.wait(30)
        return frame

    monkeypatch.setattr(client.batches, "data", held)
    preview = panel.preview
    panel.clicks.click(panel.page_ids[0])
    panel.close()
    release.set()
    preview.wait()
    assert preview.dropped == 1
    assert preview.frame is None


@pytest.mark.parametrize("limit", [0, 101, "10", True])
def test_a_bad_limit_is_refused(panel: BatchPanel, limit: Any):
    with pytest.raises(MammothInputError, match="limit"):
        BatchPreview(panel.handle, limit=limit)


@pytest.mark.parametrize("batch_id", [0, -3, "12", None, True])
def test_a_bad_batch_id_is_refused_before_any_request(panel: BatchPanel, batch_id: Any):
    with pytest.raises(MammothInputError, match="batch_id"):
        panel.preview.show(batch_id)
    assert panel.preview.batch_id is None
