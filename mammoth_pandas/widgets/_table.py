"""The batch table: sortable header buttons, a fixed pool of rows, and row clicks.

The header is one stock ``Button`` per column (click to sort, again to reverse; the
sorted column shows ▲ or ▼). Rows are a pool as large as the page size, reused from page
to page, so the number of widgets never grows with the dataset. A row is a checkbox and
one HTML strip of cells; the name and the source wrap instead of being cut, and the
columns share the width through CSS flex rules (see ``_theme``).

The row's per-batch hooks live in its cells' HTML: ``mp-batch-id-<id>`` on the cells'
``div`` (``mp-cells``), with ``mp-ticked`` and ``mp-highlighted`` there too. A page change
then costs one message per row, the cells' new HTML, instead of that and the row box's
classes; the row box keeps its constant ``mp-batch-row``, so
``.mp-batch-row:has(.mp-batch-id-12)`` is the row showing batch 12 (its checkbox:
``.mp-batch-row:has(.mp-batch-id-12) .mp-row-checkbox input``).

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
from mammoth_pandas.widgets._dom import Shared

__all__ = [
    "COLUMNS",
    "ClickChannel",
    "Header",
    "Row",
    "RowParts",
    "row_cells",
    "row_classes",
    "row_html",
    "short_source",
]

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
    """The spans of one row's cells (full texts also as hover titles); :func:`row_html`
    wraps them."""
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
    return "".join(
        f'<span class="mp-col mp-col-{key}"'
        + (f' title="{html.escape(title, quote=True)}"' if title else "")
        + f">{text}</span>"
        for key, text, title in cells
    )


def row_class(batch_id: int) -> str:
    """The CSS class naming the row that shows ``batch_id`` (``mp-batch-id-12``)."""
    return f"mp-batch-id-{int(batch_id)}"


def row_classes(batch_id: int, *, ticked: bool = False, highlighted: bool = False) -> list[str]:
    """The classes of a row's cells ``div``: ``mp-cells``, the batch id's, the state's."""
    names = ["mp-cells", row_class(batch_id)]
    if ticked:
        names.append("mp-ticked")
    if highlighted:
        names.append("mp-highlighted")
    return names


_HANDLER = html.escape(_ON_CLICK, quote=True)


def row_html(batch_id: int, cells: str, *, ticked: bool = False, highlighted: bool = False) -> str:
    """A row's whole HTML: its ``cells`` (from :func:`row_cells`) in a ``div`` carrying the
    row's hooks (:func:`row_classes`), its batch id and the click handler."""
    names = " ".join(row_classes(batch_id, ticked=ticked, highlighted=highlighted))
    return f'<div class="{names}" data-id="{int(batch_id)}" onclick="{_HANDLER}">{cells}</div>'


class Header(widgets.HBox):
    """The sticky header: one sort button per column (``buttons["rows"]``)."""

    def __init__(self, on_sort: Callable[[str], None]) -> None:
        self.buttons: dict[str, widgets.Button] = {}
        # one layout and one style for every button (the theme's CSS sizes them)
        self._parts = (widgets.Layout(), widgets.ButtonStyle())
        make = Shared(*self._parts).make
        for key, label in COLUMNS.items():
            button = make(
                widgets.Button,
                "mp-sort",
                f"mp-col-{key}",
                "mp-col",
                description=label,
                tip=f"Sort by {label} (click again to reverse)",
            )
            button.on_click(lambda _b, key=key: on_sort(key))
            self.buttons[key] = button
        spacer = widgets.HTML(layout={"width": "28px", "flex": "0 0 auto"})
        self.cells = widgets.HBox(list(self.buttons.values()), _dom_classes=["mp-header-cells"])
        super().__init__([spacer, self.cells], _dom_classes=["mp-batch-header"])

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


class RowParts:
    """What every row of one table shares: the layouts and styles of its parts.

    A layout or style is a widget of its own; shared, a row costs three widgets (its
    checkbox, its cells and its box) instead of eight, and opening a panel sends that many
    fewer to the page. A row box shows or hides by taking the shown or the hidden layout
    (one message, as setting its own layout's ``display`` was).
    """

    def __init__(self) -> None:
        self.checkbox_layout = widgets.Layout(width="28px", flex="0 0 auto")
        self.cells_layout = widgets.Layout()
        self.shown_layout = widgets.Layout(flex_flow="row nowrap", width="auto")
        self.hidden_layout = widgets.Layout(flex_flow="row nowrap", width="auto", display="none")
        # the styles are the first row's (their classes differ between ipywidgets 7 and 8)
        self.checkbox_style: widgets.Widget | None = None
        self.cells_style: widgets.Widget | None = None

    def shared(self, layout: widgets.Layout, style: widgets.Widget | None) -> dict[str, Any]:
        """The keyword arguments giving a control this layout and, once known, this style."""
        return {"layout": layout} if style is None else {"layout": layout, "style": style}

    def widgets(self) -> list[widgets.Widget]:
        parts = [
            self.checkbox_layout,
            self.cells_layout,
            self.shown_layout,
            self.hidden_layout,
            self.checkbox_style,
            self.cells_style,
        ]
        return [part for part in parts if part is not None]


