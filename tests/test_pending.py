"""Pending work survives runs: an article or listing page that failed through a whole run is
fetched by the next run of any kind, by its URL, without walking the listing; a page that
answers 404/410 run after run is given up as gone and counted."""

from __future__ import annotations

import pytest

from archive.db import open_archive
from archive.store import ArchiveWriter, Batch
from crawler.replay.faults import Faults
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import crawl, parknews, requests_during, rows

PAGE, PAGES = 20, 35


@pytest.fixture
def site():
    return ReplaySite(seed=30, pages=PAGES, per_page=2)


def entry_on(site, page: int, position: int = 2) -> dict:
    return next(a for a in site.expected() if a["page"] == page and a["position"] == position)


@pytest.mark.parametrize("mode", [(), ("--refresh-days", "0")], ids=["plain", "refresh"])
def test_an_article_that_failed_through_a_run_is_archived_by_the_next(tmp_path, site, mode):
    victim = entry_on(site, PAGE)
    path = site.detail_path(victim["detail_id"])
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=Faults(rate=0, permanent={"always_503": [path]})) as server:
        first = crawl(server.start_url, db)
        assert first.returncode == 1, first.stderr
        (pending,) = rows(db, "SELECT * FROM pending_articles")
        assert (pending["detail_id"], pending["page"], pending["http_status"], pending["gone"]) == (victim["detail_id"], PAGE, 503, None)
        assert rows(db, "SELECT pending, gone FROM crawl_runs")[0][:] == (1, 0)
        server.faults = None  # the site recovers
        second, requested = requests_during(server, lambda: crawl(server.start_url, db, *mode), paths=True)
    assert second.returncode == 0, second.stderr
    assert [p for p in requested if "/detail/" in p] == [path]  # by its URL ...
    assert site.listing_path(PAGE) not in requested and len([p for p in requested if "/page/" in p]) <= 3  # ... no walk
    (article,) = rows(db, "SELECT * FROM articles WHERE detail_id = ?", (victim["detail_id"],))
    assert (article["title"], article["body"], article["summary"]) == (victim["title"], victim["body"], victim["summary"])
    assert rows(db, "SELECT page, position FROM listing_entries WHERE detail_id = ?", (victim["detail_id"],))[0][:] == (PAGE, 2)
    assert rows(db, "SELECT count(*) FROM pending_articles")[0][0] == 0
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == len(site.expected())
    assert rows(db, "SELECT status, pending, gone FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][:] == ("ok", 0, 0)


def test_a_listing_page_that_failed_through_a_run_is_fetched_by_the_next(tmp_path, site):
    path = site.listing_path(PAGE)
    lost = {a["detail_id"] for a in site.expected() if a["page"] == PAGE}
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=Faults(rate=0, permanent={"always_503": [path]})) as server:
        assert crawl(server.start_url, db).returncode == 1
        assert not lost & {r[0] for r in rows(db, "SELECT detail_id FROM articles")}
        assert [tuple(r) for r in rows(db, "SELECT page, http_status, gone FROM pending_pages")] == [(PAGE, 503, None)]
        server.faults = None
        second, requested = requests_during(server, lambda: crawl(server.start_url, db), paths=True)
    assert second.returncode == 0, second.stderr
    assert requested.count(path) == 1
    walked = sorted(int(p.rsplit("/", 1)[1]) for p in requested if "/page/" in p)
    assert walked == [1, 2, PAGE, PAGE + 1, PAGE + 2]  # page 1 and 2 of known articles; the pending page and 2 behind it
    assert lost <= {r[0] for r in rows(db, "SELECT detail_id FROM articles")}
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == len(site.expected())
    assert rows(db, "SELECT count(*) FROM pending_pages")[0][0] == 0


def test_a_page_that_answers_404_three_runs_in_a_row_is_gone(tmp_path, site):
    victim = entry_on(site, 1)
    path = site.detail_path(victim["detail_id"])
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=Faults(rate=0, permanent={"not_found": [path]})) as server:
        for run in (1, 2, 3):
            result, requested = requests_during(server, lambda: crawl(server.start_url, db), paths=True)
            assert result.returncode == 1 and requested.count(path) == 1, (run, result.stderr)
            (pending,) = rows(db, "SELECT not_found_runs, gone FROM pending_articles")
            assert pending["not_found_runs"] == run and (pending["gone"] is not None) == (run == 3)
        fourth, requested = requests_during(server, lambda: crawl(server.start_url, db), paths=True)
    assert fourth.returncode == 0, fourth.stderr
    assert path not in requested  # not retried forever
    assert rows(db, "SELECT pending, gone FROM crawl_runs ORDER BY id DESC LIMIT 1")[0][:] == (0, 1)
    listed = parknews("runs", "--db", str(db))
    assert listed.returncode == 0 and "0 pages pending, 1 gone" in listed.stdout
    header = next(line for line in listed.stdout.splitlines() if "pending" in line and "gone" in line and "status" in line)
    assert header
    stats = parknews("stats", "--db", str(db))
    assert "1 gone" in stats.stdout


def test_gone_needs_404s_in_a_row_and_the_count_is_a_setting(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    writer = ArchiveWriter(db, gone_after=2)
    page = {"detail_id": 7, "url": "http://x.010b.com/info/detail/7.html", "listing": "L", "listing_url": "L",
            "page": 1, "position": 1, "title_shown": "t", "listing_date_raw": "", "summary": ""}  # fmt: skip
    writer.write(Batch(pending=[page]), seen_at="2026-01-01T00:00:00+00:00")

    def fail(run_id: int, status: int | None) -> tuple:
        error = {"url": page["url"], "reason": f"HTTP {status}", "http_status": status, "kind": "detail", "detail_id": 7}
        writer.write(Batch(errors=[error, error]), seen_at="2026-01-01T00:00:00+00:00", run_id=run_id)  # twice a run: counted once
        return db.execute("SELECT failures, not_found_runs, gone IS NOT NULL FROM pending_articles").fetchone()

    assert fail(1, 404) == (1, 1, 0)
    assert fail(2, 503) == (2, 0, 0)  # a 503 between breaks the streak
    assert fail(3, 410) == (3, 1, 0)
    assert fail(4, 404) == (4, 2, 1)  # 2 in a row with gone_after=2


def test_the_gone_count_is_a_crawl_setting(tmp_path, site):
    victim = entry_on(site, 1)
    path = site.detail_path(victim["detail_id"])
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=Faults(rate=0, permanent={"not_found": [path]})) as server:
        for _ in range(2):
            crawl(server.start_url, db, "-s", "PARKNEWS_GONE_AFTER_RUNS=2")
    assert rows(db, "SELECT gone IS NOT NULL AS g FROM pending_articles")[0]["g"] == 1
