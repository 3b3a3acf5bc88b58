"""Asynchronous jobs: what every mutation returns.

A :class:`Job` is the last known state of one server job. :meth:`Job.wait` polls
``GET /jobs/{id}`` with backoff (0.2 s, growing ×1.5, capped at 5 s) until the job ends,
then returns it or raises :class:`~mammoth_pandas.errors.JobFailedError` with the server's
reason (``response.error``, else ``response.detail``, else ``response.reason``).
The clock and the sleeper are injectable, so waiting can be tested without real time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from mammoth_pandas import _backoff
from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas.errors import (
    JobFailedError,
    JobTimeoutError,
    MammothConnectionError,
)

__all__ = [
    "POLL_FACTOR",
    "POLL_FIRST",
    "POLL_MAX",
    "Job",
    "JobClient",
    "JobGroup",
    "JobReader",
    "StopSignal",
    "failure_reason",
]

POLL_FIRST = 0.2
POLL_FACTOR = 1.5
POLL_MAX = 5.0


class StopSignal(Protocol):
    """What :meth:`Job.follow` needs to be stopped: a ``threading.Event`` is one."""

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds; ``True`` once stopping was asked for."""
        ...


class JobReader(Protocol):
    """Reads one job's state by id (``client.jobs`` is one)."""

    def _fetch(self, job_id: int) -> dict[str, Any]: ...


class JobClient(Protocol):
    """What a :class:`Job` needs of its client: a :class:`JobReader` as ``jobs``."""

    @property
    def jobs(self) -> JobReader:
        """The client's job reader."""
        ...


def failure_reason(response: Any) -> str | None:
    """The server's text for a failed job: ``error``, else ``detail``, else ``reason``."""
    if not isinstance(response, dict):
        return None if response in (None, "") else str(response)
    for key in ("error", "detail", "reason"):
        value = response.get(key)
        if value not in (None, "", [], {}):
            return value if isinstance(value, str) else str(value)
    return None


def _status(value: Any) -> str:
    """A job's status: a known one, else the value as text.

    A known status is one of :data:`~mammoth_pandas.contract.JOB_STATUSES`, matched without regard
    to case or surrounding space (``processing`` when absent); any other value comes back as text,
    which :meth:`Job.wait` reports as unknown at once.
    """
    if value is None:
        return "processing"
    text = value.strip().lower() if isinstance(value, str) else None
    if text in C.JOB_STATUSES:
        return text
    return value if isinstance(value, str) else repr(value)


