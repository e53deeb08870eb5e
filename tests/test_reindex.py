"""``parknews reindex``: holds the crawl lock, builds the new index beside the old one and swaps
it in at once (readers never see an empty or partial index), shows progress on a terminal and
prints its rate; and ``reparse`` on an archive of more than 1,000 articles that change."""

from __future__ import annotations

import os
import pty
import re
import sqlite3
import subprocess
import sys
import time

import pytest

from archive import fts
from archive.db import open_archive
from archive.lock import archive_lock
from crawler.replay.site import ReplaySite
from tests.crawling import assert_one_line_error, parknews
from tests.durability import captured_archive, damage, query, snapshot
from tests.test_kill_rebuilds import first_schema_archive

WORD = "招商"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """An archive of 1,500 articles, indexed (kept pristine: tests copy it)."""
    db = tmp_path_factory.mktemp("reindex") / "built.db"
    first_schema_archive(db, ReplaySite(seed=70, pages=150, per_page=10))
    open_archive(db).close()
    return db


@pytest.fixture
def archive(indexed, tmp_path):
    return snapshot(indexed, tmp_path / "archive.db")


def matches(conn: sqlite3.Connection, word: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", [fts.query_phrase(word)]).fetchone()[0]


def test_reindex_prints_its_rate_and_leaves_the_same_answers(archive):
    before = query(archive, f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", (fts.query_phrase(WORD),))
    result = parknews("reindex", "--db", str(archive))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"1500 articles indexed in [\d.]+ s \([\d,]+ articles/s\)\n", result.stderr), result.stderr
    assert query(archive, f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", (fts.query_phrase(WORD),)) == before
    assert fts.BUILD_TABLE not in {name for (name,) in query(archive, "SELECT name FROM sqlite_master")}


def test_reindex_waits_for_no_crawl_it_exits_3_while_one_holds_the_lock(archive):
    with archive_lock(archive):
        result = parknews("reindex", "--db", str(archive))
    assert_one_line_error(result, code=3)
    assert "is being written by" in result.stderr


def test_readers_during_a_reindex_see_the_whole_index_every_time(archive):
    reader = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    expected = matches(reader, WORD)
    assert expected > 100
    process = subprocess.Popen([sys.executable, "-m", "cli", "reindex", "--db", str(archive)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    seen = []
    while process.poll() is None:
        seen.append(matches(reader, WORD))
        time.sleep(0.005)
    seen.append(matches(reader, WORD))
    reader.close()
    assert process.returncode == 0, process.stderr.read()
    assert len(seen) > 20 and set(seen) == {expected}


def test_reindex_shows_progress_on_a_terminal(archive):
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "cli", "reindex", "--db", str(archive)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower)  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        shown += chunk
    process.wait(timeout=120)
    os.close(leader)
    assert process.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "indexing articles" in text and "1500 articles indexed in" in text


def test_reparse_of_more_than_a_thousand_changing_articles_completes(tmp_path):
    db = tmp_path / "archive.db"
    captured_archive(db, ReplaySite(seed=71, pages=110, per_page=10))
    changed = damage(db, 0.4, seed=9)
    result = parknews("reparse", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert f"{changed} articles updated, {1100 - changed} unchanged" in result.stdout
    assert query(db, "SELECT count(*) FROM articles WHERE title LIKE '误读标题%' OR body LIKE '%页脚误入正文'") == [(0,)]


@pytest.mark.parametrize("command", ["reparse", "crawl"])
def test_the_index_a_killed_reindex_left_is_dropped_by_the_next_command_that_holds_the_lock(archive, command):
    """A reindex killed while it built its new index leaves ``articles_fts_build`` (as large as
    the index). The next crawl or reparse holds the crawl lock, so no reindex is running: it
    drops the table, and leaves the index searched unchanged."""
    db = open_archive(archive)
    fts._create(db, fts.BUILD_TABLE)
    fts._insert(db, fts._stored_rows(db, [row[0] for row in db.execute("SELECT detail_id FROM articles LIMIT 50")]),
                table=fts.BUILD_TABLE)  # fmt: skip
    db.close()
    before = query(archive, f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", (fts.query_phrase(WORD),))
    if command == "reparse":
        result = parknews("reparse", "--db", str(archive))
    else:  # nothing to fetch: an unreachable start page still ends with the lock held
        result = parknews("crawl", "--db", str(archive), "--start-url", "http://127.0.0.1:9/info/1/page/1", "--delay", "0")
    assert result.returncode in (0, 1, 2), result.stderr
    names = {name for (name,) in query(archive, "SELECT name FROM sqlite_master")}
    assert fts.BUILD_TABLE not in names and fts.FTS_TABLE in names
    assert query(archive, f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", (fts.query_phrase(WORD),)) == before


def test_reindex_of_an_index_built_under_other_rules_rebuilds_it_once(archive, monkeypatch):
    """The upgrade would rebuild an index built under other rules; reindex rebuilds it anyway,
    so the upgrade leaves it to reindex: one rebuild, not two."""
    from click.testing import CliRunner

    from cli.main import cli

    with sqlite3.connect(archive) as conn:
        conn.execute("DELETE FROM backfills WHERE name = 'fts_rules'")  # as an index from before RULES
    builds = []
    rebuild = fts.rebuild
    monkeypatch.setattr(fts, "rebuild", lambda db, **kw: builds.append(1) or rebuild(db, **kw))
    result = CliRunner().invoke(cli, ["reindex", "--db", str(archive)])
    assert result.exit_code == 0, result.output
    assert len(builds) == 1
    with sqlite3.connect(archive) as conn:
        assert conn.execute("SELECT last_id FROM backfills WHERE name = 'fts_rules'").fetchone()[0] == fts.RULES
        like = "SELECT count(*) FROM articles WHERE title LIKE ?1 OR summary LIKE ?1 OR body LIKE ?1"
        assert matches(conn, WORD) == conn.execute(like, [f"%{WORD}%"]).fetchone()[0]
