"""A write that fails stops the crawl at once: one line, exit code 4, the run marked failed with
what was stored, the lock released, what was committed before kept, nothing reported as success.

A full disk is a small tmpfs (mounting needs root); where mounting is refused, a file-size
limit (RLIMIT_FSIZE) on the crawl stands in for it.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import sqlite3
import subprocess
import sys

import pytest

from archive.db import write_failure
from archive.errors import EXIT_WRITE_FAILED
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import FAST, assert_one_line_error, file_digest, rows

MESSAGE = "parknews: error: cannot write the archive: "


class Disk:
    """A directory on a tmpfs of a given size, or (not root) a plain one with a file-size limit."""

    def __init__(self, path, size_kib: int):
        self.path, self.size_kib = path, size_kib
        path.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(path)], capture_output=True)
        self.mounted = mounted.returncode == 0

    def remount(self, *options: str) -> None:
        if not self.mounted:
            pytest.skip("needs a tmpfs (root) to change the disk")
        subprocess.run(["mount", "-o", ",".join(("remount", *options)), str(self.path)], check=True)

    def grow(self) -> None:
        if self.mounted:
            self.remount("size=256m")
        else:
            self.size_kib = 0

    def limit(self) -> None:
        """In the child: the file-size limit that stands in for a full disk (no tmpfs)."""
        if not self.mounted and self.size_kib:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an EFBIG error instead of a kill
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.size_kib * 1024, self.size_kib * 1024))

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True,
                              timeout=300, preexec_fn=self.limit)  # fmt: skip

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)


@pytest.fixture
def small_disk(tmp_path):
    disk = Disk(tmp_path / "disk", 3 * 1024)
    yield disk
    disk.close()


@pytest.fixture
def served():
    site = ReplaySite(seed=40)
    with ReplayServer(site) as server:
        yield site, server


def test_a_full_disk_stops_the_crawl_with_exit_4_and_the_next_run_completes(small_disk, served):
    site, server = served
    db = small_disk.path / "archive.db"
    # Batches of 50: several fit on the disk before one does not.
    crawl = ("crawl", "--start-url", server.start_url, "--db", str(db), *FAST, "-s", "ARCHIVE_BATCH_SIZE=50")
    full = small_disk.run(*crawl)
    assert_one_line_error(full, code=EXIT_WRITE_FAILED)
    assert MESSAGE in full.stderr and ("disk full" in full.stderr or not small_disk.mounted)
    assert full.stdout == ""  # no summary: nothing reported as success
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r["detail_id"]: (r["title"], r["body"]) for r in rows(db, "SELECT * FROM articles")}
    assert 0 < len(stored) < len(site.expected())  # the disk filled up halfway
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert (run["status"], run["exit_code"], run["articles_new"]) == ("failed", EXIT_WRITE_FAILED, len(stored))
    small_disk.grow()
    again = small_disk.run(*crawl)  # the lock was released; pending articles are fetched
    assert again.returncode == 0, again.stderr
    after = {r["detail_id"]: (r["title"], r["body"]) for r in rows(db, "SELECT * FROM articles")}
    assert len(after) == len(site.expected()) and all(after[i] == stored[i] for i in stored)
    assert rows(db, "SELECT count(*) FROM pending_articles")[0][0] == 0


def test_a_disk_full_before_the_start_gives_one_line_not_a_traceback(small_disk, served):
    _, server = served
    if not small_disk.mounted:
        pytest.skip("needs a tmpfs (root) to fill")
    with open(small_disk.path / "filler", "wb") as filler:  # every block taken
        try:
            while True:
                filler.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    db = small_disk.path / "archive.db"
    result = small_disk.run("crawl", "--start-url", server.start_url, "--db", str(db), *FAST)
    assert_one_line_error(result, code=EXIT_WRITE_FAILED)
    assert "disk full" in result.stderr


@pytest.fixture
def read_only_archive(tmp_path, served):
    """A crawled archive on a file system then remounted read-only (or, not root, a 0444 file)."""
    _, server = served
    disk = Disk(tmp_path / "disk", 64 * 1024)
    db = disk.path / "archive.db"
    assert disk.run("crawl", "--start-url", server.start_url, "--db", str(db), *FAST, "--max-pages", "2").returncode == 0
    if disk.mounted:
        disk.remount("ro")
    elif os.geteuid() != 0:
        db.chmod(0o444)
        disk.path.chmod(0o555)
    else:
        pytest.skip("root without tmpfs: cannot make a read-only file")
    yield db, server
    if disk.mounted:
        disk.remount("rw")
    disk.path.chmod(0o755)
    disk.close()


@pytest.mark.parametrize("command", ["crawl", "demo", "reparse", "reindex"])
def test_a_read_only_archive_gives_exit_4_and_stays_untouched(read_only_archive, command):
    db, server = read_only_archive
    before = file_digest(db)
    args = {"crawl": ["crawl", "--start-url", server.start_url, "--db", str(db), *FAST], "demo": ["demo", "--db", str(db)],
            "reparse": ["reparse", "--db", str(db)], "reindex": ["reindex", "--db", str(db)]}[command]  # fmt: skip
    before_requests = len(server.requests)
    result = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, code=EXIT_WRITE_FAILED)
    assert MESSAGE in result.stderr and ("read-only" in result.stderr or "permission" in result.stderr)
    assert file_digest(db) == before
    assert len(server.requests) == before_requests  # refused before any request


def test_write_failures_are_told_apart_from_other_database_errors():
    def sqlite_error(code: int, message: str) -> sqlite3.OperationalError:
        error = sqlite3.OperationalError(message)
        error.sqlite_errorcode = code
        return error

    assert "disk full" in str(write_failure(sqlite_error(13, "database or disk is full")))
    assert "read-only" in str(write_failure(sqlite_error(8, "attempt to write a readonly database")))
    assert "I/O error" in str(write_failure(sqlite_error(10 | (3 << 8), "disk I/O error")))  # SQLITE_IOERR_WRITE
    assert "disk full" in str(write_failure(OSError(errno.ENOSPC, "No space left on device")))
    assert write_failure(sqlite_error(1, "no such table: x")) is None  # a bug, not a full disk
    assert write_failure(sqlite_error(19, "UNIQUE constraint failed")) is None


def test_a_read_only_archive_can_still_be_searched(read_only_archive):
    db, _ = read_only_archive
    result = subprocess.run([sys.executable, "-m", "cli", "query", "SELECT count(*) AS n FROM articles", "--csv", "--db", str(db)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.splitlines()[1]) > 0


def test_any_other_database_error_also_stops_the_crawl_with_one_line(tmp_path, served):
    """A write refused for another reason (here a trigger another tool left in the archive)
    fails the same way for every item: one line and exit 4, not a traceback per item."""
    site, server = served
    db = tmp_path / "archive.db"
    crawl = ("crawl", "--start-url", server.start_url, "--db", str(db), *FAST, "--max-pages", "1")
    assert subprocess.run([sys.executable, "-m", "cli", *crawl], capture_output=True).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END")
    result = subprocess.run([sys.executable, "-m", "cli", *crawl[:-2], "--max-pages", "3"], capture_output=True, text=True, timeout=120)
    assert_one_line_error(result, code=EXIT_WRITE_FAILED)
    assert "database error (refused by a trigger)" in result.stderr
    assert rows(db, "SELECT status FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][0] == "failed"


FAULTY_SECOND_WRITE = """
import sys
import archive.store as store
real, calls = store.ArchiveWriter.write, []
def write(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == 2:
        raise TypeError("a planted fault")
    return real(self, *args, **kwargs)
store.ArchiveWriter.write = write
from cli.main import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("share", ["0", "1"], ids=["writer thread", "reactor thread"])
def test_a_fault_in_our_code_while_writing_stops_the_crawl_and_loses_nothing(tmp_path, served, share):
    """A batch whose write raises something other than a database error (a bug of ours) was
    rolled back: the crawl stops there (exit 4, one line) wherever batches are written, rather
    than commit later batches past it; the next run archives every article."""
    site, server = served
    db = tmp_path / "archive.db"
    crawl = ("crawl", "--start-url", server.start_url, "--db", str(db), *FAST, "-s", f"ARCHIVE_WRITE_INLINE_BELOW_IDLE={share}")
    result = subprocess.run([sys.executable, "-c", FAULTY_SECOND_WRITE, *crawl], capture_output=True, text=True, timeout=180)
    assert_one_line_error(result, code=EXIT_WRITE_FAILED)
    assert "a batch failed (TypeError: a planted fault)" in result.stderr
    assert rows(db, "SELECT status FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][0] == "failed"
    again = subprocess.run([sys.executable, "-m", "cli", *crawl], capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    assert {r[0] for r in rows(db, "SELECT detail_id FROM articles")} == {a["detail_id"] for a in site.expected()}
