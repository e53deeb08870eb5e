"""The replay's fault mode, over real HTTP on 127.0.0.1: each fault does what it claims."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from crawler.replay import ReplayServer, ReplaySite
from crawler.replay.faults import ALL_TRANSIENT, PERMANENT, TRANSIENT, Faults, OffsiteServer

SITE = ReplaySite(seed=21, pages=3, per_page=10)
DETAIL = SITE.detail_path(SITE.listed_ids()[0])


def get(base_url: str, path: str, timeout: float = 5.0) -> tuple[int, http.client.HTTPResponse, bytes]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def serve(faults: Faults, site: ReplaySite = SITE) -> ReplayServer:
    return ReplayServer(site, faults=faults)


def first_detail(site: ReplaySite) -> str:
    return site.detail_path(site.listed_ids()[0])


def lead_of(site: ReplaySite) -> str:
    """The first paragraph of the article at ``first_detail(site)``."""
    return site.expected()[0]["body"].split("\n")[0]


def only(kind: str, **options) -> Faults:
    return Faults(rate=1.0, kinds=[kind], **options)


# -- transient kinds --------------------------------------------------------------------------


@pytest.mark.parametrize("kind, status", [("http_500", 500), ("http_502", 502), ("http_503", 503)])
def test_server_errors_answer_their_status(kind, status):
    with serve(only(kind)) as server:
        assert get(server.base_url, DETAIL)[0] == status
        assert server.requests == [("GET", DETAIL, status)]


def test_429_asks_to_retry_after_a_second():
    with serve(only("http_429")) as server:
        status, response, _ = get(server.base_url, DETAIL)
    assert status == 429 and response.getheader("Retry-After") == "1"


def test_reset_drops_the_connection_without_a_response():
    faults = only("reset")
    with serve(faults) as server:
        with pytest.raises(ConnectionResetError):
            get(server.base_url, DETAIL)
        assert server.requests == [("GET", DETAIL, 0)]
    assert [(i.kind, i.path) for i in faults.log] == [("reset", DETAIL)]


def test_stall_outlasts_a_short_client_timeout_then_sends_the_page():
    with serve(only("stall", stall_seconds=0.6, max_consecutive=1)) as server:
        with pytest.raises(TimeoutError):
            get(server.base_url, DETAIL, timeout=0.2)
        assert get(server.base_url, DETAIL)[0] == 200  # the second request is not stalled
    with serve(only("stall", stall_seconds=0.6)) as server:
        started = time.perf_counter()
        status, _, body = get(server.base_url, DETAIL, timeout=3)
        assert status == 200 and lead_of(SITE) in body.decode() and time.perf_counter() - started >= 0.6


def test_truncated_body_is_shorter_than_its_content_length():
    with serve(only("truncated")) as server:
        with pytest.raises(http.client.IncompleteRead) as raised:
            get(server.base_url, DETAIL)
    full = len(SITE.respond(DETAIL, server.base_url).body)
    assert raised.value.expected + len(raised.value.partial) == full
    assert 0 < len(raised.value.partial) < full


def test_empty_200():
    with serve(only("empty_200")) as server:
        status, response, body = get(server.base_url, DETAIL)
    assert (status, response.getheader("Content-Length"), body) == (200, "0", b"")


@pytest.mark.parametrize("theme", ["classic", "table"])  # UTF-8 and GBK sites
def test_gbk_bytes_labelled_utf8(theme):
    site = ReplaySite(seed=21, pages=1, theme=theme)
    with serve(only("gbk_as_utf8"), site) as server:
        status, response, body = get(server.base_url, first_detail(site))
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert lead_of(site) in body.decode("gbk")
    assert re.search(rb"<meta[^>]*charset=\"?gbk", body[:400])


@pytest.mark.parametrize("theme", ["classic", "table"])
def test_utf8_bytes_labelled_gbk_with_a_correct_meta(theme):
    site = ReplaySite(seed=21, pages=1, theme=theme)
    with serve(only("utf8_as_gbk"), site) as server:
        status, response, body = get(server.base_url, first_detail(site))
    assert response.getheader("Content-Type") == "text/html; charset=gbk"
    assert lead_of(site) in body.decode("utf-8")
    assert lead_of(site) not in body.decode("gbk", errors="replace")  # believing the header gives mojibake
    assert re.search(rb"<meta[^>]*charset=\"?utf-8", body[:400])


def test_listing_entries_vanish_once_and_only_on_listings():
    faults = only("vanishing_entries")
    summaries = [row["summary"] for row in SITE.expected() if row["page"] == 1]
    with serve(faults) as server:
        _, _, edited = get(server.base_url, SITE.listing_path(1))
        _, _, whole = get(server.base_url, SITE.listing_path(1))
        detail_status, _, _ = get(server.base_url, DETAIL)
    assert not any(summary in edited.decode() for summary in summaries)
    assert re.search(rf"共\s*{SITE.page_count}\s*页", edited.decode())  # the frame and pager remain
    assert all(summary in whole.decode() for summary in summaries)
    assert detail_status == 200
    assert [i.kind for i in faults.log] == ["vanishing_entries"]


def test_missing_pages_stay_404_under_faults():
    faults = Faults(rate=1.0)
    with serve(faults) as server:
        assert [get(server.base_url, "/info/detail/1.html")[0] for _ in range(3)] == [404] * 3
    assert faults.log == []


# -- how often, and how reproducibly --------------------------------------------------------


def test_a_url_fails_at_most_max_consecutive_times_in_a_row():
    with serve(only("http_503", max_consecutive=2)) as server:
        statuses = [get(server.base_url, DETAIL)[0] for _ in range(6)]
    assert statuses == [503, 503, 200, 503, 503, 200]


def test_rate_is_the_fraction_of_responses_hit():
    faults = Faults(rate=0.1, kinds=["http_500", "http_502", "http_503", "http_429", "empty_200"], seed=4)
    paths = [SITE.detail_path(i) for i in SITE.listed_ids()] * 10
    with serve(faults) as server:
        connection = http.client.HTTPConnection("127.0.0.1", urlsplit(server.base_url).port, timeout=5)
        for path in paths:  # one keep-alive connection: these kinds all answer in full
            connection.request("GET", path)
            connection.getresponse().read()
        connection.close()
    assert 0.06 * len(paths) < len(faults.log) < 0.14 * len(paths)
    assert {status for _, _, status in server.requests} == {200, 500, 502, 503, 429}


def test_every_kind_is_chosen_and_each_only_where_it_applies():
    faults = Faults(rate=0.5, seed=1)
    base = "http://127.0.0.1:1"
    listings = [SITE.listing_path(n) for n in range(1, SITE.page_count + 1)]
    chosen: dict[str, list[str | None]] = {}
    for path in listings * 20 + [DETAIL] * 200 + ["/robots.txt"] * 60:
        chosen.setdefault(path, []).append(faults.choose(path, SITE.respond(path, base), SITE))
    assert {kind for kinds in chosen.values() for kind in kinds} - {None} == ALL_TRANSIENT
    assert all(chosen[path].count("vanishing_entries") == 1 for path in listings)  # once per listing page
    assert "vanishing_entries" not in chosen[DETAIL]
    assert not {"vanishing_entries", "gbk_as_utf8", "utf8_as_gbk"} & set(chosen["/robots.txt"])  # not HTML


def crawl_once(faults: Faults, paths: list[str], workers: int) -> list[tuple[str, str]]:
    with serve(faults) as server, ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda path: get(server.base_url, path, timeout=0.3), paths))
    return sorted((i.kind, i.path) for i in faults.log)


def test_same_seed_same_faults_whatever_the_request_order():
    kinds = ["http_500", "http_503", "http_429", "empty_200", "gbk_as_utf8", "vanishing_entries"]
    paths = [SITE.listing_path(n) for n in (1, 2, 3)] + [SITE.detail_path(i) for i in SITE.listed_ids()]
    sequential = crawl_once(Faults(rate=0.2, kinds=kinds, seed=8), paths * 2, workers=1)
    concurrent = crawl_once(Faults(rate=0.2, kinds=kinds, seed=8), paths[::-1] * 2, workers=8)
    other_seed = crawl_once(Faults(rate=0.2, kinds=kinds, seed=9), paths * 2, workers=1)
    assert sequential == concurrent and sequential != other_seed and len(sequential) > 5


# -- permanent kinds ------------------------------------------------------------------------


def test_not_found_and_always_503_never_recover():
    gone, busy = SITE.detail_path(SITE.listed_ids()[1]), SITE.detail_path(SITE.listed_ids()[2])
    faults = Faults(rate=0.0, permanent={"not_found": [gone], "always_503": [busy]})
    with serve(faults) as server:
        assert [get(server.base_url, gone)[0] for _ in range(4)] == [404] * 4
        assert [get(server.base_url, busy)[0] for _ in range(4)] == [503] * 4
        assert get(server.base_url, DETAIL)[0] == 200


def follow(base_url: str, path: str, limit: int = 8) -> list[tuple[int, str]]:
    """(status, Location) of each response, following redirects by hand up to ``limit``."""
    hops = []
    for _ in range(limit):
        status, response, _ = get(base_url, path)
        location = response.getheader("Location") or ""
        hops.append((status, location))
        if status != 302:
            break
        path = location
    return hops


def test_redirect_chain_takes_three_hops_then_serves_the_page():
    with serve(Faults(rate=0.0, permanent={"redirect_chain": [DETAIL]})) as server:
        hops = follow(server.base_url, DETAIL + "?from=list")
        _, _, body = get(server.base_url, hops[-2][1])
    assert [status for status, _ in hops] == [302, 302, 302, 200]
    assert [location for _, location in hops[:3]] == [f"{DETAIL}?from=list&hop={n}" for n in (1, 2, 3)]
    assert lead_of(SITE) in body.decode()


def test_redirect_loop_bounces_between_two_urls():
    with serve(Faults(rate=0.0, permanent={"redirect_loop": [DETAIL]})) as server:
        hops = follow(server.base_url, DETAIL, limit=6)
    assert [status for status, _ in hops] == [302] * 6
    assert [location for _, location in hops[:3]] == [DETAIL + "?redirect=loop", DETAIL, DETAIL + "?redirect=loop"]


def test_offsite_redirect_points_to_another_host_that_counts_hits():
    with OffsiteServer() as offsite:
        faults = Faults(rate=0.0, permanent={"offsite_redirect": [DETAIL]}, offsite_url=offsite.base_url)
        with serve(faults) as server:
            status, response, _ = get(server.base_url, DETAIL)
        location = response.getheader("Location")
        assert status == 302 and location == offsite.base_url + DETAIL
        assert urlsplit(location).hostname not in ("127.0.0.1", "localhost") and offsite.hits == []
        assert get(offsite.base_url, DETAIL)[0] == 200 and offsite.hits == [DETAIL]


def test_oversized_page_is_larger_than_the_limit_it_is_meant_to_break():
    with serve(Faults(rate=0.0, permanent={"oversized": [DETAIL]})) as server:
        status, response, body = get(server.base_url, DETAIL)
    assert status == 200 and int(response.getheader("Content-Length")) == len(body) > 2 * 1024 * 1024
    assert lead_of(SITE) in body.decode()


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="unknown transient"):
        Faults(kinds=["http_418"])
    with pytest.raises(ValueError, match="offsite_url"):
        Faults(permanent={"offsite_redirect": [DETAIL]})
    with pytest.raises(ValueError, match="unknown permanent"):
        Faults(permanent={"gone": [DETAIL]})
    assert set(TRANSIENT) == ALL_TRANSIENT and len(PERMANENT) == 6


def test_command_line_serves_with_faults_and_latency():
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.replay", "--port", "0", "--pages", "2", "--latency", "0.3",
         "--permanent", "not_found=/info/144795/page/1"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        start_url = process.stdout.readline().strip()
        parts = urlsplit(start_url)
        started = time.perf_counter()
        assert get(f"http://{parts.netloc}", parts.path)[0] == 404
        assert time.perf_counter() - started >= 0.3
    finally:
        process.terminate()
        process.wait(timeout=5)
