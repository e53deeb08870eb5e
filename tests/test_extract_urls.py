from __future__ import annotations

import pytest

from extract.urls import canonical_detail_url, detail_id, is_crawlable, site_domains


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hubei.010b.com/info/detail/23977.html", 23977),
        ("http://127.0.0.1:8000/info/detail/5.html?from=list#top", 5),
        ("/info/detail/42.html", 42),
        ("https://a.010b.com/info/144795/page/19", None),
        ("https://a.010b.com/info/detail/abc.html", None),
        ("https://a.010b.com/info/detail/12.html/comments", None),
        ("https://a.010b.com/search?q=/info/detail/7.html", None),
    ],
)
def test_detail_id(url, expected):
    assert detail_id(url) == expected


def test_canonical_detail_url_drops_query_and_fragment_and_default_port():
    assert canonical_detail_url("HTTPS://Hubei.010b.com:443/info/detail/1.html?x=1#f") == "https://hubei.010b.com/info/detail/1.html"
    assert canonical_detail_url("http://127.0.0.1:8000/info/detail/2.html#c") == "http://127.0.0.1:8000/info/detail/2.html"


def test_site_domains_registrable_domain():
    assert site_domains("https://jianghanqudianzixinxichanyeyuanqu.010b.com/info/144795/page/19") == ["010b.com"]
    assert site_domains("http://news.example.com.cn/list") == ["example.com.cn"]


@pytest.mark.parametrize("start", ["http://127.0.0.1:8765/info/1", "http://localhost/info/1", "http://[::1]:9000/x"])
def test_site_domains_loopback_gives_all_loopback_names(start):
    assert sorted(site_domains(start)) == ["127.0.0.1", "::1", "localhost"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hubei.010b.com/info/detail/1.html", True),
        ("http://010b.com/", True),
        ("https://evil010b.com/", False),
        ("https://example.org/info/detail/1.html", False),
        ("mailto:kf@010b.com", False),
        ("javascript:void(0)", False),
        ("tel:4001622002", False),
        ("file:///etc/passwd", False),
        ("data:text/html,hello", False),
        ("ftp://hubei.010b.com/x", False),
    ],
)
def test_is_crawlable(url, expected):
    assert is_crawlable(url, ["010b.com"]) is expected


def test_is_crawlable_loopback():
    domains = site_domains("http://127.0.0.1:8000/info/1")
    assert is_crawlable("http://localhost:8000/info/detail/3.html", domains)
    assert is_crawlable("http://[::1]:8000/", domains)
    assert not is_crawlable("http://10.0.0.1/", domains)
