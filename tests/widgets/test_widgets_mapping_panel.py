"""The mapping panel: one row per destination column, in sync with the Mapping both ways."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
import pytest

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.mapping import Mapping, derive_mapping
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import ActionResult, BatchPanel, MappingPanel
from mammoth_pandas.widgets import _mapping_text as text
from mammoth_pandas.widgets.mapping_panel import NONE_LABEL, SwapOffer


def demo_mapping(sandbox: Sandbox, *, with_rows: bool = False, **client_kwargs) -> Mapping:
    client = sandbox.client(**client_kwargs)
    source = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    if not with_rows:
        return derive_mapping(source, destination)
    return derive_mapping(
        source,
        destination,
        source_data=sandbox.rows(DEMO.crm_export),
        destination_data=sandbox.rows(DEMO.customers),
    )


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


def pairs(mapping: Mapping) -> dict[str, str]:
    return {r.destination.c_id: source_id_of(mapping, r.destination.c_id) for r in mapping.rows}


def score_in(label: str) -> float:
    match = re.search(r"\) · (\d\.\d\d)", label)
    assert match is not None, label
    return float(match[1])


def test_one_row_per_destination_column_preset_to_the_suggestion(
    mpanel: MappingPanel, mapping: Mapping
):
    assert list(mpanel.dropdowns) == [r.destination.c_id for r in mapping.rows]
    for row in mapping.rows:
        widget_row = mpanel.rows[row.destination.c_id]
        dropdown = widget_row.source
        assert dropdown.value == (row.source.c_id if row.source else "")
        labels = [label for label, _ in dropdown.options]
        assert labels[0] == NONE_LABEL
        assert len(labels) == len(mapping.source.columns) + 1
        assert widget_row.label.value.count(row.destination.c_name) == 1
        assert row.destination.c_type.upper() in widget_row.label.value
        if row.source is not None:
            assert widget_row.confidence.value == f"{row.confidence:.2f}"
    unused = {c.c_id: c.c_name for c in mapping.source.columns}
    for c_id in mapping.unused_source:
        assert unused[c_id] in mpanel.unused_label.value
    assert mapping.unmatched_destination, "the demo pair leaves columns to decide"


def test_options_are_ranked_by_score_with_the_score_shown(mpanel: MappingPanel, mapping: Mapping):
    for row in mapping.rows:
        dest = row.destination.c_id
        expected = {c["source_c_id"]: c["score"] for c in mapping.candidates(dest)}
        options = mpanel.dropdowns[dest].options[1:]
        shown = [score_in(label) for label, _ in options]
        assert shown == sorted(shown, reverse=True), dest
        for label, source in options:
            assert score_in(label) == pytest.approx(expected[source], abs=0.0051)  # 2 places
        # the best-scoring source is the first choice offered
        best = max(expected, key=lambda s: expected[s])
        assert options[0][1] == best or expected[options[0][1]] == expected[best]


def test_a_source_used_elsewhere_is_named_in_its_option(mpanel: MappingPanel, mapping: Mapping):
    email = next(r for r in mapping.rows if r.destination.c_name == "Email")
    assert email.source is not None
    country = mpanel.dropdowns["column_4"]  # Country: nothing fills it
    (label,) = [lbl for lbl, value in country.options if value == email.source.c_id]
    assert label.endswith(" · fills 'Email'")
    own = [lbl for lbl, value in mpanel.dropdowns[email.destination.c_id].options]
    assert not any("fills 'Email'" in lbl for lbl in own)


def test_confident_pairs_and_suggestions_are_shown_apart(mpanel: MappingPanel, mapping: Mapping):
    groups = mpanel.children[3].children
    assert groups[0] is mpanel.review_heading
    split = groups.index(mpanel.settled_heading)
    to_review = [b for b in groups[1:split]]
    settled = [b for b in groups[split + 1 :]]
    by_box = {w.box: dest for dest, w in mpanel.rows.items()}
    review_ids = [by_box[b] for b in to_review]
    settled_ids = [by_box[b] for b in settled]
    assert sorted(review_ids + settled_ids) == sorted(mpanel.rows)
    for row in mapping.rows:
        dest, flag = row.destination.c_id, mpanel.rows[row.destination.c_id].flag.value
        if row.status == "unmatched":
            assert dest in review_ids
            assert 'mp-tone-suggested"' in flag
            assert ">unmatched</span>" in flag
            assert mpanel.rows[dest].box.box_style == "warning"
        elif row.status == "matched" and row.source.c_type == row.destination.c_type:
            assert dest in settled_ids
            assert 'mp-tone-confident"' in flag
            assert ">confident</span>" in flag
            assert mpanel.rows[dest].box.box_style == ""
    assert "5 destination columns" not in mpanel.summary.value
    assert "confident" in mpanel.summary.value
    assert "unmatched" in mpanel.summary.value


def test_choosing_a_source_used_elsewhere_offers_a_swap(mpanel: MappingPanel, mapping: Mapping):
    """It never moves silently: nothing changes until Swap, and Swap loses no column."""
    before = pairs(mapping)
    email, city = "column_2", "column_3"  # both filled
    town = before[city]
    mpanel.dropdowns[email].value = town
    assert pairs(mapping) == before  # nothing moved yet
    assert mpanel.dropdowns[email].value == before[email]  # the dropdown shows the mapping
    offer = mpanel.pending_swap
    assert offer == SwapOffer(email, town, city, give_back=before[email])
    widget_row = mpanel.rows[email]
    assert widget_row.swap.layout.display == "flex"
    assert (
        widget_row.swap_question
        == "'Town' already fills 'City'. Swap: 'City' gets 'E-mail address'?"
    )
    assert "already fills" in widget_row.swap_message.value
    assert widget_row.swap_button.description == "Swap ('City' gets 'E-mail address')"
    assert mpanel.status.level == "warning"

    widget_row.swap_button.click()
    after = pairs(mapping)
    assert after[email] == town
    assert after[city] == before[email]
    filled = [d for d, s in after.items() if s]
    assert len(filled) == len([d for d, s in before.items() if s])  # no column lost
    assert mpanel.pending_swap is None
    assert widget_row.swap.layout.display == "none"
    assert widget_row.swap_question == ""
    assert mpanel.dropdowns[email].value == town
    assert mpanel.dropdowns[city].value == before[email]
    assert mpanel.status.text == (
        "Swapped: 'Email' now comes from 'Town'; 'City' now comes from 'E-mail address'."
    )


def test_keep_leaves_the_mapping_as_it_was(mpanel: MappingPanel, mapping: Mapping):
    before = pairs(mapping)
    mpanel.dropdowns["column_2"].value = before["column_3"]
    mpanel.rows["column_2"].keep_button.click()
    assert pairs(mapping) == before
    assert mpanel.pending_swap is None
    assert mpanel.rows["column_2"].swap.layout.display == "none"
    assert mpanel.status.text == "Kept as it was: 'Town' still fills 'City'."


def test_an_empty_destination_is_offered_a_move(mpanel: MappingPanel, mapping: Mapping):
    before = pairs(mapping)
    town = before["column_3"]
    mpanel.dropdowns["column_4"].value = town  # Country: empty now
    assert pairs(mapping) == before
    assert mpanel.rows["column_4"].swap_button.description == "Move ('City' left empty)"
    mpanel.rows["column_4"].swap_button.click()
    assert source_id_of(mapping, "column_4") == town
    city = next(r for r in mapping.rows if r.destination.c_id == "column_3")
    assert city.source is None
    assert city.status == "unset"  # the user decided it, not a silent unmatch
    assert mpanel.status.text.endswith("'City' is left empty.")


def test_a_swap_the_other_column_cannot_take_becomes_a_move():
    mapping = derive_mapping(
        [
            {"c_id": "s1", "c_name": "amount", "c_type": "numeric"},
            {"c_id": "s2", "c_name": "when", "c_type": "date"},
        ],
        [
            {"c_id": "d1", "c_name": "Amount", "c_type": "numeric"},
            {"c_id": "d2", "c_name": "When", "c_type": "text"},
        ],
    )
    assert pairs(mapping) == {"d1": "s1", "d2": "s2"}
    panel = MappingPanel(mapping)
    try:
        panel.dropdowns["d2"].value = "s1"  # a date cannot go back into Amount
        assert panel.pending_swap == SwapOffer("d2", "s1", "d1", give_back=None)
        panel.rows["d2"].swap_button.click()
        assert pairs(mapping) == {"d1": "", "d2": "s1"}
    finally:
        panel.close()


def test_a_change_from_code_withdraws_the_offer(mpanel: MappingPanel, mapping: Mapping):
    before = pairs(mapping)
    mpanel.dropdowns["column_2"].value = before["column_3"]
    assert mpanel.pending_swap is not None
    mapping.unset("column_7")
    assert mpanel.pending_swap is None
    assert mpanel.rows["column_2"].swap.layout.display == "none"
    mpanel.append_button.click()
    assert mpanel.confirmation.pending  # nothing blocks an append any more


def test_append_waits_for_the_swap_answer(mpanel: MappingPanel, mapping: Mapping):
    mpanel.dropdowns["column_2"].value = source_id_of(mapping, "column_3")
    mpanel.append_button.click()
    assert not mpanel.confirmation.pending
    assert mpanel.status.text == "Answer the swap in the row first (Swap or Keep as it was)."


def test_a_dropdown_change_overrides_and_unsets(mpanel: MappingPanel, mapping: Mapping):
    text_dest = "column_4"  # Country (TEXT), empty
    free = mapping.unused_source[0]
    mpanel.dropdowns[text_dest].value = free
    assert source_id_of(mapping, text_dest) == free
    assert next(r for r in mapping.rows if r.destination.c_id == text_dest).status == "manual"
    assert mpanel.pending_swap is None
    assert "now comes from" in mpanel.status.text
    assert free not in mapping.unused_source
    assert ">set by hand</span>" in mpanel.rows[text_dest].flag.value
    assert 'mp-tone-by-hand"' in mpanel.rows[text_dest].flag.value

    mpanel.dropdowns[text_dest].value = ""
    row = next(r for r in mapping.rows if r.destination.c_id == text_dest)
    assert row.source is None
    assert row.status == "unset"
    assert "will stay empty" in mpanel.status.text
    assert free in mapping.unused_source


def test_changes_made_in_code_reach_the_dropdowns(mpanel: MappingPanel, mapping: Mapping):
    text_dest = "column_4"
    source = mapping.unused_source[0]
    mapping.override(text_dest, source)
    assert mpanel.dropdowns[text_dest].value == source
    assert ">set by hand</span>" in mpanel.rows[text_dest].flag.value
    mapping.unset(text_dest)
    assert mpanel.dropdowns[text_dest].value == ""


def test_an_incompatible_choice_is_refused_in_words():
    mapping = schema_mapping()
    panel = MappingPanel(mapping)
    try:
        before = panel.dropdowns["d1"].value
        (label,) = [lbl for lbl, v in panel.dropdowns["d1"].options if v == "s2"]
        assert "cannot fill NUMERIC" in label
        panel.dropdowns["d1"].value = "s2"  # a date into a number
        assert panel.status.level == "error"
        assert "cannot take" in panel.status.text
        assert panel.dropdowns["d1"].value == before
        assert source_id_of(mapping, "d1") == before
    finally:
        panel.close()


def test_sample_values_of_both_columns_from_the_rows(sandbox: Sandbox):
    mapping = demo_mapping(sandbox, with_rows=True)
    panel = MappingPanel(mapping)
    try:
        crm = sandbox.rows(DEMO.crm_export)
        customers = sandbox.rows(DEMO.customers)
        city = panel.rows["column_3"]  # City <- Town
        assert crm[0]["column_3"] in city.samples.value
        assert customers[0]["column_3"] in city.samples.value
        assert city.samples.value.index("Town") < city.samples.value.index("City")
        (label,) = [lbl for lbl, v in city.source.options if v == "column_3"]
        assert label.endswith(f"e.g. {crm[0]['column_3']}")
    finally:
        panel.close()


def test_no_samples_without_rows():
    panel = MappingPanel(schema_mapping())  # schemas only: no values to show
    try:
        assert all(row.samples.value == "" for row in panel.rows.values())
        assert not any("e.g." in lbl for lbl, _ in panel.dropdowns["d3"].options)
    finally:
        panel.close()


def test_text_into_numbers_and_dates_converts_with_a_count(sandbox: Sandbox):
    """With rows known, no red type conflict: how many sample values would be empty."""
    mapping = demo_mapping(sandbox, with_rows=True)
    panel = MappingPanel(mapping)
    try:
        for dest in ("column_5", "column_6"):  # Signup date <- Customer since, LTV (USD)
            widget_row = panel.rows[dest]
            assert "type conflict" not in widget_row.flag.value
            assert widget_row.box.box_style == ""  # every value converts
            assert ">converts; 0 of 24 sample values would be empty; " in widget_row.evidence.value
        assert "type conflict" not in panel.summary.value
        assert "2 conversions" in panel.summary.value
    finally:
        panel.close()


def test_values_that_would_be_empty_are_counted_and_flagged():
    source = pd.DataFrame({"amount": ["12.50", "7", "n/a", "", "1,200", "about 3"]})
    destination = [{"c_id": "d1", "c_name": "Amount", "c_type": "numeric"}]
    mapping = derive_mapping(source, destination)
    mapping.override("d1", "amount")
    panel = MappingPanel(mapping)
    try:
        widget_row = panel.rows["d1"]
        assert "converts; 2 of 5 sample values would be empty" in widget_row.evidence.value
        assert widget_row.box.box_style == "warning"
        assert ">set by hand</span>" in widget_row.flag.value
        assert "type conflict" not in widget_row.flag.value
    finally:
        panel.close()


def test_a_pair_set_by_hand_without_rows_says_it_is_unchecked():
    mapping = schema_mapping()
    panel = MappingPanel(mapping)
    try:
        panel.dropdowns["d1"].value = "s3"  # remarks (TEXT) into Amount (NUMERIC)
        panel.rows["d1"].swap_button.click()  # remarks filled Note: Note gets amount
        assert pairs(mapping) == {"d1": "s3", "d2": "s2", "d3": "s1"}
        widget_row = panel.rows["d1"]
        assert ">1.00</span>" in widget_row.confidence.value
        assert widget_row.box.box_style == "warning"  # values unknown: worth a look
        assert ">set by hand</span>" in widget_row.flag.value
        assert widget_row.evidence.value.startswith('<span title="set by hand; computed score')
        assert "converts to numbers; values unchecked" in widget_row.evidence.value
    finally:
        panel.close()


def test_colours_come_from_the_theme():
    """Row HTML names classes only; the sheet's colours are JupyterLab variables."""
    panel = MappingPanel(schema_mapping())
    try:
        for widget_row in panel.rows.values():
            for part in (widget_row.label, widget_row.flag, widget_row.evidence):
                assert not re.search(r"#[0-9a-fA-F]{3,6}\b", part.value), part.value
        sheet = panel.style_sheet.value
        colours = re.findall(r"(?:color|background|border-color):\s*([^;]+);", sheet)
        assert colours
        for colour in colours:
            assert colour.startswith(("var(--jp-", "color-mix(in srgb, var(--jp-")), colour
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
    assert fresh_mpanel.verdict is result
    assert not any(d.disabled for d in fresh_mpanel.dropdowns.values())
    after = fresh_sandbox.client().batches.list(
        DEMO.workspace_id, DEMO.project_id, DEMO.customers, fields=["id"]
    )
    assert list(after.index) == list(batches_before.index)


