"""Adaptive concurrency for page reads: fast on a quiet service, polite on a busy one.

A listing reads its pages concurrently; how many at once is decided here, not fixed.
:class:`AdaptiveLimit` is the pure decision logic (no threads, no clock of its own, so it
is tested with a fake clock); :class:`ConcurrencyGate` applies it to real requests.

The rules, in the spirit of TCP's congestion control:

- **Start modestly**: ``start`` requests in flight (4 by default), never more than
  ``ceiling`` (the user's ``max_workers``), never fewer than one.
- **Grow while pages come back quickly**: each page answered in at most ``slow_factor``
  times the quickest answer seen so far (plus ``slack`` seconds, so that sub-millisecond
  jitter does not count) adds one request while below the threshold (the limit doubles
  every round trip), and a fraction ``1 / limit`` above it (one more request per round
  trip). A slow answer means the server queues: the limit then holds.
- **Halve on rate limiting**: a ``429`` or ``503`` halves the limit (once per round: the
  answers to requests sent before the last decrease do not halve it again) and sets the
  threshold there. ``Retry-After`` is honoured by the refused request: its retry waits
  that long, without holding a slot, while the others go on under the lowered limit (the
  decrease is the answer to "too many at once"). A request refused while alone in
  flight cannot blame our concurrency: then no request starts before ``Retry-After``
  has passed. The number of requests in flight that drew the refusal is remembered
  (when there were several; the lowest of the refusals answered by one decrease), and
  the limit stays below it for ``probe_after`` seconds before it tries that many again.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "DEFAULT_START",
    "THROTTLE_STATUSES",
    "AdaptiveLimit",
    "ConcurrencyGate",
    "Ticket",
    "report_throttle",
]

T = TypeVar("T")

#: Requests in flight when a listing starts (or ``max_workers``, if that is lower).
DEFAULT_START = 4
#: Answers that mean "too many requests": the limit halves.
THROTTLE_STATUSES = frozenset({429, 503})
#: The longest pause a ``Retry-After`` can impose on the requests not yet sent (seconds).
MAX_PAUSE = 60.0


@dataclass(frozen=True)
class Ticket:
    """One admitted request: when it started, in which epoch, with how many in flight."""

    started: float
    epoch: int
    in_flight: int


class AdaptiveLimit:
    """How many requests may be in flight; pure logic, driven by the caller's clock.

    Args:
        ceiling: Never more requests in flight than this (``max_workers``).
        start: The limit at the start (capped by ``ceiling``; default
            :data:`DEFAULT_START`, read when the policy is made).
        slow_factor: An answer slower than this many times the quickest one seen does
            not grow the limit.
        slack: Seconds added to the quick-answer bound, so that jitter on very fast
            answers does not stop the growth.
        probe_after: Seconds after a refusal before the limit may again reach the
            number of requests in flight that drew it.
    """

    def __init__(
        self,
        ceiling: int,
        *,
        start: int | None = None,
        slow_factor: float = 2.0,
        slack: float = 0.005,
        probe_after: float = 10.0,
    ) -> None:
        if ceiling < 1:
            raise ValueError(f"ceiling must be at least 1, got {ceiling}")
        self.ceiling = ceiling
        first = DEFAULT_START if start is None else start
        self.window = float(max(1, min(first, ceiling)))
        self.threshold = float(ceiling)
        self.slow_factor = slow_factor
        self.slack = slack
        self.probe_after = probe_after
        self.epoch = 0
        self.quickest: float | None = None
        self.paused_until = -math.inf
        self.refused_at: int | None = None  # requests in flight that drew the last refusal
        self.refused_time = -math.inf
        #: Counts, for diagnostics and the benchmark: answers, refusals, decreases.
        self.successes = 0
        self.throttles = 0
        self.decreases = 0
        self.peak = self.limit

    @property
    def limit(self) -> int:
        """Requests allowed in flight now (an integer between 1 and ``ceiling``)."""
        return max(1, min(self.ceiling, int(self.window)))

    def pause_remaining(self, now: float) -> float:
        """Seconds until a new request may start (``0`` when none is imposed)."""
        return max(0.0, self.paused_until - now)

    def _recent_refusal(self, now: float) -> int | None:
        """The number in flight that drew a refusal less than ``probe_after`` s ago, if any."""
        if self.refused_at is not None and now - self.refused_time < self.probe_after:
            return self.refused_at
        return None

    def _cap(self, now: float) -> float:
        """The highest window allowed now: below a recent refusal's level, else the ceiling."""
        refused = self._recent_refusal(now)
        if refused is not None:
            return float(max(1, min(self.ceiling, refused - 1)))
        return float(self.ceiling)

    def on_success(self, duration: float, now: float) -> None:
        """A page came back in ``duration`` seconds: grow if it was quick."""
        self.successes += 1
        if self.quickest is None or duration < self.quickest:
            self.quickest = duration
        if duration > self.quickest * self.slow_factor + self.slack:
            return  # the server queues: hold
        cap = self._cap(now)
        if self.window >= cap:
            self.window = cap
            return
        step = 1.0 if self.window < self.threshold else 1.0 / self.limit
        self.window = min(cap, self.window + step)
        self.peak = max(self.peak, self.limit)

    def on_throttle(self, ticket: Ticket | None, retry_after: float | None, now: float) -> None:
        """A request was refused (429/503); ``retry_after`` seconds as the server asked."""
        self.throttles += 1
        in_flight = ticket.in_flight if ticket is not None else self.limit
        if in_flight <= 1 and retry_after is not None and retry_after > 0:
            # Refused alone: the server is busy, whatever our concurrency; everyone waits.
            # (With others in flight only the refused request waits, before its retry.)
            self.paused_until = max(self.paused_until, now + min(retry_after, MAX_PAUSE))
        if ticket is not None and ticket.epoch < self.epoch:
            # Sent before the last decrease: that decrease already answered it. A refusal
            # with fewer in flight than the one that drew the decrease still teaches the
            # level: the limit stays below the lowest number that was refused.
            known = self._recent_refusal(now)
            if in_flight > 1 and (known is None or in_flight < known):
                self.refused_at, self.refused_time = in_flight, now
                self.window = min(self.window, self._cap(now))
                self.threshold = min(self.threshold, self.window)
            return
        if in_flight > 1:  # refused with others in flight: that many is too many
            self.refused_at, self.refused_time = in_flight, now
            basis = min(self.window, float(in_flight))
        else:  # alone and refused: the server is busy, not our concurrency
            basis = self.window
        self.window = max(1.0, basis / 2)
        self.threshold = self.window
        self.epoch += 1
        self.decreases += 1


