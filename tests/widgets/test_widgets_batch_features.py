"""The batch panel's row clicks, bulk-action breakdown, undo, history, export and saved view."""

from __future__ import annotations

import io
import threading

import pandas as pd
import pytest

from mammoth_pandas.history import HISTORY_COLUMNS
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel
from mammoth_pandas.widgets import _actions as actions

IDS = (DEMO.workspace_id, DEMO.project_id, DEMO.customers)


def states(sandbox: Sandbox, ids: list[int]) -> dict[int, str]:
    frame = sandbox.client().batches.list(*IDS, id=ids, fields=["id", "state"])
    return {int(i): str(s) for i, s in frame["state"].items()}


def of_state(panel: BatchPanel, state: str, count: int) -> list[int]:
    frame = panel.frame
    return [int(i) for i in frame.index[frame["state"] == state][:count]]


def test_clicking_a_row_ticks_it_and_shift_click_ticks_the_range(panel: BatchPanel):
    ids = panel.page_ids
    highlighted: list[int] = []
    panel.on_highlight(highlighted.append)
    panel.clicks.click(ids[3])
    assert panel.selected == [ids[3]]
    assert panel.row_checkboxes[3].value
    assert "mp-ticked" in panel._rows[3].classes
    assert "mp-highlighted" in panel._rows[3].classes
    panel.clicks.click(ids[7], shift=True)
    assert panel.selected == ids[3:8]
    assert panel.status.text == "Ticked 5 batches in a range."
    panel.clicks.click(ids[5])  # a plain click on a ticked row unticks it
    assert panel.selected == [*ids[3:5], *ids[6:8]]
    assert highlighted == [ids[3], ids[7], ids[5]]
    assert panel.highlighted == ids[5]


def test_shift_click_ranges_across_pages(panel: BatchPanel):
    first = panel.page_ids
    panel.clicks.click(first[18])
    panel.next_button.click()
    second = panel.page_ids
    panel.clicks.click(second[1], shift=True)
    assert panel.selected == [first[18], first[19], second[0], second[1]]


def test_a_click_written_by_the_page_reaches_the_panel(panel: BatchPanel):
    """The inline handler writes ``<id>:shift:<time>`` into the hidden channel."""
    ids = panel.page_ids
    assert f'data-id="{ids[0]}"' in panel._rows[0].cells.value
    assert "mp-click-channel input" in panel._rows[0].cells.value
    panel.clicks.text.value = f"{ids[0]}:click:1"
    panel.clicks.text.value = f"{ids[2]}:shift:2"
    assert panel.selected == ids[:3]
    panel.clicks.text.value = "garbage"
    assert panel.selected == ids[:3]


def test_the_question_gives_the_breakdown_and_only_changes_are_sent(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel
):
    panel = fresh_panel
    active = of_state(panel, "active", 4)
    suspended = of_state(panel, "suspended", 2)
    deleting = of_state(panel, "deleting", 1)
    panel.select([*active, *suspended, *deleting])
    panel.suspend_button.click()
    assert panel.confirmation.question == (
        "7 selected: 4 active will be suspended, 1 being deleted is skipped, "
        "2 already suspended are skipped."
    )
    assert panel.confirm_button.description == "Suspend 4"
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert result.succeeded
    assert result.ids == tuple(sorted(active))  # the no-ops were not sent
    assert states(fresh_sandbox, active) == dict.fromkeys(active, "suspended")
    assert states(fresh_sandbox, deleting) == dict.fromkeys(deleting, "deleting")


def test_restore_of_active_batches_only_says_there_is_nothing_to_do(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel
):
    panel = fresh_panel
    active = of_state(panel, "active", 3)
    panel.select(active)
    before = len(fresh_sandbox.actions())
    panel.restore_button.click()
    assert not panel.confirmation.pending
    assert panel.status.level == "warning"
    assert panel.status.text == "Nothing to restore: of 3 selected, 3 already active."
    assert len(fresh_sandbox.actions()) == before


