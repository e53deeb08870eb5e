"""Running a crawl in-process (for the CLI): settings from options, a result to report on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.errors import EXIT_OK, UsageError, exit_code_for_signal
from cli.terminal import VisibleFormatter
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
    stopped_at_once: bool = False  # a second SIGINT/SIGTERM stopped the reactor before the spider closed


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


class _Process(CrawlerProcess):
    """Scrapy's process, remembering which signal (SIGINT, SIGTERM) asked it to stop."""

    signal_received: int | None = None

    def _signal_shutdown(self, signum: int, frame) -> None:  # Scrapy's handler (2.13-2.19)
        if self.signal_received is None:
            self.signal_received = signum
            for crawler in self.crawlers:  # the run's row records the code the process exits with
                if crawler.stats is not None:
                    crawler.stats.set_value("parknews/signal", signum)
        super()._signal_shutdown(signum, frame)


def log_handler(settings: Settings) -> logging.Handler:
    """Where Scrapy's log goes: appended to LOG_FILE, else stderr (clearing the live progress line first)."""
    if settings.get("LOG_FILE"):
        handler: logging.Handler = logging.FileHandler(settings.get("LOG_FILE"), mode="a", encoding="utf-8")
        prefix = ""
    else:
        handler = logging.StreamHandler()
        prefix = "\r\033[K" if settings.getbool("PARKNEWS_PROGRESS") else ""  # the progress line redraws itself
    handler.setLevel(settings.get("LOG_LEVEL"))
    handler.setFormatter(VisibleFormatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"), prefix=prefix))
    return handler


def run_crawl(start_urls: list[str], settings: Settings) -> CrawlResult:
    """Crawl ``start_urls`` into ``settings['ARCHIVE_PATH']``; blocks until the crawl ends.

    Stopped by SIGINT or SIGTERM, the crawl closes gracefully (the run is recorded with status
    ``shutdown``) and the exit code is 128 + the signal's number (130, 143).
    """
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # ours is below
    process = _Process(settings)
    # The crawl's loggers at its level: Scrapy's logging config sets its own to DEBUG, so each
    # page and item made a debug record that the handler then dropped (~4 an article), while
    # ours were left at the root's WARNING, so that --log-level DEBUG did not show them.
    for name in ("scrapy", "crawler", "archive"):
        logging.getLogger(name).setLevel(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler(ParknewsSpider)
    handler = HoldUntilStarted(log_handler(settings), lambda: getattr(crawler.spider, "listing_confirmed", False))
    logging.root.addHandler(handler)
    failures: list = []
    try:
        process.crawl(crawler, start_url=",".join(start_urls)).addErrback(failures.append)
        process.start()
    finally:
        logging.root.removeHandler(handler)
        if crawler.spider is not None and not crawler.spider.fatal_error:
            handler.pass_on_held()
        handler.target.close()
    stats = crawler.stats.get_value if crawler.stats is not None else lambda key, default=None: default
    if process.signal_received is not None and (crawler.spider is None or stats("finish_reason") is None):
        # A second Ctrl-C (or SIGTERM) during the graceful stop: Scrapy stopped the reactor at
        # once, before the spider closed. Its run stays 'running'; the next run marks it killed.
        return CrawlResult(fatal_error=None, run_id=stats("parknews/run_id"), pages=0, pages_total=0, requests=0,
                           new=0, changed=0, unchanged=0, errors=0, stopped_at_once=True,
                           exit_code=exit_code_for_signal(process.signal_received))  # fmt: skip
    if failures or crawler.spider is None or stats("finish_reason") is None:
        # Scrapy could not set the crawl up (a component that fails to build, a bad setting
        # value): it logs and returns as if nothing happened. It did not crawl: not a success.
        cause = failures[0].getErrorMessage() if failures else "the crawl did not start"
        kind = failures[0].type.__name__ if failures else "Error"
        raise UsageError(f"the crawl could not start ({kind}: {cause}); check the -s settings")
    exit_code = stats("parknews/exit_code", EXIT_OK)
    if process.signal_received is not None:
        exit_code = exit_code_for_signal(process.signal_received)
    return CrawlResult(
        # Stopped by a signal before page 1 answered, the start URL only looks bad: exit 128 + n.
        fatal_error=crawler.spider.fatal_error if process.signal_received is None else None,
        run_id=stats("parknews/run_id"),
        pages=stats("parknews/pages", 0),
        pages_total=stats("parknews/pages_total", 0),
        requests=stats("downloader/request_count", 0),
        new=stats("parknews/articles_new", 0),
        changed=stats("parknews/articles_changed", 0),
        unchanged=stats("parknews/articles_unchanged", 0),
        errors=stats("parknews/errors", 0),
        exit_code=exit_code,
        write_failed=stats("parknews/write_failed"),
    )
