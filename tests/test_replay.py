"""The site replay, fetched over real HTTP: structure, encodings, ground truth, mutations."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
import urllib.robotparser
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.replay import THEMES, Page, ReplayServer, ReplaySite
from crawler.replay.text import char_shingles, jaccard

DETAIL_PATH = re.compile(r"/info/detail/(\d+)\.html")
VOID_TAGS = {"br", "meta", "img", "hr", "input", "link"}


class ParsedPage(HTMLParser):
    """Links (resolved href, text, enclosing tag) and the text of a page."""

    def __init__(self, url: str, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[tuple[str, str, str]] = []
        self.chunks: list[str] = []
        self._stack: list[str] = []
        self._open_link: tuple[str, str, list[str]] | None = None
        self.feed(html)
        self.close()
        self.text = "".join(self.chunks)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a" and (href := dict(attrs).get("href")):
            self._open_link = (urljoin(self.url, href), self._stack[-1] if self._stack else "", [])
        if tag not in VOID_TAGS:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_link:
            url, parent, text = self._open_link
            self.links.append((url, "".join(text), parent))
            self._open_link = None
        if tag in self._stack:
            while self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self._open_link:
            self._open_link[2].append(data)

    def detail_links(self) -> list[tuple[int, str, str]]:
        """(detail id, link text, enclosing tag) of every link to a detail page."""
        found = []
        for url, text, parent in self.links:
            if match := DETAIL_PATH.fullmatch(urlsplit(url).path):
                found.append((int(match[1]), text, parent))
        return found


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def decode(headers: dict, body: bytes) -> str:
    """Decode as a browser would: HTTP charset first, then <meta>; gb2312 means GBK."""
    declared = re.search(r"charset=([\w-]+)", headers.get("Content-Type", ""))
    if not declared:
        declared = re.search(rb"charset=\"?([\w-]+)", body[:1024])
        charset = declared[1].decode() if declared else "utf-8"
    else:
        charset = declared[1]
    return body.decode("gbk" if charset.lower() in ("gb2312", "gbk") else charset)


def get_page(url: str) -> ParsedPage:
    status, headers, body = fetch(url)
    assert status == 200, url
    return ParsedPage(url, decode(headers, body))


@pytest.fixture(scope="module")
def served() -> dict[str, tuple[ReplaySite, ReplayServer]]:
    """One small site per theme, each on its own server (read-only tests share them)."""
    servers = {}
    for theme in THEMES:
        site = ReplaySite(seed=7, pages=6, per_page=10, theme=theme)
        servers[theme] = (site, ReplayServer(site).start())
    yield servers
    for _, server in servers.values():
        server.stop()


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_following_next_reaches_every_page_and_every_entry(served, theme):
    site, server = served[theme]
    expected = site.expected()
    url, seen_pages, found = server.start_url, 0, []
    while url:
        page = get_page(url)
        seen_pages += 1
        assert re.search(rf"共\s*{site.page_count}\s*页", page.text)
        on_page = [row["detail_id"] for row in expected if row["page"] == seen_pages]
        linked = [detail_id for detail_id, _, _ in page.detail_links()]
        assert len(on_page) == site.per_page and set(on_page) <= set(linked)
        found += on_page
        next_links = [link for link, text, _ in page.links if text == "下一页"]
        url = next_links[0] if next_links else None
    assert seen_pages == site.page_count == 6
    assert found == [row["detail_id"] for row in expected]


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_detail_link_resolves_to_a_served_page(served, theme):
    site, server = served[theme]
    known = set(site.listed_ids()) | set(site.foreign_ids())
    # Page 1 under each of its URL forms: relative links must resolve from all of them.
    for path in (site.listing_path(1), f"/info/{site.listing_id}/", f"/info/{site.listing_id}/list_1.html",
                 f"/info/{site.listing_id}/?page=1", site.listing_path(3)):
        page = get_page(server.base_url + path)
        assert {detail_id for detail_id, _, _ in page.detail_links()} <= known, path
    for detail_id, _, _ in page.detail_links()[:12]:
        assert fetch(server.base_url + site.detail_path(detail_id))[0] == 200


def test_themes_use_different_structures(served):
    parents = {}
    for theme, (site, server) in served.items():
        first = site.expected()[0]
        page = get_page(server.start_url)
        parents[theme] = {parent for detail_id, _, parent in page.detail_links() if detail_id == first["detail_id"]}
    assert parents == {"classic": {"li"}, "table": {"td"}, "flat": {"h3"}}


def test_link_forms_vary_across_entries(served):
    site, server = served["classic"]
    hrefs = []
    for number in range(1, site.page_count + 1):
        status, headers, body = fetch(server.base_url + site.listing_path(number))
        hrefs += re.findall(r'href="([^"]*/detail/\d+\.html[^"]*)"', decode(headers, body))
    port = urlsplit(server.base_url).port
    assert any(h.startswith(f"http://127.0.0.1:{port}/") for h in hrefs)
    assert any(h.startswith(f"http://localhost:{port}/") for h in hrefs)
    assert any(h.startswith("/info/detail/") for h in hrefs)
    assert any(h.startswith("../") for h in hrefs)
    assert any("?from=list" in h for h in hrefs) and any("#top" in h for h in hrefs)


def test_sidebar_links_articles_outside_the_listing(served):
    site, server = served["classic"]
    page = get_page(server.start_url)
    linked = {detail_id for detail_id, _, _ in page.detail_links()}
    foreign = linked & set(site.foreign_ids())
    assert foreign and not foreign & set(site.listed_ids())
    assert fetch(server.base_url + site.detail_path(foreign.pop()))[0] == 200


def test_gbk_theme_declares_its_charset_only_in_meta(served):
    site, server = served["table"]
    status, headers, body = fetch(server.start_url)
    assert headers["Content-Type"] == "text/html"
    assert re.search(rb'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', body)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert site.expected()[0]["title_raw"] in body.decode("gbk")
    assert b"&#8226;" in body  # the bullet has no GBK code: it is sent as a character reference


def test_any_theme_can_be_forced_to_gbk():
    site = ReplaySite(seed=2, pages=2, theme="flat", encoding="gbk")
    with ReplayServer(site) as server:
        status, headers, body = fetch(server.base_url + site.detail_path(site.listed_ids()[0]))
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b"charset=GBK" in body[:300]
    assert site.expected()[0]["body"].split("\n")[0] in body.decode("gbk")


def test_utf8_pages_say_so_in_the_header(served):
    _, headers, _ = fetch(served["classic"][1].start_url)
    assert headers["Content-Type"] == "text/html; charset=utf-8"


def test_unknown_pages_are_404(served):
    site, server = served["classic"]
    unknown = next(i for i in range(20000, 70000) if i not in set(site.listed_ids()) | set(site.foreign_ids()))
    assert fetch(server.base_url + site.detail_path(unknown))[0] == 404
    assert fetch(server.base_url + site.listing_path(site.page_count + 1))[0] == 404
    assert fetch(server.base_url + site.listing_path(0))[0] == 404
    assert fetch(server.base_url + "/info/999/page/1")[0] == 404


def test_robots_txt_allows_info_and_disallows_admin_and_search(served):
    _, server = served["classic"]
    status, headers, body = fetch(server.base_url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(body.decode().splitlines())
    assert robots.can_fetch("parknews", server.start_url)
    assert robots.can_fetch("parknews", server.base_url + "/info/detail/23977.html")
    assert not robots.can_fetch("parknews", server.base_url + "/admin/login")
    assert not robots.can_fetch("parknews", server.base_url + "/search?q=招商")


def test_request_log_records_method_path_and_status(served):
    site, server = served["flat"]
    before = len(server.requests)
    fetch(server.base_url + "/info/detail/1.html?from=list")
    fetch(server.start_url)
    assert server.requests[before:] == [("GET", "/info/detail/1.html?from=list", 404),
                                        ("GET", site.listing_path(1), 200)]


def test_expected_matches_rendered_listing_and_detail_pages(served):
    for theme, (site, server) in served.items():
        expected = site.expected()
        for number in range(1, site.page_count + 1):
            text = get_page(server.base_url + site.listing_path(number)).text
            for row in (r for r in expected if r["page"] == number):
                # title_raw is as a browser shows it: whitespace runs as one space
                assert row["title_raw"] in " ".join(text.split())
                assert row["summary"] in text and row["listing_date"] in text
        for row in expected[:: 7]:
            text = get_page(server.base_url + site.detail_path(row["detail_id"])).text
            assert row["title_raw"] in " ".join(text.split()) and row["region_raw"] in text, theme
            assert all(paragraph in text for paragraph in row["body"].split("\n")), theme
            if row["source"]:
                assert f"来源:{row['source']}" in text or f"来源：{row['source']}" in text
            y, m, d = map(int, row["published_date"].split("-"))
            assert (f"{y}年{m:02d}月{d:02d}日" in text or row["published_date"] in text
                    or f"{y}/{m}/{d} {row['published_at'][11:16]}" in text), theme


def test_ground_truth_follows_the_live_site_pattern():
    site = ReplaySite(seed=11)
    rows = site.expected()
    ids = [row["detail_id"] for row in rows]
    assert len(rows) == 350 and len(set(ids)) == 350
    assert all(20000 <= i < 60000 for i in ids) and ids != sorted(ids) and ids != sorted(ids, reverse=True)
    assert [(row["page"], row["position"]) for row in rows[:11]] == [(1, p) for p in range(1, 11)] + [(2, 1)]
    dates = [row["listing_date"] for row in rows]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) < len(dates) * 0.8
    untagged = sum(row["region_tag"] is None for row in rows)
    assert 0.08 * len(rows) < untagged < 0.25 * len(rows)
    for row in rows:
        assert row["published_date"] <= row["listing_date"]
        assert (row["published_at"] is None) or row["published_at"].startswith(row["published_date"] + "T")
        prefix = f"【{row['region_tag']}招商】" if row["region_tag"] else ""
        assert row["title_raw"].startswith(prefix) and "【" not in row["title_raw"][len(prefix):]
        assert row["title"] == " ".join(row["title_raw"][len(prefix):].split())
        assert len(row["summary"]) <= 1500
    lengths = [len(row["body"]) for row in rows]
    short = [n for n in lengths if n < 400]
    assert 0 < len(short) < 0.08 * len(rows) and max(short) < 250 and max(lengths) <= 3000
    assert any(row["published_at"] for row in rows) and any(row["source"] for row in rows)
    details = [site.respond(site.detail_path(i), "http://127.0.0.1:1").body.decode() for i in ids[:40]]
    for form in ("所属地区:", "所属地区：", "发布日期:", "发布日期：", "发布时间"):
        assert any(form in html for html in details), form


def test_reposts_are_later_near_copies_of_listed_articles():
    site = ReplaySite(seed=5)
    rows = {row["detail_id"]: row for row in site.expected()}
    reposts = [row for row in rows.values() if row["repost_of"]]
    assert 0.015 * len(rows) <= len(reposts) <= 0.05 * len(rows)
    for row in reposts:
        original = rows[row["repost_of"]]
        assert original["repost_of"] is None and row["listing_date"] > original["listing_date"]
        assert jaccard(row["body"], original["body"], size=5) >= 0.9
        assert jaccard(row["body"], original["body"], size=3) >= 0.9
    assert any(rows[r["repost_of"]]["body"] != r["body"] for r in reposts)
    # Unrelated articles stay far apart, so a 0.9 threshold separates the two cases.
    sample = [row for row in list(rows.values())[:60] if not row["repost_of"]]
    shingles = [char_shingles(row["body"]) for row in sample]
    unrelated = [len(a & b) / len(a | b) for i, a in enumerate(shingles) for b in shingles[i + 1:]]
    assert max(unrelated) < 0.6


def test_boilerplate_is_longer_than_most_articles():
    site = ReplaySite(seed=3)
    lengths = sorted(len(row["body"]) for row in site.expected())
    assert site.boilerplate.text_length() > lengths[int(0.9 * len(lengths))]


def test_same_seed_same_site_other_seed_other_site():
    assert ReplaySite(seed=4, pages=3).expected() == ReplaySite(seed=4, pages=3).expected()
    assert ReplaySite(seed=4, pages=3).expected() != ReplaySite(seed=5, pages=3).expected()


def test_conditional_get_answers_304_until_the_article_changes():
    site = ReplaySite(seed=9, pages=2)
    detail_id = site.listed_ids()[3]
    with ReplayServer(site) as server:
        url = server.base_url + site.detail_path(detail_id)
        status, headers, body = fetch(url)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert status == 200
        status, not_modified, body = fetch(url, {"If-None-Match": etag})
        assert (status, not_modified["ETag"], body) == (304, etag, b"")
        assert fetch(url, {"If-Modified-Since": modified})[0] == 304
        assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
        old_title = site.expected()[3]["title_raw"]
        site.edit_article(detail_id)
        status, headers, body = fetch(url, {"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag
        assert fetch(url, {"If-Modified-Since": modified})[0] == 200
        new = site.expected()[3]
        assert new["title_raw"] != old_title and new["title_raw"] in decode(headers, body)
        assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304


def test_adding_an_article_shifts_the_listing_down_one_place():
    site = ReplaySite(seed=6, pages=3, per_page=10)
    with ReplayServer(site) as server:
        before = site.listed_ids()
        new_id = site.add_article()
        page1 = [i for i, _, _ in get_page(server.start_url).detail_links()]
        page2 = [i for i, _, _ in get_page(server.base_url + site.listing_path(2)).detail_links()]
        assert site.listed_ids() == [new_id, *before]
        assert new_id in page1 and before[9] not in page1 and before[9] in page2
        assert site.page_count == 4 and fetch(server.base_url + site.listing_path(4))[0] == 200
        assert site.expected()[0]["detail_id"] == new_id
        assert site.expected()[0]["listing_date"] >= site.expected()[1]["listing_date"]
        assert fetch(server.base_url + site.detail_path(new_id))[0] == 200


def test_removing_an_article_takes_it_off_the_listing_and_serves_404():
    site = ReplaySite(seed=6, pages=2)
    with ReplayServer(site) as server:
        gone = site.listed_ids()[2]
        site.remove_article(gone)
        assert fetch(server.base_url + site.detail_path(gone))[0] == 404
        assert gone not in [i for i, _, _ in get_page(server.start_url).detail_links()]
        assert gone not in [row["detail_id"] for row in site.expected()]


def test_rendering_every_page_takes_under_a_second():
    site = ReplaySite(seed=1)
    paths = [site.listing_path(n) for n in range(1, 36)] + [site.detail_path(i) for i in site.listed_ids()]
    started = time.perf_counter()
    pages = [site.respond(path, "http://127.0.0.1:8000") for path in paths]
    elapsed = time.perf_counter() - started
    assert all(page.status == 200 for page in pages) and elapsed < 1.0
    assert site.respond(paths[0], "http://127.0.0.1:8000") is pages[0]  # cached


class AlwaysUnavailable:
    """A fault injector that turns every listing page into a 503."""

    def intercept(self, handler, page):
        return Page(503, b"busy", "text/plain") if "/page/" in handler.path else page


def test_fault_hook_and_latency_shape_every_response():
    site = ReplaySite(seed=1, pages=2)
    with ReplayServer(site, faults=AlwaysUnavailable(), latency=0.2) as server:
        started = time.perf_counter()
        assert fetch(server.start_url)[0] == 503
        assert time.perf_counter() - started >= 0.2
        assert fetch(server.base_url + site.detail_path(site.listed_ids()[0]))[0] == 200
        assert [status for _, _, status in server.requests] == [503, 200]
