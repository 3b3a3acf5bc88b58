"""From the evidence matrix to one decision per destination column, at two levels.

Confident pairs come first: the optimal one-to-one assignment over the pairs scoring at
least ``min_confidence`` (:func:`~mammoth_pandas.mapping.assign.assign`). Then, with those
pairs fixed, a second assignment over what is left (destination columns still empty,
source columns still unused) proposes the pairs scoring at least ``suggest_min`` as
*suggestions*: they go into the payload but are marked for review (status ``suggested``).
A pair decided on values alone must lead its runner-up on both sides by ``VALUES_LEAD`` at
either level; without that lead it is too close to call (status ``ambiguous``).
Rows the user decided are kept as they are, and their columns take no part.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from mammoth_pandas.mapping.assign import Choice, assign
from mammoth_pandas.mapping.normalize import subjects_differ
from mammoth_pandas.mapping.score import Evidence
from mammoth_pandas.mapping.sides import Column

__all__ = ["DEFAULT_MIN_CONFIDENCE", "DEFAULT_SUGGEST_MIN", "RowDecision", "decide"]

#: Pairs scoring at least this are confident.
DEFAULT_MIN_CONFIDENCE = 0.6
#: Pairs scoring at least this (and below ``min_confidence``) are suggested for review.
DEFAULT_SUGGEST_MIN = 0.42

RowDecision = tuple[Column | None, float, str, str, tuple[tuple[Column, Evidence], ...]]


#: A suggestion needs a name this alike, or values this alike: a weak score made of weak
#: evidence of both kinds (a shape on another scale, a shared word) is no suggestion.
SUGGEST_NAME = 0.6
SUGGEST_DATA = 0.8


#: Two columns of yes/no flags with names this alike (``SUGGEST_NAME_ALONE``) and shares of
#: yes this alike make a suggestion.
SUGGEST_FLAG_DATA = 0.5


#: Without rows, names are all there is: a suggestion needs a name this alike.
SUGGEST_NAME_ALONE = 0.5


#: What is left once the confident pairs are fixed: a pair that is each column's best
#: choice there, ahead of the runner-up on both sides by this much, is telling too (the
#: values of an opaque column point to one destination column out of those still empty).
#: Only pairs where a name is opaque take part, with values at least ``SUGGEST_LEAD_DATA``
#: alike: names that differ are evidence against, and elimination alone is no evidence.
SUGGEST_LEAD = 0.1
SUGGEST_LEAD_DATA = 0.55


#: A pair decided on values alone (an opaque name, or names that share nothing) must lead
#: the runner-up by this much on both sides: over the destination's other candidate sources
#: and over the source's other candidate destinations. Otherwise it is not proposed, not
#: even as a suggestion: values a few hundredths more alike tell nothing.
VALUES_LEAD = 0.05
#: Values that fit this many other columns within ``VALUES_LEAD`` are a family of look-alikes.
LOOK_ALIKES = 2


def _values_alone(ev: Evidence) -> bool:
    return ev.name is None or ev.name <= 0.0


def _best_of_others(scores: np.ndarray, axis: int) -> np.ndarray:
    """For each cell, the best score along ``axis`` among the other cells (0 if none)."""
    if scores.shape[axis] < 2:
        return np.zeros(scores.shape)
    top = np.sort(scores, axis=axis)
    first = np.take(top, [-1], axis=axis)
    second = np.take(top, [-2], axis=axis)
    return np.where(scores >= first, second, first)


def _without_lead(
    scores: np.ndarray, alone: np.ndarray, despite: np.ndarray, confident: list[Choice]
) -> np.ndarray:
    """The pairs decided on values alone that do not lead their runner-up by ``VALUES_LEAD``.

    The runner-up is the best other candidate on either side. Candidates are the columns
    that no confident pair with name evidence holds: a column the names placed elsewhere is
    no candidate, one placed by values alone still is; but for a pair whose names differ
    (``despite``, not opaque) every other column is a candidate.
    """
    rows_free = np.ones(scores.shape[0], dtype=bool)
    cols_free = np.ones(scores.shape[1], dtype=bool)
    for k, choice in enumerate(confident):
        if choice.source is not None and not alone[k, choice.source]:
            rows_free[k] = cols_free[choice.source] = False
    across = _best_of_others(np.where(cols_free[np.newaxis, :], scores, 0.0), axis=1)
    down = _best_of_others(np.where(rows_free[:, np.newaxis], scores, 0.0), axis=0)
    lead = np.round(scores - np.maximum(across, down), 4)
    # Values that fit two other columns or more about as well are one of a family of
    # look-alikes (test scores, prices of a day): names that differ then weigh against the
    # pair (an opaque name does not), and the columns the names placed compete too.
    near = scores[:, :, np.newaxis] - VALUES_LEAD
    across_n = (scores[:, np.newaxis, :] >= near).sum(axis=2) - 1
    down_n = (scores.T[np.newaxis, :, :] >= near).sum(axis=2) - 1
    family = despite & (np.maximum(across_n, down_n) >= LOOK_ALIKES)
    every = np.maximum(_best_of_others(scores, axis=1), _best_of_others(scores, axis=0))
    lead = np.where(family, np.minimum(lead, np.round(scores - every, 4)), lead)
    return np.asarray(alone & (scores > 0) & (lead < VALUES_LEAD))


#: A pair whose names agree and that scores this much is placed before any pair on values
#: alone: the assignment may not trade it for two middling pairs of look-alike values.
NAMED_SURE = 0.9
NAMED_LEAD = 0.04
#: A pair whose names (``SUGGEST_NAME``) and values (``SUGGEST_DATA``) both agree is sure
#: from this score: a look-alike on values alone is no rival to it.
NAMED_AGREEING = 0.7


def _named_first(
    scores: np.ndarray, alone: np.ndarray, agreeing: np.ndarray | None = None
) -> np.ndarray:
    """``scores`` with the sure pairs the names place set apart (their row and column keep them).

    Among look-alike columns (years, test scores) the values of one column fit many others
    about as well; the assignment, maximising the total, may then pair a column with a
    look-alike and give its namesake to another, which a sure pair by name rules out. The
    sure pairs are those of the assignment over the pairs with name evidence alone that
    score at least :data:`NAMED_SURE` and lead every other such pair of their row and column
    by :data:`NAMED_LEAD` (two namesakes alike are left to the assignment, which says so),
    or score :data:`NAMED_AGREEING` with names and values that agree (``agreeing``).
    """
    named = np.where(alone, 0.0, scores)
    runner_up = np.maximum(_best_of_others(named, axis=1), _best_of_others(named, axis=0))
    sure = named >= NAMED_SURE
    if agreeing is not None:
        sure |= agreeing & (named >= NAMED_AGREEING)
    usable = np.where(sure & (named - runner_up >= NAMED_LEAD), named, 0.0)
    if not usable.any():
        return scores
    rows, cols = linear_sum_assignment(usable, maximize=True)
    out = scores.copy()
    for r, c in zip(rows, cols, strict=True):
        if usable[r, c] > 0:
            keep = out[r, c]
            out[r, :] = 0.0
            out[:, c] = 0.0
            out[r, c] = keep
    return out


def _agreeing(ev: Evidence) -> bool:
    """Names and values that both point to this pair (values not of a handful of codes)."""
    return (
        ev.name is not None
        and ev.name >= SUGGEST_NAME
        and ev.data is not None
        and ev.data >= SUGGEST_DATA
        and not ev.flags
        and not ev.few_levels
    )


def _telling(ev: Evidence) -> bool:
    name = ev.name or 0.0
    if ev.data is None:
        return name >= SUGGEST_NAME_ALONE
    if ev.flags:
        # Two flag columns look alike whatever they flag: the names must agree too.
        return name >= SUGGEST_NAME_ALONE and ev.data >= SUGGEST_FLAG_DATA
    # Values alike among a handful of codes (1..4) are alike by chance as often as not.
    return name >= SUGGEST_NAME or (ev.data >= SUGGEST_DATA and not ev.few_levels)


#: Names this alike (below ``SUGGEST_NAME``), about the same subject, with values at least
#: ``SUGGEST_LEAD_DATA`` alike, may make a suggestion by a clear lead too: weak evidence of
#: both kinds that points to one column on both sides (``last_name`` and ``LastTitle``,
#: ``miles`` and ``mls``).
SUGGEST_LEAD_NAME = 0.4


def _opaque_data(ev: Evidence, dest: Column, source: Column) -> float:
    """The data score of a pair whose values may place it by elimination, else 0.

    Such a pair has names that say nothing (an opaque name), values alike among a handful
    of codes, or names partly alike (``SUGGEST_LEAD_NAME``) that do not each name another
    subject (:func:`~mammoth_pandas.mapping.normalize.subjects_differ`).
    """
    if ev.name is None:
        return ev.data or 0.0
    if (
        SUGGEST_LEAD_NAME <= ev.name < SUGGEST_NAME
        and not ev.flags
        and not subjects_differ(dest.c_name, source.c_name)
    ):
        return ev.data or 0.0
    if ev.few_levels and (ev.data or 0.0) >= SUGGEST_DATA:
        return ev.data or 0.0
    return 0.0


def _clear_leads(rest: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Pairs that are both columns' best among what is left, by ``SUGGEST_LEAD`` or more."""
    if not rest.size:
        return np.zeros(rest.shape, dtype=bool)
    # a lead over every other cell of its row and column makes it both columns' best
    runner_up = np.maximum(_best_of_others(rest, axis=1), _best_of_others(rest, axis=0))
    return np.asarray((data >= SUGGEST_LEAD_DATA) & (rest - runner_up >= SUGGEST_LEAD))


