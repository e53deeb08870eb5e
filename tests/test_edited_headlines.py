"""An archived article whose listing shows a new headline (the site edited it): the next crawl,
incremental or refresh, archives the new headline, title and summary; a failed fetch leaves
the old entry for the run after to try again; nothing is fetched twice once it is archived."""

from __future__ import annotations

import sqlite3
import time

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import Page, ReplaySite
from tests.crawling import crawl, requests_during, rows

FIELDS = ("title", "title_raw", "summary", "body")


def archived(db, detail_id: int) -> dict:
    return rows(db, "SELECT * FROM articles WHERE detail_id = ?", (detail_id,))[0]


def now_listed(site: ReplaySite, detail_id: int) -> dict:
    return next(a for a in site.expected() if a["detail_id"] == detail_id)


class CountingHeadline:
    """A listing that shows a view count inside one article's headline link, new on every
    request, while the article's own page never changes."""

    def __init__(self, headline: str) -> None:
        self.headline, self.views = headline, 0

    def intercept(self, handler, page):
        if "/page/" not in handler.path or self.headline not in page.body.decode("utf-8", "replace"):
            return page
        self.views += 1
        body = page.body.decode("utf-8").replace(self.headline, f"{self.headline}（阅读{self.views}）")
        return Page(page.status, body.encode("utf-8"), page.content_type)


class AlwaysNotModified:
    """Answers 304 to every request for one article's page, validators or not (a broken cache)."""

    def __init__(self, detail_id: int) -> None:
        self.detail_id, self.active = detail_id, False

    def intercept(self, handler, page):
        hit = self.active and f"/detail/{self.detail_id}." in handler.path
        return Page(304, b"", page.content_type, page.etag, page.last_modified) if hit else page


class FailingArticlePage:
    """Answers one article's page with a 500 (or ``status``) while active."""

    def __init__(self, detail_id: int) -> None:
        self.detail_id, self.active, self.status = detail_id, False, 500

    def intercept(self, handler, page):
        hit = self.active and f"/detail/{self.detail_id}." in handler.path
        return Page(self.status, b"busy", page.content_type) if hit else page


@pytest.mark.parametrize("mode", [[], ["--refresh-days", "100000"]], ids=["incremental", "refresh"])
# An incremental walk reads on until 2 pages in a row hold nothing new: pages 1-3 here. A
# refresh asks for every article first; the walk shows page 3's headline after its page answered.
@pytest.mark.parametrize("which", [1, 12, 25], ids=["page-1", "page-2", "page-3"])
def test_an_edited_headline_is_archived_by_the_next_crawl(tmp_path, mode, which):
    site = ReplaySite(pages=3)
    db = tmp_path / "archive.db"
    with ReplayServer(site, latency=0.02) as server:
        assert crawl(server.start_url, db).returncode == 0
        edited = site.listed_ids()[which]
        before = archived(db, edited)
        site.edit_article(edited)
        site.add_article()  # something new at the top: an incremental walk reads page 1 and on
        time.sleep(1.1)  # times are kept to the second
        result = crawl(server.start_url, db, *mode)
        assert result.returncode == 0, result.stderr
        new = now_listed(site, edited)
        assert new["title"] != before["title"]
        now = archived(db, edited)
        assert {f: now[f] for f in FIELDS} == {f: new[f] for f in FIELDS}
        (shown,) = rows(db, "SELECT title_shown FROM listing_entries WHERE detail_id = ?", (edited,))
        assert shown[0] == new["title_raw"]
        (version,) = rows(db, "SELECT title_raw, body FROM article_versions WHERE detail_id = ?", (edited,))
        assert tuple(version) == (before["title_raw"], before["body"])
        run = rows(db, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
        assert run["articles_changed"] == 1 and run["articles_new"] == 1 and run["errors"] == 0
        # Archived: the next run does not fetch it again for its headline.
        again, requests = requests_during(server, lambda: crawl(server.start_url, db))
        assert again.returncode == 0
        assert not [p for _, p, _ in requests if f"/detail/{edited}." in p]


def test_an_edited_headline_beyond_the_walk_is_archived_by_a_refresh(tmp_path):
    """A refresh of an article the walk did not reach (page 5 of 6) reads the edited
    headline from its page, under the 【region】 tag its listing gave it."""
    site = ReplaySite(pages=6)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
        edited = site.listed_ids()[45]
        before = archived(db, edited)
        site.edit_article(edited)
        time.sleep(1.1)
        result, requests = requests_during(server, lambda: crawl(server.start_url, db, "--refresh-days", "100000"))
        assert result.returncode == 0
        assert "/info/144795/page/5" not in [p for _, p, _ in requests]  # not walked
    new = now_listed(site, edited)
    now = archived(db, edited)
    assert (now["title"], now["title_raw"], now["body"]) == (new["title"], new["title_raw"], new["body"])
    (version,) = rows(db, "SELECT title_raw FROM article_versions WHERE detail_id = ?", (edited,))
    assert version[0] == before["title_raw"]


def test_a_count_in_a_headline_costs_one_conditional_request_a_run_and_no_version(tmp_path):
    site = ReplaySite(pages=2)
    headline = site.expected()[3]["title_raw"]
    counting = CountingHeadline(headline)
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=counting) as server:
        assert crawl(server.start_url, db).returncode == 0
        detail = site.detail_path(site.expected()[3]["detail_id"])
        for _ in range(3):
            result, requests = requests_during(server, lambda: crawl(server.start_url, db))
            assert result.returncode == 0, result.stderr
            assert [s for _, p, s in requests if detail in p] == [304]  # asked if it changed: no
    assert rows(db, "SELECT count(*) FROM article_versions")[0][0] == 0
    assert archived(db, site.expected()[3]["detail_id"])["title_raw"] == f"{headline}（阅读1）"  # as first archived
    (shown,) = rows(db, "SELECT title_shown FROM listing_entries WHERE detail_id = ?", (site.expected()[3]["detail_id"],))
    assert shown[0].startswith(f"{headline}（阅读") and shown[0] != f"{headline}（阅读1）"  # the entry as last seen


