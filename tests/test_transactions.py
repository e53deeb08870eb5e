"""Every write to the archive is inside an explicit transaction, and a unit of work is all or
nothing: a batch (captures, pending pages, articles with their versions, index rows and repost
marks, entries, errors), a run's bookkeeping, an upgrade step, a reindex.

SQLite's own trace hook sees every statement each command runs: a write statement seen while
the connection is in autocommit mode would be committed alone (sqlite-utils' ``execute()``
does that when no transaction is open), and is reported.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from archive import fts
from archive.db import open_archive
import archive.db
from archive.store import ArchiveWriter, Batch
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from crawler.settings import PARKNEWS_GONE_AFTER_RUNS
from tests.crawling import FAST, rows
from tests.test_kill_rebuilds import first_schema_archive

WRITES = {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"}

# Runs ``parknews ARGS`` with every archive connection traced; stray writes go to a JSON file.
DRIVER = """
import atexit, json, sys
import archive.db
OUT, WRITES = sys.argv[1], set(sys.argv[2].split(","))
stray, real_connect = [], archive.db.connect
def traced(path):
    db = real_connect(path)
    conn = db.conn
    def trace(sql):
        word = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if word in WRITES and not conn.in_transaction:
            stray.append(sql[:200])
    conn.set_trace_callback(trace)
    return db
