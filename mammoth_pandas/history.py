"""The action log: what was asked of the server in this session, as a DataFrame.

``panel.history`` (and ``df.mammoth.history`` for the accessor) is one row per action:
``time`` (UTC), ``action``, ``ids`` (a tuple), ``job`` (the job id, when one was
submitted), ``outcome`` (``succeeded``, ``failed``, ``undone``…) and ``message`` (the
sentence the status line showed, or the job's error). The log is in memory and bounded.

It sits below the accessor and the widgets, which both keep one: the batch panel one per
panel, the accessor one per session (:data:`mammoth_pandas.accessor.ACTION_LOG`).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["HISTORY_COLUMNS", "ActionLog", "Entry"]

HISTORY_COLUMNS: tuple[str, ...] = ("time", "action", "ids", "job", "outcome", "message")


@dataclass(frozen=True)
class Entry:
    """One logged action."""

    time: pd.Timestamp
    action: str
    ids: tuple[int, ...]
    job: str | None
    outcome: str
    message: str


class ActionLog:
    """A bounded, thread-safe list of :class:`Entry`, newest last."""

    def __init__(self, limit: int = 1_000) -> None:
        self._entries: deque[Entry] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def record(
        self,
        action: str,
        ids: Sequence[int],
        *,
        job: object | None = None,
        outcome: str,
        message: str = "",
    ) -> Entry:
        """Log an action; ``job`` may be a Job (its ``id`` is kept) or an id."""
        job_id = getattr(job, "id", job)
        entry = Entry(
            pd.Timestamp.now(tz="UTC"),
            action,
            tuple(int(i) for i in ids),
            None if job_id is None else str(job_id),
            outcome,
            message,
        )
        with self._lock:
            self._entries.append(entry)
        return entry

    def __len__(self) -> int:
        return len(self._entries)

    def frame(self) -> pd.DataFrame:
        """The log as a DataFrame with :data:`HISTORY_COLUMNS`, oldest first."""
        with self._lock:
            entries = list(self._entries)
        frame = pd.DataFrame(
            [[getattr(e, c) for c in HISTORY_COLUMNS] for e in entries],
            columns=list(HISTORY_COLUMNS),
        )
        frame["time"] = pd.to_datetime(frame["time"], utc=True)
        return frame
