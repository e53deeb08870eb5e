"""Helpers for the kill suite (tests/test_kill_*.py): kill a command at a seeded random moment,
check what it left, and compare an archive with the one an uninterrupted run makes.

What "whole" means after any kill (``assert_whole``):
- ``PRAGMA integrity_check`` is ok;
- every version row has its article updated (the article holds newer content than the version);
- the full-text index holds every article once and answers exactly as a ``LIKE`` scan for a
  sample of words;
- no rebuild left behind (``articles_fts_build``) once a command completed.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from archive import fts
from archive.lock import lock_path

HAN_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")
# Columns that record when or by which run something happened: they differ between any two runs.
RUN_TIME_COLUMNS = {"first_seen", "last_seen", "fetched_at", "capture_id", "seen_at", "replaced_at", "id",
                    "first_crawled", "walk_started", "walk_finished", "last_run", "run_id", "at"}  # fmt: skip
COMPARED_TABLES = ("articles", "article_versions", "listing_entries", "listings", "pending_articles", "pending_pages", "repost_signatures")


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def tables(db: Path) -> set[str]:
    return {name for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def sample_words(db: Path, rng: random.Random, count: int = 12) -> list[str]:
    """Two-character Chinese words taken from the archive's titles and bodies (seeded)."""
    texts = [t for (t,) in query(db, "SELECT coalesce(title, '') || coalesce(body, '') FROM articles ORDER BY detail_id")]
    pairs = sorted({pair for text in texts for pair in HAN_PAIR.findall(text)})
    return rng.sample(pairs, min(count, len(pairs)))


def assert_whole(db: Path, words: list[str], *, finished: bool = False) -> None:
    """What any kill must leave (see the module docstring); ``finished``: a command completed."""
    (check,) = query(db, "PRAGMA integrity_check")[0]
    assert check == "ok", check
    stale = query(
        db,
        """SELECT v.id, v.detail_id FROM article_versions v LEFT JOIN articles a ON a.detail_id = v.detail_id
           WHERE a.detail_id IS NULL OR a.content_sha1 = v.content_sha1 OR a.fetched_at < v.fetched_at""",
    ) if "article_versions" in tables(db) else []  # fmt: skip
    assert stale == [], f"versions whose article was not updated: {stale}"
    if fts.FTS_TABLE in tables(db):
        articles = query(db, "SELECT count(*) FROM articles")[0][0]
        indexed = query(db, f"SELECT count(*) FROM {fts.FTS_TABLE}_docsize")[0][0]
        assert indexed == articles, f"{indexed} articles indexed of {articles}"
        for word in words:
            found = {r[0] for r in query(db, f"SELECT rowid FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", (fts.query_phrase(word),))}
            like = f"%{word}%"
            scanned = {r[0] for r in query(db, "SELECT detail_id FROM articles WHERE title LIKE ? OR summary LIKE ? OR body LIKE ?", (like,) * 3)}
            assert found == scanned, f"{word}: index {len(found)} articles, LIKE {len(scanned)}"
    if finished:
        assert fts.BUILD_TABLE not in tables(db)


def content(db: Path, ignore: dict[str, set[str]] | None = None) -> dict[str, list[tuple]]:
    """The archive's content, without the columns that say when or in which run (sorted rows)
    and those in ``ignore`` (table -> columns)."""
    present = tables(db)
    result = {}
    for table in COMPARED_TABLES:
        if table not in present:
            continue
        skip = RUN_TIME_COLUMNS | (ignore or {}).get(table, set())
        columns = [row[1] for row in query(db, f"PRAGMA table_info({table})") if row[1] not in skip]
        rows = query(db, f"SELECT {', '.join(columns)} FROM {table}")
        result[table] = sorted(rows, key=repr)
        assert len(set(rows)) == len(rows), f"duplicate rows in {table}"
    result["index"] = sorted(r[0] for r in query(db, f"SELECT id FROM {fts.FTS_TABLE}_docsize")) if fts.FTS_TABLE in present else []
    result["gone_or_pending"] = query(db, "SELECT count(*) FROM pending_articles") + query(db, "SELECT count(*) FROM pending_pages")
    return result


def assert_same_archive(db: Path, reference: Path, ignore: dict[str, set[str]] | None = None) -> None:
    ours, theirs = content(db, ignore), content(reference, ignore)
    for table in theirs:
        assert ours.get(table) == theirs[table], f"{table} differs from the uninterrupted run's"
    assert leftovers(db) == leftovers(reference), "files left beside the archive"


def leftovers(db: Path) -> set[str]:
    """Files beside the archive, named relative to it (-wal, -shm, .lock, .part …)."""
    return {p.name.replace(db.name, "DB") for p in db.parent.iterdir() if p.name.startswith(db.name)}


def restore(pre_state: Path | None, db: Path) -> None:
    """Put ``db`` back to ``pre_state`` (None: no archive), with no -wal, -shm or lock file."""
    for path in db.parent.iterdir():
        if path.name.startswith(db.name):
            path.unlink()
    if pre_state is not None:
        shutil.copyfile(pre_state, db)


