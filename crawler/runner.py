"""Running a crawl in-process (for the CLI): settings from options, a result to report on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.errors import EXIT_OK, UsageError
from crawler.spiders.parknews import ParknewsSpider


@dataclass
class CrawlResult:
    fatal_error: str | None
    run_id: int | None
    pages: int
    pages_total: int
    requests: int
    new: int
    changed: int
    unchanged: int
    errors: int
    exit_code: int
    write_failed: str | None = None  # the archive could not be written: the one-line reason


def check_start_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"start URL {url!r} is not an http(s) URL; give a listing page such as https://<park>.010b.com/info/<id>/page/1")
    return url


def crawl_settings(
    *,
    db: str,
    delay: float | None = None,
    concurrency: int | None = None,
    max_pages: int | None = None,
    progress: bool = False,
    log_level: str = "WARNING",
    overrides: dict | None = None,
) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    values: dict = {"ARCHIVE_PATH": db, "PARKNEWS_PROGRESS": progress, "LOG_LEVEL": log_level}
    if delay is not None:
        values["DOWNLOAD_DELAY"] = delay
        values["AUTOTHROTTLE_ENABLED"] = delay > 0
        if values["AUTOTHROTTLE_ENABLED"]:
            values["AUTOTHROTTLE_START_DELAY"] = delay
    if concurrency is not None:
        values["CONCURRENT_REQUESTS"] = concurrency
        values["CONCURRENT_REQUESTS_PER_DOMAIN"] = concurrency
    if max_pages is not None:
        values["PARKNEWS_MAX_PAGES"] = max_pages
    values.update(overrides or {})
    settings.setdict(values, priority="cmdline")
    return settings


class HoldUntilStarted(logging.Handler):
    """Hold log records until the first listing page is confirmed, then pass them on.

    A bad start URL then gives the one line the CLI prints, not a page of retry logs; once the
    crawl is under way, records go straight through (to the journal, under systemd).
    """

    def __init__(self, target: logging.Handler, started: Callable[[], bool]):
        super().__init__(level=target.level)
        self.target = target
        self.started = started
        self.held: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if self.started():
            self.pass_on_held()
            self.target.handle(record)
        else:
            self.held.append(record)

    def pass_on_held(self) -> None:
        for held in self.held:
            self.target.handle(held)
        self.held.clear()


def run_crawl(start_urls: list[str], settings: Settings) -> CrawlResult:
    """Crawl ``start_urls`` into ``settings['ARCHIVE_PATH']``; blocks until the crawl ends."""
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # ours is below
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ParknewsSpider)
    stderr = logging.StreamHandler()
    stderr.setLevel(settings.get("LOG_LEVEL"))
    stderr.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
    handler = HoldUntilStarted(stderr, lambda: getattr(crawler.spider, "listing_confirmed", False))
    logging.root.addHandler(handler)
    try:
        process.crawl(crawler, start_url=",".join(start_urls))
        process.start()
    finally:
        logging.root.removeHandler(handler)
        if not crawler.spider.fatal_error:
            handler.pass_on_held()
    stats = crawler.stats.get_value
    return CrawlResult(
        fatal_error=crawler.spider.fatal_error,
        run_id=stats("parknews/run_id"),
        pages=stats("parknews/pages", 0),
        pages_total=stats("parknews/pages_total", 0),
        requests=stats("downloader/request_count", 0),
        new=stats("parknews/articles_new", 0),
        changed=stats("parknews/articles_changed", 0),
        unchanged=stats("parknews/articles_unchanged", 0),
        errors=stats("parknews/errors", 0),
        exit_code=stats("parknews/exit_code", EXIT_OK),
        write_failed=stats("parknews/write_failed"),
    )
