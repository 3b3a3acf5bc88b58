"""What a resource (``client.batches``, ``client.jobs``…) needs of the client that owns it.

Each resource module depends on this protocol, not on :class:`MammothClient` itself, so
that the client module imports its resources and no resource imports the client back.
"""

from __future__ import annotations

from typing import Any, Protocol

from mammoth_pandas._transport import Transport
from mammoth_pandas.jobs import JobReader

__all__ = ["ClientLike", "Resource"]


class ClientLike(Protocol):
    """The parts of a client that its resources use."""

    _transport: Transport
    max_workers: int
    registry_key: str

    @property
    def jobs(self) -> JobReader:
        """The client's job reader (``client.jobs``)."""
        ...

    def workspace(self, *, refresh: bool = False) -> Any:
        """The credential's workspace handle."""
        ...

    def _project_ids(self, workspace_id: int | None, project_id: int | None) -> tuple[int, int]:
        """Project ids, defaulted from the credential's workspace."""
        ...

    def _read_rows(self, read: Any, max_workers: int | None) -> Any:
        """Read every page of a data read."""
        ...


class Resource:
    """Base of the client's resources: holds the owning client."""

    def __init__(self, client: ClientLike) -> None:
        """Bind the resource to ``client``."""
        self._client = client

    @property
    def _t(self) -> Transport:
        return self._client._transport

    def _origin(self, *datasets: tuple[int, int, int]) -> dict[str, Any]:
        """What a frame's ``attrs["mammoth"]`` holds: the client's key and the datasets."""
        return {"client": self._client.registry_key, "datasets": [list(d) for d in datasets]}
