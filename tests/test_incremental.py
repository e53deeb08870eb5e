"""Scheduled runs on a changing site: incremental walks, refreshes, several listings, reparse."""

from __future__ import annotations

import sqlite3
import time

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import crawl, parknews, requests_during, rows


@pytest.fixture
def served():
    site = ReplaySite(pages=6)
    with ReplayServer(site) as server:
        yield site, server


def article_rows(db):
    return [tuple(r) for r in rows(db, "SELECT * FROM articles ORDER BY detail_id")]


def test_nothing_new_costs_three_requests_and_writes_no_article(served, tmp_path):
    site, server = served
    db = tmp_path / "archive.db"
    assert crawl(server.start_url, db).returncode == 0
    before = article_rows(db)
    result, requests = requests_during(server, lambda: crawl(server.start_url, db))
    assert result.returncode == 0, result.stderr
    assert len(requests) <= 3, requests
    assert [path for _, path, _ in requests][0] == "/robots.txt"
    assert article_rows(db) == before
    run = rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["mode"] == "incremental" and run["articles_new"] == 0 and run["status"] == "ok"


def test_a_new_entry_on_page_one_is_archived_cheaply(served, tmp_path):
    site, server = served
    db = tmp_path / "archive.db"
    assert crawl(server.start_url, db).returncode == 0
    old_top = site.expected()[0]["detail_id"]
    new_id = site.add_article(top=True)
    result, requests = requests_during(server, lambda: crawl(server.start_url, db))
    assert result.returncode == 0, result.stderr
    assert len(requests) <= 6, requests
    fetched = [p.split("?")[0] for _, p, _ in requests if "/detail/" in p]
    assert fetched == [site.detail_path(new_id)]  # the entries that moved down are not refetched
    assert {r["detail_id"] for r in rows(db, "SELECT detail_id FROM articles")} >= {new_id, old_top}
    entries = {r["detail_id"]: r["position"] for r in rows(db, "SELECT * FROM listing_entries")}
    assert entries[new_id] == 1 and entries[old_top] == 2  # the shifted entry is recognised and moved
    expected = {a["detail_id"]: a for a in site.expected()}
    (row,) = rows(db, "SELECT * FROM articles WHERE detail_id = ?", (new_id,))
    assert row["title"] == expected[new_id]["title"] and row["body"] == expected[new_id]["body"]


def test_refresh_keeps_a_version_of_an_edited_article(served, tmp_path):
    site, server = served
    db = tmp_path / "archive.db"
    assert crawl(server.start_url, db).returncode == 0
    edited = site.expected()[4]
    site.edit_article(edited["detail_id"])
    time.sleep(1.1)  # times are kept to the second: the second run's must be later
    days = "100000"  # every replay article is "recent" for this test
    result, requests = requests_during(server, lambda: crawl(server.start_url, db, "--refresh-days", days))
    assert result.returncode == 0, result.stderr
    statuses = [status for _, path, status in requests if "/detail/" in path]
    assert statuses.count(200) == 1 and statuses.count(304) == len(site.expected()) - 1  # validators sent
    (version,) = rows(db, "SELECT * FROM article_versions")
    assert version["detail_id"] == edited["detail_id"] and version["body"] == edited["body"]
    assert version["title_raw"] == edited["title_raw"] and version["fetched_at"]
    (now,) = rows(db, "SELECT * FROM articles WHERE detail_id = ?", (edited["detail_id"],))
    new = next(a for a in site.expected() if a["detail_id"] == edited["detail_id"])
    assert now["body"] == new["body"] and now["body"] != edited["body"]
    run = rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["mode"] == "refresh" and run["articles_changed"] == 1
    assert run["articles_unchanged"] == len(site.expected()) - 1
    untouched = rows(db, "SELECT count(*) AS n FROM articles WHERE last_seen > first_seen")[0]["n"]
    assert untouched == len(site.expected())  # every article's last_seen moved, 304 or not


def test_removed_article_stays_in_the_archive(served, tmp_path):
    site, server = served
    db = tmp_path / "archive.db"
    assert crawl(server.start_url, db).returncode == 0
    gone = site.expected()[0]["detail_id"]
    site.remove_article(gone)
    assert crawl(server.start_url, db).returncode == 0
    assert rows(db, "SELECT count(*) AS n FROM articles WHERE detail_id = ?", (gone,))[0]["n"] == 1


