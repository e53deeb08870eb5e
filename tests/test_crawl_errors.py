"""Bad input gets one clear line and a non-zero exit, and leaves an existing archive untouched;
a page that fails is recorded and the crawl goes on."""

from __future__ import annotations

import socket
import sqlite3
import time

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import Page, ReplaySite
from tests.crawling import assert_one_line_error, crawl, file_digest, rows


@pytest.fixture
def existing_archive(tmp_path):
    """A real archive with one crawl in it (2 listing pages), to check that bad input leaves it be."""
    db = tmp_path / "archive.db"
    with ReplayServer(ReplaySite(pages=2)) as server:
        assert crawl(server.start_url, db).returncode == 0
    return db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_start_url(existing_archive):
    before = file_digest(existing_archive)
    result = crawl(f"http://127.0.0.1:{closed_port()}/info/1/page/1", existing_archive, "-s", "RETRY_TIMES=1")
    assert_one_line_error(result)
    assert "cannot fetch the start URL" in result.stderr
    assert file_digest(existing_archive) == before


@pytest.mark.parametrize("path", ["/robots.txt", "/info/detail/{id}.html"])
def test_start_url_that_is_not_a_listing(existing_archive, path):
    before = file_digest(existing_archive)
    site = ReplaySite(pages=2)
    with ReplayServer(site) as server:
        result = crawl(server.base_url + path.format(id=site.listed_ids()[0]), existing_archive)
    assert_one_line_error(result)
    assert "not a listing" in result.stderr
    assert file_digest(existing_archive) == before


def test_start_url_that_is_not_http(tmp_path):
    assert_one_line_error(crawl("ftp://example.com/info/1/page/1", tmp_path / "a.db"))


def test_db_in_missing_directory(tmp_path):
    result = crawl("http://127.0.0.1:1/info/1/page/1", tmp_path / "no" / "such" / "archive.db")
    assert_one_line_error(result)
    assert "does not exist" in result.stderr
    assert not (tmp_path / "no").exists()


def test_db_that_is_not_sqlite(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("这不是数据库\n" * 200, encoding="utf-8")
    before = file_digest(db)
    result = crawl("http://127.0.0.1:1/info/1/page/1", db)
    assert_one_line_error(result)
    assert "not an SQLite archive" in result.stderr
    assert file_digest(db) == before


def test_bad_setting_syntax(tmp_path):
    assert_one_line_error(crawl("http://127.0.0.1:1/info/1/page/1", tmp_path / "a.db", "-s", "NOEQUALS"))


class FailingDetails:
    """404 for one listed article, 503 for ever for another, 503 twice then fine for a third."""

    def __init__(self, missing: int, broken: int, flaky: int):
        self.missing, self.broken, self.flaky = missing, broken, flaky
        self.flaky_failures = 0

    def intercept(self, handler, page):
        if f"/detail/{self.missing}." in handler.path:
            return Page(404, b"not found", "text/html")
        if f"/detail/{self.broken}." in handler.path:
            return Page(503, b"busy", "text/html")
        if f"/detail/{self.flaky}." in handler.path and self.flaky_failures < 2:
            self.flaky_failures += 1
            return Page(503, b"busy", "text/html")
        return page


def test_failed_pages_are_recorded_and_the_crawl_goes_on(tmp_path):
    site = ReplaySite(pages=3)
    missing, broken, flaky = site.listed_ids()[3:6]
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=FailingDetails(missing, broken, flaky)) as server:
        result = crawl(server.start_url, db)
    assert result.returncode == 1, result.stderr
    assert "2 errors" in result.stdout
    archived = {r["detail_id"] for r in rows(db, "SELECT detail_id FROM articles")}
    assert archived == set(site.listed_ids()) - {missing, broken}  # flaky came through on retry
    errors = {(r["url"].rsplit("/", 1)[-1].split(".")[0], r["reason"]) for r in rows(db, "SELECT * FROM crawl_errors")}
    assert errors == {(str(missing), "HTTP 404"), (str(broken), "HTTP 503")}
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert run["status"] == "errors" and run["exit_code"] == 1 and run["errors"] == 2


