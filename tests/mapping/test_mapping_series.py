"""Columns of one series: tables by year, numbered names written another way, and families of
look-alike values where only the names can tell the columns apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.mapping.decide import decide
from mammoth_pandas.mapping.infer import profile
from mammoth_pandas.mapping.normalize import is_opaque, name_similarity
from mammoth_pandas.mapping.score import (
    UNIT_NAMED_TOLERANCE,
    UNIT_TOLERANCE,
    Evidence,
    data_similarity,
)
from mammoth_pandas.mapping.sides import Column


def _rows(mapping):
    return {
        r.destination.c_id: (r.source.c_id if r.source else None, r.status) for r in mapping.rows
    }


def _alike(names, seed, n=120):
    """Columns whose values are drawn alike: only their names tell them apart."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({name: np.round(rng.normal(3.0, 1.2, n), 2) for name in names})


@pytest.mark.parametrize(
    ("name", "opaque"),
    [("1990", False), ("2013", False), ("col_7", True), ("7", True), ("x3", True),
     ("field12", True)],
)  # fmt: skip
def test_a_year_is_a_name_that_says_which_column_it_is(name, opaque):
    assert is_opaque(name) is opaque


@pytest.mark.parametrize(
    ("a", "b"),
    [("pixel17", "pixel_1_7"), ("Pxl05", "pixel_0_5"), ("pxl61", "pixel_6_1"),
     ("Pixeel03", "pixel_0_3")],
)  # fmt: skip
def test_the_same_digits_split_another_way_are_the_same_numbering(a, b):
    assert name_similarity(a, b).score >= 0.9
    assert name_similarity(b, a).score == name_similarity(a, b).score


@pytest.mark.parametrize(
    ("a", "b"),
    [("pxl 7 0", "pixel_0_7"), ("Pxl71", "pixel_1_7"), ("addr2", "address_line_1"),
     ("1990_f", "1991")],
)  # fmt: skip
def test_other_numbers_in_otherwise_alike_names_are_other_columns(a, b):
    assert name_similarity(a, b).score == 0.0


def test_a_table_by_year_pairs_each_year_with_its_namesake_and_no_other():
    years = [str(y) for y in range(1990, 2002)]
    destination = _alike(years, seed=1)
    # The source has most of the years, one the destination lacks, and one without a name.
    source = _alike([*years[1:9], "1988", "col_4"], seed=2)
    rows = _rows(derive_mapping(source, destination))
    for year in years[1:9]:
        assert rows[year][0] == year
    # Years the source lacks are not filled from another year, nor from the extra one.
    for year in (years[0], *years[9:]):
        assert rows[year][0] != "1988"
        assert rows[year][0] is None or rows[year][0] == "col_4"


def test_a_look_alike_left_over_is_not_paired_with_a_column_named_otherwise():
    destination = _alike(["math", "reading", "writing", "science"], seed=3)
    source = _alike(["math", "reading", "writing", "art"], seed=4)
    rows = _rows(derive_mapping(source, destination))
    assert rows["math"][0] == "math"
    assert rows["writing"][0] == "writing"
    # Four columns of alike values: that "art" is left over says nothing of "science".
    assert rows["science"][0] is None


def test_two_look_alikes_left_after_the_names_placed_the_rest_still_pair():
    destination = _alike(["Gross", "Net", "currency_code"], seed=5, n=400)
    destination["currency_code"] = np.where(np.arange(len(destination)) % 3, "EUR", "USD")
    source = _alike(["net", "amount", "currency_code"], seed=6, n=400)
    source["currency_code"] = np.where(np.arange(len(source)) % 2, "EUR", "USD")
    rows = _rows(derive_mapping(source, destination))
    assert rows["Net"][0] == "net"
    # Two money columns: once the names place "net", "amount" is the gross.
    assert rows["Gross"][0] == "amount"


def _ev(score, name):
    """Evidence with a name score (``None``: an opaque name, values alone)."""
    data = score / 0.8 if name is None else score
    return Evidence(score, name, "" if name else "opaque name", 1.0, "", data, "")


