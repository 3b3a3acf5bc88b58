"""Root fixtures: a seeded sandbox per test session (one per xdist worker, on port 0),
a fresh one per test for tests that mutate, and a client on the session sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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


@pytest.fixture
def client(sandbox: Sandbox) -> Any:
    """A MammothClient on the session sandbox (imported lazily)."""
    return sandbox.client()
