"""Reliability fixtures: fault counting on the sandbox side, no real waiting between
retries, and the figures the README quotes (written per xdist worker to
``test-artifacts/reliability/``; ``bench/reliability_figures.py`` adds them up)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mammoth_pandas import _transport, jobs
from mammoth_pandas.sandbox import Sandbox
from tests.reliability.hostile import HostileServer
from tests.reliability.reliability_support import FaultCounter, Figures

REPO = Path(__file__).resolve().parents[2]
FIGURES_DIR = REPO / "test-artifacts" / "reliability"

_FIGURES = Figures()


@pytest.fixture(scope="session")
def figures(worker_id: str, testrun_uid: str) -> Iterator[Figures]:
    yield _FIGURES
    FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    for stale in FIGURES_DIR.glob(f"figures-{worker_id}-*.json"):
        stale.unlink()
    target = FIGURES_DIR / f"figures-{worker_id}-{testrun_uid}.json"
    payload = {"run": testrun_uid, "worker": worker_id, "counts": dict(_FIGURES.counts)}
    target.write_text(json.dumps(payload, indent=2, sort_keys=True))


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries do not really sleep; the list records every wait the client asked for.
    Job polls start after 10 ms instead of 200 ms (the sandbox's jobs run at once)."""
    waits: list[float] = []
    monkeypatch.setattr(_transport, "_sleep", waits.append)
    monkeypatch.setattr(jobs, "POLL_FIRST", 0.01)
    return waits


@pytest.fixture(scope="module")
def fault_sandbox() -> Iterator[Sandbox]:
    """A sandbox of this module's own for read-only fault runs (faults cleared per test)."""
    with Sandbox(job_delay=0.01) as sb:
        yield sb


@pytest.fixture
def read_faults(fault_sandbox: Sandbox, figures: Figures) -> Iterator[FaultCounter]:
    counter = FaultCounter(fault_sandbox)
    try:
        yield counter
    finally:
        fault_sandbox.faults.clear()
        counter.restore()
        figures.merge("faults_injected.", counter.faults)


@pytest.fixture
def write_sandbox(figures: Figures) -> Iterator[tuple[Sandbox, FaultCounter]]:
    """A fresh sandbox whose jobs run at once, with its fault counter."""
    with Sandbox(job_delay=0.0) as sb:
        counter = FaultCounter(sb)
        try:
            yield sb, counter
        finally:
            sb.faults.clear()
            figures.merge("faults_injected.", counter.faults)


@pytest.fixture
def hostile(figures: Figures) -> Iterator[HostileServer]:
    """A misbehaving loopback server (``tests/reliability/hostile.py``), well-behaved until
    the test sets its ``mode``; each test using it counts as one misbehaviour tried."""
    server = HostileServer()
    figures.add("hostile_tried")
    try:
        yield server
    finally:
        server.close()
