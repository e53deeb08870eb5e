"""SIGKILL during crawls, at seeded random moments: a first crawl, an incremental crawl, and
``--full`` / ``--refresh-days`` runs over changed articles.

Each scenario starts from one archive state (``pre``), runs the command once uninterrupted
into a reference archive, then 5 times: restores ``pre``, starts the command, SIGKILLs it at a
random moment while it holds the archive, checks what it left (``assert_whole``), runs it
again to its end, and compares the archive with the reference.
"""

from __future__ import annotations

import random

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.durability import run_kills, snapshot, timed_run

pytestmark = pytest.mark.kill
# Small batches, so that kills land between (and inside) many commits; no politeness delay.
CRAWL = ["-m", "cli", "crawl", "--delay", "0", "--concurrency", "2",
         "-s", "ARCHIVE_BATCH_SIZE=3", "-s", "RETRY_BACKOFF_BASE=0.05"]  # fmt: skip
CHANGED_SHARE = 0.4  # of the articles edited on the site before the run under test


def crawl_args(server, db, *extra) -> list[str]:
    return [*CRAWL, "--start-url", server.start_url, "--db", str(db), *extra]


def kills(tmp_path, server, pre, extra=(), *, seed: int, ignore=None) -> None:
    run_kills(tmp_path, pre, lambda db: crawl_args(server, db, *extra), seed=seed, ignore=ignore)


@pytest.fixture
def site():
    return ReplaySite(seed=10, pages=6, per_page=6)


@pytest.fixture
def server(site):
    with ReplayServer(site, latency=0.01) as server:
        yield server


@pytest.fixture
def crawled(tmp_path, server):
    """An archive of the site as it was, as a file to restore from."""
    db = tmp_path / "first" / "archive.db"
    db.parent.mkdir()
    result, _ = timed_run(crawl_args(server, db))
    assert result.returncode == 0, result.stderr
    return snapshot(db, tmp_path / "pre.db")


def edit_some(site: ReplaySite) -> None:
    ids = site.listed_ids()
    for detail_id in random.Random(3).sample(ids, int(len(ids) * CHANGED_SHARE)):
        site.edit_article(detail_id)


def test_kills_during_a_first_crawl(tmp_path, server):
    kills(tmp_path, server, None, seed=101)


def test_kills_during_an_incremental_crawl(tmp_path, server, site, crawled):
    for _ in range(9):
        site.add_article(top=True)
    # An incremental walk stops after 2 pages of known articles: entries further down keep the
    # place they were last seen at, which depends on how far the killed run got.
    kills(tmp_path, server, crawled, seed=102, ignore={"listing_entries": {"page", "position", "listing_url"}})


def test_kills_during_a_full_crawl_of_changed_articles(tmp_path, server, site, crawled):
    edit_some(site)
    kills(tmp_path, server, crawled, ["--full"], seed=103)


def test_kills_during_a_refresh_of_changed_articles(tmp_path, server, site, crawled):
    edit_some(site)
    kills(tmp_path, server, crawled, ["--refresh-days", "100000"], seed=104)
