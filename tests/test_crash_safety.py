"""One run at a time, and a run killed at any moment leaves an archive the next run completes."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from archive.lock import lock_path
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import FAST, assert_one_line_error, crawl, rows
from tests.durability import started_writing


def start_crawl(start_url, db, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "crawl", "--start-url", start_url, "--db", str(db), *FAST, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_lock(db, timeout=20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock_path(db).exists() and lock_path(db).read_text().startswith("parknews pid"):
            return
        time.sleep(0.02)
    raise AssertionError("the first crawl never took the lock")


def test_a_second_run_exits_at_once_while_one_is_running(tmp_path):
    site = ReplaySite(pages=4)
    db = tmp_path / "archive.db"
    with ReplayServer(site, latency=0.1) as server:
        first = start_crawl(server.start_url, db)
        wait_for_lock(db)
        started = time.monotonic()
        second = crawl(server.start_url, db)
        assert time.monotonic() - started < 10
        assert_one_line_error(second, code=3)
        assert "is being written by parknews pid" in second.stderr
        assert first.wait(timeout=120) == 0, first.stderr.read()
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(site.expected())
    assert [r["status"] for r in rows(db, "SELECT status FROM crawl_runs")] == ["ok"]


@pytest.mark.kill  # timed kills: run alone, with the kill suite
def test_killed_runs_leave_an_archive_the_next_run_completes(tmp_path):
    site = ReplaySite(pages=8)
    db = tmp_path / "archive.db"
    moments = random.Random(20261126)
    with ReplayServer(site, latency=0.05) as server:
        for _ in range(10):
            # 2 at a time, a first crawl takes ~3 s; a later one has less left to fetch and
            # may finish before its kill, which is fine: what it left must be whole too.
            # Small batches: many commits for a kill to land between (or inside).
            run = start_crawl(server.start_url, db, "--concurrency", "2", "-s", "ARCHIVE_BATCH_SIZE=10")
            started_writing(db, run)  # its imports done: moments count from when it holds the lock
            time.sleep(moments.uniform(0.2, 2.0))
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=30)
            lock_path(db).unlink(missing_ok=True)  # its note "parknews pid N" would fool started_writing
            if db.exists():
                with sqlite3.connect(db) as conn:
                    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        final = crawl(server.start_url, db)  # the lock of the killed runs does not block it
    assert final.returncode == 0, final.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    expected = {a["detail_id"]: a for a in site.expected()}
    archived = rows(db, "SELECT detail_id, title, body FROM articles")
    assert len(archived) == len(expected) == len({r["detail_id"] for r in archived})
    assert all(r["title"] == expected[r["detail_id"]]["title"] and r["body"] == expected[r["detail_id"]]["body"] for r in archived)
    assert rows(db, "SELECT count(*) AS n FROM listing_entries")[0]["n"] == len(expected)
    statuses = [r["status"] for r in rows(db, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses[-1] == "ok" and set(statuses[:-1]) <= {"killed", "ok"}
    assert statuses.count("killed") >= 3  # runs really were killed halfway through their writes
