"""The batch panel: filter, page, select and act on one dataset's batches.

::

    panel = BatchPanel(client.dataset(1, 1, 101))   # or ds.panel()
    panel                                           # shows it in the notebook

The selection lives in Python, keyed by batch id, so filtering, sorting, paging and
refreshing never lose it. The table is a fixed pool of row widgets, as many as the page
size: the number of widgets does not grow with the dataset. Suspend, Restore and Delete
ask an inline confirmation, then run in a background thread that follows the job and only
sets widget values; errors end up in the status line in words.
"""

from __future__ import annotations

import html
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.widgets._batch_source import SORT_KEYS, BatchFilters, BatchSource, source_text
from mammoth_pandas.widgets._common import (
    ActionCallbacks,
    ActionResult,
    Confirmation,
    JobRunner,
    StatusLine,
    close_all,
    css,
    describe_error,
    describe_ids,
    plural,
    set_tooltip,
)

if TYPE_CHECKING:
    from mammoth_pandas.client import MammothClient
    from mammoth_pandas.dataset import DatasetHandle
    from mammoth_pandas.jobs import Job

__all__ = ["BatchPanel"]

PAGE_SIZES: tuple[int, ...] = (10, 20, 50, 100)

#: (text colour, background) of each state's label.
STATE_COLOURS: dict[str, tuple[str, str]] = {
    "active": ("#05603a", "#d1fadf"),
    "sync_pending": ("#175cd3", "#d1e9ff"),
    "suspended": ("#93370d", "#fef0c7"),
    "deleting": ("#b42318", "#fee4e2"),
    "pending_delete": ("#b42318", "#fee4e2"),
}

#: Table columns: label, CSS width, right-aligned. About 870 px in all, so that the table
#: fits beside JupyterLab's open sidebar; longer names and sources end in an ellipsis and
#: show in full on hover.
_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("id", "4.5em", True),
    ("name", "12.5em", False),
    ("state", "8.5em", False),
    ("rows", "5em", True),
    ("columns", "5em", True),
    ("created", "9.5em", False),
    ("source", "13em", False),
)

#: action -> (button label, present participle, past tense)
_VERBS: dict[str, tuple[str, str, str]] = {
    "suspend": ("Suspend", "Suspending", "Suspended"),
    "restore": ("Restore", "Restoring", "Restored"),
    "delete": ("Delete", "Deleting", "Deleted"),
}


def _cell(text: str, width: str, right: bool = False, *, header: bool = False) -> str:
    align = "right" if right else "left"
    weight = "font-weight:600;" if header else ""
    return (
        f'<span style="display:inline-block;width:{width};padding:0 6px;text-align:{align};'
        f'overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:middle;{weight}">'
        f"{text}</span>"
    )


def _state_label(state: str) -> str:
    colour, background = STATE_COLOURS.get(state, ("#344054", "#f2f4f7"))
    return (
        f'<span style="color:{colour};background:{background};border-radius:8px;'
        f'padding:0 6px">{html.escape(state or "—")}</span>'
    )