def test_scrapy_crawl_command_works_too(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    db = tmp_path / "archive.db"
    site = ReplaySite(pages=2)
    with ReplayServer(site) as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "parknews", "-a", f"start_url={server.start_url}",
             "-s", f"ARCHIVE_PATH={db}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(site.expected())


class FailingFirstPage:
    """Page 1 of the listing (or ``path``) fails while ``failing`` is True; the rest as the site.
    ``status``: an HTTP status, or one of the replay's connection faults: "stall" (answers after
    2 s), "reset" (RST), "truncated" (half the declared body), "empty" (an empty 200)."""

    def __init__(self, status: int | str, path: str = "/page/1"):
        self.status, self.path, self.failing = status, path, True

    def intercept(self, handler, page):
        from crawler.replay import faults

        if not (self.failing and handler.path.endswith(self.path)):
            return page
        if self.status == "empty":
            return Page(200, b"", page.content_type)
        if self.status == "bom":
            return Page(200, b"\xef\xbb\xbf", page.content_type)
        if self.status == "bare":
            return Page(200, b"<html><head></head><body>\n</body></html>", page.content_type)
        if self.status == "stall":
            time.sleep(2)
            handler.close_connection = True
            faults._send(handler, page.status, {"Content-Type": page.content_type}, page.body)
        elif self.status == "reset":
            faults._reset(handler)
        elif self.status == "truncated":
            handler.close_connection = True
            faults._send(handler, 200, {"Content-Type": page.content_type}, page.body[: len(page.body) // 2],
                         declared_length=len(page.body))  # fmt: skip
        else:
            return Page(self.status, b"busy" if self.status >= 500 else b"gone", "text/html")
        return None


@pytest.mark.parametrize("status", [503, 429, 408, "stall", "reset", "truncated", "empty", "bom", "bare"])
def test_start_page_failing_for_now_is_recorded_and_fetched_next_run(tmp_path, status):
    """A start URL's page 1 answering 5xx/429/408 through every retry is the site's trouble, not
    a wrong URL: the run is recorded (exit 1) with the page pending, and the next run walks it."""
    site = ReplaySite(pages=2)
    db = tmp_path / "archive.db"
    fault = FailingFirstPage(status)
    with ReplayServer(site, faults=fault) as server:
        result = crawl(server.start_url, db, "-s", "RETRY_TIMES=1", "-s", "DOWNLOAD_TIMEOUT=1")
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        run = rows(db, "SELECT * FROM crawl_runs")[0]
        assert (run["status"], run["exit_code"]) == ("errors", 1)
        reasons = [r["reason"] for r in rows(db, "SELECT reason FROM crawl_errors")]
        assert len(reasons) == 1 and (reasons[0] == f"HTTP {status}" if isinstance(status, int) else "Failure" not in reasons[0])
        assert [r["page"] for r in rows(db, "SELECT page FROM pending_pages WHERE gone IS NULL")] == [1]
        fault.failing = False
        again = crawl(server.start_url, db)
    assert again.returncode == 0, again.stderr
    archived = {r["detail_id"] for r in rows(db, "SELECT detail_id FROM articles")}
    assert archived == set(site.listed_ids())
    assert rows(db, "SELECT count(*) AS n FROM pending_pages WHERE gone IS NULL")[0]["n"] == 0


@pytest.mark.parametrize("status", [404, 410, 403])
def test_start_page_that_says_the_url_is_wrong_is_bad_input(existing_archive, status):
    before = file_digest(existing_archive)
    with ReplayServer(ReplaySite(pages=2), faults=FailingFirstPage(status)) as server:
        result = crawl(server.start_url, existing_archive, "-s", "RETRY_TIMES=1")
    assert_one_line_error(result)
    assert "cannot fetch the start URL" in result.stderr and f"HTTP {status}" in result.stderr
    assert file_digest(existing_archive) == before


@pytest.mark.parametrize("fault", ["reset", "truncated", "stall"])
def test_robots_txt_failing_for_now_is_recorded(tmp_path, fault):
    """robots.txt is fetched once, unretried: a host that took the connection and then failed
    is unreachable for this run (RFC 9309: disallow all), recorded, exit 1; not bad input."""
    db = tmp_path / "archive.db"
    with ReplayServer(ReplaySite(pages=2), faults=FailingFirstPage(fault, path="/robots.txt")) as server:
        result = crawl(server.start_url, db, "-s", "DOWNLOAD_TIMEOUT=1")
    assert result.returncode == 1, result.stderr
    assert "robots.txt" in rows(db, "SELECT reason FROM crawl_errors")[0]["reason"]


def test_among_several_start_urls_a_wrong_one_is_that_listings_error(tmp_path):
    """One start URL that cannot be fetched (refused) beside one that works: the good listing is
    archived whole, the bad one recorded with its page pending; exit 1, whichever fails first."""
    site = ReplaySite(pages=2)
    db = tmp_path / "archive.db"
    bad = f"http://127.0.0.1:{closed_port()}/info/1/page/1"
    with ReplayServer(site) as server:
        result = crawl(server.start_url, db, "--start-url", bad, "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stderr
    assert {r["detail_id"] for r in rows(db, "SELECT detail_id FROM articles")} == set(site.listed_ids())
    assert [r["url"] for r in rows(db, "SELECT url FROM crawl_errors")] == [bad]
    assert [r["listing"] for r in rows(db, "SELECT listing FROM pending_pages")] == [bad]


@pytest.mark.parametrize("status", [404, "not a listing"])
def test_a_listing_walked_before_failing_is_an_error_not_bad_input(tmp_path, status):
    """A listing this archive walked before whose page 1 now answers 404 or no listing is in
    trouble (or gone: 404s count towards PARKNEWS_GONE_AFTER_RUNS), not a mistyped URL: exit 1."""
    site = ReplaySite(pages=2)
    db = tmp_path / "archive.db"
    fault = FailingFirstPage(404)
    with ReplayServer(site, faults=fault) as server:
        fault.failing = False
        assert crawl(server.start_url, db).returncode == 0
        fault.failing = True
        if status != 404:  # a maintenance page, answered 200
            notice = "<html><body><p>网站维护中，请稍后访问。</p></body></html>".encode()
            fault.intercept = lambda handler, page: (
                Page(200, notice, "text/html; charset=utf-8") if handler.path.endswith("/page/1") else page
            )
        result = crawl(server.start_url, db, "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, result.stderr
    run = rows(db, "SELECT status, exit_code FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert (run["status"], run["exit_code"]) == ("errors", 1)


class PicturesOnly:
    """Article ``detail_id`` is pictures only: its text box holds an image and no text."""

    def __init__(self, detail_id: int, headline: bool = True):
        self.detail_id, self.headline = detail_id, headline

    def intercept(self, handler, page):
        import re

        if f"/detail/{self.detail_id}." not in handler.path:
            return page
        body = re.sub(rb'<div class="content">.*?</div>', b'<div class="content"><p><img src="/photo.jpg"></p></div>',
                      page.body, flags=re.S)  # fmt: skip
        # Without the site's submission notice too: with it, the densest-prose fallback reads
        # the notice as the article (a known limit, see the README).
        body = re.sub(rb'<div class="(?:modal|rules)">.*?</div>', b"", body, flags=re.S)
        if not self.headline:
            body = re.sub(rb"<h1>.*?</h1>", b"", re.sub(rb"<title>.*?</title>", b"<title></title>", body, flags=re.S), flags=re.S)
        return Page(page.status, body, page.content_type)


@pytest.mark.parametrize("headline", [True, False], ids=["headline-shown", "no-headline"])
def test_an_article_of_pictures_only(tmp_path, headline):
    """No text after the retries: with the listing's headline on the page it is an article of
    pictures, archived without text (and no longer pending: the next run is clean); without
    it, an error, the page pending."""
    site = ReplaySite(pages=2)
    pictures = site.listed_ids()[4]
    db = tmp_path / "archive.db"
    with ReplayServer(site, faults=PicturesOnly(pictures, headline)) as server:
        result = crawl(server.start_url, db, "-s", "RETRY_TIMES=1")
        again = crawl(server.start_url, db, "-s", "RETRY_TIMES=1")
        fetched = [path for _, path, _ in server.requests if f"/detail/{pictures}." in path]
    archived = {r["detail_id"]: r for r in rows(db, "SELECT * FROM articles")}
    expected = {a["detail_id"]: a for a in site.expected()}
    if headline:
        assert (result.returncode, again.returncode) == (0, 0), result.stderr
        assert set(archived) == set(expected)
        assert archived[pictures]["body"] == "" and archived[pictures]["title"] == expected[pictures]["title"]
        assert archived[pictures]["published_date"] == expected[pictures]["published_date"]
        assert len(fetched) == 2  # asked once again before it was taken for pictures, then known
    else:
        assert (result.returncode, again.returncode) == (1, 1)
        assert set(archived) == set(expected) - {pictures}
        assert [r["detail_id"] for r in rows(db, "SELECT detail_id FROM pending_articles")] == [pictures]


def test_a_listing_never_read_is_not_walked_and_alone_is_bad_input_again(tmp_path):
    """Recorded among several start URLs, a wrong one was never walked: given alone next time it
    is bad input (exit 2), the archive untouched."""
    site = ReplaySite(pages=2)
    db = tmp_path / "archive.db"
    bad = f"http://127.0.0.1:{closed_port()}/info/1/page/1"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db, "--start-url", bad, "-s", "RETRY_TIMES=0").returncode == 1
    walked = {r["listing"]: r["walk_finished"] for r in rows(db, "SELECT listing, walk_finished FROM listings")}
    assert walked[bad] is None and walked[server.start_url] is not None
    before = file_digest(db)
    assert_one_line_error(crawl(bad, db, "-s", "RETRY_TIMES=0"))
    assert file_digest(db) == before


def test_an_archived_article_refreshed_to_pictures_keeps_its_text_and_its_page(tmp_path):
    """An archived article whose page now shows its headline but no text (taken for pictures
    after the retries): the text stays, and so does the page the article points at
    (capture_id), not the new page without it."""
    site = ReplaySite(pages=2)
    target = site.listed_ids()[4]
    db = tmp_path / "archive.db"
    faults = PicturesOnly(target)
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
        (before,) = rows(db, "SELECT body, capture_id FROM articles WHERE detail_id = ?", (target,))
        server.faults = faults
        site.edit_article(target)  # a new ETag: the page is sent again, not a 304
        result = crawl(server.start_url, db, "--refresh-days", "100000", "-s", "RETRY_TIMES=0")
    assert result.returncode == 0, result.stderr
    (after,) = rows(db, "SELECT body, capture_id FROM articles WHERE detail_id = ?", (target,))
    newest = rows(db, "SELECT max(id) FROM captures WHERE detail_id = ? AND kind = 'detail' AND status = 200", (target,))[0][0]
    assert newest != before["capture_id"]  # the new page was stored
    assert after["body"] == before["body"] and after["body"]
    assert after["capture_id"] == before["capture_id"]
