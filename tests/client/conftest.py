"""Client test fixtures: clients on fresh sandboxes, the demo dataset's ids (the request
recording ``recording`` fixture is in the root conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mammoth_pandas.client import MammothClient
from mammoth_pandas.sandbox import DEMO, Sandbox


@pytest.fixture
def fresh_client(fresh_sandbox: Sandbox) -> Iterator[MammothClient]:
    with fresh_sandbox.client() as client:
        yield client


@pytest.fixture
def ids() -> tuple[int, int, int]:
    """The demo destination dataset (workspace, project, dataset)."""
    return (DEMO.workspace_id, DEMO.project_id, DEMO.customers)
