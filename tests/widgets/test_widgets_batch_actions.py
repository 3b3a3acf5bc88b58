"""Suspend, Restore and Delete from the batch panel: confirmation, the job, errors in words."""

from __future__ import annotations

from typing import Any

import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import ActionResult, BatchPanel

IDS = (DEMO.workspace_id, DEMO.project_id, DEMO.customers)


def states(sandbox: Sandbox, ids: list[int]) -> dict[int, str]:
    frame = sandbox.client().batches.list(*IDS, id=ids, fields=["id", "state"])
    return {int(i): str(s) for i, s in frame["state"].items()}


def active_ids(panel: BatchPanel, count: int) -> list[int]:
    frame = panel.page_frame
    return [int(i) for i in frame.index[frame["state"] == "active"][:count]]


def mutations(sandbox: Sandbox) -> int:
    return len(sandbox.actions())


def test_suspend_asks_then_runs_the_job_and_reports_what_changed(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel
):
    panel = fresh_panel
    finished: list[ActionResult] = []
    panel.on_action_finished(finished.append)
    ids = active_ids(panel, 3)
    panel.select(ids)
    before = mutations(fresh_sandbox)

    panel.status.warning("a stale message")
    panel.suspend_button.click()
    question = "3 selected: 3 active will be suspended."
    assert panel.confirmation.question == question
    assert question in panel.confirmation.message.value
    assert panel.confirmation.layout.display == "flex"
    assert panel.confirm_button.description == "Suspend 3"
    assert panel.status.text == ""  # fresh feedback: the old message is gone
    # the question sits in the actions' row, next to the button that asked
    actions = next(c for c in panel.children if "mp-actions" in c._dom_classes)
    assert panel.suspend_button in actions.children
    assert panel.confirmation in actions.children
    assert mutations(fresh_sandbox) == before  # nothing happens before Confirm

    bar: list[int] = []
    said: list[str] = []
    panel.progress.observe(lambda change: bar.append(change["new"]), names="value")
    panel.status.observe(lambda change: said.append(change["new"]), names="value")
    with fresh_sandbox.hold_jobs():
        panel.confirm_button.click()
        assert panel.busy
        for button in (
            panel.suspend_button,
            panel.restore_button,
            panel.delete_button,
            panel.refresh_button,
            panel.confirm_button,
        ):
            assert button.disabled
        assert panel.status.level == "busy"
        assert panel.status.text.startswith("Suspending 3 batches")
        assert panel.confirmation.layout.display == "none"
        panel.restore_button.click()  # a second action is refused while one runs
        assert not panel.confirmation.pending
        assert any("An action is still running" in text for text in said)
    result = panel.wait(10)

    assert result is not None
    assert result.succeeded
    assert result.action == "suspend"
    assert result.ids == tuple(ids)
    assert result.job is not None
    assert result.job.succeeded
    assert states(fresh_sandbox, ids) == dict.fromkeys(ids, "suspended")
    assert panel.status.level == "success"
    assert panel.status.text == (
        f"Suspended 3 batches: {ids[0]}, {ids[1]}, {ids[2]}. Now 3 suspended."
    )
    assert not panel.busy
    assert not any(b.disabled for b in (panel.suspend_button, panel.delete_button))
    assert panel.progress.value == panel.progress.max
    assert panel.progress.bar_style == "success"
    # the bar and the status line followed the job: submitted, processing, done
    assert bar == sorted(bar)
    assert bar[-1] == panel.progress.max
    assert any(0 < value < panel.progress.max for value in bar)
    assert any(f"(job {result.job.id}: processing)" in text for text in said)
    assert finished == [result]
    # the table was refreshed: the rows now show the new state
    assert set(panel.page_frame.loc[ids, "state"]) == {"suspended"}
    assert "suspended" in panel._rows[panel.page_ids.index(ids[0])].cells.value
    assert panel.selected == sorted(ids)  # the selection survives the action


def test_restore_brings_suspended_batches_back(fresh_sandbox: Sandbox, fresh_panel: BatchPanel):
    panel = fresh_panel
    panel.state_chips.value = ("suspended",)
    ids = panel.page_ids[:2]
    assert len(ids) == 2
    panel.select_page_button.click()
    panel.deselect(panel.page_ids[2:])
    panel.restore_button.click()
    assert panel.confirmation.question == "2 selected: 2 suspended will be restored."
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert result.succeeded
    assert states(fresh_sandbox, ids) == dict.fromkeys(ids, "active")
    assert panel.status.text.endswith("Now 2 active.")
    assert not set(ids) & set(panel.page_ids)  # they left the "suspended" filter


def test_delete_is_dangerous_and_removes_the_batches(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel
):
    panel = fresh_panel
    ids = active_ids(panel, 2)
    keep = active_ids(panel, 3)[2]
    panel.select([*ids, keep])
    panel.deselect([keep])
    assert panel.delete_button.button_style == "danger"
    panel.delete_button.click()
    assert panel.confirmation.question == (
        "2 selected: 2 active will be deleted. This cannot be undone."
    )
    assert panel.confirm_button.button_style == "danger"
    assert panel.confirm_button.description == "Delete 2"
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert result.succeeded
    assert states(fresh_sandbox, ids) == {}
    assert panel.status.text == f"Deleted 2 batches: {ids[0]}, {ids[1]}. Now 2 gone."
    assert panel.selected == []
    assert panel.total == 58
    assert not set(ids) & set(panel.page_ids)


