"""End to end: crawl the replay over HTTP on loopback and check the SQLite archive against it."""

from __future__ import annotations

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import crawl, rows


@pytest.fixture(scope="module", params=["classic", "table", "flat"])
def crawled(request, tmp_path_factory):
    site = ReplaySite(theme=request.param)
    db = tmp_path_factory.mktemp(request.param) / "archive.db"
    with ReplayServer(site) as server:
        result = crawl(server.start_url, db)
        yield site, db, result, server.requests


def by_id(db):
    return {r["detail_id"]: r for r in rows(db, "SELECT * FROM articles")}


def test_crawl_succeeds_and_reports(crawled):
    site, db, result, _ = crawled
    assert result.returncode == 0, result.stderr
    assert f"{len(site.expected())} new" in result.stdout


def test_archives_every_listed_article_and_nothing_else(crawled):
    site, db, _, requests = crawled
    archived = by_id(db)
    assert set(archived) == {a["detail_id"] for a in site.expected()}
    assert not set(archived) & set(site.foreign_ids())  # sidebars are not the listing
    fetched = [path for _, path, _ in requests if "/detail/" in path]
    assert len(fetched) == len(archived)  # each detail page fetched once, whatever its URL form


@pytest.mark.parametrize(
    "field", ["title", "title_raw", "region_tag", "region_raw", "listing_date", "published_date", "published_at", "source", "summary"]
)
def test_fields_match_the_site(crawled, field):
    site, db, _, _ = crawled
    archived = by_id(db)
    wrong = [(a["detail_id"], a[field], archived[a["detail_id"]][field]) for a in site.expected()
             if archived[a["detail_id"]][field] != a[field]]  # fmt: skip
    assert wrong == []


def test_bodies_are_the_article_only(crawled):
    site, db, _, _ = crawled
    archived = by_id(db)
    wrong = [a["detail_id"] for a in site.expected() if archived[a["detail_id"]]["body"] != a["body"]]
    assert wrong == []
    boilerplate = site.boilerplate
    for row in archived.values():
        assert "投稿" not in row["body"] and "责任编辑" not in row["body"]
        assert "400-" not in row["body"]
    assert boilerplate  # the replay does serve the boilerplate the bodies must not contain


def test_listing_entries_record_page_and_position(crawled):
    site, db, _, _ = crawled
    entries = {r["detail_id"]: (r["page"], r["position"]) for r in rows(db, "SELECT * FROM listing_entries")}
    assert entries == {a["detail_id"]: (a["page"], a["position"]) for a in site.expected()}


def test_run_is_recorded(crawled):
    site, db, _, _ = crawled
    run = rows(db, "SELECT * FROM crawl_runs ORDER BY id LIMIT 1")[0]
    assert run["status"] == "ok" and run["exit_code"] == 0
    assert run["pages"] == run["pages_total"] == site.page_count
    assert run["articles_new"] == len(site.expected()) and run["errors"] == 0
    assert run["started"] <= run["finished"]


def test_second_crawl_adds_no_rows(crawled):
    site, db, _, _ = crawled
    with ReplayServer(site) as server:
        again = crawl(server.start_url, db)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(site.expected())
    last = rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert last["articles_new"] == 0 and last["articles_changed"] == 0


def test_reposts_point_at_the_earliest_copy(crawled):
    site, db, _, _ = crawled
    marked = {r["detail_id"]: r["duplicate_of"] for r in rows(db, "SELECT detail_id, duplicate_of FROM articles")}
    expected = {a["detail_id"]: a["repost_of"] for a in site.expected()}
    assert any(expected.values())  # the replay does carry reposts
    assert marked == expected


def test_regions_are_resolved(crawled):
    site, db, _, _ = crawled
    archived = by_id(db)
    tagged = [a for a in site.expected() if a["region_tag"]]
    resolved = [a for a in tagged if archived[a["detail_id"]]["city"] or archived[a["detail_id"]]["province"]]
    assert len(resolved) == len(tagged)
    wuhan = [archived[a["detail_id"]] for a in tagged if a["region_tag"] in ("武汉", "汉阳区", "光谷")]
    assert wuhan and all(r["city"] == "武汉市" and r["adcode"].startswith("4201") for r in wuhan)


def test_two_listings_add_their_pages(tmp_path):
    """pages_total is the sum over the listings crawled, not the largest one (70/35 was printed)."""
    first, second = ReplaySite(pages=3), ReplaySite(pages=4, theme="flat")
    db = tmp_path / "two.db"
    with ReplayServer(first) as one, ReplayServer(second) as two:
        result = crawl(one.start_url, db, "--start-url", two.start_url)
    assert result.returncode == 0, result.stderr
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert run["pages"] == run["pages_total"] == first.page_count + second.page_count == 7
    assert f"{run['pages']}/{run['pages_total']} listing pages" in result.stdout