def test_an_article_in_two_listings_is_one_article_with_two_entries(served, tmp_path):
    site, server = served
    db = tmp_path / "archive.db"
    listings = tmp_path / "listings.txt"
    other = server.base_url + site.listing_path(1).rsplit("/page/", 1)[0] + "/"  # the listing root: page 1 again
    listings.write_text(f"# two listings of one site\n{server.start_url}\n\n{other}\n", encoding="utf-8")
    result, requests = requests_during(server, lambda: crawl(server.start_url, db, "--listings", str(listings)))
    assert result.returncode == 0, result.stderr
    n = len(site.expected())
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == n
    assert rows(db, "SELECT count(DISTINCT listing) AS l, count(*) AS n FROM listing_entries")[0][:] == (2, 2 * n)
    assert len([p for _, p, _ in requests if "/detail/" in p]) == n


def test_reparse_rebuilds_articles_from_captures_without_the_network(served, tmp_path):
    site, server = served
    db = tmp_path / "archive.db"
    assert crawl(server.start_url, db).returncode == 0
    expected = article_rows(db)
    conn_rows = rows(db, "SELECT count(*) AS n, count(DISTINCT body_sha1) AS bodies FROM captures")[0]
    assert conn_rows["n"] == site.page_count + len(site.expected())
    import sqlite3

    with sqlite3.connect(db) as conn:  # damage what an extractor bug would have damaged
        conn.execute("UPDATE articles SET body = 'broken', title = 'broken'")
    server.stop()  # no network from here on
    result = parknews("reparse", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert f"{len(expected)} articles updated" in result.stdout
    fixed = article_rows(db)
    body_column = [d[1] for d in rows(db, "PRAGMA table_info(articles)")].index("body")
    assert [r[body_column] for r in fixed] == [r[body_column] for r in expected]


class EmptyArticlePage:
    """Answers one article's page with an empty 200 (a page cut off or being edited)."""

    def __init__(self, detail_id: int) -> None:
        self.detail_id = detail_id
        self.active = True

    def intercept(self, handler, page):
        from crawler.replay.site import Page

        hit = self.active and f"/detail/{self.detail_id}." in handler.path
        return Page(200, b"", page.content_type) if hit else page


def test_reparse_does_not_take_an_empty_newest_page_for_the_article(tmp_path):
    """The newest stored page of an article may be one the crawl refused (empty, cut off: it
    asked again, then gave up). A reparse reads the newest page holding article text, as the
    crawl kept it, and the article points at that page."""
    site = ReplaySite(pages=2)
    emptied = site.listed_ids()[2]
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
    before = {r["detail_id"]: tuple(r) for r in rows(db, "SELECT * FROM articles")}
    with ReplayServer(site, faults=EmptyArticlePage(emptied)) as server:
        again = crawl(server.start_url, db, "--full", "-s", "RETRY_TIMES=0")
    assert again.returncode == 1  # that page's error
    (newest,) = rows(db, "SELECT max(id) FROM captures WHERE detail_id = ? AND kind = 'detail' AND status = 200", (emptied,))[0]
    assert rows(db, "SELECT size FROM capture_bodies b JOIN captures c ON c.body_sha1 = b.sha1 WHERE c.id = ?", (newest,))[0][0] == 0
    result = parknews("reparse", "--db", str(db))
    assert result.returncode == 0, result.stderr
    after = {r["detail_id"]: tuple(r) for r in rows(db, "SELECT * FROM articles")}
    columns = [d[1] for d in rows(db, "PRAGMA table_info(articles)")]
    kept = [c for c in columns if c not in ("capture_id", "last_seen", "fetched_at")]
    assert [after[emptied][columns.index(c)] for c in kept] == [before[emptied][columns.index(c)] for c in kept]
    (pointed,) = rows(db, "SELECT capture_id FROM articles WHERE detail_id = ?", (emptied,))[0]
    assert pointed != newest and rows(db, "SELECT size FROM capture_bodies b JOIN captures c ON c.body_sha1 = b.sha1 "
                                          "WHERE c.id = ?", (pointed,))[0][0] > 0  # fmt: skip


class InvisibleArticlePage(EmptyArticlePage):
    """Answers one article's page with a 200 whose headline and text are nothing but invisible
    characters (a page being edited)."""

    def intercept(self, handler, page):
        from crawler.replay.site import Page

        if not self.active or f"/detail/{self.detail_id}." not in handler.path:
            return page
        html = "<html><body><h1>\u200b\u200d</h1><div><p>\u200b\ufeff</p><p>\u2060</p></div></body></html>"
        return Page(200, html.encode(), page.content_type)


@pytest.mark.parametrize("fault", [EmptyArticlePage, InvisibleArticlePage])
def test_reparse_leaves_an_article_the_crawl_refused_pending(tmp_path, fault):
    """An article whose only stored page the crawl refused (no article text, no headline of
    its listing): a reparse does not archive it from that page; it stays pending, and the next
    crawl, once the page is mended, archives it in full."""
    site = ReplaySite(pages=2)
    refused = site.listed_ids()[3]
    db = tmp_path / "archive.db"
    faults = fault(refused)
    with ReplayServer(site, faults=faults) as server:
        first = crawl(server.start_url, db, "-s", "RETRY_TIMES=0")
        assert first.returncode == 1, first.stderr  # that page's error
        assert rows(db, "SELECT count(*) FROM articles WHERE detail_id = ?", (refused,))[0][0] == 0
        assert rows(db, "SELECT count(*) FROM pending_articles WHERE detail_id = ?", (refused,))[0][0] == 1
        result = parknews("reparse", "--db", str(db))
        assert result.returncode == 0, result.stderr
        assert rows(db, "SELECT count(*) FROM articles WHERE detail_id = ?", (refused,))[0][0] == 0
        assert rows(db, "SELECT count(*) FROM pending_articles WHERE detail_id = ?", (refused,))[0][0] == 1
        assert len(rows(db, "SELECT * FROM articles")) == len(site.expected()) - 1
        faults.active = False  # the page is mended
        mended = crawl(server.start_url, db)
    assert mended.returncode == 0, mended.stderr
    (article,) = rows(db, "SELECT * FROM articles WHERE detail_id = ?", (refused,))
    assert article["body"] == next(a for a in site.expected() if a["detail_id"] == refused)["body"]
    assert rows(db, "SELECT count(*) FROM pending_articles")[0][0] == 0


def test_identical_pages_are_stored_once(served, tmp_path):
    site, server = served
    db = tmp_path / "archive.db"
    assert crawl(server.start_url, db).returncode == 0
    assert crawl(server.start_url, db, "--full").returncode == 0  # every page fetched again, unchanged
    counts = rows(db, "SELECT count(*) AS n, count(DISTINCT body_sha1) AS distinct_bodies FROM captures WHERE status = 200")[0]
    stored = rows(db, "SELECT count(*) AS n FROM capture_bodies")[0]["n"]
    assert counts["n"] > counts["distinct_bodies"] and stored <= counts["distinct_bodies"] + len(site.expected())


def test_an_edited_article_keeps_its_first_seen_beside_a_new_one_in_the_same_batch(served, tmp_path):
    """A batch holding both a changed article and a new one: the new one's first_seen is set,
    the changed one's stays as the first run wrote it (sqlite-utils' upsert_all filled a key
    one row lacked with NULL for every row of its chunk)."""
    site, server = served
    db = tmp_path / "archive.db"
    assert crawl(server.start_url, db).returncode == 0
    before = {r["detail_id"]: r["first_seen"] for r in rows(db, "SELECT detail_id, first_seen FROM articles")}
    edited = site.expected()[1]["detail_id"]
    site.edit_article(edited)
    added = site.add_article(top=True)
    time.sleep(1.1)  # times are kept to the second: the second run's must be later
    result = crawl(server.start_url, db, "--refresh-days", "100000")
    assert result.returncode == 0, result.stderr
    after = {r["detail_id"]: r for r in rows(db, "SELECT * FROM articles")}
    assert after[edited]["body"] == next(a for a in site.expected() if a["detail_id"] == edited)["body"]
    assert after[added]["first_seen"] and after[added]["first_seen"] > before[edited]
    assert {i: r["first_seen"] for i, r in after.items() if i != added} == before
    run = rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["articles_new"] == 1 and run["articles_changed"] == 1


class PicturesArticlePage(EmptyArticlePage):
    """Answers one article's page with its headline and pictures only, no text."""

    def __init__(self, detail_id: int, headline: str) -> None:
        super().__init__(detail_id)
        self.headline = headline

    def intercept(self, handler, page):
        from crawler.replay.site import Page

        if not self.active or f"/detail/{self.detail_id}." not in handler.path:
            return page
        html = f"<html><body><h1>{self.headline}</h1><div><p><img src='/a.jpg'></p><p><img src='/b.jpg'></p></div></body></html>"
        return Page(200, html.encode(), page.content_type)


def test_reparse_reads_an_article_of_pictures_from_its_page_when_the_newest_is_empty(tmp_path):
    """An article of pictures (archived without text), whose newest stored page the crawl
    refused (empty): a reparse rebuilds it from the page that showed its headline, as it
    does for articles with text, and does not leave it as an older parknews wrote it."""
    site = ReplaySite(pages=2)
    article = site.expected()[3]
    pictures = PicturesArticlePage(article["detail_id"], article["title_raw"])
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=pictures) as server:
        assert crawl(server.start_url, db).returncode == 0
    (kept,) = rows(db, "SELECT title, body, capture_id FROM articles WHERE detail_id = ?", (article["detail_id"],))
    assert kept["title"] == article["title"] and kept["body"] == ""
    empty = EmptyArticlePage(article["detail_id"])
    with ReplayServer(site, faults=empty) as server:
        assert crawl(server.start_url, db, "--full", "-s", "RETRY_TIMES=0").returncode == 1  # that page's error
    with sqlite3.connect(db) as conn:  # as an older parknews might have left it
        conn.execute("UPDATE articles SET title = 'stale' WHERE detail_id = ?", (article["detail_id"],))
    result = parknews("reparse", "--db", str(db))
    assert result.returncode == 0, result.stderr
    (now,) = rows(db, "SELECT title, body, capture_id FROM articles WHERE detail_id = ?", (article["detail_id"],))
    assert (now["title"], now["body"], now["capture_id"]) == (article["title"], "", kept["capture_id"])


