"""Two levels of answer (confident pairs, suggestions), evidence per side, explanations."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping import (
    REVIEW_LEVELS,
    SideEvidence,
    derive_mapping,
)

DEST = [
    {"c_id": "d1", "c_name": "Email", "c_type": "text"},
    {"c_id": "d2", "c_name": "Company", "c_type": "text"},
    {"c_id": "d3", "c_name": "Signup date", "c_type": "date"},
]
SOURCE = [
    {"c_id": "s1", "c_name": "E-mail address", "c_type": "text"},
    {"c_id": "s2", "c_name": "Company id", "c_type": "numeric"},
    {"c_id": "s3", "c_name": "Company name", "c_type": "text"},
    {"c_id": "s4", "c_name": "Created", "c_type": "date"},
]


def _pairs(mapping):
    return {r.destination.c_id: (r.source.c_id if r.source else None) for r in mapping.rows}


def test_suggestions_fill_the_payload_but_are_marked_for_review():
    mapping = derive_mapping(SOURCE, DEST, min_confidence=0.8, suggest_min=0.3)
    statuses = {r.destination.c_id: (r.status, r.review) for r in mapping.rows}
    assert statuses["d1"] == ("matched", "confident")
    suggested = [r for r in mapping.rows if r.status == "suggested"]
    assert suggested, statuses
    assert all(0.3 <= r.confidence < 0.8 and r.review == "suggested" for r in suggested)
    assert all(r.evidence.startswith("suggested, check it: decided by") for r in suggested)
    payload_dest = {item["destination_c_id"] for item in mapping.payload()}
    assert {r.destination.c_id for r in suggested} <= payload_dest
    assert mapping.suggested == [r.destination.c_id for r in suggested]
    frame = mapping.to_frame()
    assert set(frame["review"]) <= set(REVIEW_LEVELS)
    assert "suggested (check them)" in str(mapping)


def test_moving_the_thresholds_redecides_but_keeps_rows_set_by_hand():
    mapping = derive_mapping(SOURCE, DEST)
    mapping.override("d3", "s4")
    seen = []
    mapping.observe(lambda m: seen.append(m.suggested))
    mapping.set_thresholds(min_confidence=1.0, suggest_min=1.0)
    assert mapping.rows[2].status == "manual"
    assert mapping.rows[0].source is None  # 0.93 is no longer enough at 1.0
    mapping.set_thresholds(min_confidence=0.6, suggest_min=0.4)
    assert mapping.rows[0].source.c_id == "s1"
    assert len(seen) == 2
    with pytest.raises(MappingError, match="suggest_min"):
        mapping.set_thresholds(min_confidence=0.5, suggest_min=0.7)
    with pytest.raises(MappingError, match="min_confidence"):
        mapping.set_thresholds(min_confidence=1.5)


def test_an_id_never_fills_the_name_of_the_same_record():
    mapping = derive_mapping(SOURCE, DEST, suggest_min=0.0)
    assert _pairs(mapping)["d2"] != "s2"
    (candidate,) = [c for c in mapping.candidates("d2") if c["source_c_id"] == "s2"]
    assert "'Company id' an id" in candidate["evidence"]


def test_customer_is_not_customer_since():
    dest = [{"c_id": "d1", "c_name": "Customer", "c_type": "text"}]
    source = [{"c_id": "s1", "c_name": "Customer since", "c_type": "text"}]
    assert derive_mapping(source, dest).rows[0].source is None


def test_explanations_name_the_deciding_evidence():
    mapping = derive_mapping(SOURCE, DEST)
    assert mapping.rows[0].evidence.startswith("decided by the names (synonym or abbreviation)")
    dest = pd.DataFrame({"c17": [f"user{i}@mail.com" for i in range(30)]})
    source = pd.DataFrame({"attr_3": [f"client{i}@shop.org" for i in range(30)]})
    row = derive_mapping(source, dest).rows[0]
    assert row.source is not None
    assert row.evidence.startswith("decided by the values alone")
    assert row.samples(2) == {
        "destination": ["user0@mail.com", "user1@mail.com"],
        "source": ["client0@shop.org", "client1@shop.org"],
    }


def test_the_mapping_records_the_evidence_each_side_brought():
    rows = pd.DataFrame({"Email": ["a@b.co"], "Company": ["Acme"]})
    stats = [{"name": "E-mail address", "type": "TEXT", "blank_count": 0, "blank_pct": 0,
              "distinct": 10, "rows": 10}]  # fmt: skip
    mapping = derive_mapping(SOURCE, DEST, source_stats=stats, destination_rows=rows)
    assert mapping.evidence == {"source": ("schema", "stats"), "destination": ("schema", "rows")}
    assert mapping.source.columns[0].stats.distinct_ratio == 1.0
    # Rows against statistics: the rows' own statistics are compared.
    assert mapping.destination.columns[0].stats.distinct == 1
    alone = derive_mapping(SOURCE, DEST, destination_rows=rows)
    assert alone.destination.columns[0].stats is None  # not needed when no side has stats
    bundled = derive_mapping(SideEvidence(SOURCE, stats=stats), SideEvidence(DEST))
    assert bundled.evidence == {"source": ("schema", "stats"), "destination": ("schema",)}
    assert _pairs(bundled) == _pairs(mapping)


@pytest.mark.parametrize(
    ("stats", "field"),
    [
        ("not stats", "source_stats"),
        ([{"type": "TEXT"}], "source_stats.name"),
        ([{"name": "x", "type": "BLOB"}], "source_stats.type"),
        ([{"name": "x", "blank_pct": 140}], "source_stats.blank_pct"),
        ([{"name": "x", "distinct": -1}], "source_stats.distinct"),
        ([{"name": "x", "rows": 2.5}], "source_stats.rows"),
        (["x"], "source_stats"),
    ],
)
def test_bad_statistics_raise_a_mapping_error_naming_the_field(stats, field):
    with pytest.raises(MappingError) as info:
        derive_mapping(SOURCE, DEST, source_stats=stats)
    assert info.value.field == field


def test_rows_given_twice_or_malformed_are_refused():
    with pytest.raises(MappingError) as info:
        derive_mapping(SOURCE, DEST, source_rows=[{"a": 1}], source_data=[{"a": 1}])
    assert info.value.field == "source_data"
    with pytest.raises(MappingError) as info:
        derive_mapping(SOURCE, DEST, destination_rows="rows")
    assert info.value.field == "destination_rows"
    with pytest.raises(MappingError) as info:
        derive_mapping(SOURCE, DEST, suggest_min=2)
    assert info.value.field == "suggest_min"


def test_html_and_styler_colour_rows_by_review_level():
    mapping = derive_mapping(SOURCE, DEST, min_confidence=0.8, suggest_min=0.3)
    page = mapping._repr_html_()
    assert 'class="mm-confident" style="background:#e6f4ea"' in page
    assert 'class="mm-suggested" style="background:#fef7e0"' in page
    styled = mapping.style().to_html()
    assert "background-color: #fef7e0" in styled
    assert "background-color: #e6f4ea" in styled


def test_importing_the_mapping_does_not_import_the_widgets():
    code = (
        "import sys, mammoth_pandas.mapping as m; "
        "assert 'ipywidgets' not in sys.modules and 'mammoth_pandas.widgets' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_affixes_most_of_a_side_shares_are_noise():
    from mammoth_pandas.mapping.normalize import american, side_cores

    names = ["hs_email", "hs_phone", "hs_city", "hs_lead_source", "owner"]
    assert side_cores(names) == ["email", "phone", "city", "lead source", "owner"]
    assert side_cores(["Email__c", "Phone__c", "City__c"]) == ["email", "phone", "city"]
    assert side_cores(["email", "phone"]) == ["email", "phone"]  # too few to tell
    assert (american("colour"), american("catalogue"), american("cancelled")) == (
        "color",
        "catalog",
        "canceled",
    )
    assert american("hour") == "hour"
    dest = [{"c_id": c, "c_name": c, "c_type": "text"} for c in ("email", "phone", "city")]
    source = [
        {"c_id": c, "c_name": f"stg_{c}_v2", "c_type": "text"} for c in ("city", "email", "phone")
    ]
    mapping = derive_mapping(source, dest)
    assert _pairs(mapping) == {"email": "email", "phone": "phone", "city": "city"}
    assert "shared affix is set aside" in mapping.rows[0].evidence


def test_statistics_place_a_column_when_names_are_weak():
    from mammoth_pandas.mapping.evidence import ColumnStats
    from mammoth_pandas.mapping.score import stats_similarity

    unique = ColumnStats("a", "text", 0, 0.0, 100, 100)
    repeated = ColumnStats("b", "text", 0, 0.0, 4, 100)
    assert stats_similarity(unique, repeated)[0] == 0.0
    assert stats_similarity(unique, unique)[0] == 1.0
    assert stats_similarity(None, unique)[0] is None


def _ev(score, name, data):
    from mammoth_pandas.mapping.score import Evidence

    return Evidence(
        score, name, "opaque name" if name is None else "names differ", 1.0, "", data, ""
    )


def _decide(evidence):
    from mammoth_pandas.mapping.decide import decide
    from mammoth_pandas.mapping.sides import Column

    dest = [Column(f"d{i}", f"dest {i}", "numeric") for i in range(len(evidence))]
    source = [Column(f"s{j}", f"col_{j}", "numeric") for j in range(len(evidence[0]))]
    out = decide(dest, source, evidence, min_confidence=0.6, suggest_min=0.42)
    return [(r[0].c_id if r and r[0] else None, r[3] if r else None) for r in out]


def test_an_opaque_column_is_suggested_where_its_values_clearly_lead_among_what_is_left():
    # d0 is confidently s0; of what is left, s1's values point to d1 well ahead of d2.
    evidence = [
        [_ev(0.9, 0.9, 0.9), _ev(0.1, None, 0.12), _ev(0.1, None, 0.1)],
        [_ev(0.1, None, 0.1), _ev(0.53, None, 0.66), _ev(0.2, None, 0.25)],
        [_ev(0.1, None, 0.1), _ev(0.3, None, 0.38), _ev(0.2, None, 0.25)],
    ]
    assert _decide(evidence) == [("s0", "matched"), ("s1", "suggested"), (None, "unmatched")]


def test_values_that_lead_only_narrowly_or_against_a_differing_name_suggest_nothing():
    close = [
        [_ev(0.53, None, 0.66), _ev(0.5, None, 0.62)],
        [_ev(0.3, None, 0.38), _ev(0.3, None, 0.38)],
    ]
    assert _decide(close) == [(None, "unmatched"), (None, "unmatched")]
    named = [[_ev(0.53, 0.0, 0.66)], [_ev(0.1, 0.0, 0.12)]]
    assert _decide(named) == [(None, "unmatched"), (None, "unmatched")]
