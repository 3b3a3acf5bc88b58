"""The mapping panel: one row per destination column, in sync with the Mapping both ways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.mapping import Mapping, derive_mapping
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import ActionResult, MappingPanel
from mammoth_pandas.widgets.mapping_panel import NONE_LABEL


def demo_mapping(sandbox: Sandbox, **client_kwargs) -> Mapping:
    client = sandbox.client(**client_kwargs)
    source = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    return derive_mapping(source, destination)


@pytest.fixture
def mapping(sandbox: Sandbox) -> Mapping:
    return demo_mapping(sandbox)


@pytest.fixture
def mpanel(mapping: Mapping) -> Iterator[MappingPanel]:
    panel = MappingPanel(mapping)
    yield panel
    panel.close()


@pytest.fixture
def fresh_mpanel(fresh_sandbox: Sandbox) -> Iterator[MappingPanel]:
    panel = MappingPanel(demo_mapping(fresh_sandbox, max_retries=0))
    yield panel
    panel.close()


def schema_mapping() -> Mapping:
    destination = [
        {"c_id": "d1", "c_name": "Amount", "c_type": "numeric"},
        {"c_id": "d2", "c_name": "Signed on", "c_type": "date"},
        {"c_id": "d3", "c_name": "Note", "c_type": "text"},
    ]
    source = [
        {"c_id": "s1", "c_name": "amount", "c_type": "numeric"},
        {"c_id": "s2", "c_name": "signed", "c_type": "date"},
        {"c_id": "s3", "c_name": "remarks", "c_type": "text"},
    ]
    return derive_mapping(source, destination)


def source_id_of(mapping: Mapping, dest: str) -> str:
    row = next(r for r in mapping.rows if r.destination.c_id == dest)
    return row.source.c_id if row.source is not None else ""


def test_one_row_per_destination_column_preset_to_the_suggestion(
    mpanel: MappingPanel, mapping: Mapping
):
    assert list(mpanel.dropdowns) == [r.destination.c_id for r in mapping.rows]
    conflicts = {c["destination_c_id"] for c in mapping.conflicts}
    for row in mapping.rows:
        widget_row = mpanel.rows[row.destination.c_id]
        dropdown = widget_row.source
        assert dropdown.value == (row.source.c_id if row.source else "")
        labels = [label for label, _ in dropdown.options]
        assert labels[0] == NONE_LABEL
        assert len(labels) == len(mapping.source.columns) + 1
        assert row.destination.c_name in widget_row.label.value
        assert row.destination.c_type.upper() in widget_row.label.value
        if row.source is not None:
            assert widget_row.confidence.value == f"{row.confidence:.2f}"
        if row.destination.c_id in conflicts:
            assert widget_row.box.box_style == "danger"
            assert ">type conflict</span>" in widget_row.flag.value
            assert "#fee4e2" in widget_row.label.value  # coloured whatever the theme
        elif row.status in ("unmatched", "ambiguous"):
            assert widget_row.box.box_style == "warning"
            assert f">{row.status}</span>" in widget_row.flag.value
            assert "#fef0c7" in widget_row.label.value
        else:
            assert widget_row.box.box_style == ""
            assert "background" not in widget_row.label.value
    unused = {c.c_id: c.c_name for c in mapping.source.columns}
    for c_id in mapping.unused_source:
        assert unused[c_id] in mpanel.unused_label.value
    assert mapping.unmatched_destination, "the demo pair leaves columns to decide"
    assert mpanel.rows[mapping.unmatched_destination[0]].box.box_style == "warning"


def test_mapping_panel_from_the_mapping(mapping: Mapping):
    panel = mapping.panel()
    try:
        assert isinstance(panel, MappingPanel)
        assert panel.mapping is mapping
    finally:
        panel.close()


def test_a_dropdown_change_overrides_and_unsets(mpanel: MappingPanel, mapping: Mapping):
    matched = next(r for r in mapping.rows if r.source is not None)
    taken = matched.source.c_id
    text_dest = next(
        r.destination.c_id
        for r in mapping.rows
        if r.destination.c_type == "text" and r.destination.c_id != matched.destination.c_id
    )
    # a text destination takes any source; the source leaves the column it filled
    mpanel.dropdowns[text_dest].value = taken
    assert source_id_of(mapping, text_dest) == taken
    assert next(r for r in mapping.rows if r.destination.c_id == text_dest).status == "manual"
    assert source_id_of(mapping, matched.destination.c_id) == ""
    assert mpanel.dropdowns[matched.destination.c_id].value == ""
    assert mpanel.rows[matched.destination.c_id].box.box_style == "warning"
    assert "now comes from" in mpanel.status.text
    assert taken not in mapping.unused_source

    mpanel.dropdowns[text_dest].value = ""
    row = next(r for r in mapping.rows if r.destination.c_id == text_dest)
    assert row.source is None
    assert row.status == "unset"
    assert "will stay empty" in mpanel.status.text
    assert taken in mapping.unused_source


def test_changes_made_in_code_reach_the_dropdowns(mpanel: MappingPanel, mapping: Mapping):
    dest = mapping.unmatched_destination[0]
    text_dest = next(r.destination.c_id for r in mapping.rows if r.destination.c_type == "text")
    source = mapping.unused_source[0]
    mapping.override(text_dest, source)
    assert mpanel.dropdowns[text_dest].value == source
    assert ">set by hand</span>" in mpanel.rows[text_dest].flag.value
    mapping.unset(text_dest)
    assert mpanel.dropdowns[text_dest].value == ""
    assert dest in mpanel.rows


def test_an_incompatible_choice_is_refused_in_words():
    mapping = schema_mapping()
    panel = MappingPanel(mapping)
    try:
        before = panel.dropdowns["d1"].value
        panel.dropdowns["d1"].value = "s2"  # a date into a number
        assert panel.status.level == "error"
        assert "cannot take" in panel.status.text
        assert panel.dropdowns["d1"].value == before
        assert source_id_of(mapping, "d1") == before
    finally:
        panel.close()


def test_validate_without_datasets_is_reported_not_raised():
    panel = MappingPanel(schema_mapping())
    try:
        panel.validate_button.click()
        result = panel.wait(10)
        assert result is not None
        assert not result.succeeded
        assert panel.status.level == "error"
        assert "not a dataset" in panel.status.text
    finally:
        panel.close()


def test_a_mapping_is_required():
    with pytest.raises(MammothInputError, match="mapping"):
        MappingPanel(object())  # type: ignore[arg-type]


def test_validate_shows_the_verdict(fresh_sandbox: Sandbox, fresh_mpanel: MappingPanel):
    batches_before = fresh_sandbox.client().batches.list(
        DEMO.workspace_id, DEMO.project_id, DEMO.customers, fields=["id"]
    )
    with fresh_sandbox.hold_jobs():
        fresh_mpanel.validate_button.click()
        assert fresh_mpanel.busy
        assert fresh_mpanel.append_button.disabled
        assert all(d.disabled for d in fresh_mpanel.dropdowns.values())
    result = fresh_mpanel.wait(10)
    assert result is not None
    assert result.succeeded
    assert result.action == "validate"
    rows = len(fresh_sandbox.rows(DEMO.crm_export))
    assert fresh_mpanel.status.text == f"Valid: the append would add {rows} rows as a new batch."
    assert fresh_mpanel.status.level == "success"
    assert not any(d.disabled for d in fresh_mpanel.dropdowns.values())
    after = fresh_sandbox.client().batches.list(
        DEMO.workspace_id, DEMO.project_id, DEMO.customers, fields=["id"]
    )
    assert list(after.index) == list(batches_before.index)


def test_validate_failure_is_a_verdict(fresh_sandbox: Sandbox, fresh_mpanel: MappingPanel):
    fresh_sandbox.faults.set(job_failure=1.0)
    fresh_mpanel.validate_button.click()
    result = fresh_mpanel.wait(10)
    assert result is not None
    assert not result.succeeded
    assert fresh_mpanel.status.text.startswith("Not valid: job ")
    assert fresh_mpanel.status.level == "error"
    assert fresh_mpanel.progress.bar_style == "danger"


def test_append_asks_then_creates_the_batch(fresh_sandbox: Sandbox, fresh_mpanel: MappingPanel):
    panel = fresh_mpanel
    finished: list[ActionResult] = []
    panel.on_action_finished(finished.append)
    filled = sum(1 for r in panel.mapping.rows if r.source is not None)
    before = len(fresh_sandbox.actions())

    panel.append_button.click()
    assert panel.confirmation.question == (
        f"Append the rows of dataset {DEMO.crm_export} into dataset {DEMO.customers} as a new "
        f"batch, filling {filled} of {len(panel.mapping.rows)} columns?"
    )
    panel.cancel_button.click()
    assert panel.status.text == "Cancelled: nothing was appended."
    assert len(fresh_sandbox.actions()) == before

    panel.append_button.click()
    panel.confirm_button.click()
    result = panel.wait(10)
    assert result is not None
    assert result.succeeded
    batch_id = panel.new_batch_id
    assert batch_id is not None
    assert result.details["batch_id"] == batch_id
    rows = fresh_sandbox.rows(DEMO.customers, batch_id)
    assert len(rows) == len(fresh_sandbox.rows(DEMO.crm_export)) > 0
    assert panel.status.text == f"Appended {len(rows)} rows as batch {batch_id}."
    batch = fresh_sandbox.client().batches.get(
        DEMO.workspace_id, DEMO.project_id, DEMO.customers, batch_id
    )
    assert batch["source_dataset_id"] == DEMO.crm_export
    assert finished == [result]


def test_append_with_nothing_filled_is_refused(fresh_mpanel: MappingPanel):
    for dest in fresh_mpanel.dropdowns:
        fresh_mpanel.dropdowns[dest].value = ""
    fresh_mpanel.append_button.click()
    assert not fresh_mpanel.confirmation.pending
    assert fresh_mpanel.status.level == "warning"
    assert "No destination column is filled" in fresh_mpanel.status.text


def test_append_after_losing_the_connection(fresh_sandbox: Sandbox, fresh_mpanel: MappingPanel):
    fresh_sandbox.stop()
    fresh_mpanel.append_button.click()
    fresh_mpanel.confirm_button.click()
    result = fresh_mpanel.wait(10)
    assert result is not None
    assert not result.succeeded
    assert fresh_mpanel.status.text.startswith("Append failed: lost the connection")
    assert fresh_mpanel.new_batch_id is None
    assert not fresh_mpanel.append_button.disabled


def test_close_stops_following_the_mapping(mapping: Mapping):
    panel = MappingPanel(mapping)
    text_dest = next(r.destination.c_id for r in mapping.rows if r.destination.c_type == "text")
    shown = panel.dropdowns[text_dest].value
    panel.close()
    mapping.override(text_dest, mapping.unused_source[0])
    assert panel.dropdowns[text_dest].value == shown


def test_a_pair_set_by_hand_reads_as_such_even_with_a_type_conflict():
    mapping = schema_mapping()
    panel = MappingPanel(mapping)
    try:
        panel.dropdowns["d1"].value = "s3"  # remarks (TEXT) into Amount (NUMERIC)
        widget_row = panel.rows["d1"]
        assert ">1.00</span>" in widget_row.confidence.value
        assert widget_row.box.box_style == "danger"  # the values are still unchecked
        assert ">type conflict</span>" in widget_row.flag.value
        assert widget_row.evidence.value.startswith('<span title="set by hand; computed score')
        assert "values unchecked" in widget_row.evidence.value
    finally:
        panel.close()
