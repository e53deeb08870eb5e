"""The replay site: a deterministic model of one 010b.com listing and its detail pages.

``ReplaySite`` holds the articles, answers a request path with a rendered ``Page`` (cached),
can be changed between crawls (add, edit, remove) and says what a perfect crawl must
archive (``expected()``). It knows nothing of sockets: ``crawler.replay.server`` serves it.
"""

from __future__ import annotations

import codecs
import hashlib
import math
import random
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

from crawler.replay import text
from crawler.replay.links import LINK_FORMS, href
from crawler.replay.themes import THEMES, DetailView, Entry, Frame, Link, ListingView

BEIJING = timezone(timedelta(hours=8))
NEWEST_LISTING_DATE = date(2025, 7, 23)
FOREIGN_ARTICLES = 12  # articles of other listings, linked from sidebars only
REPOST_SHARE = 0.03
PARK_NAME = "江汉区电子信息产业园区"  # the park whose listing this is, as its pages name it
LISTING_NAME = "招商资讯"  # the listing's own name
ROBOTS_TXT = "User-agent: *\nAllow: /info/\nDisallow: /admin/\nDisallow: /search\n"
_ENTRY_DECORATIONS = ("", "from=list", "#top", "from=list#top")


@dataclass(frozen=True)
class Page:
    """A rendered response: what the server sends for one path."""

    status: int
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: datetime | None = None


@dataclass
class Article:
    detail_id: int
    tag: str | None
    headline: str  # the title without its region prefix, as shown (odd spaces included)
    region_raw: str
    place: str
    listing_date: date
    published: datetime  # Beijing time; the clock part is shown only if shows_time
    shows_time: bool
    date_style: int  # 0: 2025年07月10日, 1: 2025-07-10, 2: 发布时间：2025/7/10 10:20
    separator: str  # label separator on the detail page, ":" or "："
    source: str | None
    paragraphs: list[str]
    summary_limit: int
    editor: str
    modified: datetime  # UTC, for Last-Modified
    repost_of: int | None = None

    @property
    def title_raw(self) -> str:
        return f"【{self.tag}招商】{self.headline}" if self.tag else self.headline

    @property
    def summary(self) -> str:
        return text.summary_of(self.paragraphs, self.summary_limit)

    @property
    def published_raw(self) -> str:
        p = self.published
        if self.date_style == 0:
            return f"{p.year}年{p.month:02d}月{p.day:02d}日"
        if self.date_style == 1:
            return p.date().isoformat()
        return f"{p.year}/{p.month}/{p.day} {p.hour:02d}:{p.minute:02d}"

    def meta_lines(self) -> list[str]:
        sep = self.separator
        label = "发布时间" if self.date_style == 2 else "发布日期"
        lines = [f"所属地区{sep}{self.region_raw}", f"{label}{sep}{self.published_raw}"]
        if self.source:
            lines.append(f"来源{sep}{self.source}")
        return lines

    @property
    def etag(self) -> str:
        content = "\n".join([self.title_raw, *self.paragraphs])
        digest = hashlib.sha1(content.encode()).hexdigest()
        return f'"{digest[:20]}"'

    def expected(self) -> dict:
        return {
            "detail_id": self.detail_id,
            "title": " ".join(self.headline.split()),
            # As a browser shows it: whitespace runs render as one space.
            "title_raw": " ".join(self.title_raw.split()),
            "region_tag": self.tag,
            "region_raw": self.region_raw,
            "listing_date": self.listing_date.isoformat(),
            "published_date": self.published.date().isoformat(),
            "published_at": self.published.isoformat() if self.shows_time else None,
            "source": self.source,
            "summary": self.summary,
            "body": "\n".join(self.paragraphs),
            "repost_of": self.repost_of,
        }


@dataclass
class _State:
    order: list[int] = field(default_factory=list)  # listed detail ids, newest first
    articles: dict[int, Article] = field(default_factory=dict)  # listed and foreign
    foreign: list[int] = field(default_factory=list)


