"""Every kind of input that cannot be mapped gets a MappingError naming the field."""

from __future__ import annotations

import pandas as pd
import pytest

from mammoth_pandas.errors import MammothInputError, MappingError
from mammoth_pandas.mapping import derive_mapping

GOOD = [{"c_id": "column_1", "c_name": "Name", "c_type": "text"}]
TYPED = [
    {"c_id": "n", "c_name": "Amount", "c_type": "numeric"},
    {"c_id": "d", "c_name": "Day", "c_type": "date"},
    {"c_id": "t", "c_name": "Note", "c_type": "text"},
]


def test_mapping_error_is_an_input_error_and_a_value_error():
    assert issubclass(MappingError, MammothInputError)
    assert issubclass(MappingError, ValueError)


@pytest.mark.parametrize(
    ("source", "field", "text"),
    [
        ([], "source", "has no columns"),
        (pd.DataFrame(), "source", "has no columns"),
        (pd.DataFrame(columns=["c_id", "c_name", "c_type"]), "source", "has no columns"),
        (
            [
                {"c_id": "a", "c_name": "X", "c_type": "text"},
                {"c_id": "b", "c_name": "X", "c_type": "text"},
            ],
            "source",
            "duplicate column names: X",
        ),
        (
            [
                {"c_id": "a", "c_name": "X", "c_type": "text"},
                {"c_id": "a", "c_name": "Y", "c_type": "text"},
            ],
            "source",
            "duplicate column ids: a",
        ),
        (pd.DataFrame([[1, 2]], columns=["x", "x"]), "source", "duplicate column names: x"),
        ([{"c_id": "a", "c_name": "X", "c_type": "boolean"}], "source.c_type", "type 'boolean'"),
        ([{"c_id": "a", "c_name": "X"}], "source", "lacks c_type"),
        ([{"c_id": "", "c_name": "X", "c_type": "text"}], "source.c_id", "no id"),
        (["not a dict"], "source", "is not a mapping"),
        ("column_1", "source", "is a str"),
        (3.5, "source", "is a float"),
        (True, "source", "is a bool"),
        (7, "source", "without client"),
    ],
)
def test_bad_sides(source, field, text):
    with pytest.raises(MappingError) as info:
        derive_mapping(source, GOOD)
    assert info.value.field == field
    assert text in str(info.value)
    assert info.value.accepted


def test_bad_destination_is_named_as_such():
    with pytest.raises(MappingError) as info:
        derive_mapping(GOOD, [])
    assert info.value.field == "destination"


@pytest.mark.parametrize("value", [-0.1, 1.5, "high", None, True])
def test_bad_min_confidence(value):
    with pytest.raises(MappingError) as info:
        derive_mapping(GOOD, GOOD, min_confidence=value)
    assert info.value.field == "min_confidence"
    assert "0 to 1" in str(info.value)


def test_bad_rows():
    with pytest.raises(MappingError) as info:
        derive_mapping(GOOD, GOOD, source_data="rows")
    assert info.value.field == "source_data"
    with pytest.raises(MappingError) as info:
        derive_mapping(
            pd.DataFrame({"Name": ["a"]}), GOOD, source_data=pd.DataFrame({"Name": ["b"]})
        )
    assert info.value.field == "source_data"


def test_unknown_ids_in_override_and_unset_list_the_accepted_ids():
    mapping = derive_mapping(TYPED, TYPED)
    with pytest.raises(MappingError) as info:
        mapping.override("zzz", "n")
    assert info.value.field == "dest"
    assert "n, d, t" in str(info.value)
    with pytest.raises(MappingError) as info:
        mapping.override("n", "zzz")
    assert info.value.field == "source"
    with pytest.raises(MappingError):
        mapping.unset("zzz")
    with pytest.raises(MappingError):
        mapping.confirm("zzz")


def test_a_type_the_destination_cannot_take_is_refused_and_nothing_changes():
    mapping = derive_mapping(TYPED, TYPED)
    before = mapping.to_frame()
    calls = []
    mapping.observe(calls.append)
    with pytest.raises(MappingError, match="NUMERIC and cannot take 'Day' \\(DATE\\)") as info:
        mapping.override("n", "d")
    assert info.value.accepted == "NUMERIC or TEXT source columns"
    with pytest.raises(MappingError, match="DATE and cannot take 'Amount'"):
        mapping.override("d", "n")
    pd.testing.assert_frame_equal(mapping.to_frame(), before)
    assert calls == []
    mapping.override("t", "n")  # text takes anything
    assert mapping.rows[2].source.c_id == "n"


@pytest.mark.parametrize("method", ["validate", "append"])
def test_validate_and_append_need_datasets_on_both_sides(method):
    mapping = derive_mapping(TYPED, TYPED)
    with pytest.raises(MappingError) as info:
        getattr(mapping, method)()
    assert info.value.field == "source"
    assert "not a dataset" in str(info.value)
