"""The store's queries over batches, including the lean listing (a mixin of ``store.Db``).

A listing page is one query whose rows arrive already rendered as JSON objects: Python only
joins them, with no per-row decoding or encoding. Each batch's object of the default fields
(:data:`STORED_FIELDS`) is rendered once, when the batch is written, into the stored
generated column :data:`LISTING_COLUMN`, so that a default page only reads texts; SQLite
keeps it right on every insert and update, whichever statement makes them. Other fields,
and a database whose ``batches`` table lacks that column (made by an older version, or by an
SQLite without generated columns), are rendered by ``json_object`` as the page is read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox.query import BatchQuery
from mammoth_pandas.sandbox.sql import Sql, marks
from mammoth_pandas.sandbox.store_catalog import order_by

#: How each batch field is rendered inside ``json_object``.
_FIELD_SQL = {
    "description": "json(description)",
    "source": "json(source)",
    "data_schema": "json(COALESCE(data_schema, '[]'))",
}


@lru_cache(maxsize=64)
def batch_object_sql(fields: tuple[str, ...]) -> str:
    """``json_object('id', id, …)`` for the requested fields (names from a whitelist)."""
    pairs = ", ".join(f"'{name}', {_FIELD_SQL.get(name, name)}" for name in fields)
    return f"json_object({pairs})"


#: The fields a listing answers with when none are asked for; stored rendered per batch.
STORED_FIELDS = contract.FIELD_PRESETS[contract.DEFAULT_FIELDS]
#: The column holding each batch's JSON object of :data:`STORED_FIELDS`.
LISTING_COLUMN = "listing_json"
#: The expression that column stores (what ``json_object`` renders for those fields).
LISTING_SQL = batch_object_sql(STORED_FIELDS)
#: Generated columns arrived in SQLite 3.31; an older library serves every page by
#: ``json_object``.
GENERATED_COLUMNS = sqlite3.sqlite_version_info >= (3, 31, 0)
#: The declaration of :data:`LISTING_COLUMN` in the ``batches`` table.
LISTING_DECLARATION = (
    f", {LISTING_COLUMN} TEXT GENERATED ALWAYS AS ({LISTING_SQL}) STORED"
    if GENERATED_COLUMNS
    else ""
)


def batch_where(query: BatchQuery, dataset_id: int) -> tuple[str, list[object]]:
    """The ``WHERE`` clause of a batch listing and its bound values."""
    clauses = ["dataset_id = ?"]
    params: list[object] = [dataset_id]
    for column, values in (
        ("id", query.ids),
        ("state", query.states),
        ("row_count", query.row_counts),
    ):
        if values is not None:
            clauses.append(f"{column} IN ({marks(len(values))})")
            params.extend(values)
    start, end = query.created
    if start is not None:
        clauses.append("created_at >= ?")
        params.append(start)
    if end is not None:
        clauses.append("created_at <= ?")
        params.append(end)
    return " AND ".join(clauses), params


class BatchSql(Sql):
    """Batches: lookups, inserts, deletion marks and the listing."""

    #: Whether the ``batches`` table stores :data:`LISTING_COLUMN` as declared today.
    stored_listing = False

    def has_stored_listing(self) -> bool:
        """Whether the ``batches`` table stores each batch's default JSON, as rendered today.

        The column must exist and store exactly :data:`LISTING_SQL` (a file written when the
        default fields were other ones renders every page afresh).
        """
        if not GENERATED_COLUMNS:
            return False
        declared = self.scalar(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'batches'"
        )
        return declared is not None and LISTING_DECLARATION[2:] in str(declared)

    def _object_sql(self, fields: tuple[str, ...]) -> str:
        """What renders a batch's JSON object of ``fields``: the stored text when it can."""
        if self.stored_listing and fields == STORED_FIELDS:
            return LISTING_COLUMN
        return batch_object_sql(fields)

    def batch(self, dataset_id: int, batch_id: int) -> sqlite3.Row | None:
        """One batch of a dataset, or None."""
        return self.one(
            "SELECT * FROM batches WHERE dataset_id = ? AND id = ?", (dataset_id, batch_id)
        )

    def batch_json(self, dataset_id: int, batch_id: int, fields: tuple[str, ...]) -> str | None:
        """One batch rendered as a JSON object of ``fields``, or None."""
        value = self.scalar(
            f"SELECT {self._object_sql(fields)} FROM batches WHERE dataset_id = ? AND id = ?",  # noqa: S608
            (dataset_id, batch_id),
        )
        return None if value is None else str(value)

    def batch_states(self, dataset_id: int, ids: list[int]) -> dict[int, str]:
        """``{id: state}`` of those ``ids`` that are batches of the dataset."""
        if not ids:
            return {}
        found = self.all(
            f"SELECT id, state FROM batches WHERE dataset_id = ? AND id IN ({marks(len(ids))})",  # noqa: S608
            (dataset_id, *ids),
        )
        return {row["id"]: row["state"] for row in found}

    def batch_ids(self, dataset_id: int) -> list[int]:
        """Every batch id of a dataset, ascending."""
        return [
            r["id"]
            for r in self.all(
                "SELECT id FROM batches WHERE dataset_id = ? ORDER BY id", (dataset_id,)
            )
        ]

    def insert_batch(
        self,
        *,
        dataset_id: int,
        name: str,
        state: str,
        created_at: str,
        rows: list[dict[str, Any]],
        column_count: int,
        description: dict[str, Any],
        source: dict[str, Any],
        data_schema: list[dict[str, str]],
        prev_state: str | None = None,
    ) -> int:
        """Add a batch and its rows; its id."""
        cursor = self.run(
            "INSERT INTO batches (dataset_id, name, state, prev_state, created_at, row_count,"
            " column_count, description, source, data_schema)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                dataset_id,
                name,
                state,
                prev_state,
                created_at,
                len(rows),
                column_count,
                json.dumps(description),
                json.dumps(source),
                json.dumps(data_schema),
            ),
        )
        batch_id = int(cursor.lastrowid or 0)
        self.many(
            "INSERT INTO rows (batch_id, seq, data) VALUES (?, ?, ?)",
            ((batch_id, seq, json.dumps(row)) for seq, row in enumerate(rows)),
        )
        return batch_id

    def insert_batches_bulk(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Add batches without stored rows.

        Each is a ``(id, dataset_id, name, state, created_at, row_count, column_count, description,
        source, data_schema)`` tuple.
        """
        self.many(
            "INSERT INTO batches (id, dataset_id, name, state, created_at, row_count,"
            " column_count, description, source, data_schema) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?)",
            rows,
        )

    def delete_batches(self, ids: list[int]) -> None:
        """Remove batches and their rows."""
        for batch_id in ids:
            self.run("DELETE FROM rows WHERE batch_id = ?", (batch_id,))
            self.run("DELETE FROM batches WHERE id = ?", (batch_id,))

    def mark_deleting(self, ids: list[int]) -> None:
        """Batches enter ``deleting``, remembering the state they leave."""
        for batch_id in ids:
            self.run(
                "UPDATE batches SET prev_state = state, state = 'deleting' WHERE id = ?",
                (batch_id,),
            )

    def undo_deleting(self, batch_id: int, state: str) -> None:
        """A batch still ``deleting`` goes back to ``state`` (its delete job failed)."""
        self.run(
            "UPDATE batches SET state = ?, prev_state = NULL WHERE id = ? AND state = 'deleting'",
            (state, batch_id),
        )

    def suspend_batches(self, ids: list[int]) -> None:
        """Batches become ``suspended``."""
        self.many("UPDATE batches SET state = 'suspended' WHERE id = ?", [(i,) for i in ids])

    def restore_batches(self, ids: list[int]) -> None:
        """Suspended batches become ``active`` (others stay as they are)."""
        self.many(
            "UPDATE batches SET state = 'active' WHERE id = ? AND state = 'suspended'",
            [(i,) for i in ids],
        )

    def batches_page(self, dataset_id: int, query: BatchQuery) -> list[str]:
        """One listing page (plus one row, to tell whether more follow).

        Each batch is already a JSON object text. The offset is skipped inside the index (the
        subquery reads ids only), so a page deep into a large dataset costs about what the first one
        does.
        """
        where, params = batch_where(query, dataset_id)
        order = order_by(query.sort)
        sql = (
            f"SELECT {self._object_sql(query.fields)} FROM batches WHERE id IN"  # noqa: S608
            f" (SELECT id FROM batches WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?)"
            f" ORDER BY {order}"
        )
        cursor = self.conn.execute(sql, (*params, query.page.limit + 1, query.page.offset))
        cursor.row_factory = None  # plain tuples: no sqlite3.Row per batch
        return [row[0] for row in cursor.fetchall()]

    def listing_ids(self, dataset_id: int, query: BatchQuery) -> list[int]:
        """Every id of a listing, in its order (one scan of an index)."""
        where, params = batch_where(query, dataset_id)
        sql = f"SELECT id FROM batches WHERE {where} ORDER BY {order_by(query.sort)}"  # noqa: S608
        cursor = self.conn.execute(sql, params)
        cursor.row_factory = None
        return [row[0] for row in cursor.fetchall()]

    def batches_by_ids(self, ids: list[int], query: BatchQuery) -> list[str]:
        """These batches, each a JSON object text, in the listing's order."""
        if not ids:
            return []
        sql = (
            f"SELECT {self._object_sql(query.fields)} FROM batches"  # noqa: S608
            f" WHERE id IN ({marks(len(ids))}) ORDER BY {order_by(query.sort)}"
        )
        cursor = self.conn.execute(sql, ids)
        cursor.row_factory = None
        return [row[0] for row in cursor.fetchall()]

    def active_batch_count(self, dataset_id: int) -> int:
        """Active batches of a dataset, over all pages."""
        sql = "SELECT COUNT(*) FROM batches WHERE dataset_id = ? AND state = 'active'"
        return int(self.scalar(sql, (dataset_id,)))