@pytest.mark.parametrize("how", ["code", "dropdown"])
def test_any_change_clears_the_verdict(fresh_mpanel: MappingPanel, how: str):
    panel = fresh_mpanel
    panel.validate_button.click()
    result = panel.wait(10)
    assert result is not None
    assert result.succeeded
    assert panel.progress.bar_style == "success"
    if how == "code":
        panel.mapping.unset("column_2")
        assert panel.status.text == "The mapping changed since Validate: validate again."
    else:
        panel.dropdowns["column_2"].value = ""
        assert panel.status.text == "'Email' will stay empty."
    assert panel.verdict is None
    assert panel.status.level == "info"
    assert not panel.status.text.startswith("Valid")
    assert panel.progress.value == 0
    assert panel.progress.bar_style == ""


def test_validate_failure_is_a_verdict(fresh_sandbox: Sandbox, fresh_mpanel: MappingPanel):
    fresh_sandbox.faults.set(job_failure=1.0)
    fresh_mpanel.validate_button.click()
    result = fresh_mpanel.wait(10)
    assert result is not None
    assert not result.succeeded
    assert fresh_mpanel.status.text.startswith("Not valid: job ")
    assert fresh_mpanel.status.level == "error"
    assert fresh_mpanel.progress.bar_style == "danger"
    assert fresh_mpanel.verdict is result
    fresh_mpanel.mapping.unset("column_2")
    assert fresh_mpanel.verdict is None
    assert fresh_mpanel.status.level == "info"


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


