"""The optimal one-to-one assignment of source columns to destination columns.

Scores below the threshold never pair; among the rest, :func:`assign` maximises the total
score (``scipy.optimize.linear_sum_assignment``), then flags a pair as ambiguous when a
credible alternative scores within ``margin`` of it. An ambiguous pair below
``sure`` is left unmatched rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["Choice", "assign"]


@dataclass(frozen=True)
class Choice:
    """The decision for one destination column.

    ``source`` is the chosen source index or ``None``; ``status`` is ``matched``,
    ``ambiguous`` (a close alternative exists; chosen only when the score is sure) or
    ``unmatched``; ``candidates`` lists the best source indices, best first.
    """

    source: int | None
    score: float
    status: str
    candidates: tuple[int, ...]
    rival: int | None = None


def assign(
    scores: np.ndarray,
    *,
    threshold: float,
    margin: float = 0.04,
    sure: float = 0.9,
) -> list[Choice]:
    """Choose at most one source per destination (rows) and destination per source (columns)."""
    n_dest, n_source = scores.shape
    if n_dest == 0 or n_source == 0:
        return [Choice(None, 0.0, "unmatched", ()) for _ in range(n_dest)]
    usable = np.where(scores >= threshold, scores, 0.0)
    rows, cols = linear_sum_assignment(usable, maximize=True)
    chosen: dict[int, int] = {
        int(r): int(c) for r, c in zip(rows, cols, strict=True) if usable[r, c] > 0
    }
    owner = {c: r for r, c in chosen.items()}
    choices = []
    for i in range(n_dest):
        order = [int(j) for j in np.argsort(-scores[i], kind="stable") if scores[i, j] > 0][:3]
        j = chosen.get(i)
        if j is None:
            choices.append(
                Choice(
                    None, float(scores[i, order[0]]) if order else 0.0, "unmatched", tuple(order)
                )
            )
            continue
        score = float(scores[i, j])
        rival = None
        best_alt = 0.0
        # Another source that this destination could equally take: unused, or contested
        # (its owner scores it about as well as this destination does).
        for k in range(n_source):
            if k == j or scores[i, k] < threshold:
                continue
            other = owner.get(k)
            if other is not None and abs(scores[other, k] - scores[i, k]) > margin:
                continue
            if scores[i, k] > best_alt:
                best_alt, rival = float(scores[i, k]), k
        # Another destination that could equally take this source: unmatched, or contested.
        for d in range(n_dest):
            if d == i or scores[d, j] < threshold:
                continue
            other_source = chosen.get(d)
            if other_source is not None and abs(scores[d, other_source] - scores[d, j]) > margin:
                continue
            if scores[d, j] > best_alt:
                best_alt, rival = float(scores[d, j]), None
        if score - best_alt >= margin:
            choices.append(Choice(j, score, "matched", tuple(order)))
        elif score >= sure:
            choices.append(Choice(j, score, "ambiguous", tuple(order), rival))
        else:
            choices.append(
                Choice(None, score, "ambiguous", tuple(dict.fromkeys([j, *order])), rival)
            )
    return choices
