"""The batch panel's actions: the question with its breakdown, the job, undo, the log, export.

Every action starts from a clean status line and an empty progress bar; the question
sits next to the buttons; only the batches the action changes are sent; suspend and
restore leave a one-click Undo; every submitted action lands in ``panel.history``.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import ipywidgets as widgets
import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.widgets._actions import VERBS, plan, undo_of
from mammoth_pandas.widgets._index import Matches
from mammoth_pandas.widgets._runner import ActionResult
from mammoth_pandas.widgets._text import describe_error, describe_ids, plural

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job

__all__ = ["BatchActions"]


class BatchActions(widgets.VBox):
    """Mixed into the batch panel: Suspend, Restore, Delete, Undo and the CSV export."""

    _ordered: Matches | None
    _undo: tuple[str, tuple[int, ...], str] | None
    last_result: ActionResult | None

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._enable()

    def _enable(self, *, reading: bool | None = None) -> None:
        busy = self.busy
        reading = self.reading if reading is None else reading
        for button in (self.suspend_button, self.restore_button, self.delete_button):
            button.disabled = busy or reading
        self.undo_button.disabled = self.refresh_button.disabled = busy
        self.confirm_button.disabled = busy
        self.select_matching_button.disabled = self.export_button.disabled = reading

    def _states_of(self, ids: list[int]) -> dict[int, str]:
        frame = self._index.frame if self._index.holds(frozenset({"state"})) else None
        if frame is not None and len(ids) > C.MAX_LIMIT:
            known = frame.index.intersection(ids)
            return dict(zip(known.tolist(), frame.loc[known, "state"].astype(str), strict=True))
        return self._source.states_of(ids)

    def _ask(self, action: str) -> None:
        label = VERBS[action][0]
        self.status.info("")
        self._runner.reset()
        ids = self.selected
        if self._runner.running:
            self.status.warning("An action is still running; wait for it to finish.")
            return
        if not ids:
            self.status.warning(f"Select at least one batch to {action}.")
            return
        try:
            chosen = plan(action, ids, self._states_of(ids))
        except Exception as exc:  # said in the status line, never raised into the void
            self.status.error(
                describe_error(
                    exc,
                    doing="Reading the state of "
                    + plural(len(ids), "selected batch", "selected batches"),
                )
            )
            return
        if chosen.nothing_to_do:
            self.confirmation.dismiss()
            self.status.warning(chosen.nothing_message())
            return
        self.confirmation.ask(
            chosen.question(),
            lambda: self._start(action, list(chosen.acting)),
            on_cancel=self._cancelled,
            confirm_label=f"{label} {len(chosen.acting):,}",
            danger=action == "delete",
            type_to_confirm=len(chosen.acting) if chosen.typed else None,
        )

    def _cancelled(self) -> None:
        self._runner.reset()
        self.status.info("Cancelled: nothing was changed.")

    def undo(self) -> None:
        """Reverse the last suspend or restore (one click, no question asked)."""
        if self._undo is None:
            self.status.warning("Nothing to undo.")
            return
        action, ids, of = self._undo
        self._start(action, list(ids), undoing=of)

    def _start(self, action: str, ids: list[int], *, undoing: str | None = None) -> None:
        doing = VERBS[action][1]
        what = f"{plural(len(ids), 'batch', 'batches')}: {describe_ids(ids)}"
        handle = self.handle
        submit = getattr(handle, action)

        def on_status(job: Job) -> None:
            self.status.busy(f"{doing} {what} (job {job.id}: {job.status})…")

        self.status.busy(f"{doing} {what}…")
        try:
            self._runner.start(
                lambda: submit(ids, wait=False),
                on_status=on_status,
                finish=lambda job: self._finished(action, ids, job, undoing),
                fail=lambda exc, job: self._failed(action, ids, exc, job, undoing),
                after=self._notify,
            )
        except MammothInputError as exc:
            self.status.warning(describe_error(exc))

    def _logged_action(self, action: str, undoing: str | None) -> str:
        return f"{action} (undo of {undoing})" if undoing else action

    def _finished(self, action: str, ids: list[int], job: Job, undoing: str | None) -> None:
        message = f"{VERBS[action][2]} {plural(len(ids), 'batch', 'batches')}: {describe_ids(ids)}."
        self._source.invalidate()
        self._ordered = None
        # Undo is offered before the status line says the action is done (the front end
        # applies the two in this order, so "Suspended …" never shows beside no Undo).
        reverse = undo_of(action)
        if undoing is None and reverse is not None:
            self._undo = (reverse, tuple(ids), action)
            self.undo_button.description = f"Undo {action} ({len(ids):,})"
            self.undo_button.layout.display = None
        else:
            self._undo = None
            self.undo_button.layout.display = "none"
        states: dict[int, str] = {}
        try:
            states = self._source.states_of(ids)
            gone = [
                i for i in ids if states.get(i, "gone") in ("gone", "deleting", "pending_delete")
            ]
            if action == "delete":
                self._selected.difference_update(gone)
            self._index.patch_states(states, [i for i in ids if i not in states])
            with self._lock:
                self._load()
        except Exception as exc:  # the action succeeded: say so, and why the table is stale
            message += f" {describe_error(exc, doing='Reloading the batches')}"
            self.status.warning(message)
        else:
            now = pd.Series([states.get(i, "gone") for i in ids]).value_counts().sort_index()
            message += " Now " + ", ".join(f"{n} {state}" for state, n in now.items()) + "."
            self.status.success(message)
        self._update_overview()
        self.action_log.record(
            self._logged_action(action, undoing), ids, job=job, outcome="succeeded", message=message
        )
        self.last_result = ActionResult(
            action, tuple(ids), job, True, None, message, {"states": states, "undoing": undoing}
        )

    def _failed(
        self, action: str, ids: list[int], exc: BaseException, job: Job | None, undoing: str | None
    ) -> None:
        label = VERBS[action][0]
        message = describe_error(exc, doing=f"{label} {plural(len(ids), 'batch', 'batches')}")
        self._source.invalidate()
        self._ordered = None
        try:
            with self._lock:
                self._load()
        except Exception:  # noqa: S110 - the action's own error is the one worth showing
            pass
        self.status.error(message)
        self.action_log.record(
            self._logged_action(action, undoing), ids, job=job, outcome="failed", message=message
        )
        self.last_result = ActionResult(action, tuple(ids), job, False, exc, message)

    # -- export and the saved view ------------------------------------------------------

    def export_csv(self) -> str:
        """Put a CSV download link of ``selected_frame`` next to the CSV button; returns the CSV."""
        try:
            frame = self.selected_frame
        except Exception as exc:  # said in the status line, never raised into the void
            self.status.error(describe_error(exc, doing="Exporting"))
            return ""
        text = frame.to_csv()
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        name = f"batches-{int(self.handle.dataset_id)}.csv"
        what = "selected" if self._selected else "matching"
        self.download_link.value = (
            f'<a download="{name}" href="data:text/csv;base64,{data}">'
            f"{name} ({plural(len(frame), what + ' batch', what + ' batches')})</a>"
        )
        self.status.info(f"CSV ready: {plural(len(frame), 'batch', 'batches')}.")
        return text