def test_a_sure_pair_by_name_is_not_traded_for_two_look_alikes_by_values():
    # d0 and s0 share their name (0.95); d1 and s1 look alike to s0 and d0 by values alone
    # about as much: the best total (0.7 + 0.7 > 0.95 + 0.4) would split the namesakes.
    evidence = [
        [_ev(0.95, 1.0), _ev(0.70, None)],
        [_ev(0.70, None), _ev(0.40, None)],
    ]
    dest = [Column("d0", "1990", "numeric"), Column("d1", "1991", "numeric")]
    source = [Column("s0", "1990", "numeric"), Column("s1", "col_3", "numeric")]
    out = decide(dest, source, evidence, min_confidence=0.6, suggest_min=0.42)
    first, second = out
    assert first is not None
    assert first[0] is not None
    assert first[0].c_id == "s0"
    assert second is not None
    assert second[0] is None


def test_a_series_named_by_one_letter_and_a_number_keeps_its_letter():
    # "s" starts most destination names: set aside as an affix, it would leave "3" alone,
    # an opaque name; "s3" against "s_3_f" is a name that agrees, even with no rows.
    names = ["age", "bmi", "s1", "s2", "s3", "s4", "s5", "s6"]
    destination = [{"c_id": n, "c_name": n, "c_type": "numeric"} for n in names]
    source = [
        {"c_id": n, "c_name": n, "c_type": "numeric"}
        for n in ["s_3_f", "BMI", "age", "S_1", "s 2", "s4", "s5", "s6"]
    ]
    rows = _rows(derive_mapping(source, destination))
    assert rows["s3"][0] == "s_3_f"
    assert rows["s1"][0] == "S_1"
    assert rows["s2"][0] == "s 2"


def test_a_unit_one_name_says_widens_the_spreads_a_conversion_is_tried_at():
    # Twelve rows a side: the spreads of two samples differ by more than the unit does.
    pounds = pd.Series([120, 135, 142, 150, 155, 160, 163, 170, 178, 185, 196, 210], dtype=float)
    other = pd.Series([128, 131, 140, 144, 149, 151, 158, 161, 166, 172, 176, 240], dtype=float)
    kilograms = other * 0.45359237
    a, b = profile(pounds), profile(kilograms)
    ratio = b.spread / a.spread / 0.45359237
    assert abs(ratio - 1.0) > UNIT_TOLERANCE
    assert abs(ratio - 1.0) <= UNIT_NAMED_TOLERANCE
    _, unnamed = data_similarity(a, b)
    assert "converted" not in unnamed
    alike, named = data_similarity(a, b, frozenset({"kg"}))
    assert named.startswith("values alike once converted, pounds to kilograms")
    assert alike is not None
    assert alike >= 0.6


@pytest.mark.parametrize(
    ("a", "b"), [("INCOME", "INCOEM"), ("hlthf", "htlhf"), ("GNPDEFL", "gnpdelf")]
)
def test_two_neighbouring_letters_swapped_are_one_name_mistyped(a, b):
    match = name_similarity(a, b)
    assert match.score >= 0.9
    assert match.how == "typo: two letters swapped"


@pytest.mark.parametrize(("a", "b"), [("hlthf", "hlthg"), ("s12", "s21"), ("abc", "bac")])
def test_other_differences_are_no_swap(a, b):
    assert name_similarity(a, b).how != "typo: two letters swapped"


def test_a_mistyped_name_beats_an_abbreviation_that_fits_two_columns():
    names = ["income", "incomesq", "age"]
    destination = [{"c_id": n, "c_name": n, "c_type": "numeric"} for n in names]
    source = [{"c_id": n, "c_name": n, "c_type": "numeric"} for n in ["incoem", "inco", "AGE"]]
    rows = _rows(derive_mapping(source, destination))
    assert rows["income"][0] == "incoem"
    assert rows["age"][0] == "AGE"


def test_names_and_values_that_agree_are_not_made_ambiguous_by_a_look_alike():
    destination = _alike(["age", "bmi", "s1", "s2"], seed=8, n=300)
    source = _alike(["age_yrs", "bmi", "col_9", "s2"], seed=9, n=300)
    rows = _rows(derive_mapping(source, destination))
    # "col_9" looks like "age" as much as "age_yrs" does; the names say which.
    assert rows["age"][0] == "age_yrs"
