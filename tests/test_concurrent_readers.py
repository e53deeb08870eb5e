"""Researchers read while a crawl writes: WAL readers never block and never see half an article."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import crawl

READERS = 4

# In one snapshot: articles without title or body, or without their listing entry or page capture.
PARTIAL = """SELECT
    (SELECT count(*) FROM articles WHERE coalesce(title, '') = '' OR coalesce(body, '') = ''),
    (SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM listing_entries e WHERE e.detail_id = a.detail_id)),
    (SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM captures c WHERE c.detail_id = a.detail_id)),
    (SELECT count(*) FROM articles)"""


def read_in_a_loop(db: str, crawl_done, results) -> None:
    queries = errors = 0
    partial: list[tuple] = []
    counts: list[int] = []
    while not crawl_done.is_set():
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            try:
                *bad, total = conn.execute(PARTIAL).fetchone()
                conn.execute("SELECT title, body FROM articles ORDER BY published_date DESC LIMIT 20").fetchall()
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc) or "unable to open" in str(exc):
                time.sleep(0.01)  # the crawl has not created the archive yet
                continue
            errors += 1
            partial.append(("error", str(exc)))
            continue
        queries += 1
        counts.append(total)
        if any(bad):
            partial.append(tuple(bad))
    results.put((queries, errors, partial, max(counts, default=0)))


def test_four_readers_during_a_full_crawl(tmp_path):
    site = ReplaySite(pages=10)
    db = tmp_path / "archive.db"
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    crawl_done = context.Event()
    readers = [context.Process(target=read_in_a_loop, args=(str(db), crawl_done, results)) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        with ReplayServer(site, latency=0.02) as server:
            result = crawl(server.start_url, db, "--concurrency", "4")
    finally:
        crawl_done.set()
    seen = [results.get(timeout=60) for _ in readers]
    for reader in readers:
        reader.join(timeout=10)
    assert result.returncode == 0, result.stderr
    assert all(errors == 0 for _, errors, _, _ in seen), seen
    assert all(partial == [] for _, _, partial, _ in seen), seen
    assert all(queries > 10 for queries, _, _, _ in seen), seen
    assert max(n for *_, n in seen) == len(site.expected())
