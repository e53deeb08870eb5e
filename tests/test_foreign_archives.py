"""Archives that are not ours, or not yet: a newer schema, another application's SQLite
database, an empty file. Refused with one line and exit code 2, the file untouched (no table
of ours added, no WAL switch), before any request; an empty file is a new archive for crawl."""

from __future__ import annotations

import sqlite3

import pytest

from archive.schema import SCHEMA_VERSION
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import assert_one_line_error, crawl, file_digest, parknews, rows


@pytest.fixture(scope="module")
def served():
    with ReplayServer(ReplaySite(seed=50, pages=2, per_page=4)) as server:
        yield server


def newer_archive(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE articles (detail_id INTEGER PRIMARY KEY, title TEXT, shiny_new_column TEXT)")
        conn.execute("INSERT INTO articles VALUES (1, 't', 'x')")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")


def foreign_database(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('shopping list')")


def foreign_articles_table(path) -> None:
    """Another application's table that happens to be called articles."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE articles (slug TEXT PRIMARY KEY, html TEXT)")


def in_wal_mode(make):
    """The same file in WAL mode, as a real archive is: a reader of it creates -wal and -shm."""

    def make_in_wal(path) -> None:
        make(path)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)

    return make_in_wal


CASES = {
    "newer schema": (newer_archive, "newer parknews"),
    "newer schema, WAL": (in_wal_mode(newer_archive), "newer parknews"),
    "another application's database": (foreign_database, "another application"),
    "another application's database, WAL": (in_wal_mode(foreign_database), "another application"),
    "another application's articles table": (foreign_articles_table, "another application"),
}
COMMANDS = {
    "crawl": lambda db, server: ("crawl", "--start-url", server.start_url, "--db", str(db), "--delay", "0"),
    "reparse": lambda db, server: ("reparse", "--db", str(db)),
    "reindex": lambda db, server: ("reindex", "--db", str(db)),
    "search": lambda db, server: ("search", "融资", "--db", str(db)),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", COMMANDS)
def test_not_our_archive_is_refused_and_left_untouched(tmp_path, served, case, command):
    make, reason = CASES[case]
    db = tmp_path / "other.db"
    make(db)
    before = file_digest(db)
    requests = len(served.requests)
    result = parknews(*COMMANDS[command](db, served))
    assert_one_line_error(result, code=2)
    assert reason in result.stderr
    assert file_digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, -shm or .lock left
    assert len(served.requests) == requests


def test_a_zero_byte_file_becomes_a_new_archive_for_crawl(tmp_path, served):
    db = tmp_path / "empty.db"
    db.touch()
    result = crawl(served.start_url, db)
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == 8
    assert rows(db, "PRAGMA user_version")[0][0] == SCHEMA_VERSION


@pytest.mark.parametrize("command", ["search", "reparse", "reindex"])
def test_a_zero_byte_file_is_no_archive_for_the_other_commands(tmp_path, served, command):
    db = tmp_path / "empty.db"
    db.touch()
    result = parknews(*COMMANDS[command](db, served))
    assert_one_line_error(result, code=2)
    assert "is empty" in result.stderr
    assert db.stat().st_size == 0


@pytest.mark.parametrize("command", COMMANDS)
def test_a_refused_file_with_commits_in_its_wal_keeps_just_what_it_had(tmp_path, served, command):
    """Another application's WAL database whose -wal still holds commits (and no -shm: nobody has
    it open): refused, and left as found: the same bytes in both files, no -shm created."""
    import shutil

    source = tmp_path / "source"
    source.mkdir()
    conn = sqlite3.connect(source / "other.db")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    foreign_database_rows = [("shopping list",), ("call the plumber",)]
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.executemany("INSERT INTO notes (text) VALUES (?)", foreign_database_rows)
    conn.commit()
    db = tmp_path / "other.db"
    shutil.copy(source / "other.db", db)
    shutil.copy(source / "other.db-wal", tmp_path / "other.db-wal")  # copied while open: commits in the -wal
    conn.close()
    shutil.rmtree(source)
    before = {p.name: file_digest(p) for p in tmp_path.iterdir()}
    assert sorted(before) == ["other.db", "other.db-wal"]
    result = parknews(*COMMANDS[command](db, served))
    assert_one_line_error(result, code=2)
    assert {p.name: file_digest(p) for p in tmp_path.iterdir()} == before
