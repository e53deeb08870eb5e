"""A batch is written when it is ARCHIVE_BATCH_SECONDS old, though far from ARCHIVE_BATCH_SIZE
articles and though no further item comes to write it: a crawl that stalls on a slow site,
then is killed, loses no more than the last few seconds of work."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import rows
from tests.test_crash_safety import start_crawl

ANSWERED = 5  # detail pages answered before the site stalls


class StallAfterDetails:
    """Answers ``ANSWERED`` detail pages, then holds every request until released."""

    def __init__(self) -> None:
        self.details = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    def intercept(self, handler, page):
        with self.lock:
            stall = self.details >= ANSWERED
            if "/detail/" in handler.path and not stall:
                self.details += 1
        if stall:
            self.release.wait(60)
        return page


def archived(db) -> int:
    if not db.exists():
        return 0
    try:
        return rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    except Exception:  # noqa: BLE001  (the schema is being created)
        return 0


@pytest.mark.parametrize("seconds, expected", [(0.3, ANSWERED), (1000, 0)])
def test_a_stalled_crawls_batch_is_written_when_it_is_old(tmp_path, seconds, expected):
    site = ReplaySite(pages=3)
    db = tmp_path / "archive.db"
    stall = StallAfterDetails()
    with ReplayServer(site, faults=stall) as server:
        run = start_crawl(server.start_url, db, "--concurrency", "1", "-s", "ARCHIVE_BATCH_SIZE=1000",
                          "-s", f"ARCHIVE_BATCH_SECONDS={seconds}", "-s", "DOWNLOAD_TIMEOUT=120")  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while stall.details < ANSWERED and time.monotonic() < deadline:
                time.sleep(0.05)
            assert stall.details == ANSWERED, run.stderr.read() if run.poll() is not None else "the site was not crawled"
            deadline = time.monotonic() + (10 if expected else 2)  # the control waits 2 s for nothing
            while archived(db) < ANSWERED and time.monotonic() < deadline:
                time.sleep(0.05)
            assert run.poll() is None  # still stalled: no end-of-crawl write did it
            assert archived(db) == expected
        finally:
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=30)
            stall.release.set()
