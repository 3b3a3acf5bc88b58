"""One row of the mapping panel: a destination column, its source dropdown, and what it says.

:class:`MappingRow` holds the widgets (the row box carries ``mp-mapping-row`` and
``mp-dest-<c_id>``) and sets them from a row of the mapping; :class:`SwapOffer` is the
question a row asks when its choice already fills another destination.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from mammoth_pandas.widgets import _mapping_text as text
from mammoth_pandas.widgets._dom import css
from mammoth_pandas.widgets._text import plural

__all__ = [
    "NONE_LABEL",
    "NONE_VALUE",
    "MappingRow",
    "SwapOffer",
    "options_for",
    "summary_text",
]

#: The dropdown entry that leaves a destination column empty.
NONE_LABEL = "— none —"
NONE_VALUE = ""
_NONE = NONE_VALUE


def _dest_class(c_id: str) -> str:
    """The CSS class naming a destination column's row: ``mp-dest-column_5``."""
    return "mp-dest-" + re.sub(r"[^A-Za-z0-9_-]", "-", c_id)


@dataclass(frozen=True)
class SwapOffer:
    """A choice waiting for the user: ``source`` already fills ``other``.

    Accepting gives ``dest`` the source and ``other`` what ``dest`` had (``give_back``),
    or leaves ``other`` empty when ``give_back`` is ``None`` (nothing to give, or a type
    ``other`` cannot take).
    """

    dest: str
    source: str
    other: str
    give_back: str | None


class MappingRow:
    """The widgets of one destination column (the row box: ``mp-mapping-row`` and
    ``mp-dest-<c_id>``)."""

    def __init__(self, dest_id: str) -> None:
        self.dest_id = dest_id
        self.label = css(
            widgets.HTML(layout={"width": "13em", "flex": "0 0 auto"}), "mp-mapping-label"
        )
        self.source = css(
            widgets.Dropdown(
                options=[(NONE_LABEL, _NONE)],
                value=_NONE,
                layout={"width": "17em", "flex": "0 0 auto"},
            ),
            "mp-mapping-dropdown",
        )
        self.confidence = css(
            widgets.HTML(layout={"width": "3.5em", "flex": "0 0 auto"}), "mp-confidence"
        )
        self.flag = css(widgets.HTML(layout={"width": "7.5em", "flex": "0 0 auto"}), "mp-flag")
        self.evidence = css(
            widgets.HTML(layout={"flex": "1 1 auto", "min_width": "14em"}), "mp-evidence"
        )
        self.samples = css(widgets.HTML(), "mp-samples")
        self.swap_message = css(widgets.HTML(), "mp-swap-message")
        #: The swap question in plain text ("" when none is asked).
        self.swap_question = ""
        self.swap_button = css(
            widgets.Button(description="Swap", button_style="warning", layout={"width": "auto"}),
            "mp-swap-accept",
        )
        self.keep_button = css(
            widgets.Button(description="Keep as it was", layout={"width": "auto"}), "mp-swap-keep"
        )
        self.swap = css(
            widgets.HBox([self.swap_message, self.swap_button, self.keep_button]), "mp-swap"
        )
        self.swap.layout.display = "none"
        self.options: list[tuple[str, str]] = []
        line = widgets.HBox([self.label, self.source, self.confidence, self.flag, self.evidence])
        self.box = css(
            widgets.VBox([line, self.samples, self.swap]), "mp-mapping-row", _dest_class(dest_id)
        )

    def show(
        self,
        row: Any,
        *,
        options: list[tuple[str, str]],
        conversion: text.Conversion | None,
        conflict: dict[str, Any] | None,
    ) -> None:
        """Set every widget of the row from the mapping's ``row``."""
        widget_row = self
        dest = row.destination
        if options != widget_row.options:
            widget_row.source.options = options
            widget_row.options = options
        widget_row.source.value = row.source.c_id if row.source is not None else _NONE
        widget_row.confidence.value = _confidence_html(row)
        review = text.review_of(row)
        conv = conversion
        explanation = str(getattr(row, "explanation", None) or row.evidence)
        word, tone, style = review.word, review.tone, ""
        if conv is not None:
            note = conv.text()
            explanation = f"{explanation}; {note}" if row.by_hand else f"{note}; {explanation}"
            if conv.tone != "confident":
                style = "warning"
        elif conflict is not None:  # a pair the API cannot convert
            word, tone, style = "type conflict", "problem", "danger"
            explanation = f"{conflict['message']}; {explanation}"
        if review.to_review:
            style = style or "warning"
        widget_row.box.box_style = style
        widget_row.flag.value = text.chip(word, tone, title=_status_hint(row))
        label = f"<b>{html.escape(dest.c_name)}</b> · {html.escape(dest.c_type.upper())}"
        if style:
            tinted = "problem" if style == "danger" else "suggested"
            label = f'<span class="mp-tinted mp-tone-{tinted}">{label}</span>'
        widget_row.label.value = label
        widget_row.evidence.value = (
            f'<span title="{html.escape(explanation)}">{html.escape(explanation)}</span>'
        )
        widget_row.samples.value = _samples_html(row)


