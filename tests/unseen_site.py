"""Unseen 010b-like sites: markups the crawler was not built against, for an adversarial check.

Each markup writes the same kind of site (a paginated listing of region-tagged investment
news, detail pages, sidebars of other articles, the long 投稿 boilerplate and a footer) in a
structure, encoding and URL scheme that ``crawler.replay.themes`` does not use:

- ``font``: HTML4 in upper case, <TABLE>/<FONT> layout, "[2025-07-23]" before each title, a
  <SELECT> of page numbers between 上一页/下一页, GB2312 declared only in <META> while titles
  and bodies hold GBK-only characters.
- ``dl``: <dl><dt>title</dt><dd>summary</dd><dd>date</dd></dl> entries, "第 3 页 / 共 4 页"
  with ``?page=N`` links, detail meta as a label|value <table>, body in <section> followed
  by 【责任编辑：X】, a share widget and a comment box.
- ``card``: each entry one <a> wrapping <h4>, <p> and <time> under a heading that reads like
  a sidebar's (投资热点), a 猜你喜欢 sidebar (before the list in source order) of dated links with 40-character summaries, index.html/list_N.html
  pages, the detail title in a <div> (no heading) and in <title> with the site's suffix,
  发布日期 and 所属地区 on one &nbsp;-separated line, many one-paragraph articles.
- ``bom``: UTF-8 with a BOM and no charset anywhere, CRLF line ends, truncated titles with
  "…" (the full title in title=""), /news/list-<id>-<n>.html pages, the body as
  <br><br>-separated paragraphs indented with U+3000.
- ``band``: <li><h3> entries with a 来源 line and the date before the summary, a numbered pager
  without a page count on .shtml pages; the detail title in a band above a two-column table,
  the body (<div> paragraphs, <h3> section heads) ending with no marker before a 最新资讯 column.

Text comes from ``crawler.replay.text``'s generators. ``UnseenSite`` answers
``respond(path, base_url) -> Page`` like ``ReplaySite``, so ``ReplayServer`` serves it.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from urllib.parse import parse_qs, urlsplit

from crawler.replay import text
from crawler.replay.links import href
from crawler.replay.site import Page

LISTING_ID = 281043
SITE_NAME = "湖北产业园区网"
FOREIGN_ARTICLES = 8  # other listings' articles: linked from sidebars, never listed here
NEWEST = date(2025, 7, 23)
ROBOTS_TXT = "User-agent: *\nAllow: /\n"


@dataclass
class Article:
    detail_id: int
    tag: str | None
    headline: str
    region_raw: str
    listing_date: date
    published: datetime
    date_style: int  # how the detail page writes its date; each markup reads it its own way
    source: str | None
    paragraphs: list[str]
    summary: str
    editor: str

    @property
    def title_raw(self) -> str:
        return f"【{self.tag}招商】{self.headline}" if self.tag else self.headline

    def truth(self) -> dict:
        return {
            "detail_id": self.detail_id,
            "title": " ".join(self.headline.split()),
            "title_raw": " ".join(self.title_raw.split()),
            "region_tag": self.tag,
            "published_date": self.published.date().isoformat(),
            "listing_date": self.listing_date.isoformat(),
            "body": "\n".join(self.paragraphs),
        }


@dataclass
class Linked:
    article: Article
    href: str


@dataclass
class ListingView:
    page: int
    page_count: int
    entries: list[Linked]
    page_hrefs: dict[int, str]
    sidebar: list[Linked]
    boilerplate: text.Boilerplate
    phone: str


@dataclass
class DetailView:
    article: Article
    previous: Linked | None
    following: Linked | None
    sidebar: list[Linked]
    boilerplate: text.Boilerplate
    phone: str


def _t(value: str) -> str:
    return escape(value, quote=False)


def _q(value: str) -> str:
    return escape(value, quote=True)


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


class Markup(ABC):
    name = ""
    encoding = "utf-8"
    content_type = "text/html; charset=utf-8"
    entry_link_form = "absolute"  # how listing entries link their detail pages (links.LINK_FORMS)
    entry_query = ""
    entry_fragment = ""

    @abstractmethod
    def page_path(self, page: int) -> str:
        """The path (and query) of listing page ``page``, as the crawl's start URL uses it."""

    @abstractmethod
    def page_of(self, path: str, query: str) -> int | None:
        """Which listing page a request is for, or None."""

    @abstractmethod
    def page_href(self, page: int) -> str:
        """How the pager links page ``page``."""

    @abstractmethod
    def listing(self, view: ListingView) -> str: ...

    @abstractmethod
    def detail(self, view: DetailView) -> str: ...

    def encode(self, html: str) -> bytes:
        return html.encode(self.encoding, errors="xmlcharrefreplace")

    def headline(self, rng: random.Random, place: str) -> str:
        # Sometimes with a doubled or ideographic space, which the archive collapses.
        return text.headline(rng, place)

    def paragraphs(self, rng: random.Random, place: str) -> list[str]:
        return text.body_paragraphs(rng, place, short=rng.random() < 0.05)


