"""The batch panel's saved view: its title, status and visible page as plain HTML.

Shown where the live widget cannot be (a notebook reopened without its kernel, a viewer,
nbconvert): colours come from inline theme variables, nothing needs the widget's CSS.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from mammoth_pandas.widgets._table import COLUMNS, short_source
from mammoth_pandas.widgets._theme import state_colour

__all__ = ["static_table"]

_CELL = "padding:2px 8px;border-bottom:1px solid var(--jp-border-color2,#d0d5dd);"


def _value(row: pd.Series, key: str, batch_id: int) -> str:
    if key == "id":
        return str(batch_id)
    if key == "source":
        kind, detail = short_source(row)
        return html.escape(f"{kind}: {detail}" if kind else detail)
    field = {"rows": "row_count", "columns": "column_count", "created": "created_at"}.get(key, key)
    value = row.get(field)
    if value is None or pd.isna(value):
        return ""
    if key == "created":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    if key in ("rows", "columns"):
        return f"{int(value):,}"
    if key == "state":
        colour = state_colour(str(value))
        return f'<span style="color:{colour}">{html.escape(str(value))}</span>'
    return html.escape(str(value))


def static_table(panel: Any) -> str:
    """The panel's title, status line, page position and visible rows."""
    frame = panel.page_frame
    head = "".join(f'<th style="{_CELL}text-align:left">{label}</th>' for label in COLUMNS.values())
    ticked = set(panel.selected)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{_CELL}">{"☑ " if key == "id" and int(i) in ticked else ""}'
            f"{_value(row, key, int(i))}</td>"
            for key in COLUMNS
        )
        + "</tr>"
        for i, row in frame.iterrows()
    )
    where = (
        f"{panel.total:,} batches · page {panel.page} of {panel.page_count:,} · "
        f"{len(ticked):,} selected"
    )
    return (
        f"<div>{panel.title.value}</div><div>{panel.status.value}</div>"
        f"<div>{html.escape(where)}</div>"
        f'<table style="border-collapse:collapse;color:var(--jp-ui-font-color1,#1d2939)">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