archive.db.connect = traced
atexit.register(lambda: open(OUT, "w").write(json.dumps(stray)))
sys.argv = ["parknews", *sys.argv[3:]]
from cli.main import main
main()
"""


def traced_command(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    out = tmp_path / "stray.json"
    result = subprocess.run([sys.executable, "-c", DRIVER, str(out), ",".join(sorted(WRITES)), *args],
                            capture_output=True, text=True, timeout=180)  # fmt: skip
    return result, json.loads(out.read_text())


def test_crawls_reparse_and_reindex_write_only_inside_transactions(tmp_path):
    site = ReplaySite(seed=60, pages=3, per_page=5)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        crawl = ("crawl", "--start-url", server.start_url, "--db", str(db), *FAST, "-s", "ARCHIVE_BATCH_SIZE=4")
        first, stray = traced_command(tmp_path, *crawl)
        assert first.returncode == 0, first.stderr
        assert stray == []
        site.edit_article(site.listed_ids()[2])
        full, stray = traced_command(tmp_path, *crawl, "--full")  # versions, re-indexing, 304s
        assert full.returncode == 0, full.stderr
        assert stray == []
    assert rows(db, "SELECT count(*) FROM article_versions")[0][0] == 1
    for command in (("reparse", "--db", str(db)), ("reindex", "--db", str(db))):
        result, stray = traced_command(tmp_path, *command)
        assert result.returncode == 0, result.stderr
        assert stray == [], command


def test_an_upgrade_writes_only_inside_transactions(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    first_schema_archive(path, ReplaySite(seed=61, pages=3, per_page=5))
    stray: list[str] = []
    real_connect = archive.db.connect

    def traced(target):
        db = real_connect(target)
        conn = db.conn
        conn.set_trace_callback(
            lambda sql: stray.append(sql) if sql.split(None, 1)[0].upper() in WRITES and not conn.in_transaction else None
        )
        return db

    monkeypatch.setattr(archive.db, "connect", traced)
    db = open_archive(path)
    assert db.execute("SELECT count(*) FROM articles WHERE content_sha1 IS NULL").fetchone()[0] == 0
    assert stray == []
    db.execute("UPDATE articles SET title = title WHERE detail_id = -1")  # the hook does see a stray write
    db.close()
    assert len(stray) == 1


@pytest.fixture
def writer(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    yield ArchiveWriter(db, gone_after=PARKNEWS_GONE_AFTER_RUNS)
    db.close()


def article(detail_id: int, body: str) -> dict:
    return {"detail_id": detail_id, "url": f"https://x.010b.com/info/detail/{detail_id}.html", "title": "园区签约",
            "title_raw": "园区签约", "body": body, "summary": "签约", "published_date": "2026-01-02",
            "fetched_at": "2026-01-02T00:00:00+00:00"}  # fmt: skip


def test_a_fault_in_the_amount_rules_costs_no_article_and_no_stored_amount(writer, monkeypatch, caplog):
    """A text the money-amount rules trip over is archived (one error line); the other
    articles of its batch get their amounts, and amounts stored before are kept."""
    from archive import facts

    real = facts.money_amounts
    trip = {"on": False}

    def tripping(text):
        if trip["on"] and text and "总投资" in text:
            raise TypeError("a rule's fault")
        return real(text)

    monkeypatch.setattr(facts, "money_amounts", tripping)
    db = writer.db
    writer.write(Batch(articles=[article(1, "园区签约，总投资超百亿元。")]), seen_at="2026-01-02T00:00:00+00:00")
    stored = db.execute("SELECT detail_id, value_raw FROM amounts").fetchall()
    assert stored == [(1, "超百亿元")]
    trip["on"] = True
    batch = Batch(articles=[article(1, "园区签约，总投资超百亿元，另有奖励500万元。"), article(2, "绊倒：总投资12亿元。"),
                            article(3, "园区签约，合同金额3亿元。")])  # fmt: skip
    writer.write(batch, seen_at="2026-01-03T00:00:00+00:00")
    assert [r[0] for r in db.execute("SELECT detail_id FROM articles ORDER BY 1")] == [1, 2, 3]
    assert "另有奖励" in db.execute("SELECT body FROM articles WHERE detail_id = 1").fetchone()[0]
    assert db.execute("SELECT detail_id, value_raw FROM amounts ORDER BY 1").fetchall() == [(1, "超百亿元"), (3, "3亿元")]
    assert db.execute("SELECT detail_id, amount_count FROM article_money ORDER BY 1").fetchall() == [(1, 1), (3, 1)]
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage()[:40] for r in errors] == ["money amounts of article 1 could not be ", "money amounts of article 2 could not be "]
    assert all("\n" not in r.getMessage() and r.exc_info is None for r in errors)  # one line each


def test_a_batch_that_fails_halfway_leaves_nothing_of_itself(writer):
    db = writer.db
    writer.write(Batch(articles=[article(1, "招商引资项目集中签约，总投资超百亿元。" * 5)]), seen_at="2026-01-02T00:00:00+00:00")
    before = {table: db[table].count for table in ("articles", "article_versions", "captures", "pending_articles", "listing_entries")}
    indexed = db.execute(f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", [fts.query_phrase("签约")]).fetchone()[0]
    # A failure at the last statement of the unit: the entries, written after everything else.
    db.conn.execute(
        "CREATE TEMP TRIGGER fail_entries BEFORE INSERT ON main.listing_entries BEGIN SELECT RAISE(ABORT, 'disk gave up'); END"
    )
    changed = article(1, "园区调整规划，原签约项目延期建设。" * 5)  # a change: a version row and new index rows
    pending = {"detail_id": 2, "url": "https://x.010b.com/info/detail/2.html", "listing": "L", "listing_url": "L",
               "page": 1, "position": 1, "title_shown": "t", "listing_date_raw": "", "summary": ""}  # fmt: skip
    capture = {"url": changed["url"], "status": 200, "headers": {}, "body": b"<html></html>", "kind": "detail",
               "fetched_at": "2026-01-03T00:00:00+00:00", "detail_id": 1}  # fmt: skip
    batch = Batch(articles=[changed], captures=[capture], pending=[pending],
                  entries=[{"listing": "L", "detail_id": 1, "listing_url": "L", "page": 1, "position": 1, "title_shown": "t"}])  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError, match="disk gave up"):
        writer.write(batch, seen_at="2026-01-03T00:00:00+00:00")
    assert not db.conn.in_transaction
    assert {table: db[table].count for table in before} == before
    assert db.execute("SELECT body FROM articles").fetchone()[0].startswith("招商引资")
    after = db.execute(f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", [fts.query_phrase("签约")]).fetchone()[0]
    assert after == indexed and db.execute(f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", [fts.query_phrase("延期")]).fetchone()[0] == 0