def test_a_large_action_asks_for_the_typed_count(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel, monkeypatch: pytest.MonkeyPatch
):
    panel = fresh_panel
    monkeypatch.setattr(actions, "TYPED_CONFIRM_AT", 3)
    active = of_state(panel, "active", 3)
    panel.select(active)
    panel.suspend_button.click()
    assert "Type 3 to confirm." in panel.confirmation.message.value
    assert panel.confirmation.typed.layout.display is None
    assert panel.confirm_button.disabled
    panel.confirm_button.click()  # refused until the count is typed
    assert panel.confirmation.pending
    assert panel.wait(1) is None
    panel.confirmation.typed.value = "2"
    assert panel.confirm_button.disabled
    panel.confirmation.typed.value = "3"
    assert not panel.confirm_button.disabled
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert result.succeeded
    assert states(fresh_sandbox, active) == dict.fromkeys(active, "suspended")


def test_undo_reverses_a_suspend_and_the_history_logs_both(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel
):
    panel = fresh_panel
    ids = of_state(panel, "active", 2)
    panel.select(ids)
    assert panel.undo_button.layout.display == "none"
    panel.suspend_button.click()
    panel.confirm_button.click()
    first = panel.wait(10)
    assert first is not None
    assert first.succeeded
    assert panel.undo_button.layout.display is None
    assert panel.undo_button.description == "Undo suspend (2)"
    panel.undo_button.click()  # one click, no question
    second = panel.wait(10)
    assert second is not None
    assert second.succeeded
    assert second.action == "restore"
    assert states(fresh_sandbox, ids) == dict.fromkeys(ids, "active")
    assert panel.undo_button.layout.display == "none"
    history = panel.history
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert list(history["action"]) == ["suspend", "restore (undo of suspend)"]
    assert list(history["outcome"]) == ["succeeded", "succeeded"]
    assert [tuple(i) for i in history["ids"]] == [tuple(ids)] * 2
    assert list(history["job"]) == [str(first.job.id), str(second.job.id)]  # type: ignore[union-attr]
    assert history["time"].is_monotonic_increasing
    assert str(history["time"].dt.tz) == "UTC"


def test_cancel_resets_the_progress_bar(fresh_panel: BatchPanel):
    panel = fresh_panel
    panel.select(of_state(panel, "active", 1))
    panel.suspend_button.click()
    panel.confirm_button.click()
    panel.wait(10)
    assert panel.progress.value == panel.progress.max
    assert panel.progress.bar_style == "success"
    panel.restore_button.click()
    assert panel.progress.value == 0  # a new question starts from an empty bar
    assert panel.progress.bar_style == ""
    panel.cancel_button.click()
    assert panel.progress.value == 0
    assert panel.status.text == "Cancelled: nothing was changed."


def test_selected_frame_and_csv_export(panel: BatchPanel):
    panel.name_filter.value = "crm"
    everything = panel.selected_frame
    assert list(everything.index) == list(panel.frame.index)
    text = panel.export_csv()
    assert list(pd.read_csv(io.StringIO(text))["id"]) == list(everything.index)
    assert 'download="batches-101.csv"' in panel.download_link.value
    assert 'href="data:text/csv;base64,' in panel.download_link.value
    assert f"({len(everything)} matching batches)" in panel.download_link.value
    chosen = panel.page_ids[:2]
    panel.select(chosen)
    frame = panel.selected_frame
    assert list(frame.index) == chosen
    assert {"name", "state", "row_count", "source_type"} <= set(frame.columns)
    panel.export_csv()
    assert "(2 selected batches)" in panel.download_link.value


def test_the_saved_view_is_in_the_mime_bundle(panel: BatchPanel):
    panel.select(panel.page_ids[:1])
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    assert "it needs a running kernel to act" in page
    assert "Batches of Customers" in page
    assert panel.status.text in page
    for batch_id in panel.page_ids:
        assert f">{batch_id}</td>" in page or f"☑ {batch_id}</td>" in page
    assert f"☑ {panel.page_ids[0]}</td>" in page
    assert "60 batches · page 1 of 3 · 1 selected" in page


