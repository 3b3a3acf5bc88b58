"""What a resource (``client.batches``, ``client.jobs``…) needs of the client that owns it.

Each resource module depends on this protocol, not on :class:`MammothClient` itself, so
that the client module imports its resources and no resource imports the client back.
"""

from __future__ import annotations

from typing import Any, Protocol

from mammoth_pandas import params as P
from mammoth_pandas._answers import Records, listing_page
from mammoth_pandas._paging import Page, Pager
from mammoth_pandas._transport import Expect, Transport
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

    def _read_rows(self, read: Any, workers: int) -> Any:
        """Read every page of a data read, at most ``workers`` pages at once."""
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

    def _workers(self, max_workers: int | None) -> int:
        """``max_workers`` checked (an integer >= 1), or the client's when ``None``."""
        if max_workers is None:
            return self._client.max_workers
        return P.count("max_workers", max_workers, none_ok=True)

    def _read_listing(
        self,
        path: str,
        query: dict[str, Any],
        expect: Expect,
        *,
        page_size: int,
        limit: int | None,
        noun: str,
    ) -> Records:
        """Every record of a catalog listing (projects, datasets), read through the pager."""

        def fetch(offset: int, size: int) -> Page:
            body = self._t.get(path, {**query, "limit": size, "offset": offset}, expect=expect)
            return listing_page(body, expect)

        records: Records = []
        pager = Pager(fetch, start=0, page_size=page_size, limit=limit, workers=1, noun=noun)
        for page in pager:
            records.extend(page)
        return records
