"""Client test fixtures: request recording (to prove bad input never leaves the process)
and clients on fresh sandboxes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mammoth_pandas.client import MammothClient
from mammoth_pandas.sandbox import DEMO, Sandbox


class RecordingSession(requests.Session):
    """A ``requests.Session`` that records every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        return super().send(request, **kwargs)


@pytest.fixture
def recording(sandbox: Sandbox) -> tuple[MammothClient, RecordingSession]:
    """A client on the session sandbox whose session records what it sends."""
    session = RecordingSession()
    return sandbox.client(session=session), session


@pytest.fixture
def fresh_client(fresh_sandbox: Sandbox) -> Iterator[MammothClient]:
    with fresh_sandbox.client() as client:
        yield client


@pytest.fixture
def ids() -> tuple[int, int, int]:
    """The demo destination dataset (workspace, project, dataset)."""
    return (DEMO.workspace_id, DEMO.project_id, DEMO.customers)