class ConcurrencyGate:
    """Admits requests under an :class:`AdaptiveLimit`: in order, at most ``limit`` at once.

    :meth:`run` wraps one request: it waits for a free slot (first come, first served)
    and for any ``Retry-After`` pause, runs the request, and reports how long it took.
    While it runs, the transport can report a refusal it is about to retry
    (:func:`report_throttle`): the request then gives up its slot and waits for one under
    the new limit before its retry, ahead of the requests not yet started.

    Args:
        limit: The decision logic.
        clock: Monotonic seconds (replaceable in tests).
    """

    def __init__(self, limit: AdaptiveLimit, *, clock: Callable[[], float] = time.monotonic):
        self.policy = limit
        self.clock = clock
        self._cond = threading.Condition()
        self.in_flight = 0
        self._next_ticket = 0
        self._serving = 0
        self._retrying = 0

    @property
    def limit(self) -> int:
        """Requests allowed in flight now."""
        with self._cond:
            return self.policy.limit

    def _wait(self, ready: Callable[[], bool]) -> None:
        """Wait (holding the condition) until ``ready()`` and no pause is in force."""
        while True:
            pause = self.policy.pause_remaining(self.clock())
            if pause <= 0 and ready():
                return
            self._cond.wait(timeout=pause if pause > 0 else None)

    def acquire(self) -> Ticket:
        """Wait for a slot, in arrival order; return the admitted request's ticket."""
        with self._cond:
            number = self._next_ticket
            self._next_ticket += 1
            self._wait(
                lambda: (
                    number == self._serving
                    and self._retrying == 0
                    and self.in_flight < self.policy.limit
                )
            )
            self._serving += 1
            self.in_flight += 1
            self._cond.notify_all()
            return Ticket(self.clock(), self.policy.epoch, self.in_flight)

    def release(self, ticket: Ticket, *, ok: bool) -> None:
        """Free a slot; ``ok`` reports the request's answer time to the policy."""
        with self._cond:
            self.in_flight -= 1
            if ok:
                now = self.clock()
                self.policy.on_success(now - ticket.started, now)
            self._cond.notify_all()

    def throttled(
        self, ticket: Ticket, retry_after: float | None, pause: Callable[[], None] | None = None
    ) -> Ticket:
        """A refusal of ``ticket``'s request: adapt, wait out ``pause``, then take a slot.

        The slot is given up during ``pause`` (the server's wait), so the other requests
        go on meanwhile; the retry then comes ahead of the requests not yet started.
        """
        with self._cond:
            self.policy.on_throttle(ticket, retry_after, self.clock())
            self.in_flight -= 1
            self._cond.notify_all()
        if pause is not None:
            pause()
        with self._cond:
            self._retrying += 1
            try:
                self._wait(lambda: self.in_flight < self.policy.limit)
            finally:
                self._retrying -= 1
            self.in_flight += 1
            self._cond.notify_all()
            return Ticket(self.clock(), self.policy.epoch, self.in_flight)

    def run(self, fetch: Callable[..., T], *args: object) -> T:
        """Run ``fetch(*args)`` as one admitted request (see the class docstring)."""
        ticket = self.acquire()
        holder = _Current(self, ticket)
        previous = getattr(_local, "current", None)
        _local.current = holder
        ok = False
        try:
            result = fetch(*args)
            ok = True
            return result
        except Exception as exc:
            status = getattr(exc, "status", None)
            if status in THROTTLE_STATUSES:  # the transport's retries ran out
                with self._cond:
                    retry_after = getattr(exc, "retry_after", None)
                    self.policy.on_throttle(holder.ticket, retry_after, self.clock())
            raise
        finally:
            _local.current = previous
            self.release(holder.ticket, ok=ok)


@dataclass
class _Current:
    gate: ConcurrencyGate
    ticket: Ticket


_local = threading.local()


def report_throttle(
    status: int, retry_after: float | None, pause: Callable[[], None] | None = None
) -> None:
    """Tell the gate running this thread's request that the server refused it.

    Called by the transport before it retries an answer with ``status``; ``pause`` is the
    transport's wait before that retry, run here with the request's slot given up;
    ``retry_after`` is the answer's ``Retry-After`` in seconds, as
    :func:`mammoth_pandas._backoff.retry_after` read it (``None`` when absent). For
    statuses other than 429/503 and outside :meth:`ConcurrencyGate.run`, only ``pause``
    runs.
    """
    current: _Current | None = getattr(_local, "current", None)
    if current is None or status not in THROTTLE_STATUSES:
        if pause is not None:
            pause()
        return
    current.ticket = current.gate.throttled(current.ticket, retry_after, pause)
