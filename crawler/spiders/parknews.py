"""The ``parknews`` spider: a paginated listing, and every article page it lists.

Entries, pagination and article fields are found by ``extract`` from content and
structure; this module only decides what to request and what to yield.

How much it walks depends on what the archive already holds (``archive.state``):
- a listing never walked to its end (a first crawl, or one killed before its walk ended) is
  walked page by page to the end, all pages requested at once;
- a listing walked to its end before is walked from page 1, one page after another, until
  ``PARKNEWS_KNOWN_PAGES_TO_STOP`` pages in a row hold only known articles (incremental);
- ``PARKNEWS_FULL`` walks every page and fetches every article page again.
Article pages are fetched only for new articles, plus those due for a refresh
(``PARKNEWS_REFRESH_DAYS``), which are asked for with the validators the server gave.

Whatever the mode, article and listing pages an earlier run left pending (failed, or killed
before they were archived) are requested first, by their URL, without walking the listing
from page 1 (a pending listing page is followed like an incremental walk: while its next
pages hold new articles); pages given up as gone (404/410 in ``PARKNEWS_GONE_AFTER_RUNS``
runs in a row) are not requested.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.state import CrawlState, RefreshTarget, ShownEntry, archived_page, shown_entries
from archive.store import GONE_STATUSES, utc_now
from crawler import settings as defaults
from crawler.items import (
    ArticleItem,
    Capture,
    CrawlError,
    EntrySeen,
    PendingArticle,
    PendingArticles,
    Unchanged,
    archived_article,
    entry_seen,
    pending_article,
)
from crawler.middlewares import is_transient
from crawler.robots import RobotsUnreachable
from extract.detail import detail_fields
from extract.encoding import decode_html
from extract.listing import ListingEntry, Pagination, listing_entries, looks_like_listing, pagination
from extract.urls import (
    canonical_detail_url, canonical_listing_url, is_crawlable, listing_url_problem, site_domains, without_userinfo,
)
from normalize.dates import SHANGHAI
from normalize.titles import TRUNCATION_MARKS, clean_title, retitle



# Meta keys Scrapy's downloader and redirects set on a request (retry_times is the retry's own).
DOWNLOADER_META_KEYS = ("download_latency", "download_slot", "redirect_times", "redirect_ttl", "redirect_urls",
                        "redirect_reasons", "_auth_proxy", "_scheme_proxy", "_dont_cache", "cache_timestamp")  # fmt: skip


# Any text outside tags: a page without it is an empty answer, the site's trouble for now.
_PAGE_TEXT = re.compile(r"(?:^|>)\s*[^<\s]")
_FAILURE_REPR = re.compile(r"<twisted\.python\.failure\.Failure (?:[\w.]+\.)?(\w+): ([^>]*)>")


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short human reason for a failed request, and the HTTP status where there was one."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}", response.status
    # Twisted's ResponseFailed carries its causes as a list of Failures, and Scrapy 2.19's
    # DownloadFailedError that list's repr: name the causes ("ConnectionLost: …") instead.
    message = _FAILURE_REPR.sub(r"\1: \2", failure.getErrorMessage()).strip("[]")
    return (f"{failure.type.__name__}: {message}" if message else failure.type.__name__)[:300], None


def capture(response: Response, kind: str, **where: Any) -> Capture:
    headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
    return Capture(url=response.url, status=response.status, headers=headers, body=response.body,
                   kind=kind, fetched_at=utc_now(), **where)  # fmt: skip


def page_html(response: Response) -> str:
    return decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))


def headline_key(title: str) -> str:
    """A headline without its 【region】 tags and spacing: two headlines with one key are one."""
    return "".join(clean_title(title or "").title.split())


def shows_headline(page_title: str, listing_title: str | None) -> bool:
    """Whether the title found on an article page is the one its listing showed (the 【region】
    prefix, whitespace and a listing's truncation mark … aside): the page is that article."""
    shown, listed = headline_key(page_title), headline_key(listing_title or "").rstrip("….。")
    return bool(shown and listed) and shown.startswith(listed)


def _listing_key(url: str) -> str:
    """``url`` in its canonical form, or as typed if it has none (the request then fails)."""
    try:
        return canonical_listing_url(url)
    except (UnicodeError, ValueError):
        return url


@dataclass
class Walk:
    """How one listing is walked in this run."""

    listing: str
    to_the_end: bool  # False: stop after enough pages of known articles (incremental)
    declared_total: int = 0  # the largest page count any of its pages declared
    over_limit: bool = False  # the hard page limit was hit (recorded once)


class ParknewsSpider(scrapy.Spider):
    name = "parknews"

    def __init__(self, start_url: str | None = None, max_pages: int | str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.start_url_arg = start_url
        self.max_pages_arg = max_pages
        # Set when the crawl cannot go on (the start URL is unreachable or not a listing);
        # the CLI reports it and nothing is archived.
        self.fatal_error: str | None = None
        self.listing_confirmed = False  # the first listing page answered and is a listing
        self.pages_total: dict[str, int] = {}  # listing -> pages it has (within max_pages), as seen so far
        self.requested_ids: set[int] = set()
        self.requested_pages: dict[str, set[int]] = {}
        self.entries_seen: set[tuple[str, int]] = set()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> ParknewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        typed = [u for u in spider.start_url_arg.split(",") if u] if spider.start_url_arg else settings.getlist("PARKNEWS_START_URLS")
        # `scrapy crawl -a start_url=…` and -s PARKNEWS_START_URLS come here unchecked (parknews
        # crawl has refused a bad one already): the same checks, before anything is requested.
        for url in typed:
            if problem := listing_url_problem(url):
                spider.fatal_error = f"start URL {without_userinfo(url)!r} {problem}"
                break
        # Each listing by its one key, however typed.
        spider.start_urls = list(dict.fromkeys(_listing_key(url) for url in typed))
        max_pages = spider.max_pages_arg if spider.max_pages_arg is not None else settings.getint("PARKNEWS_MAX_PAGES")
        spider.max_pages = int(max_pages) or None
        spider.max_listing_pages = settings.getint("PARKNEWS_MAX_LISTING_PAGES", defaults.PARKNEWS_MAX_LISTING_PAGES)
        spider.allowed_domains = sorted({d for url in spider.start_urls for d in site_domains(url)})
        spider.stop_after_known = settings.getint("PARKNEWS_KNOWN_PAGES_TO_STOP")
        spider.full = settings.getbool("PARKNEWS_FULL")
        refresh_days = settings.get("PARKNEWS_REFRESH_DAYS")
        refreshing = refresh_days not in (None, "")
        today = datetime.now(SHANGHAI).date()
        state = CrawlState.load(
            settings.get("ARCHIVE_PATH"),
            refresh_since=today - timedelta(days=int(refresh_days)) if refreshing else None,
            refresh_all=spider.full,
        )
        spider.known_ids = state.known_ids
        spider.new_in_unfinished_run = state.new_in_unfinished_run
        spider.refresh = {target.detail_id: target for target in state.refresh}
        spider.pending_articles = state.pending_articles
        spider.pending_pages = [p for p in state.pending_pages if p.listing in spider.start_urls]
        spider.gone_ids = state.gone_ids
        spider.gone_pages = state.gone_pages
        spider.walked_before = set(state.walked_listings)
        spider.walks = {
            url: Walk(url, to_the_end=spider.full or url not in spider.walked_before) for url in spider.start_urls
        }
        if spider.full or not spider.known_ids:
            spider.mode = "full"
        else:
            spider.mode = "refresh" if refreshing else "incremental"
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.fatal_error:  # a start URL that cannot be fetched (see from_crawler)
            self.logger.error(self.fatal_error)
            raise CloseSpider("bad_start_url")
        for url in self.start_urls:
            self.requested_pages[url] = {1}
            yield self.listing_request(url, listing=url, page=1)

    # -- listing pages ------------------------------------------------------------------------

    def listing_request(self, url: str, *, listing: str, page: int, known_streak: int = 0) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"listing": listing, "page": page},
            meta={"known_streak": known_streak},  # pages in a row of known articles before this one
            dont_filter=True,  # pages are deduplicated per listing, by number (requested_pages)
        )

    def parse_listing(self, response: Response, listing: str, page: int) -> Iterator[Any]:
        html = page_html(response)
        entries = listing_entries(html, response.url)
        pages = pagination(html, response.url)
        if page == 1 and not looks_like_listing(entries, pages):
            if not _PAGE_TEXT.search(html.replace("\ufeff", "")):  # no text at all (empty, a BOM, bare tags): ask again
                yield self.retry_or_error(response, "empty listing page", listing=listing)
                return
            reason = "not a listing page (no entries linking to /info/detail/<id>.html found)"
            if self.is_wrong_start(listing):
                self.fatal_error = f"{response.url} is {reason}; pass the URL of a listing's page 1"
                raise CloseSpider("not_a_listing")
            yield capture(response, "listing", listing=listing, page=page)
            yield CrawlError(url=response.url, reason=reason, http_status=response.status, kind="listing",
                             **response.request.cb_kwargs)  # fmt: skip
            return
        if not self.listing_confirmed:
            self.listing_confirmed = True
            yield from self.pending_requests()  # the refreshes wait for the walk (see on_idle)
        yield capture(response, "listing", listing=listing, page=page)
        if not entries:
            # A listing page without entries is a page being edited: ask again later.
            yield self.retry_or_error(response, "listing page without entries", listing=listing)
            return
        stats = self.crawler.stats
        stats.inc_value("parknews/pages")
        # pages_total sums the listings: each listing's own count is the largest its pager showed.
        self.pages_total[listing] = max(self.pages_total.get(listing, 0), self.page_limit(pages.total_pages or page))
        stats.set_value("parknews/pages_total", sum(self.pages_total.values()))

        walk = self.walks[listing]
        if walk.to_the_end:
            yield from self.follow_pages(pages, walk, page=page)
        else:
            # Page after page while pages hold new articles. A page pending from an earlier run
            # starts a chain of its own: what lay behind it (reached only through it) is found.
            # New: not archived, or first archived by a run that did not end (it would have read on).
            has_new = any(e.detail_id not in self.known_ids or e.detail_id in self.new_in_unfinished_run for e in entries)
            streak = 0 if has_new else response.meta.get("known_streak", 0) + 1
            if streak < self.stop_after_known:
                yield from self.follow_pages(pages, walk, page=page, known_streak=streak)
        retitled = self.retitled_entries(entries, listing)
        followed = [
            out
            for entry in entries
            for out in self.follow_entry(entry, listing=listing, listing_url=response.url, page=page, retitled=retitled)
        ]
        if pending := [out for out in followed if isinstance(out, PendingArticle)]:
            yield PendingArticles(pending)  # before the requests: no article is written before it is pending
        yield from (out for out in followed if not isinstance(out, PendingArticle))

    def is_wrong_start(self, listing: str | None) -> bool:
        """Whether page 1 of ``listing`` failing for good (DNS, refused, 4xx, not a listing: see
        ``crawler.middlewares.is_transient``) is bad input that ends the crawl (exit 2, nothing
        written): only for the one start URL of a crawl, before any listing page answered, and a
        listing this archive has not walked before. Otherwise it is that listing's error (exit 1,
        the page pending): a listing known to work is in trouble for now, and among several start
        URLs one that fails must not decide, by when it fails, what the others write."""
        return (len(self.start_urls) == 1 and listing in self.start_urls and not self.listing_confirmed
                and listing not in self.walked_before)  # fmt: skip

    def page_limit(self, total: int) -> int:
        return min(total, self.max_pages) if self.max_pages else total

    def follow_pages(self, pages: Pagination, walk: Walk, *, page: int, known_streak: int = 0) -> Iterator[Any]:
        """Request the listing pages not requested yet: all of them, or (incremental) the next.

        Bounded twice: a "next" link past the largest page count the pager declared is not
        followed (a pager that says 共 3 页 ends at 3), and no listing is walked past
        ``PARKNEWS_MAX_LISTING_PAGES`` pages, whatever its pager says (a pager that never
        ends): that stop is recorded as a crawl error.
        """
        walk.declared_total = max(walk.declared_total, pages.total_pages or 0)
        candidates = dict(pages.page_urls)
        if pages.next_url and (page + 1) not in candidates and (not walk.declared_total or page + 1 <= walk.declared_total):
            candidates[page + 1] = pages.next_url
        if not walk.to_the_end:
            candidates = {n: url for n, url in candidates.items() if n == page + 1}
        seen = self.requested_pages.setdefault(walk.listing, set())
        for number, url in sorted(candidates.items()):
            if number in seen or (self.max_pages and number > self.max_pages) or (walk.listing, number) in self.gone_pages:
                continue
            if number > self.max_listing_pages:
                if not walk.over_limit:
                    walk.over_limit = True
                    yield CrawlError(url=url, reason=f"listing has more than {self.max_listing_pages} pages: walk stopped "
                                                     "(PARKNEWS_MAX_LISTING_PAGES)", http_status=None)  # fmt: skip
                continue
            seen.add(number)
            yield self.listing_request(url, listing=walk.listing, page=number, known_streak=known_streak)

    def retitled_entries(self, entries: list[ListingEntry], listing: str) -> dict[int, ShownEntry]:
        """The archived articles this listing page shows under another headline than it did
        last time (spacing aside), with the validators of their archived page: an edited
        article is fetched again, the page asked for only if it changed. A full crawl fetches
        every entry anyway."""
        known = [e.detail_id for e in entries if e.detail_id in self.known_ids and e.detail_id not in self.requested_ids]
        if self.full or not known:
            return {}
        shown = shown_entries(self.settings.get("ARCHIVE_PATH"), listing, known)

        def key(title: str) -> str:
            return "".join(title.split())

        return {e.detail_id: shown[e.detail_id] for e in entries
                if e.detail_id in shown and key(shown[e.detail_id].title_shown) != key(e.title)}  # fmt: skip

    def follow_entry(
        self, entry: ListingEntry, *, listing: str, listing_url: str, page: int, retitled: dict[int, ShownEntry] | None = None
    ) -> Iterator[Any]:
        if not is_crawlable(entry.url, self.allowed_domains) or (listing, entry.detail_id) in self.entries_seen:
            return  # off-site, or shifted onto the next page while we crawled: first sighting wins
        if entry.detail_id in self.gone_ids:
            return  # its page answered 404/410 run after run: given up
        self.entries_seen.add((listing, entry.detail_id))
        where = {"listing": listing, "detail_id": entry.detail_id, "listing_url": listing_url,
                 "page": page, "position": entry.position, "title_shown": entry.title}  # fmt: skip
        if entry.detail_id in self.requested_ids:
            yield EntrySeen(**where)  # one article per detail id: fetched already, from another listing or host
            return
        if entry.detail_id in self.known_ids and not self.full:
            # Archived: only recorded as seen, unless due for a refresh or shown under a new
            # headline (then asked for with the entry as it is now, if its page changed).
            archived = self.refresh.get(entry.detail_id) or (retitled or {}).get(entry.detail_id)
            if archived is None:
                yield EntrySeen(**where)
                return
            self.requested_ids.add(entry.detail_id)
            item = self.entry_item(entry, listing=listing, listing_url=listing_url, page=page)
            if retitled and entry.detail_id in retitled:
                yield pending_article(item)  # a new headline: pending until archived, or its page found unchanged
            yield self.detail_request(entry.url, item, archived=archived)
            return
        self.requested_ids.add(entry.detail_id)
        item = self.entry_item(entry, listing=listing, listing_url=listing_url, page=page)
        if entry.detail_id not in self.known_ids:
            yield pending_article(item)  # pending until its article is written: a failure or a kill leaves it to the next run
        yield self.detail_request(entry.url, item, archived=self.refresh.get(entry.detail_id))

    def entry_item(self, entry: ListingEntry, *, listing: str, listing_url: str, page: int) -> ArticleItem:
        return ArticleItem(
            detail_id=entry.detail_id,
            url=canonical_detail_url(entry.url),
            listing=listing,
            listing_url=listing_url,
            page=page,
            position=entry.position,
            listing_title=entry.title,
            listing_date_raw=entry.date_raw,
            summary=entry.summary,
        )

    def listing_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        reason, status = failure_reason(failure)
        # robots.txt answering 5xx or timing out: the site's trouble for now, an error, not bad input.
        robots_trouble = failure.check(RobotsUnreachable) and failure.value.host_answered
        listing = request.cb_kwargs.get("listing")
        if request.cb_kwargs.get("page") == 1 and not robots_trouble and not is_transient(failure) and self.is_wrong_start(listing):
            self.fatal_error = f"cannot fetch the start URL {request.url} ({reason}); check the URL and the network"
            raise CloseSpider("start_url_unreachable")
        yield from self.failed_response_capture(failure, "listing")
        yield CrawlError(url=request.url, reason=reason, http_status=status, kind="listing", **request.cb_kwargs)

    # -- detail pages -------------------------------------------------------------------------

    def detail_request(self, url: str, item: ArticleItem, *, archived: RefreshTarget | ShownEntry | None = None) -> scrapy.Request:
        """The article page's request; conditional on the ``archived`` page's validators, if given."""
        headers = {}
        if archived and archived.etag:
            headers["If-None-Match"] = archived.etag
        if archived and archived.last_modified:
            headers["If-Modified-Since"] = archived.last_modified
        return scrapy.Request(
            url, headers=headers, callback=self.parse_detail, errback=self.detail_failed, cb_kwargs={"item": item},
            meta={"handle_httpstatus_list": [304], "archived_sha1": archived and archived.body_sha1},
        )  # fmt: skip

    def pending_requests(self) -> Iterator[scrapy.Request]:
        """Article and listing pages earlier runs left pending, by their URL."""
        for target in self.pending_articles:
            if target.detail_id in self.requested_ids or not is_crawlable(target.url, self.allowed_domains):
                continue
            self.requested_ids.add(target.detail_id)
            yield self.detail_request(target.url, archived_article(target), archived=target)
        for pending in self.pending_pages:
            seen = self.requested_pages.setdefault(pending.listing, set())
            if pending.page in seen:
                continue
            seen.add(pending.page)
            yield self.listing_request(pending.url, listing=pending.listing, page=pending.page)

    def on_idle(self) -> None:
        """Once the walk is done: the refreshes its pages did not show (their entries as the
        archive holds them). The walk asks for those it shows, with their entries as now."""
        if self.fatal_error or not self.listing_confirmed:
            return
        requests = list(self.refresh_requests())
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def refresh_requests(self) -> Iterator[scrapy.Request]:
        """Archived articles due for a refresh, asked for with their validators."""
        if self.full:
            return  # a full crawl refreshes what the listing walk meets
        for target in self.refresh.values():
            if target.detail_id in self.requested_ids or target.detail_id in self.gone_ids:
                continue
            self.requested_ids.add(target.detail_id)
            yield self.detail_request(target.url, archived_article(target), archived=target)

    def parse_detail(self, response: Response, item: ArticleItem) -> Iterator[Any]:
        page = capture(response, "detail", detail_id=item.detail_id)
        archived_sha1 = response.meta.get("archived_sha1")
        if response.status == 304 or (archived_sha1 and hashlib.sha1(response.body).hexdigest() == archived_sha1):
            # Not changed (a server without validators answers 200 with the same page).
            yield page
            yield Unchanged(detail_id=item.detail_id)
            if item.listing_seen:
                yield entry_seen(item)  # the page did not change; its entry is recorded as seen now
            return
        try:
            fields = detail_fields(page_html(response), response.url, listing_title=item.listing_title)
        except Exception:
            yield page  # the evidence is kept: a reparse reads it once the extractor is mended
            raise
        if not fields.body:
            # An empty or cut-off page: asked again; it must never replace a good article. When
            # retries are spent and the page shows the article's headline, it is an article of
            # pictures (or video) only: archived with its title, date and place, and no text.
            retry_or_error = self.retry_or_error(response, "article page without article text")
            if not isinstance(retry_or_error, CrawlError) or not shows_headline(fields.title, item.listing_title):
                yield page
                yield retry_or_error
                return
            self.crawler.stats.inc_value("parknews/articles_without_text")
        if not item.listing_seen and fields.title and headline_key(fields.title) != headline_key(item.listing_title):
            item.listing_title = self.edited_headline(item, fields.title)
        item.detail_title = fields.title
        item.region_raw = fields.region_raw
        item.published_raw = fields.published_raw
        item.source = fields.source
        item.body = fields.body
        item.fetched_at = utc_now()
        item.capture = page
        self.crawler.stats.inc_value("parknews/articles_fetched")
        yield item

    def edited_headline(self, item: ArticleItem, page_title: str) -> str:
        """The headline to archive for an article fetched with the archive's entry (a refresh
        beyond the walk, a pending page) whose page shows another headline than that entry:
        the page's own, under the entry's 【region】 tag, where the archived page showed the
        entry's headline (the article was edited); else the entry's (a listing that shortens
        or words its headlines otherwise than its pages)."""
        if item.listing_title.endswith(TRUNCATION_MARKS):
            return item.listing_title
        archived = archived_page(self.settings.get("ARCHIVE_PATH"), item.detail_id)
        if archived is None:
            return item.listing_title
        before = detail_fields(archived[1], archived[0], listing_title=item.listing_title).title
        if headline_key(before) != headline_key(item.listing_title):
            return item.listing_title
        return retitle(item.listing_title, page_title)

    def retry_or_error(self, response: Response, reason: str, listing: str | None = None) -> scrapy.Request | CrawlError:
        """Scrapy's retry of a page that answered but is not usable yet, or an error once retries run out."""
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is not None:
            # get_retry_request copies the answered request's meta: what the downloader and the
            # redirects wrote there is not the new request's (MetaCopyDetectionMiddleware warns).
            for key in DOWNLOADER_META_KEYS:
                retry.meta.pop(key, None)
            return retry
        where = response.request.cb_kwargs
        if listing is not None:
            return CrawlError(url=response.url, reason=reason, http_status=response.status, kind="listing", **where)
        return CrawlError(url=response.url, reason=reason, http_status=response.status, kind="detail",
                          detail_id=where["item"].detail_id)  # fmt: skip

    def detail_failed(self, failure: Failure) -> Iterator[Any]:
        reason, status = failure_reason(failure)
        item = failure.request.cb_kwargs["item"]
        detail_id = item.detail_id
        if detail_id in self.known_ids and status in GONE_STATUSES:
            # An archived article's page gone: counted as a pending page's is, given up after
            # PARKNEWS_GONE_AFTER_RUNS runs (not asked for every run of a refresh window).
            yield PendingArticles([pending_article(item)])
        yield from self.failed_response_capture(failure, "detail", detail_id=detail_id)
        yield CrawlError(url=failure.request.url, reason=reason, http_status=status, kind="detail", detail_id=detail_id)

    def failed_response_capture(self, failure: Failure, kind: str, **where: Any) -> Iterator[Capture]:
        response = getattr(failure.value, "response", None)
        if response is not None:
            yield capture(response, kind, **where)