def test_after_append_linked_batch_panels_refresh(fresh_sandbox: Sandbox):
    client = fresh_sandbox.client(max_retries=0)
    customers = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    batches = BatchPanel(customers)
    panel = MappingPanel(demo_mapping(fresh_sandbox, max_retries=0), linked=[batches])
    try:
        total = batches.total
        panel.append_button.click()
        panel.confirm_button.click()
        result = panel.wait(10)
        assert result is not None
        assert result.succeeded, panel.status.text
        assert batches.total == total + 1
        assert panel.new_batch_id in batches.frame.index
        assert panel.status.text.endswith(" 1 linked panel refreshed.")
    finally:
        panel.close()
        batches.close()


def test_a_linked_panel_that_fails_to_refresh_is_said(fresh_mpanel: MappingPanel):
    class Broken:
        def refresh(self) -> None:
            raise RuntimeError("gone")

    fresh_mpanel.link(Broken())
    fresh_mpanel.append_button.click()
    fresh_mpanel.confirm_button.click()
    result = fresh_mpanel.wait(10)
    assert result is not None
    assert result.succeeded  # the append happened: that stays the news
    assert fresh_mpanel.new_batch_id is not None
    assert "Refreshing a linked panel failed (Broken: RuntimeError: gone)" in (
        fresh_mpanel.status.text
    )


