"""The ``parknews`` spider: a paginated listing, and every article page it lists.

Entries, pagination and article fields are found by ``crawler.extract`` from content and
structure; this module only decides what to request and what to yield.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.extract.detail import detail_fields
from crawler.extract.encoding import decode_html
from crawler.extract.listing import ListingEntry, listing_entries, looks_like_listing, pagination
from crawler.extract.urls import canonical_detail_url, is_crawlable, site_domains
from crawler.items import ArticleItem, CrawlError


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short human reason for a failed request, and the HTTP status where there was one."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}", response.status
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300], None


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
        self.requested_ids: set[int] = set()
        self.requested_pages: dict[str, set[int]] = {}

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> ParknewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if spider.start_url_arg:
            spider.start_urls = [u for u in spider.start_url_arg.split(",") if u]
        else:
            spider.start_urls = settings.getlist("PARKNEWS_START_URLS")
        max_pages = spider.max_pages_arg if spider.max_pages_arg is not None else settings.getint("PARKNEWS_MAX_PAGES")
        spider.max_pages = int(max_pages) or None
        spider.allowed_domains = sorted({d for url in spider.start_urls for d in site_domains(url)})
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            self.requested_pages[url] = {1}
            yield self.listing_request(url, listing=url, page=1)

    # -- listing pages ------------------------------------------------------------------------

    def listing_request(self, url: str, *, listing: str, page: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"listing": listing, "page": page},
        )

    def parse_listing(self, response: Response, listing: str, page: int) -> Iterator[Any]:
        html = decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        entries = listing_entries(html, response.url)
        pages = pagination(html, response.url)
        if page == 1 and not looks_like_listing(entries, pages):
            self.fatal_error = f"{response.url} is not a listing page (no entries linking to /info/detail/<id>.html found); pass the URL of a listing's page 1"
            raise CloseSpider("not_a_listing")
        self.listing_confirmed = True
        stats = self.crawler.stats
        stats.inc_value("parknews/pages")
        stats.max_value("parknews/pages_total", self.page_limit(pages.total_pages or page))

        yield from self.follow_pages(pages, listing=listing, page=page)
        for entry in entries:
            yield from self.follow_entry(entry, listing=listing, listing_url=response.url, page=page)

    def page_limit(self, total: int) -> int:
        return min(total, self.max_pages) if self.max_pages else total

    def follow_pages(self, pages, *, listing: str, page: int) -> Iterator[scrapy.Request]:
        """Request every listing page not requested yet, by number, within --max-pages."""
        candidates = dict(pages.page_urls)
        if pages.next_url and (page + 1) not in candidates:
            candidates[page + 1] = pages.next_url
        seen = self.requested_pages.setdefault(listing, set())
        for number, url in sorted(candidates.items()):
            if number in seen or (self.max_pages and number > self.max_pages):
                continue
            seen.add(number)
            yield self.listing_request(url, listing=listing, page=number)

    def follow_entry(self, entry: ListingEntry, *, listing: str, listing_url: str, page: int) -> Iterator[Any]:
        # One article per detail id: an entry seen again (another host, or shifted onto the
        # next page while we crawled) is not fetched twice.
        if entry.detail_id in self.requested_ids or not is_crawlable(entry.url, self.allowed_domains):
            return
        self.requested_ids.add(entry.detail_id)
        item = ArticleItem(
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
        yield scrapy.Request(
            entry.url, callback=self.parse_detail, errback=self.detail_failed, cb_kwargs={"item": item}
        )

    def listing_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        reason, status = failure_reason(failure)
        if request.cb_kwargs.get("page") == 1 and request.url in self.start_urls:
            self.fatal_error = f"cannot fetch the start URL {request.url} ({reason}); check the URL and the network"
            raise CloseSpider("start_url_unreachable")
        yield CrawlError(url=request.url, reason=reason, http_status=status)

    # -- detail pages -------------------------------------------------------------------------

    def parse_detail(self, response: Response, item: ArticleItem) -> Iterator[ArticleItem]:
        html = decode_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        fields = detail_fields(html, response.url, listing_title=item.listing_title)
        item.detail_title = fields.title
        item.region_raw = fields.region_raw
        item.published_raw = fields.published_raw
        item.source = fields.source
        item.body = fields.body
        item.fetched_at = utc_now()
        self.crawler.stats.inc_value("parknews/articles_fetched")
        yield item

    def detail_failed(self, failure: Failure) -> Iterator[CrawlError]:
        reason, status = failure_reason(failure)
        yield CrawlError(url=failure.request.url, reason=reason, http_status=status)
