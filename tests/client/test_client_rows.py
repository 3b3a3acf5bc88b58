"""Data-read answers in every known shape → one frame typed from the schema."""

from __future__ import annotations

import pandas as pd
import pytest

from mammoth_pandas.errors import MammothConnectionError
from mammoth_pandas.rows import read_page, rows_frame, schema_columns

SCHEMA = schema_columns(
    [
        {"c_id": "column_1", "c_name": "Customer", "c_type": "text"},
        {"c_id": "column_2", "c_name": "Amount", "c_type": "numeric"},
        {"c_id": "column_3", "c_name": "Signed up", "c_type": "date"},
        {"c_id": "column_4", "c_name": "Visits", "c_type": "NUMERIC"},
    ]
)


def _frame(answer: object, asked: list[str] | None = None) -> pd.DataFrame:
    return rows_frame([read_page(answer, SCHEMA, asked)], SCHEMA, asked)


def test_headers_and_data_object_in_row_order() -> None:
    answer = {
        "headers": ["Amount", "Customer", "Signed up", "Visits"],
        "data": {
            "1": ["2.5", "Bo", "2024-02-01", "3"],
            "0": [10, "Ann", "2024-01-31T10:00:00Z", 1],
        },
    }
    frame = _frame(answer)
    assert list(frame.columns) == ["Customer", "Amount", "Signed up", "Visits"]
    assert frame["Customer"].tolist() == ["Ann", "Bo"]
    assert frame["Amount"].dtype == "Float64"
    assert frame["Amount"].tolist() == [10.0, 2.5]
    assert frame["Visits"].dtype == "Int64"
    assert isinstance(frame["Signed up"].dtype, pd.DatetimeTZDtype)
    assert frame["Signed up"].iloc[1] == pd.Timestamp("2024-02-01", tz="UTC")
    assert frame.attrs["unparsed"] == {}


def test_list_of_rows_follows_the_columns_asked_for() -> None:
    frame = _frame([[5, "Cy"], [None, "Di"]], asked=["column_4", "column_1"])
    assert list(frame.columns) == ["Visits", "Customer"]
    assert frame["Visits"].tolist()[0] == 5
    assert frame["Visits"].isna().tolist() == [False, True]


def test_objects_keyed_by_id_or_name() -> None:
    by_id = _frame([{"column_1": "Ann", "column_2": "7"}])
    by_name = _frame([{"Customer": "Ann", "Amount": "7"}])
    pd.testing.assert_frame_equal(by_id, by_name)
    assert by_id["Signed up"].isna().all()


def test_values_that_do_not_parse_become_na_and_are_counted() -> None:
    frame = _frame([["Ann", "n/a", "not a date", "1"], ["Bo", "", "", "2"]])
    assert frame["Amount"].isna().all()
    assert frame.attrs["unparsed"] == {"Amount": 1, "Signed up": 1}


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("rows", "expected rows"),
        ({"data": 3}, "'data' is int"),
        ({"data": {"x": []}}, "not row numbers"),
        ([["Ann"]], "1 cells for 4 columns"),
        ({"headers": ["Nope"], "data": [["x"]]}, "'Nope'"),
        ([1, 2], "row 0 is int"),
    ],
)
def test_answers_of_no_known_shape_are_refused(answer: object, words: str) -> None:
    with pytest.raises(MammothConnectionError, match=words):
        read_page(answer, SCHEMA, None, where="rows 0..99 of batch 7")


def test_dates_in_several_formats_parse_in_one_column() -> None:
    values = ["2024-03-05", "03/07/2024", "7 Mar 2024", "Mar 9, 2024", "2024-03-10T08:00:00+02:00"]
    frame = _frame([["x", None, v, None] for v in values])
    assert frame["Signed up"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-03-05 00:00",
        "2024-03-07 00:00",
        "2024-03-07 00:00",
        "2024-03-09 00:00",
        "2024-03-10 06:00",
    ]
    assert frame.attrs["unparsed"] == {}