class Job:
    """One server job: ``id``, ``status``, ``response``, ``operation``; ``wait()`` until done."""

    def __init__(
        self,
        data: dict[str, Any],
        *,
        client: JobClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._clock = clock
        self._sleep = sleep
        self._data: dict[str, Any] = {}
        self._update(data)

    # -- state ---------------------------------------------------------------------------

    def _update(self, data: dict[str, Any]) -> None:
        self._data = dict(data)
        self.id: int | None = data.get("id", data.get("job_id"))
        self.status: str = _status(data.get("status"))
        response = data.get("response")
        self.response: dict[str, Any] = response if isinstance(response, dict) else {}
        self.operation: str | None = data.get("operation")
        self.path: str | None = data.get("path")
        self.created_at: str | None = data.get("created_at")
        self.last_updated_at: str | None = data.get("last_updated_at")
        self._handle_reason: str | None = data.get("failure_reason")

    @classmethod
    def from_handle(cls, handle: dict[str, Any], **kwargs: Any) -> Job:
        """A job from a mutation's answer ``{"status_code": 202, "job_id": N}``."""
        data: dict[str, Any] = {"id": handle.get("job_id"), "status": "processing"}
        if handle.get("failure_reason"):
            data["failure_reason"] = handle["failure_reason"]
            if handle.get("job_id") is None:
                data["status"] = "failure"
                data["response"] = {"error": handle["failure_reason"]}
        return cls(data, **kwargs)

    @property
    def done(self) -> bool:
        """Whether the job has ended (success, failure or error)."""
        return self.status in C.JOB_DONE_STATUSES

    @property
    def succeeded(self) -> bool:
        """Whether the job ended in success."""
        return self.status == "success"

    @property
    def failed(self) -> bool:
        """Whether the job ended in failure or error."""
        return self.status in C.JOB_FAILED_STATUSES

    @property
    def reason(self) -> str | None:
        """Why the job failed (``None`` while it runs or when it succeeded)."""
        if not self.failed:
            return None
        return failure_reason(self.response) or self._handle_reason or self.status

    @property
    def result(self) -> dict[str, Any]:
        """The job's ``response`` (what the server reports once it is done)."""
        return self.response

    def to_dict(self) -> dict[str, Any]:
        """The job's record as the server last sent it."""
        return dict(self._data)

    def __repr__(self) -> str:
        parts = [f"id={self.id}", f"status={self.status!r}"]
        if self.operation:
            parts.append(f"operation={self.operation!r}")
        if self.failed:
            parts.append(f"reason={self.reason!r}")
        elif self.succeeded and self.response:
            parts.append(f"response={self.response!r}")
        return f"Job({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Job) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the job's state without its client (which holds credentials).

        An unpickled job keeps what was last seen; ``refresh()`` no longer reaches the
        server, so it returns the job unchanged.
        """
        state = dict(self.__dict__)
        state.update(_client=None, _clock=time.monotonic, _sleep=time.sleep)
        return state

    # -- polling -------------------------------------------------------------------------

    def refresh(self) -> Job:
        """Fetch the job's current state from the server; returns ``self``."""
        if self._client is None or self.id is None:
            return self
        self._update(self._client.jobs._fetch(self.id))
        return self

    def follow(
        self,
        timeout: float = 60.0,
        *,
        on_status: Callable[[Job], None] | None = None,
        stop: StopSignal | None = None,
        first: float = POLL_FIRST,
        cap: float = POLL_MAX,
    ) -> Job:
        """Poll until the job ends and return it, whether it succeeded or not.

        The one polling loop of the package: :meth:`wait` and the panels' runner use it.
        Waits follow :func:`mammoth_pandas._backoff.delay` (``first`` seconds, growing
        ×1.5, at most ``cap``), never past the deadline.

        Args:
            timeout: Seconds to follow the job (see :func:`mammoth_pandas.params.timeout`).
            on_status: Called with the job now, and after each poll.
            stop: An event; once set, following stops (the job goes on on the server).
            first: The first wait, in seconds.
            cap: The longest wait, in seconds.

        Returns:
            The job, done.

        Raises:
            JobTimeoutError: the job had not ended in time, or ``stop`` was set.
            MammothConnectionError: the job's state could not be read, or is unknown.
        """
        wait_for = P.timeout(timeout)
        deadline = self._clock() + wait_for
        polls = 0
        if on_status is not None:
            on_status(self)
        while not self.done:
            if self.status not in C.JOB_STATUSES:
                error = MammothConnectionError(
                    f"job {self.id} ({self.operation or 'job'}): the server reported the status "
                    f"{self.status!r}, which is none of {', '.join(C.JOB_STATUSES)}; the action "
                    f"may or may not have been applied: check with client.jobs.get({self.id})",
                    applied=None,
                )
                error.job = self  # type: ignore[attr-defined]
                raise error
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise JobTimeoutError(
                    f"job {self.id} ({self.operation or 'job'}) still {self.status!r} after "
                    f"{wait_for:g} s; it may still finish: check it with "
                    f"client.jobs.get({self.id})",
                    job=self,
                )
            polls += 1
            delay = min(_backoff.delay(polls, first=first, factor=POLL_FACTOR, cap=cap), remaining)
            if stop is None:
                self._sleep(delay)
            elif stop.wait(delay):
                raise JobTimeoutError(f"stopped following job {self.id}", job=self)
            try:
                self.refresh()
            except MammothConnectionError as exc:
                # The write was accepted as this job; only reading its state failed.
                error = MammothConnectionError(
                    f"job {self.id} ({self.operation or 'job'}) was accepted, but its state "
                    f"could not be read ({exc}); the action may or may not have been applied: "
                    f"check with client.jobs.get({self.id})",
                    applied=None,
                )
                error.job = self  # type: ignore[attr-defined]
                raise error from None
            if on_status is not None:
                on_status(self)
        return self

    def wait(self, timeout: float = 60.0) -> Job:
        """Poll until the job ends; return it, or raise ``JobFailedError`` / ``JobTimeoutError``."""
        self.follow(timeout)
        if self.failed:
            raise JobFailedError(
                f"job {self.id} ({self.operation or 'job'}) ended as "
                f"{self.status!r}: {self.reason}",
                job=self,
                reason=self.reason,
            )
        return self


class JobGroup(Job):
    """The jobs of one call that was sent as several requests, followed as one job.

    The requests are those of an id list split so that each URL fits.

    ``jobs`` holds them in order; ``id`` is the first one's. The group is ``processing``
    while any of them runs, ``success`` when all succeeded, else the status of the first
    that did not (``reason`` names each failed job); ``wait()`` waits for all of them
    within one timeout.
    """

    def __init__(self, jobs: list[Job]) -> None:
        if not jobs:
            raise ValueError("a JobGroup needs at least one job")
        self.jobs = list(jobs)
        first = self.jobs[0]
        super().__init__(
            first.to_dict(), client=first._client, clock=first._clock, sleep=first._sleep
        )
        self._combine()

    def _combine(self) -> None:
        unknown = [j.status for j in self.jobs if j.status not in C.JOB_STATUSES]
        failed = [j for j in self.jobs if j.failed]
        if unknown:
            self.status = unknown[0]
        elif any(not j.done for j in self.jobs):
            self.status = "processing"
        else:
            self.status = failed[0].status if failed else "success"
        self.response = {"jobs": [j.response for j in self.jobs]}

    @property
    def ids(self) -> list[int | None]:
        """The ids of the jobs, in order."""
        return [j.id for j in self.jobs]

    @property
    def reason(self) -> str | None:
        """Why the failed jobs failed, one clause per job (``None`` unless one failed)."""
        if not self.failed:
            return None
        return "; ".join(f"job {j.id}: {j.reason}" for j in self.jobs if j.failed)

    def refresh(self) -> JobGroup:
        """Fetch the state of every job not yet done; returns ``self``."""
        for job in self.jobs:
            if not job.done:
                job.refresh()
        self._combine()
        return self

    def to_dict(self) -> dict[str, Any]:
        """The jobs' records and the group's status."""
        return {"jobs": [j.to_dict() for j in self.jobs], "status": self.status}

    def __repr__(self) -> str:
        return f"JobGroup(ids={self.ids}, status={self.status!r})"
