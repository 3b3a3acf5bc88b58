"""Three rules that keep wrong pairs out: a lead for values alone, numbering, contained names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.mapping.decide import VALUES_LEAD, decide
from mammoth_pandas.mapping.normalize import contained, name_similarity, numbering_only
from mammoth_pandas.mapping.score import CONTAINED_DATA, Evidence
from mammoth_pandas.mapping.sides import Column


def _rows(mapping):
    return {
        r.destination.c_id: (r.source.c_id if r.source else None, r.status) for r in mapping.rows
    }


def _schema(names, c_type="numeric"):
    return [{"c_id": n, "c_name": n, "c_type": c_type} for n in names]


# ------------------------------------------------------------- numbering


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("s3", "s5"),
        ("q1_score", "q2_score"),
        ("field_12", "field_13"),
        ("Address line 1", "address_line_2"),
        ("revenue2019", "Revenue 2020"),
    ],
)
def test_names_that_differ_only_in_their_numbering_are_no_name_evidence(a, b):
    assert numbering_only(a, b)
    match = name_similarity(a, b)
    assert (match.score, match.how) == (0.0, "only the numbering differs")


@pytest.mark.parametrize(
    ("a", "b"), [("q1_score", "Q1 Score"), ("q1_score", "q_score"), ("s3", "t3"), ("s3", "s3")]
)
def test_the_same_number_or_a_number_on_one_side_only_is_not_numbering(a, b):
    assert not numbering_only(a, b)


def test_numbered_names_are_not_paired_on_names():
    source = _schema(["q1_score"]) + _schema(["address_line_1"], "text")
    dest = _schema(["q2_score"]) + _schema(["address_line_2"], "text")
    assert _rows(derive_mapping(source, dest)) == {
        "q2_score": (None, "unmatched"),
        "address_line_2": (None, "unmatched"),
    }
    # The same number still pairs.
    same = derive_mapping(_schema(["Q1 Score"]), _schema(["q1_score"]))
    assert _rows(same) == {"q1_score": ("Q1 Score", "matched")}


def test_numbered_names_with_values_only_somewhat_alike_stay_apart():
    rng = np.random.default_rng(3)
    source = pd.DataFrame({"q1_score": rng.normal(56, 14, 150).round(1)})
    dest = pd.DataFrame({"q2_score": rng.normal(50, 10, 150).round(1)})
    mapping = derive_mapping(source, dest)
    (candidate,) = mapping.candidates("q2_score")
    assert "only the numbering differs" in candidate["evidence"]
    assert _rows(mapping) == {"q2_score": (None, "unmatched")}


# ------------------------------------------------------------- contained names


@pytest.mark.parametrize(
    ("a", "b", "c_type", "expected"),
    [
        ("amount", "amount_tax", "numeric", True),
        ("city", "city_code", "text", True),
        ("id", "Manager_ID", "text", True),
        ("weight", "weight_kg", "numeric", False),  # a unit only
        ("customer", "customer_name", "text", False),  # a text column holds a name
        ("email", "email_address", "text", False),  # one word in the vocabulary
        ("amount", "total", "numeric", False),
    ],
)
def test_one_name_contained_in_another(a, b, c_type, expected):
    assert contained(a, b, c_type, c_type) is expected
    assert contained(b, a, c_type, c_type) is expected


def _contained_frames(strong: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 120
    if strong:
        source = pd.DataFrame(
            {
                "price_total": rng.uniform(100, 1000, n).round(2),
                "subscribed_newsletter": rng.choice(["yes", "no"], n),
            }
        )
        dest = pd.DataFrame(
            {
                "price": rng.uniform(100, 1000, n).round(2),
                "subscribed": rng.choice([True, False], n),
            }
        )
        return source, dest
    source = pd.DataFrame(
        {
            "amount_tax": (rng.uniform(100, 1000, n) * 0.2).round(2),
            "city_code": rng.choice(["LON", "PAR", "NYC", "BER"], n),
        }
    )
    dest = pd.DataFrame(
        {
            "amount": rng.uniform(100, 1000, n).round(2),
            "city": rng.choice(["London", "Paris", "New York", "Berlin"], n),
        }
    )
    return source, dest


def test_a_name_inside_another_does_not_pair_on_weakly_alike_values():
    source, dest = _contained_frames(strong=False)
    mapping = derive_mapping(source, dest)
    assert _rows(mapping) == {"amount": (None, "unmatched"), "city": (None, "unmatched")}
    row = {r.destination.c_id: r for r in mapping.rows}["amount"]
    assert "held back: 'amount_tax'" in row.evidence
    assert "one name is the other with more words" in row.evidence
    assert _scores(mapping, "amount")["amount_tax"] == 0.0


def test_a_name_inside_another_pairs_on_alike_values_and_flags_are_exempt():
    source, dest = _contained_frames(strong=True)
    mapping = derive_mapping(source, dest)
    assert _rows(mapping) == {
        "price": ("price_total", "matched"),
        "subscribed": ("subscribed_newsletter", "matched"),
    }
    # The flags' values score below the bar, and they pair all the same.
    flags = {r.destination.c_id: r for r in mapping.rows}["subscribed"]
    (_, evidence), *_ = flags.candidates
    assert evidence.flags
    assert evidence.data is not None
    assert evidence.data < CONTAINED_DATA


def test_without_values_a_name_inside_another_is_left_to_the_names():
    mapping = derive_mapping(_schema(["amount_tax"]), _schema(["amount"]))
    assert _rows(mapping) == {"amount": ("amount_tax", "suggested")}


# ------------------------------------------------------------- values alone


def _quantities(seed: int, mean: float, spread: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two quantities on close scales, their source columns opaque."""
    rng = np.random.default_rng(seed)
    n = 200
    dest = pd.DataFrame(
        {"price": rng.normal(50, 10, n).round(2), "cost": rng.normal(mean, spread, n).round(2)}
    )
    source = pd.DataFrame(
        {"col_1": rng.normal(50, 10, n).round(2), "col_2": rng.normal(mean, spread, n).round(2)}
    )
    return source, dest


