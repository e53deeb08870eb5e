"""SIGKILL during the commands that rebuild from what the archive holds: ``reindex``,
``reparse`` (over articles that change), and the upgrade of an archive of the first crawl
issue's schema. Same protocol as tests/test_kill_crawl.py: a reference run, then 5 times
restore, kill at a seeded random moment, check, run again to the end, compare."""

from __future__ import annotations

import sqlite3

import pytest

from archive.db import open_archive

from crawler.replay.site import ReplaySite
from tests.durability import captured_archive, damage, query, run_kills, snapshot
from tests.test_migration import FIRST_SCHEMA

pytestmark = pytest.mark.kill


def test_kills_during_reindex(tmp_path):
    db = tmp_path / "built.db"
    first_schema_archive(db, ReplaySite(seed=21, pages=100, per_page=10))
    open_archive(db).close()  # upgraded: indexed, regions and reposts filled
    run_kills(tmp_path, snapshot(db, tmp_path / "pre.db"), lambda d: ["-m", "cli", "reindex", "--db", str(d)], seed=201)


def test_kills_during_a_reparse_of_changed_articles(tmp_path):
    db = tmp_path / "built.db"
    captured_archive(db, ReplaySite(seed=22, pages=30, per_page=10))  # 3 batches of reparse
    damage(db, 0.5, seed=7)
    run_kills(tmp_path, snapshot(db, tmp_path / "pre.db"), lambda d: ["-m", "cli", "reparse", "--db", str(d)], seed=202)


def first_schema_archive(path, site: ReplaySite) -> None:
    """An archive as the first crawl issue's code wrote it: no regions resolved, no
    fingerprints, no repost marks, no index, entries keyed by page."""
    with sqlite3.connect(path) as conn:
        conn.executescript(FIRST_SCHEMA)
        rows = site.expected()
        conn.executemany(
            "INSERT INTO articles (detail_id, url, title, title_raw, region_tag, published_date, listing_date, summary, body, source) "
            "VALUES (:detail_id, :url, :title, :title_raw, :region_tag, :published_date, :listing_date, :summary, :body, :source)",
            [r | {"url": f"https://hubei.010b.com{site.detail_path(r['detail_id'])}"} for r in rows],
        )
        conn.executemany(
            "INSERT INTO listing_entries VALUES (?, ?, ?, ?, '2025-07-05')",
            [(r["detail_id"], f"https://hubei.010b.com{site.listing_path(r['page'])}", r["page"], r["position"]) for r in rows],
        )


UPGRADE = ["-c", "import sys; from archive.db import open_archive; open_archive(sys.argv[1]).close()"]


def test_kills_during_the_upgrade_of_a_first_schema_archive(tmp_path):
    pre = tmp_path / "pre.db"
    first_schema_archive(pre, ReplaySite(seed=23, pages=100, per_page=10))
    run_kills(tmp_path, pre, lambda d: [*UPGRADE, str(d)], seed=203, locks=False)
    db = tmp_path / "killed" / "archive.db"  # the backfills really ran, not only the schema
    assert query(db, "SELECT count(*) FROM articles WHERE content_sha1 IS NULL")[0][0] == 0
    assert query(db, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL")[0][0] > 0
    assert query(db, "SELECT count(*) FROM articles WHERE adcode IS NOT NULL")[0][0] > 0.5 * query(db, "SELECT count(*) FROM articles")[0][0]
