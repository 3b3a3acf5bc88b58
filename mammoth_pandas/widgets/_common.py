"""Pieces both panels share: the status line, the inline confirmation, the job follower.

Everything here composes stock ipywidgets controls (no custom front end), so it renders
wherever ipywidgets 7.7 or 8 does. Background work only ever sets widget values.
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as widgets

from mammoth_pandas.errors import (
    AuthenticationError,
    JobFailedError,
    JobTimeoutError,
    MammothAPIError,
    MammothConnectionError,
    MammothError,
    MammothInputError,
    NotFoundError,
    RateLimitError,
    ServerError,
)

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job

__all__ = [
    "ActionResult",
    "Confirmation",
    "JobRunner",
    "StaticView",
    "StatusLine",
    "close_all",
    "css",
    "describe_error",
    "describe_ids",
    "plural",
    "set_tooltip",
]

#: Colours of the status line by level (text colour, background): JupyterLab's theme
#: variables, so that light and dark themes both read well, with plain fallbacks.
_LEVEL_COLOURS: dict[str, tuple[str, str]] = {
    "info": ("var(--jp-ui-font-color1, #1d2939)", "transparent"),
    "busy": ("var(--jp-brand-color1, #175cd3)", "transparent"),
    "success": (
        "var(--jp-success-color1, #05603a)",
        "color-mix(in srgb, var(--jp-success-color1, #12b76a) 12%, transparent)",
    ),
    "warning": (
        "var(--jp-warn-color1, #93370d)",
        "color-mix(in srgb, var(--jp-warn-color1, #f79009) 12%, transparent)",
    ),
    "error": (
        "var(--jp-error-color1, #b42318)",
        "color-mix(in srgb, var(--jp-error-color1, #d92d20) 12%, transparent)",
    ),
}


def describe_ids(ids: Sequence[int], *, limit: int = 10) -> str:
    """``12, 14, 15`` or, for long lists, ``1, 2, … 40 (and 30 more)``."""
    shown = [str(i) for i in ids[:limit]]
    text = ", ".join(shown)
    if len(ids) > limit:
        text += f" … (and {len(ids) - limit} more)"
    return text


def plural(count: int, one: str, many: str) -> str:
    """``1 batch``, ``3 batches``."""
    return f"{count} {one if count == 1 else many}"


def describe_error(exc: BaseException, *, doing: str | None = None) -> str:
    """Say in words what went wrong; never includes a credential (the errors carry none)."""
    return _sentence((f"{doing} failed: " if doing else "") + _what_went_wrong(exc))


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _what_went_wrong(exc: BaseException) -> str:
    if isinstance(exc, RateLimitError):
        wait = f" in {exc.retry_after:g} s" if exc.retry_after else " in a moment"
        return f"the server is rate limiting requests; try again{wait}"
    if isinstance(exc, MammothConnectionError):
        detail = str(exc).strip().rstrip(".")
        return f"lost the connection to the server ({detail}). Check it and press Refresh"
    if isinstance(exc, JobFailedError):
        return f"job {exc.job.id} ended as {exc.job.status}: {exc.reason or 'no reason given'}"
    if isinstance(exc, JobTimeoutError):
        return (
            f"job {exc.job.id} is still running; it may finish on the server. Press Refresh later"
        )
    if isinstance(exc, AuthenticationError):
        return f"the server refused the credentials ({exc.status})"
    if isinstance(exc, NotFoundError):
        return f"not found on the server: {_api_text(exc)}"
    if isinstance(exc, ServerError):
        return f"the server failed ({exc.status}): {_api_text(exc)}"
    if isinstance(exc, MammothAPIError):
        return f"the server answered {exc.status}: {_api_text(exc)}"
    if isinstance(exc, MammothError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def _api_text(exc: MammothAPIError) -> str:
    text = exc.detail or str(exc)
    return text.rstrip(".")


class StatusLine(widgets.HTML):
    """One line of text saying what the panel did last, coloured by level.

    ``text`` and ``level`` hold the plain message for notebooks and tests; ``value``
    holds its HTML rendering.
    """

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("mp-status")
        self.text = ""
        self.level = "info"
        self.show(text)

    def show(self, text: str, level: str = "info") -> None:
        if level not in _LEVEL_COLOURS:
            raise MammothInputError(
                "level", f"unknown level {level!r}", accepted=", ".join(_LEVEL_COLOURS)
            )
        colour, background = _LEVEL_COLOURS[level]
        self.text = text
        self.level = level
        self.value = (
            f'<span style="color:{colour};background:{background};padding:1px 4px;'
            f'border-radius:3px">{html.escape(text)}</span>'
            if text
            else ""
        )

    def info(self, text: str) -> None:
        self.show(text, "info")

    def busy(self, text: str) -> None:
        self.show(text, "busy")

    def success(self, text: str) -> None:
        self.show(text, "success")

    def warning(self, text: str) -> None:
        self.show(text, "warning")

    def error(self, text: str) -> None:
        self.show(text, "error")


class Confirmation(widgets.HBox):
    """An inline "Do this?" with Confirm and Cancel buttons, hidden until asked.

    ``ask(message, on_confirm, ...)`` shows the question; Confirm calls ``on_confirm``,
    Cancel calls ``on_cancel``; either hides the question again.
    """

    def __init__(self) -> None:
        self.message = css(widgets.HTML(), "mp-confirm-message")
        self.confirm_button = css(
            widgets.Button(description="Confirm", button_style="warning"), "mp-confirm"
        )
        self.cancel_button = css(widgets.Button(description="Cancel"), "mp-cancel")
        self.typed = css(
            widgets.Text(placeholder="type the count", layout={"width": "9em"}),
            "mp-confirm-typed",
        )
        self.typed.layout.display = "none"
        self._expected = ""
        super().__init__(
            [self.message, self.typed, self.confirm_button, self.cancel_button],
            layout={"flex_flow": "row wrap"},
        )
        self.add_class("mp-confirmation")
        self.layout.display = "none"
        self.question = ""
        self._on_confirm: Callable[[], None] | None = None
        self._on_cancel: Callable[[], None] | None = None
        self.confirm_button.on_click(self._confirm)
        self.cancel_button.on_click(self._cancel)
        self.typed.observe(self._typing, names="value")

    @property
    def pending(self) -> bool:
        return self._on_confirm is not None

    def ask(
        self,
        question: str,
        on_confirm: Callable[[], None],
        *,
        on_cancel: Callable[[], None] | None = None,
        confirm_label: str = "Confirm",
        danger: bool = False,
        type_to_confirm: int | None = None,
    ) -> None:
        """Show ``question``; with ``type_to_confirm``, Confirm stays disabled until that
        number is typed (commas and spaces allowed)."""
        self.question = question
        text = html.escape(question)
        if type_to_confirm is not None:
            self._expected = str(int(type_to_confirm))
            text += f" Type {int(type_to_confirm):,} to confirm."
            self.typed.value = ""
            self.typed.layout.display = None
        else:
            self._expected = ""
            self.typed.layout.display = "none"
        self.message.value = f"<b>{text}</b>"
        self.confirm_button.description = confirm_label
        self.confirm_button.button_style = "danger" if danger else "warning"
        self.confirm_button.disabled = bool(self._expected)
        self._on_confirm = on_confirm
        self._on_cancel = on_cancel
        self.layout.display = "flex"

    def _typing(self, change: Any) -> None:
        if self._expected:
            typed = "".join(c for c in str(change["new"]) if c.isdigit())
            self.confirm_button.disabled = typed != self._expected

    def dismiss(self) -> None:
        self._expected = ""
        self.typed.layout.display = "none"
        self._on_confirm = None
        self._on_cancel = None
        self.question = ""
        self.message.value = ""
        self.layout.display = "none"

    def _confirm(self, _button: widgets.Button) -> None:
        if self._expected and self.confirm_button.disabled:
            return  # the count has not been typed (a click from code on a disabled button)
        callback = self._on_confirm
        self.dismiss()
        if callback is not None:
            callback()

    def _cancel(self, _button: widgets.Button) -> None:
        callback = self._on_cancel
        self.dismiss()
        if callback is not None:
            callback()


@dataclass(frozen=True)
class ActionResult:
    """What a panel action did: passed to ``on_action_finished`` callbacks.

    ``succeeded`` is true when the job ended in success; ``error`` holds the exception
    otherwise; ``message`` is the sentence the status line shows.
    """

    action: str
    ids: tuple[int, ...] = ()
    job: Job | None = None
    succeeded: bool = False
    error: BaseException | None = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class ActionCallbacks:
    """What both panels offer around their actions: callbacks when one ends, and a wait.

    The panel sets ``_callbacks`` (a list), ``_runner`` (a :class:`JobRunner`),
    ``last_result`` and ``status`` (a :class:`StatusLine`).
    """

    _callbacks: list[Callable[[ActionResult], Any]]
    _runner: JobRunner
    last_result: ActionResult | None
    status: StatusLine

    def on_action_finished(
        self, callback: Callable[[ActionResult], Any], *, remove: bool = False
    ) -> None:
        """Call ``callback(result)`` after every action, succeeded or not (from its thread)."""
        if remove:
            self._callbacks.remove(callback)
        else:
            self._callbacks.append(callback)

    def wait(self, timeout: float | None = 30.0) -> ActionResult | None:
        """Block until the running action has finished; returns its result.

        Raises ``TimeoutError`` when it still runs after ``timeout`` seconds.
        """
        self._runner.wait(timeout)
        return self.last_result

    def _notify(self) -> None:
        result = self.last_result
        if result is None:
            return
        for callback in list(self._callbacks):
            try:
                callback(result)
            except Exception as exc:
                self.status.error(
                    f"{result.message} (an on_action_finished callback raised "
                    f"{type(exc).__name__}: {exc})"
                )


class JobRunner:
    """Runs one action at a time in a background thread and follows its job.

    ``start(submit, follow=..., finish=...)``: ``submit()`` sends the request and returns
    the :class:`~mammoth_pandas.jobs.Job`; the runner polls ``job.refresh()`` (0.05 s,
    growing ×1.5, capped at 1 s) moving ``progress`` along, then calls ``finish(job)`` in
    the same thread when the job succeeded; a job that ended otherwise goes to
    ``fail(JobFailedError, job)``, like any exception on the way (``fail(exc, job)``).
    Only widget values are touched from the thread: nothing is printed or displayed.
    """

    def __init__(
        self,
        progress: widgets.IntProgress,
        *,
        on_busy: Callable[[bool], None],
        poll_initial: float = 0.05,
        poll_max: float = 1.0,
        job_timeout: float = 600.0,
    ) -> None:
        self.progress = progress
        self._on_busy = on_busy
        self.poll_initial = poll_initial
        self.poll_max = poll_max
        self.job_timeout = job_timeout
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(
        self,
        submit: Callable[[], Job],
        *,
        on_status: Callable[[Job], None],
        finish: Callable[[Job], None],
        fail: Callable[[BaseException, Job | None], None],
        after: Callable[[], None] | None = None,
    ) -> None:
        with self._lock:
            if self.running:
                raise MammothInputError(
                    "action", "another action is still running", accepted="one at a time"
                )
            self._stop.clear()
            self._on_busy(True)
            self.progress.bar_style = "info"
            self.progress.value = self.progress.min
            thread = threading.Thread(
                target=self._run,
                args=(submit, on_status, finish, fail, after),
                name="mammoth-panel-job",
                daemon=True,
            )
            self._thread = thread
            thread.start()

    def _run(
        self,
        submit: Callable[[], Job],
        on_status: Callable[[Job], None],
        finish: Callable[[Job], None],
        fail: Callable[[BaseException, Job | None], None],
        after: Callable[[], None] | None,
    ) -> None:
        job: Job | None = None
        try:
            job = submit()
            self._advance(0.1)
            job = self._follow(job, on_status)
            self.progress.value = self.progress.max
            if not job.succeeded:
                raise JobFailedError(
                    f"job {job.id} ended as {job.status}: {job.reason}", job=job, reason=job.reason
                )
            self.progress.bar_style = "success"
            finish(job)
        except Exception as exc:  # every failure ends in the status line, never in the void
            self.progress.bar_style = "danger"
            with contextlib.suppress(Exception):  # the failure handler must not kill the thread
                fail(exc, job)
        finally:
            self._on_busy(False)
        if after is not None:
            with contextlib.suppress(Exception):  # the panels report callback errors themselves
                after()

    def _follow(self, job: Job, on_status: Callable[[Job], None]) -> Job:
        """Follow ``job`` with :meth:`Job.follow` (the package's one polling loop)."""
        polled = False

        def status(current: Job) -> None:
            nonlocal polled
            if polled:  # after each poll, not for the state the job started in
                self._advance(0.25)
            polled = True
            on_status(current)

        return job.follow(
            self.job_timeout,
            on_status=status,
            stop=self._stop,
            first=self.poll_initial,
            cap=self.poll_max,
        )

    def _advance(self, share: float) -> None:
        """Move the bar a share of the way that remains (jobs report no percentage)."""
        bar = self.progress
        remaining = bar.max - bar.value
        bar.value = min(bar.max - 1, bar.value + max(1, int(remaining * share)))

    def reset(self) -> None:
        """Empty the bar (no colour): fresh feedback before the next action."""
        if not self.running:
            self.progress.bar_style = ""
            self.progress.value = self.progress.min

    def wait(self, timeout: float | None = 30.0) -> None:
        """Block until the running action (if any) has finished; ``TimeoutError`` if not in time."""
        thread = self._thread
        if thread is None:
            return
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"the panel's action still runs after {timeout} s")

    def stop(self) -> None:
        """Stop following (the job itself goes on on the server)."""
        self._stop.set()


