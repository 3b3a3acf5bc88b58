"""The mapping panel's saved view: its title, rows, summary and status as plain HTML.

Shown where the live widget cannot be (a notebook reopened without its kernel, a viewer,
nbconvert). Every style is inline, from JupyterLab's theme variables with plain fallbacks:
a saved output keeps no ``<style>`` sheet of the widget's.
"""

from __future__ import annotations

import html
from typing import Any

from mammoth_pandas.widgets import _mapping_text as text

__all__ = ["static_mapping"]

_CELL = (
    "padding:2px 8px;border-bottom:1px solid var(--jp-border-color2,#d0d5dd);vertical-align:top;"
)

#: The theme colour of each tone (as in the live panel's sheet).
_TONE = {
    "confident": "var(--jp-success-color1,#12b76a)",
    "suggested": "var(--jp-warn-color1,#f79009)",
    "by-hand": "var(--jp-brand-color1,#1570ef)",
    "empty": "var(--jp-ui-font-color2,#667085)",
    "problem": "var(--jp-error-color1,#d92d20)",
    "neutral": "var(--jp-ui-font-color2,#667085)",
}


def _chip(word: str, tone: str) -> str:
    colour = _TONE.get(tone, _TONE["neutral"])
    return (
        f'<span style="border:1px solid {colour};border-radius:8px;padding:0 6px;'
        f'white-space:nowrap">{html.escape(word)}</span>'
    )


def static_mapping(panel: Any) -> str:
    """The panel's title, one table row per destination column, the summary and status."""
    body = []
    for row in panel.mapping.rows:
        dest, src = row.destination, row.source
        review = text.review_of(row)
        conv = panel._conversion(row)
        why = str(row.evidence)
        if conv is not None:
            why = f"{conv.text()}; {why}"
        score = f"{row.score:.2f}" if src is not None and row.score is not None else ""
        cells = [
            f"<b>{html.escape(dest.c_name)}</b> · {html.escape(dest.c_type.upper())}",
            html.escape(f"{src.c_name} ({src.c_type.upper()})") if src is not None else "—",
            score,
            _chip(review.word, review.tone),
            html.escape(why),
        ]
        body.append("<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in cells) + "</tr>")
    head = "".join(
        f'<th style="{_CELL}text-align:left">{h}</th>'
        for h in ("destination · type", "source", "score", "status", "why")
    )
    return (
        f"<div>{panel.title.value}</div>"
        '<table style="border-collapse:collapse;color:var(--jp-ui-font-color1,#1d2939)">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"<div>{panel.unused_label.value}</div><div>{panel.summary.value}</div>"
        f"<div>{panel.status.value}</div>"
    )