def test_a_server_answering_304_to_everything_does_not_keep_the_crawl_asking(tmp_path):
    site = ReplaySite(pages=2)
    stuck = AlwaysNotModified(site.listed_ids()[2])
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=stuck) as server:
        assert crawl(server.start_url, db).returncode == 0
        site.edit_article(stuck.detail_id)
        stuck.active = True
        detail = site.detail_path(stuck.detail_id)
        for expected in ([304], []):  # asked once; then its entry is as seen, and nothing is asked
            result, requests = requests_during(server, lambda: crawl(server.start_url, db))
            assert result.returncode == 0, result.stderr
            assert [s for _, p, s in requests if detail in p] == expected


@pytest.mark.parametrize("mode", [[], ["--refresh-days", "100000"]], ids=["edited", "refresh"])
def test_an_archived_article_whose_page_is_gone_is_given_up_after_three_runs(tmp_path, mode):
    """Its page answers 404: counted as a pending page's is (PARKNEWS_GONE_AFTER_RUNS, 3), then
    no longer asked for; the article stays as archived."""
    site = ReplaySite(pages=2)
    gone = FailingArticlePage(site.listed_ids()[2])
    gone.status = 404
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=gone) as server:
        assert crawl(server.start_url, db).returncode == 0
        before = archived(db, gone.detail_id)
        if not mode:
            site.edit_article(gone.detail_id)  # a new headline: asked for
        gone.active = True
        detail = f"/detail/{gone.detail_id}."
        for run, (code, asked) in enumerate([(1, 1), (1, 1), (1, 1), (0, 0), (0, 0)]):
            result, requests = requests_during(server, lambda: crawl(server.start_url, db, *mode))
            assert result.returncode == code, (run, result.stderr)
            assert len([p for _, p, _ in requests if detail in p]) == asked, run
    assert archived(db, gone.detail_id)["body"] == before["body"]


def test_an_edited_article_left_by_a_failed_run_is_archived_though_the_walk_no_longer_reaches_it(tmp_path):
    """The new headline is pending until archived: the next run asks for it by its URL even
    when new articles have pushed it past the pages an incremental walk reads."""
    site = ReplaySite(pages=2)
    failing = FailingArticlePage(site.listed_ids()[3])
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=failing) as server:
        assert crawl(server.start_url, db).returncode == 0
        site.edit_article(failing.detail_id)
        failing.active = True
        assert crawl(server.start_url, db, "-s", "RETRY_TIMES=0").returncode == 1
        failing.active = False
        for _ in range(25):
            site.add_article()
        time.sleep(1.1)
        result = crawl(server.start_url, db)
        assert result.returncode == 0, result.stderr
    new = now_listed(site, failing.detail_id)
    assert {f: archived(db, failing.detail_id)[f] for f in FIELDS} == {f: new[f] for f in FIELDS}
    assert rows(db, "SELECT count(*) FROM pending_articles")[0][0] == 0


class NoValidators:
    """A server that sends neither ETag nor Last-Modified (many CMSs do not)."""

    def intercept(self, handler, page):
        return Page(page.status, page.body, page.content_type)


