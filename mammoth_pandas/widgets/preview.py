"""A preview of one batch's first rows, read in the background, with its typed columns.

::

    preview = BatchPreview(client.dataset(1, 1, 101))
    preview.show(1001)      # reads the first 10 rows off the kernel's main thread
    preview.wait()
    preview.frame           # the typed DataFrame shown (display-name columns)

The batch panel puts one in its ``preview_slot`` and shows the batch of the row last
clicked or ticked. Every read runs in its own thread; an answer for a batch that is no
longer the one asked for (another row was clicked meanwhile) is dropped, and a read that
fails says so, in words, in the preview itself.
"""

from __future__ import annotations

import html
import threading
import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.widgets._dom import close_all, css
from mammoth_pandas.widgets._status import StatusLine
from mammoth_pandas.widgets._text import describe_error, plural

if TYPE_CHECKING:
    from mammoth_pandas.dataset import DatasetHandle

__all__ = ["BatchPreview", "preview_table"]

#: Longest cell text shown; the full value is the cell's hover title.
_CELL_CHARS = 40

_TABLE_STYLE = (
    "border-collapse:collapse;font-size:12px;white-space:nowrap;"
    "color:var(--jp-ui-font-color1, inherit)"
)
_CELL_STYLE = "padding:1px 6px;border-bottom:1px solid var(--jp-border-color2, #ddd);"
_DTYPE_STYLE = "font-weight:normal;font-size:11px;color:var(--jp-ui-font-color2, #667085)"


def _cell(value: Any) -> tuple[str, str]:
    """(shown text, full text) of one value; missing values show as an empty cell."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return "", ""
    full = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, pd.Timestamp) else str(value)
    shown = full if len(full) <= _CELL_CHARS else full[: _CELL_CHARS - 1] + "…"
    return shown, full


def preview_table(frame: pd.DataFrame) -> str:
    """``frame`` as a small HTML table, each column's dtype under its name."""
    head = "".join(
        f'<th style="{_CELL_STYLE}text-align:left">{html.escape(str(name))}<br>'
        f'<span class="mp-preview-dtype" style="{_DTYPE_STYLE}">'
        f"{html.escape(str(frame.dtypes.iloc[position]))}</span></th>"
        for position, name in enumerate(frame.columns)
    )
    rows = []
    for values in frame.itertuples(index=False, name=None):
        cells = []
        for value in values:
            shown, full = _cell(value)
            title = f' title="{html.escape(full, quote=True)}"' if full != shown else ""
            cells.append(f'<td style="{_CELL_STYLE}"{title}>{html.escape(shown)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="mp-preview-table" style="{_TABLE_STYLE}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


class BatchPreview(widgets.VBox):
    """The first rows of one batch of a dataset, read in the background.

    ``show(batch_id)`` starts a read (``client.batches.data(..., limit=limit)``);
    ``batch_id`` is the batch asked for last, ``shown_batch_id`` and ``frame`` the batch
    and rows on screen, ``dropped`` how many stale answers were thrown away;
    ``wait(timeout)`` blocks until every read started has ended. ``status`` says what
    is happening (reading, how many rows, or what went wrong).
    """

    def __init__(self, dataset_handle: DatasetHandle, *, limit: int = 10) -> None:
        """Preview batches of ``dataset_handle``, ``limit`` rows each (1..100)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= C.MAX_LIMIT:
            raise MammothInputError(
                "limit", f"got {limit!r}", accepted=f"an integer from 1 to {C.MAX_LIMIT}"
            )
        self.handle = dataset_handle
        self.limit = limit
        self.batch_id: int | None = None
        self.shown_batch_id: int | None = None
        self.frame: pd.DataFrame | None = None
        self.dropped = 0
        self._lock = threading.Lock()
        self._generation = 0
        self._threads: list[threading.Thread] = []
        self._closed = False
        self.title = css(widgets.HTML("<b>Preview</b>"), "mp-preview-title")
        self.status = StatusLine("Click a row to see its batch's first rows.")
        self.status.remove_class("mp-status")  # the panel's own status line is the one
        self.status.add_class("mp-preview-status")
        self.table = css(
            widgets.HTML(layout={"overflow": "auto", "max_width": "100%"}), "mp-preview-body"
        )
        super().__init__(
            [self.title, self.status, self.table],
            layout={"max_width": "520px", "overflow": "auto", "padding": "0 0 0 8px"},
        )
        self.add_class("mp-preview")
        self.layout.display = "none"  # takes no room until a batch is asked for

    def show(self, batch_id: int) -> None:
        """Read and show the first rows of batch ``batch_id`` (in a background thread)."""
        if isinstance(batch_id, bool) or not isinstance(batch_id, int) or batch_id < 1:
            raise MammothInputError("batch_id", f"got {batch_id!r}", accepted="a positive integer")
        with self._lock:
            if self._closed:
                return
            self._generation += 1
            generation = self._generation
            self.batch_id = batch_id
            self._threads = [t for t in self._threads if t.is_alive()]
            thread = threading.Thread(
                target=self._read,
                args=(generation, batch_id),
                name="mammoth-batch-preview",
                daemon=True,
            )
            self._threads.append(thread)
        self.layout.display = None
        self.title.value = f"<b>Batch {batch_id}</b>"
        self.status.busy(f"Reading the first rows of batch {batch_id}…")
        thread.start()

    def _current(self, generation: int) -> bool:
        with self._lock:
            if self._closed or generation != self._generation:
                self.dropped += 1
                return False
            return True

    def _read(self, generation: int, batch_id: int) -> None:
        handle = self.handle
        try:
            frame = handle.client.batches.data(
                handle.workspace_id,
                handle.project_id,
                handle.dataset_id,
                batch_id,
                limit=self.limit,
            )
        except Exception as exc:  # said in the preview, never raised into the void
            if self._current(generation):
                self.frame = None
                self.shown_batch_id = None
                self.table.value = ""
                self.status.error(
                    describe_error(exc, doing=f"Reading the first rows of batch {batch_id}")
                )
            return
        if not self._current(generation):
            return
        self.frame = frame
        self.shown_batch_id = batch_id
        self.table.value = preview_table(frame)
        count = plural(len(frame), "row", "rows")
        columns = plural(len(frame.columns), "column", "columns")
        first = "the first " if len(frame) >= self.limit else ""
        self.status.info(f"Batch {batch_id}: {first}{count}, {columns}.")

    @property
    def reading(self) -> bool:
        """True while a read is under way."""
        with self._lock:
            return any(t.is_alive() for t in self._threads)

    def wait(self, timeout: float | None = 30.0) -> None:
        """Block until every read started has ended; ``TimeoutError`` if not in time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
            if thread.is_alive():
                raise TimeoutError(f"the batch preview still reads after {timeout} s")

    def close(self) -> None:
        """Drop any answer still coming and close every widget."""
        lock = getattr(self, "_lock", None)  # None when __init__ refused its input
        if lock is not None:
            with lock:
                self._closed = True
        close_all(list(self.children))
        self.layout.close()
        super().close()
