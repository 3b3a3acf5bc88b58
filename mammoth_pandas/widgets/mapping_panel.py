"""The mapping panel: review and correct a derived mapping, validate it, append.

::

    mapping = derive_mapping(crm_export, customers)
    mapping.panel()                                  # or MappingPanel(mapping)

One row per destination column: its name and type, a dropdown of source columns pre-set
to the suggestion, the confidence and the evidence. Unmatched, ambiguous and conflicting
rows are highlighted. A dropdown change calls ``mapping.override`` or ``mapping.unset``;
any change to the mapping (from code too) updates the dropdowns. Validate and Append run
in a background thread that only sets widget values.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

from mammoth_pandas.errors import BadRequestError, JobFailedError, MammothInputError
from mammoth_pandas.widgets._common import (
    ActionCallbacks,
    ActionResult,
    Confirmation,
    JobRunner,
    StatusLine,
    close_all,
    css,
    describe_error,
    plural,
)

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job
    from mammoth_pandas.mapping import Mapping

__all__ = ["NONE_LABEL", "MappingPanel"]

#: The dropdown entry that leaves a destination column empty.
NONE_LABEL = "— none —"
_NONE = ""

#: Row highlight (a stock ``box_style``) and the word shown, by what is wrong with the row.
_FLAGS: dict[str, tuple[str, str]] = {
    "conflict": ("danger", "type conflict"),
    "unmatched": ("warning", "unmatched"),
    "ambiguous": ("warning", "ambiguous"),
}

#: (text colour, background) by highlight: themes need not colour ``box_style``, so the
#: row's label and badge carry the colour themselves.
_COLOURS: dict[str, tuple[str, str]] = {
    "danger": ("#b42318", "#fee4e2"),
    "warning": ("#93370d", "#fef0c7"),
    "": ("#344054", "#f2f4f7"),
}

#: Badge (word, colours) of the rows the user decided: they need no highlight, but should
#: not read like a derived suggestion either.
_USER_BADGES: dict[str, tuple[str, tuple[str, str]]] = {
    "manual": ("set by hand", ("#175cd3", "#d1e9ff")),
    "confirmed": ("confirmed", ("#05603a", "#d1fadf")),
    "unset": ("left empty", ("#344054", "#f2f4f7")),
}


def _dest_class(c_id: str) -> str:
    """The CSS class naming a destination column's row: ``mp-dest-column_5``."""
    return "mp-dest-" + re.sub(r"[^A-Za-z0-9_-]", "-", c_id)


def _badge(text: str, style: str, colours: tuple[str, str] | None = None) -> str:
    colour, background = colours or _COLOURS[style]
    return (
        f'<span style="color:{colour};background:{background};border-radius:8px;'
        f'padding:0 6px">{html.escape(text)}</span>'
    )


class _MappingRow:
    """The widgets of one destination column (the row box: ``mp-mapping-row`` and
    ``mp-dest-<c_id>``)."""

    def __init__(self, dest_id: str, options: list[tuple[str, str]]) -> None:
        self.dest_id = dest_id
        self.label = css(widgets.HTML(layout={"width": "16em"}), "mp-mapping-label")
        self.source = css(
            widgets.Dropdown(options=options, value=_NONE, layout={"width": "18em"}),
            "mp-mapping-dropdown",
        )
        self.confidence = css(widgets.HTML(layout={"width": "5em"}), "mp-confidence")
        self.flag = css(widgets.HTML(layout={"width": "8em"}), "mp-flag")
        self.evidence = css(widgets.HTML(layout={"width": "34em"}), "mp-evidence")
        self.box = css(
            widgets.HBox([self.label, self.source, self.confidence, self.flag, self.evidence]),
            "mp-mapping-row",
            _dest_class(dest_id),
        )


