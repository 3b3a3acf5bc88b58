"""The batch table: sortable header buttons, a fixed pool of rows, and row clicks.

The header is one stock ``Button`` per column (click to sort, again to reverse; the
sorted column shows ▲ or ▼). Rows are a pool as large as the page size, reused from page
to page, so the number of widgets never grows with the dataset. A row is a checkbox and
one HTML strip of cells; the name and the source wrap instead of being cut, and the
columns share the width through CSS flex rules (see ``_theme``).

Clicking a row's cells ticks it, and a shift-click ticks the range from the last clicked
row: the cells carry a small inline handler that writes ``"<id>:click"`` or
``"<id>:shift"`` into a hidden text box of the panel (``mp-click-channel``). Where a front
end does not run inline handlers, the checkbox still works.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from mammoth_pandas.widgets._batch_source import source_text
from mammoth_pandas.widgets._dom import css, set_tooltip

__all__ = ["COLUMNS", "ClickChannel", "Header", "Row", "row_cells", "short_source"]

#: Column key (as in ``SORT_KEYS``) -> header label.
COLUMNS: dict[str, str] = {
    "id": "id",
    "name": "name",
    "state": "state",
    "rows": "rows",
    "columns": "columns",
    "created": "created",
    "source": "source",
}

# Writes "<id>:click|shift:<time>" into the panel's hidden channel; ipywidgets' Text view
# syncs its value on the "input" event.
_ON_CLICK = (
    "(function(e,el){var p=el.closest('.mp-batch-panel');"
    "var i=p&&p.querySelector('.mp-click-channel input');if(!i)return;"
    "i.value=el.dataset.id+(e.shiftKey?':shift:':':click:')+Date.now();"
    "i.dispatchEvent(new Event('input',{bubbles:true}));})(event,this)"
)


def _number(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{int(value):,}"


def _created(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def short_source(row: pd.Series) -> tuple[str, str]:
    """(kind, detail) of a batch's source: ``("file", "customers.csv")``, ``("dataset",
    "CRM export (102)")``; the detail alone says what tells sources apart."""
    full = source_text(row)
    kind, sep, detail = full.partition(": ")
    return (kind, detail) if sep else ("", full)


def state_label(state: str) -> str:
    """The state as a coloured label (theme colours, see ``_theme``)."""
    cls = "".join(c if c.isalnum() or c == "_" else "-" for c in state)
    return f'<span class="mp-state mp-state-{cls}">{html.escape(state or "—")}</span>'


def row_cells(batch_id: int, row: pd.Series) -> str:
    """The HTML strip of one row's cells (full texts also as hover titles)."""
    name = _text(row.get("name"))
    kind, detail = short_source(row)
    full_source = source_text(row)
    source = (
        f'<span class="mp-source-kind">{html.escape(kind)}</span> {html.escape(detail)}'
        if kind
        else html.escape(detail)
    )
    cells = (
        ("id", str(batch_id), ""),
        ("name", html.escape(name), name),
        ("state", state_label(_text(row.get("state"))), ""),
        ("rows", _number(row.get("row_count")), ""),
        ("columns", _number(row.get("column_count")), ""),
        ("created", _created(row.get("created_at")), ""),
        ("source", source, full_source),
    )
    spans = "".join(
        f'<span class="mp-col mp-col-{key}"'
        + (f' title="{html.escape(title, quote=True)}"' if title else "")
        + f">{text}</span>"
        for key, text, title in cells
    )
    handler = html.escape(_ON_CLICK, quote=True)
    return f'<div class="mp-cells" data-id="{int(batch_id)}" onclick="{handler}">{spans}</div>'


def row_class(batch_id: int) -> str:
    """The CSS class naming the row that shows ``batch_id`` (``mp-batch-id-12``)."""
    return f"mp-batch-id-{int(batch_id)}"


