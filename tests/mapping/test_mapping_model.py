"""The Mapping object: frame, reprs, lists, corrections, observers, payload."""

from __future__ import annotations

import pandas as pd
import pytest

from mammoth_pandas.errors import MammothInputError, MappingError
from mammoth_pandas.mapping import STATUSES, derive_mapping

DEST = [
    {"c_id": "column_1", "c_name": "Customer", "c_type": "text"},
    {"c_id": "column_2", "c_name": "Email", "c_type": "text"},
    {"c_id": "column_3", "c_name": "Amount", "c_type": "numeric"},
    {"c_id": "column_4", "c_name": "Order date", "c_type": "date"},
    {"c_id": "column_5", "c_name": "Region", "c_type": "text"},
]
SOURCE = [
    {"c_id": "column_11", "c_name": "customer_name", "c_type": "text"},
    {"c_id": "column_12", "c_name": "E-mail", "c_type": "text"},
    {"c_id": "column_13", "c_name": "amt", "c_type": "text"},
    {"c_id": "column_14", "c_name": "order_dt", "c_type": "date"},
    {"c_id": "column_15", "c_name": "Lead source", "c_type": "text"},
]


@pytest.fixture
def mapping():
    return derive_mapping(SOURCE, DEST)


def test_derived_pairs_and_lists(mapping):
    pairs = {r.destination.c_id: (r.source.c_id if r.source else None) for r in mapping.rows}
    assert pairs == {
        "column_1": "column_11",
        "column_2": "column_12",
        "column_3": "column_13",
        "column_4": "column_14",
        "column_5": None,
    }
    assert mapping.unmatched_destination == ["column_5"]
    assert mapping.unused_source == ["column_15"]
    assert mapping.ambiguous == []
    (conflict,) = mapping.conflicts
    assert conflict["destination_c_id"] == "column_3"
    assert conflict["fail_share"] is None  # no rows: the server checks the values
    assert "unchecked" in conflict["message"]


def test_to_frame_columns_dtypes_and_statuses(mapping):
    frame = mapping.to_frame()
    assert list(frame.columns) == [
        "destination_c_id",
        "destination_c_name",
        "destination_c_type",
        "source_c_id",
        "source_c_name",
        "source_c_type",
        "confidence",
        "score",
        "evidence",
        "status",
        "review",
    ]
    assert len(frame) == len(DEST)
    for name in frame.columns:
        if name in ("confidence", "score"):
            assert pd.api.types.is_float_dtype(frame[name])
        else:
            assert pd.api.types.is_string_dtype(frame[name])
    assert set(frame["destination_c_type"]) == {"TEXT", "NUMERIC", "DATE"}
    assert set(frame["status"]) <= set(STATUSES)
    assert frame["evidence"].str.len().min() > 10
    assert frame.loc[frame["destination_c_id"] == "column_5", "source_c_id"].isna().all()


def test_text_and_html_reprs(mapping):
    text = repr(mapping)
    assert text == str(mapping)
    assert "Mapping: 4 of 5 destination columns filled" in text
    assert "unmatched destination: column_5" in text
    assert "Customer (column_1)" in text
    html = mapping._repr_html_()
    assert html.startswith('<div class="mammoth-mapping">')
    assert "<table>" in html
    assert html.count("<tr") == len(DEST) + 1


def test_html_escapes_names():
    mapping = derive_mapping(
        [{"c_id": "a", "c_name": "<b>x</b>", "c_type": "text"}],
        [{"c_id": "b", "c_name": "<b>x</b>", "c_type": "text"}],
    )
    assert "<b>x</b>" not in mapping._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in mapping._repr_html_()


