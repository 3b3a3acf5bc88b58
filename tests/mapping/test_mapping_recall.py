"""Rules that find pairs the names alone cannot place (units converted, weak names with a
clear lead), everyday words for common concepts, and dates read day-first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.mapping.decide import SUGGEST_LEAD_NAME, SUGGEST_NAME, decide
from mammoth_pandas.mapping.infer import profile
from mammoth_pandas.mapping.normalize import subjects_differ
from mammoth_pandas.mapping.score import UNIT_DISCOUNT, Evidence, data_similarity
from mammoth_pandas.mapping.sides import Column


def _rows(mapping):
    return {
        r.destination.c_id: (r.source.c_id if r.source else None, r.status) for r in mapping.rows
    }


# ------------------------------------------------------------- units converted


def _heights(seed, n=400):
    return np.round(np.random.default_rng(seed).normal(66.0, 4.0, n), 1)


@pytest.mark.parametrize(
    ("factor", "offset", "words"),
    [
        (2.54, 0.0, "inches to centimetres"),
        (1.0 / 2.54, 0.0, "centimetres to inches"),
        (1.8, 32.0, "Celsius to Fahrenheit"),
        (0.001, 0.0, "units to thousands"),
    ],
)
def test_values_written_in_another_unit_compare_once_converted(factor, offset, words):
    heights = _heights(1)
    dest = pd.Series(heights)
    # The same values in another order and unit.
    source = pd.Series(np.random.default_rng(2).permutation(heights) * factor + offset)
    score, how = data_similarity(profile(dest), profile(source))
    assert how.startswith(f"values alike once converted, {words} (")
    # As alike as the values in the same unit, less the discount.
    same, _ = data_similarity(profile(dest), profile(pd.Series(heights)))
    assert score == pytest.approx(UNIT_DISCOUNT * same, abs=0.02)


def test_an_opaque_column_in_another_unit_is_paired_by_its_converted_values():
    rng = np.random.default_rng(3)
    heights = _heights(4)
    destination = pd.DataFrame({"height": heights, "visits": rng.integers(0, 40, 400)})
    source = pd.DataFrame(
        {"col_7": rng.permutation(heights) * 2.54, "logins": rng.integers(0, 40, 400) * 1.0}
    )
    mapping = derive_mapping(source, destination)
    assert _rows(mapping)["height"] == ("col_7", "matched")
    row = next(r for r in mapping.rows if r.destination.c_id == "height")
    assert "once converted, inches to centimetres" in row.evidence


def test_whole_numbers_on_both_sides_are_not_converted():
    counts = np.random.default_rng(8).integers(0, 5000, 300)
    _, how = data_similarity(profile(pd.Series(counts)), profile(pd.Series(counts * 1000)))
    assert "converted" not in how
    # The same values with a fraction on one side are converted.
    _, how = data_similarity(profile(pd.Series(counts)), profile(pd.Series(counts * 0.001)))
    assert how.startswith("values alike once converted, units to thousands")


def test_a_spread_ratio_far_from_every_unit_is_not_converted():
    heights = _heights(6)
    _, how = data_similarity(profile(pd.Series(heights)), profile(pd.Series(heights * 7.0)))
    assert "converted" not in how


# ------------------------------------------------------------- weak names, clear lead


@pytest.mark.parametrize(
    ("a", "b", "differ"),
    [
        ("deal_id", "account_id", True),
        ("worst symmetry", "Worst Texture", True),
        ("wholesale_trade", "Retail Trade", True),
        ("last_name", "LastTitle", False),
        ("miles", "mls", False),
        ("probability", "deal_stage_probability", False),
    ],
)
def test_names_of_two_subjects_differ_and_partial_names_of_one_do_not(a, b, differ):
    assert subjects_differ(a, b) is differ


def _ev(score, name, data):
    return Evidence(score, name, "names", 1.0, "", data, "values")


def _decided(dest_names, source_names, evidence):
    dest = [Column(f"d{i}", n, "text") for i, n in enumerate(dest_names)]
    source = [Column(f"s{j}", n, "text") for j, n in enumerate(source_names)]
    out = decide(dest, source, evidence, min_confidence=0.6, suggest_min=0.42)
    return [(r[0].c_id if r and r[0] else None, r[3] if r else None) for r in out]


def test_a_weak_name_and_values_that_point_to_one_column_on_both_sides_are_a_suggestion():
    name = 0.57
    assert SUGGEST_LEAD_NAME <= name < SUGGEST_NAME
    evidence = [[_ev(0.57, name, 0.57), _ev(0.24, 0.0, 0.33)]]
    assert _decided(["last_name"], ["LastTitle", "notes"], evidence) == [("s0", "suggested")]


def test_the_lead_is_needed_and_names_of_other_subjects_never_take_part():
    close = [[_ev(0.57, 0.57, 0.57), _ev(0.50, 0.3, 0.6)]]
    assert _decided(["last_name"], ["LastTitle", "notes"], close) == [(None, "unmatched")]
    other = [[_ev(0.57, 0.57, 0.57), _ev(0.24, 0.0, 0.33)]]
    assert _decided(["deal_id"], ["account_id", "notes"], other) == [(None, "unmatched")]
    weaker = [[_ev(0.5, SUGGEST_LEAD_NAME - 0.05, 0.6), _ev(0.24, 0.0, 0.33)]]
    assert _decided(["last_name"], ["LastTitle", "notes"], weaker) == [(None, "unmatched")]


# ------------------------------------------------------------- general words for common concepts


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("age", "years old"),
        ("Age", "Years_Old"),
        ("address", "street"),
        ("neighborhood", "district"),
        ("neighbourhood", "suburb"),
        ("neighborhood", "locality"),
        ("date", "when"),
    ],
)
def test_common_concepts_have_their_everyday_words(one, other):
    from mammoth_pandas.mapping.normalize import canonical

    assert canonical(one) == canonical(other)


# ------------------------------------------------------------- dates read day-first


def test_first_of_month_dates_read_day_first_when_only_that_puts_them_on_one_day():
    from mammoth_pandas.mapping.dates import parse_dates

    dates, fail = parse_dates(pd.Series(["01/08/1855", "01/09/1855", "01/12/1854", "01/03/1856"]))
    assert fail == 0.0
    assert [d.strftime("%Y-%m-%d") for d in dates] == [
        "1855-08-01",
        "1855-09-01",
        "1854-12-01",
        "1856-03-01",
    ]


@pytest.mark.parametrize(
    "texts",
    [
        # Already on one day month-first (the 8th): month-first stands.
        ["01/08/1855", "02/08/1855", "03/08/1854"],
        # Neither reading on one day: month-first stands, as before.
        ["01/02/2020", "03/04/2020", "05/06/2020"],
    ],
)
def test_dates_read_month_first_unless_day_first_alone_is_monthly(texts):
    from mammoth_pandas.mapping.dates import parse_dates

    dates, _ = parse_dates(pd.Series(texts))
    assert [d.month for d in dates] == [int(t[:2]) for t in texts]
