"""A hostile network: transient faults of every kind are survived, permanent ones recorded,
mis-declared encodings read right, nothing off the site requested, good articles kept."""

from __future__ import annotations

import pytest

from crawler.replay.faults import PERMANENT, TRANSIENT, Faults, OffsiteServer
from crawler.replay.server import ReplayServer
from crawler.replay.site import Page, ReplaySite
from extract.urls import detail_id
from tests.crawling import crawl, rows

# The crawler under test, with timeouts short enough for a test: a stall (3 s) outlasts the
# download timeout (1 s); an oversized page (2 MiB) outgrows the size cap (1 MiB).
HOSTILE = ["-s", "DOWNLOAD_TIMEOUT=1", "-s", "DOWNLOAD_MAXSIZE=1048576", "-s", "RETRY_TIMES=4"]
MOJIBAKE = ("\ufffd", "鍙", "锛", "銆", "æ", "å", "ç")  # U+FFFD; GBK read as UTF-8 and the reverse


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    site = ReplaySite()  # the full 35 pages: ~40 faults at 10%
    ids = site.listed_ids()
    permanent = {kind: [site.detail_path(ids[10 + i])] for i, kind in enumerate(PERMANENT)}
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    with OffsiteServer() as offsite:
        faults = Faults(rate=0.1, seed=7, permanent=permanent, offsite_url=offsite.base_url)
        with ReplayServer(site, faults=faults) as server:
            result = crawl(server.start_url, db, *HOSTILE)
        yield site, db, result, faults, permanent, offsite.hits


def test_every_kind_of_transient_fault_was_injected(hostile_crawl):
    _, _, _, faults, _, _ = hostile_crawl
    assert set(faults.counts()) >= set(TRANSIENT) - {"vanishing_entries"}


def test_all_but_the_permanently_broken_articles_are_archived_exactly(hostile_crawl):
    site, db, result, _, permanent, _ = hostile_crawl
    assert result.returncode == 1, result.stderr  # errors occurred, and the exit code says so
    broken = {detail_id(p) for kind, paths in permanent.items() if kind != "redirect_chain" for p in paths}
    expected = {a["detail_id"]: a for a in site.expected() if a["detail_id"] not in broken}
    archived = {r["detail_id"]: r for r in rows(db, "SELECT * FROM articles")}
    assert set(archived) == set(expected)
    assert [i for i, a in expected.items() if (archived[i]["title"], archived[i]["body"]) != (a["title"], a["body"])] == []


def test_mis_declared_encodings_come_out_as_the_right_chinese(hostile_crawl):
    _, db, _, _, _, _ = hostile_crawl
    for row in rows(db, "SELECT title, summary, body FROM articles"):
        text = "".join(row)
        assert not any(mark in text for mark in MOJIBAKE), text[:80]


def test_permanent_failures_are_listed_with_their_reason(hostile_crawl):
    _, db, _, _, permanent, _ = hostile_crawl
    errors = {detail_id(r["url"]): r for r in rows(db, "SELECT * FROM crawl_errors")}
    reasons = {kind: errors.get(detail_id(paths[0])) for kind, paths in permanent.items()}
    assert reasons["redirect_chain"] is None  # followed: not an error
    assert reasons["not_found"]["reason"] == "HTTP 404"
    assert reasons["always_503"]["reason"] == "HTTP 503"
    assert "redirect loop" in reasons["redirect_loop"]["reason"]
    assert "redirect off the site" in reasons["offsite_redirect"]["reason"]
    assert reasons["oversized"] is not None
    (run,) = rows(db, "SELECT * FROM crawl_runs")
    assert run["status"] == "errors" and run["errors"] == 5 and run["exit_code"] == 1
    assert run["requests"] > run["pages"] + run["articles_new"]  # retries are counted


def test_nothing_off_the_site_is_requested(hostile_crawl):
    *_, offsite_hits = hostile_crawl
    assert offsite_hits == []


class BreakPages:
    """After a good crawl: one article answers an empty 200, another a body cut short."""

    def __init__(self, empty: str, cut: str):
        self.empty, self.cut = empty, cut

    def intercept(self, handler, page):
        if handler.path.split("?")[0] == self.empty:
            return Page(200, b"", "text/html")
        if handler.path.split("?")[0] == self.cut:
            return Page(200, page.body[: len(page.body) // 3], page.content_type)
        return page


def test_an_empty_or_cut_page_never_replaces_a_good_article(tmp_path):
    site = ReplaySite(pages=2)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
    good = {r["detail_id"]: r["body"] for r in rows(db, "SELECT detail_id, body FROM articles")}
    empty, cut = site.listed_ids()[:2]
    with ReplayServer(site, faults=BreakPages(site.detail_path(empty), site.detail_path(cut)), port=int(server.base_url.rsplit(":", 1)[1])) as again:
        result = crawl(again.start_url, db, "--full", "-s", "RETRY_TIMES=1")
    assert result.returncode == 1, result.stderr
    now = {r["detail_id"]: r["body"] for r in rows(db, "SELECT detail_id, body FROM articles")}
    assert now[empty] == good[empty]
    assert len(now[cut]) >= len(good[cut]) or now[cut] == good[cut]
    reasons = {r["reason"] for r in rows(db, "SELECT reason FROM crawl_errors")}
    assert "article page without article text" in reasons
