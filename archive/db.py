"""Opening an archive: checks first, so that bad input never touches an existing file."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from archive.errors import UsageError
from archive.schema import ensure_schema

# Connections are wrapped with execute_plugins=False: sqlite-utils would otherwise scan every
# installed distribution's entry points for its plugins (~100 ms of each command's start-up),
# and no sqlite-utils plugin is part of the archive's behaviour.


def check_archive_path(path: str | os.PathLike, *, must_exist: bool = False) -> Path:
    """Validate ``path`` without writing to it. Raise UsageError with a one-line reason."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file path for the archive, e.g. {path / 'archive.db'}")
    if not path.exists():
        if must_exist:
            raise UsageError(f"no archive at {path}; run 'parknews crawl --db {path}' first")
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise UsageError(f"directory {parent} does not exist; create it first or choose another --db path")
        if not os.access(parent, os.W_OK):
            raise UsageError(f"directory {parent} is not writable; choose another --db path")
        return path
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path} is not an SQLite archive ({exc}); pass another --db path") from None
    return path


def open_archive(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open (creating or upgrading) an archive for writing, in WAL mode."""
    path = check_archive_path(path)
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    with db.conn:
        added = ensure_schema(db)
        if added:
            from archive.migrate import backfill  # an upgrade of an older archive

            backfill(db, added)
    return db


def open_archive_readonly(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open an existing archive so that the connection itself cannot write."""
    path = check_archive_path(path, must_exist=True)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    return sqlite_utils.Database(conn, execute_plugins=False)
