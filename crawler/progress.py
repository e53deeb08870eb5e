"""A one-line live progress display on stderr, for people watching a crawl in a terminal.

The line is made of the crawl's counters only (whole numbers, formatted with ``d``), never of
text from the network, so it needs no escaping (``cli.terminal`` is for text).
"""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    interval = 0.5

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.loop = task.LoopingCall(self.show)

    @classmethod
    def from_crawler(cls, crawler) -> Progress:
        if not crawler.settings.getbool("PARKNEWS_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self) -> str:
        get = self.stats.get_value
        total = f"{get('parknews/pages_total'):d}" if get("parknews/pages_total") else "?"
        return (
            f"listing pages {get('parknews/pages', 0):d}/{total} · "
            f"articles fetched {get('parknews/articles_fetched', 0):d} · "
            f"errors {get('parknews/errors', 0):d}"
        )

    def show(self) -> None:
        sys.stderr.write("\r\033[K" + self.line())
        sys.stderr.flush()

    def spider_opened(self, spider) -> None:
        self.loop.start(self.interval)

    def spider_closed(self, spider) -> None:
        if self.loop.running:
            self.loop.stop()
        self.show()
        sys.stderr.write("\n")
