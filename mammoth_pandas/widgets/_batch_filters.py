"""The batch panel's filter controls: read them, say what is wrong next to the control.

Bad input (a non-number in Rows, an end date before the start) is said next to the
control in the words on screen, the control is outlined in the theme's error colour, and
the table says it shows the previous result until the input is fixed.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.widgets._batch_controls import FIELD_WORDS
from mammoth_pandas.widgets._batch_source import BatchFilters

__all__ = ["FilterControls"]


class FilterControls(widgets.VBox):
    """Mixed into the batch panel: the filter controls' reading and their errors."""

    def clear_filters(self) -> None:
        with self._hold():
            self.state_chips.set(())
            self.created_from.value = self.created_to.value = None
            self.rows_min.value = self.rows_max.value = self.name_filter.value = ""
        self._on_filter_change(None)

    def _hold(self) -> Any:
        panel = self

        class Hold:
            def __enter__(self) -> None:
                self.held, panel._holding = panel._holding, True

            def __exit__(self, *_: object) -> None:
                panel._holding = self.held

        return Hold()

    def _read_filters(self) -> BatchFilters:
        return BatchFilters(
            states=self.state_chips.value,
            created_from=self.created_from.value,
            created_to=self.created_to.value,
            rows_min=_whole_number("rows_min", self.rows_min.value),
            rows_max=_whole_number("rows_max", self.rows_max.value),
            name_contains=self.name_filter.value or "",
            sort_by=self._filters.sort_by,
            descending=self._filters.descending,
        )

    def _on_filter_change(self, _change: Any) -> None:
        if self._holding:
            return
        for name in ("created_error", "rows_error", "name_error"):
            getattr(self, name).value = ""
        for name in ("created_from", "created_to", "rows_min", "rows_max", "name_filter"):
            getattr(self, name).remove_class("mp-invalid")
        try:
            filters = self._read_filters()
        except MammothInputError as exc:
            self._show_input_error(exc)
            return
        self.stale_note.value = ""
        self._filters = filters
        self._page = 1
        self.reload(announce=True)

    def _show_input_error(self, exc: MammothInputError) -> None:
        words, names = FIELD_WORDS.get(exc.field, (exc.field, ()))
        text = str(exc).removeprefix(f"{exc.field}: ")
        text = text.replace(" (accepted: ", "; expected ").removesuffix(")")
        message = f"{words}: {text}."
        for name in names:
            getattr(self, name).add_class("mp-invalid")
        label = {"rows": "rows_error", "created": "created_error", "name": "name_error"}
        target = next((v for k, v in label.items() if names and names[0].startswith(k)), None)
        if target is not None:
            getattr(self, target).value = message.replace("<", "&lt;")
        self.status.error(message)
        self.stale_note.value = f"Showing the previous result until {words} is fixed.".replace(
            "<", "&lt;"
        )

    def _on_timeline_range(self, start: Any, end: Any) -> None:
        with self._hold():
            self.created_from.value, self.created_to.value = start, end
        self._on_filter_change(None)


def _whole_number(field: str, text: str) -> int | None:
    text = (text or "").strip().replace(",", "").replace("_", "")
    if not text:
        return None
    if not text.isdigit():
        raise MammothInputError(
            field, f"{text!r} is not a whole number", accepted="digits, or empty"
        )
    return int(text)
