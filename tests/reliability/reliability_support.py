"""Helpers of the reliability suites: fault counting on the sandbox side, a
request-counting session, condition waits and the figures the README quotes.

Every request under ``/api/v2`` draws once from the sandbox's fault dice, so wrapping
``Faults.draw_request`` counts both the requests that reached the server and the faults
injected into them; :meth:`FaultCounter.force` also schedules exact faults.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from mammoth_pandas.sandbox import Sandbox


class Figures:
    """Counters of one worker's run (faults injected, operations survived, inputs tried…)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[name] += amount

    def merge(self, prefix: str, counts: Counter[str] | dict[str, int]) -> None:
        for name, amount in counts.items():
            self.add(f"{prefix}{name}", amount)


class FaultCounter:
    """Counts the requests that reached the sandbox's API and the faults injected."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.requests = 0
        self.faults: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._forced: list[str] = []
        self._original = sb.faults.draw_request

        def draw() -> str | None:
            with self._lock:
                forced = self._forced.pop(0) if self._forced else None
            fault = forced if forced is not None else self._original()
            if fault == "ok":  # a forced clean answer
                fault = None
            with self._lock:
                self.requests += 1
                if fault is not None:
                    self.faults[fault] += 1
            return fault

        sb.faults.draw_request = draw  # type: ignore[method-assign]

        # Requests being handled right now, whatever their connection does afterwards
        # (keep-alive connections outlive their requests).
        self.in_flight = 0
        self._server = sb._server
        assert self._server is not None
        self._app = self._server.app

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            with self._lock:
                self.in_flight += 1
            try:
                return self._app(environ, start_response)
            finally:
                with self._lock:
                    self.in_flight -= 1

        self._server.app = app

    def force(self, *faults: str) -> None:
        """The next requests get these faults, in order (then the configured dice again);
        ``"ok"`` lets one request through untouched."""
        with self._lock:
            self._forced = list(faults)

    @property
    def pending(self) -> int:
        """Forced faults not yet used."""
        with self._lock:
            return len(self._forced)

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.faults = Counter()
            self._forced = []

    @property
    def injected(self) -> int:
        return sum(self.faults.values())

    def idle(self) -> bool:
        """No request of this sandbox is being handled."""
        with self._lock:
            return self.in_flight == 0

    def connections_closed(self) -> bool:
        """Every connection to the sandbox has been closed by the server and no request
        is being handled; only for tests whose connections are dropped."""
        return self.idle() and self._server.connections == 0

    def restore(self) -> None:
        self.sb.faults.draw_request = self._original  # type: ignore[method-assign]
        self._server.app = self._app


def wait_for(condition: Any, timeout: float = 10.0, what: str = "condition") -> None:
    """Wait until ``condition()`` is true (polling), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.01)
