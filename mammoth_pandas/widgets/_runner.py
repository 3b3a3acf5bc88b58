"""The panels' action runner: one action at a time in a background thread, its job followed.

Background work only ever sets widget values: nothing is printed or displayed.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from mammoth_pandas.errors import JobFailedError, MammothInputError

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job
    from mammoth_pandas.widgets._status import StatusLine

__all__ = ["ActionCallbacks", "ActionResult", "ActionRunner"]


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

    The panel sets ``_callbacks`` (a list), ``_runner`` (a :class:`ActionRunner`),
    ``last_result`` and ``status`` (a :class:`StatusLine`).
    """

    _callbacks: list[Callable[[ActionResult], Any]]
    _runner: ActionRunner
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


class ActionRunner:
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