# Characters in GBK but not in GB2312, as names often have: a page declaring gb2312 holds them.
GBK_ONLY_NAMES = ("赟华", "堃元", "喆盛", "昇辉", "镕达", "珺瑞")


class FontMarkup(Markup):
    name = "font"
    encoding = "gbk"
    content_type = "text/html"  # the charset is only in <META>, and it says gb2312
    entry_link_form = "relative"

    def page_path(self, page: int) -> str:
        return f"/info/{LISTING_ID}/p_{page}.htm"

    def headline(self, rng: random.Random, place: str) -> str:
        title = super().headline(rng, place)
        return f"{title} {rng.choice(GBK_ONLY_NAMES)}光电签约入驻" if rng.random() < 0.3 else title

    def paragraphs(self, rng: random.Random, place: str) -> list[str]:
        paragraphs = super().paragraphs(rng, place)
        paragraphs[0] += f"{rng.choice(GBK_ONLY_NAMES)}科技负责人表示，将尽快启动项目建设。"
        return paragraphs

    def page_of(self, path: str, query: str) -> int | None:
        match = re.fullmatch(rf"/info/{LISTING_ID}/p_(\d+)\.htm", path)
        return int(match[1]) if match else None

    def page_href(self, page: int) -> str:
        return f"p_{page}.htm"

    def _head(self, title: str) -> str:
        return (
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n'
            '<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=gb2312">\n'
            f"<TITLE>{_t(title)}</TITLE></HEAD>\n"
            '<BODY BGCOLOR="#FFFFFF" LEFTMARGIN=0 TOPMARGIN=0>\n'
            '<TABLE WIDTH=960 BORDER=0 CELLPADDING=0 CELLSPACING=0 ALIGN=CENTER><TR>'
            f'<TD><FONT SIZE=5 COLOR="#003399"><B>{SITE_NAME}</B></FONT></TD><TD ALIGN=RIGHT>'
            '<A HREF="/">首页</A> | <A HREF="/park/">园区</A> | <A HREF="/info/">资讯</A> | <A HREF="/about.htm">关于我们</A>'
            "</TD></TR></TABLE>\n"
            '<TABLE WIDTH=960 BORDER=0 ALIGN=CENTER><TR><TD WIDTH=700 VALIGN=TOP>\n'
        )

    def _tail(self, sidebar: list[Linked], boilerplate: text.Boilerplate, phone: str) -> str:
        hot = "".join(
            f'<TR><TD><FONT SIZE=2>[{s.article.listing_date}] <A HREF="{_q(s.href)}">{_t(s.article.title_raw)}</A></FONT></TD></TR>\n'
            for s in sidebar
        )
        notice = "<BR>\n".join(_t(line) for line in boilerplate.notice)
        rules = "<BR>\n".join(_t(line) for line in boilerplate.rules)
        return (
            '</TD><TD WIDTH=20></TD><TD WIDTH=240 VALIGN=TOP>\n'
            f'<TABLE WIDTH=100% BORDER=1 BORDERCOLOR="#DDDDDD"><TR><TD BGCOLOR="#EEEEEE"><B>热点推荐</B></TD></TR>\n{hot}</TABLE>\n'
            "</TD></TR></TABLE>\n"
            f'<TABLE WIDTH=960 ALIGN=CENTER><TR><TD><FONT SIZE=2><B>投稿须知</B><BR>\n{notice}</FONT></TD></TR>\n'
            f"<TR><TD><FONT SIZE=2>{rules}</FONT></TD></TR>\n"
            f'<TR><TD ALIGN=CENTER><FONT SIZE=2>服务热线：{phone}　Copyright 2008-2025 {SITE_NAME} 版权所有</FONT></TD></TR></TABLE>\n'
            "</BODY></HTML>\n"
        )

    def listing(self, view: ListingView) -> str:
        rows = "".join(
            f'<TR><TD HEIGHT=26><FONT COLOR="#999999">[{e.article.listing_date}]</FONT> '
            f'<A HREF="{_q(e.href)}" TARGET=_blank><FONT COLOR="#000000">{_t(e.article.title_raw)}</FONT></A></TD></TR>\n'
            f'<TR><TD><FONT SIZE=2 COLOR="#666666">{_t(e.article.summary)}</FONT></TD></TR>\n'
            '<TR><TD HEIGHT=1 BGCOLOR="#CCCCCC"></TD></TR>\n'
            for e in view.entries
        )
        page, count, hrefs = view.page, view.page_count, view.page_hrefs
        options = "".join(
            f'<OPTION VALUE="{_q(hrefs[n])}"{" SELECTED" if n == page else ""}>{n}</OPTION>' for n in range(1, count + 1)
        )
        previous = f'<A HREF="{_q(hrefs[page - 1])}">上一页</A>' if page > 1 else "上一页"
        following = f'<A HREF="{_q(hrefs[page + 1])}">下一页</A>' if page < count else "下一页"
        pager = (
            f'<FORM NAME="pg">{previous} <SELECT NAME="p" ONCHANGE="location.href=this.value">{options}</SELECT> '
            f"{following}</FORM>"
        )
        return (
            self._head(f"招商资讯 - {SITE_NAME}")
            + '<TABLE WIDTH=100% BORDER=0><TR><TD BGCOLOR="#F0F0F0"><B>园区招商资讯</B></TD></TR>\n'
            + rows
            + f"</TABLE>\n<TABLE WIDTH=100%><TR><TD ALIGN=CENTER>{pager}</TD></TR></TABLE>\n"
            + self._tail(view.sidebar, view.boilerplate, view.phone)
        )

    def detail(self, view: DetailView) -> str:
        a = view.article
        meta = f"发布日期：{_cn_date(a.published.date())} &nbsp; 所属地区：{_t(a.region_raw)}"
        if a.source:
            meta += f" &nbsp; 来源：{_t(a.source)}"
        meta += ' &nbsp; 浏览次数：<SCRIPT LANGUAGE="JavaScript">document.write(Math.round(Math.random()*900));</SCRIPT>'
        body = "".join(
            f"<P><B>{_t(p)}</B></P>\n" if text.is_heading(p) else f"<P>　　{_t(p)}</P>\n" for p in a.paragraphs
        )
        turn = "<BR>".join(
            f"{label}：" + (f'<A HREF="{_q(link.href)}">{_t(link.article.title_raw)}</A>' if link else "没有了")
            for label, link in (("上一篇", view.previous), ("下一篇", view.following))
        )
        return (
            self._head(f"{a.title_raw} - {SITE_NAME}")
            + '<TABLE WIDTH=100%><TR><TD>您现在的位置：<A HREF="/">首页</A> &gt;&gt; <A HREF="/info/">招商资讯</A> &gt;&gt; 正文</TD></TR></TABLE>\n'
            + f'<TABLE WIDTH=100% CELLPADDING=6><TR><TD ALIGN=CENTER><FONT SIZE=5 COLOR="#CC0000"><B>{_t(a.title_raw)}</B></FONT></TD></TR>\n'
            + f'<TR><TD ALIGN=CENTER><FONT SIZE=2 COLOR="#999999">{meta}</FONT></TD></TR>\n'
            + f"<TR><TD><FONT SIZE=3>\n{body}</FONT></TD></TR>\n"
            + f"<TR><TD ALIGN=RIGHT>[责任编辑：{_t(a.editor)}]</TD></TR>\n"
            + f"<TR><TD>{turn}</TD></TR></TABLE>\n"
            + self._tail(view.sidebar, view.boilerplate, view.phone)
        )


