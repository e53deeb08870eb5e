"""Opening an archive, and the one way to write to it: ``transaction(db)``.

Checks come first, so that bad input never touches an existing file: a directory, a missing
directory, a file that is not SQLite, an archive of a newer parknews (``PRAGMA user_version``
above ``SCHEMA_VERSION``) or another application's SQLite database (tables, but no
``articles`` table with a ``detail_id`` column) is refused with ``UsageError`` and the file is
not opened for writing. An empty file (zero bytes, or SQLite with no table) is a new archive
for the commands that create one (``crawl``, ``demo``) and "no archive" for the others.

Connections are opened with ``isolation_level=None``: the sqlite3 module never opens a
transaction behind our back, and sqlite-utils' ``execute()`` (which COMMITs when no
transaction is open) joins the one ``transaction()`` holds. Every write of the archive goes
through ``transaction()``: ``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any exception,
so a unit of work (a crawl batch, a migration step, a reindex swap) is all or nothing.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import pathname2url

import sqlite_utils

from archive.errors import UsageError, WriteFailedError
from archive.schema import SCHEMA_VERSION


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One unit of work: ``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` if the block raises.

    IMMEDIATE takes the write lock at the start, so a unit never fails halfway with
    "database is locked" after having done its reads. Nested use joins the outer unit.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:  # SQLite may already have rolled back (e.g. on SQLITE_FULL)
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the original error says more; the journal undoes the rest on next open
        raise
    conn.execute("COMMIT")


# SQLite's primary result codes that mean "the file cannot take this write"
# (https://www.sqlite.org/rescode.html); errno values for the same from the OS.
_SQLITE_WRITE_FAILURES = {13: "disk full", 8: "read-only", 10: "I/O error", 14: "cannot open the file",
                          5: "locked by another writer for too long"}  # fmt: skip
# Python < 3.11 has no sqlite_errorcode: the same told by SQLite's messages.
_SQLITE_MESSAGES = {"disk is full": "disk full", "readonly database": "read-only", "disk I/O error": "I/O error",
                    "unable to open database file": "cannot open the file",
                    "database is locked": "locked by another writer for too long"}  # fmt: skip
_OS_WRITE_FAILURES = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded", errno.EROFS: "read-only file system",
                      errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EIO: "I/O error",
                      errno.EFBIG: "file too large"}  # fmt: skip


_ADVICE = {"disk full": "free space", "disk quota exceeded": "free space", "file too large": "free space",
           "I/O error": "check the disk", "locked by another writer for too long": "stop the other program writing it"}  # fmt: skip


def _failed(kind: str, reason: object) -> WriteFailedError:
    advice = _ADVICE.get(kind, "make the archive and its directory writable")
    return WriteFailedError(f"cannot write the archive: {kind} ({reason}); {advice}, then run again")


def write_failure(exc: BaseException) -> WriteFailedError | None:
    """The one-line error for an exception that means the archive cannot be written, else None.

    ``parknews: error: cannot write the archive: disk full (database or disk is full)``.
    """
    if isinstance(exc, WriteFailedError):
        return exc
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            kind = _SQLITE_WRITE_FAILURES.get(code & 0xFF)
        else:
            kind = next((k for message, k in _SQLITE_MESSAGES.items() if message in str(exc)), None)
        return _failed(kind, exc) if kind else None
    if isinstance(exc, OSError) and exc.errno in _OS_WRITE_FAILURES:
        return _failed(_OS_WRITE_FAILURES[exc.errno], exc.strerror or exc)
    return None


@contextmanager
def writing() -> Iterator[None]:
    """Turn a write failure raised in the block into ``WriteFailedError`` (exit code 4)."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        failure = write_failure(exc)
        if failure is None:
            raise
        raise failure from None

# Connections are wrapped with execute_plugins=False: sqlite-utils would otherwise scan every
# installed distribution's entry points for its plugins (~100 ms of each command's start-up),
# and no sqlite-utils plugin is part of the archive's behaviour.


def check_archive_path(path: str | os.PathLike, *, must_exist: bool = False) -> Path:
    """Validate ``path`` without writing to it. Raise UsageError with a one-line reason.

    ``must_exist``: the command reads an archive (an empty file is "no archive").
    """
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
    sidecars = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    absent = [sidecar for sidecar in sidecars if not sidecar.exists()]
    try:
        refusal = _refusal(path, must_exist, quiescent=len(absent) == len(sidecars))
    except sqlite3.DatabaseError as exc:
        refusal = f"{path} is not an SQLite archive ({exc}); pass another --db path"
    if refusal:
        # A file that is not ours is left as it was found: a -wal or -shm the look created (a
        # WAL file with one of them but not the other) goes, emptied, as it came.
        for sidecar in absent:
            if sidecar.exists() and (sidecar.name.endswith("-shm") or sidecar.stat().st_size == 0):
                sidecar.unlink(missing_ok=True)
        raise UsageError(refusal)
    return path


