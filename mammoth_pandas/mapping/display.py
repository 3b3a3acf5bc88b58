"""How a :class:`~mammoth_pandas.mapping.model.Mapping` shows itself: text, HTML, Styler.

Every view colours a row by its review level (:data:`REVIEW_COLOURS`): confident pairs
green, suggestions amber (they are in the payload, but marked for review), pairs decided by
hand blue, empty destinations uncoloured.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
from tabulate import tabulate

if TYPE_CHECKING:
    from mammoth_pandas.mapping.rows import Row

__all__ = ["REVIEW_COLOURS", "Shown", "html_table", "styler", "summary", "text_table"]


class Shown(Protocol):
    """What the views read of a mapping (:class:`~mammoth_pandas.mapping.model.Mapping`)."""

    @property
    def rows(self) -> tuple[Row, ...]:
        """One row per destination column."""

    @property
    def unmatched_destination(self) -> list[str]:
        """Ids of destination columns that nothing fills."""

    @property
    def unused_source(self) -> list[str]:
        """Ids of source columns that fill nothing."""

    @property
    def ambiguous(self) -> list[dict[str, Any]]:
        """Destination columns whose best candidates score too close to call."""

    @property
    def conflicts(self) -> list[dict[str, Any]]:
        """Mapped pairs whose values may not fit the destination's type."""

    def to_frame(self) -> pd.DataFrame:
        """One row per destination column."""


#: Background colour of a row by its review level (``Row.review``).
REVIEW_COLOURS: dict[str, str] = {
    "confident": "#e6f4ea",
    "suggested": "#fef7e0",
    "by hand": "#e8f0fe",
}

_HEADERS = ("destination", "type", "source", "source type", "confidence", "status", "review")


def summary(mapping: Shown) -> str:
    """The one-line summary: filled columns, unmatched, unused, suggested, ambiguous, conflicts."""
    rows = mapping.rows
    filled = sum(1 for r in rows if r.source is not None)
    parts = [f"Mapping: {filled} of {len(rows)} destination columns filled"]
    unmatched, unused = mapping.unmatched_destination, mapping.unused_source
    ambiguous, conflicts = mapping.ambiguous, mapping.conflicts
    suggested = [r.destination.c_id for r in rows if r.status == "suggested"]
    if unmatched:
        parts.append(f"unmatched destination: {', '.join(unmatched)}")
    if unused:
        parts.append(f"unused source: {', '.join(unused)}")
    if suggested:
        parts.append(f"suggested (check them): {', '.join(suggested)}")
    if ambiguous:
        parts.append(f"ambiguous: {', '.join(a['destination_c_id'] for a in ambiguous)}")
    if conflicts:
        parts.append(f"type conflicts: {', '.join(c['destination_c_id'] for c in conflicts)}")
    return "; ".join(parts)


def confidence_text(row: Row) -> str:
    """``0.82`` for a derived pair, ``1.00 (score 0.00)`` for one set by hand, "" for none."""
    if row.source is None:
        return ""
    if row.by_hand and row.score is not None:
        return f"{row.confidence:.2f} (score {row.score:.2f})"
    return f"{row.confidence:.2f}"


def _display_rows(mapping: Shown) -> list[list[str]]:
    out = []
    for row in mapping.rows:
        d, s = row.destination, row.source
        out.append(
            [
                f"{d.c_name} ({d.c_id})",
                d.c_type.upper(),
                f"{s.c_name} ({s.c_id})" if s else "—",
                s.c_type.upper() if s else "",
                confidence_text(row),
                row.status,
                row.review,
            ]
        )
    return out


def text_table(mapping: Shown) -> str:
    """The summary line and a plain-text table (``print(mapping)``)."""
    table = tabulate(
        _display_rows(mapping), headers=list(_HEADERS), tablefmt="simple", disable_numparse=True
    )
    return f"{summary(mapping)}\n{table}"


def html_table(mapping: Shown) -> str:
    """The notebook view: rows coloured by review level, the explanation as a tooltip."""
    body = []
    for row, cells in zip(mapping.rows, _display_rows(mapping), strict=True):
        colour = REVIEW_COLOURS.get(row.review)
        style = f' style="background:{colour}"' if colour else ""
        tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
        body.append(
            f'<tr class="mm-{row.review.replace(" ", "-")}"{style} '
            f'title="{html.escape(row.evidence)}">{tds}</tr>'
        )
    head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEADERS)
    return (
        f'<div class="mammoth-mapping"><p>{html.escape(summary(mapping))}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def styler(mapping: Shown) -> Any:
    """``mapping.to_frame()`` as a pandas Styler, each row coloured by its review level."""
    frame = mapping.to_frame()

    def colour(row: pd.Series) -> list[str]:
        value = REVIEW_COLOURS.get(str(row["review"]))
        return [f"background-color: {value}" if value else ""] * len(row)

    return frame.style.apply(colour, axis=1)