class MappingPanel(ActionCallbacks, widgets.VBox):
    """Review, correct, validate and append a :class:`~mammoth_pandas.mapping.Mapping`.

    ``panel.dropdowns`` maps each destination column id to its source dropdown;
    ``validate_button``, ``append_button``, ``confirm_button``, ``cancel_button``,
    ``unused_label``, ``progress`` and ``status`` are the other controls.
    ``panel.wait()`` blocks until Validate or Append has finished; ``new_batch_id`` holds
    the batch the last append created; ``on_action_finished(callback)`` and the ``busy``
    trait report the end of each action.
    """

    busy = traitlets.Bool(False, help="True while Validate or Append runs")

    def __init__(self, mapping: Mapping) -> None:
        for attribute in ("rows", "override", "unset", "observe", "validate", "append"):
            if not hasattr(mapping, attribute):
                raise MammothInputError(
                    "mapping",
                    f"{type(mapping).__name__} has no {attribute!r}",
                    accepted="a Mapping from derive_mapping()",
                )
        self.mapping = mapping
        self.new_batch_id: int | None = None
        self.last_result: ActionResult | None = None
        self._callbacks: list[Callable[[ActionResult], Any]] = []
        self._syncing = False

        options = [(NONE_LABEL, _NONE)] + [
            (f"{c.c_name} ({c.c_type.upper()})", c.c_id) for c in mapping.source.columns
        ]
        self.title = css(widgets.HTML(f"<b>{html.escape(self._title())}</b>"), "mp-title")
        self.header = css(
            widgets.HTML(
                "<b>destination · type</b> &nbsp; → &nbsp; <b>source</b> · confidence · evidence"
            ),
            "mp-mapping-header",
        )
        self.rows: dict[str, _MappingRow] = {}
        for row in mapping.rows:
            widget_row = _MappingRow(row.destination.c_id, options)
            widget_row.source.observe(
                lambda change, dest=row.destination.c_id: self._on_choice(dest, change["new"]),
                names="value",
            )
            self.rows[row.destination.c_id] = widget_row
        self.dropdowns: dict[str, widgets.Dropdown] = {k: r.source for k, r in self.rows.items()}
        self.unused_label = css(widgets.HTML(), "mp-unused")
        self.summary = css(widgets.HTML(), "mp-summary")
        self.validate_button = css(
            widgets.Button(description="Validate", icon="check"), "mp-validate"
        )
        self.append_button = css(
            widgets.Button(description="Append", icon="plus", button_style="primary"),
            "mp-append",
        )
        self.confirmation = Confirmation()
        self.confirm_button = self.confirmation.confirm_button
        self.cancel_button = self.confirmation.cancel_button
        self.progress = css(
            widgets.IntProgress(value=0, min=0, max=100, description="Job"), "mp-progress"
        )
        self.status = StatusLine()
        self._runner = JobRunner(self.progress, on_busy=self._set_busy)

        super().__init__(
            [
                self.title,
                self.header,
                widgets.VBox([r.box for r in self.rows.values()]),
                self.unused_label,
                self.summary,
                css(widgets.HBox([self.validate_button, self.append_button]), "mp-actions"),
                self.confirmation,
                widgets.HBox([self.progress, self.status]),
            ]
        )
        self.add_class("mp-mapping-panel")
        self.validate_button.on_click(lambda _b: self.validate())
        self.append_button.on_click(lambda _b: self._ask_append())
        self._stop_observing = mapping.observe(lambda _m: self._sync())
        self._sync()
        self.status.info("Check the suggestions, then Validate or Append.")

    # -- programmatic access ------------------------------------------------------------

    def close(self) -> None:
        """Stop observing the mapping and close every widget of the panel."""
        stop = getattr(self, "_stop_observing", None)
        if callable(stop):
            stop()
        runner = getattr(self, "_runner", None)  # None when __init__ failed early
        if runner is not None:
            runner.stop()
        close_all([*self.children, *(row.box for row in getattr(self, "rows", {}).values())])
        self.layout.close()
        super().close()

    def validate(self) -> None:
        """Ask the server to check the append (``validate_only``); the verdict is the status."""
        self._start("validate", self.mapping.validate)

    # -- keeping widgets and mapping in sync --------------------------------------------

    def _title(self) -> str:
        def side(which: str) -> str:
            obj = getattr(self.mapping, which)
            dataset = getattr(obj, "dataset", None)
            if dataset is not None:
                return f"dataset {dataset.dataset_id}"
            return {"frame": "a DataFrame", "schema": "a schema"}.get(obj.kind, obj.kind)

        return f"Append {side('source')} into {side('destination')}"

    def _on_choice(self, dest: str, value: str) -> None:
        if self._syncing:
            return
        try:
            if value == _NONE:
                self.mapping.unset(dest)
                self.status.info(f"{self._dest_name(dest)} will stay empty.")
            else:
                self.mapping.override(dest, value)
                self.status.info(f"{self._dest_name(dest)} now comes from {self._src_name(value)}.")
        except Exception as exc:  # a refused choice is explained and undone, never raised
            self.status.error(describe_error(exc))
            self._sync()

    def _dest_name(self, dest: str) -> str:
        for row in self.mapping.rows:
            if row.destination.c_id == dest:
                return repr(row.destination.c_name)
        return repr(dest)

    def _src_name(self, source: str) -> str:
        for column in self.mapping.source.columns:
            if column.c_id == source:
                return repr(column.c_name)
        return repr(source)

    def _sync(self) -> None:
        """Set every row's widgets from the mapping (the only way values flow to the widgets)."""
        conflicts = {c["destination_c_id"]: c for c in self.mapping.conflicts}
        self._syncing = True
        try:
            for row in self.mapping.rows:
                widget_row = self.rows.get(row.destination.c_id)
                if widget_row is None:
                    continue
                dest = row.destination
                widget_row.source.value = row.source.c_id if row.source is not None else _NONE
                widget_row.confidence.value = _confidence_html(row)
                evidence = row.evidence
                if dest.c_id in conflicts:
                    kind = "conflict"
                    message = conflicts[dest.c_id]["message"]
                    # the user's choice first when it is one, the warning first otherwise
                    evidence = (
                        f"{evidence}; {message}"
                        if row.status in _USER_BADGES
                        else f"{message}; {evidence}"
                    )
                elif row.status in ("unmatched", "ambiguous"):
                    kind = row.status
                else:
                    kind = ""
                style, word = _FLAGS.get(kind, ("", row.status))
                widget_row.box.box_style = style
                if not style and row.status in _USER_BADGES:
                    word, colours = _USER_BADGES[row.status]
                    widget_row.flag.value = _badge(word, style, colours)
                else:
                    widget_row.flag.value = _badge(word, style)
                label = f"<b>{html.escape(dest.c_name)}</b> · {html.escape(dest.c_type.upper())}"
                if style:
                    colour, background = _COLOURS[style]
                    label = (
                        f'<span style="color:{colour};background:{background};padding:1px 4px;'
                        f'border-radius:3px">{label}</span>'
                    )
                widget_row.label.value = label
                widget_row.evidence.value = (
                    f'<span title="{html.escape(evidence)}">{html.escape(evidence)}</span>'
                )
        finally:
            self._syncing = False
        names = {c.c_id: c.c_name for c in self.mapping.source.columns}
        unused = [names.get(c, c) for c in self.mapping.unused_source]
        self.unused_label.value = (
            "Unused source columns: " + html.escape(", ".join(unused))
            if unused
            else "Every source column is used."
        )
        filled = sum(1 for r in self.mapping.rows if r.source is not None)
        total = len(self.mapping.rows)
        problems = []
        if self.mapping.unmatched_destination:
            problems.append(f"{len(self.mapping.unmatched_destination)} unmatched")
        if conflicts:
            problems.append(f"{plural(len(conflicts), 'type conflict', 'type conflicts')}")
        tail = f" ({', '.join(problems)})" if problems else ""
        self.summary.value = html.escape(f"{filled} of {total} destination columns filled{tail}.")

    # -- actions ------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        for button in (self.validate_button, self.append_button, self.confirm_button):
            button.disabled = busy
        for dropdown in self.dropdowns.values():
            dropdown.disabled = busy
        self.busy = busy

    def _ask_append(self) -> None:
        if self._runner.running:
            self.status.warning("Validate or Append is still running; wait for it to finish.")
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
        self.status.success(message)
        self.last_result = ActionResult(action, (), job, True, None, message, details)

    def _failed(self, action: str, exc: BaseException, job: Job | None) -> None:
        if action == "validate" and isinstance(exc, (BadRequestError, JobFailedError)):
            message = "Not valid: " + _rejection(exc)
        else:
            message = describe_error(exc, doing="Validate" if action == "validate" else "Append")
        self.status.error(message)
        self.last_result = ActionResult(action, (), job, False, exc, message)


def _confidence_html(row: Any) -> str:
    """``0.82`` for a suggestion; ``1.00`` for a pair set or confirmed by hand, with the
    computed score on hover."""
    if row.source is None:
        return ""
    score = getattr(row, "score", None)
    if row.status not in ("manual", "confirmed") or score is None:
        return f"{row.confidence:.2f}"
    hint = html.escape(f"chosen by hand; computed score {score:.2f}")
    return f'<span title="{hint}">{row.confidence:.2f}</span>'


def _rejection(exc: BaseException) -> str:
    """The server's reasons for refusing an append, in words."""
    if isinstance(exc, JobFailedError):
        return f"job {exc.job.id} ended as {exc.job.status}: {exc.reason or 'no reason given'}."
    assert isinstance(exc, BadRequestError)
    text = (exc.detail or str(exc)).rstrip(".")
    extra = exc.extra if isinstance(exc.extra, list) else []
    reasons = [
        f"{item.get('key')}: {item.get('message')}"
        for item in extra
        if isinstance(item, dict) and item.get("message")
    ]
    return text + (" (" + "; ".join(reasons) + ")" if reasons else "") + "."