def test_only_refreshable_panels_can_be_linked(mpanel: MappingPanel):
    with pytest.raises(MammothInputError, match="refresh"):
        mpanel.link(object())
    with pytest.raises(MammothInputError, match="refresh"):
        MappingPanel(mpanel.mapping, linked=[42]).close()


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
    text_dest = "column_4"
    shown = panel.dropdowns[text_dest].value
    panel.close()
    mapping.override(text_dest, mapping.unused_source[0])
    assert panel.dropdowns[text_dest].value == shown


def test_conversion_counts_a_bounded_sample():
    values = pd.Series([str(i) for i in range(5000)] + ["x"] * 5000)
    column = type("C", (), {"c_type": "text", "values": values, "c_name": "v", "c_id": "v"})()
    dest = type("D", (), {"c_type": "numeric"})()
    conv = text.conversion(column, dest)
    assert conv is not None
    assert conv.total == text.SAMPLE_ROWS
    assert conv.empty == pytest.approx(text.SAMPLE_ROWS / 2, abs=2)


def group_of(panel: MappingPanel) -> dict[str, str]:
    """Destination id -> the heading its row sits under ("review" or "settled")."""
    out, current = {}, ""
    by_box = {w.box: dest for dest, w in panel.rows.items()}
    for child in panel.row_groups.children:
        if child is panel.review_heading:
            current = "review"
        elif child is panel.settled_heading:
            current = "settled"
        else:
            out[by_box[child]] = current
    return out


