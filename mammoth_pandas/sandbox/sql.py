"""The query primitives every store module builds on: one connection, rows by name."""

from __future__ import annotations

import sqlite3
from typing import Any

#: SQLite's INTEGER range: an id or count outside it matches nothing and cannot be bound
#: to a query, so every integer the sandbox accepts is checked against it first.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def marks(count: int) -> str:
    """``?,?,?`` for ``count`` bound values."""
    return ",".join("?" * count)


class Sql:
    """Thin helpers over one connection; the resource queries are mixins of this class."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        """Wrap ``conn`` (whose row factory is :class:`sqlite3.Row`)."""
        self.conn = conn

    def all(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Every row of ``sql``."""
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        """The first row of ``sql``, or None."""
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def scalar(self, sql: str, params: Any = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def run(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        """Execute one statement."""
        return self.conn.execute(sql, params)

    def many(self, sql: str, rows: Any) -> None:
        """Execute one statement for each parameter tuple of ``rows``."""
        self.conn.executemany(sql, rows)