class ReplaySite:
    """One listing of ``pages * per_page`` generated articles, rendered in a markup theme.

    ``encoding=None`` uses the theme's own (GBK for ``table``, UTF-8 otherwise).
    """

    def __init__(self, seed: int = 0, pages: int = 35, per_page: int = 10, theme: str = "classic",
                 encoding: str | None = None, listing_id: int = 144795,
                 park_name: str | None = PARK_NAME, listing_name: str = LISTING_NAME) -> None:
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}; choose one of {', '.join(THEMES)}")
        self.seed = seed
        self.per_page = per_page
        self.listing_id = listing_id
        self.park_name = park_name  # None: the pages name no park
        self.listing_name = listing_name
        self.ledger = text.Ledger()  # the amounts the generated text holds
        self.theme = THEMES[theme]
        self.encoding = codecs.lookup(encoding or self.theme.default_encoding).name
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._cache: dict[tuple, Page] = {}
        self._titles: set[str] = set()
        self.boilerplate = text.boilerplate(self._rng)
        self.phone = f"400-{self._rng.randint(100, 999)}-{self._rng.randint(1000, 9999)}"
        self._state = self._generate(pages * per_page)

    # -- generation --------------------------------------------------------------------------

    def _generate(self, count: int) -> _State:
        rng = self._rng
        ids = rng.sample(range(20000, 60000), count + FOREIGN_ARTICLES)
        state = _State()
        day = NEWEST_LISTING_DATE
        for position, detail_id in enumerate(ids[:count]):
            if position and rng.random() > 0.55:  # several entries share a date
                day -= timedelta(days=rng.randint(1, 3))
            state.articles[detail_id] = self._new_article(detail_id, day)
            state.order.append(detail_id)
        for detail_id in ids[count:]:
            state.articles[detail_id] = self._new_article(detail_id, day - timedelta(days=rng.randint(0, 400)))
            state.foreign.append(detail_id)
        self._add_reposts(state)
        return state

    def _new_article(self, detail_id: int, listing_day: date) -> Article:
        rng = self._rng
        tag, region_raw, place = text.pick_region(rng)
        headline = text.headline(rng, place, self.ledger)
        while " ".join(headline.split()) in self._titles:
            headline = text.headline(rng, place, self.ledger)
        self._titles.add(" ".join(headline.split()))
        roll = rng.random()
        # Many articles rewrite older news: the posting date can lie well before the listing's.
        days_before = 0 if roll < 0.35 else rng.randint(1, 30) if roll < 0.9 else rng.randint(60, 900)
        date_style = rng.choices((0, 1, 2), weights=(6, 2, 2))[0]
        clock = time(rng.randint(8, 18), rng.randint(0, 59)) if date_style == 2 else time(0, 0)
        published = datetime.combine(listing_day - timedelta(days=days_before), clock, BEIJING)
        return Article(
            detail_id=detail_id,
            tag=tag,
            headline=headline,
            region_raw=region_raw,
            place=place,
            listing_date=listing_day,
            published=published,
            shows_time=date_style == 2,
            date_style=date_style,
            separator=rng.choice((":", "：")),
            source=text.source_name(rng) if rng.random() < 0.4 else None,
            paragraphs=text.body_paragraphs(rng, place, short=rng.random() < 0.03, ledger=self.ledger),
            summary_limit=rng.randint(300, 1500),
            editor=text.person_name(rng),
            modified=datetime.combine(listing_day, time(8, 30), BEIJING).astimezone(timezone.utc),
        )

    def _add_reposts(self, state: _State) -> None:
        """Turn ~3% of entries into later copies of older entries of the same listing."""
        rng = self._rng
        order, articles = state.order, state.articles
        wanted = round(REPOST_SHARE * len(order))
        reposts: set[int] = set()
        originals: set[int] = set()
        eligible = range(max(0, len(order) - self.per_page))  # an older original must exist
        for position in rng.sample(eligible, min(wanted, len(eligible))):
            newer = articles[order[position]]
            candidates = [
                detail_id for detail_id in order[position + 1:]
                if articles[detail_id].listing_date < newer.listing_date
                and detail_id not in reposts and detail_id not in originals and len(articles[detail_id].paragraphs) > 1
            ]
            if not candidates or newer.detail_id in originals:
                continue
            original = articles[rng.choice(candidates)]
            paragraphs = text.near_copy(rng, original.paragraphs, original.place, self.ledger)
            if text.jaccard("\n".join(paragraphs), "\n".join(original.paragraphs)) < 0.9:
                paragraphs = list(original.paragraphs)
            gap = (newer.listing_date - original.published.date()).days
            published = original.published + timedelta(days=rng.randint(1, gap))
            articles[newer.detail_id] = replace(
                original, detail_id=newer.detail_id, listing_date=newer.listing_date, published=published,
                paragraphs=paragraphs, editor=newer.editor, modified=newer.modified, repost_of=original.detail_id,
            )
            reposts.add(newer.detail_id)
            originals.add(original.detail_id)

    # -- what a perfect crawl archives -----------------------------------------------------------

    @property
    def page_count(self) -> int:
        with self._lock:
            return max(1, math.ceil(len(self._state.order) / self.per_page))

    def listed_ids(self) -> list[int]:
        with self._lock:
            return list(self._state.order)

    def foreign_ids(self) -> list[int]:
        """Detail pages that exist but belong to other listings (linked from sidebars)."""
        with self._lock:
            return list(self._state.foreign)

    def expected(self) -> list[dict]:
        """What a perfect crawl archives: one dict per listed article, in listing order.

        Keys: detail_id, title (no prefix, whitespace collapsed), title_raw (as listed),
        region_tag, region_raw, listing_date, published_date, published_at (ISO with +08:00
        when the page shows a time, else None), source, summary, body (paragraphs joined by
        "\n"), page, position, repost_of (the detail_id copied, or None), amounts (the money
        amounts the text holds, as rows of the archive's ``amounts`` table less detail_id and
        sentence, in field and position order).
        """
        with self._lock:
            rows = []
            for index, detail_id in enumerate(self._state.order):
                row = self._state.articles[detail_id].expected()
                row.update(page=index // self.per_page + 1, position=index % self.per_page + 1)
                row["amounts"] = self.expected_amounts(row)
                rows.append(row)
            return rows

    def expected_amounts(self, row: dict) -> list[dict]:
        """The amounts planted in an expected article's title, summary and body."""
        amounts = []
        for field in ("title", "summary", "body"):
            for planted in self.ledger.amounts_in(row[field]):
                money = planted.money
                amounts.append({
                    "field": field, "position": planted.offset, "value": money.value, "value_high": money.value_high,
                    "value_cny": money.value if money.currency == "CNY" else None, "value_raw": money.raw,
                    "currency": money.currency, "approximate": money.approximate, "kind": planted.kind,
                })  # fmt: skip
        return amounts

    def expected_listing(self) -> dict:
        """What the archive's ``listings`` row says of this listing's park (host aside)."""
        return {"park_name": self.park_name, "listing_name": self.listing_name}

    def listing_path(self, page: int = 1) -> str:
        return f"/info/{self.listing_id}/page/{page}"

    @staticmethod
    def detail_path(detail_id: int) -> str:
        return f"/info/detail/{detail_id}.html"

    # -- changes between crawls ------------------------------------------------------------------

    def add_article(self, top: bool = True) -> int:
        """Publish a new article as the newest entry (or the oldest); return its detail id."""
        with self._lock:
            state = self._state
            detail_id = self._rng.randint(60001, 69999)
            while detail_id in state.articles:
                detail_id = self._rng.randint(60001, 69999)
            if top:
                day = state.articles[state.order[0]].listing_date + timedelta(days=self._rng.randint(0, 1))
            else:
                day = state.articles[state.order[-1]].listing_date - timedelta(days=self._rng.randint(0, 2))
            state.articles[detail_id] = self._new_article(detail_id, day)
            state.order.insert(0 if top else len(state.order), detail_id)
            self._cache.clear()
            return detail_id

    def edit_article(self, detail_id: int) -> None:
        """Revise an article's title and body; its ETag and Last-Modified change."""
        with self._lock:
            article = self._state.articles[detail_id]
            article.headline, article.paragraphs = text.edited(
                self._rng, article.headline, article.paragraphs, article.place, self.ledger)
            now = datetime.now(timezone.utc).replace(microsecond=0)
            article.modified = max(now, article.modified + timedelta(seconds=1))
            self._cache.clear()

    def remove_article(self, detail_id: int) -> None:
        """Take an article down: it leaves the listing and its page answers 404."""
        with self._lock:
            del self._state.articles[detail_id]
            for ids in (self._state.order, self._state.foreign):
                if detail_id in ids:
                    ids.remove(detail_id)
            self._cache.clear()

    # -- answering requests ------------------------------------------------------------------

    def respond(self, path: str, base_url: str) -> Page:
        """The page for a request path (query included), with absolute links to ``base_url``."""
        parts = urlsplit(path)
        with self._lock:
            key = self._route(parts.path, parts.query)
            if key is None:
                return self._not_found()
            cache_key = (*key, base_url)
            if cache_key not in self._cache:
                self._cache[cache_key] = self._render(key, base_url)
            return self._cache[cache_key]

    def _route(self, path: str, query: str) -> tuple | None:
        if path == "/robots.txt":
            return ("robots",)
        if match := re.fullmatch(r"/info/detail/(\d+)\.html", path):
            detail_id = int(match[1])
            return ("detail", detail_id) if detail_id in self._state.articles else None
        listing = f"/info/{self.listing_id}"
        page: str | None = None
        if path in (listing, listing + "/"):
            page = parse_qs(query).get("page", ["1"])[0]
        elif match := re.fullmatch(re.escape(listing) + r"/(?:page/(\d+)/?|list_(\d+)\.html)", path):
            page = match[1] or match[2]
        if page is None or not page.isdigit() or not 1 <= int(page) <= self.page_count:
            return None
        # Relative links depend on the path the page was asked for, so it is part of the key.
        return ("listing", int(page), path)

    def _render(self, key: tuple, base_url: str) -> Page:
        if key[0] == "robots":
            return Page(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        if key[0] == "detail":
            article = self._state.articles[key[1]]
            html = self.theme.detail(self._detail_view(article, base_url))
            return Page(200, self._encode(html), self._content_type(), article.etag, article.modified)
        _, page, path = key
        return Page(200, self._encode(self.theme.listing(self._listing_view(page, path, base_url))),
                    self._content_type())

    def _not_found(self) -> Page:
        body = "<html><head><title>404</title></head><body><h1>页面不存在</h1></body></html>"
        return Page(404, body.encode(), "text/html; charset=utf-8")

    def _encode(self, html: str) -> bytes:
        # Characters the encoding lacks (the bullet • in GBK) become character references.
        return html.encode(self.encoding, errors="xmlcharrefreplace")

    def _content_type(self) -> str:
        # GBK pages declare their charset only in <meta>, as the old CMSs do.
        return "text/html; charset=utf-8" if self.encoding == "utf-8" else "text/html"

    # -- views ---------------------------------------------------------------------------------

    def _rng_for(self, *key: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, *key))))

    def _detail_link(self, article: Article, context: str, page_path: str, base_url: str,
                     with_date: bool = False) -> Link:
        rng = self._rng_for(context, article.detail_id)
        query, _, fragment = rng.choice(_ENTRY_DECORATIONS).partition("#")
        url = href(self.detail_path(article.detail_id), form=rng.choice(LINK_FORMS), page_path=page_path,
                   base_url=base_url, query=query, fragment=fragment)
        return Link(url, article.title_raw, article.listing_date.isoformat() if with_date else "")

    def _frame(self, page_key: object, page_path: str, base_url: str) -> Frame:
        rng = self._rng_for("hot", page_key)
        state = self._state
        hot_ids = rng.sample(state.order, min(5, len(state.order))) + rng.sample(state.foreign, min(3, len(state.foreign)))
        rng.shuffle(hot_ids)
        return Frame(
            encoding=self.encoding,
            site_title="产业园区网",
            nav=[Link("/", "首页"), Link("/park/", "园区大全"), Link("/info/", "招商资讯"),
                 Link("/search?q=招商", "搜索"), Link("/admin/login", "管理登录")],
            hot=[self._detail_link(state.articles[i], "hot", page_path, base_url, with_date=True) for i in hot_ids],
            tougao=Link("/tougao/", "有想补充的信息?点我投稿"),
            boilerplate=self.boilerplate,
            phone=self.phone,
        )

    def _listing_view(self, page: int, page_path: str, base_url: str) -> ListingView:
        start = (page - 1) * self.per_page
        entries = []
        for detail_id in self._state.order[start:start + self.per_page]:
            article = self._state.articles[detail_id]
            link = self._detail_link(article, "entry", page_path, base_url)
            entries.append(Entry(link.href, article.title_raw, article.summary, article.listing_date.isoformat()))
        page_links = {}
        for number in range(1, self.page_count + 1):
            target, query = self.theme.page_target(self.listing_id, number)
            form = self._rng_for("pager", number).choice(LINK_FORMS)
            page_links[number] = href(target, form=form, page_path=page_path, base_url=base_url, query=query)
        return ListingView(self._frame(page, page_path, base_url), self.park_name, self.listing_name,
                           page, self.page_count, entries, page_links)

    def _detail_view(self, article: Article, base_url: str) -> DetailView:
        state = self._state
        path = self.detail_path(article.detail_id)
        siblings = state.order if article.detail_id in state.order else state.foreign
        index = siblings.index(article.detail_id)
        neighbours = [
            self._detail_link(state.articles[siblings[i]], "turn", path, base_url) if 0 <= i < len(siblings) else None
            for i in (index - 1, index + 1)
        ]
        rng = self._rng_for("related", article.detail_id)
        related_ids = [i for i in rng.sample(state.order, min(4, len(state.order))) + state.foreign[:3]
                       if i != article.detail_id][:6]
        return DetailView(
            frame=self._frame(("detail", article.detail_id), path, base_url),
            title=article.title_raw,
            meta=article.meta_lines(),
            paragraphs=article.paragraphs,
            editor=article.editor,
            crumbs=[Link("/", "首页"), Link("/hubei/", "湖北"), Link("/info/", "招商资讯")],
            previous=neighbours[0],
            following=neighbours[1],
            related=[self._detail_link(state.articles[i], "related", path, base_url) for i in related_ids],
        )