class DlMarkup(Markup):
    name = "dl"
    entry_link_form = "relative"
    entry_query = "from=lst"

    def page_path(self, page: int) -> str:
        return f"/info/{LISTING_ID}" + (f"?page={page}" if page > 1 else "")

    def page_of(self, path: str, query: str) -> int | None:
        if path != f"/info/{LISTING_ID}":
            return None
        page = parse_qs(query).get("page", ["1"])[0]
        return int(page) if page.isdigit() else None

    def page_href(self, page: int) -> str:
        return f"?page={page}"  # a query-only link, resolved against the page's own path

    def _head(self, title: str) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{_t(title)}</title></head><body>\n'
            '<header><nav><a href="/">首页</a><a href="/park/">园区库</a><a href="/info/">招商资讯</a>'
            '<a href="/policy/">政策</a></nav></header>\n<div class="wrap">\n'
        )

    def _tail(self, sidebar: list[Linked], boilerplate: text.Boilerplate, phone: str) -> str:
        hot = "".join(
            f'<dl><dt><a href="{_q(s.href)}">{_t(s.article.title_raw)}</a></dt><dd>{s.article.listing_date}</dd></dl>\n'
            for s in sidebar
        )
        notice = "".join(f"<li>{_t(line)}</li>" for line in boilerplate.notice)
        rules = "".join(f"<p>{_t(line)}</p>" for line in boilerplate.rules)
        return (
            f'<aside><h3>热门排行</h3>\n{hot}</aside>\n</div>\n'
            f'<div class="tg"><h3>投稿须知</h3><ol>{notice}</ol><details><summary>内容规范</summary>{rules}</details></div>\n'
            f'<footer><p>咨询电话：{phone}</p><p>© {SITE_NAME}</p></footer>\n</body></html>\n'
        )

    def listing(self, view: ListingView) -> str:
        entries = "".join(
            f'<dl><dt><a href="{_q(e.href)}">{_t(e.article.title_raw)}</a></dt>'
            f"<dd>{_t(e.article.summary)}</dd><dd>{e.article.listing_date}</dd></dl>\n"
            for e in view.entries
        )
        page, count, hrefs = view.page, view.page_count, view.page_hrefs
        parts = []
        if page > 1:
            parts += [f'<a href="{hrefs[1]}">首页</a>', f'<a href="{hrefs[page - 1]}">上一页</a>']
        parts.append(f"<span>第 {page} 页 / 共 {count} 页</span>")
        if page < count:
            parts += [f'<a href="{hrefs[page + 1]}">下一页</a>', f'<a href="{hrefs[count]}">末页</a>']
        return (
            self._head(f"园区招商资讯 第{page}页 | {SITE_NAME}")
            + f'<main><h2>园区招商资讯</h2>\n<div class="lst">\n{entries}</div>\n'
            + f'<div class="pg">{"".join(parts)}</div></main>\n'
            + self._tail(view.sidebar, view.boilerplate, view.phone)
        )

    def detail(self, view: DetailView) -> str:
        a = view.article
        published = a.published.strftime("%Y-%m-%d %H:%M")
        cells = ["所属地区", a.region_raw, "发布时间", published] + (["来源", a.source] if a.source else [])
        meta = "".join(f"<td>{_t(cell)}</td>" for cell in cells)
        body = "".join(
            f"<p><strong>{_t(p)}</strong></p>\n" if text.is_heading(p) else f"<p>{_t(p)}</p>\n" for p in a.paragraphs
        )
        turn = "".join(
            f"<li>{label}：" + (f'<a href="{_q(link.href)}">{_t(link.article.title_raw)}</a>' if link else "无") + "</li>"
            for label, link in (("上一篇", view.previous), ("下一篇", view.following))
        )
        return (
            self._head(a.title_raw)
            + '<main><div class="crumb"><a href="/">首页</a> / <a href="/info/">招商资讯</a></div>\n'
            + f'<h2 class="tt">{_t(a.title_raw)}</h2>\n<table class="info"><tr>{meta}</tr></table>\n'
            + f'<section class="txt">\n{body}</section>\n<p class="ed">【责任编辑：{_t(a.editor)}】</p>\n'
            + '<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a><a href="#">QQ空间</a></div>\n'
            + '<div class="cmt"><h4>网友评论</h4><textarea placeholder="文明上网，理性发言"></textarea>'
            + '<button>发表评论</button><p>已有 0 条评论，<a href="#">查看更多</a></p></div>\n'
            + f'<ul class="pn">{turn}</ul></main>\n'
            + self._tail(view.sidebar, view.boilerplate, view.phone)
        )