def decide(
    destination: Sequence[Column],
    source: Sequence[Column],
    evidence: list[list[Evidence]],
    *,
    min_confidence: float,
    suggest_min: float,
    fixed: dict[int, int | None] | None = None,
) -> list[RowDecision | None]:
    """One ``(source, confidence, words, status, candidates)`` per destination column.

    ``fixed`` maps destination indices the user decided to their source index (or
    ``None``); those rows come back as ``None`` (keep the user's row) and their source
    columns are not offered to other destinations.
    """
    fixed = fixed or {}
    n_dest, n_src = len(destination), len(source)
    scores = np.zeros((n_dest, n_src), dtype="float64")
    for i, row in enumerate(evidence):
        for j, ev in enumerate(row):
            scores[i, j] = ev.score
    taken = {j for j in fixed.values() if j is not None}
    free_rows = [i for i in range(n_dest) if i not in fixed]
    free_cols = [j for j in range(n_src) if j not in taken]
    sub = scores[np.ix_(free_rows, free_cols)] if free_rows and free_cols else None
    out: list[RowDecision | None] = [None] * n_dest
    if sub is None:
        for i in free_rows:
            out[i] = (None, 0.0, "no source column is left to fill it", "unmatched", ())
        return out
    alone = np.array(
        [[_values_alone(evidence[i][j]) for j in free_cols] for i in free_rows], dtype=bool
    )
    agreeing = np.array(
        [[_agreeing(evidence[i][j]) for j in free_cols] for i in free_rows], dtype=bool
    )
    confident = assign(_named_first(sub, alone, agreeing), threshold=max(min_confidence, 1e-9))
    despite = np.array(
        [[evidence[i][j].name is not None for j in free_cols] for i in free_rows], dtype=bool
    )
    lacking = _without_lead(sub, alone, alone & despite, confident)
    # Pairs on values alone without a clear lead: too close to call (no suggestion either).
    no_lead = {
        k: c.source
        for k, c in enumerate(confident)
        if c.source is not None and lacking[k, c.source]
    }
    confident = [
        Choice(None, c.score, "ambiguous", c.candidates) if k in no_lead else c
        for k, c in enumerate(confident)
    ]
    used = {free_cols[c.source] for c in confident if c.source is not None}
    # Second level: what is left, one-to-one again, at the lower threshold.
    left_rows = [k for k, c in enumerate(confident) if c.source is None and c.status != "ambiguous"]
    left_cols = [k for k, j in enumerate(free_cols) if j not in used]
    suggestions: dict[int, int] = {}
    if suggest_min < min_confidence and left_rows and left_cols:
        rest = sub[np.ix_(left_rows, left_cols)]
        rest = np.where(lacking[np.ix_(left_rows, left_cols)], 0.0, rest)
        telling = np.array(
            [
                [_telling(evidence[free_rows[r]][free_cols[c]]) for c in left_cols]
                for r in left_rows
            ],
            dtype=bool,
        )
        data = np.array(
            [
                [
                    _opaque_data(
                        evidence[free_rows[r]][free_cols[c]],
                        destination[free_rows[r]],
                        source[free_cols[c]],
                    )
                    for c in left_cols
                ]
                for r in left_rows
            ],
            dtype="float64",
        )
        telling |= _clear_leads(rest, data)
        rest = np.where((rest < min_confidence) & telling, rest, 0.0)
        for k, choice in zip(
            left_rows, assign(rest, threshold=max(suggest_min, 1e-9)), strict=True
        ):
            if choice.source is not None and choice.status == "matched":
                suggestions[k] = free_cols[left_cols[choice.source]]
    for k, choice in enumerate(confident):
        i = free_rows[k]
        candidates = tuple(
            (source[free_cols[j]], evidence[i][free_cols[j]]) for j in choice.candidates
        )
        if choice.source is not None:
            j = free_cols[choice.source]
            ev = evidence[i][j]
            words = ev.explain()
            if choice.status == "ambiguous" and choice.rival is not None:
                words += f"; close to {source[free_cols[choice.rival]].c_name!r}"
            out[i] = (source[j], ev.score, words, choice.status, candidates)
        elif k in suggestions:
            j = suggestions[k]
            ev = evidence[i][j]
            words = f"suggested, check it: {ev.explain()}"
            others = tuple(c for c in candidates if c[0].c_id != source[j].c_id)
            out[i] = (source[j], ev.score, words, "suggested", ((source[j], ev), *others))
        elif k in no_lead:
            j = free_cols[no_lead[k]]
            ev = evidence[i][j]
            out[i] = (
                None,
                0.0,
                f"too close to call on values alone: {source[j].c_name!r} {ev.score:.2f} is "
                f"not {VALUES_LEAD} ahead of the next candidate; {ev.words()}",
                "ambiguous",
                candidates,
            )
        elif choice.status == "ambiguous":
            names = ", ".join(f"{c.c_name!r} {ev.score:.2f}" for c, ev in candidates[:3])
            out[i] = (None, 0.0, f"too close to call between {names}", "ambiguous", candidates)
        elif candidates:
            best_col, ev = candidates[0]
            out[i] = (
                None,
                0.0,
                f"nothing fits well enough; best {best_col.c_name!r} {ev.score:.2f}: {ev.words()}"
                + _held_back(source, evidence[i], free_cols),
                "unmatched",
                candidates,
            )
        else:
            held = _held_back(source, evidence[i], free_cols)
            words = f"nothing fits{held}" if held else "no source column can fill it"
            out[i] = (None, 0.0, words, "unmatched", ())
    return out


def _held_back(source: Sequence[Column], row: list[Evidence], free_cols: list[int]) -> str:
    """The source column held back from this destination with the most alike values, in words."""
    held = [j for j in free_cols if row[j].held]
    if not held:
        return ""
    j = max(held, key=lambda k: row[k].data or 0.0)
    return f"; held back: {source[j].c_name!r} ({row[j].words()})"
