"""The batch panel's controls and their layout (the panel's behaviour is in batch_panel).

Built once per panel; the number of widgets depends on the page size only. The toolbar
(actions, with the confirmation beside the button that asked) sits above the table so that
a question is never below the fold; two empty slots (``picker_slot`` above the title,
``preview_slot`` beside the table) are left for a dataset picker and a batch preview.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Protocol

import ipywidgets as widgets

from mammoth_pandas.widgets._chips import StateChips
from mammoth_pandas.widgets._confirm import Confirmation
from mammoth_pandas.widgets._dom import css, set_tooltip
from mammoth_pandas.widgets._status import StatusLine
from mammoth_pandas.widgets._table import ClickChannel, Header
from mammoth_pandas.widgets._theme import panel_style
from mammoth_pandas.widgets._timeline import Timeline

if TYPE_CHECKING:
    from mammoth_pandas.dataset import DatasetHandle

__all__ = ["FIELD_WORDS", "PAGE_SIZES", "ControlsHost", "build_controls", "layout"]

PAGE_SIZES: tuple[int, ...] = (10, 20, 50, 100)

#: Filter field (as errors name it) -> the words on screen, and the controls to highlight.
FIELD_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rows_min": ("Rows (from)", ("rows_min",)),
    "rows_max": ("Rows (to)", ("rows_max",)),
    "rows": ("Rows", ("rows_min", "rows_max")),
    "created": ("Created", ("created_from", "created_to")),
    "created_at": ("Created", ("created_from", "created_to")),
    "name_contains": ("Name", ("name_filter",)),
}


class ControlsHost(Protocol):
    """What the controls need of the panel they are built on: its dataset and the handlers
    they call (the batch panel is one)."""

    handle: DatasetHandle
    title: widgets.HTML

    def sort(self, column: str, descending: bool | None = None) -> None:
        """Sort the table by ``column`` (a header's click)."""

    def _on_filter_change(self, change: Any, /) -> None: ...

    def _on_timeline_range(self, start: Any, end: Any, /) -> None: ...

    def _on_row_click(self, batch_id: int, shift: bool, /) -> None: ...


def build_controls(panel: ControlsHost, page_size: int) -> None:
    """Create every control as an attribute of ``panel``."""
    w = widgets
    p: Any = panel
    p.style_sheet = panel_style()
    p.picker_slot = css(w.Box(), "mp-picker-slot")
    p.title = css(w.HTML(f"<b>Batches of dataset {int(panel.handle.dataset_id)}</b>"), "mp-title")
    p.state_chips = StateChips(lambda: panel._on_filter_change(None))
    p.created_from = css(w.DatePicker(description="Created", value=None), "mp-created-from")
    p.created_to = css(w.DatePicker(description="to", value=None), "mp-created-to")
    p.created_error = css(w.HTML(), "mp-field-error", "mp-created-error")
    p.rows_min = css(
        w.Text(description="Rows", placeholder="from", continuous_update=False), "mp-rows-min"
    )
    p.rows_max = css(
        w.Text(description="to", placeholder="to", continuous_update=False), "mp-rows-max"
    )
    p.rows_error = css(w.HTML(), "mp-field-error", "mp-rows-error")
    p.name_filter = css(
        w.Text(description="Name", placeholder="contains…", continuous_update=False),
        "mp-name-filter",
    )
    p.name_error = css(w.HTML(), "mp-field-error", "mp-name-error")
    p.clear_filters_button = css(
        w.Button(description="Clear filters", icon="times"), "mp-clear-filters"
    )
    sizes = sorted({*PAGE_SIZES, page_size})
    p.page_size_input = css(
        w.Dropdown(options=sizes, value=page_size, description="Per page"), "mp-page-size"
    )
    p.timeline = Timeline(panel._on_timeline_range)

    p.header = Header(panel.sort)
    p._rows = []
    p.table = css(w.VBox(), "mp-batch-table")
    p.clicks = ClickChannel(panel._on_row_click)
    p.empty_note = css(w.HTML("<i>No batches match these filters.</i>"), "mp-empty")
    p.empty_note.layout.display = "none"
    p.stale_note = css(w.HTML(), "mp-stale")
    p.preview_slot = css(w.Box(layout={"flex": "0 1 auto"}), "mp-preview-slot")

    def nav(label: str, tip: str, hook: str) -> widgets.Button:
        button = css(w.Button(description=label, layout={"width": "40px"}), hook)
        set_tooltip(button, tip)
        return button

    p.first_button = nav("|◀", "first page", "mp-first")
    p.prev_button = nav("◀", "previous page", "mp-prev")
    p.page_input = css(
        w.BoundedIntText(value=1, min=1, max=1, description="page", layout={"width": "9em"}),
        "mp-page-input",
    )
    p.page_label = css(w.HTML("page 1 of 1"), "mp-page-label")
    p.next_button = nav("▶", "next page", "mp-next")
    p.last_button = nav("▶|", "last page", "mp-last")
    p.select_page_button = css(w.Button(description="Select page"), "mp-select-page")
    p.select_matching_button = css(
        w.Button(description="Select all matching"), "mp-select-matching"
    )
    p.clear_selection_button = css(w.Button(description="Clear selection"), "mp-clear-selection")
    p.selection_label = css(w.HTML("0 selected"), "mp-selection-label")

    p.suspend_button = css(
        w.Button(description="Suspend", icon="pause", button_style="warning"), "mp-suspend"
    )
    p.restore_button = css(
        w.Button(description="Restore", icon="play", button_style="info"), "mp-restore"
    )
    p.delete_button = css(
        w.Button(description="Delete", icon="trash", button_style="danger"), "mp-delete"
    )
    p.undo_button = css(w.Button(description="Undo", icon="undo"), "mp-undo")
    p.undo_button.layout.display = "none"
    p.refresh_button = css(w.Button(description="Refresh", icon="refresh"), "mp-refresh")
    p.export_button = css(w.Button(description="CSV", icon="download"), "mp-export")
    set_tooltip(p.export_button, "A CSV of the selection (or of every matching batch)")
    p.download_link = css(w.HTML(), "mp-download")
    p.confirmation = Confirmation()
    p.confirm_button = p.confirmation.confirm_button
    p.cancel_button = p.confirmation.cancel_button
    p.progress = css(w.IntProgress(value=0, min=0, max=100, description="Job"), "mp-progress")
    p.read_progress = css(
        w.IntProgress(value=0, min=0, max=100, description="Reading"), "mp-read-progress"
    )
    p.cancel_read_button = css(w.Button(description="Cancel", icon="stop"), "mp-cancel-read")
    set_tooltip(p.cancel_read_button, "Stop reading the batches (the table keeps what it has)")
    p.read_box = w.HBox([p.read_progress, p.cancel_read_button])
    p.read_box.layout.display = "none"
    p.status = StatusLine()


def name_dataset(panel: ControlsHost) -> None:
    """Put the dataset's name in the title (the id alone when it cannot be read)."""
    try:
        name = panel.handle.info().get("name")
    except Exception:  # the listing's own error is shown by reload()
        return
    if name:
        dataset_id = int(panel.handle.dataset_id)
        panel.title.value = f"<b>Batches of {html.escape(str(name))}</b> (dataset {dataset_id})"


def layout(panel: Any) -> list[widgets.Widget]:
    """The panel's children, top to bottom."""
    w = widgets
    wrap = {"flex_flow": "row wrap", "align_items": "center"}
    p = panel
    return [
        p.style_sheet,
        p.picker_slot,
        p.title,
        p.state_chips,
        w.HBox(
            [
                w.HBox([p.created_from, p.created_to, p.created_error], layout=wrap),
                w.HBox([p.rows_min, p.rows_max, p.rows_error], layout=wrap),
                w.HBox([p.name_filter, p.name_error, p.clear_filters_button], layout=wrap),
            ],
            layout=wrap,
        ),
        p.timeline,
        css(
            w.HBox(
                [
                    p.suspend_button,
                    p.restore_button,
                    p.delete_button,
                    p.undo_button,
                    p.confirmation,
                    p.refresh_button,
                    p.export_button,
                    p.download_link,
                ],
                layout=wrap,
            ),
            "mp-actions",
        ),
        w.HBox([p.progress, p.read_box, p.status], layout=wrap),
        p.stale_note,
        w.HBox(
            [
                css(
                    w.VBox([p.header, p.table], layout={"flex": "1 1 auto"}),
                    "mp-batch-scroll",
                ),
                p.preview_slot,
            ],
            layout={"width": "100%", "align_items": "flex-start"},
        ),
        p.empty_note,
        p.clicks.text,
        w.HBox(
            [
                p.first_button,
                p.prev_button,
                p.page_input,
                p.page_label,
                p.next_button,
                p.last_button,
                p.page_size_input,
                p.select_page_button,
                p.select_matching_button,
                p.clear_selection_button,
                p.selection_label,
            ],
            layout=wrap,
        ),
    ]
