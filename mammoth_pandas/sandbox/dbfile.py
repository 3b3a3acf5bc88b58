"""Whether a file can be the sandbox's database, checked before anything is written to it.

``Sandbox(db_path=...)`` and ``mammoth-pandas sandbox --db FILE`` call
:func:`check_database` first, so that a file the sandbox cannot use is refused with one
line naming the file and the reason, and is never changed: not a corrupt or truncated
file, not another program's database (the sandbox would add its tables to it), not a
directory, not a file or directory it cannot write. A missing file in a writable
directory, an empty file and a sandbox database (also one written by an older version,
which the store brings up to date) pass.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

__all__ = ["SandboxDatabaseError", "check_database"]

SQLITE_HEADER = b"SQLite format 3\x00"
_HEADER_SIZE = 100


class SandboxDatabaseError(ValueError):
    """The sandbox's database file cannot be used.

    A ``ValueError``, as the sandbox's other refused settings are: the sandbox shares only the
    contract with the client package, not its exception tree.

    Attributes:
        path: The file.
        reason: Why it cannot be used, in words (``"it is a directory"`` …).
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = " ".join(reason.split())  # one line, whatever SQLite said
        super().__init__(f"cannot use {str(path)!r} as the sandbox database: {self.reason}")


def check_database(path: str | os.PathLike[str], *, contents: bool = True) -> None:
    """Check that ``path`` can hold the sandbox's database, without changing it.

    Args:
        path: The database file (it may not exist yet).
        contents: Also open it read-only to check its pages and its tables (about a third
            of a second for 100,000 batches); without, only the file and its header.

    Raises:
        SandboxDatabaseError: The file is a directory, cannot be read or written, is not
            an SQLite database, is truncated or corrupt, or is another program's database.
    """
    file = Path(path)
    if file.is_dir():
        raise SandboxDatabaseError(file, "it is a directory, not a file")
    directory = file.parent
    if not file.exists():
        if not directory.is_dir():
            raise SandboxDatabaseError(file, f"its directory {str(directory)!r} does not exist")
        if not os.access(directory, os.W_OK):
            raise SandboxDatabaseError(file, "its directory is read-only (cannot create it)")
        return
    if not file.is_file():
        raise SandboxDatabaseError(file, "it is not a regular file")
    try:
        with file.open("rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError as error:
        raise SandboxDatabaseError(file, f"it cannot be read ({error.strerror})") from None
    if not os.access(file, os.W_OK):
        raise SandboxDatabaseError(file, "it is read-only")
    if not os.access(directory, os.W_OK):
        # SQLite keeps its write-ahead log and shared memory file beside the database.
        raise SandboxDatabaseError(file, "its directory is read-only (SQLite writes beside it)")
    if not header:
        return  # an empty file: a new database
    _check_header(file, header)
    if contents:
        _check_contents(file)


def _check_header(file: Path, header: bytes) -> None:
    if not header.startswith(SQLITE_HEADER[: len(header)]):
        raise SandboxDatabaseError(file, "it is not an SQLite database (no SQLite header)")
    if len(header) < _HEADER_SIZE:
        raise SandboxDatabaseError(
            file, f"it is truncated ({len(header)} bytes, less than an SQLite header)"
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when "version-valid-for" matches the change counter.
    if header[92:96] == header[24:28] and pages:
        expected, actual = page_size * pages, file.stat().st_size
        if actual < expected:
            raise SandboxDatabaseError(
                file, f"it is truncated ({actual:,} bytes; its header says {expected:,})"
            )


def _check_contents(file: Path) -> None:
    """Read the schema and check the pages, on a read-only connection."""
    from mammoth_pandas.sandbox.store import ADDED_COLUMNS, SCHEMA

    uri = f"file:{quote(str(file.resolve()))}?mode=ro"
    if not Path(f"{file}-wal").exists():
        # Nothing beside it to read: "immutable" opens it without creating the log and
        # shared-memory files a WAL database otherwise gets (a refused file stays alone).
        uri += "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise SandboxDatabaseError(file, f"it cannot be opened ({error})") from None
    try:
        verdict = conn.execute("PRAGMA quick_check(1)").fetchone()
        if verdict is None or verdict[0] != "ok":
            lines = [] if verdict is None else str(verdict[0]).splitlines()
            detail = "; ".join(line for line in lines if not line.startswith("***"))
            raise SandboxDatabaseError(file, f"it is corrupt (SQLite's check: {detail or '?'})")
        found = _tables(conn)
    except sqlite3.DatabaseError as error:
        raise SandboxDatabaseError(file, f"it is corrupt ({error})") from None
    finally:
        conn.close()
    if not found:
        return  # an empty database
    if "meta" not in found:
        names = ", ".join(sorted(found)[:6]) + (", …" if len(found) > 6 else "")
        raise SandboxDatabaseError(file, f"it is another program's database (tables: {names})")
    ours = sqlite3.connect(":memory:")
    try:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                ours.execute(statement)
        expected = _tables(ours)
    finally:
        ours.close()
    added = {(table, column) for table, column, _ in ADDED_COLUMNS}
    for table in sorted(expected.keys() & found.keys()):
        missing = sorted(c for c in expected[table] - found[table] if (table, c) not in added)
        if missing:
            raise SandboxDatabaseError(
                file,
                f"its table {table!r} has a foreign schema (no column {', '.join(missing)})",
            )


def _tables(conn: sqlite3.Connection) -> dict[str, set[str]]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: {row[1] for row in conn.execute(f"PRAGMA table_info({_quoted(name)})")}
        for name in names
    }


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
