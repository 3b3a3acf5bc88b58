"""Each kind of evidence: names, abbreviations, synonyms, typos, types and values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.mapping.infer import profile
from mammoth_pandas.mapping.normalize import (
    canonical,
    is_opaque,
    kind_conflict,
    name_similarity,
    split_compound,
    stem,
    words,
)
from mammoth_pandas.mapping.score import (
    FLAG_DATA,
    data_similarity,
    name_fits,
    score_matrix,
    type_fit,
)
from mammoth_pandas.mapping.sides import Column


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("customerName", ("customer", "name")),
        ("Customer_Name", ("customer", "name")),
        ("  customer-name ", ("customer", "name")),
        ("CUSTOMER NAME", ("customer", "name")),
        ("Émail", ("email",)),
        ("HTTPServerPort2", ("http", "server", "port", "2")),
        ("Growth %", ("growth", "percent")),
    ],
)
def test_words_normalise_case_spacing_punctuation_camel_and_accents(name, expected):
    assert words(name) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("qty", "quantity"),
        ("amt", "Amount"),
        ("cust_id", "customer id"),
        ("Tel", "phone"),
        ("DOB", "date of birth"),
        ("zip", "Postal code"),
        ("zipcode", "post code"),
        ("e-mail address", "Email"),
    ],
)
def test_abbreviations_and_synonyms_fold_to_one_spelling(a, b):
    assert canonical(a) == canonical(b)
    assert name_similarity(a, b).score >= 0.9


def test_rules_recognise_prefixes_skeletons_initials_and_typos():
    assert name_similarity("precip", "precipitation").how.startswith("abbreviation")
    assert name_similarity("mgmt fee", "management fee").score >= 0.8
    assert name_similarity("mpg", "Miles per Gallon").how == "initials"
    assert name_similarity("petal_lenght", "petalLength").how.startswith("typo")
    assert name_similarity("temp_max", "max temperature").score >= 0.9
    assert name_similarity("Order ID", "order_no").how == "identifier id~number"


def test_words_run_together_split_on_a_word_of_the_other_name():
    assert name_similarity("CONTACTID", "Id").score > name_similarity("CONTACTID", "Ide").score
    assert name_similarity("CONTACTID", "contact").score >= 0.8
    # A kind word run together with its subject still names the kind.
    assert kind_conflict("customerid", "customer", "numeric", "text")
    assert kind_conflict("username", "user_id")
    assert kind_conflict("valid", "is_valid") is None


def test_another_unit_on_each_side_counts_as_the_same_quantity_converted():
    converted = name_similarity("Weight_in_lbs", "weight_kg")
    assert "other unit lbs~kg" in converted.how
    assert converted.score > name_similarity("Weight_in_lbs", "weight_x").score


def test_lookalike_names_that_mean_something_else_score_low():
    assert name_similarity("temp_max", "temp_min").score <= 0.5
    assert name_similarity("first name", "last name").score < 0.5
    assert name_similarity("invc", "invt").score < 0.6  # a letter off in a short word
    assert name_similarity("age", "average").score == 0.0


def test_opaque_names():
    assert is_opaque("col_7")
    assert is_opaque("Column 12")
    assert is_opaque("field3")
    assert not is_opaque("column name")


def _col(name: str, c_type: str, values=None) -> Column:
    series = pd.Series(values) if values is not None else None
    return Column(name, name, c_type, series, profile(series) if series is not None else None)


def test_type_fit():
    assert type_fit(_col("a", "numeric"), _col("b", "numeric"))[0] == 1.0
    assert type_fit(_col("a", "text"), _col("b", "numeric"))[0] > 0
    assert type_fit(_col("a", "numeric"), _col("b", "date"))[0] == 0.0
    assert type_fit(_col("a", "date"), _col("b", "numeric"))[0] == 0.0
    unchecked, how = type_fit(_col("a", "numeric"), _col("b", "text"))
    assert 0 < unchecked < 1
    assert "unchecked" in how
    half = _col("b", "text", ["1", "2", "x", "y"])
    fit, how = type_fit(_col("a", "numeric"), half)
    assert fit == pytest.approx(0.5)
    assert "50%" in how


def test_value_overlap_formats_and_distributions():
    rng = np.random.default_rng(1)
    cities = list(rng.choice(["Lima", "Oslo", "Pune"], 80))
    overlap, how = data_similarity(profile(pd.Series(cities)), profile(pd.Series(cities[::-1])))
    assert overlap == 1.0
    assert "distinct values shared" in how
    emails_a = pd.Series([f"a{i}@x.org" for i in range(50)])
    emails_b = pd.Series([f"b{i}@y.com" for i in range(50)])
    similar, how = data_similarity(profile(emails_a), profile(emails_b))
    assert similar > 0.7
    assert "email" in how
    words_col = pd.Series(["red apple", "green pear"] * 25)
    assert data_similarity(profile(emails_a), profile(words_col))[0] < similar
    same = data_similarity(
        profile(pd.Series(rng.normal(50, 5, 200))), profile(pd.Series(rng.normal(50, 5, 200)))
    )[0]
    other = data_similarity(
        profile(pd.Series(rng.normal(50, 5, 200))), profile(pd.Series(rng.normal(500, 5, 200)))
    )[0]
    assert same > 0.8 > 0.5 > other
    unit = data_similarity(
        profile(pd.Series(rng.gamma(2, 10, 300))), profile(pd.Series(rng.gamma(2, 10, 300) * 2.54))
    )
    assert "once converted, inches to centimetres" in unit[1]
    # A factor that is no common unit: the same shape on another scale.
    scaled = data_similarity(
        profile(pd.Series(rng.gamma(2, 10, 300))), profile(pd.Series(rng.gamma(2, 10, 300) * 7.0))
    )
    assert "another scale" in scaled[1]
    assert data_similarity(profile(pd.Series([1.0, 2.0])), None) == (None, "no rows on one side")
    assert data_similarity(profile(pd.Series([1.0, 2.0])), profile(pd.Series(["a", "b"])))[0] == 0


def test_numbers_and_dates_stored_as_text_are_compared_as_numbers_and_dates(people):
    source = pd.DataFrame(
        {
            "col_1": [f"{v:,.2f}" for v in people["lifetime_value"][::-1]],
            "col_2": people["signup_date"].dt.strftime("%b %d, %Y"),
            "col_3": people["city"],
        }
    )
    mapping = derive_mapping(source, people)
    found = {r.destination.c_id: (r.source.c_id if r.source else None) for r in mapping.rows}
    assert found["lifetime_value"] == "col_1"
    assert found["signup_date"] == "col_2"
    assert found["city"] == "col_3"
    assert found["customer_name"] is None
    evidence = mapping.to_frame().set_index("destination_c_id")["evidence"]
    assert "name not used (opaque name)" in evidence["lifetime_value"]
    assert "data" in evidence["lifetime_value"]


def test_unit_change_is_matched_on_name_and_shape(people):
    source = pd.DataFrame(
        {
            "lifetime value (cents)": (people["lifetime_value"] * 100).round(),
            "order count": people["orders"],
        }
    )
    mapping = derive_mapping(source, people)
    found = {r.destination.c_id: (r.source.c_id if r.source else None) for r in mapping.rows}
    assert found["lifetime_value"] == "lifetime value (cents)"
    assert found["orders"] == "order count"


def test_profiles_drop_nulls_of_every_dtype():
    ints = profile(pd.Series([1, None, 3], dtype="Int64"))
    assert (ints.kind, ints.count, list(ints.numbers)) == ("numeric", 2, [1.0, 3.0])
    stamps = pd.Series(pd.to_datetime(["2024-01-01", None, "2024-01-03"], utc=True))
    assert (profile(stamps).kind, profile(stamps).count) == ("date", 2)
    flags = profile(pd.Series([True, False, None], dtype="boolean"))
    assert (flags.kind, flags.count, flags.distinct) == ("text", 2, frozenset({"true", "false"}))
    assert profile(pd.Series([None, float("nan")], dtype=object)).empty
    assert profile(pd.Series(["  ", None, " 3/4/2024 ", "12/31/2023"])).kind == "date"


def test_flags_written_another_way_compare_by_their_share_of_yes():
    rng = np.random.default_rng(3)
    yes = rng.random(120) < 0.6
    numbers = profile(pd.Series(yes.astype(int)))
    words = profile(pd.Series(np.where(yes[::-1], "Yes", "No")))
    booleans = profile(pd.Series(yes))
    assert numbers.flag_share == pytest.approx(yes.mean())
    assert words.flag_share == pytest.approx(yes.mean())
    assert booleans.flag_share == pytest.approx(yes.mean())
    score, how = data_similarity(numbers, words)
    assert score == pytest.approx(FLAG_DATA)
    assert "yes/no flags" in how
    rare = profile(pd.Series(np.where(rng.random(120) < 0.1, "Y", "N")))
    assert data_similarity(numbers, rare)[0] < score
    # Not flags: a count of ones, other words, more than two values.
    assert profile(pd.Series([1, 1, 1])).flag_share is None
    assert profile(pd.Series(["Y", "Y"])).flag_share is None
    assert profile(pd.Series(["yes", "maybe", "no"])).flag_share is None
    assert profile(pd.Series(["yes", "false"])).flag_share is None
    assert profile(pd.Series([0, 1, 2])).flag_share is None
    fit, how = type_fit(
        Column("a", "a", "numeric", None, numbers), Column("b", "b", "text", None, words)
    )
    assert fit > 0.8
    assert "flags" in how


def test_a_flag_column_pairs_with_its_namesake_written_yes_no():
    rng = np.random.default_rng(4)
    destination = pd.DataFrame(
        {"refunded": (rng.random(100) < 0.3).astype(int), "amount": rng.gamma(2, 50, 100)}
    )
    source = pd.DataFrame(
        {
            "Refunded": np.where(rng.random(90) < 0.3, "Yes", "No"),
            "Amount": rng.gamma(2, 50, 90),
            "is_test": np.where(rng.random(90) < 0.3, "true", "false"),
        }
    )
    found = {
        r.destination.c_id: (r.source.c_id if r.source else None)
        for r in derive_mapping(source, destination).rows
    }
    assert found == {"refunded": "Refunded", "amount": "Amount"}
    # Two flags alike whose names share nothing are no pair, not even a suggestion.
    alone = derive_mapping(source[["is_test"]], destination[["refunded"]])
    assert alone.rows[0].source is None


def test_a_short_abbreviation_that_fits_several_names_tells_less_which():
    alone = score_matrix((_col("realgdp", "numeric"),), (_col("rea", "numeric"),))[0][0]
    several = score_matrix(
        tuple(_col(n, "numeric") for n in ("realgdp", "realcons", "realinv")),
        (_col("rea", "numeric"), _col("unemp", "numeric")),
    )
    assert alone.name is not None
    assert several[0][0].name is not None
    assert several[0][0].name < alone.name
    assert "fits 3 columns" in several[0][0].name_how
    assert name_fits(["realgdp", "unemp"], ["rea", "unemployment"]).tolist() == [[1, 1], [1, 1]]


def test_words_run_together_from_known_words_and_other_forms_of_a_word():
    assert split_compound("createdate") == ("create", "date")
    assert split_compound("customerid") == ("customer", "id")
    assert split_compound("candidate") == ("candidate",)
    assert split_compound("category") == ("category",)
    assert stem("created") == stem("creation") == stem("create")
    assert stem("state") != stem("status")
    assert name_similarity("CreatedDate", "createdate").score > 0.9
    assert "another form" in name_similarity("CreatedDate", "createdate").how
    assert kind_conflict("Created Time", "createdate", "date", "text") is None