def test_suggestions_read_apart_from_confident_pairs(sandbox: Sandbox):
    client = sandbox.client()
    mapping = derive_mapping(
        client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export),
        client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers),
        source_data=sandbox.rows(DEMO.crm_export),
        destination_data=sandbox.rows(DEMO.customers),
        min_confidence=0.9,
        suggest_min=0.5,
    )
    statuses = {r.destination.c_id: r.status for r in mapping.rows}
    assert statuses["column_2"] == "suggested"  # Email 0.90 < 0.9
    assert statuses["column_3"] == "matched"  # City 0.96
    panel = MappingPanel(mapping)
    try:
        email, city = panel.rows["column_2"], panel.rows["column_3"]
        assert ">suggested</span>" in email.flag.value
        assert 'mp-tone-suggested"' in email.flag.value
        assert email.box.box_style == "warning"
        assert ">confident</span>" in city.flag.value
        assert 'mp-tone-confident"' in city.flag.value
        groups = group_of(panel)
        assert groups["column_2"] == "review"
        assert groups["column_3"] == "settled"
        assert "suggested" in panel.summary.value

        # moving the thresholds decides the derived rows again: Email becomes confident
        mapping.set_thresholds(min_confidence=0.8, suggest_min=0.5)
        assert ">confident</span>" in email.flag.value
        assert group_of(panel)["column_2"] == "settled"

        # a row the user decides stays where it is while being edited
        panel.dropdowns["column_4"].value = mapping.unused_source[0]  # Country, to review
        assert ">set by hand</span>" in panel.rows["column_4"].flag.value
        assert group_of(panel)["column_4"] == "review"
    finally:
        panel.close()


def test_the_saved_view_is_in_the_mime_bundle(mpanel: MappingPanel, mapping: Mapping):
    """A saved notebook shows the rows, their status and the status line, without a kernel."""
    mpanel.dropdowns["column_4"].value = mapping.unused_source[0]  # Country, set by hand
    bundle = mpanel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    page = bundle["text/html"]
    assert "it needs a running kernel to act" in page
    assert f"Append dataset {DEMO.crm_export} into dataset {DEMO.customers}" in page
    for row in mapping.rows:
        assert f"<b>{row.destination.c_name}</b> · {row.destination.c_type.upper()}" in page
    assert page.count("<tr>") == 1 + len(mapping.rows)
    assert ">set by hand</span>" in page
    assert ">confident</span>" in page
    assert "converts; 0 of 24 sample values would be empty" in page  # Lifetime value
    assert "now comes from" in page  # the status line as it stands
    assert "<style" not in page  # inline styles only: a saved output keeps no sheet


def test_sample_timestamps_read_as_dates():
    column = type(
        "C",
        (),
        {"values": pd.Series(["2022-12-18 00:00:00+00:00", "2024-06-09T17:29:00Z", "plain text"])},
    )()
    assert text.sample_values(column) == ["2022-12-18", "2024-06-09 17:29", "plain text"]