def snapshot(db: Path, to: Path) -> Path:
    """A self-contained copy of an archive (its WAL checkpointed into it)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute(f"VACUUM INTO '{to}'")
    finally:
        conn.close()
    return to


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def started_writing(db: Path, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Wait until the command holds the archive's lock (after its imports) or has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if lock_path(db).exists() and lock_path(db).read_bytes().startswith(b"parknews pid"):
            return
        time.sleep(0.01)


def timed_run(args: list[str], db: Path | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """Run a command to its end; return it and how long it ran after taking the lock."""
    process = start(args)
    if db is not None:
        started_writing(db, process)
    began = time.monotonic()
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(args, process.returncode, out, err), time.monotonic() - began


def kill_at_random(args: list[str], rng: random.Random, window: float, db: Path | None = None) -> bool:
    """Start a command, SIGKILL it ``uniform(0, window)`` s after it took the lock (or after it
    started, when ``db`` is None). Returns True if it was killed, False if it finished first."""
    process = start(args)
    if db is not None:
        started_writing(db, process)
    time.sleep(rng.uniform(0, window))
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return process.returncode == -signal.SIGKILL


def run_kills(tmp_path: Path, pre: Path | None, command, *, seed: int, kills: int = 5, locks: bool = True,
              ignore: dict[str, set[str]] | None = None) -> None:
    """The kill protocol: ``command(db)`` (arguments after ``python``) run once uninterrupted into
    a reference archive made from ``pre`` (None: no archive); then ``kills`` times: restore
    ``pre``, start the command, SIGKILL it at a seeded random moment while it holds the archive
    (``locks``: it takes the crawl lock; else from its start), check what it left, run it again
    to its end, and compare the archive with the reference."""
    rng = random.Random(seed)
    reference = tmp_path / "reference" / "archive.db"
    reference.parent.mkdir()
    restore(pre, reference)
    result, window = timed_run(command(reference), reference if locks else None)
    assert result.returncode == 0, result.stderr
    words = sample_words(reference, rng)
    db = tmp_path / "killed" / "archive.db"
    db.parent.mkdir()
    killed = 0
    for _ in range(kills):
        restore(pre, db)
        killed += kill_at_random(command(db), rng, window, db if locks else None)
        if db.exists():
            assert_whole(db, words)
        rerun, _ = timed_run(command(db))
        assert rerun.returncode == 0, rerun.stderr
        assert_whole(db, words, finished=True)
        assert_same_archive(db, reference, ignore)
    assert killed >= kills // 2 + 1, "most kills must land while the command runs"


BASE_URL = "http://127.0.0.1:8000"  # the host the captured pages were (notionally) served from


def captured_archive(db: Path, site, *, fetched_at: str = "2026-11-01T08:00:00+00:00") -> None:
    """An archive holding the site's listing and article pages as captures, and the articles
    ``parknews reparse`` builds from them: what a crawl of ``site`` stores, without the network."""
    from archive.db import open_archive
    from archive.store import ArchiveWriter, Batch
    from crawler.reparse import reparse_archive
    from crawler.settings import PARKNEWS_GONE_AFTER_RUNS

    writer = ArchiveWriter(open_archive(db), gone_after=PARKNEWS_GONE_AFTER_RUNS)
    paths = [("listing", site.listing_path(n), n) for n in range(1, site.page_count + 1)]
    paths += [("detail", site.detail_path(i), i) for i in site.listed_ids()]
    listing = BASE_URL + site.listing_path(1)
    for start in range(0, len(paths), 200):
        batch = Batch()
        for kind, path, number in paths[start : start + 200]:
            page = site.respond(path, BASE_URL)
            where = {"listing": listing, "page": number} if kind == "listing" else {"detail_id": number}
            batch.captures.append({"url": BASE_URL + path, "status": page.status, "body": page.body, "kind": kind,
                                   "headers": {"content-type": page.content_type}, "fetched_at": fetched_at, **where})  # fmt: skip
        writer.write(batch, seen_at=fetched_at)
    writer.db.close()
    reparse_archive(str(db))


def damage(db: Path, share: float, seed: int) -> int:
    """Alter the title and body of a ``share`` of the articles, as an extractor bug would
    (through the archive's rule for the index: the old text is unindexed first)."""
    from archive.db import connect, transaction

    archive = connect(db)
    ids = [i for (i,) in archive.execute("SELECT detail_id FROM articles ORDER BY detail_id")]
    chosen = random.Random(seed).sample(ids, int(len(ids) * share))
    with transaction(archive):
        marks = ", ".join("?" * len(chosen))
        columns = ("detail_id", "title", "summary", "body")
        rows = [dict(zip(columns, r)) for r in archive.execute(f"SELECT {', '.join(columns)} FROM articles WHERE detail_id IN ({marks})", chosen)]
        for row in rows:
            row["title"] = "误读标题" + (row["title"] or "")
            row["body"] = (row["body"] or "")[: len(row["body"] or "") // 2] + "\n页脚误入正文"
        fts.index_articles(archive, rows)
        archive.conn.executemany("UPDATE articles SET title = :title, body = :body WHERE detail_id = :detail_id", rows)
    archive.close()
    return len(chosen)
