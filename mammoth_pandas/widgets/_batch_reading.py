"""The batch panel's reading of the dataset's index, in the background when it is large.

Small datasets (up to ``SYNC_READ`` batches, a few requests) are read at once, every
field of the index; larger ones in a thread, only the fields the panel needs
(:func:`~mammoth_pandas.widgets._index.fields_for` of its filters, and
:data:`~mammoth_pandas.widgets._index.OVERVIEW_FIELDS` for the overview), with a
progress bar, its own label ("43,000 of 100,000 batches") and a Cancel button, while the
controls that would race with the read (actions, select all matching, export) are
disabled. Filters that need the index show their matches so far as the read goes on, and
the status line says so ("Reading 43,000 of 100,000 batches… 12
matches so far."); otherwise the status line keeps saying what the table shows. A read
that only draws the overview gives way to the panel's requests and waits for a quiet
second after them (``QUIET``), so that paging is not slowed by it. The chips' counts and
the timeline are drawn from the index once complete, and again only when the index or
the filters change.

Until then, when the filters are all the server's (states, dates), the chips' counts come
from the server: one count per state under the other filters, a few ``fields=id`` probes
each, one state after the other in a thread of their own that gives way to the panel's
requests between states (about fifty small requests for 100,000 batches instead of a
read of every batch). A chip clicked then filters with a
count already known: one request for its page.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import ipywidgets as widgets
import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas.widgets._batch_source import QUIET, BatchFilters
from mammoth_pandas.widgets._index import OVERVIEW_FIELDS, Matches, ReadCancelled, select
from mammoth_pandas.widgets._text import describe_error, plural

__all__ = ["SYNC_READ", "IndexReading"]

#: Datasets up to this many batches have their index read at once (a few requests);
#: larger ones in the background, with progress and Cancel.
SYNC_READ = 2_000

#: Seconds between two showings of the matches so far, once the page is full.
PARTIAL_EVERY = 1.0


class IndexReading(widgets.VBox):
    """Mixed into the batch panel: reading the index and drawing the overview from it."""

    _read_thread: threading.Thread | None
    _ordered: Matches | None
    _overview_key: tuple[Any, ...] | None = None
    _counted: threading.Event
    #: Every field the filters or the overview have needed so far (what a read reads).
    _wanted: frozenset[str] = frozenset()
    #: The filters whose chips the server was last asked to count, and its thread.
    _chip_filters: BatchFilters | None = None
    _chip_thread: threading.Thread | None = None

    def _ensure_index(self, fields: frozenset[str] = OVERVIEW_FIELDS) -> None:
        """Begin reading the index when it lacks ``fields``.

        A read under way without them is left to end; the reload at its end asks again.
        """
        index = self._index
        if index.holds(fields):
            return
        self._wanted = self._wanted | fields
        if self.reading:
            return
        total = self._source.count(BatchFilters())
        if total <= SYNC_READ:
            index.read(cancel=threading.Event())  # every field: a few requests
            return
        wanted = self._wanted
        self._expected = total
        self._cancel_read.clear()
        self.read_progress.value = 0
        self.read_label.value = f"0 of {self._expected:,} batches"
        self._set_reading(True)
        self._read_thread = threading.Thread(
            target=self._read_index, args=(wanted,), name="mammoth-panel-read", daemon=True
        )
        self._read_thread.start()

    def _reading_text(self) -> str:
        frame = self._index.frame
        done = 0 if frame is None else len(frame)
        text = f"Reading {done:,} of {self._expected:,} batches…"
        if self._uses_index(self._filters):
            text += f" {plural(self._total, 'match', 'matches')} so far."
        return text

    def _read_index(self, fields: frozenset[str]) -> None:
        shown = [0.0]

        def progress(count: int, _frame: pd.DataFrame) -> None:
            self.read_progress.value = min(99, int(100 * count / max(1, self._expected)))
            self.read_label.value = f"{count:,} of {self._expected:,} batches"
            if not self._uses_index(self._filters):
                return  # the status line keeps saying what the table shows
            now = time.monotonic()
            # matches so far: at once while the page is not full, then once a second
            if len(self.page_ids) < self._page_size or now - shown[0] >= PARTIAL_EVERY:
                shown[0] = now
                self.reload()
            else:
                self.status.busy(self._reading_text())

        def give_way() -> None:
            # a read the filter waits for gives way to a running request only; one that only
            # draws the overview also waits for a quiet moment
            quiet = 0.0 if self._uses_index(self._filters) else QUIET
            self._source.yield_to(self._cancel_read, quiet=quiet)

        try:
            self._index.read(
                cancel=self._cancel_read, on_progress=progress, yield_to=give_way, fields=fields
            )
        except ReadCancelled:
            self._set_reading(False)
            self.status.warning(
                "Reading cancelled; the table keeps what it showed. The name and row filters, "
                "the chips' counts and the timeline need every batch: Refresh reads again."
            )
            return
        except Exception as exc:  # said in the status line, never raised into the void
            self._set_reading(False)
            self.status.error(describe_error(exc, doing="Reading the batches"))
            return
        self._set_reading(False)
        # the complete index begins with the part read so far: the matches are extended
        self.reload(announce=True)

    def cancel_read(self) -> None:
        """Stop reading the dataset's index (what the table shows stays), at once even when
        the read waits for the panel's own requests."""
        self._cancel_read.set()
        self._source.wake()

    def wait_read(self, timeout: float | None = 30.0) -> None:
        """Block until the background read (if any) has ended; ``TimeoutError`` if not.

        A read that waits for the panel's first count to start is waited for too, and so
        is the server's count of the chips.
        """
        if not self._counted.wait(timeout):
            raise TimeoutError(f"the panel still counts after {timeout} s")
        for thread in (self._chip_thread, self._read_thread):
            if thread is not None:
                thread.join(timeout)
                if thread.is_alive():
                    raise TimeoutError(f"the panel still reads after {timeout} s")

    def _set_reading(self, reading: bool) -> None:
        """Show or hide the read's bar and Cancel; the controls first, then the trait."""
        self.read_box.layout.display = None if reading else "none"
        self.read_progress.bar_style = "info" if reading else ""
        self._enable(reading=reading)
        self.reading = reading

    def _update_overview(self) -> None:
        """Draw the chips' counts and the timeline, when the index or the filters changed
        since they were drawn (not on a page change or a new sort)."""
        if not self._overview:
            return
        frame = self._index.frame if self._index.holds(OVERVIEW_FIELDS) else None
        filters = dataclasses.replace(self._filters, sort_by="id", descending=False)
        key = (id(frame), self._index.version, filters)
        if key == self._overview_key:
            return
        self._overview_key = key
        if frame is None:
            self.state_chips.show_counts(self._server_chip_counts(filters))
            self.timeline.show(None, (filters.created_from, filters.created_to))
            return
        counted = select(frame, filters, states=False, sort=False)["state"].astype("string")
        self.state_chips.show_counts(counted.value_counts().to_dict())
        spanned = select(frame, filters, dates=False, sort=False)
        self.timeline.show(spanned, (filters.created_from, filters.created_to))

    def _server_chip_counts(self, filters: BatchFilters) -> dict[str, int] | None:
        """The chips' counts under ``filters`` as the server counted them, or ``None``.

        ``None`` while they are counted (begun here, in a thread), and for filters the
        server cannot apply (the index counts those).
        """
        if filters.local or self._counting is not None:
            return None  # the index counts; or the first count still runs (it goes first)
        base = dataclasses.replace(filters, states=())
        known = {s: self._source.known_count(_one_state(base, s)) for s in C.BATCH_STATES}
        counts = {s: n for s, n in known.items() if n is not None}
        if len(counts) == len(known):
            return counts
        if self._chip_filters != base:
            self._chip_filters = base
            self._chip_thread = threading.Thread(
                target=self._count_chips, args=(base,), name="mammoth-panel-chips", daemon=True
            )
            self._chip_thread.start()
        return None

    def _count_chips(self, base: BatchFilters) -> None:
        """Count every state under ``base`` on the server, one after the other, then redraw.

        A state the server refuses or a failed request leaves the chips to the index.
        """
        try:
            for state in C.BATCH_STATES:
                self._source.yield_to(self._cancel_read)  # a click's request goes first
                if self._cancel_read.is_set() or self._chip_filters != base:
                    return
                self._source.count(_one_state(base, state))
        except Exception:  # the index's read counts them too, and says its errors
            return
        with self._lock:
            self._overview_key = None  # drawn again: from the counts, or from the index
            self._update_overview()


def _one_state(filters: BatchFilters, state: str) -> BatchFilters:
    return dataclasses.replace(filters, states=(state,))
