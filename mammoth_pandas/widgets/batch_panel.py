"""The batch panel: filter, sort, page, select and act on one dataset's batches.

::

    panel = BatchPanel(client.dataset(1, 1, 101))   # or ds.panel()
    panel                                           # shows it in the notebook

The selection lives in Python, keyed by batch id, so filtering, sorting, paging and
refreshing never lose it. The table is a fixed pool of row widgets, as many as the page
size. Filters the server can apply go to it; the name filter, the row-count range, the
chips' counts and the timeline use the dataset's light index (``_index``), read in the
background with progress and a Cancel button when it is large. Suspend, Restore and
Delete say what they would change and skip, ask inline next to their button, run in a
background thread, can be undone (suspend, restore) and are logged in ``history``.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from mammoth_pandas import params as P
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.history import ActionLog
from mammoth_pandas.widgets import _batch_controls as controls
from mammoth_pandas.widgets._actions import VERBS
from mammoth_pandas.widgets._batch_actions import BatchActions
from mammoth_pandas.widgets._batch_filters import FilterControls
from mammoth_pandas.widgets._batch_reading import IndexReading
from mammoth_pandas.widgets._batch_selection import RowSelection
from mammoth_pandas.widgets._batch_source import SORT_KEYS, BatchFilters, BatchSource
from mammoth_pandas.widgets._batch_static import static_table
from mammoth_pandas.widgets._dom import close_all
from mammoth_pandas.widgets._index import DatasetIndex, Matches, fields_for
from mammoth_pandas.widgets._runner import ActionCallbacks, ActionResult, ActionRunner
from mammoth_pandas.widgets._static import StaticView
from mammoth_pandas.widgets._table import Row, RowParts, row_cells
from mammoth_pandas.widgets._text import describe_error, plural
from mammoth_pandas.widgets.preview import BatchPreview

if TYPE_CHECKING:
    from mammoth_pandas.client import MammothClient
    from mammoth_pandas.dataset import DatasetHandle

__all__ = ["BatchPanel"]


class BatchPanel(
    StaticView,
    ActionCallbacks,
    FilterControls,
    BatchActions,
    IndexReading,
    RowSelection,
    widgets.VBox,
):
    """Filter, sort, page, select, suspend, restore and delete the batches of one dataset.

    ``panel.frame`` is every batch matching the filters, sorted (fetched on demand);
    ``panel.page_frame`` the visible page; ``panel.selected`` the sorted selected ids;
    ``panel.selected_frame`` the selection (or every match) as a DataFrame;
    ``panel.history`` the actions of this session. ``refresh()``, ``sort(column)``,
    ``undo()``, ``cancel_read()``, ``wait()``, ``wait_read()`` and
    ``on_action_finished(callback)`` / ``on_highlight(callback)`` drive it from code;
    every control is an attribute (``state_chips``, ``header``, ``suspend_button``…).
    """

    busy = traitlets.Bool(False, help="True while an action's job runs")
    reading = traitlets.Bool(False, help="True while the dataset's index is read")

    def __init__(
        self, dataset_handle: DatasetHandle, *, page_size: int = 20, overview: bool = True
    ) -> None:
        page_size = P.page_size(page_size, text=False)
        for attribute in ("client", "workspace_id", "project_id", "dataset_id"):
            if not hasattr(dataset_handle, attribute):
                raise MammothInputError(
                    "dataset_handle",
                    f"{type(dataset_handle).__name__} has no {attribute!r}",
                    accepted="a DatasetHandle, e.g. client.dataset(workspace_id, project_id, id)",
                )
        self.handle = dataset_handle
        self._source = BatchSource(dataset_handle)
        # the first page, its count and the dataset's name are read while the controls are
        # built (building them costs about as much as the requests)
        self._source.start(BatchFilters(), page_size)
        starting = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mammoth-panel-start")
        info = starting.submit(dataset_handle.info)
        starting.shutdown(wait=False)
        self._index = DatasetIndex(dataset_handle)
        self._overview = bool(overview)
        self._lock = threading.RLock()
        self._selected: set[int] = set()
        self._callbacks: list[Callable[[ActionResult], Any]] = []
        self._highlight_callbacks: list[Callable[[int], Any]] = []
        self._filters = BatchFilters()
        self._page, self._page_size, self._total = 1, page_size, 0
        self._counting: Future[int] | None = None  # the first count, while it runs
        self._counting_for: BatchFilters | None = None  # the filters it counts
        self._counted = threading.Event()  # set once the first count is known
        self._counted.set()
        self._page_frame: pd.DataFrame | None = None
        self._ordered: Matches | None = None
        self._rendering = self._holding = False
        self._anchor: tuple[int, int] | None = None
        self._undo: tuple[str, tuple[int, ...], str] | None = None
        self._read_thread: threading.Thread | None = None
        self._expected = 0
        self._cancel_read = threading.Event()
        self.highlighted: int | None = None
        self.last_result: ActionResult | None = None
        self.action_log = ActionLog()

        controls.build_controls(self, page_size)
        self._row_parts = RowParts()
        self._runner = ActionRunner(self.progress, on_busy=self._set_busy)
        super().__init__(controls.layout(self))
        self.add_class("mp-batch-panel")
        self.add_class("mp-panel")
        self._connect()
        self.preview = BatchPreview(dataset_handle)  # the highlighted batch's first rows
        self.preview_slot.children = (self.preview,)
        self.on_highlight(self.preview.show)
        controls.name_dataset(self, info.result)
        self.header.show_sort("id", False)
        self.reload(announce=True, initial=True)

    @classmethod
    def from_ids(
        cls,
        client: MammothClient,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        **kwargs: Any,
    ) -> BatchPanel:
        """The panel of dataset ``dataset_id`` of a workspace and project, through ``client``."""
        return cls(client.dataset(workspace_id, project_id, dataset_id), **kwargs)

    def _connect(self) -> None:
        for control in (self.created_from, self.created_to, self.rows_min, self.rows_max):
            control.observe(self._on_filter_change, names="value")
        self.name_filter.observe(self._on_filter_change, names="value")
        self.page_size_input.observe(self._on_page_size, names="value")
        self.page_input.observe(
            lambda c: None if self._holding else self._go(int(c["new"])), names="value"
        )
        self.clear_filters_button.on_click(lambda _b: self.clear_filters())
        self.first_button.on_click(lambda _b: self._go(1))
        self.prev_button.on_click(lambda _b: self._go(self._page - 1))
        self.next_button.on_click(lambda _b: self._go(self._page + 1))
        self.last_button.on_click(lambda _b: self._go(self.page_count))
        self.select_page_button.on_click(lambda _b: self.select(self.page_ids))
        self.select_matching_button.on_click(lambda _b: self.select_all_matching())
        self.clear_selection_button.on_click(lambda _b: self.clear_selection())
        for action in VERBS:
            button = getattr(self, f"{action}_button")
            button.on_click(lambda _b, action=action: self._ask(action))
        self.undo_button.on_click(lambda _b: self.undo())
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.export_button.on_click(lambda _b: self.export_csv())
        self.cancel_read_button.on_click(lambda _b: self.cancel_read())

    def _grow_pool(self, size: int) -> None:
        """Rows up to ``size``.

        The first page's rows are made by ``_render`` with their content, so that they reach
        the page with it.
        """
        if len(self._rows) < size:
            while len(self._rows) < size:
                self._rows.append(Row(self._on_toggle, self._row_parts))
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
        """The batch ids on the page shown."""
        frame = self._page_frame
        return [] if frame is None else [int(i) for i in frame.index]

    @property
    def row_checkboxes(self) -> list[widgets.Checkbox]:
        """The checkboxes of the visible rows, in table order."""
        return [row.checkbox for row in self._rows if row.batch_id is not None]

    @property
    def total(self) -> int:
        """How many batches match the filters (waits for the first count if it still runs)."""
        self._counted.wait()
        return self._total

    @property
    def page(self) -> int:
        """The page shown, from 0."""
        return self._page

    @page.setter
    def page(self, number: int) -> None:
        self._go(number)

    @property
    def page_count(self) -> int:
        """How many pages the current filter spans (at least 1; waits as ``total`` does)."""
        self._counted.wait()
        return self._pages()

    def _pages(self) -> int:
        return max(1, math.ceil(self._total / self._page_size))

    @property
    def page_size(self) -> int:
        """Batches per page."""
        return self._page_size

    @property
    def selected(self) -> list[int]:
        """The selected batch ids, sorted (kept across pages, filters and refreshes)."""
        return sorted(self._selected)

    @property
    def selected_frame(self) -> pd.DataFrame:
        """The selected batches (every matching batch when none is selected) as a DataFrame."""
        if self._selected:
            return self._source.rows(self.selected)
        return self.frame.copy()

    @property
    def history(self) -> pd.DataFrame:
        """This session's actions: time, action, ids, job, outcome, message."""
        return self.action_log.frame()

    def sort(self, column: str, descending: bool | None = None) -> None:
        """Sort by ``column`` (a header: id, name, state, rows, columns, created, source).

        The same column again reverses the order unless ``descending`` is given.
        """
        if column not in SORT_KEYS:
            raise MammothInputError(
                "column", f"cannot sort on {column!r}", accepted=", ".join(SORT_KEYS)
            )
        if descending is None:
            descending = column == self._filters.sort_by and not self._filters.descending
        self._filters = dataclasses.replace(self._filters, sort_by=column, descending=descending)
        self.header.show_sort(column, descending)
        self._page = 1
        self.reload(announce=True)

    def refresh(self) -> None:
        """Fetch the batches again (errors go to the status line)."""
        self._source.invalidate()
        self._index.invalidate()
        self._ordered = None
        self.reload(announce=True)

    def close(self) -> None:
        """Stop following the running job and reading, and close every widget.

        The job goes on on the server.
        """
        runner = getattr(self, "_runner", None)  # None when __init__ failed early
        if runner is not None:
            runner.stop()
        cancel = getattr(self, "_cancel_read", None)
        if cancel is not None:
            cancel.set()
        parts = getattr(self, "_row_parts", None)
        close_all([*self.children, *(row.box for row in getattr(self, "_rows", ()))])
        close_all(parts.widgets() if parts is not None else ())
        self.layout.close()
        super().close()

    # -- loading and rendering ----------------------------------------------------------

    def _uses_index(self, filters: BatchFilters) -> bool:
        """Whether the index answers.

        It does for filters the server cannot apply, and for every filter once the index is complete
        with the fields they need (no request but the page's rows); sorting by source needs the
        source, which the index does not hold.
        """
        if SORT_KEYS[filters.sort_by] is None:
            return False
        return filters.local or self._index.holds(fields_for(filters))

    def _on_page_size(self, change: Any) -> None:
        first = (self._page - 1) * self._page_size
        self._page_size = int(change["new"])
        self._grow_pool(self._page_size)
        self._page = first // self._page_size + 1
        self.reload()

    def _go(self, number: int) -> None:
        if self._counting is not None:  # the first count still runs: pages turn without it
            page = max(1, int(number))
        else:
            page = max(1, min(int(number), self.page_count))
        if page != self._page or self._page_frame is None:
            self._page = page
            self.reload()
        else:
            self.page_input.value = page

    def reload(self, *, announce: bool = False, initial: bool = False) -> bool:
        """Fetch the visible page for the current filters; errors go to the status line.

        ``initial``: the panel's first load, which shows the first page without waiting for
        a count that takes more than one request (it goes on in the background).
        """
        try:
            with self._lock, self._source.first():
                partial = self._load(initial=initial)  # the page first, then the background read
                if self._overview and self._counting is None:
                    self._ensure_index()
        except Exception as exc:  # said in the status line, never raised into the void
            self.status.error(describe_error(exc, doing="Loading the batches"))
            return False
        if self._counting is not None:
            self.status.busy("Counting the batches…")
        elif partial:
            self.status.busy(self._reading_text())
        elif announce:
            plain = BatchFilters(sort_by=self._filters.sort_by, descending=self._filters.descending)
            match = " match the filters" if self._filters != plain else ""
            self.status.info(f"{plural(self._total, 'batch', 'batches')}{match}.")
        self._update_overview()
        return True

    def _ordered_ids(self, filters: BatchFilters) -> tuple[pd.Index, bool]:
        """The ids matching ``filters`` in order, from the index (partial while reading).

        While the index is read, only the rows read since the last call are filtered.
        """
        fields = fields_for(filters)
        self._ensure_index(fields)
        complete = self._index.holds(fields)
        frame, generation = self._index.snapshot()
        if frame is None or not self._index.has_columns(fields):  # read without them so far
            return pd.Index([]), True
        if self._ordered is None or self._ordered.filters != filters:
            self._ordered = Matches(filters)
        return self._ordered.update(frame, generation), not complete

    def _load(self, *, initial: bool = False) -> bool:
        filters = self._filters
        partial = False
        if initial and not self._uses_index(filters):
            counted = self._source.count_if_quick(filters)
            if not isinstance(counted, int):  # a long count: the first page meanwhile
                frame = self._source.page(filters, 0, self._page_size)
                self._counting, self._counting_for = counted, filters
                self._counted.clear()
                self._total, self._page, self._page_frame = len(frame), 1, frame
                self._render()
                counted.add_done_callback(self._on_counted)
                return False
        if self._counting is not None and self._counting_for == filters:
            # The first count still runs: the next page is read without waiting for it (the
            # total and the last page are shown when it ends). Past the end, it is waited for.
            frame = self._source.page(filters, (self._page - 1) * self._page_size, self._page_size)
            if len(frame):
                self._page_frame = frame
                self._render()
                return False
        if self._uses_index(filters):
            ids, partial = self._ordered_ids(filters)
            total = len(ids)
            page = max(1, min(self._page, max(1, math.ceil(total / self._page_size))))
            start = (page - 1) * self._page_size
            frame = self._source.rows([int(i) for i in ids[start : start + self._page_size]])
        else:
            total = self._source.count(filters)
            page = max(1, min(self._page, max(1, math.ceil(total / self._page_size))))
            frame = self._source.page(filters, (page - 1) * self._page_size, self._page_size)
        self._total, self._page, self._page_frame = total, page, frame
        self._counting = None  # this load counted for itself: a first count still running is moot
        self._counted.set()
        self._render()
        return partial

    def _on_counted(self, counting: Future[int]) -> None:
        """The first count has ended: show it, and start what waited for it (the overview)."""
        try:
            with self._lock:
                if self._counting is not counting:
                    return  # a later load has counted for itself
                self._counting = None
                self._total = self._source.count(self._filters)  # the count's answer, kept
                self._render()
                if self._overview:
                    self._ensure_index()
            self.status.info(f"{plural(self._total, 'batch', 'batches')}.")
            self._update_overview()
        except Exception as exc:  # said in the status line, never raised into the void
            self.status.error(describe_error(exc, doing="Counting the batches"))
        finally:
            self._counted.set()

    def _matching_ids(self) -> list[int]:
        if self._uses_index(self._filters) and self._index.holds(fields_for(self._filters)):
            return [int(i) for i in self._ordered_ids(self._filters)[0]]
        return self._source.matching_ids(self._filters)

    def _render(self) -> None:
        """Show the page's batches in the row pool (their checkboxes: _render_selection)."""
        frame = self._page_frame if self._page_frame is not None else pd.DataFrame()
        self._rendering = True
        try:
            records = list(frame.iterrows())[: self._page_size]
            shown = []
            for batch_id, values in records:
                batch_id = int(batch_id)
                cells = row_cells(batch_id, values)
                ticked = batch_id in self._selected
                shown.append((batch_id, cells, ticked, batch_id == self.highlighted))
            made = len(self._rows)
            for index in range(made, self._page_size):  # the pool's first rows, filled
                part = shown[index] if index < len(shown) else None
                self._rows.append(Row(self._on_toggle, self._row_parts, part))
            if len(self._rows) != made:
                self.table.children = tuple(row.box for row in self._rows)
            for index, row in enumerate(self._rows[:made]):
                if index < len(shown):
                    batch_id, cells, ticked, lit = shown[index]
                    row.display(batch_id, cells, ticked=ticked, highlighted=lit)
                else:
                    row.display(None, "", ticked=False, highlighted=False)
        finally:
            self._rendering = False
        self.empty_note.layout.display = None if not records else "none"
        pages = self._pages()
        counting = self._counting is not None
        if counting:  # the total is not known yet: a full page may have another after it
            pages = max(pages, self._page + (len(records) >= self._page_size))
        self.page_label.value = "of …" if counting else f"of {pages:,}"
        with self._hold():
            self.page_input.max = pages
            self.page_input.value = self._page
        self.first_button.disabled = self.prev_button.disabled = self._page <= 1
        self.next_button.disabled = self._page >= pages
        self.last_button.disabled = counting or self._page >= pages
        self._render_selection()

    def static_html(self) -> str:
        """The title, the status and the visible page as plain HTML (the saved view)."""
        return self.static_page(static_table(self))