class CardMarkup(Markup):
    name = "card"
    content_type = "text/html"  # charset only in <meta charset>
    entry_link_form = "root"
    entry_query = "from=list"
    entry_fragment = "comment"

    def page_path(self, page: int) -> str:
        return f"/info/{LISTING_ID}/" + ("index.html" if page == 1 else f"list_{page}.html")

    def page_of(self, path: str, query: str) -> int | None:
        match = re.fullmatch(rf"/info/{LISTING_ID}/(?:index|list_(\d+))\.html", path)
        if not match:
            return None
        return int(match[1]) if match[1] else 1

    def page_href(self, page: int) -> str:
        return "index.html" if page == 1 else f"list_{page}.html"

    def paragraphs(self, rng: random.Random, place: str) -> list[str]:
        # Many one-paragraph notes, shorter than the 猜你喜欢 block beside them.
        if rng.random() < 0.4:
            return [text.lead_paragraph(rng, place)]
        return super().paragraphs(rng, place)

    def _head(self, title: str) -> str:
        return (
            f'<!DOCTYPE html><html><head><meta charset="UTF-8"><title>{_t(title)}</title></head><body>\n'
            '<div class="hd"><a href="/">首页</a><a href="/info/">资讯</a><a href="/park/">园区</a></div>\n'
        )

    def _guess(self, sidebar: list[Linked]) -> str:
        items = "".join(
            f'<li><a href="{_q(s.href)}">{_t(s.article.title_raw)}</a><p>{_t(s.article.summary[:40])}</p>'
            f"<time>{s.article.listing_date}</time></li>\n"
            for s in sidebar
        )
        return f'<div class="guess"><h3>猜你喜欢</h3><ul>\n{items}</ul></div>\n'

    def _tail(self, boilerplate: text.Boilerplate, phone: str) -> str:
        notice = "".join(f"<p>{_t(line)}</p>" for line in boilerplate.notice)
        rules = "".join(f"<p>{_t(line)}</p>" for line in boilerplate.rules)
        return (
            f'<div class="pop"><div class="pop-t">投稿说明</div>{notice}{rules}</div>\n'
            f'<div class="ft"><span>招商热线 {phone}</span><span>{SITE_NAME} 版权所有</span></div>\n</body></html>\n'
        )

    def listing(self, view: ListingView) -> str:
        cards = "".join(
            f'<a class="it" href="{_q(e.href)}"><h4>{_t(e.article.title_raw)}</h4>'
            f'<p>{_t(e.article.summary)}</p><time datetime="{e.article.listing_date}">{e.article.listing_date}</time></a>\n'
            for e in view.entries
        )
        page, count, hrefs = view.page, view.page_count, view.page_hrefs
        numbers = "".join(
            f'<span class="cur">{n}</span>' if n == page else f'<a href="{hrefs[n]}">{n}</a>' for n in range(1, count + 1)
        )
        previous = f'<a href="{hrefs[page - 1]}">上一页</a>' if page > 1 else ""
        following = f'<a href="{hrefs[page + 1]}">下一页</a>' if page < count else ""
        pager = f'<a href="{hrefs[1]}">首页</a>{previous}{numbers}{following}<a href="{hrefs[count]}">尾页</a>'
        return (
            self._head(f"招商动态_{SITE_NAME}")
            + '<div class="bd"><div class="l">' + self._guess(view.sidebar) + "</div>\n"
            + f'<div class="r"><div class="r-t">投资热点</div>\n<div class="items">\n{cards}</div>\n'
            + f'<div class="pages">{pager}</div></div></div>\n'
            + self._tail(view.boilerplate, view.phone)
        )

    def detail(self, view: DetailView) -> str:
        a = view.article
        meta = f"发布日期：{_cn_date(a.published.date())}&nbsp;&nbsp;所属地区：{_t(a.region_raw)}"
        if a.source:
            meta += f"&nbsp;&nbsp;来源：{_t(a.source)}"
        body = "".join(f"<p>{_t(p)}</p>" for p in a.paragraphs)
        turn = "".join(
            f"<div>{label}：" + (f'<a href="{_q(link.href)}">{_t(link.article.title_raw)}</a>' if link else "没有了") + "</div>"
            for label, link in (("上一篇", view.previous), ("下一篇", view.following))
        )
        return (
            self._head(f"{a.title_raw}_{SITE_NAME}")
            + '<div class="bd"><div class="r">'
            + f'<div class="art-t">{_t(a.title_raw)}</div>\n<div class="art-m">{meta}</div>\n'
            + f'<div class="art-c">{body}</div>\n<div class="art-pn">{turn}</div></div>\n'
            + '<div class="l">' + self._guess(view.sidebar) + "</div></div>\n"
            + self._tail(view.boilerplate, view.phone)
        )


