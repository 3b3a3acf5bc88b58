"""Each kind of side: DataFrames of data, schemas (DataFrame or dicts, any case), datasets."""

from __future__ import annotations

import pandas as pd
import pytest

from mammoth_pandas.mapping import derive_mapping, infer_schema
from mammoth_pandas.mapping.infer import infer_type, parse_dates, parse_numbers, profile

DEST_SCHEMA = [
    {"c_id": "column_1", "c_name": "Customer name", "c_type": "text"},
    {"c_id": "column_2", "c_name": "Email", "c_type": "text"},
    {"c_id": "column_3", "c_name": "Quantity", "c_type": "numeric"},
    {"c_id": "column_4", "c_name": "Birth date", "c_type": "date"},
]
SOURCE_SCHEMA = [
    {"c_id": "column_9", "c_name": "DOB", "c_type": "DATE"},
    {"c_id": "column_8", "c_name": "qty", "c_type": "NUMERIC"},
    {"c_id": "column_7", "c_name": "E-mail", "c_type": "TEXT"},
    {"c_id": "column_6", "c_name": "CustomerName", "c_type": "TEXT"},
]
EXPECTED = {
    "column_1": "column_6",
    "column_2": "column_7",
    "column_3": "column_8",
    "column_4": "column_9",
}


def _pairs(mapping) -> dict[str, str | None]:
    return {r.destination.c_id: (r.source.c_id if r.source else None) for r in mapping.rows}


def test_schemas_as_lists_of_dicts_with_any_case_types():
    mapping = derive_mapping(SOURCE_SCHEMA, DEST_SCHEMA)
    assert _pairs(mapping) == EXPECTED
    assert {r.source.c_type for r in mapping.rows if r.source} == {"text", "numeric", "date"}


def test_schemas_as_dataframes_with_uppercase_headers():
    src = pd.DataFrame(SOURCE_SCHEMA).rename(columns=str.upper)
    dest = pd.DataFrame(DEST_SCHEMA)
    assert _pairs(derive_mapping(src, dest)) == EXPECTED


def test_inputs_are_not_mutated(people):
    source = people.rename(columns={"customer_name": "Cust Name", "orders": "num orders"})
    before_source, before_dest = source.copy(), people.copy()
    schema = [dict(item) for item in DEST_SCHEMA]
    derive_mapping(source, people)
    derive_mapping(SOURCE_SCHEMA, schema)
    pd.testing.assert_frame_equal(source, before_source)
    pd.testing.assert_frame_equal(people, before_dest)
    assert schema == DEST_SCHEMA


def test_dataframes_of_data_become_named_columns_with_inferred_types(people):
    source = people.copy()
    source["lifetime_value"] = [f"${v:,.2f}" for v in source["lifetime_value"]]
    source["signup_date"] = source["signup_date"].dt.strftime("%d/%m/%Y")
    source = source.rename(columns={"lifetime_value": "LTV", "signup_date": "Signed up"})
    mapping = derive_mapping(source, people)
    types = {c.c_id: c.c_type for c in mapping.source.columns}
    assert types["LTV"] == "numeric"
    assert types["Signed up"] == "date"
    assert types["customer_name"] == "text"
    assert all(c.c_id == c.c_name for c in mapping.source.columns)
    assert _pairs(mapping)["lifetime_value"] == "LTV"
    assert _pairs(mapping)["signup_date"] == "Signed up"


def test_schema_with_rows_given_separately_uses_them_as_evidence(people):
    schema = [
        {"c_id": f"column_{i}", "c_name": f"field {i}", "c_type": infer_type(people[c])}
        for i, c in enumerate(people.columns, start=1)
    ]
    rows = people.rename(columns={c: f"column_{i}" for i, c in enumerate(people.columns, 1)})
    mapping = derive_mapping(schema, people, source_data=rows.to_dict(orient="records"))
    found = _pairs(mapping)
    # Opaque names: only the values can tell, and they do for distinctive columns.
    assert found["email"] == "column_2"
    assert found["city"] == "column_3"
    assert found["signup_date"] == "column_4"
    assert all(r.source is None or r.confidence > 0 for r in mapping.rows)


def test_infer_schema_of_a_frame(people):
    schema = infer_schema(people)
    assert [s["c_type"] for s in schema] == ["text", "text", "text", "date", "numeric", "numeric"]
    assert all(s["c_id"] == s["c_name"] for s in schema)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1,234.50", "$12", "(3)", "45%", "7"], "numeric"),
        (["2024-01-05", "2023-12-31", "2022-02-28"], "date"),
        (["05/01/2024", "31/12/2023", "28/02/2022"], "date"),
        (["Jan 5, 2024", "Dec 31, 2023"], "date"),
        (["ana@example.com", "ben@example.org"], "text"),
        ([1, 2, 3], "numeric"),
        ([None, None], "text"),
        (["12", "apple", "pear", "fig"], "text"),
    ],
)
def test_infer_type(values, expected):
    assert infer_type(pd.Series(values)) == expected


def test_parse_numbers_and_dates_report_the_failing_share():
    numbers, fail = parse_numbers(pd.Series(["1,000", "2.5", "n/a", "", None, "(4)"]))
    assert fail == pytest.approx(0.25)
    assert numbers.dropna().tolist() == [1000.0, 2.5, -4.0]
    dates, fail = parse_dates(pd.Series(["2024-01-02", "2024-03-04", "soon", "2024-05-06"]))
    assert fail == pytest.approx(0.25)
    assert dates.dropna().dt.month.tolist() == [1, 3, 5]


def test_profile_of_text_numbers_keeps_numbers_and_failure_share():
    prof = profile(pd.Series(["1", "2", "3", "4", "5", "6", "7", "8", "9", "ten"]))
    assert prof.kind == "numeric"
    assert prof.number_fail == pytest.approx(0.1)
    assert prof.numbers.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]


def test_frames_without_rows_take_types_from_dtypes_and_same_names_match():
    frame = pd.DataFrame(
        {
            0: pd.array([1, None], dtype="Int64"),
            "when": pd.to_datetime(["2024-01-01", None]).tz_localize("UTC"),
            "flag": [True, False],
            "label": pd.array(["a", None], dtype="string"),
        }
    )
    mapping = derive_mapping(frame.iloc[:0], frame)
    types = {c.c_id: c.c_type for c in mapping.source.columns}
    assert types == {"0": "numeric", "when": "date", "flag": "text", "label": "text"}
    pairs = {r.destination.c_id: r.source.c_id if r.source else None for r in mapping.rows}
    assert pairs == {"0": "0", "when": "when", "flag": "flag", "label": "label"}