def _scores(mapping, dest):
    return {c["source_c_id"]: c["score"] for c in mapping.candidates(dest)}


def test_values_alone_without_a_lead_on_both_sides_are_too_close_to_call():
    source, dest = _quantities(2, 54, 12)
    mapping = derive_mapping(source, dest)
    price, cost = _scores(mapping, "price"), _scores(mapping, "cost")
    # Each pair is its columns' best, but col_1 leads col_2 for price by less than the
    # lead, and col_2 leads col_1 for cost by more.
    assert 0 < price["col_1"] - price["col_2"] < VALUES_LEAD
    assert price["col_1"] - cost["col_1"] >= VALUES_LEAD
    assert cost["col_2"] - max(cost["col_1"], price["col_2"]) >= VALUES_LEAD
    assert _rows(mapping) == {"price": (None, "ambiguous"), "cost": ("col_2", "matched")}
    row = {r.destination.c_id: r for r in mapping.rows}["price"]
    assert row.evidence.startswith("too close to call on values alone: 'col_1'")
    # Nor is it a suggestion when the confident level is out of reach.
    cautious = derive_mapping(source, dest, min_confidence=0.95, suggest_min=0.42)
    assert _rows(cautious)["price"][0] is None


def _ev(score, name):
    how = "opaque name" if name is None else "names"
    return Evidence(score, name, how, 1.0, "", score / 0.8 if name is None else score, "")


def _decided(evidence, **kw):
    dest = [Column(f"d{i}", f"dest {i}", "numeric") for i in range(len(evidence))]
    source = [Column(f"s{j}", f"col_{j}", "numeric") for j in range(len(evidence[0]))]
    kw = {"min_confidence": 0.6, "suggest_min": 0.42, **kw}
    out = decide(dest, source, evidence, **kw)
    return [(r[0].c_id if r and r[0] else None, r[3] if r else None) for r in out]


@pytest.mark.parametrize(("runner_up", "status"), [(0.655, "ambiguous"), (0.64, "matched")])
def test_the_lead_over_the_destination_s_other_sources(runner_up, status):
    evidence = [[_ev(0.70, None), _ev(runner_up, None)], [_ev(0.1, None), _ev(0.1, None)]]
    got = _decided(evidence)[0]
    assert got == (("s0", status) if status == "matched" else (None, status))


def test_the_lead_over_the_source_s_other_destinations_placed_by_values_too():
    # d1 holds s1 on values alone (0.9) and takes s0 nearly as well as d0 does.
    evidence = [[_ev(0.70, None), _ev(0.1, None)], [_ev(0.67, None), _ev(0.9, None)]]
    assert _decided(evidence) == [(None, "ambiguous"), ("s1", "matched")]


def test_a_column_the_names_placed_elsewhere_is_no_candidate():
    # d1 holds s1 by its name; that it would take s0 almost as well does not count.
    evidence = [[_ev(0.70, None), _ev(0.1, None)], [_ev(0.67, None), _ev(0.9, 0.9)]]
    assert _decided(evidence) == [("s0", "matched"), ("s1", "matched")]


def test_a_pair_with_name_evidence_needs_no_lead():
    # 0.045 ahead: enough for a pair the names support, not for one on values alone.
    evidence = [[_ev(0.70, 0.6), _ev(0.655, 0.5)], [_ev(0.1, None), _ev(0.1, None)]]
    assert _decided(evidence)[0] == ("s0", "matched")
    evidence = [[_ev(0.70, None), _ev(0.655, None)], [_ev(0.1, None), _ev(0.1, None)]]
    assert _decided(evidence)[0] == (None, "ambiguous")