class BomMarkup(Markup):
    name = "bom"
    content_type = "text/html"  # no charset in the header, none in the page: only the BOM says UTF-8
    entry_link_form = "other_host"
    title_width = 18

    def page_path(self, page: int) -> str:
        return f"/news/list-{LISTING_ID}-{page}.html"

    def page_of(self, path: str, query: str) -> int | None:
        match = re.fullmatch(rf"/news/list-{LISTING_ID}-(\d+)\.html", path)
        return int(match[1]) if match else None

    def page_href(self, page: int) -> str:
        return self.page_path(page)

    def encode(self, html: str) -> bytes:
        return "\ufeff".encode() + html.replace("\n", "\r\n").encode()

    def _shown(self, title: str) -> str:
        return title if len(title) <= self.title_width else title[: self.title_width] + "…"

    def _link(self, linked: Linked) -> str:
        title = linked.article.title_raw
        return f'<a href="{_q(linked.href)}" title="{_q(title)}" target="_blank">{_t(self._shown(title))}</a>'

    def _head(self, title: str) -> str:
        return (
            f"<html>\n<head>\n<title>{_t(title)}</title>\n"
            '<link rel="stylesheet" href="/css/main.css">\n</head>\n<body>\n'
            '<div id="top"><a href="/">首页</a> <a href="/news/">新闻中心</a> <a href="/park/">园区导航</a></div>\n'
        )

    def _tail(self, sidebar: list[Linked], boilerplate: text.Boilerplate, phone: str) -> str:
        related = "".join(f"<li>{self._link(s)}<span>{s.article.listing_date:%m-%d}</span></li>\n" for s in sidebar)
        notice = "<br>\n".join(_t(line) for line in boilerplate.notice)
        rules = "<br>\n".join(_t(line) for line in boilerplate.rules)
        return (
            f'<div id="side"><div class="st">相关推荐</div>\n<ul>\n{related}</ul>\n</div>\n'
            f'<div id="notice">{notice}<br>\n{rules}</div>\n'
            f'<div id="foot">热线电话：{phone}<br>\n{SITE_NAME}</div>\n</body>\n</html>\n'
        )

    def listing(self, view: ListingView) -> str:
        rows = "".join(
            f'<div class="row">\n<h2>{self._link(e)}</h2>\n<div class="zy">{_t(e.article.summary)}</div>\n'
            f'<div class="sj">时间：{e.article.listing_date:%Y/%m/%d}</div>\n</div>\n'
            for e in view.entries
        )
        page, count, hrefs = view.page, view.page_count, view.page_hrefs
        parts = [f'<a href="{hrefs[1]}">首页</a>'] + ([f'<a href="{hrefs[page - 1]}">上页</a>'] if page > 1 else [])
        parts += [str(n) if n == page else f'<a href="{hrefs[n]}">{n}</a>'
                  for n in range(max(1, page - 2), min(count, page + 2) + 1)]
        parts += ([f'<a href="{hrefs[page + 1]}">下页</a>'] if page < count else []) + [f'<a href="{hrefs[count]}">尾页</a>']
        return (
            self._head(f"新闻中心 - {SITE_NAME}")
            + f'<div id="main">\n<div class="list">\n{rows}</div>\n<div class="page">{" ".join(parts)}</div>\n</div>\n'
            + self._tail(view.sidebar, view.boilerplate, view.phone)
        )

    def detail(self, view: DetailView) -> str:
        a = view.article
        day = a.published.date()
        shown = (_cn_date(day), f"{day:%Y.%m.%d}", f"{day.year}/{day.month}/{day.day}")[a.date_style % 3]
        meta = (f"来源：{_t(a.source)}　" if a.source else "") + f"发布时间：{shown}　所属地区：{_t(a.region_raw)}"
        body = "<br><br>\n".join("　　" + _t(p) for p in a.paragraphs)
        turn = "<br>\n".join(
            f"{label}：" + (self._link(link) if link else "没有了")
            for label, link in (("上一篇", view.previous), ("下一篇", view.following))
        )
        return (
            self._head(f"{a.title_raw} - {SITE_NAME}")
            + f'<div id="main">\n<div class="title"><h2>{_t(a.title_raw)}</h2></div>\n<div class="info">{meta}</div>\n'
            + f'<div class="content">\n{body}\n</div>\n<div class="bj">责任编辑：{_t(a.editor)}</div>\n'
            + f'<div class="turn">{turn}</div>\n</div>\n'
            + self._tail(view.sidebar, view.boilerplate, view.phone)
        )


