"""One listing, however it is typed: start URLs are canonical (scheme and host in lower case,
default port, no fragment, no empty query) before they become listing keys."""

from __future__ import annotations

import json

import pytest

from cli.validate import check_url
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
        ("http://[::1]:8080/info/1/page/1", "http://[::1]:8080/info/1/page/1"),
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
