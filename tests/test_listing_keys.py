"""One listing, however it is typed: start URLs are canonical (scheme and host in lower case,
default port, no fragment, no empty query) before they become listing keys."""

from __future__ import annotations

import json

import pytest

from archive.errors import UsageError
from cli.crawl import read_listings_file
from cli.validate import check_url
from extract.urls import URL_LENGTH_LIMIT
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import crawl, rows


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("HTTP://Park.010B.com/info/1/page/1", "http://park.010b.com/info/1/page/1"),
        ("https://park.010b.com/info/1/page/1#top", "https://park.010b.com/info/1/page/1"),
        ("https://park.010b.com/info/1/page/1?", "https://park.010b.com/info/1/page/1"),
        ("https://park.010b.com:443/info/1/page/1", "https://park.010b.com/info/1/page/1"),
        ("http://park.010b.com:80/info/1/page/1?#", "http://park.010b.com/info/1/page/1"),
        ("http://park.010b.com", "http://park.010b.com/"),
        ("http://park.010b.com:8080/info/1/page/1?from=menu#x", "http://park.010b.com:8080/info/1/page/1?from=menu"),
        ("http://park.010b.com/info/1/page/1?q=中文", "http://park.010b.com/info/1/page/1?q=%E4%B8%AD%E6%96%87"),
        ("http://park.010b.com/info/1/page/1?q=%E4%B8%AD%E6%96%87", "http://park.010b.com/info/1/page/1?q=%E4%B8%AD%E6%96%87"),
        ("http://ＰＡＲＫ.010b.com/info/1/page/1", "http://park.010b.com/info/1/page/1"),
        ("http://park.010b.com./info/1/page/1", "http://park.010b.com/info/1/page/1"),
        ("http://产业园区.cn/info/1/page/1", "http://xn--vhq3m80jhue.cn/info/1/page/1"),
        ("http://park.010b.com/info/1/page/1?q=%e6%b1%9f", "http://park.010b.com/info/1/page/1?q=%E6%B1%9F"),
        ("http://park.010b.com/%7ework/page/1?q=a%2db", "http://park.010b.com/~work/page/1?q=a-b"),
        ("http://park.010b.com/a%2fb/page/1", "http://park.010b.com/a%2Fb/page/1"),  # an escaped / stays escaped
    ],
)
def test_check_url_gives_the_canonical_form(typed, canonical):
    assert check_url(typed) == canonical
    assert check_url(canonical) == canonical  # idempotent


def test_one_listing_typed_four_ways_is_walked_and_recorded_once(tmp_path):
    site = ReplaySite(seed=3, pages=2, per_page=3)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        url = server.start_url
        scheme, rest = url.split("://", 1)
        spellings = [url, f"{scheme.upper()}://{rest}", f"{url}#top", f"{url}?"]
        result = crawl(spellings[0], db, *[arg for spelling in spellings[1:] for arg in ("--start-url", spelling)])
        first_pages = [path for _, path, _ in server.requests if path.endswith("/page/1")]
    assert result.returncode == 0, result.stderr
    assert [row["listing"] for row in rows(db, "SELECT listing FROM listings")] == [url]
    assert json.loads(rows(db, "SELECT start_urls FROM crawl_runs")[0]["start_urls"]) == [url]
    assert len(first_pages) == 1
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(site.expected())


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://reader:s3cret@park.010b.com/info/1/page/1", "user name or password"),
        ("http://@park.010b.com/info/1/page/1", "user name or password"),
        ("http://[::1]:8080/info/1/page/1", "IPv6"),
        ("http://park.010b.com/info/1/page/1?x=" + "a" * URL_LENGTH_LIMIT, "characters long"),
    ],
)
def test_urls_the_crawler_cannot_fetch_are_refused(url, says):
    with pytest.raises(UsageError, match=says) as raised:
        check_url(url)
    assert "s3cret" not in str(raised.value)


def test_listings_file_with_bom_and_comments(tmp_path):
    listings = tmp_path / "listings.txt"
    listings.write_bytes(
        "\ufeffhttp://a.010b.com/info/1/page/1  # 江汉区\n\n# a comment line\n"
        "http://b.010b.com/info/2/page/1#top\n   # indented comment\n".encode("utf-8")
    )
    assert read_listings_file(str(listings)) == ["http://a.010b.com/info/1/page/1", "http://b.010b.com/info/2/page/1#top"]


def test_scrapy_crawl_keys_listings_as_parknews_crawl_does(tmp_path):
    """`scrapy crawl parknews -a start_url=…` (the same spider) stores the canonical key too."""
    import subprocess
    import sys
    from pathlib import Path

    site = ReplaySite(seed=3, pages=1, per_page=2)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        scheme, rest = server.start_url.split("://", 1)
        typed = f"{scheme.upper()}://{rest}?#top"
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "parknews", "-a", f"start_url={typed}", "-s", f"ARCHIVE_PATH={db}",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"],
            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert [row["listing"] for row in rows(db, "SELECT listing FROM listings")] == [server.start_url]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://bob:hunter2@127.0.0.1:{port}/info/144795/page/1", "user name or password"),
        ("http://127.0.0.1:{port}/info/144795/page/1?x=" + "a" * 2100, "characters long"),
        ("ftp://127.0.0.1:{port}/info/144795/page/1", "not an http(s) URL"),
        ("http://[::1]:{port}/info/144795/page/1", "IPv6"),
    ],
)
def test_scrapy_crawl_refuses_what_parknews_crawl_refuses(tmp_path, url, says):
    """`scrapy crawl -a start_url=…` skips the CLI's checks: the spider makes them itself, one
    error line in the log (no password), nothing requested, nothing written."""
    import subprocess
    import sys
    from pathlib import Path

    db = tmp_path / "archive.db"
    with ReplayServer(ReplaySite(seed=3, pages=1, per_page=2)) as server:
        port = server.base_url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "parknews", "-a", f"start_url={url.format(port=port)}",
             "-s", f"ARCHIVE_PATH={db}", "-s", "LOG_LEVEL=WARNING"],
            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        requests = list(server.requests)
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and says in errors[0] and "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr and requests == [] and not db.exists()