class BandMarkup(Markup):
    name = "band"
    entry_link_form = "other_host"

    def page_path(self, page: int) -> str:
        return f"/park/{LISTING_ID}/news_{page}.shtml"

    def page_of(self, path: str, query: str) -> int | None:
        match = re.fullmatch(rf"/park/{LISTING_ID}/news_(\d+)\.shtml", path)
        return int(match[1]) if match else None

    def page_href(self, page: int) -> str:
        return self.page_path(page)

    def _head(self, title: str) -> str:
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_t(title)}</title></head><body>\n'
            f'<div class="logo">{SITE_NAME}</div><div class="menu"><a href="/">首页</a><a href="/park/">园区</a></div>\n'
        )

    def _side(self, sidebar: list[Linked]) -> str:
        # No 热门/推荐 word: the heading alone does not give the sidebar away.
        items = "".join(f'<li><a href="{_q(s.href)}">{_t(s.article.title_raw)}</a><em>{s.article.listing_date}</em></li>'
                        for s in sidebar)
        return f'<td class="side" width="280" valign="top"><h3>最新资讯</h3><ul>{items}</ul></td>'

    def _tail(self, boilerplate: text.Boilerplate, phone: str) -> str:
        notice = "".join(f"<p>{_t(line)}</p>" for line in boilerplate.notice + boilerplate.rules)
        return f'<div class="tg">{notice}</div>\n<div class="copy">联系电话：{phone}</div>\n</body></html>\n'

    def listing(self, view: ListingView) -> str:
        items = "".join(
            f'<li><h3><a href="{_q(e.href)}">{_t(e.article.title_raw)}</a></h3>'
            f'<div class="info"><span>来源：{_t(e.article.source or SITE_NAME)}</span><span>{e.article.listing_date}</span></div>'
            f"<p>{_t(e.article.summary)}</p></li>\n"
            for e in view.entries
        )
        page, count, hrefs = view.page, view.page_count, view.page_hrefs
        window = range(max(1, page - 3), min(count, page + 3) + 1)
        pager = "".join(f"<b>{n}</b>" if n == page else f'<a href="{hrefs[n]}">{n}</a>' for n in window)
        pager += f'<a href="{hrefs[page + 1]}">下一页</a>' if page < count else ""
        return (
            self._head(f"园区新闻 - {SITE_NAME}")
            + f'<table width="1000"><tr><td valign="top"><ul class="news">\n{items}</ul><div class="pg">{pager}</div></td>'
            + self._side(view.sidebar) + "</tr></table>\n"
            + self._tail(view.boilerplate, view.phone)
        )

    def detail(self, view: DetailView) -> str:
        a = view.article
        meta = f"<span>所属地区：{_t(a.region_raw)}</span><span>发布日期：{_cn_date(a.published.date())}</span>"
        body = "".join(f"<h3>{_t(p)}</h3>" if text.is_heading(p) else f"<div>{_t(p)}</div>" for p in a.paragraphs)
        # The title sits in a band above the two columns; nothing marks where the article ends.
        return (
            self._head(f"{a.title_raw} - {SITE_NAME}")
            + f'<div class="band"><h1>{_t(a.title_raw)}</h1><div class="meta">{meta}</div></div>\n'
            + f'<table width="1000"><tr><td valign="top" class="txt">{body}</td>{self._side(view.sidebar)}</tr></table>\n'
            + self._tail(view.boilerplate, view.phone)
        )


