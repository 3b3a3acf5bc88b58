"""A database file the sandbox cannot use: one line naming the file and the reason, exit
status 2, the file left as it was; from Python a typed error with the same words.

Before, each of these ended in an SQLite traceback (exit status 1) that named no file,
or worse, was not noticed: a database with damaged pages in the middle was served from.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mammoth_pandas.sandbox import Sandbox
from mammoth_pandas.sandbox.dbfile import SandboxDatabaseError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sandbox_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sandbox database (seeded), closed."""
    path = tmp_path_factory.mktemp("sandbox-db") / "sandbox.db"
    with Sandbox(path):
        pass
    return path


def _cli(db: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mammoth_pandas.sandbox", "--port", "0", "--db", str(db)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)


def _corrupt(path: Path, sandbox_db: Path) -> None:
    shutil.copy(sandbox_db, path)
    size = path.stat().st_size
    with path.open("r+b") as handle:  # a run of pages in the middle overwritten
        handle.seek(size // 2)
        handle.write(bytes(range(256)) * 32)


def _truncated(path: Path, sandbox_db: Path) -> None:
    path.write_bytes(sandbox_db.read_bytes()[:20_000])


def _foreign(path: Path, sandbox_db: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE batches (id INTEGER PRIMARY KEY, payload BLOB)")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    conn.commit()
    conn.close()


def _foreign_columns(path: Path, sandbox_db: Path) -> None:
    """Has the sandbox's ``meta`` table, but its ``batches`` are not the sandbox's."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("CREATE TABLE batches (id INTEGER PRIMARY KEY, payload BLOB)")
    conn.commit()
    conn.close()


def _text(path: Path, sandbox_db: Path) -> None:
    path.write_text("id,name\n1,Ada\n")


def _directory(path: Path, sandbox_db: Path) -> None:
    path.mkdir()


CASES: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "corrupt": (_corrupt, "it is corrupt (SQLite's check: "),
    "truncated": (_truncated, "it is truncated (20,000 bytes; its header says "),
    "foreign": (_foreign, "it is another program's database (tables: batches, users)"),
    "foreign columns": (_foreign_columns, "its table 'batches' has a foreign schema (no column "),
    "not sqlite": (_text, "it is not an SQLite database (no SQLite header)"),
    "directory": (_directory, "it is a directory, not a file"),
}


def _snapshot(path: Path) -> bytes | list[str]:
    return sorted(os.listdir(path)) if path.is_dir() else path.read_bytes()


@pytest.mark.parametrize("case", list(CASES))
def test_the_cli_refuses_an_unusable_database_in_one_line(case, tmp_path, sandbox_db):
    make, reason = CASES[case]
    db = tmp_path / "target.db"
    make(db, sandbox_db)
    before = _snapshot(db)
    done = _cli(db)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"mammoth-pandas sandbox: cannot use {str(db)!r} as the sandbox")
    assert reason in lines[0]
    assert _snapshot(db) == before  # nothing written, no table added
    assert not (tmp_path / "target.db-wal").exists()


@pytest.mark.parametrize("case", list(CASES))
def test_python_raises_the_typed_error_with_the_same_words(case, tmp_path, sandbox_db):
    make, reason = CASES[case]
    db = tmp_path / "target.db"
    make(db, sandbox_db)
    before = _snapshot(db)
    with pytest.raises(SandboxDatabaseError) as caught:
        Sandbox(db).start()
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.path == db
    assert reason in error.reason
    assert str(error) == f"cannot use {str(db)!r} as the sandbox database: {error.reason}"
    assert "\n" not in str(error)
    assert _snapshot(db) == before


def test_a_missing_directory_is_named(tmp_path):
    db = tmp_path / "no" / "such" / "place.db"
    with pytest.raises(SandboxDatabaseError, match=r"its directory .*such' does not exist"):
        Sandbox(db)
    assert not (tmp_path / "no").exists()


@pytest.fixture
def read_only_copy(tmp_path: Path, sandbox_db: Path) -> Iterator[Path]:
    """A sandbox database this process cannot write: mode 0444, or, for root (whom file
    modes do not stop), the immutable attribute."""
    db = tmp_path / "read-only.db"
    shutil.copy(sandbox_db, db)
    if os.geteuid() != 0:
        db.chmod(0o444)
        yield db
        db.chmod(0o644)
        return
    made = subprocess.run(["chattr", "+i", str(db)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("root, and this filesystem has no immutable attribute to make a file read-only")
    try:
        yield db
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)


def test_a_read_only_database_is_refused_in_one_line(read_only_copy):
    db = read_only_copy
    before = db.read_bytes()
    done = _cli(db)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"mammoth-pandas sandbox: cannot use {str(db)!r} as the sandbox database: it is read-only"
    ]
    with pytest.raises(SandboxDatabaseError, match=r"it is read-only$"):
        Sandbox(db)
    assert db.read_bytes() == before


def test_usable_files_pass(tmp_path, sandbox_db):
    """An empty file, a missing file in a writable directory, a sandbox database."""
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    copy = tmp_path / "copy.db"
    shutil.copy(sandbox_db, copy)
    for db in (empty, tmp_path / "new.db", copy):
        with Sandbox(db, seed=db is not empty) as sb:
            assert sb.running