def _refusal(path: Path, must_exist: bool, *, quiescent: bool) -> str | None:
    """Why the SQLite file at ``path`` is no archive to use, or None (see check_archive_path);
    ``quiescent``: it has neither a -wal nor a -shm beside it (see ``_probe``)."""
    conn = _probe(path, quiescent=quiescent)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        article_columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    finally:
        conn.close()
    if version > SCHEMA_VERSION:
        return (f"{path} is an archive of a newer parknews (schema {version}, this one knows {SCHEMA_VERSION}); "
                "upgrade parknews (pip install -U parknews) to use it")  # fmt: skip
    if not tables:  # a zero-byte file, or SQLite without a table
        if must_exist:
            return f"{path} is empty, not an archive yet; run 'parknews crawl --db {path}' first"
        return None  # an empty file: a new archive
    if "detail_id" not in article_columns:
        return (f"{path} is an SQLite database of another application (no parknews articles table); "
                "pass another --db path: parknews never adds its tables to it")  # fmt: skip
    return None


def _uri(path: Path, **parameters: str) -> str:
    """An SQLite URI for ``path``: percent-encoded, so that ``?``, ``#`` or ``%`` in a file name
    stay part of it (https://sqlite.org/uri.html)."""
    return f"file:{pathname2url(str(path))}?" + "&".join(f"{key}={value}" for key, value in parameters.items())


def _probe(path: Path, *, quiescent: bool) -> sqlite3.Connection:
    """A read-only connection for looking at a file before it is used, that leaves nothing
    behind. A reader of a WAL database creates its ``-wal`` and ``-shm`` files and cannot remove
    them: a refused file (a newer parknews's archive, another application's database) would be
    left with two new empty files beside it. With neither file there (``quiescent``), nothing is
    being written and every committed row is in the main file: it is read as immutable, which
    creates none."""
    if quiescent:
        try:
            conn = sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True)
            conn.execute("PRAGMA user_version").fetchone()
            return conn
        except sqlite3.DatabaseError:
            pass  # read again the ordinary way, which says what is wrong
    return _connect_readonly(path)


def _connect_readonly(path: Path, **kwargs) -> sqlite3.Connection:
    """A read-only connection.

    A WAL archive in a directory this user cannot write (another user's ``/srv/parknews``, a
    read-only file system) has no ``-shm`` file and cannot get one, so SQLite refuses it
    ("unable to open", or "attempt to write a readonly database"). With no ``-wal`` content
    beside it, every committed row is in the main file: it is then opened as immutable. With a
    non-empty ``-wal`` (commits not yet checkpointed), immutable would silently miss them: refused.
    """
    try:
        conn = sqlite3.connect(_uri(path, mode="ro"), uri=True, **kwargs)
        conn.execute("PRAGMA user_version").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if ("unable to open" not in message and "readonly database" not in message) or not _is_sqlite_file(path):
            raise
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise UsageError(
            f"{path} has commits still in {wal.name}, and this user cannot create {path.name}-shm in its "
            "directory to read them; run a command as the archive's owner (it checkpoints), or copy the files"
        )
    return sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True, **kwargs)


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def is_new_archive(path: str | os.PathLike) -> bool:
    """True if ``path`` is no archive yet: missing, zero bytes, or SQLite without a table."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = _connect_readonly(path)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    finally:
        conn.close()


def check_writable(path: str | os.PathLike) -> None:
    """Raise WriteFailedError if an existing archive file cannot be opened for writing.

    Checked before a command that writes does anything else (a crawl sends no request).
    """
    path = Path(path)
    if not path.exists():
        return
    with writing():
        with open(path, "r+b"):
            pass


def connect(path: str | os.PathLike) -> sqlite_utils.Database:
    """A writable connection, without checks or upgrade (``open_archive`` does both)."""
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute("PRAGMA busy_timeout = 30000")
    return db


# The page cache of a connection that writes (KiB; SQLite's default is 2,000). Each batch's
# inserts land on pages spread over many B-trees (indexes keyed by hash, kind and value, FTS5
# segments): with the default cache they were read back from the file and written again batch
# after batch; 32 MiB holds them for a crawl of tens of thousands of articles. Memory is taken
# as pages are used, not at once (bench/bench_floor.py: -0.1 ms of CPU an article, mostly
# system time, +40 MB peak at 10,000 articles).
WRITE_CACHE_KIB = 32_768


def open_archive(path: str | os.PathLike, *, index: bool = True) -> sqlite_utils.Database:
    """Open (creating or upgrading) an archive for writing, in WAL mode, with a page cache of
    ``WRITE_CACHE_KIB``. ``index=False``: the upgrade leaves the full-text index alone (the
    caller rebuilds it).

    Raises UsageError for bad input (see ``check_archive_path``; an upgrade whose data the
    new schema cannot take), WriteFailedError if the file cannot be written.
    """
    path = check_archive_path(path)
    from archive.migrate import upgrade

    with writing():
        db = connect(path)
        try:
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            upgrade(db, index=index)
        except BaseException:
            db.close()
            raise
    return db


def open_archive_readonly(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open an existing archive so that the connection itself cannot write."""
    path = check_archive_path(path, must_exist=True)
    conn = _connect_readonly(path, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    return sqlite_utils.Database(conn, execute_plugins=False)