MARKUPS: dict[str, Markup] = {m.name: m for m in (FontMarkup(), DlMarkup(), CardMarkup(), BomMarkup(), BandMarkup())}
PAGES = {"font": 5, "dl": 4, "card": 4, "bom": 3, "band": 3}


class UnseenSite:
    """One listing of generated articles in one of ``MARKUPS``, with its ground truth."""

    def __init__(self, markup: str, seed: int = 7, pages: int | None = None, per_page: int = 10) -> None:
        self.markup = MARKUPS[markup]
        self.per_page = per_page
        self._rng = random.Random(f"{markup}:{seed}")
        self.boilerplate = text.boilerplate(self._rng)
        self.phone = f"400-{self._rng.randint(100, 999)}-{self._rng.randint(1000, 9999)}"
        count = (pages or PAGES[markup]) * per_page - (3 if markup == "dl" else 0)  # dl: a short last page
        ids = self._rng.sample(range(10000, 99999), count + FOREIGN_ARTICLES)
        day = NEWEST
        self.articles: dict[int, Article] = {}
        for index, detail_id in enumerate(ids):
            if index and self._rng.random() > 0.5:
                day -= timedelta(days=self._rng.randint(1, 4))
            self.articles[detail_id] = self._article(detail_id, day)
        self.order = ids[:count]
        self.foreign = ids[count:]
        self._cache: dict[tuple, Page] = {}

    def _article(self, detail_id: int, listing_day: date) -> Article:
        rng = self._rng
        tag, region_raw, place = text.pick_region(rng)
        headline = self.markup.headline(rng, place)
        paragraphs = self.markup.paragraphs(rng, place)
        clock = time(rng.randint(8, 18), rng.randint(0, 59))
        published = datetime.combine(listing_day - timedelta(days=rng.choice((0, 0, 1, 3, 12, 200))), clock)
        return Article(
            detail_id=detail_id, tag=tag, headline=headline, region_raw=region_raw, listing_date=listing_day,
            published=published, date_style=rng.randint(0, 2),
            source=text.source_name(rng) if rng.random() < 0.5 else None, paragraphs=paragraphs,
            summary=text.summary_of(paragraphs, rng.randint(120, 600)), editor=text.person_name(rng),
        )

    # -- what a perfect crawl archives ---------------------------------------------------------

    @property
    def page_count(self) -> int:
        return -(-len(self.order) // self.per_page)

    def expected(self) -> list[dict]:
        return [self.articles[i].truth() for i in self.order]

    def foreign_ids(self) -> list[int]:
        return list(self.foreign)

    def listing_path(self, page: int = 1) -> str:
        return self.markup.page_path(page)

    # -- serving ---------------------------------------------------------------------------------

    def respond(self, path: str, base_url: str) -> Page:
        parts = urlsplit(path)
        key: tuple
        if parts.path == "/robots.txt":
            return Page(200, ROBOTS_TXT.encode(), "text/plain")
        if match := re.fullmatch(r"/info/detail/(\d+)\.html", parts.path):
            if int(match[1]) not in self.articles:
                return self._not_found()
            key = ("detail", int(match[1]), base_url)
        else:
            page = self.markup.page_of(parts.path, parts.query)
            if page is None or not 1 <= page <= self.page_count:
                return self._not_found()
            key = ("listing", page, parts.path, base_url)
        if key not in self._cache:
            html = self._listing(key[1], key[2], base_url) if key[0] == "listing" else self._detail(key[1], base_url)
            self._cache[key] = Page(200, self.markup.encode(html), self.markup.content_type)
        return self._cache[key]

    @staticmethod
    def _not_found() -> Page:
        return Page(404, b"<html><body>404 Not Found</body></html>", "text/html")

    def _link(self, detail_id: int, page_path: str, base_url: str, entry: bool = False) -> Linked:
        markup = self.markup
        if entry:
            url = href(f"/info/detail/{detail_id}.html", form=markup.entry_link_form, page_path=page_path,
                       base_url=base_url, query=markup.entry_query, fragment=markup.entry_fragment)
        else:
            url = href(f"/info/detail/{detail_id}.html", form="root", page_path=page_path, base_url=base_url)
        return Linked(self.articles[detail_id], url)

    def _sidebar(self, key: object, page_path: str, base_url: str) -> list[Linked]:
        rng = random.Random(f"sidebar:{key}")
        ids = rng.sample(self.order, 3) + rng.sample(self.foreign, 3)
        rng.shuffle(ids)
        return [self._link(i, page_path, base_url) for i in ids]

    def _listing(self, page: int, page_path: str, base_url: str) -> str:
        start = (page - 1) * self.per_page
        view = ListingView(
            page=page, page_count=self.page_count,
            entries=[self._link(i, page_path, base_url, entry=True) for i in self.order[start:start + self.per_page]],
            page_hrefs={n: self.markup.page_href(n) for n in range(1, self.page_count + 1)},
            sidebar=self._sidebar(page, page_path, base_url), boilerplate=self.boilerplate, phone=self.phone,
        )
        return self.markup.listing(view)

    def _detail(self, detail_id: int, base_url: str) -> str:
        path = f"/info/detail/{detail_id}.html"
        siblings = self.order if detail_id in self.order else self.foreign
        index = siblings.index(detail_id)
        previous, following = (
            self._link(siblings[i], path, base_url) if 0 <= i < len(siblings) else None for i in (index - 1, index + 1)
        )
        view = DetailView(self.articles[detail_id], previous, following,
                          self._sidebar(detail_id, path, base_url), self.boilerplate, self.phone)
        return self.markup.detail(view)
