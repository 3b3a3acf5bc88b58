"""``client.workspaces`` and ``client.projects``: where a credential starts.

``GET /workspaces/current`` tells which workspace the credential belongs to (and the
projects it can reach); ``GET /workspaces/{ws}/projects`` lists a workspace's projects.
With these, a token alone is enough to find every id the other calls need::

    ws = client.workspace()             # WorkspaceHandle(id=1, name='Acme')
    client.projects.list()              # the current workspace's projects
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd

from mammoth_pandas import catalog
from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas._answers import (
    PROJECT_LISTING,
    WORKSPACE_LISTING,
    Records,
    listing_records,
)
from mammoth_pandas.client._base import Resource
from mammoth_pandas.client._routes import projects_path
from mammoth_pandas.errors import MammothConnectionError
from mammoth_pandas.handles import WorkspaceHandle

__all__ = ["ProjectsAPI", "WorkspacesAPI"]


class WorkspacesAPI(Resource):
    """``client.workspaces``: the caller's workspace."""

    _lock = threading.Lock()

    def list(self) -> pd.DataFrame:
        """The workspaces the credential belongs to (usually one), indexed by id."""
        return catalog.workspace_frame(self._records())

    def _records(self) -> Records:
        body = self._t.get("/workspaces/current", expect=WORKSPACE_LISTING)
        records, _ = listing_records(body, WORKSPACE_LISTING)
        return records

    def current(self, *, refresh: bool = False) -> WorkspaceHandle:
        """The credential's workspace, read once per client (``refresh=True`` reads again).

        Raises:
            MammothConnectionError: the server named no workspace.
        """
        cached: WorkspaceHandle | None = getattr(self, "_current", None)
        if cached is not None and not refresh:
            return cached
        records = self._records()
        if not records:
            raise MammothConnectionError(
                "GET /workspaces/current named no workspace for this credential"
            )
        handle = WorkspaceHandle(self._client, records[0])
        with self._lock:
            self._current = handle
        return handle


class ProjectsAPI(Resource):
    """``client.projects``: a workspace's projects."""

    def list(
        self,
        workspace_id: int | None = None,
        *,
        fields: Any = None,
        sort: Any = None,
        limit: Any = None,
        page_size: Any = C.MAX_LIMIT,
    ) -> pd.DataFrame:
        """Every project of the workspace (all pages), indexed by project id.

        Args:
            workspace_id: the workspace; the credential's own when omitted.
            fields: project fields to ask for (a list or ``"id,name"``); all by default.
            sort: sort terms, as for batches (e.g. ``"-created_at"``) on project fields.
            limit: at most this many projects.
            page_size: projects per request (1..100).
        """
        chosen = P.catalog_fields("fields", fields, catalog.PROJECT_FIELDS)
        query: dict[str, Any] = {}
        if chosen:
            query["fields"] = ",".join(chosen)
        wire_sort = P.sort(sort, sortable=catalog.PROJECT_SORTABLE)
        if wire_sort:
            query["sort"] = wire_sort
        most = P.limit(limit)
        size = P.page_size(page_size)
        ws = (
            self._client.workspace().workspace_id
            if workspace_id is None
            else P.path_id("workspace_id", workspace_id, minimum=1)
        )
        if most == 0:
            return catalog.project_frame([], chosen)
        records = self._read_listing(
            projects_path(ws), query, PROJECT_LISTING, page_size=size, limit=most,
            noun="project",
        )  # fmt: skip
        return catalog.project_frame(records, chosen)
