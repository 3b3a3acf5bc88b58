"""A pair the user set or confirmed reads as the user's choice, not as a poor suggestion.

Regression: ``override(dest, source)`` on a pair whose names differ showed confidence
0.00 and evidence leading with "names differ" in ``to_frame()`` and in the panel.
"""

from __future__ import annotations

import pandas as pd
import pytest

from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.widgets import MappingPanel

DEST = [
    {"c_id": "d1", "c_name": "Customer", "c_type": "text"},
    {"c_id": "d2", "c_name": "Email", "c_type": "text"},
    {"c_id": "d3", "c_name": "Region", "c_type": "text"},
]
SOURCE = [
    {"c_id": "s1", "c_name": "customer_name", "c_type": "text"},
    {"c_id": "s2", "c_name": "E-mail", "c_type": "text"},
    {"c_id": "s3", "c_name": "Lead source", "c_type": "text"},
]


@pytest.fixture
def mapping():
    return derive_mapping(SOURCE, DEST)


def frame_row(mapping, dest: str) -> pd.Series:
    frame = mapping.to_frame().set_index("destination_c_id")
    return frame.loc[dest]


def test_override_with_unlike_names_reads_as_set_by_hand(mapping):
    assert frame_row(mapping, "d3")["status"] == "unmatched"
    computed = next(c for c in mapping.candidates("d3") if c["source_c_id"] == "s3")
    assert computed["score"] < 0.3  # "Region" and "Lead source" share nothing
    payload_before = mapping.payload()

    mapping.override("d3", "s3")

    row = frame_row(mapping, "d3")
    assert row["status"] == "manual"
    assert row["confidence"] == 1.0
    assert row["score"] == pytest.approx(computed["score"])
    assert row["evidence"].startswith("set by hand")
    assert f"computed score {computed['score']:.2f}" in row["evidence"]
    # the payload is what it always was: ids and the destination type, nothing else
    assert mapping.payload() == [
        *payload_before,
        {"destination_c_id": "d3", "source_c_id": "s3", "expected_destination_c_type": "TEXT"},
    ]
    assert "1.00 (score" in str(mapping)


def test_derived_rows_keep_their_score_as_confidence(mapping):
    frame = mapping.to_frame().set_index("destination_c_id")
    assert pd.api.types.is_float_dtype(frame["score"])
    matched = frame[frame["status"] == "matched"]
    assert len(matched) == 2
    assert (matched["confidence"] == matched["score"]).all()
    assert (matched["confidence"] < 1.0).all()
    assert pd.isna(frame.loc["d3", "score"])  # nothing fills it: no score
    assert frame.loc["d3", "confidence"] == 0.0


def test_confirm_and_unset_read_as_decided(mapping):
    derived = frame_row(mapping, "d2")["confidence"]
    mapping.confirm("d2")
    row = frame_row(mapping, "d2")
    assert (row["status"], row["confidence"]) == ("confirmed", 1.0)
    assert row["score"] == pytest.approx(derived)
    assert row["evidence"].startswith("confirmed by hand")

    mapping.override("d2", "s3")  # set by hand over a confirmed pair
    mapping.unset("d2")
    row = frame_row(mapping, "d2")
    assert (row["status"], row["confidence"]) == ("unset", 0.0)
    assert pd.isna(row["score"])
    assert row["evidence"] == "left empty by hand"


def test_override_frees_the_previous_destination_without_a_stale_score(mapping):
    mapping.override("d3", "s2")  # s2 filled d2
    row = frame_row(mapping, "d2")
    assert row["status"] == "unmatched"
    assert pd.isna(row["source_c_id"])
    assert pd.isna(row["score"])
    assert row["confidence"] == 0.0


def test_the_panel_shows_a_pair_set_by_hand(mapping):
    panel = MappingPanel(mapping)
    try:
        panel.dropdowns["d3"].value = "s3"
        widget_row = panel.rows["d3"]
        assert mapping.rows[2].status == "manual"
        assert ">1.00</span>" in widget_row.confidence.value
        assert "computed score" in widget_row.confidence.value  # on hover
        assert ">set by hand</span>" in widget_row.flag.value
        assert widget_row.box.box_style == ""  # decided: no warning highlight
        assert "set by hand; computed score" in widget_row.evidence.value
    finally:
        panel.close()
