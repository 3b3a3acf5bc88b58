"""The batch panel's selection: ticks kept by id, row clicks, shift-click ranges, highlight.

The selection lives in Python, keyed by batch id, so filtering, sorting, paging and
refreshing never lose it; the visible rows' checkboxes only show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets

from mammoth_pandas.widgets._table import Row
from mammoth_pandas.widgets._text import describe_error, plural

__all__ = ["RowSelection"]


class RowSelection(widgets.VBox):
    """Mixed into the batch panel: select, deselect, row clicks and the highlighted row."""

    _selected: set[int]
    _rows: list[Row]
    _anchor: tuple[int, int] | None
    _highlight_callbacks: list[Callable[[int], Any]]
    highlighted: int | None

    def select(self, ids: Iterable[int]) -> None:
        """Tick these batches (kept across pages and filters)."""
        self._selected.update(int(i) for i in ids)
        self._render_selection()

    def deselect(self, ids: Iterable[int]) -> None:
        """Untick these batches."""
        self._selected.difference_update(int(i) for i in ids)
        self._render_selection()

    def clear_selection(self) -> None:
        """Untick every batch."""
        self._selected.clear()
        self._render_selection()

    def on_highlight(self, callback: Callable[[int], Any], *, remove: bool = False) -> None:
        """Call ``callback(batch_id)`` when a row is clicked or ticked.

        ``preview`` shows that batch's first rows this way. The call comes from the thread of the
        click.
        """
        (self._highlight_callbacks.remove if remove else self._highlight_callbacks.append)(callback)

    def select_all_matching(self) -> None:
        """Add every batch matching the filters (on every page) to the selection."""
        try:
            ids = self._matching_ids()
        except Exception as exc:  # said in the status line, never raised into the void
            self.status.error(describe_error(exc, doing="Selecting all matching"))
            return
        self.select(ids)
        self.status.info(f"Selected the {plural(len(ids), 'matching batch', 'matching batches')}.")

    def _render_selection(self) -> None:
        self._rendering = True
        try:
            for row in self._rows:
                if row.batch_id is not None:
                    row.tick(row.batch_id in self._selected)
        finally:
            self._rendering = False
        on_page = sum(1 for i in self.page_ids if i in self._selected)
        count = len(self._selected)
        text = f"{count:,} selected"
        if count and on_page != count:
            text += f" ({on_page} on this page)"
        self.selection_label.value = text

    def _on_toggle(self, row: Row, checked: bool) -> None:
        if self._rendering or row.batch_id is None:
            return
        (self._selected.add if checked else self._selected.discard)(row.batch_id)
        self._anchor = (row.batch_id, self._position(row.batch_id))
        self._render_selection()
        self._highlight(row.batch_id)

    def _position(self, batch_id: int) -> int:
        return (self._page - 1) * self._page_size + self.page_ids.index(batch_id)

    def _on_row_click(self, batch_id: int, shift: bool) -> None:
        if batch_id not in self.page_ids:
            return
        here = self._position(batch_id)
        if shift and self._anchor is not None:
            low, high = sorted((self._anchor[1], here))
            try:
                ids = self._ids_between(low, high)
            except Exception as exc:  # said in the status line, never raised into the void
                self.status.error(describe_error(exc, doing="Selecting the range"))
                return
            self.select(ids)
            self.status.info(f"Ticked {plural(len(ids), 'batch', 'batches')} in a range.")
        else:
            if batch_id in self._selected:
                self.deselect([batch_id])
            else:
                self.select([batch_id])
            self._anchor = (batch_id, here)
        self._highlight(batch_id)

    def _highlight(self, batch_id: int) -> None:
        """Mark the row of ``batch_id`` as the one last clicked or ticked; tell on_highlight."""
        self.highlighted = batch_id
        for row in self._rows:
            row.highlight(row.batch_id == batch_id)
        for callback in list(self._highlight_callbacks):
            try:
                callback(batch_id)
            except Exception as exc:
                self.status.error(f"An on_highlight callback raised {type(exc).__name__}: {exc}")

    def _ids_between(self, low: int, high: int) -> list[int]:
        start = (self._page - 1) * self._page_size
        if start <= low and high < start + self._page_size:
            return self.page_ids[low - start : high - start + 1]
        if self._uses_index(self._filters):
            return [int(i) for i in self._ordered_ids(self._filters)[0][low : high + 1]]
        return [int(i) for i in self._source.page(self._filters, low, high - low + 1).index]
