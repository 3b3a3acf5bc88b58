"""The batch panel's controls and their layout (the panel's behaviour is in batch_panel).

Built once per panel; the number of widgets depends on the page size only. The toolbar
(actions, with the confirmation beside the button that asked) sits above the table so that
a question is never below the fold; two empty slots (``picker_slot`` above the title,
``preview_slot`` beside the table) are left for a dataset picker and a batch preview.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import ipywidgets as widgets

from mammoth_pandas.widgets._chips import StateChips
from mammoth_pandas.widgets._confirm import Confirmation
from mammoth_pandas.widgets._dom import Shared, css
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
    """Create every control as an attribute of ``panel``.

    Controls that never change their layout or style share one (``panel.shared``); those
    shown and hidden (the empty note, Undo, the read's box) have their own layout.
    """
    w = widgets
    p: Any = panel
    p.shared = shared = Shared()
    make = shared.make
    p.style_sheet = panel_style()
    p.picker_slot = make(w.Box, "mp-picker-slot", layout={})
    p.title = make(
        w.HTML, "mp-title", value=f"<b>Batches of dataset {int(panel.handle.dataset_id)}</b>"
    )
    p.state_chips = StateChips(lambda: panel._on_filter_change(None), shared)
    p.created_from = make(w.DatePicker, "mp-created-from", description="Created", value=None)
    p.created_to = make(w.DatePicker, "mp-created-to", description="to", value=None)
    p.created_error = make(w.HTML, "mp-field-error", "mp-created-error")
    text: dict[str, Any] = {"continuous_update": False}
    p.rows_min = make(w.Text, "mp-rows-min", description="Rows", placeholder="from", **text)
    p.rows_max = make(w.Text, "mp-rows-max", description="to", placeholder="to", **text)
    p.rows_error = make(w.HTML, "mp-field-error", "mp-rows-error")
    p.name_filter = make(
        w.Text, "mp-name-filter", description="Name", placeholder="contains…", **text
    )
    p.name_error = make(w.HTML, "mp-field-error", "mp-name-error")
    p.clear_filters_button = make(
        w.Button, "mp-clear-filters", description="Clear filters", icon="times"
    )
    sizes = sorted({*PAGE_SIZES, page_size})
    p.page_size_input = make(
        w.Dropdown, "mp-page-size", options=sizes, value=page_size, description="Per page"
    )
    p.timeline = Timeline(panel._on_timeline_range)

    p.header = Header(panel.sort)
    p._rows = []
    p.table = make(w.VBox, "mp-batch-table")
    p.clicks = ClickChannel(panel._on_row_click)
    p.empty_note = make(
        w.HTML,
        "mp-empty",
        value="<i>No batches match these filters.</i>",
        layout={"display": "none"},
    )
    p.stale_note = make(w.HTML, "mp-stale")
    p.preview_slot = make(w.Box, "mp-preview-slot", layout={"flex": "0 1 auto"})

    nav_layout = w.Layout(width="40px")

    def nav(label: str, tip: str, hook: str) -> widgets.Button:
        return make(w.Button, hook, description=label, layout=nav_layout, tip=tip)

    p.first_button = nav("|◀", "first page", "mp-first")
    p.prev_button = nav("◀", "previous page", "mp-prev")
    p.page_input = make(
        w.BoundedIntText,
        "mp-page-input",
        value=1,
        min=1,
        max=1,
        description="page",
        layout={"width": "9em"},
    )
    p.page_label = make(w.HTML, "mp-page-label", value="page 1 of 1")
    p.next_button = nav("▶", "next page", "mp-next")
    p.last_button = nav("▶|", "last page", "mp-last")
    p.select_page_button = make(w.Button, "mp-select-page", description="Select page")
    p.select_matching_button = make(
        w.Button, "mp-select-matching", description="Select all matching"
    )
    p.clear_selection_button = make(w.Button, "mp-clear-selection", description="Clear selection")
    p.selection_label = make(w.HTML, "mp-selection-label", value="0 selected")

    action = {"icon": "pause", "button_style": "warning"}
    p.suspend_button = make(w.Button, "mp-suspend", description="Suspend", **action)
    action = {"icon": "play", "button_style": "info"}
    p.restore_button = make(w.Button, "mp-restore", description="Restore", **action)
    action = {"icon": "trash", "button_style": "danger"}
    p.delete_button = make(w.Button, "mp-delete", description="Delete", **action)
    p.undo_button = make(
        w.Button, "mp-undo", description="Undo", icon="undo", layout={"display": "none"}
    )
    p.refresh_button = make(w.Button, "mp-refresh", description="Refresh", icon="refresh")
    p.export_button = make(
        w.Button,
        "mp-export",
        description="CSV",
        icon="download",
        tip="A CSV of the selection (or of every matching batch)",
    )
    p.download_link = make(w.HTML, "mp-download")
    p.confirmation = Confirmation()
    p.confirm_button = p.confirmation.confirm_button
    p.cancel_button = p.confirmation.cancel_button
    bar: dict[str, Any] = {"value": 0, "min": 0, "max": 100}
    p.progress = make(w.IntProgress, "mp-progress", description="Job", **bar)
    p.read_progress = make(w.IntProgress, "mp-read-progress", description="Reading", **bar)
    p.cancel_read_button = make(
        w.Button,
        "mp-cancel-read",
        description="Cancel",
        icon="stop",
        tip="Stop reading the batches (the table keeps what it has)",
    )
    p.read_label = make(w.HTML, "mp-read-label")
    p.read_box = w.HBox(
        [p.read_progress, p.read_label, p.cancel_read_button], layout={"display": "none"}
    )
    p.status = StatusLine(layout=shared.layout)


def name_dataset(panel: ControlsHost, info: Callable[[], dict[str, Any]] | None = None) -> None:
    """Put the dataset's name in the title (the id alone when it cannot be read).

    ``info()`` gives the dataset's description (``handle.info`` unless given, e.g. the
    result of a read started earlier).
    """
    try:
        name = (info or panel.handle.info)().get("name")
    except Exception:  # the listing's own error is shown by reload()
        return
    if name:
        dataset_id = int(panel.handle.dataset_id)
        panel.title.value = f"<b>Batches of {html.escape(str(name))}</b> (dataset {dataset_id})"


def layout(panel: Any) -> list[widgets.Widget]:
    """The panel's children, top to bottom."""
    w = widgets
    wrap = w.Layout(flex_flow="row wrap", align_items="center")  # one for every wrapping row
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