def test_reparse_makes_an_article_an_older_reparse_wrote_from_a_refused_page_pending_again(tmp_path):
    """An older reparse archived an article from a page the crawl had refused (empty) and
    cleared its pending row. Today's reparse makes it pending again; the next crawl, the page
    mended, archives it in full."""
    site = ReplaySite(pages=2)
    article = site.expected()[4]
    refused = EmptyArticlePage(article["detail_id"])
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=refused) as server:
        assert crawl(server.start_url, db, "-s", "RETRY_TIMES=0").returncode == 1  # that page's error
        url = f"{server.start_url.split('/info/')[0]}{site.detail_path(article['detail_id'])}"
        with sqlite3.connect(db) as conn:  # what the older reparse wrote
            conn.execute("INSERT INTO articles (detail_id, url, title, title_raw, summary, body) VALUES (?, ?, ?, ?, ?, '')",
                         (article["detail_id"], url, article["title"], article["title_raw"], article["summary"]))  # fmt: skip
            conn.execute("DELETE FROM pending_articles WHERE detail_id = ?", (article["detail_id"],))
        result = parknews("reparse", "--db", str(db))
        assert result.returncode == 0, result.stderr
        (pending,) = rows(db, "SELECT url, title_shown FROM pending_articles WHERE detail_id = ?", (article["detail_id"],))
        assert site.detail_path(article["detail_id"]) in pending["url"] and pending["title_shown"] == article["title_raw"]
        refused.active = False
        assert crawl(server.start_url, db).returncode == 0
    (now,) = rows(db, "SELECT title, body FROM articles WHERE detail_id = ?", (article["detail_id"],))
    assert tuple(now) == (article["title"], article["body"])
    assert rows(db, "SELECT count(*) FROM pending_articles")[0][0] == 0
