"""Bounds on one ``parknews query`` statement: read-only, a time limit and a memory cap.

A recursive CTE without an end or a cross join of large tables would run for hours and take
gigabytes. ``limited(conn, timeout=…, memory_mb=…)`` bounds the statement and the reading of
its rows:
- time: an SQLite progress handler interrupts the statement once ``timeout`` seconds have
  passed (checked every ``CHECK_EVERY`` virtual-machine steps, ~1 ms);
- memory: ``PRAGMA hard_heap_limit`` caps SQLite's heap (process-wide): strings, blobs,
  in-memory sorts, the page cache (large sorts and temporary tables spill to temporary
  files, as SQLite does by default, bounded by the time limit; keeping them in memory under
  the cap made a GROUP BY query ~40 % slower);
- writes: the authorizer refuses ATTACH, a PRAGMA that sets something (``journal_mode=…``,
  ``hard_heap_limit=…``) and the PRAGMAs that write (``wal_checkpoint``, ``optimize``, …);
  the connection is opened read-only and ``query_only`` besides.
Hitting a limit raises ``UsageError`` with one line saying which, and how to raise it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from archive.errors import UsageError

DEFAULT_TIMEOUT = 30.0  # seconds
DEFAULT_MEMORY_MB = 512
CHECK_EVERY = 10_000  # SQLite VM instructions between two looks at the clock

# PRAGMAs that take an argument only to say what to read (a table, an index, a count of errors).
PRAGMAS_READING_WITH_ARGUMENT = {
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
}  # fmt: skip
# PRAGMAs that write or change the connection even without an argument.
PRAGMAS_WRITING = {"wal_checkpoint", "optimize", "incremental_vacuum", "shrink_memory"}

READ_ONLY_MESSAGE = (
    "parknews query only reads the archive: writes, ATTACH and PRAGMAs that set or change something are "
    "refused; use the sqlite3 shell on a copy to change it"
)


def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
    """SQLite authorizer for a read-only query (see the module docstring)."""
    if action == sqlite3.SQLITE_ATTACH:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in PRAGMAS_WRITING or (arg2 is not None and name not in PRAGMAS_READING_WITH_ARGUMENT):
            return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@contextmanager
def limited(conn: sqlite3.Connection, *, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB) -> Iterator[None]:
    """Run the block (statement and row reading) under the limits; UsageError when one is hit."""
    conn.execute(f"PRAGMA hard_heap_limit = {int(memory_mb) * 1024 * 1024}")
    conn.set_authorizer(authorize)
    deadline = time.monotonic() + timeout
    memory_message = f"query stopped: it needs more than {memory_mb} MB (--memory-mb {memory_mb}); narrow it, or give a larger --memory-mb"
    conn.set_progress_handler(lambda: time.monotonic() > deadline, CHECK_EVERY)
    try:
        yield
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "interrupted" in text and time.monotonic() <= deadline:
            raise KeyboardInterrupt from None  # Ctrl-C, raised inside the progress handler
        if "interrupted" in text:
            raise UsageError(f"query stopped after {timeout:g} s (--timeout {timeout:g}); narrow it, or give a longer --timeout") from None
        if "out of memory" in text or "too big" in text:
            raise UsageError(memory_message) from None
        if "not authorized" in text or "readonly" in text or "authorization denied" in text:
            raise UsageError(READ_ONLY_MESSAGE) from None
        raise UsageError(f"query failed: {text}") from None
    except (sqlite3.Error, sqlite3.Warning) as exc:  # Warning: more than one statement
        raise UsageError(f"query failed: {exc}") from None
    except MemoryError:  # what Python's sqlite3 raises for SQLITE_NOMEM
        raise UsageError(memory_message) from None
    except OverflowError as exc:
        raise UsageError(f"query failed: {exc}") from None
    finally:
        conn.set_progress_handler(None, 0)