def _number(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{int(value):,}"


def _created(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _row_html(batch_id: int, row: pd.Series) -> str:
    name = row.get("name")
    name_text = "" if name is None or pd.isna(name) else str(name)
    state = row.get("state")
    state_text = "" if state is None or pd.isna(state) else str(state)
    source = source_text(row)
    cells = [
        str(batch_id),
        f'<span title="{html.escape(name_text)}">{html.escape(name_text)}</span>',
        _state_label(state_text),
        _number(row.get("row_count")),
        _number(row.get("column_count")),
        _created(row.get("created_at")),
        f'<span title="{html.escape(source)}">{html.escape(source)}</span>',
    ]
    return "".join(
        _cell(text, width, right) for text, (_, width, right) in zip(cells, _COLUMNS, strict=True)
    )


def _row_class(batch_id: int) -> str:
    """The CSS class naming the row that shows ``batch_id`` (``mp-batch-id-12``)."""
    return f"mp-batch-id-{int(batch_id)}"


class _Row:
    """One reusable table row: a checkbox and the row's cells in one HTML widget.

    The row box carries ``mp-batch-row`` and, while it shows a batch, ``mp-batch-id-<id>``.
    """

    def __init__(self, on_toggle: Callable[[_Row, bool], None]) -> None:
        self.batch_id: int | None = None
        self.checkbox = css(
            widgets.Checkbox(
                value=False, indent=False, layout={"width": "28px", "flex": "0 0 auto"}
            ),
            "mp-row-checkbox",
        )
        self.cells = css(
            widgets.HTML(layout={"flex": "0 0 auto", "overflow": "visible"}), "mp-batch-cells"
        )
        self.box = css(
            widgets.HBox(
                [self.checkbox, self.cells], layout={"flex_flow": "row nowrap", "width": "auto"}
            ),
            "mp-batch-row",
        )
        self.box.layout.display = "none"
        self.checkbox.observe(lambda change: on_toggle(self, bool(change["new"])), names="value")

    def show(self, batch_id: int | None) -> None:
        """Point the row at ``batch_id`` (``None``: no batch), moving its id class along."""
        if batch_id == self.batch_id:
            return
        if self.batch_id is not None:
            self.box.remove_class(_row_class(self.batch_id))
        self.batch_id = batch_id
        if batch_id is not None:
            self.box.add_class(_row_class(batch_id))

    def widgets(self) -> list[widgets.Widget]:
        return [self.checkbox, self.cells, self.box]


class BatchPanel(ActionCallbacks, widgets.VBox):
    """Filter, page, select, suspend, restore and delete the batches of one dataset.

    ``panel.frame`` is every batch matching the filters, sorted (fetched on demand);
    ``panel.page_frame`` the visible page; ``panel.selected`` the sorted selected ids.
    ``panel.refresh()`` reloads, ``panel.on_action_finished(callback)`` is told of every
    finished action (an :class:`~mammoth_pandas.widgets.ActionResult`), ``panel.wait()``
    blocks until the running action is done, and the ``busy`` trait can be observed.
    Every control is an attribute (``state_filter``, ``suspend_button``,
    ``confirm_button``, ``status``, …), so code can drive the panel like a user.
    """

    busy = traitlets.Bool(False, help="True while an action's job runs")

    def __init__(self, dataset_handle: DatasetHandle, *, page_size: int = 20) -> None:
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise MammothInputError(
                "page_size", f"got {page_size!r}", accepted=f"an integer from 1 to {C.MAX_LIMIT}"
            )
        if not 1 <= page_size <= C.MAX_LIMIT:
            raise MammothInputError(
                "page_size", f"{page_size} is out of range", accepted=f"1 to {C.MAX_LIMIT}"
            )
        for attribute in ("client", "workspace_id", "project_id", "dataset_id"):
            if not hasattr(dataset_handle, attribute):
                raise MammothInputError(
                    "dataset_handle",
                    f"{type(dataset_handle).__name__} has no {attribute!r}",
                    accepted="a DatasetHandle, e.g. client.dataset(workspace_id, project_id, id)",
                )
        self.handle = dataset_handle
        self._source = BatchSource(dataset_handle)
        self._lock = threading.RLock()
        self._selected: set[int] = set()
        self._callbacks: list[Callable[[ActionResult], Any]] = []
        self._filters = BatchFilters()
        self._page = 1
        self._page_size = page_size
        self._total = 0
        self._page_frame: pd.DataFrame | None = None
        self._rendering = False
        self._holding = False
        self.last_result: ActionResult | None = None

        self._build_controls(page_size)
        super().__init__(self._layout())
        self.add_class("mp-batch-panel")
        self._connect()
        self._name_dataset()
        self.reload(announce=True)

    @classmethod
    def from_ids(
        cls,
        client: MammothClient,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        *,
        page_size: int = 20,
    ) -> BatchPanel:
        """The panel of dataset ``dataset_id`` of a workspace and project, through ``client``."""
        return cls(client.dataset(workspace_id, project_id, dataset_id), page_size=page_size)

    # -- construction -------------------------------------------------------------------

    def _build_controls(self, page_size: int) -> None:
        w = widgets
        self.title = css(
            w.HTML(f"<b>Batches of dataset {int(self.handle.dataset_id)}</b>"), "mp-title"
        )
        self.state_filter = css(
            w.SelectMultiple(
                options=list(C.BATCH_STATES),
                value=(),
                rows=len(C.BATCH_STATES),
                description="States",
            ),
            "mp-state-filter",
        )
        set_tooltip(self.state_filter, "No state chosen: every state")
        self.created_from = css(w.DatePicker(description="Created", value=None), "mp-created-from")
        self.created_to = css(w.DatePicker(description="to", value=None), "mp-created-to")
        self.rows_min = css(
            w.Text(description="Rows", placeholder="min", continuous_update=False), "mp-rows-min"
        )
        self.rows_max = css(
            w.Text(description="to", placeholder="max", continuous_update=False), "mp-rows-max"
        )
        self.name_filter = css(
            w.Text(description="Name", placeholder="contains…", continuous_update=False),
            "mp-name-filter",
        )
        self.clear_filters_button = css(
            w.Button(description="Clear filters", icon="times"), "mp-clear-filters"
        )
        self.sort_by = css(
            w.Dropdown(options=list(SORT_KEYS), value="id", description="Sort by"), "mp-sort-by"
        )
        self.sort_direction = css(
            w.Dropdown(
                options=[("ascending", "asc"), ("descending", "desc")],
                value="asc",
                description="Order",
            ),
            "mp-sort-direction",
        )
        sizes = sorted({*PAGE_SIZES, page_size})
        self.page_size_input = css(
            w.Dropdown(options=sizes, value=page_size, description="Per page"), "mp-page-size"
        )

        self.header = css(
            w.HTML(
                '<div style="padding-left:28px;border-bottom:1px solid #d0d5dd;white-space:nowrap">'
                + "".join(
                    _cell(label, width, right, header=True) for label, width, right in _COLUMNS
                )
                + "</div>",
                layout={"flex": "0 0 auto", "overflow": "visible"},
            ),
            "mp-batch-header",
        )
        self._rows: list[_Row] = []
        self.table = css(w.VBox(layout={"overflow": "visible"}), "mp-batch-table")
        self._grow_pool(page_size)
        self.empty_note = css(w.HTML("<i>No batches match these filters.</i>"), "mp-empty")
        self.empty_note.layout.display = "none"

        self.prev_button = css(
            w.Button(description="◀", tooltip="previous page", layout={"width": "40px"}),
            "mp-prev",
        )
        self.page_label = css(w.HTML("page 1 of 1"), "mp-page-label")
        self.next_button = css(
            w.Button(description="▶", tooltip="next page", layout={"width": "40px"}), "mp-next"
        )
        self.select_page_button = css(w.Button(description="Select page"), "mp-select-page")
        self.select_matching_button = css(
            w.Button(description="Select all matching"), "mp-select-matching"
        )
        self.clear_selection_button = css(
            w.Button(description="Clear selection"), "mp-clear-selection"
        )
        self.selection_label = css(w.HTML("0 selected"), "mp-selection-label")

        self.suspend_button = css(
            w.Button(description="Suspend", icon="pause", button_style="warning"), "mp-suspend"
        )
        self.restore_button = css(
            w.Button(description="Restore", icon="play", button_style="info"), "mp-restore"
        )
        self.delete_button = css(
            w.Button(description="Delete", icon="trash", button_style="danger"), "mp-delete"
        )
        self.refresh_button = css(w.Button(description="Refresh", icon="refresh"), "mp-refresh")
        self.confirmation = Confirmation()
        self.confirm_button = self.confirmation.confirm_button
        self.cancel_button = self.confirmation.cancel_button
        self.progress = css(
            w.IntProgress(value=0, min=0, max=100, description="Job"), "mp-progress"
        )
        self.status = StatusLine()
        self._runner = JobRunner(self.progress, on_busy=self._set_busy)

    def _name_dataset(self) -> None:
        """Put the dataset's name in the title (the id alone when it cannot be read)."""
        try:
            name = self.handle.info().get("name")
        except Exception:  # the listing's own error is shown by reload()
            return
        if name:
            dataset_id = int(self.handle.dataset_id)
            self.title.value = f"<b>Batches of {html.escape(str(name))}</b> (dataset {dataset_id})"

    def _layout(self) -> list[widgets.Widget]:
        w = widgets
        wrap = {"flex_flow": "row wrap"}
        return [
            self.title,
            w.HBox(
                [
                    self.state_filter,
                    w.VBox(
                        [
                            w.HBox([self.created_from, self.created_to]),
                            w.HBox([self.rows_min, self.rows_max]),
                            w.HBox([self.name_filter, self.clear_filters_button]),
                        ]
                    ),
                ],
                layout=wrap,
            ),
            w.HBox([self.sort_by, self.sort_direction, self.page_size_input], layout=wrap),
            # The header and rows scroll sideways together when the notebook is narrower
            # than the table, instead of wrapping a row's cells onto a second line.
            css(
                w.VBox([self.header, self.table], layout={"overflow": "auto"}),
                "mp-batch-scroll",
            ),
            self.empty_note,
            w.HBox(
                [
                    self.prev_button,
                    self.page_label,
                    self.next_button,
                    self.select_page_button,
                    self.select_matching_button,
                    self.clear_selection_button,
                    self.selection_label,
                ],
                layout=wrap,
            ),
            css(
                w.HBox(
                    [
                        self.suspend_button,
                        self.restore_button,
                        self.delete_button,
                        self.refresh_button,
                    ],
                    layout=wrap,
                ),
                "mp-actions",
            ),
            self.confirmation,
            w.HBox([self.progress, self.status], layout=wrap),
        ]

    def _connect(self) -> None:
        for control in (
            self.state_filter,
            self.created_from,
            self.created_to,
            self.rows_min,
            self.rows_max,
            self.name_filter,
            self.sort_by,
            self.sort_direction,
        ):
            control.observe(self._on_filter_change, names="value")
        self.page_size_input.observe(self._on_page_size, names="value")
        self.clear_filters_button.on_click(lambda _b: self.clear_filters())
        self.prev_button.on_click(lambda _b: self._go(self._page - 1))
        self.next_button.on_click(lambda _b: self._go(self._page + 1))
        self.select_page_button.on_click(lambda _b: self.select(self.page_ids))
        self.select_matching_button.on_click(lambda _b: self.select_all_matching())
        self.clear_selection_button.on_click(lambda _b: self.clear_selection())
        self.suspend_button.on_click(lambda _b: self._ask("suspend"))
        self.restore_button.on_click(lambda _b: self._ask("restore"))
        self.delete_button.on_click(lambda _b: self._ask("delete"))
        self.refresh_button.on_click(lambda _b: self.refresh())

    def _grow_pool(self, size: int) -> None:
        while len(self._rows) < size:
            self._rows.append(_Row(self._on_toggle))
        self.table.children = tuple(row.box for row in self._rows)

    # -- programmatic access ------------------------------------------------------------

    @property
    def filters(self) -> BatchFilters:
        """The filters and sort order in force."""
        return self._filters

    @property
    def frame(self) -> pd.DataFrame:
        """Every batch matching the filters, in the panel's order (fetched on demand)."""
        return self._source.frame(self._filters)

    @property
    def page_frame(self) -> pd.DataFrame:
        """The batches on the visible page."""
        frame = self._page_frame
        return frame.copy() if frame is not None else pd.DataFrame()

    @property
    def page_ids(self) -> list[int]:
        frame = self._page_frame
        return [] if frame is None else [int(i) for i in frame.index]

    @property
    def row_checkboxes(self) -> list[widgets.Checkbox]:
        """The checkboxes of the visible rows, in table order."""
        return [row.checkbox for row in self._rows if row.batch_id is not None]

    @property
    def total(self) -> int:
        """How many batches match the filters."""
        return self._total

    @property
    def page(self) -> int:
        return self._page

    @page.setter
    def page(self, number: int) -> None:
        self._go(number)

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self._total / self._page_size))

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def selected(self) -> list[int]:
        """The selected batch ids, sorted (kept across pages, filters and refreshes)."""
        return sorted(self._selected)

    def select(self, ids: Iterable[int]) -> None:
        self._selected.update(int(i) for i in ids)
        self._render_selection()

    def deselect(self, ids: Iterable[int]) -> None:
        self._selected.difference_update(int(i) for i in ids)
        self._render_selection()

    def clear_selection(self) -> None:
        self._selected.clear()
        self._render_selection()

    def select_all_matching(self) -> None:
        """Add every batch matching the filters (on every page) to the selection."""
        try:
            ids = self._source.matching_ids(self._filters)
        except Exception as exc:  # said in the status line, never raised into the void
            self.status.error(describe_error(exc, doing="Selecting all matching"))
            return
        self.select(ids)
        self.status.info(f"Selected the {plural(len(ids), 'matching batch', 'matching batches')}.")

    def clear_filters(self) -> None:
        with self._hold():
            self.state_filter.value = ()
            self.created_from.value = None
            self.created_to.value = None
            self.rows_min.value = ""
            self.rows_max.value = ""
            self.name_filter.value = ""
        self._on_filter_change(None)

    def refresh(self) -> None:
        """Fetch the batches again (errors go to the status line)."""
        self._source.invalidate()
        self.reload(announce=True)

    def close(self) -> None:
        """Stop following the running job (it goes on on the server) and close every widget."""
        runner = getattr(self, "_runner", None)  # None when __init__ failed early
        if runner is not None:
            runner.stop()
        close_all([*self.children, *(row.box for row in getattr(self, "_rows", ()))])
        self.layout.close()
        super().close()

    # -- loading and rendering ----------------------------------------------------------

    @contextmanager
    def _hold(self) -> Iterator[None]:
        held, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = held

    def _read_filters(self) -> BatchFilters:
        return BatchFilters(
            states=tuple(self.state_filter.value),
            created_from=self.created_from.value,
            created_to=self.created_to.value,
            rows_min=_whole_number("rows_min", self.rows_min.value),
            rows_max=_whole_number("rows_max", self.rows_max.value),
            name_contains=self.name_filter.value or "",
            sort_by=self.sort_by.value,
            descending=self.sort_direction.value == "desc",
        )

    def _on_filter_change(self, _change: Any) -> None:
        if self._holding:
            return
        try:
            filters = self._read_filters()
        except MammothInputError as exc:
            self.status.error(describe_error(exc))
            return
        self._filters = filters
        self._page = 1
        self.reload(announce=True)

    def _on_page_size(self, change: Any) -> None:
        first = (self._page - 1) * self._page_size
        self._page_size = int(change["new"])
        self._grow_pool(self._page_size)
        self._page = first // self._page_size + 1
        self.reload()

    def _go(self, number: int) -> None:
        self._page = max(1, min(int(number), self.page_count))
        self.reload()

    def reload(self, *, announce: bool = False) -> bool:
        """Fetch the visible page for the current filters; errors go to the status line."""
        try:
            with self._lock:
                self._load()
        except Exception as exc:  # said in the status line, never raised into the void
            self.status.error(describe_error(exc, doing="Loading the batches"))
            return False
        if announce:
            filtered = self._filters != BatchFilters(
                sort_by=self._filters.sort_by, descending=self._filters.descending
            )
            match = " match the filters" if filtered else ""
            self.status.info(f"{plural(self._total, 'batch', 'batches')}{match}.")
        return True

    def _load(self) -> None:
        filters = self._filters
        total = self._source.count(filters)
        pages = max(1, math.ceil(total / self._page_size))
        page = max(1, min(self._page, pages))
        frame = self._source.page(filters, (page - 1) * self._page_size, self._page_size)
        self._total, self._page, self._page_frame = total, page, frame
        self._render()

    def _render(self) -> None:
        """Show the page's batches in the row pool (their checkboxes: _render_selection)."""
        frame = self._page_frame if self._page_frame is not None else pd.DataFrame()
        self._rendering = True
        try:
            records = list(frame.iterrows())
            for index, row in enumerate(self._rows):
                if index < len(records) and index < self._page_size:
                    batch_id, values = records[index]
                    row.show(int(batch_id))
                    row.cells.value = _row_html(int(batch_id), values)
                    row.box.layout.display = None
                else:
                    row.show(None)
                    row.checkbox.value = False
                    row.box.layout.display = "none"
        finally:
            self._rendering = False
        self.empty_note.layout.display = None if not records else "none"
        self.page_label.value = f"page {self._page} of {self.page_count}"
        self.prev_button.disabled = self._page <= 1
        self.next_button.disabled = self._page >= self.page_count
        self._render_selection()

    def _render_selection(self) -> None:
        self._rendering = True
        try:
            for row in self._rows:
                if row.batch_id is not None:
                    row.checkbox.value = row.batch_id in self._selected
        finally:
            self._rendering = False
        on_page = sum(1 for i in self.page_ids if i in self._selected)
        count = len(self._selected)
        text = f"{count} selected"
        if count and on_page != count:
            text += f" ({on_page} on this page)"
        self.selection_label.value = text

    def _on_toggle(self, row: _Row, checked: bool) -> None:
        if self._rendering or row.batch_id is None:
            return
        if checked:
            self._selected.add(row.batch_id)
        else:
            self._selected.discard(row.batch_id)
        self._render_selection()

    # -- actions ------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        for button in (
            self.suspend_button,
            self.restore_button,
            self.delete_button,
            self.refresh_button,
            self.confirm_button,
        ):
            button.disabled = busy
        self.busy = busy

    def _ask(self, action: str) -> None:
        label, _, _ = _VERBS[action]
        ids = self.selected
        if self._runner.running:
            self.status.warning("An action is still running; wait for it to finish.")
            return
        if not ids:
            self.status.warning(f"Select at least one batch to {action}.")
            return
        question = f"{label} {plural(len(ids), 'batch', 'batches')}: {describe_ids(ids)}?"
        if action == "delete":
            question += " This cannot be undone."
        self.confirmation.ask(
            question,
            lambda: self._start(action, ids),
            on_cancel=lambda: self.status.info("Cancelled: nothing was changed."),
            confirm_label=label,
            danger=action == "delete",
        )

    def _start(self, action: str, ids: list[int]) -> None:
        _, doing, _ = _VERBS[action]
        what = f"{plural(len(ids), 'batch', 'batches')}: {describe_ids(ids)}"
        handle = self.handle

        def submit() -> Job:
            if action == "suspend":
                return handle.suspend(ids, wait=False)
            if action == "restore":
                return handle.restore(ids, wait=False)
            return handle.delete(ids, wait=False)

        def on_status(job: Job) -> None:
            self.status.busy(f"{doing} {what} (job {job.id}: {job.status})…")

        self.status.busy(f"{doing} {what}…")
        try:
            self._runner.start(
                submit,
                on_status=on_status,
                finish=lambda job: self._finished(action, ids, job),
                fail=lambda exc, job: self._failed(action, ids, exc, job),
                after=self._notify,
            )
        except MammothInputError as exc:
            self.status.warning(describe_error(exc))

    def _finished(self, action: str, ids: list[int], job: Job) -> None:
        _, _, done = _VERBS[action]
        message = f"{done} {plural(len(ids), 'batch', 'batches')}: {describe_ids(ids)}."
        self._source.invalidate()
        states: dict[int, str] = {}
        try:
            states = self._source.states_of(ids)
            if action == "delete":
                gone = ("gone", "deleting", "pending_delete")
                self._selected.difference_update(i for i in ids if states.get(i, "gone") in gone)
            with self._lock:
                self._load()
        except Exception as exc:  # the action succeeded: say so, and why the table is stale
            message += f" {describe_error(exc, doing='Reloading the batches')}"
            self.status.warning(message)
        else:
            now = Counter(states.get(i, "gone") for i in ids)
            message += " Now " + ", ".join(f"{n} {state}" for state, n in sorted(now.items())) + "."
            self.status.success(message)
        self.last_result = ActionResult(
            action, tuple(ids), job, True, None, message, {"states": states}
        )

    def _failed(self, action: str, ids: list[int], exc: BaseException, job: Job | None) -> None:
        label, _, _ = _VERBS[action]
        message = describe_error(exc, doing=f"{label} {plural(len(ids), 'batch', 'batches')}")
        self._source.invalidate()
        try:
            with self._lock:
                self._load()
        except Exception:  # noqa: S110 - the action's own error is the one worth showing
            pass
        self.status.error(message)
        self.last_result = ActionResult(action, tuple(ids), job, False, exc, message)


def _whole_number(field: str, text: str) -> int | None:
    text = (text or "").strip().replace(",", "").replace("_", "")
    if not text:
        return None
    if not text.isdigit():
        raise MammothInputError(
            field, f"{text!r} is not a whole number", accepted="digits, or empty"
        )
    return int(text)
