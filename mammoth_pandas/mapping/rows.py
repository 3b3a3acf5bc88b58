"""A mapping's rows: one decision per destination column, its statuses and views.

:class:`Row` is what the mapping table, the panel and the stored form read: the
destination and source columns, ``confidence``, ``score``, ``evidence`` (an explanation in
words, leading with the evidence that decided the pair), ``status`` and ``review``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mammoth_pandas.mapping.score import Evidence
from mammoth_pandas.mapping.sides import Column

__all__ = [
    "FRAME_COLUMNS",
    "REVIEW_LEVELS",
    "STATUSES",
    "USER_STATUSES",
    "Row",
    "ambiguous_of",
    "conflicts_of",
    "frame_of",
]

#: Row statuses: derived (``matched``, ``suggested``, ``ambiguous``, ``unmatched``) or set by
#: the user (``manual`` after ``override``, ``unset`` after ``unset``, ``confirmed`` after
#: ``confirm``).
STATUSES: tuple[str, ...] = (
    "matched",
    "suggested",
    "ambiguous",
    "unmatched",
    "manual",
    "unset",
    "confirmed",
)

#: Review levels (``Row.review``): ``confident`` (a derived pair above ``min_confidence``),
#: ``suggested`` (a derived pair in the payload, to check), ``by hand`` (the user decided),
#: ``empty`` (nothing fills the destination).
REVIEW_LEVELS: tuple[str, ...] = ("confident", "suggested", "by hand", "empty")

FRAME_COLUMNS: tuple[str, ...] = (
    "destination_c_id",
    "destination_c_name",
    "destination_c_type",
    "source_c_id",
    "source_c_name",
    "source_c_type",
    "confidence",
    "score",
    "evidence",
    "status",
    "review",
)

#: Statuses the user decided (``override``, ``unset``, ``confirm``).
USER_STATUSES: tuple[str, ...] = ("manual", "unset", "confirmed")


@dataclass(frozen=True)
class Row:
    """The decision for one destination column.

    ``confidence`` is how sure the mapping is of the choice: the computed score for a
    derived pair, 1.0 for a pair the user set or confirmed, 0.0 for an empty destination.
    ``score`` is the computed score of the pair whoever chose it (``None`` when no
    source fills the destination).
    """

    destination: Column
    source: Column | None
    confidence: float
    evidence: str
    status: str
    candidates: tuple[tuple[Column, Evidence], ...] = ()
    computed_score: float | None = None

    @property
    def score(self) -> float | None:
        """The computed score of the pair (``None`` when nothing fills the column)."""
        if self.source is None:
            return None
        return self.computed_score if self.computed_score is not None else self.confidence

    @property
    def by_hand(self) -> bool:
        """Whether the user decided this row (``override``, ``unset`` or ``confirm``)."""
        return self.status in USER_STATUSES

    @property
    def review(self) -> str:
        """The review level: ``confident``, ``suggested``, ``by hand`` or ``empty``."""
        if self.by_hand:
            return "by hand"
        if self.source is None:
            return "empty"
        return "suggested" if self.status == "suggested" else "confident"

    def samples(self, n: int = 3) -> dict[str, list[str]]:
        """Up to ``n`` values of each column of the pair (empty lists without rows)."""
        return {
            "destination": self.destination.sample_values(n),
            "source": self.source.sample_values(n) if self.source is not None else [],
        }


def frame_of(rows: Sequence[Row]) -> pd.DataFrame:
    """One row per destination column.

    Its columns: ids, names, types, confidence, score, evidence, status and review level.

    ``confidence`` is 1.0 for a pair set or confirmed by hand (status ``manual`` or
    ``confirmed``) and the computed score for a derived one; ``score`` is always the
    computed score of the pair (missing when nothing fills the destination).
    """
    records = []
    for row in rows:
        src = row.source
        records.append(
            {
                "destination_c_id": row.destination.c_id,
                "destination_c_name": row.destination.c_name,
                "destination_c_type": row.destination.c_type.upper(),
                "source_c_id": src.c_id if src else None,
                "source_c_name": src.c_name if src else None,
                "source_c_type": src.c_type.upper() if src else None,
                "confidence": row.confidence,
                "score": row.score,
                "evidence": row.evidence,
                "status": row.status,
                "review": row.review,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS))
    for name in FRAME_COLUMNS:
        if name not in ("confidence", "score"):
            frame[name] = frame[name].astype("string")
    frame["confidence"] = frame["confidence"].astype("Float64")
    frame["score"] = pd.array([pd.NA if v is None else v for v in frame["score"]], dtype="Float64")
    return frame


def ambiguous_of(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Destination columns whose best candidates score too close to call, with evidence."""
    out = []
    for row in rows:
        if row.status != "ambiguous":
            continue
        out.append(
            {
                "destination_c_id": row.destination.c_id,
                "destination_c_name": row.destination.c_name,
                "source_c_id": row.source.c_id if row.source else None,
                "candidates": [
                    {"source_c_id": c.c_id, "source_c_name": c.c_name, "score": ev.score}
                    for c, ev in row.candidates
                ],
                "evidence": row.evidence,
            }
        )
    return out


def conflicts_of(rows: Sequence[Row]) -> list[dict[str, Any]]:
    """Mapped pairs whose values may not fit the destination's type.

    ``fail_share`` is the share of source values that do not parse (``None`` when the
    source's values are unknown: the server checks them on :meth:`validate`).
    """
    out = []
    for row in rows:
        src, dest = row.source, row.destination
        if src is None or src.c_type == dest.c_type or dest.c_type == "text":
            continue
        fail: float | None = None
        if src.profile is not None and not src.profile.empty:
            fail = src.profile.number_fail if dest.c_type == "numeric" else src.profile.date_fail
            if fail <= 0:
                continue
        kind = "numbers" if dest.c_type == "numeric" else "dates"
        message = (
            f"{fail:.0%} of {src.c_name!r} values do not parse as {kind}"
            if fail is not None
            else f"{src.c_name!r} is {src.c_type}: values unchecked, the server checks them"
        )
        out.append(
            {
                "destination_c_id": dest.c_id,
                "destination_c_name": dest.c_name,
                "destination_c_type": dest.c_type.upper(),
                "source_c_id": src.c_id,
                "source_c_name": src.c_name,
                "source_c_type": src.c_type.upper(),
                "fail_share": fail,
                "message": message,
            }
        )
    return out
