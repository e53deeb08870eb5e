"""Fewer runs of Python's cycle collector while a spider runs (``PARKNEWS_GC_THRESHOLD``).

A crawl allocates millions of short-lived objects (requests, responses, trees, rows) and
frees almost all of them by reference counting the moment they are done with; hardly any is
part of a reference cycle. CPython's default thresholds (700, 10, 10) still ran the collector
4,086 times in a crawl of 10,000 articles, 34 of them over the whole heap: 3.3 s of CPU, 0.33 ms
an article, to free 2,298 objects in all (timed with ``gc.callbacks``; issue 14,
``bench/bench_floor.py``). With the youngest generation's threshold at 50,000 the same crawl
ran it 3 times (0.04 s) and its peak RSS grew by under 1 MB; a crawl where hundreds of
requests fail grows by ~5 MB more (Twisted's failures hold reference cycles, freed later).

Only the first threshold changes (the older generations are still collected every 10 young
and 10 middle collections); Python's are restored when the spider closes, so a process that
goes on (tests, a script running several crawls) gets its own back. A crawl stopped at once
by a second signal ends its process without closing the spider. 0 (or less) keeps Python's;
at most 2**31 - 1 (a C int), which ``parknews crawl`` checks before it starts.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class CollectorThreshold:
    """The Scrapy extension: ``gc.set_threshold(PARKNEWS_GC_THRESHOLD)`` from spider_opened to
    spider_closed. NotConfigured (not installed) when the setting is 0."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.saved: tuple[int, int, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CollectorThreshold:
        threshold = crawler.settings.getint("PARKNEWS_GC_THRESHOLD")
        if threshold <= 0:
            raise NotConfigured
        threshold = min(threshold, 2**31 - 1)  # `scrapy crawl` is not checked beforehand
        extension = cls(threshold)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        self.saved = gc.get_threshold()
        gc.set_threshold(self.threshold)

    def spider_closed(self, spider) -> None:
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None
