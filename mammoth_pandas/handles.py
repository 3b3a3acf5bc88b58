"""Handles that chain from a credential to a batch's rows, remembering the ids they know.

::

    ws = client.workspace()                 # the workspace the credential belongs to
    ws.projects()                           # DataFrame of its projects
    ds = ws.project(4).dataset(121)         # a DatasetHandle: ds.batches(), ds.schema()…
    ds.batch(1001).to_frame()               # the batch's rows, typed from the schema

Each handle only holds ids and the client; every method is one call of the client's
resources with those ids filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mammoth_pandas import params as P
from mammoth_pandas.dataset import DatasetHandle
from mammoth_pandas.errors import MammothInputError

__all__ = ["ProjectHandle", "WorkspaceHandle"]


class WorkspaceHandle:
    """The caller's workspace: its details, its projects, and handles on them."""

    def __init__(self, client: Any, record: Mapping[str, Any]) -> None:
        """Wrap ``record`` (one item of ``GET /workspaces/current``) for ``client``."""
        self.client = client
        self.record: dict[str, Any] = dict(record)
        self.workspace_id = P.path_id("workspace_id", record.get("id"), minimum=1)

    @property
    def id(self) -> int:
        """The workspace id."""
        return self.workspace_id

    @property
    def name(self) -> str | None:
        """The workspace's name, if the server gave one."""
        name = self.record.get("name")
        return name if isinstance(name, str) else None

    def __repr__(self) -> str:
        return f"WorkspaceHandle(id={self.workspace_id}, name={self.name!r})"

    def default_project_id(self) -> int:
        """The project a call means when it names none: the pinned one, else the only one.

        Raises:
            MammothInputError: the workspace has several projects (or none) and none is pinned.
        """
        pinned = self.record.get("project_id")
        if pinned is None and isinstance(self.record.get("project"), Mapping):
            pinned = self.record["project"].get("id")
        if pinned is not None:
            return P.path_id("project_id", pinned, minimum=1)
        projects = self.record.get("projects")
        given = [
            p.get("id") if isinstance(p, Mapping) else p
            for p in (projects if isinstance(projects, list) else [])
        ]
        ids: list[int] = [i for i in given if isinstance(i, int) and not isinstance(i, bool)]
        if len(ids) == 1:
            return ids[0]
        listed = ", ".join(map(str, ids[:10])) or "none listed"
        raise MammothInputError(
            "project_id",
            f"workspace {self.workspace_id} has {len(ids)} projects ({listed}); name one",
            accepted="a project id (client.projects.list() lists them)",
        )

    def info(self) -> pd.Series:
        """The workspace's details as a Series (id, name, status, date_format, …)."""
        return pd.Series(self.record, name=self.workspace_id, dtype=object)

    def projects(self, **options: Any) -> pd.DataFrame:
        """The workspace's projects (all pages); options as in ``client.projects.list``."""
        return self.client.projects.list(self.workspace_id, **options)

    def project(self, project_id: int) -> ProjectHandle:
        """A handle on one project of this workspace."""
        return ProjectHandle(self.client, self.workspace_id, project_id)


class ProjectHandle:
    """One project: its datasets, their column statistics, and handles on them."""

    def __init__(self, client: Any, workspace_id: int, project_id: int) -> None:
        """Bind the ids (validated) to ``client``."""
        self.client = client
        self.workspace_id = P.path_id("workspace_id", workspace_id, minimum=1)
        self.project_id = P.path_id("project_id", project_id, minimum=1)

    @property
    def ids(self) -> tuple[int, int]:
        """``(workspace_id, project_id)``."""
        return (self.workspace_id, self.project_id)

    def __repr__(self) -> str:
        return f"ProjectHandle(workspace_id={self.workspace_id}, project_id={self.project_id})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ProjectHandle)
            and other.client is self.client
            and other.ids == self.ids
        )

    def __hash__(self) -> int:
        return hash((id(self.client), self.ids))

    def datasets(self, **filters: Any) -> pd.DataFrame:
        """The project's datasets (all pages); filters as in ``client.datasets.list``."""
        return self.client.datasets.list(*self.ids, **filters)

    def dataset(self, dataset_id: int) -> DatasetHandle:
        """A handle on one dataset of this project."""
        return DatasetHandle(self.client, self.workspace_id, self.project_id, dataset_id)

    def column_stats(self) -> pd.DataFrame:
        """Per-column statistics of every dataset of the project (one request)."""
        frame: pd.DataFrame = self.client.datasets.column_stats(*self.ids)
        return frame
