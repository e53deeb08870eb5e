"""The cycle collector's threshold while a spider runs (crawler/collector.py): raised from
spider_opened to spider_closed, Python's own restored after; 0 leaves Python's alone."""

from __future__ import annotations

import gc

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler import settings as parknews_settings
from crawler.collector import CollectorThreshold
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import assert_one_line_error, crawl, rows


@pytest.fixture
def python_threshold():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_raised_while_the_spider_runs_and_restored_after(python_threshold):
    crawler = get_crawler(Spider, {"PARKNEWS_GC_THRESHOLD": 12_345})
    extension = CollectorThreshold.from_crawler(crawler)
    spider = Spider("test")
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    assert gc.get_threshold() == (12_345, 10, 10)
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    assert gc.get_threshold() == (700, 10, 10)
    assert extension.saved is None


def test_zero_keeps_pythons_threshold(python_threshold):
    with pytest.raises(NotConfigured):
        CollectorThreshold.from_crawler(get_crawler(Spider, {"PARKNEWS_GC_THRESHOLD": 0}))
    assert gc.get_threshold() == (700, 10, 10)


def test_on_by_default_in_the_project_settings():
    assert parknews_settings.PARKNEWS_GC_THRESHOLD > 700
    assert "crawler.collector.CollectorThreshold" in parknews_settings.EXTENSIONS


@pytest.mark.parametrize("threshold", ["0", "50000"])
def test_a_crawl_archives_the_same_either_way(tmp_path, threshold):
    site = ReplaySite(pages=2, seed=3)
    with ReplayServer(site) as server:
        result = crawl(server.start_url, tmp_path / "a.db", "-s", f"PARKNEWS_GC_THRESHOLD={threshold}",
                       "-s", "LOG_LEVEL=INFO")  # fmt: skip
    assert result.returncode == 0, result.stderr
    # Scrapy lists the extensions it enabled at INFO.
    assert ("crawler.collector.CollectorThreshold" in result.stderr) == (threshold != "0")
    assert len(rows(tmp_path / "a.db", "SELECT detail_id FROM articles")) == len(site.expected())


@pytest.mark.parametrize("value", ["-1", "lots", "1.5", "2147483648", "9007199254740992", ""])
def test_a_bad_threshold_is_refused_before_the_crawl(tmp_path, value):
    result = crawl("http://127.0.0.1:9/info/1/page/1", tmp_path / "a.db", "-s", f"PARKNEWS_GC_THRESHOLD={value}")
    assert_one_line_error(result)
    assert "PARKNEWS_GC_THRESHOLD" in result.stderr
    assert not (tmp_path / "a.db").exists()


def test_the_largest_threshold_is_taken(tmp_path):
    site = ReplaySite(pages=1, seed=3)
    with ReplayServer(site) as server:
        result = crawl(server.start_url, tmp_path / "a.db", "-s", "PARKNEWS_GC_THRESHOLD=2147483647")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
