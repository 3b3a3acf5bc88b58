"""Parameter forms: the seed SDK's strings and the Pythonic forms give the same wire value."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas import params as P
from mammoth_pandas.errors import MammothInputError, MappingError


@pytest.mark.parametrize(
    "value",
    ["1,2,3", [1, 2, 3], (1, 2, 3), range(1, 4), np.array([1, 2, 3]), pd.Index([1, 2, 3]),
     pd.Series([1, 2, 3]), [np.int64(1), 2.0, "3"], [1, 2, 2, 3]],
)  # fmt: skip
def test_id_forms_normalise_to_the_same_list(value: object) -> None:
    assert P.id_list("id", value) == [1, 2, 3]


def test_a_set_of_ids_and_a_scalar() -> None:
    assert sorted(P.id_list("id", {3, 1, 2})) == [1, 2, 3]
    assert P.id_list("id", 7) == [7]
    assert P.id_list("id", np.int32(7)) == [7]


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("(from:'2023-12-19T09:39:18.628Z',to:'2023-12-26T10:42:43.152Z')",
         "(from:'2023-12-19T09:39:18.628Z',to:'2023-12-26T10:42:43.152Z')"),
        (("2023-12-19T09:39:18.628Z", "2023-12-26T10:42:43.152Z"),
         "(from:'2023-12-19T09:39:18.628Z',to:'2023-12-26T10:42:43.152Z')"),
        ((pd.Timestamp("2023-12-19 09:39:18.628", tz="UTC"), None),
         "(from:'2023-12-19T09:39:18.628Z')"),
        ((None, dt.datetime(2024, 1, 2, 3, 4, 5)), "(to:'2024-01-02T03:04:05.000Z')"),
        (slice("2024-01-01", "2024-02-01"),
         "(from:'2024-01-01T00:00:00.000Z',to:'2024-02-01T23:59:59.999999Z')"),
        ({"from": dt.date(2024, 1, 1)}, "(from:'2024-01-01T00:00:00.000Z')"),
        (dt.date(2024, 3, 5), "(from:'2024-03-05T00:00:00.000Z',to:'2024-03-05T23:59:59.999999Z')"),
        ("2024-03-05", "(from:'2024-03-05T00:00:00.000Z',to:'2024-03-05T23:59:59.999999Z')"),
        (pd.Timestamp("2024-01-01 12:00", tz="Europe/Paris"), "(from:'2024-01-01T11:00:00.000Z')"),
        ("(from:'2024-01-01T00:00:00Z')", "(from:'2024-01-01T00:00:00.000Z')"),
        (None, ""),
        ((None, None), ""),
    ],
)  # fmt: skip
def test_created_at_forms(value: object, wire: str) -> None:
    assert P.created_at(value) == wire


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        ("(id:asc),(state:asc)", "(id:asc),(state:asc)"),
        (["-created_at", "id"], "(created_at:desc),(id:asc)"),
        ([("created_at", "desc"), ("id", "asc")], "(created_at:desc),(id:asc)"),
        (("row_count", "desc"), "(row_count:desc)"),
        ("-created_at", "(created_at:desc)"),
        ("name,-id", "(name:asc),(id:desc)"),
        (None, ""),
    ],
)
def test_sort_forms(value: object, wire: str) -> None:
    assert P.sort(value) == wire


def test_fields_forms() -> None:
    assert P.fields("id,name") == ("id", "name")
    assert P.fields(["name"]) == ("id", "name")
    assert P.fields("__min") == ("id", "name", "state", "created_at")
    assert P.fields(None) == P.fields("__standard")
    assert P.fields(["__min", "row_count"]) == ("id", "name", "state", "created_at", "row_count")
    assert P.fields("status") == ("id", "state")  # the seed docs call the state "status"
    assert P.fields_wire(P.fields("__full")) == "__full"
    assert P.fields_wire(P.fields("name")) == "id,name"


def test_states_accept_strings_and_lists() -> None:
    assert P.states("active,suspended") == ["active", "suspended"]
    assert P.states(["Active", "suspended", "active"]) == ["active", "suspended"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: P.id_list("id", [1, True]), "id"),
        (lambda: P.id_list("id", [1, float("nan")]), "id"),
        (lambda: P.id_list("id", [-1]), "id"),
        (lambda: P.id_list("id", [1.5]), "id"),
        (lambda: P.id_list("id", "1,,2"), "id"),
        (lambda: P.id_list("id", "1,a"), "id"),
        (lambda: P.id_list("id", {"a": 1}), "id"),
        (lambda: P.id_list("id", [None]), "id"),
        (lambda: P.id_list("id", [pd.NA]), "id"),
        (lambda: P.id_list("id", list(range(P.MAX_IDS + 1))), "id"),
        (lambda: P.id_list("ids", [], allow_empty=False), "ids"),
        (lambda: P.states("archived"), "status"),
        (lambda: P.states([1]), "status"),
        (lambda: P.created_at("(from:2024-01-01)"), "created_at"),
        (lambda: P.created_at("(since:'2024-01-01')"), "created_at"),
        (lambda: P.created_at(("2024-02-01", "2024-01-01")), "created_at"),
        (lambda: P.created_at(("2024-01-01",)), "created_at"),
        (lambda: P.created_at((1, 2)), "created_at"),
        (lambda: P.created_at(("yesterday-ish", None)), "created_at"),
        (lambda: P.created_at({"since": "2024-01-01"}), "created_at"),
        (lambda: P.created_at(slice("2024-01-01", None, 2)), "created_at"),
        (lambda: P.created_at((pd.NaT, None)), "created_at"),
        (lambda: P.sort("(id:up)"), "sort"),
        (lambda: P.sort("(nope:asc)"), "sort"),
        (lambda: P.sort("(id:asc"), "sort"),
        (lambda: P.sort(["id", "-id"]), "sort"),
        (lambda: P.sort([]), "sort"),
        (lambda: P.sort(5), "sort"),
        (lambda: P.sort([("id",)]), "sort"),
        (lambda: P.fields("id,colour"), "fields"),
        (lambda: P.fields([3]), "fields"),
        (lambda: P.page_size(0), "page_size"),
        (lambda: P.page_size(101), "page_size"),
        (lambda: P.page_size(True), "page_size"),
        (lambda: P.limit(-1), "limit"),
        (lambda: P.limit(2.5), "limit"),
        (lambda: P.non_negative_int("offset", -5), "offset"),
        (lambda: P.flag("validate_only", "yes"), "validate_only"),
        (lambda: P.timeout(0), "timeout"),
        (lambda: P.timeout(float("nan")), "timeout"),
        (lambda: P.path_id("workspace_id", 0, minimum=1), "workspace_id"),
    ],
)
def test_bad_values_name_the_parameter_and_what_it_accepts(call, field: str) -> None:
    with pytest.raises(MammothInputError) as info:
        call()
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert info.value.accepted
    assert isinstance(info.value, ValueError)


def test_a_whole_day_beyond_what_pandas_2_timestamps_hold() -> None:
    day = dt.date(2263, 1, 1)
    if int(pd.__version__.split(".")[0]) < 3:  # nanosecond timestamps end in 2262
        with pytest.raises(MammothInputError, match=r"created_at: date .* is out of range"):
            P.created_at(day)
    else:
        assert P.created_at(day) == (
            "(from:'2263-01-01T00:00:00.000Z',to:'2263-01-01T23:59:59.999999Z')"
        )


def test_one_rule_says_whether_a_create_source_is_another_dataset() -> None:
    P.distinct_source((1, 2, 102), (1, 2, 101))  # another dataset of the project: fine
    with pytest.raises(MammothInputError, match="dataset 101 is the destination itself") as same:
        P.distinct_source((1, 2, 101), (1, 2, 101))
    assert same.value.field == "source_id"
    with pytest.raises(MammothInputError, match="another workspace or project") as moved:
        P.distinct_source((1, 3, 102), (1, 2, 101), field="source", error=MappingError)
    assert isinstance(moved.value, MappingError)
    assert moved.value.field == "source"


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10", None, np.float64(3.0)])
def test_a_count_setting_is_a_whole_number_of_at_least_one(bad: object) -> None:
    with pytest.raises(MammothInputError) as caught:
        P.count("max_workers", bad, none_ok=True)
    assert caught.value.field == "max_workers"
    assert "None or an integer >= 1" in str(caught.value)


def test_a_count_setting_takes_numpy_integers() -> None:
    assert P.count("rows_per_frame", np.int64(25)) == 25
    assert P.count("max_retries", 0, minimum=0) == 0


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), True, "0.5", None])
def test_a_threshold_is_a_number_from_zero_to_one(bad: object) -> None:
    with pytest.raises(MappingError, match="a number from 0 to 1") as caught:
        P.fraction("min_confidence", bad, error=MappingError)
    assert caught.value.field == "min_confidence"
    assert P.fraction("suggest_min", np.float32(0.5)) == 0.5
