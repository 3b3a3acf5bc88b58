"""Reusable mappings: to_json / from_json, check against the sides as they are now, rebind."""

from __future__ import annotations

import json

import pytest

from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping import Mapping, derive_mapping

DEST = [
    {"c_id": "d1", "c_name": "Email", "c_type": "text"},
    {"c_id": "d2", "c_name": "Amount", "c_type": "numeric"},
    {"c_id": "d3", "c_name": "Region", "c_type": "text"},
]
SOURCE = [
    {"c_id": "s1", "c_name": "E-mail", "c_type": "text"},
    {"c_id": "s2", "c_name": "amt", "c_type": "numeric"},
    {"c_id": "s3", "c_name": "Lead source", "c_type": "text"},
]


@pytest.fixture
def mapping():
    m = derive_mapping(SOURCE, DEST)
    m.override("d3", "s3")
    return m


def test_json_round_trip_keeps_pairs_statuses_and_thresholds(mapping):
    text = mapping.to_json()
    assert json.loads(text)["format"] == "mammoth-mapping/1"
    again = Mapping.from_json(text)
    assert again.payload() == mapping.payload()
    assert [r.status for r in again.rows] == [r.status for r in mapping.rows]
    assert [r.score for r in again.rows] == [r.score for r in mapping.rows]
    assert (again.min_confidence, again.suggest_min) == (
        mapping.min_confidence,
        mapping.suggest_min,
    )
    assert again.to_json() == text


def test_check_reports_new_gone_renamed_and_retyped_columns(mapping):
    assert mapping.check(SOURCE, DEST).ok
    source_now = [
        {"c_id": "s1", "c_name": "Email address", "c_type": "text"},  # renamed
        {"c_id": "s2", "c_name": "amt", "c_type": "text"},  # retyped
        {"c_id": "s9", "c_name": "Phone", "c_type": "text"},  # new; s3 is gone
    ]
    result = mapping.check(source_now, DEST)
    assert not result.ok
    assert result.source.new == ["s9"]
    assert result.source.gone == ["s3"]
    assert result.source.renamed == [("s1", "E-mail", "Email address")]
    assert result.source.retyped == [("s2", "numeric", "text")]
    assert not result.destination.changed
    assert result.affected == ["d1", "d2", "d3"]
    text = str(result)
    assert "source: column 's3' is gone" in text
    assert "retyped NUMERIC → TEXT" in text


def test_rebind_keeps_pairs_whose_columns_remain(mapping):
    source_now = [c for c in SOURCE if c["c_id"] != "s3"]
    again = Mapping.from_json(mapping.to_json()).rebind(source_now, DEST)
    found = {r.destination.c_id: (r.source.c_id if r.source else None) for r in again.rows}
    assert found == {"d1": "s1", "d2": "s2", "d3": None}


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("not json", "text"),
        ('{"format": "other"}', "format"),
        ('{"format": "mammoth-mapping/1", "source": {}, "destination": {"columns": []}}', "source"),
    ],
)
def test_from_json_refuses_what_is_not_a_stored_mapping(text, field):
    with pytest.raises(MappingError) as info:
        Mapping.from_json(text)
    assert info.value.field == field


def test_from_json_refuses_an_unknown_source_or_status(mapping):
    data = json.loads(mapping.to_json())
    data["rows"][0]["source_c_id"] = "nope"
    with pytest.raises(MappingError) as info:
        Mapping.from_json(json.dumps(data))
    assert info.value.field == "rows.source_c_id"
    data = json.loads(mapping.to_json())
    data["rows"][0]["status"] = "guessed"
    with pytest.raises(MappingError) as info:
        Mapping.from_json(data)
    assert info.value.field == "rows.status"
    with pytest.raises(MappingError, match="without its evidence"):
        Mapping.from_json(mapping.to_json()).set_thresholds(0.5)
