"""The store's queries over stored rows: data reads and column statistics (a ``Db`` mixin).

Rows are stored as JSON objects keyed by ``c_id``. A data read renders each row of a page
as a JSON array in the requested column order inside SQLite (``json_array`` of
``json_extract``), so Python only numbers and joins them. Column statistics are computed
in one query per dataset when its rows change (see ``Db.touch_dataset``) and stored;
reading them computes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from mammoth_pandas.sandbox.sql import Sql
from mammoth_pandas.sandbox.timefmt import now_iso

#: Rows of a dataset's data: those of its active batches, in batch then row order.
_DATASET_ROWS = (
    "FROM rows r JOIN batches b ON b.id = r.batch_id WHERE b.dataset_id = ? AND b.state = 'active'"
)


def _path(c_id: str) -> str:
    """The JSON path of a column in a stored row."""
    return '$."' + c_id.replace('"', '""') + '"'


class RowSql(Sql):
    """Stored rows, pages of them, and the column statistics computed from them."""

    def rows_of(self, dataset_id: int, batch_id: int | None) -> list[dict[str, Any]]:
        """Stored rows keyed by ``c_id``: one batch's, or the dataset's active batches'."""
        if batch_id is None:
            found = self.all(f"SELECT r.data {_DATASET_ROWS} ORDER BY b.id, r.seq", (dataset_id,))
        else:
            found = self.all(
                "SELECT r.data FROM rows r JOIN batches b ON b.id = r.batch_id"
                " WHERE b.dataset_id = ? AND b.id = ? ORDER BY r.seq",
                (dataset_id, batch_id),
            )
        return [json.loads(row["data"]) for row in found]

    def rows_page(
        self, dataset_id: int, batch_id: int | None, c_ids: list[str], limit: int, offset: int
    ) -> list[str]:
        """A page of rows, each a JSON array text of the ``c_ids`` values.

        A value is null where a row has none. The rows are one batch's, or the dataset's
        (``batch_id`` None).
        """
        cells = ", ".join("json_extract(r.data, ?)" for _ in c_ids)
        paths = [_path(c) for c in c_ids]
        if batch_id is None:
            sql = f"SELECT json_array({cells}) {_DATASET_ROWS} ORDER BY b.id, r.seq"
            params: list[Any] = [*paths, dataset_id]
        else:
            sql = f"SELECT json_array({cells}) FROM rows r WHERE r.batch_id = ? ORDER BY r.seq"  # noqa: S608
            params = [*paths, batch_id]
        sql += " LIMIT ? OFFSET ?"
        cursor = self.conn.execute(sql, (*params, limit, offset))
        cursor.row_factory = None
        return [row[0] for row in cursor.fetchall()]

    def dataset_row_count(self, dataset_id: int) -> int:
        """Rows of the dataset's active batches, by their ``row_count``."""
        sql = (
            "SELECT COALESCE(SUM(row_count), 0) FROM batches"
            " WHERE dataset_id = ? AND state = 'active'"
        )
        return int(self.scalar(sql, (dataset_id,)))

    # -- column statistics --------------------------------------------------------------

    def refresh_column_stats(self, dataset_id: int) -> None:
        """Compute a dataset's column statistics from its active rows and store them.

        A value is blank when it is missing, null or text of whitespace only; ``distinct``
        counts the different non-blank values. A dataset whose batches store no rows (the
        scale dataset) reports its row count with ``distinct`` null.
        """
        raw = self.scalar("SELECT data_schema FROM datasets WHERE id = ?", (dataset_id,))
        if raw is None:
            return
        schema: list[dict[str, str]] = json.loads(raw)
        values = ", ".join(
            f"CASE WHEN json_type(r.data, ?) = 'text' AND trim(json_extract(r.data, ?)) = ''"
            f" THEN NULL ELSE json_extract(r.data, ?) END AS v{i}"
            for i in range(len(schema))
        )
        counts = "".join(f", COUNT(v{i}), COUNT(DISTINCT v{i})" for i in range(len(schema)))
        params: list[Any] = []
        for column in schema:
            params += [_path(column["c_id"])] * 3
        inner = f"SELECT {values or '1'} {_DATASET_ROWS}"
        found = self.conn.execute(
            f"SELECT COUNT(*){counts} FROM ({inner})",  # noqa: S608
            (*params, dataset_id),
        ).fetchone()
        stored = int(found[0])
        rows = self.dataset_row_count(dataset_id)
        complete = stored == rows
        columns = []
        for i, column in enumerate(schema):
            filled, distinct = int(found[1 + 2 * i]), int(found[2 + 2 * i])
            blank = stored - filled
            columns.append(
                {
                    "c_id": column["c_id"],
                    "name": column["c_name"],
                    "type": column["c_type"],
                    "blank_count": blank,
                    "blank_pct": round(100.0 * blank / stored, 2) if stored else 0.0,
                    "distinct": distinct if complete else None,
                }
            )
        self.run(
            "INSERT OR REPLACE INTO column_stats (dataset_id, row_count, columns, computed_at)"
            " VALUES (?, ?, ?, ?)",
            (dataset_id, rows, json.dumps(columns), now_iso()),
        )

    def datasets_without_stats(self) -> list[int]:
        """Datasets (not deleted) that have no stored statistics yet."""
        return [
            row[0]
            for row in self.all(
                "SELECT id FROM datasets WHERE status != 'deleted'"
                " AND id NOT IN (SELECT dataset_id FROM column_stats) ORDER BY id"
            )
        ]

    def column_stats(self, workspace_id: int, project_id: int) -> list[dict[str, Any]]:
        """The stored statistics of a project's datasets, newest dataset first."""
        found = self.all(
            "SELECT d.id, d.name, s.row_count, s.columns, s.computed_at FROM datasets d"
            " JOIN column_stats s ON s.dataset_id = d.id WHERE d.workspace_id = ?"
            " AND d.project_id = ? AND d.status != 'deleted'"
            " ORDER BY d.created_at DESC, d.id DESC",
            (workspace_id, project_id),
        )
        return [
            {
                "id": row["id"],
                "name": row["name"],
                "rows": row["row_count"],
                "columns": json.loads(row["columns"]),
                "computed_at": row["computed_at"],
            }
            for row in found
        ]