def test_cancel_changes_nothing(fresh_sandbox: Sandbox, fresh_panel: BatchPanel):
    panel = fresh_panel
    ids = active_ids(panel, 1)
    panel.select(ids)
    before = mutations(fresh_sandbox)
    panel.delete_button.click()
    assert panel.confirmation.pending
    panel.cancel_button.click()
    assert not panel.confirmation.pending
    assert panel.confirmation.layout.display == "none"
    assert panel.status.text == "Cancelled: nothing was changed."
    assert panel.wait(1) is None  # no action ran
    assert mutations(fresh_sandbox) == before
    assert states(fresh_sandbox, ids) == {ids[0]: "active"}
    assert panel.selected == ids


def test_asking_again_replaces_the_question(fresh_panel: BatchPanel):
    panel = fresh_panel
    panel.select(active_ids(panel, 1))
    panel.delete_button.click()
    panel.suspend_button.click()
    assert panel.confirmation.question == "1 selected: 1 active will be suspended."
    assert panel.confirm_button.button_style == "warning"


def test_a_failed_job_is_reported_and_the_panel_stays_usable(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel
):
    panel = fresh_panel
    ids = active_ids(panel, 2)
    panel.select(ids)
    fresh_sandbox.faults.set(job_failure=1.0)
    panel.suspend_button.click()
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert not result.succeeded
    assert result.job is not None
    assert result.job.status in ("failure", "error")
    assert panel.status.level == "error"
    assert panel.status.text.startswith("Suspend 2 batches failed: job ")
    assert f"ended as {result.job.status}" in panel.status.text
    assert panel.progress.bar_style == "danger"
    assert not panel.busy
    assert not panel.suspend_button.disabled
    assert states(fresh_sandbox, ids) == dict.fromkeys(ids, "active")

    fresh_sandbox.faults.clear()
    panel.suspend_button.click()
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert result.succeeded
    assert states(fresh_sandbox, ids) == dict.fromkeys(ids, "suspended")


def test_rate_limit_is_reported_in_words(fresh_sandbox: Sandbox, fresh_panel: BatchPanel):
    panel = fresh_panel
    panel.select(active_ids(panel, 1))
    fresh_sandbox.faults.set(rate_429=1.0, retry_after=7)
    panel.refresh_button.click()
    assert panel.status.level == "error"
    assert "rate limiting" in panel.status.text
    assert "try again in 7 s" in panel.status.text
    panel.next_button.click()
    assert "rate limiting" in panel.status.text
    panel.suspend_button.click()  # the question needs the states: said, nothing asked
    assert panel.status.text.startswith(
        "Reading the state of 1 selected batch failed: the server is rate limiting"
    )
    assert not panel.confirmation.pending
    fresh_sandbox.faults.clear()
    panel.suspend_button.click()
    assert panel.confirmation.pending
    fresh_sandbox.faults.set(rate_429=1.0, retry_after=7)
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert not result.succeeded
    assert panel.status.text.startswith("Suspend 1 batch failed: the server is rate limiting")
    assert list(panel.history["outcome"]) == ["failed"]
    fresh_sandbox.faults.clear()
    panel.refresh_button.click()
    assert panel.status.level == "info"
    assert panel.total == 60


def test_a_lost_connection_is_reported_in_words(fresh_sandbox: Sandbox, fresh_panel: BatchPanel):
    panel = fresh_panel
    ids = active_ids(panel, 2)
    panel.select(ids)
    shown = panel.page_ids
    fresh_sandbox.stop()
    panel.refresh_button.click()
    assert panel.status.level == "error"
    assert "lost the connection to the server" in panel.status.text
    assert panel.page_ids == shown  # the last good page stays on screen
    panel.next_button.click()
    panel.state_chips.value = ("active",)
    panel.select_matching_button.click()
    assert "lost the connection" in panel.status.text
    panel.delete_button.click()
    assert not panel.confirmation.pending
    assert panel.status.text.startswith(
        "Reading the state of 2 selected batches failed: lost the connection"
    )
    assert panel.wait(1) is None  # nothing was submitted
    assert not panel.busy
    assert panel.selected == sorted(ids)


def test_dropped_connections_during_the_job_are_reported(
    fresh_sandbox: Sandbox, fresh_panel: BatchPanel
):
    panel = fresh_panel
    panel.select(active_ids(panel, 1))
    with fresh_sandbox.hold_jobs():
        panel.suspend_button.click()
        panel.confirm_button.click()
        fresh_sandbox.faults.set(drop=1.0)
        result = panel.wait(10)  # the job is held, so its end is never seen
    assert result is not None
    assert not result.succeeded
    assert panel.status.text.startswith("Suspend 1 batch failed: lost the connection")
    assert not panel.busy
    fresh_sandbox.faults.clear()
    panel.refresh_button.click()
    assert panel.status.level == "info"


def test_a_failing_callback_is_reported_not_raised(fresh_panel: BatchPanel):
    panel = fresh_panel
    seen: list[Any] = []

    def broken(result: ActionResult) -> None:
        seen.append(result)
        raise RuntimeError("boom")

    panel.on_action_finished(broken)
    panel.select(active_ids(panel, 1))
    panel.suspend_button.click()
    panel.confirm_button.click()
    panel.wait(10)
    assert len(seen) == 1
    assert "callback raised RuntimeError: boom" in panel.status.text
    panel.on_action_finished(broken, remove=True)
    panel.restore_button.click()
    panel.confirm_button.click()
    panel.wait(10)
    assert len(seen) == 1
    assert panel.status.level == "success"


def test_wait_times_out_while_the_job_is_held(fresh_sandbox: Sandbox, fresh_panel: BatchPanel):
    panel = fresh_panel
    panel.select(active_ids(panel, 1))
    with fresh_sandbox.hold_jobs():
        panel.suspend_button.click()
        panel.confirm_button.click()
        with pytest.raises(TimeoutError, match="still runs"):
            panel.wait(0.2)
    assert panel.wait(10) is not None
