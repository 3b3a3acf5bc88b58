"""The panels under injected faults: the batch panel loads the same page as with no
faults; its actions, and the mapping panel's append, are applied exactly once; an action
that cannot be completed ends in the status line in words (saying that it may or may not
have been applied), never in an exception, with the panel usable again."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel, MappingPanel
from tests.reliability.reliability_support import FaultCounter

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers


@pytest.fixture
def panel_sandbox(figures) -> Iterator[tuple[Sandbox, FaultCounter]]:
    with Sandbox(job_delay=0.0) as sb:
        counter = FaultCounter(sb)
        try:
            yield sb, counter
        finally:
            sb.faults.clear()
            figures.merge("faults_injected.", counter.faults)


def _panel(sb: Sandbox) -> BatchPanel:
    return BatchPanel(sb.client().dataset(WS, PR, DS), page_size=20)


def _active(panel: BatchPanel, count: int) -> list[int]:
    frame = panel.page_frame
    return [int(i) for i in frame.index[frame["state"] == "active"][:count]]


def test_the_panel_loads_the_same_page_through_faults(panel_sandbox, no_wait, figures):
    sb, counter = panel_sandbox
    expected = _panel(sb).page_frame
    for fault in ("rate_429", "rate_500", "drop", "truncate", "non_json"):
        counter.reset()
        counter.force(fault, fault)
        panel = _panel(sb)
        pd.testing.assert_frame_equal(panel.page_frame, expected)
        assert counter.pending == 0
        assert panel.status.level != "error", panel.status.text
        figures.add("reads_survived")


@pytest.mark.parametrize("fault", ["rate_429", "rate_500", "rate_503", "drop_after", "truncate"])
def test_a_panel_action_through_faults_is_applied_once(panel_sandbox, no_wait, figures, fault):
    sb, counter = panel_sandbox
    panel = _panel(sb)
    panel.handle.client.batches.create(  # one answered write: the server honours keys
        WS,
        PR,
        DS,
        source_id=DEMO.crm_export,
        mapping=[
            {
                "destination_c_id": "column_1",
                "source_c_id": "column_2",
                "expected_destination_c_type": "TEXT",
            }
        ],
        validate_only=True,
    )
    sb.wait_idle()
    ids = _active(panel, 2)
    panel.select(ids)
    panel.suspend_button.click()
    counter.force(fault, fault)
    panel.confirm_button.click()
    result = panel.wait(20)
    assert result is not None
    assert result.succeeded, panel.status.text
    assert panel.status.level == "success"
    sb.wait_idle()
    applied = sb.actions()
    assert len(applied) == 1
    assert sorted(applied[0]["batch_ids"]) == sorted(ids)
    assert set(panel.page_frame.loc[ids, "state"]) == {"suspended"}
    figures.add("writes_exactly_once")


def test_a_panel_action_that_cannot_complete_says_so_in_words(panel_sandbox, no_wait, figures):
    sb, counter = panel_sandbox
    panel = _panel(sb)  # this client has not written yet: a lost answer cannot be retried
    ids = _active(panel, 1)
    panel.select(ids)
    panel.delete_button.click()
    counter.force("drop_after")
    panel.confirm_button.click()
    result = panel.wait(20)
    assert result is not None
    assert not result.succeeded
    assert panel.status.level == "error"
    assert "may or may not have been applied" in panel.status.text
    assert not panel.busy
    assert not panel.delete_button.disabled
    sb.wait_idle()
    assert len(sb.actions()) == 1  # it was applied: the words were right to hedge
    panel.refresh()
    assert ids[0] not in panel.page_frame.index
    figures.add("typed_errors")


def _mapping_panel(sb: Sandbox) -> MappingPanel:
    client = sb.client()
    mapping = derive_mapping(client.dataset(WS, PR, DEMO.crm_export), client.dataset(WS, PR, DS))
    return MappingPanel(mapping)


@pytest.mark.parametrize("fault", ["rate_429", "rate_500", "drop", "truncate", "non_json"])
def test_the_mapping_panel_appends_once_through_faults(panel_sandbox, no_wait, figures, fault):
    sb, counter = panel_sandbox
    panel = _mapping_panel(sb)
    panel.validate_button.click()
    validated = panel.wait(20)
    assert validated is not None
    assert validated.succeeded, panel.status.text  # the key is now known to be honoured
    sb.wait_idle()
    assert sb.actions() == []  # validating changes nothing
    panel.append_button.click()
    counter.force(fault, fault)
    panel.confirm_button.click()
    result = panel.wait(20)
    assert result is not None
    assert result.succeeded, panel.status.text
    sb.wait_idle()
    applied = sb.actions()
    assert len(applied) == 1
    assert applied[0]["batch_ids"] == [panel.new_batch_id]
    figures.add("writes_exactly_once")