class Header(widgets.HBox):
    """The sticky header: one sort button per column (``buttons["rows"]``)."""

    def __init__(self, on_sort: Callable[[str], None]) -> None:
        self.buttons: dict[str, widgets.Button] = {}
        for key, label in COLUMNS.items():
            button = css(widgets.Button(description=label), "mp-sort", f"mp-col-{key}", "mp-col")
            set_tooltip(button, f"Sort by {label} (click again to reverse)")
            button.on_click(lambda _b, key=key: on_sort(key))
            self.buttons[key] = button
        spacer = widgets.HTML(layout={"width": "28px", "flex": "0 0 auto"})
        self.cells = css(widgets.HBox(list(self.buttons.values())), "mp-header-cells")
        super().__init__([spacer, self.cells])
        self.add_class("mp-batch-header")

    def show_sort(self, key: str, descending: bool) -> None:
        """Mark the sorted column with ▲ (ascending) or ▼ (descending)."""
        for name, button in self.buttons.items():
            label = COLUMNS[name]
            if name == key:
                button.description = f"{label} {'▼' if descending else '▲'}"
                button.add_class("mp-sorted")
            else:
                button.description = label
                button.remove_class("mp-sorted")


class Row:
    """One reusable table row: a checkbox and the row's cells in one HTML widget.

    The row box carries ``mp-batch-row`` and, while it shows a batch, ``mp-batch-id-<id>``
    (and ``mp-ticked`` while ticked).
    """

    def __init__(self, on_toggle: Callable[[Row, bool], None]) -> None:
        self.batch_id: int | None = None
        self.checkbox = css(
            widgets.Checkbox(
                value=False, indent=False, layout={"width": "28px", "flex": "0 0 auto"}
            ),
            "mp-row-checkbox",
        )
        self.cells = css(widgets.HTML(), "mp-batch-cells")
        self.box = css(
            widgets.HBox(
                [self.checkbox, self.cells], layout={"flex_flow": "row nowrap", "width": "auto"}
            ),
            "mp-batch-row",
        )
        self.box.layout.display = "none"
        self._ticked = False
        self.checkbox.observe(lambda change: on_toggle(self, bool(change["new"])), names="value")

    def show(self, batch_id: int | None) -> None:
        """Point the row at ``batch_id`` (``None``: no batch), moving its id class along."""
        if batch_id == self.batch_id:
            return
        if self.batch_id is not None:
            self.box.remove_class(row_class(self.batch_id))
        self.batch_id = batch_id
        if batch_id is not None:
            self.box.add_class(row_class(batch_id))

    def tick(self, ticked: bool) -> None:
        """Set the checkbox and the row's ``mp-ticked`` class."""
        self.checkbox.value = ticked
        if ticked != self._ticked:
            (self.box.add_class if ticked else self.box.remove_class)("mp-ticked")
            self._ticked = ticked

    def highlight(self, on: bool) -> None:
        (self.box.add_class if on else self.box.remove_class)("mp-highlighted")

    def widgets(self) -> list[widgets.Widget]:
        return [self.checkbox, self.cells, self.box]


class ClickChannel:
    """The hidden text box row clicks are written into; calls ``on_click(id, shift)``."""

    def __init__(self, on_click: Callable[[int, bool], None]) -> None:
        self.text = css(
            widgets.Text(value="", continuous_update=True, layout={"display": "none"}),
            "mp-click-channel",
        )
        self._on_click = on_click
        self._clicks = itertools.count(1)
        self.text.observe(self._changed, names="value")

    def _changed(self, change: Any) -> None:
        parts = str(change["new"]).split(":")
        if len(parts) < 2 or not parts[0].isdigit():
            return
        self._on_click(int(parts[0]), parts[1] == "shift")

    def click(self, batch_id: int, *, shift: bool = False) -> None:
        """Do what a click (or shift-click) on the row of ``batch_id`` does."""
        kind = "shift" if shift else "click"
        self.text.value = f"{int(batch_id)}:{kind}:{next(self._clicks)}"
