"""The store's queries over workspaces, projects and datasets (a mixin of ``store.Db``)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from mammoth_pandas.sandbox.query import DatasetQuery, Page
from mammoth_pandas.sandbox.sql import Sql, marks

#: Dataset columns a listing filters with ``IN (...)``: query attribute -> column.
_DATASET_LISTS = (
    ("ids", "id"),
    ("names", "name"),
    ("statuses", "status"),
    ("created_by", "created_by"),
    ("source_types", "source_type"),
)


def order_by(sort: list[tuple[str, str]], tiebreak: str = "id") -> str:
    """``name DESC, id ASC``: the terms (already checked against a whitelist), then the id."""
    terms = [f"{name} {direction.upper()}" for name, direction in sort]
    if all(name != tiebreak for name, _ in sort):
        terms.append(f"{tiebreak} ASC")
    return ", ".join(terms)


class CatalogSql(Sql):
    """Workspaces, projects, datasets and the files waiting to be appended to one."""

    # -- workspaces and projects --------------------------------------------------------

    def workspace(self, workspace_id: int) -> sqlite3.Row | None:
        """A workspace's row (None when the file predates the table or has no such row)."""
        return self.one("SELECT * FROM workspaces WHERE id = ?", (workspace_id,))

    def insert_workspace(self, **values: Any) -> None:
        """Add a workspace.

        ``values`` holds ``id, name, status, created_at, updated_at, date_format, total_users``.
        """
        self.run(
            "INSERT INTO workspaces (id, name, status, created_at, updated_at, date_format,"
            " total_users) VALUES (:id, :name, :status, :created_at, :updated_at,"
            " :date_format, :total_users)",
            values,
        )

    def insert_project(self, workspace_id: int, project_id: int, name: str, **extra: Any) -> None:
        """Add a project.

        ``extra`` may set ``status``, ``created_at``, ``updated_at`` and ``properties`` (a dict).
        """
        columns = ["workspace_id", "project_id", "name"]
        values: list[Any] = [workspace_id, project_id, name]
        for key in ("status", "created_at", "updated_at", "properties"):
            if key in extra:
                columns.append(key)
                value = extra[key]
                values.append(json.dumps(value) if key == "properties" else value)
        self.run(
            f"INSERT INTO projects ({', '.join(columns)}) VALUES ({marks(len(values))})",  # noqa: S608
            values,
        )

    def project_exists(self, workspace_id: int, project_id: int | None = None) -> bool:
        """Whether the workspace (with at least one project), or that project, exists."""
        params: tuple[int, ...]
        if project_id is None:
            sql, params = "SELECT 1 FROM projects WHERE workspace_id = ?", (workspace_id,)
        else:
            sql = "SELECT 1 FROM projects WHERE workspace_id = ? AND project_id = ?"
            params = (workspace_id, project_id)
        return self.one(sql, params) is not None

    def projects(self, workspace_id: int) -> list[sqlite3.Row]:
        """Every project of a workspace, by id."""
        return self.all(
            "SELECT * FROM projects WHERE workspace_id = ? ORDER BY project_id", (workspace_id,)
        )

    def projects_page(
        self, workspace_id: int, sort: list[tuple[str, str]], page: Page
    ) -> list[sqlite3.Row]:
        """One page of a workspace's projects plus one row (to tell whether more follow)."""
        order = order_by([("project_id" if n == "id" else n, d) for n, d in sort], "project_id")
        return self.all(
            f"SELECT * FROM projects WHERE workspace_id = ? ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
            (workspace_id, page.limit + 1, page.offset),
        )

    # -- datasets -----------------------------------------------------------------------

    def locate(self, workspace_id: int, project_id: int, dataset_id: int) -> sqlite3.Row:
        """One query: ``ws_ok``, ``pr_ok`` and the dataset's columns.

        The dataset's columns are NULL when it is missing or deleted.
        """
        row = self.one(
            "SELECT EXISTS(SELECT 1 FROM projects WHERE workspace_id = :ws) AS ws_ok,"
            " EXISTS(SELECT 1 FROM projects WHERE workspace_id = :ws AND project_id = :pr)"
            " AS pr_ok, d.* FROM (SELECT 1) LEFT JOIN datasets d"
            " ON d.id = :ds AND d.status != 'deleted'",
            {"ws": workspace_id, "pr": project_id, "ds": dataset_id},
        )
        assert row is not None
        return row

    def dataset(self, dataset_id: int) -> sqlite3.Row | None:
        """A dataset that is not deleted, or None."""
        return self.one(
            "SELECT * FROM datasets WHERE id = ? AND status != 'deleted'", (dataset_id,)
        )

    def dataset_schema(self, dataset_id: int) -> list[dict[str, str]]:
        """A dataset's ``data_schema`` (``[]`` for an unknown id)."""
        raw = self.scalar("SELECT data_schema FROM datasets WHERE id = ?", (dataset_id,))
        return [] if raw is None else list(json.loads(raw))

    def set_dataset_schema(self, dataset_id: int, schema: list[dict[str, str]]) -> None:
        """Replace a dataset's ``data_schema``."""
        self.run(
            "UPDATE datasets SET data_schema = ? WHERE id = ?", (json.dumps(schema), dataset_id)
        )

    def insert_dataset(self, **values: Any) -> None:
        """Add a dataset.

        ``values`` holds ``id, workspace_id, project_id, name, created_at, created_by, data_schema``
        (a list), optionally ``updated_by``, ``description``, ``additional_info`` (a dict) and
        ``source_type``.
        """
        row = {
            "status": "ready",
            "updated_at": values["created_at"],
            "updated_by": None,
            "description": None,
            "source_type": None,
            **values,
            "data_schema": json.dumps(values["data_schema"]),
            "additional_info": json.dumps(values.get("additional_info") or {}),
        }
        self.run(
            "INSERT INTO datasets (id, workspace_id, project_id, name, status, created_at,"
            " updated_at, created_by, data_schema, updated_by, description, additional_info,"
            " source_type) VALUES (:id, :workspace_id, :project_id, :name, :status,"
            " :created_at, :updated_at, :created_by, :data_schema, :updated_by, :description,"
            " :additional_info, :source_type)",
            row,
        )

    def dataset_exists(self, dataset_id: int) -> bool:
        """Whether a row with this id exists (deleted or not)."""
        return self.one("SELECT 1 FROM datasets WHERE id = ?", (dataset_id,)) is not None

    def mark_dataset_deleted(self, dataset_id: int, stamp: str) -> None:
        """A dataset's status becomes ``deleted``."""
        self.run(
            "UPDATE datasets SET status = 'deleted', updated_at = ? WHERE id = ?",
            (stamp, dataset_id),
        )

    def datasets_page(self, workspace_id: int, project_id: int, query: DatasetQuery) -> Any:
        """One page of a project's datasets plus one row (to tell whether more follow)."""
        clauses = ["workspace_id = ?", "project_id = ?", "status != 'deleted'"]
        params: list[Any] = [workspace_id, project_id]
        for attribute, column in _DATASET_LISTS:
            values = getattr(query, attribute)
            if values:
                clauses.append(f"{column} IN ({marks(len(values))})")
                params += values
        for column, (start, end) in (
            ("created_at", query.created),
            ("updated_at", query.updated),
        ):
            if start is not None:
                clauses.append(f"{column} >= ?")
                params.append(start)
            if end is not None:
                clauses.append(f"{column} <= ?")
                params.append(end)
        sql = (
            f"SELECT * FROM datasets WHERE {' AND '.join(clauses)}"  # noqa: S608
            f" ORDER BY {order_by(query.sort)} LIMIT ? OFFSET ?"
        )
        return self.all(sql, (*params, query.page.limit + 1, query.page.offset))

    def datasets_newest_first(self, workspace_id: int, project_id: int) -> list[sqlite3.Row]:
        """A project's datasets, newest first (by ``created_at``, then id)."""
        return self.all(
            "SELECT * FROM datasets WHERE workspace_id = ? AND project_id = ?"
            " AND status != 'deleted' ORDER BY created_at DESC, id DESC",
            (workspace_id, project_id),
        )

    def dataset_stats(self, dataset_ids: list[int]) -> dict[int, dict[str, int]]:
        """``{batch_count, row_count}`` of each dataset's active batches, in one query."""
        if not dataset_ids:
            return {}
        sql = (
            "SELECT dataset_id, COUNT(*) AS n, COALESCE(SUM(row_count), 0) AS r FROM batches"  # noqa: S608
            f" WHERE dataset_id IN ({marks(len(dataset_ids))}) AND state = 'active'"
            " GROUP BY dataset_id"
        )
        found = self.all(sql, dataset_ids)
        out = {i: {"batch_count": 0, "row_count": 0} for i in dataset_ids}
        for row in found:
            out[row["dataset_id"]] = {"batch_count": row["n"], "row_count": row["r"]}
        return out

    def batch_ids_of(self, dataset_ids: list[int]) -> dict[int, list[int]]:
        """Every batch id of each dataset, ascending, in one query."""
        out: dict[int, list[int]] = {i: [] for i in dataset_ids}
        if dataset_ids:
            sql = (
                "SELECT dataset_id, id FROM batches"  # noqa: S608
                f" WHERE dataset_id IN ({marks(len(dataset_ids))}) ORDER BY id"
            )
            for row in self.all(sql, dataset_ids):
                out[row["dataset_id"]].append(row["id"])
        return out

    # -- files waiting to be appended ---------------------------------------------------

    def insert_pending_batch(self, **values: Any) -> None:
        """A file waiting to be appended to ``target_dataset_id``.

        ``values`` holds ``dataset_id, status, state, name, count, created_at, needs_review``.
        """
        self.run(
            "INSERT INTO pending_batches (target_dataset_id, dataset_id, status, state, name,"
            " count, created_at, needs_review) VALUES (:target_dataset_id, :dataset_id,"
            " :status, :state, :name, :count, :created_at, :needs_review)",
            values,
        )

    def pending_batches(self, dataset_id: int) -> list[dict[str, Any]]:
        """The files waiting to be appended to a dataset, oldest first."""
        return [
            {
                "dataset_id": row["dataset_id"],
                "status": row["status"],
                "state": row["state"],
                "name": row["name"],
                "count": row["count"],
                "created_at": row["created_at"],
                "needs_review": bool(row["needs_review"]),
            }
            for row in self.all(
                "SELECT * FROM pending_batches WHERE target_dataset_id = ? ORDER BY id",
                (dataset_id,),
            )
        ]