def test_payload_by_id_has_uppercase_types(mapping):
    payload = mapping.payload()
    assert payload == [
        {
            "destination_c_id": "column_1",
            "source_c_id": "column_11",
            "expected_destination_c_type": "TEXT",
        },
        {
            "destination_c_id": "column_2",
            "source_c_id": "column_12",
            "expected_destination_c_type": "TEXT",
        },
        {
            "destination_c_id": "column_3",
            "source_c_id": "column_13",
            "expected_destination_c_type": "NUMERIC",
        },
        {
            "destination_c_id": "column_4",
            "source_c_id": "column_14",
            "expected_destination_c_type": "DATE",
        },
    ]


def test_payload_by_name(mapping):
    first = mapping.payload(by="name")[0]
    assert first == {
        "destination_c_name": "Customer",
        "source_c_name": "customer_name",
        "expected_destination_c_type": "TEXT",
    }
    with pytest.raises(MappingError, match="by"):
        mapping.payload(by="position")


def test_override_unset_confirm_and_observe(mapping):
    seen = []
    stop = mapping.observe(lambda m: seen.append(m.to_frame()["status"].tolist()))

    mapping.override("Region", "Lead source")  # names work as well as ids
    row = mapping.rows[4]
    assert (row.source.c_id, row.status) == ("column_15", "manual")
    assert row.evidence.startswith("set by hand")
    assert mapping.unused_source == []

    mapping.override("column_1", "column_15")  # taking a used source frees its destination
    assert mapping.rows[0].source.c_id == "column_15"
    assert mapping.rows[4].source is None
    assert mapping.rows[4].status == "unmatched"

    mapping.unset("column_2")
    assert mapping.rows[1].status == "unset"
    assert "column_2" in mapping.unmatched_destination
    assert {"destination_c_id": "column_2"}.items() not in [p.items() for p in mapping.payload()]

    mapping.confirm("column_3")
    assert mapping.rows[2].status == "confirmed"
    assert not mapping.confirmed
    mapping.confirm()
    assert mapping.confirmed
    assert mapping.rows[4].status == "unset"  # confirming an empty destination keeps it empty

    assert len(seen) == 5
    assert seen[-1] == ["manual", "unset", "confirmed", "confirmed", "unset"]
    stop()
    mapping.unset("column_4")
    assert len(seen) == 5


def test_candidates_rank_every_source(mapping):
    ranked = mapping.candidates("column_3")
    assert ranked[0]["source_c_id"] == "column_13"
    assert [c["score"] for c in ranked] == sorted((c["score"] for c in ranked), reverse=True)
    assert len(ranked) == len(SOURCE)


def test_conflicts_report_the_failing_share_from_rows():
    dest = [{"c_id": "d1", "c_name": "Quantity", "c_type": "numeric"}]
    source = [{"c_id": "s1", "c_name": "qty", "c_type": "text"}]
    rows = pd.DataFrame({"s1": ["1", "2", "3", "4", "5", "6", "7", "8", "many", "few"]})
    mapping = derive_mapping(source, dest, source_data=rows, min_confidence=0.3)
    (conflict,) = mapping.conflicts
    assert conflict["fail_share"] == pytest.approx(0.2)
    assert conflict["message"] == "20% of 'qty' values do not parse as numbers"
    assert "type conflicts: d1" in str(mapping)


def test_ambiguous_columns_are_listed_with_candidates():
    values = [1.0, 2.0, 3.0, 4.0] * 10
    dest = pd.DataFrame({"price": values})
    source = pd.DataFrame({"price 1": values, "price 2": values})
    mapping = derive_mapping(source, dest)
    (item,) = mapping.ambiguous
    assert item["destination_c_id"] == "price"
    assert {c["source_c_id"] for c in item["candidates"]} == {"price 1", "price 2"}
    assert "too close to call" in item["evidence"]
    assert mapping.rows[0].source is None


def test_observer_must_be_callable(mapping):
    with pytest.raises(MammothInputError, match="callback"):
        mapping.observe("not callable")


def test_panel_is_a_mapping_panel_on_this_mapping(mapping):
    from mammoth_pandas.widgets import MappingPanel

    panel = mapping.panel()
    assert isinstance(panel, MappingPanel)
    assert panel.mapping is mapping
