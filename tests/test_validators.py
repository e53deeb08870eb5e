"""A refresh sends only the validators (ETag, Last-Modified) of the capture its article row was
committed with. A run killed between storing an article page and writing its article leaves
a newer capture behind; its validators would make the server answer 304 and hide the change."""

from __future__ import annotations

from archive.db import open_archive
from archive.store import ArchiveWriter, Batch, utc_now
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from crawler.settings import PARKNEWS_GONE_AFTER_RUNS
from tests.crawling import crawl, rows


def test_a_capture_committed_without_its_article_does_not_hide_the_change(tmp_path):
    site = ReplaySite(seed=80, pages=2, per_page=5)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
        edited = site.listed_ids()[3]
        site.edit_article(edited)
        page = site.respond(site.detail_path(edited), server.base_url)
        # What a kill leaves when the capture's batch committed and the article's did not.
        writer = ArchiveWriter(open_archive(db), gone_after=PARKNEWS_GONE_AFTER_RUNS)
        capture = {"url": server.base_url + site.detail_path(edited), "status": 200, "body": page.body, "kind": "detail",
                   "headers": {"etag": page.etag, "content-type": page.content_type}, "fetched_at": utc_now(), "detail_id": edited}  # fmt: skip
        writer.write(Batch(captures=[capture]), seen_at=utc_now())
        writer.db.close()
        before = len(server.requests)
        result = crawl(server.start_url, db, "--refresh-days", "100000")
        statuses = {path.split("?")[0]: status for _, path, status in server.requests[before:]}
    assert result.returncode == 0, result.stderr
    assert statuses[site.detail_path(edited)] == 200  # asked with the old validators: the change comes back
    new = next(a for a in site.expected() if a["detail_id"] == edited)
    (article,) = rows(db, "SELECT body, capture_id FROM articles WHERE detail_id = ?", (edited,))
    assert article["body"] == new["body"]
    assert rows(db, "SELECT count(*) FROM article_versions WHERE detail_id = ?", (edited,))[0][0] == 1
    latest = rows(db, "SELECT max(id) FROM captures WHERE detail_id = ? AND status = 200", (edited,))[0][0]
    assert article["capture_id"] == latest
