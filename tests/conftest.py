"""Root fixtures: a seeded sandbox per test session (one per xdist worker, on port 0),
a fresh one per test for tests that mutate, and a client on the session sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mammoth_pandas.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The seeded session sandbox. Read-mostly: a test that changes it must undo it."""
    with Sandbox(job_delay=0.02) as sb:
        yield sb


@pytest.fixture
def fresh_sandbox() -> Iterator[Sandbox]:
    """A newly seeded sandbox of its own, for tests that mutate."""
    with Sandbox(job_delay=0.02) as sb:
        yield sb


class RecordingSession(requests.Session):
    """A ``requests.Session`` that records every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        return super().send(request, **kwargs)


@pytest.fixture
def recording_session() -> RecordingSession:
    """A recording session not yet tied to a client (for a sandbox of the test's own)."""
    return RecordingSession()


@pytest.fixture
def recording(sandbox: Sandbox) -> tuple[Any, RecordingSession]:
    """A client on the session sandbox whose session records what it sends."""
    session = RecordingSession()
    return sandbox.client(session=session), session


@pytest.fixture
def client(sandbox: Sandbox) -> Any:
    """A MammothClient on the session sandbox (imported lazily)."""
    return sandbox.client()


class FakeClock:
    """The tests' one fake clock: calling it (or ``monotonic``) reads the time, ``sleep``
    advances it and records the wait, so nothing really sleeps.

    It stands in for the transport's ``time`` module (see ``transport_clock``) and is passed
    as the ``clock``/``sleep`` of a job or a concurrency gate.
    """

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    @property
    def sleeps(self) -> list[float]:
        """The waits, in order (the name the job-polling tests read them by)."""
        return self.waits


#: The name the transport tests know the clock by.
TransportClock = FakeClock


@pytest.fixture
def transport_clock(monkeypatch: pytest.MonkeyPatch) -> TransportClock:
    """A fake clock installed in the client's transport, for retry budgets in (fake) time."""
    from mammoth_pandas import _transport

    clock = TransportClock()
    monkeypatch.setattr(_transport, "time", clock)
    monkeypatch.setattr(_transport, "_sleep", clock.sleep)
    return clock
