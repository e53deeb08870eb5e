"""Helpers for tests that crawl the replay: run the real CLI in a subprocess, read the archive."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

# Fast retries for tests; the politeness defaults are exercised elsewhere.
FAST = ["--delay", "0", "--concurrency", "16", "-s", "RETRY_BACKOFF_BASE=0.05"]


def requests_during(server, action, *, paths: bool = False) -> tuple:
    """(what ``action()`` returned, the requests ``server`` answered meanwhile): (method, path,
    status) each, or with ``paths`` their paths without the query (links may carry one)."""
    before = len(server.requests)
    result = action()
    answered = server.requests[before:]
    return result, [path.split("?")[0] for _, path, _ in answered] if paths else answered


def parknews(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=timeout
    )


def crawl(start_url: str, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return parknews("crawl", "--start-url", start_url, "--db", str(db), *FAST, *extra)


def rows(db: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(result: subprocess.CompletedProcess, code: int = 2) -> None:
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("parknews: error: ")
    assert "Traceback" not in result.stderr


def terminal_output(leader: int, follower: int) -> str:
    """Everything written to a pty (``pty.openpty()``) by a finished command, as text; closes both ends."""
    import os

    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the writer side is closed and all was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")
