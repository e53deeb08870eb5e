"""What the spider yields: articles (joining a listing entry and its detail page), and the
listing entries, captures, 304s and errors the archive records beside them.

Raw fields come from the spider (as shown on the pages); normalised fields are filled in by
the pipelines (see ``crawler.pipelines``). Column meanings are documented in README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archive.state import RefreshTarget


@dataclass
class ArticleItem:
    # -- identity ---------------------------------------------------------------------------
    detail_id: int
    url: str  # canonical detail URL: no query, no fragment

    # -- from the listing entry ------------------------------------------------------------
    listing: str = ""  # the listing's identity: the URL of its page 1 as given to the crawl
    listing_url: str = ""  # the listing page the entry was found on
    page: int = 0
    position: int = 0  # 1-based position on that listing page
    listing_title: str = ""  # the title as the listing shows it
    listing_date_raw: str = ""
    summary: str = ""
    # True: the entry above was read from a listing page in this run. False: it is what the
    # archive knew (a refresh, or a page pending from an earlier run): it never overwrites
    # a fresher sighting of the entry.
    listing_seen: bool = True

    # -- from the detail page ---------------------------------------------------------------
    detail_title: str = ""
    region_raw: str = ""  # 所属地区 as shown, e.g. "湖北-武汉"
    published_raw: str = ""  # 发布日期 as shown
    source: str = ""  # 来源, where given
    body: str = ""  # paragraphs separated by "\n"
    fetched_at: str = ""  # UTC ISO 8601

    # -- filled in by NormalisePipeline -------------------------------------------------------
    title_raw: str = ""
    title: str = ""
    region_tag: str | None = None
    listing_date: str | None = None
    published_date: str | None = None
    published_at: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    zone: str | None = None
    adcode: str | None = None
    region_unknown: bool = False  # a region tag that names no known place (counted per run)

    # -- filled in by RepostPipeline --------------------------------------------------------
    duplicate_of: int | None = None

    # The detail page itself, written in the article's batch: one item through Scrapy's
    # machinery instead of two (~0.1 ms an article, bench/bench_floor.py). Not a column.
    capture: Capture | None = None


def archived_article(target: RefreshTarget) -> ArticleItem:
    """An item carrying what the archive knows of an article's listing entry, to fetch or parse again."""
    return ArticleItem(
        detail_id=target.detail_id, url=target.url, listing=target.listing, listing_url=target.listing_url,
        page=target.page, position=target.position, listing_title=target.title_raw or "",
        listing_date_raw=target.listing_date or "", summary=target.summary or "", listing_seen=False,
    )  # fmt: skip


@dataclass
class EntrySeen:
    """A listing entry whose article is not fetched in this run (known, or fetched via another listing)."""

    listing: str
    detail_id: int
    listing_url: str
    page: int
    position: int
    title_shown: str


def pending_article(item: ArticleItem) -> PendingArticle:
    """The pending row of an article asked for from its listing entry (``item``'s)."""
    return PendingArticle(detail_id=item.detail_id, url=item.url, listing=item.listing, listing_url=item.listing_url,
                          page=item.page, position=item.position, title_shown=item.listing_title,
                          listing_date_raw=item.listing_date_raw, summary=item.summary)  # fmt: skip


def entry_seen(item: ArticleItem) -> EntrySeen:
    """The listing entry an item was made from, recorded as seen."""
    return EntrySeen(listing=item.listing, detail_id=item.detail_id, listing_url=item.listing_url, page=item.page,
                     position=item.position, title_shown=item.listing_title)  # fmt: skip


@dataclass
class Unchanged:
    """An article page the server says has not changed since we fetched it (HTTP 304)."""

    detail_id: int


@dataclass
class Capture:
    """A fetched page, kept as evidence and for ``parknews reparse``."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    kind: str  # "listing" or "detail"
    fetched_at: str
    listing: str | None = None
    page: int | None = None
    detail_id: int | None = None


@dataclass
class PendingArticles:
    """The article pages one listing page led to request, as one item (one pass through
    Scrapy's machinery a page rather than one an article), yielded before their requests."""

    articles: list[PendingArticle]


@dataclass
class PendingArticle:
    """An article page requested for a listing entry: pending in the archive until its article
    is written, so that a run that fails or is killed before leaves it to the next run."""

    detail_id: int
    url: str
    listing: str
    listing_url: str
    page: int
    position: int
    title_shown: str
    listing_date_raw: str
    summary: str


@dataclass
class CrawlError:
    """A page that failed for good (after retries): recorded in ``crawl_errors``; the crawl goes on.

    ``kind`` with ``detail_id`` (article page) or ``listing`` and ``page`` (listing page) say
    which pending page it was, for the retry bookkeeping (see ``archive.store``).
    """

    url: str
    reason: str
    http_status: int | None = None
    kind: str | None = None  # "listing" or "detail"
    detail_id: int | None = None
    listing: str | None = None
    page: int | None = None