def test_without_validators_an_unchanged_page_is_no_change(tmp_path):
    """A 200 with the page archived before is no change: a count in a headline link costs one
    request a run and writes no version."""
    site = ReplaySite(pages=2)
    article = site.expected()[3]
    counting = CountingHeadline(article["title_raw"])

    class Both:
        def intercept(self, handler, page):
            return counting.intercept(handler, NoValidators().intercept(handler, page))

    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=Both()) as server:
        assert crawl(server.start_url, db).returncode == 0
        for _ in range(3):
            result = crawl(server.start_url, db, "--refresh-days", "100000")
            assert result.returncode == 0, result.stderr
            assert " 0 changed" in result.stdout
    assert rows(db, "SELECT count(*) FROM article_versions")[0][0] == 0
    assert archived(db, article["detail_id"])["title_raw"] == f"{article['title_raw']}（阅读1）"


def test_a_failed_fetch_of_an_edited_article_is_tried_again_by_the_next_run(tmp_path):
    site = ReplaySite(pages=2)
    db = tmp_path / "archive.db"
    faults = FailingArticlePage(site.listed_ids()[2])
    with ReplayServer(site, faults=faults) as server:
        assert crawl(server.start_url, db).returncode == 0
        before = archived(db, faults.detail_id)
        site.edit_article(faults.detail_id)
        faults.active = True
        failed = crawl(server.start_url, db, "-s", "RETRY_TIMES=0")
        assert failed.returncode == 1, failed.stderr  # that page's error
        assert {f: archived(db, faults.detail_id)[f] for f in FIELDS} == {f: before[f] for f in FIELDS}
        (shown,) = rows(db, "SELECT title_shown FROM listing_entries WHERE detail_id = ?", (faults.detail_id,))
        assert shown[0] == before["title_raw"]  # the old entry stands: the next run sees the change again
        faults.active = False
        time.sleep(1.1)
        again = crawl(server.start_url, db)
        assert again.returncode == 0, again.stderr
    new = now_listed(site, faults.detail_id)
    assert {f: archived(db, faults.detail_id)[f] for f in FIELDS} == {f: new[f] for f in FIELDS}


@pytest.mark.parametrize("status", ["killed", "shutdown", "failed"])
def test_after_a_run_that_did_not_end_the_walk_reads_as_far_as_that_run_would_have(tmp_path, status):
    """A run stopped after page 1, where it archived a new article, would have read on to page
    3 (page 1 held news): the next run counts that article as new too, and finds the edit on
    page 3, which its own walk (news on no page) would not have reached."""
    site = ReplaySite(pages=4)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
        site.add_article()
        assert crawl(server.start_url, db, "--max-pages", "1").returncode == 0  # as a run stopped there
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE crawl_runs SET status = ? WHERE id = (SELECT max(id) FROM crawl_runs)", [status])
        edited = site.listed_ids()[25]  # page 3
        site.edit_article(edited)
        time.sleep(1.1)
        result, requests = requests_during(server, lambda: crawl(server.start_url, db))
        assert result.returncode == 0
        assert "/info/144795/page/3" in [p for _, p, _ in requests]
        assert archived(db, edited)["title"] == now_listed(site, edited)["title"]
        result, requests = requests_during(server, lambda: crawl(server.start_url, db))
        assert result.returncode == 0  # that run ended: nothing is new any more
        assert "/info/144795/page/3" not in [p for _, p, _ in requests]


class RenamedInListing:
    """The listing shows one headline otherwise (the article's page unchanged) while active."""

    def __init__(self, headline: str, shown: str) -> None:
        self.headline, self.shown, self.active = headline, shown, False

    def intercept(self, handler, page):
        if not self.active or "/page/" not in handler.path:
            return page
        return Page(page.status, page.body.decode("utf-8").replace(self.headline, self.shown).encode("utf-8"), page.content_type)


def test_a_pending_new_headline_whose_page_is_unchanged_is_no_change(tmp_path):
    """The listing shows a new headline while the article's page fails; then the listing shows
    the old one again and the page answers, the same page as archived: nothing changed."""
    site = ReplaySite(pages=2)
    article = site.expected()[2]
    renamed = RenamedInListing(article["title_raw"], article["title_raw"] + " 再获新突破")
    failing = FailingArticlePage(article["detail_id"])

    class Both:
        def intercept(self, handler, page):
            return failing.intercept(handler, renamed.intercept(handler, page))

    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=Both()) as server:
        assert crawl(server.start_url, db).returncode == 0
        before = archived(db, article["detail_id"])
        renamed.active = failing.active = True
        assert crawl(server.start_url, db, "-s", "RETRY_TIMES=0").returncode == 1
        assert rows(db, "SELECT count(*) FROM pending_articles")[0][0] == 1  # the new headline, pending
        renamed.active = failing.active = False
        result = crawl(server.start_url, db)
        assert result.returncode == 0, result.stderr
        assert " 0 changed" in result.stdout
    assert archived(db, article["detail_id"])["title_raw"] == before["title_raw"]
    assert rows(db, "SELECT count(*) FROM article_versions")[0][0] == 0
    assert rows(db, "SELECT count(*) FROM pending_articles")[0][0] == 0