def test_the_timeline_counts_every_matching_batch_and_sets_the_dates(
    panel: BatchPanel, sandbox: Sandbox
):
    listing = sandbox.client().batches.list(*IDS)
    timeline = panel.timeline
    assert timeline.chart.value.startswith("<svg")
    assert timeline.chart.value.count("<rect") == sum(
        1
        for _ in listing.groupby(
            [listing["created_at"].dt.tz_localize(None).dt.to_period("W"), "state"],
            observed=True,
        )
    )
    periods = [label for label, _ in timeline.range.options]
    assert len(periods) > 10
    timeline.range.index = (2, 5)  # as the slider's handles would
    start = pd.Timestamp(periods[2]).date()
    end = (pd.Timestamp(periods[5]) + pd.Timedelta(days=6)).date()
    assert (panel.created_from.value, panel.created_to.value) == (start, end)
    days = listing["created_at"].dt.date
    assert panel.total == ((days >= start) & (days <= end)).sum()
    assert 'class="mp-timeline-range"' in timeline.chart.value
    timeline.metric.value = "rows"
    assert "peak" in timeline.chart.value
    timeline.range.index = (0, len(periods) - 1)
    assert panel.created_from.value is None
    assert panel.total == 60


def test_a_large_read_shows_progress_disables_racing_controls_and_finishes(
    large_sandbox: Sandbox,
):
    seen: list[str] = []
    disabled: list[bool] = []
    panel = BatchPanel(
        large_sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.scale),
        overview=False,
    )
    try:
        assert not panel.reading  # no overview: nothing read until a filter needs it
        panel.status.observe(lambda c: seen.append(panel.status.text), names="value")
        panel.observe(lambda c: disabled.append(panel.suspend_button.disabled), names="reading")
        panel.name_filter.value = "-0099"  # events-0099000 … events-0099999
        assert panel.reading
        assert panel.suspend_button.disabled
        assert panel.select_matching_button.disabled
        assert panel.read_box.layout.display is None
        panel.wait_read(300)
        assert not panel.reading
        assert disabled == [True, False]
        assert panel.read_box.layout.display == "none"
        assert panel.total == 1_000
        assert panel.status.text == "1000 batches match the filters."
        assert any(t.startswith("Reading ") and " of 100,000 batches…" in t for t in seen)
        assert all(name.startswith("events-0099") for name in panel.page_frame["name"])
    finally:
        panel.close()


def test_cancelling_a_large_read(large_sandbox: Sandbox):
    started = threading.Event()
    panel = BatchPanel(
        large_sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.scale),
        overview=False,
    )
    try:
        panel.observe(lambda c: started.set() if c["new"] else None, names="reading")
        panel.name_filter.value = "-00001"
        assert started.is_set()
        panel.cancel_read_button.click()
        panel.wait_read(60)
        assert not panel.reading
        assert panel.status.level == "warning"
        assert panel.status.text.startswith("Reading cancelled")
        assert panel.read_box.layout.display == "none"
        assert not panel.suspend_button.disabled
        assert not panel._index.complete
    finally:
        panel.close()


def test_cancel_wakes_a_read_paused_behind_the_panels_own_requests(
    large_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
):
    from mammoth_pandas.widgets import _batch_source

    # a read would otherwise wait for the panel's request for an hour before looking again
    monkeypatch.setattr(_batch_source, "YIELD_AT_MOST", 3600.0)
    panel = BatchPanel(
        large_sandbox.client().dataset(DEMO.workspace_id, DEMO.project_id, DEMO.scale),
        overview=False,
    )
    source = panel._source
    try:
        panel.wait_read(60)  # the first count is in
        with source.first():  # one of the panel's own requests, running all along
            panel._ensure_index()  # what a name filter does first: the read starts
            assert panel.reading
            assert source.paused.wait(60)  # the read waits behind the request
            with source._requests:  # free again only once the read waits
                pass
            panel.cancel_read_button.click()
            panel.wait_read(60)  # woken by the cancel, not by the end of the request
            assert not panel.reading
            assert panel.status.text.startswith("Reading cancelled")
            assert not panel._index.complete
    finally:
        panel.close()


def test_a_read_for_the_overview_waits_for_a_quiet_moment_after_the_panels_requests():
    import time

    from mammoth_pandas.widgets._batch_source import BatchSource
    from tests.widgets.test_widgets_batch_source import Handle

    source = BatchSource(Handle(500))  # type: ignore[arg-type]
    with source.first():
        pass  # a request of the panel has just ended
    ended = source._last
    source.yield_to(quiet=0.0)  # a filter's read goes on: nothing runs
    assert not source.paused.is_set()
    source.yield_to(quiet=0.2)
    # the overview's read waited until the panel had had its quiet moment
    assert time.monotonic() - ended >= 0.2
