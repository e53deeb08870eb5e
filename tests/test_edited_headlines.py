"""An archived article whose listing shows a new headline (the site edited it): the next crawl,
incremental or refresh, archives the new headline, title and summary; a failed fetch leaves
the old entry for the run after to try again; nothing is fetched twice once it is archived."""

from __future__ import annotations

import time

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import Page, ReplaySite
from tests.crawling import crawl, rows

FIELDS = ("title", "title_raw", "summary", "body")


def archived(db, detail_id: int) -> dict:
    return rows(db, "SELECT * FROM articles WHERE detail_id = ?", (detail_id,))[0]


def now_listed(site: ReplaySite, detail_id: int) -> dict:
    return next(a for a in site.expected() if a["detail_id"] == detail_id)


class FailingArticlePage:
    """Answers one article's page with a 500 while active."""

    def __init__(self, detail_id: int) -> None:
        self.detail_id, self.active = detail_id, False

    def intercept(self, handler, page):
        hit = self.active and f"/detail/{self.detail_id}." in handler.path
        return Page(500, b"busy", page.content_type) if hit else page


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
        count = len(server.requests)
        assert crawl(server.start_url, db).returncode == 0
        assert not [p for _, p, _ in server.requests[count:] if f"/detail/{edited}." in p]


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