W = TypeVar("W", bound=widgets.DOMWidget)


def css(widget: W, *classes: str) -> W:
    """Add stable CSS class hooks (``mp-…``) to ``widget`` and return it.

    Styles and browser tests find controls by these classes, not by their text.
    ``add_class`` exists in ipywidgets 7.7 and 8; in the page, a Button's class lands on
    its ``<button>``, a Checkbox's or Dropdown's on the ``div`` around the ``<input>`` or
    ``<select>``.
    """
    for name in classes:
        widget.add_class(name)
    return widget


def set_tooltip(widget: widgets.Widget, text: str) -> None:
    """Hover text: ``tooltip`` in ipywidgets 8, ``description_tooltip`` in 7."""
    for name in ("tooltip", "description_tooltip"):
        if widget.has_trait(name):
            setattr(widget, name, text)
            return


def close_all(roots: Iterable[widgets.Widget]) -> None:
    """Close these widgets, everything inside them, and their layouts and styles."""
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        stack.extend(getattr(widget, "children", ()))
        for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
            if isinstance(part, widgets.Widget):
                part.close()
        widget.close()


class StaticView:
    """Adds a static HTML view beside the live widget in a panel's output.

    A notebook saved with the panel shows what it held (``static_html()``: e.g. the
    current table and status) where the live widget cannot be shown (no kernel, a
    notebook viewer, nbconvert), with a word that acting needs a running kernel. Mix it in
    before the ipywidgets base class and define ``static_html``.
    """

    #: What the saved view says about itself.
    STATIC_NOTE = (
        "A saved view of this panel: it needs a running kernel to act. "
        "Run the cell again to use it."
    )

    def static_html(self) -> str:
        """The HTML shown where the widget cannot be (the panel's title and status)."""
        title = getattr(getattr(self, "title", None), "value", "")
        status = getattr(getattr(self, "status", None), "value", "")
        return self.static_page(f"<div>{title}</div><div>{status}</div>")

    def refresh_static_view(self) -> None:
        """Rewrite the saved view where the panel is shown to its current state (the view is
        taken when the cell shows the panel; this updates the output, which redraws it)."""
        for handle in list(self.__dict__.get("_static_handles", ())):
            with contextlib.suppress(Exception):  # a closed front end must not break the panel
                handle.update(self._repr_mimebundle_(), raw=True)

    def static_page(self, body: str) -> str:
        """``body`` framed with the saved-view note."""
        note = html.escape(self.STATIC_NOTE)
        return (
            '<div class="mp-static-view" style="font-family:var(--jp-ui-font-family,sans-serif)">'
            f'<div style="font-style:italic;opacity:0.8">{note}</div>{body}</div>'
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        parent = getattr(super(), "_repr_mimebundle_", None)
        data: dict[str, Any] = dict(parent(**kwargs) or {}) if parent is not None else {}
        if not data:  # ipywidgets 7 displays through _ipython_display_ instead
            plain = repr(self)
            data = {"text/plain": plain if len(plain) <= 110 else plain[:110] + "…"}
            view = getattr(self, "_view_name", None)
            if view is not None:
                data["application/vnd.jupyter.widget-view+json"] = {
                    "version_major": 2,
                    "version_minor": 0,
                    "model_id": getattr(self, "_model_id", None),
                }
        # the live widget is shown whatever the static view does
        with contextlib.suppress(Exception):
            data["text/html"] = self.static_html()
        return data

    def _ipython_display_(self, **kwargs: Any) -> None:
        from IPython.display import display

        handle = display(  # type: ignore[no-untyped-call, unused-ignore]
            self._repr_mimebundle_(**kwargs), raw=True, display_id=True
        )
        handles = self.__dict__.setdefault("_static_handles", [])
        if handle is not None:
            handles.append(handle)
        if getattr(super(), "_repr_mimebundle_", None) is None:  # ipywidgets 7
            handle = getattr(self, "_handle_displayed", None)
            if handle is not None:
                handle(**kwargs)