def options_for(
    mapping: Any, row: Any, used: dict[str, str], scores: dict[str, float]
) -> list[tuple[str, str]]:
    """A row's dropdown entries, best score first, each naming what it already fills.

    ``used`` maps each source id in use to the destination id it fills; ``scores`` each
    source id to its computed score for this row's destination.
    """
    dest = row.destination
    names = {r.destination.c_id: r.destination.c_name for r in mapping.rows}
    columns = sorted(mapping.source.columns, key=lambda c: -scores.get(c.c_id, 0.0))
    options = [(NONE_LABEL, _NONE)]
    for column in columns:
        other = used.get(column.c_id)
        label = text.option_label(
            column,
            scores.get(column.c_id),
            destination_type=dest.c_type,
            used_by=names.get(other) if other not in (None, dest.c_id) else None,
            samples=text.sample_values(column, 1),
        )
        options.append((label, column.c_id))
    return options


def summary_text(
    mapping: Any,
    conversion_of: Callable[[Any], text.Conversion | None],
    conflicts: dict[str, dict[str, Any]],
) -> str:
    """``5 of 7 destination columns filled (3 confident, 2 unmatched, 1 conversion).``"""
    rows = mapping.rows
    filled = sum(1 for r in rows if r.source is not None)
    counts: dict[str, int] = {}
    for row in rows:
        word = text.review_of(row).word
        counts[word] = counts.get(word, 0) + 1
    parts = [f"{n} {word}" for word, n in counts.items()]
    converting = [r for r in rows if conversion_of(r) is not None]
    if converting:
        parts.append(plural(len(converting), "conversion", "conversions"))
    by_dest = {r.destination.c_id: r for r in rows}
    impossible = [c for c in conflicts if c in by_dest and conversion_of(by_dest[c]) is None]
    if impossible:
        parts.append(plural(len(impossible), "type conflict", "type conflicts"))
    return f"{filled} of {len(rows)} destination columns filled ({', '.join(parts)})."


def _status_hint(row: Any) -> str:
    level = getattr(row, "review", None)
    return f"status {row.status}" + (f", review level {level}" if level else "")


def _samples_html(row: Any) -> str:
    """``e.g. 'Customer since': 2021-03-04, … → 'Signup date': 2024-01-02, …`` or ""."""
    parts = []
    if row.source is not None:
        values = text.sample_values(row.source)
        if values:
            parts.append(f"{row.source.c_name!r}: " + ", ".join(values))
    values = text.sample_values(row.destination)
    if values:
        parts.append(f"{row.destination.c_name!r}: " + ", ".join(values))
    if not parts:
        return ""
    return f'<span class="mp-muted">e.g. {html.escape(" → ".join(parts))}</span>'


def _confidence_html(row: Any) -> str:
    """``0.82`` for a suggestion; ``1.00`` for a pair set or confirmed by hand, with the
    computed score on hover."""
    if row.source is None:
        return ""
    score = getattr(row, "score", None)
    if row.status not in ("manual", "confirmed") or score is None:
        return f"{row.confidence:.2f}"
    hint = html.escape(f"chosen by hand; computed score {score:.2f}")
    return f'<span title="{hint}">{row.confidence:.2f}</span>'
