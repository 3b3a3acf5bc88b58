"""Widget test fixtures: panels on the demo dataset, a large sandbox, a widget counter."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import ipywidgets
import pytest

from mammoth_pandas.client import MammothClient
from mammoth_pandas.dataset import DatasetHandle
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel


def live_widgets() -> int:
    """How many widgets exist (ipywidgets 8: ``_instances``; 7: ``Widget.widgets``)."""
    module = ipywidgets.widgets.widget
    registry = getattr(module, "_instances", None)
    if registry is None:
        registry = ipywidgets.Widget.widgets
    return len(registry)


@pytest.fixture
def count_widgets() -> Callable[[], int]:
    """A function giving the number of live widgets."""
    return live_widgets


def customers(client: MammothClient) -> DatasetHandle:
    return client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)


@pytest.fixture
def panel(sandbox: Sandbox) -> Iterator[BatchPanel]:
    """A batch panel on the session sandbox's demo destination (for tests that only read)."""
    batch_panel = BatchPanel(customers(sandbox.client()))
    yield batch_panel
    batch_panel.close()


@pytest.fixture
def fresh_panel(fresh_sandbox: Sandbox) -> Iterator[BatchPanel]:
    """A batch panel on a sandbox of its own (for tests that act), retries off."""
    batch_panel = BatchPanel(customers(fresh_sandbox.client(max_retries=0)))
    yield batch_panel
    batch_panel.close()


@pytest.fixture(scope="module")
def large_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose dataset ``DEMO.scale`` has 100,000 batches."""
    with Sandbox(scale=100_000, job_delay=0.02) as sb:
        yield sb
