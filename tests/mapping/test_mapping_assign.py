"""The one-to-one assignment: optimal, thresholded, honest about ties."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.mapping.assign import assign


def test_assignment_maximises_the_total_where_greedy_would_not():
    # Greedy takes (0, 0) = 0.9 and leaves row 1 with 0.1; the optimum pairs 0-1 and 1-0.
    scores = np.array([[0.9, 0.8], [0.85, 0.1]])
    choices = assign(scores, threshold=0.5, margin=0.0)
    assert [c.source for c in choices] == [1, 0]


def test_below_threshold_is_left_unmatched_with_its_best_candidate():
    scores = np.array([[0.95, 0.2], [0.3, 0.4]])
    first, second = assign(scores, threshold=0.6)
    assert (first.source, first.status) == (0, "matched")
    assert (second.source, second.status) == (None, "unmatched")
    assert second.candidates == (1, 0)


def test_a_close_call_is_ambiguous_and_left_unmatched_unless_sure():
    unsure = assign(np.array([[0.7, 0.69]]), threshold=0.6)[0]
    assert (unsure.source, unsure.status) == (None, "ambiguous")
    assert set(unsure.candidates[:2]) == {0, 1}
    sure = assign(np.array([[0.95, 0.94]]), threshold=0.6)[0]
    assert (sure.source, sure.status) == (0, "ambiguous")


def test_a_rival_already_taken_with_a_clearly_better_score_is_no_ambiguity():
    # Source 1 is close for destination 0 but clearly belongs to destination 1.
    scores = np.array([[0.8, 0.78], [0.1, 0.99]])
    choices = assign(scores, threshold=0.6)
    assert [(c.source, c.status) for c in choices] == [(0, "matched"), (1, "matched")]


def test_empty_sides():
    assert assign(np.zeros((2, 0)), threshold=0.6)[0].status == "unmatched"
    assert assign(np.zeros((0, 3)), threshold=0.6) == []


def test_destination_without_counterpart_stays_unmatched_rather_than_guessed(people):
    source = people.drop(columns=["orders", "email"]).rename(columns={"city": "town"})
    source["notes"] = ["see file"] * len(source)
    source["batch_no"] = np.arange(len(source)) % 4
    mapping = derive_mapping(source, people)
    assert sorted(mapping.unmatched_destination) == ["email", "orders"]
    assert sorted(mapping.unused_source) == ["batch_no", "notes"]


def test_one_source_never_fills_two_destinations():
    dest = pd.DataFrame({"amount": [1.0, 2.0, 3.0], "amount total": [1.0, 2.0, 3.0]})
    source = pd.DataFrame({"amt": [1.0, 2.0, 3.0]})
    mapping = derive_mapping(source, dest)
    filled = [r.source.c_id for r in mapping.rows if r.source]
    assert filled == ["amt"]
