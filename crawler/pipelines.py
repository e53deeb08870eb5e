"""Item pipelines: normalise, dedupe, archive. Thin: the rules live in pure functions
(``normalize``) and in the archive writer (``archive.store``)."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import date, datetime, timezone
from typing import Any

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from archive.db import open_archive, write_failure, writing
from archive.errors import EXIT_OK, EXIT_PAGE_ERRORS, EXIT_WRITE_FAILED, WriteFailedError, exit_code_for_signal
from archive.store import ArchiveWriter, Batch, WriteCounts, utc_now
from crawler.items import ArticleItem, Capture, CrawlError, EntrySeen, PendingArticles, Unchanged
from crawler.reactor_idle import IdleMeter
from normalize.dates import SHANGHAI, parse_date
from normalize.regions import resolve_region
from normalize.titles import TRUNCATION_MARKS, clean_title, collapse_whitespace

logger = logging.getLogger(__name__)

# Articles in batches handed to the writer thread and not yet written; past this the crawl
# waits (at least two batches may be in flight, so the reactor fills one while one is written).
MAX_ARTICLES_IN_FLIGHT = 800
# A batch is written at ARCHIVE_BATCH_SIZE articles, or at this many times as many rows of any
# kind (captures, entries, pending pages, errors: an article brings about four), so a walk
# that archives nothing new still commits as it goes. Counting every row as an article made
# batches of ~12 articles: 4× the commits and full-text segments, ~0.25 ms an article.
ROWS_PER_ARTICLE = 8
# While batches go to the writer thread (the crawl waits on the network), a batch of at least
# this many articles is handed over as soon as the thread is idle: the thread then writes all
# along, and what is left to write when the last page arrives stays small (a crawl at 100 ms
# latency: 4.3 s with batches of 250 against 4.2 s). Batches written in the reactor's thread
# (it never waits) fill up to ARCHIVE_BATCH_SIZE: fewer, larger transactions cost less CPU.
EAGER_BATCH_ARTICLES = 50


def preload_writer_modules() -> None:
    """Import what the archive writer loads on first use (the schema upgrade, the repost
    check and numpy: ~0.1 s), in a thread of its own started with the crawl: it runs while
    robots.txt and the first listing page download instead of holding up the first write."""
    try:
        import archive.migrate  # noqa: F401  (imports archive.reposts, numpy)
        import archive.reposts  # noqa: F401
    except Exception:  # noqa: BLE001
        pass  # the writer's own import meets the same error, where it is reported


def unexplained_write_failure(what: str, exc: BaseException) -> WriteFailedError:
    """The one-line error (exit 4) for a write that failed for no reason ``write_failure``
    knows (not a full disk, a read-only file …): ``what`` happened, the traceback at DEBUG."""
    logger.debug("archive write failed", exc_info=exc)
    return WriteFailedError(f"cannot write the archive: {what}; --log-level DEBUG shows where")


def run_now(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """``call`` run in this thread, as a finished Future holding its result or its exception
    (as the writer thread's would)."""
    future: Future = Future()
    try:
        future.set_result(call(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001  (re-raised by Future.result in collect)
        future.set_exception(exc)
    return future


def shown_title(listing_title: str, detail_title: str) -> str:
    """The title as shown: the listing's, unless the listing cut it short and the page has it whole."""
    listing_title = collapse_whitespace(listing_title)
    detail_title = collapse_whitespace(detail_title)
    if not listing_title:
        return detail_title
    if detail_title and listing_title.endswith(TRUNCATION_MARKS):
        return detail_title
    return listing_title


def normalise(item: ArticleItem, *, now: datetime) -> ArticleItem:
    """Fill the normalised fields of ``item`` from its raw ones. Pure apart from mutating ``item``."""
    item.title_raw = shown_title(item.listing_title, item.detail_title)
    cleaned = clean_title(item.title_raw)
    if not cleaned.region_tag and item.detail_title:
        # A listing may drop the 【X招商】 prefix that the article page shows.
        cleaned = dataclasses.replace(cleaned, region_tag=clean_title(item.detail_title).region_tag)
    item.title, item.region_tag = cleaned.title, cleaned.region_tag
    item.summary = collapse_whitespace(item.summary)
    item.body = "\n".join(filter(None, (collapse_whitespace(line) for line in item.body.split("\n"))))
    item.region_raw = collapse_whitespace(item.region_raw) or None
    item.source = collapse_whitespace(item.source) or None

    today = now.astimezone(SHANGHAI).date()  # the site's calendar day, not UTC's
    listing = parse_date(item.listing_date_raw, reference=today, now=now)
    item.listing_date = listing.date
    reference = date.fromisoformat(listing.date) if listing.date else today
    published = parse_date(item.published_raw, reference=reference, now=now)
    item.published_date = published.date or listing.date
    item.published_at = published.at

    region = resolve_region(item.region_tag, item.region_raw)
    item.province, item.city, item.district = region.province, region.city, region.district
    item.zone, item.adcode = region.zone, region.adcode
    item.region_unknown = bool(item.region_tag) and not region.known_tag
    return item


def row_of(item: Any) -> dict:
    """An item's fields as a dict. Shallow: dataclasses.asdict deep-copies every page body."""
    return dict(vars(item))


class NormalisePipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            # Relative dates (9小时前, 昨天) count from when the page was fetched.
            fetched = datetime.fromisoformat(item.fetched_at) if item.fetched_at else datetime.now(timezone.utc)
            return normalise(item, now=fetched)
        return item


class DedupePipeline:
    """One article per detail id within a run, whatever URL form, host or listing it came from."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            if item.detail_id in self.seen:
                raise DropItem(f"detail id {item.detail_id} already archived in this run")
            self.seen.add(item.detail_id)
        return item


class ArchivePipeline:
    """Write the crawl's output to the SQLite archive in batches, and record the run.

    Nothing is written until the first item arrives, so a crawl that fails at its start URL
    leaves an existing archive untouched. Each batch is one transaction: a run killed at any
    moment leaves whole batches behind, and the next run fetches what is missing (the pending
    pages, see ``archive.store``).

    A write that fails (disk full, read-only file, I/O error) stops the crawl at once: later
    items are dropped unwritten, the run is marked ``failed`` if that can still be written,
    and the CLI reports the one-line error with exit code 4.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.path = crawler.settings.get("ARCHIVE_PATH")
        self.batch_size = crawler.settings.getint("ARCHIVE_BATCH_SIZE")
        self.batch_seconds = crawler.settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.batches_in_flight = max(2, MAX_ARTICLES_IN_FLIGHT // self.batch_size)
        self.stale_call: Any = None  # the reactor's call of flush_if_stale, while a batch is open
        self.last_in_thread = True  # where the last batch was written (the first goes to the thread)
        self.inline_below_idle = crawler.settings.getfloat("ARCHIVE_WRITE_INLINE_BELOW_IDLE")
        self.idle = IdleMeter()
        self.gone_after = crawler.settings.getint("PARKNEWS_GONE_AFTER_RUNS")
        self.started = utc_now()
        self.writer: ArchiveWriter | None = None
        self.run_id: int | None = None
        self.batch = Batch()
        self.counts = WriteCounts()
        self.errors = 0
        self.unknown_regions = 0
        self.write_failed: WriteFailedError | None = None
        self.closing = False
        # One thread does the writes, in order: SQLite's own work (FTS5 indexing, page I/O)
        # then runs beside the parsing of the next pages instead of holding up the reactor
        # (unless the reactor never waits: see submit).
        self.write_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-writer")
        self.pending: deque[Future] = deque()
        self.preload = threading.Thread(target=preload_writer_modules, name="archive-preload", daemon=True)
        self.preload.start()

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # The run is closed in spider_closed, the one place that knows why the crawl ended.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        crawler.signals.connect(pipeline.keep_page, signal=signals.item_dropped)
        return pipeline

    def open_writer(self) -> ArchiveWriter:
        if self.writer is None:
            spider = self.crawler.spider
            with writing():
                self.writer = ArchiveWriter(open_archive(self.path), gone_after=self.gone_after)
                self.run_id = self.writer.begin_run(started=self.started, mode=spider.mode, start_urls=list(spider.start_urls))
        return self.writer

    def process_item(self, item: Any) -> Any:
        if not self.idle.installed:
            self.idle.install()  # from the first item on; read at each batch (write_here)
        if self.write_failed is not None:
            return item  # the crawl is stopping; one error line says why, not one per item
        try:
            self.add(item)
        except (sqlite3.Error, OSError, WriteFailedError) as exc:
            self.fail(exc)
        return item

    def add(self, item: Any) -> None:
        if isinstance(item, CrawlError):
            self.errors += 1
            self.crawler.stats.inc_value("parknews/errors")
            self.batch.errors.append(row_of(item))
        elif isinstance(item, ArticleItem):
            article = row_of(item)
            if (page := article.pop("capture")) is not None:
                self.batch.captures.append(row_of(page))  # before the article, as a Capture item came
            self.batch.articles.append(article)
            self.batch.entries.append(article | {"title_shown": item.listing_title, "fresh": item.listing_seen})
            self.unknown_regions += item.region_unknown
        elif isinstance(item, PendingArticles):
            self.batch.pending.extend(row_of(pending) for pending in item.articles)
        elif isinstance(item, EntrySeen):
            self.batch.entries.append(row_of(item))
        elif isinstance(item, Capture):
            self.batch.captures.append(row_of(item))
        elif isinstance(item, Unchanged):
            self.batch.unchanged_ids.append(item.detail_id)
        if self.stale_call is None:
            # The batch's first row: the batch is written ARCHIVE_BATCH_SECONDS from now at the latest.
            from twisted.internet import reactor  # the one Scrapy installed, running by now

            self.stale_call = reactor.callLater(self.batch_seconds, self.flush_if_stale)
        articles = len(self.batch.articles)
        if (
            articles >= self.batch_size
            or len(self.batch) >= self.batch_size * ROWS_PER_ARTICLE
            or (articles >= EAGER_BATCH_ARTICLES and self.last_in_thread and self.writer_idle())
        ):
            self.flush()

    def writer_idle(self) -> bool:
        """Whether every batch handed to the writer thread is written."""
        return all(write.done() for write in self.pending)

    def flush_if_stale(self) -> None:
        """Write the batch ``ARCHIVE_BATCH_SECONDS`` after its first row, though no item came to
        write it (the crawl waits on retries, a slow site): a kill loses no more than that."""
        self.stale_call = None
        try:
            if self.write_failed is None and not self.closing:
                self.flush()
        except (sqlite3.Error, OSError, WriteFailedError) as exc:
            self.fail(exc)

    def cancel_stale_call(self) -> None:
        if self.stale_call is not None and self.stale_call.active():
            self.stale_call.cancel()
        self.stale_call = None

    def fail(self, exc: BaseException) -> None:
        """Stop the crawl at the first write that fails; re-raise what is not a database error.

        Any other SQLite error also stops it (one line, exit 4; the traceback at DEBUG level):
        going on would fail the same way for every item.
        """
        failure = write_failure(exc)
        if failure is None and isinstance(exc, sqlite3.Error):
            failure = unexplained_write_failure(f"database error ({exc})", exc)
        if failure is None:
            raise exc
        if self.write_failed is None:
            self.write_failed = failure
            self.crawler.stats.set_value("parknews/write_failed", str(failure))
            if not self.closing:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_write_failed"))

    def item_error(self, item: Any, response, spider, failure) -> None:
        """A bug in a pipeline must not lose an article silently: record it as a page error,
        and keep its page (a reparse reads it once the bug is mended)."""
        if isinstance(item, ArticleItem) and self.write_failed is None:
            reason = f"processing failed: {failure.type.__name__}: {failure.getErrorMessage()}"[:300]
            self.keep_page(item)
            self.process_item(CrawlError(url=item.url, reason=reason, kind="detail", detail_id=item.detail_id))

    def spider_error(self, failure, response, spider) -> None:
        """A bug in the spider's handling of a page (an extractor fault): that page's error, so
        the run does not end as a success; the page stays pending (see ``item_error``)."""
        request = getattr(response, "request", None)
        if request is None or self.write_failed is not None:
            return
        reason = f"processing failed: {failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        where, status = request.cb_kwargs, getattr(response, "status", None)
        if "item" in where:
            error = CrawlError(url=request.url, reason=reason, http_status=status, kind="detail", detail_id=where["item"].detail_id)
        else:
            error = CrawlError(url=request.url, reason=reason, http_status=status, kind="listing",
                               listing=where.get("listing"), page=where.get("page"))  # fmt: skip
        self.process_item(error)

    def keep_page(self, item: Any, *args: Any, **kwargs: Any) -> None:
        """Store the page of an article that will not reach this pipeline (dropped as a
        duplicate, or failed in an earlier one; also Scrapy's ``item_dropped`` signal)."""
        if isinstance(item, ArticleItem) and item.capture is not None and self.write_failed is None:
            self.process_item(item.capture)

    def flush(self) -> None:
        if not len(self.batch):
            return
        writer = self.open_writer()
        self.submit(writer.write, self.batch, seen_at=utc_now(), run_id=self.run_id)
        self.batch = Batch()
        self.cancel_stale_call()

    def submit(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue a write; collect finished ones. A few batches in flight at most (backpressure).

        The write goes to the writer thread while the reactor waits on the network at least
        ``ARCHIVE_WRITE_INLINE_BELOW_IDLE`` of its time (``crawler.reactor_idle``); otherwise it
        runs here, after every earlier write, so batches are still written in order.
        """
        self.last_in_thread = not self.write_here()
        if not self.last_in_thread:
            wait(self.pending)
            self.pending.append(run_now(write, *args, **kwargs))
        else:
            self.pending.append(self.write_thread.submit(write, *args, **kwargs))
        while self.pending and (len(self.pending) > self.batches_in_flight or self.pending[0].done()):
            self.collect(self.pending.popleft())

    def write_here(self) -> bool:
        """Whether the next write runs in the reactor's thread: it waited on the network less
        than ``inline_below_idle`` of the time since the previous batch."""
        if self.inline_below_idle <= 0 or not self.idle.installed:
            return False
        idle = self.idle.idle_share()
        here = idle is not None and idle < self.inline_below_idle
        logger.debug("reactor idle %s of the time since the last batch: batch written %s",
                     "?" if idle is None else f"{idle:.0%}", "here" if here else "in the writer thread")
        return here

    def collect(self, write: Future) -> None:
        try:
            result = write.result()  # re-raises what the write raised
        except (sqlite3.Error, OSError, WriteFailedError):
            raise
        except Exception as exc:  # noqa: BLE001
            # A fault in our own code while writing (a rule that raised, say): the batch was
            # rolled back. Going on would commit later batches past it, and a later run would
            # not look for what it held; the crawl stops as for any write that failed.
            raise unexplained_write_failure(f"a batch failed ({type(exc).__name__}: {exc})", exc) from exc
        if isinstance(result, WriteCounts):
            self.counts.add(result)

    def drain(self) -> None:
        while self.pending:
            write = self.pending.popleft()
            if self.write_failed is None:
                self.collect(write)
            else:
                write.cancel()  # not started yet: never runs; running: its transaction fails alone

    def spider_closed(self, spider, reason: str) -> None:
        self.closing = True
        self.cancel_stale_call()
        self.preload.join()  # no import left running into the interpreter's exit
        if spider.fatal_error and self.writer is None and not len(self.batch):
            self.write_thread.shutdown()
            return  # bad start: leave the archive as it was
        try:
            if self.write_failed is None:
                self.flush()
            self.drain()
        except (sqlite3.Error, OSError, WriteFailedError) as exc:
            self.fail(exc)
            self.drain()
        self.write_thread.shutdown(wait=True)
        if self.write_failed is not None:
            status = "failed"
        elif reason != "finished":
            status = reason  # e.g. "shutdown" after Ctrl-C / SIGTERM
        else:
            status = "errors" if self.errors else "ok"
        stats = self.crawler.stats
        exit_code = exit_code_for(status, stats.get_value("parknews/signal"))
        stats.set_value("parknews/exit_code", exit_code)
        stats.set_value("parknews/articles_new", self.counts.new)
        stats.set_value("parknews/articles_changed", self.counts.changed)
        stats.set_value("parknews/articles_unchanged", self.counts.unchanged)
        # A walk that ended; its failed listing pages are pending, fetched by URL next time. A
        # listing none of whose pages was read (page 1 failed) was not walked: the next run walks
        # it to the end, and may still find it a wrong start URL.
        walked = [w.listing for w in spider.walks.values() if status in ("ok", "errors") and w.listing in spider.pages_total]
        try:
            writer = self.open_writer()
            stats.set_value("parknews/run_id", self.run_id)
            writer.finish_run(
                self.run_id,
                walked_listings=walked,
                status=status,
                pages=stats.get_value("parknews/pages", 0),
                pages_total=stats.get_value("parknews/pages_total", 0),
                requests=stats.get_value("downloader/request_count", 0),
                articles_new=self.counts.new,
                articles_changed=self.counts.changed,
                articles_unchanged=self.counts.unchanged,
                errors=self.errors,
                unknown_regions=self.unknown_regions,
                exit_code=exit_code,
            )
        except (sqlite3.Error, OSError, WriteFailedError) as exc:
            # Not even the run's end could be written: the next run marks it killed.
            if self.write_failed is None:
                self.fail(exc)
            stats.set_value("parknews/exit_code", EXIT_WRITE_FAILED)
        finally:
            if self.writer is not None:
                self.writer.db.close()


def exit_code_for(status: str, signum: int | None = None) -> int:
    """The exit code of a run that ended with ``status``: 4 write failed, 128 + the signal that
    stopped it (130 Ctrl-C, 143 SIGTERM), 0 ok, 1 page errors or another close reason."""
    if status == "failed":
        return EXIT_WRITE_FAILED
    if signum is not None:
        return exit_code_for_signal(signum)
    return EXIT_OK if status == "ok" else EXIT_PAGE_ERRORS