class Row:
    """One reusable table row: a checkbox and the row's cells in one HTML widget.

    The row box always carries ``mp-batch-row``; while it shows a batch, the cells' ``div``
    carries ``mp-batch-id-<id>`` (and ``mp-ticked`` while ticked, ``mp-highlighted`` while
    highlighted), so that showing another batch, ticking or highlighting changes one value,
    the cells' HTML (and the checkbox's when its tick changes).
    """

    def __init__(
        self,
        on_toggle: Callable[[Row, bool], None],
        parts: RowParts,
        shown: tuple[int, str, bool, bool] | None = None,
    ) -> None:
        """A row hidden, or ``shown`` as ``(batch_id, cells, ticked, highlighted)`` from the
        start: its widgets reach the page with their state, with no message after."""
        self.batch_id: int | None = None
        self._ticked = self._highlighted = False
        self._cells = ""
        if shown is not None:
            self.batch_id, self._cells, self._ticked, self._highlighted = shown
        self.checkbox = widgets.Checkbox(
            value=self._ticked,
            indent=False,
            _dom_classes=["mp-row-checkbox"],
            **parts.shared(parts.checkbox_layout, parts.checkbox_style),
        )
        parts.checkbox_style = self.checkbox.style
        self.cells = widgets.HTML(
            value=self._html(),
            _dom_classes=["mp-batch-cells"],
            **parts.shared(parts.cells_layout, parts.cells_style),
        )
        parts.cells_style = self.cells.style
        self._parts = parts
        self.box = widgets.HBox(
            [self.checkbox, self.cells],
            layout=parts.shown_layout if shown is not None else parts.hidden_layout,
            _dom_classes=["mp-batch-row"],
        )
        self.checkbox.observe(lambda change: on_toggle(self, bool(change["new"])), names="value")

    @property
    def classes(self) -> list[str]:
        """The classes of the cells' ``div`` (none while the row shows no batch)."""
        if self.batch_id is None:
            return []
        return row_classes(self.batch_id, ticked=self._ticked, highlighted=self._highlighted)

    def _html(self) -> str:
        if self.batch_id is None:
            return ""
        return row_html(
            self.batch_id, self._cells, ticked=self._ticked, highlighted=self._highlighted
        )

    def _update(self) -> None:
        """Send the cells' HTML when it changed (one message to the page)."""
        value = self._html()
        if self.cells.value != value:
            self.cells.value = value

    def tick(self, ticked: bool) -> None:
        """Set the checkbox and the row's ``mp-ticked`` class."""
        self.checkbox.value = ticked
        if ticked != self._ticked:
            self._ticked = ticked
            self._update()

    def highlight(self, on: bool) -> None:
        if on != self._highlighted:
            self._highlighted = on
            self._update()

    def display(self, batch_id: int | None, cells: str, *, ticked: bool, highlighted: bool) -> None:
        """Show ``batch_id`` with these cells (``None``: hide the row and empty it, so that
        no hidden row still names a batch).

        The cells' HTML is sent once, with the row's classes in it.
        """
        self.batch_id, self._cells = batch_id, cells
        self._ticked, self._highlighted = ticked and batch_id is not None, highlighted
        self.checkbox.value = self._ticked
        self._update()
        layout = self._parts.shown_layout if batch_id is not None else self._parts.hidden_layout
        if self.box.layout is not layout:
            self.box.layout = layout

    def widgets(self) -> list[widgets.Widget]:
        return [self.checkbox, self.cells, self.box]


class ClickChannel:
    """The hidden text box row clicks are written into; calls ``on_click(id, shift)``."""

    def __init__(self, on_click: Callable[[int, bool], None]) -> None:
        self.text = widgets.Text(
            value="",
            continuous_update=True,
            layout={"display": "none"},
            _dom_classes=["mp-click-channel"],
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
