"""The mapping panel's actions: Validate and Append in the background, linked panels refreshed.

Mixed into :class:`~mammoth_pandas.widgets.mapping_panel.MappingPanel`, which builds the
widgets named below; only widget values are set from the runner's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from mammoth_pandas.errors import BadRequestError, JobFailedError, MammothInputError
from mammoth_pandas.widgets import _mapping_text as text
from mammoth_pandas.widgets._confirm import Confirmation
from mammoth_pandas.widgets._mapping_row import MappingRow, SwapOffer
from mammoth_pandas.widgets._runner import ActionCallbacks, ActionResult
from mammoth_pandas.widgets._text import describe_error, plural

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job
    from mammoth_pandas.mapping import Mapping

__all__ = ["MappingActions"]


class MappingActions(ActionCallbacks):
    """Validate, Append (after an inline confirmation) and the panels linked to appends."""

    mapping: Mapping
    confirmation: Confirmation
    progress: widgets.IntProgress
    validate_button: widgets.Button
    append_button: widgets.Button
    confirm_button: widgets.Button
    rows: dict[str, MappingRow]
    linked: list[Any]
    verdict: ActionResult | None
    new_batch_id: int | None
    pending_swap: SwapOffer | None
    busy: bool

    def validate(self) -> None:
        """Ask the server to check the append (``validate_only``); the verdict is the status."""
        self._start("validate", self.mapping.validate)

    def link(self, panel: Any) -> None:
        """Refresh ``panel`` (anything with ``refresh()``) after every successful append."""
        if not callable(getattr(panel, "refresh", None)):
            raise MammothInputError(
                "linked", f"{type(panel).__name__} has no refresh()", accepted="a BatchPanel"
            )
        if panel not in self.linked:
            self.linked.append(panel)

    def unlink(self, panel: Any) -> None:
        """Stop refreshing ``panel`` after appends."""
        if panel in self.linked:
            self.linked.remove(panel)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.validate_button, self.append_button, self.confirm_button):
            button.disabled = busy
        for widget_row in self.rows.values():
            for control in (widget_row.source, widget_row.swap_button, widget_row.keep_button):
                control.disabled = busy
        self.busy = busy

    def _ask_append(self) -> None:
        if self._runner.running:
            self.status.warning("Validate or Append is still running; wait for it to finish.")
            return
        if self.pending_swap is not None:
            self.status.warning("Answer the swap in the row first (Swap or Keep as it was).")
            return
        filled = sum(1 for r in self.mapping.rows if r.source is not None)
        if not filled:
            self.status.warning("No destination column is filled: choose at least one source.")
            return
        source = getattr(self.mapping.source, "dataset", None)
        dest = getattr(self.mapping.destination, "dataset", None)
        what = (
            (f"dataset {source.dataset_id}" if source is not None else "the source")
            + " into "
            + (f"dataset {dest.dataset_id}" if dest is not None else "the destination")
        )
        question = (
            f"Append the rows of {what} as a new batch, filling {filled} of "
            f"{len(self.mapping.rows)} columns?"
        )
        self.confirmation.ask(
            question,
            lambda: self._start("append", lambda: self.mapping.append(wait=False)),
            on_cancel=lambda: self.status.info("Cancelled: nothing was appended."),
            confirm_label="Append",
        )

    def _start(self, action: str, submit: Callable[[], Job]) -> None:
        doing = "Validating" if action == "validate" else "Appending"

        def on_status(job: Job) -> None:
            self.status.busy(f"{doing} (job {job.id}: {job.status})…")

        self.verdict = None
        self.status.busy(f"{doing}…")
        try:
            self._runner.start(
                submit,
                on_status=on_status,
                finish=lambda job: self._finished(action, job),
                fail=lambda exc, job: self._failed(action, exc, job),
                after=self._notify,
            )
        except MammothInputError as exc:
            self.status.warning(describe_error(exc))

    def _finished(self, action: str, job: Job) -> None:
        response = job.response or {}
        rows = response.get("row_count")
        rows_text = f" {plural(int(rows), 'row', 'rows')}" if isinstance(rows, int) else ""
        if action == "validate":
            message = f"Valid: the append would add{rows_text or ' the rows'} as a new batch."
            details: dict[str, Any] = {"response": dict(response)}
        else:
            batch_id = response.get("batch_id")
            self.new_batch_id = int(batch_id) if batch_id is not None else None
            message = (
                f"Appended{rows_text} as batch {batch_id}."
                if batch_id is not None
                else f"Appended{rows_text} (job {job.id})."
            )
            details = {"batch_id": self.new_batch_id, "response": dict(response)}
            message += self._refresh_linked()
        self.status.success(message)
        self.last_result = ActionResult(action, (), job, True, None, message, details)
        if action == "validate":
            self.verdict = self.last_result

    def _refresh_linked(self) -> str:
        """Refresh the linked panels; the words to add to the status line."""
        failed = []
        for panel in list(self.linked):
            try:
                panel.refresh()
            except Exception as exc:  # one broken panel must not hide the append
                failed.append(f"{type(panel).__name__}: {type(exc).__name__}: {exc}")
        if failed:
            return " Refreshing a linked panel failed (" + "; ".join(failed) + ")."
        return (
            f" {plural(len(self.linked), 'linked panel', 'linked panels')} refreshed."
            if (self.linked)
            else ""
        )

    def _failed(self, action: str, exc: BaseException, job: Job | None) -> None:
        if action == "validate" and isinstance(exc, (BadRequestError, JobFailedError)):
            message = "Not valid: " + text.rejection(exc)
        else:
            message = describe_error(exc, doing="Validate" if action == "validate" else "Append")
        self.status.error(message)
        self.last_result = ActionResult(action, (), job, False, exc, message)
        if action == "validate" and message.startswith("Not valid"):
            self.verdict = self.last_result
