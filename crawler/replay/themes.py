"""Markup themes: the same pages written as three genuinely different HTML structures.

A theme turns a view (what the page says, links already written) into HTML text. Class
names differ per theme and mean nothing: the crawler must read structure and content.

- ``classic``: ul/li entries, h1 title, <p> paragraphs, full pager; UTF-8.
- ``table``: entries as table rows (summary in a second row), body in one <td> with <br>
  breaks and indentation, only 首页/上一页/下一页/尾页; GBK declared as gb2312 in <meta>.
- ``flat``: entries as consecutive h3/p/span siblings in one div, title and meta line in one
  block, body in <div>s, numbered ``list_N.html`` pager; UTF-8.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from html import escape

from crawler.replay.text import Boilerplate, is_heading


@dataclass
class Link:
    href: str
    text: str
    date: str = ""


@dataclass
class Entry:
    href: str
    title: str
    summary: str
    date: str


@dataclass
class Frame:
    """What every page carries around its content."""

    encoding: str
    site_title: str
    nav: list[Link]
    hot: list[Link]  # 热门资讯: other detail pages, some outside the listing
    tougao: Link
    boilerplate: Boilerplate
    phone: str


@dataclass
class ListingView:
    frame: Frame
    park: str | None  # the park's name, shown differently by each theme; None: not shown
    channel: str  # the listing's own name, e.g. 招商资讯
    page: int
    page_count: int
    entries: list[Entry]
    page_links: dict[int, str]  # page number -> href, for every page

    @property
    def heading(self) -> str:
        """Park and listing name run together, as the site's headings show them."""
        return f"{self.park or ''}{self.channel}"


@dataclass
class DetailView:
    frame: Frame
    title: str
    meta: list[str]  # "label:value" lines: 所属地区, 发布日期, 来源
    paragraphs: list[str]
    editor: str
    crumbs: list[Link]
    previous: Link | None
    following: Link | None
    related: list[Link]


def _t(text: str) -> str:
    return escape(text, quote=False)


def _a(link: Link, extra: str = "") -> str:
    return f'<a href="{escape(link.href)}"{extra}>{_t(link.text)}</a>'


def _is_gbk(encoding: str) -> bool:
    return encoding.replace("-", "").lower() in {"gbk", "gb2312", "gb18030", "cp936"}


class Theme(ABC):
    name = ""
    default_encoding = "utf-8"

    def page_target(self, listing_id: int, page: int) -> tuple[str, str]:
        """The (path, query) this theme's pager links to for ``page``."""
        return f"/info/{listing_id}/page/{page}", ""

    @abstractmethod
    def listing(self, view: ListingView) -> str: ...

    @abstractmethod
    def detail(self, view: DetailView) -> str: ...


class ClassicTheme(Theme):
    name = "classic"

    def _head(self, frame: Frame, title: str) -> str:
        charset = "gbk" if _is_gbk(frame.encoding) else "utf-8"
        nav = "".join(f"<li>{_a(link)}</li>" for link in frame.nav)
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{charset}">'
            f"<title>{_t(title)}</title></head>\n<body>\n"
            f'<header class="top"><div class="logo">{_t(frame.site_title)}</div><ul class="menu">{nav}</ul></header>\n'
        )

    def _tail(self, frame: Frame) -> str:
        hot = "".join(f"<li>{_a(link)}<span>{link.date}</span></li>" for link in frame.hot)
        notice = "".join(f"<p>{_t(line)}</p>" for line in frame.boilerplate.notice)
        rules = "".join(f"<p>{_t(line)}</p>" for line in frame.boilerplate.rules)
        return (
            f'<aside class="side"><h3>热门资讯</h3><ul>{hot}</ul></aside>\n'
            f'<div class="modal"><h4>投稿提示</h4>{notice}<p>我已阅读并同意《投稿须知》</p></div>\n'
            f'<div class="rules">{rules}</div>\n'
            f'<footer><p>投资咨询热线 {frame.phone}</p><ul><li>联系我们</li><li>企业入驻</li></ul></footer>\n'
            "</body></html>\n"
        )

    def listing(self, view: ListingView) -> str:
        items = "".join(
            f'<li><span class="dot">•</span> <a href="{escape(e.href)}">{_t(e.title)}</a>'
            f"<p>{_t(e.summary)}</p><span class=\"date\">{e.date}</span></li>\n"
            for e in view.entries
        )
        return (
            self._head(view.frame, f"{view.heading}_第{view.page}页_{view.frame.site_title}")
            + f'<main><h2>{_t(view.heading)}</h2>\n<ul class="news">\n{items}</ul>\n'
            + f'<div class="add">{_a(view.frame.tougao)}</div>\n'
            + f'<div class="pager">{self._pager(view)}</div></main>\n'
            + self._tail(view.frame)
        )

    def _pager(self, view: ListingView) -> str:
        page, count, links = view.page, view.page_count, view.page_links
        parts = []
        if page > 1:
            parts += [_a(Link(links[1], "首页")), _a(Link(links[page - 1], "上一页"))]
        for number in range(max(1, page - 4), min(count, page + 4) + 1):
            parts.append(f"<b>{number}</b>" if number == page else _a(Link(links[number], str(number))))
        if page < count:
            parts += [_a(Link(links[page + 1], "下一页")), _a(Link(links[count], "尾页"))]
        return " ".join(parts) + f" <span>共 {count} 页</span>"

    def detail(self, view: DetailView) -> str:
        crumbs = " &gt; ".join(_a(link) for link in view.crumbs) + " &gt; 正文"
        meta = "".join(f"<span>{_t(line)}</span>" for line in view.meta)
        body = "".join(
            f"<p><strong>{_t(p)}</strong></p>\n" if is_heading(p) else f"<p>{_t(p)}</p>\n"
            for p in view.paragraphs
        )
        neighbours = "".join(
            f"<p>{label}：{_a(link) if link else '没有了'}</p>"
            for label, link in (("上一篇", view.previous), ("下一篇", view.following))
        )
        related = "".join(f"<li>{_a(link)}</li>" for link in view.related)
        return (
            self._head(view.frame, f"{view.title}_{view.frame.site_title}")
            + f'<div class="crumbs">{crumbs}</div>\n<article><h1>{_t(view.title)}</h1>\n'
            + f'<div class="info">{meta}</div>\n<div class="content">\n{body}</div>\n'
            + f'<p class="editor">责任编辑：{_t(view.editor)}</p>\n<div class="turn">{neighbours}</div></article>\n'
            + f'<section class="related"><h3>相关阅读</h3><ul>{related}</ul></section>\n'
            + self._tail(view.frame)
        )


class TableTheme(Theme):
    name = "table"
    default_encoding = "gbk"

    def page_target(self, listing_id: int, page: int) -> tuple[str, str]:
        return f"/info/{listing_id}/", f"page={page}"

    def _head(self, frame: Frame, title: str) -> str:
        # Old CMSs declare gb2312 while serving GBK bytes; browsers read it as GBK.
        charset = "gb2312" if _is_gbk(frame.encoding) else "utf-8"
        nav = " | ".join(_a(link) for link in frame.nav)
        return (
            '<html><head><meta http-equiv="Content-Type" content="text/html; '
            f'charset={charset}"><title>{_t(title)}</title></head>\n<body>\n'
            f'<table width="100%" class="t1"><tr><td><b>{_t(frame.site_title)}</b></td><td>{nav}</td></tr></table>\n'
            '<table width="980" align="center"><tr><td valign="top" width="700">\n'
        )

    def _tail(self, frame: Frame) -> str:
        hot = "".join(f"<tr><td>{_a(link)}</td><td>{link.date}</td></tr>" for link in frame.hot)
        notice = "<br>".join(_t(line) for line in frame.boilerplate.notice)
        rules = "<br>".join(_t(line) for line in frame.boilerplate.rules)
        return (
            '</td><td valign="top" width="260">\n'
            f'<table class="t9"><tr><th colspan="2">热门资讯</th></tr>{hot}</table>\n'
            "</td></tr></table>\n"
            f'<table width="980" align="center"><tr><td><font size="3">投稿提示</font><br>{notice}</td></tr>'
            f"<tr><td>{rules}</td></tr>"
            f"<tr><td>招商中心 {frame.phone} | 联系我们 | 企业入驻</td></tr></table>\n</body></html>\n"
        )

    def listing(self, view: ListingView) -> str:
        rows = "".join(
            f'<tr><td width="12">•</td><td><a href="{escape(e.href)}" target="_blank">{_t(e.title)}</a></td>'
            f'<td width="90">{e.date}</td></tr>\n<tr><td></td><td colspan="2">{_t(e.summary)}</td></tr>\n'
            for e in view.entries
        )
        page, count, links = view.page, view.page_count, view.page_links
        pager = [f"共{count}页 第{page}页"]
        for label, number, active in (("首页", 1, page > 1), ("上一页", page - 1, page > 1),
                                       ("下一页", page + 1, page < count), ("尾页", count, page < count)):
            pager.append(_a(Link(links[number], label)) if active else label)
        crumbs = " - ".join(_t(part) for part in ("首页", view.park, view.channel) if part)
        return (
            self._head(view.frame, f"{view.channel}-{view.frame.site_title}")
            + f'<table width="100%"><tr><td>当前位置：{crumbs}</td></tr></table>\n'
            + f'<table class="t3" width="100%"><tr><td colspan="3"><b>{_t(view.channel)}</b></td></tr>\n{rows}</table>\n'
            + f"<table><tr><td>{_a(view.frame.tougao)}</td></tr>"
            + f'<tr><td align="center">{" ".join(pager)}</td></tr></table>\n'
            + self._tail(view.frame)
        )

    def detail(self, view: DetailView) -> str:
        crumbs = " - ".join(_a(link) for link in view.crumbs)
        meta = "\u3000".join(_t(line) for line in view.meta)
        body = "<br>\n".join("\u3000\u3000" + _t(p) for p in view.paragraphs)
        neighbours = "<br>".join(
            f"{label}：{_a(link) if link else '没有了'}"
            for label, link in (("上一篇", view.previous), ("下一篇", view.following))
        )
        related = "".join(f"<tr><td>{_a(link)}</td></tr>" for link in view.related)
        return (
            self._head(view.frame, f"{view.title}-{view.frame.site_title}")
            + f'<table width="100%"><tr><td>当前位置：{crumbs}</td></tr>\n'
            + f'<tr><td align="center" class="bt"><strong>{_t(view.title)}</strong></td></tr>\n'
            + f'<tr><td align="center" class="xx">{meta}</td></tr>\n'
            + f'<tr><td class="nr">{body}</td></tr>\n'
            + f'<tr><td align="right">责任编辑：{_t(view.editor)}</td></tr>\n'
            + f"<tr><td>{neighbours}</td></tr></table>\n"
            + f'<table><tr><th>相关阅读</th></tr>{related}</table>\n'
            + self._tail(view.frame)
        )


class FlatTheme(Theme):
    name = "flat"

    def page_target(self, listing_id: int, page: int) -> tuple[str, str]:
        return f"/info/{listing_id}/list_{page}.html", ""

    def _head(self, frame: Frame, title: str) -> str:
        charset = "GBK" if _is_gbk(frame.encoding) else "UTF-8"
        nav = "".join(_a(link) for link in frame.nav)
        return (
            '<!doctype html><html><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset={charset}"><title>{_t(title)}</title></head><body>'
            f'<div id="n">{nav}</div>'
        )

    def _tail(self, frame: Frame) -> str:
        hot = "".join(f"<div>{_a(link)} <i>{link.date}</i></div>" for link in frame.hot)
        notice = "".join(f"<div>{_t(line)}</div>" for line in frame.boilerplate.notice)
        rules = "".join(f"<div>{_t(line)}</div>" for line in frame.boilerplate.rules)
        return (
            f'<div id="r"><div>热门资讯</div>{hot}</div>'
            f'<div id="tg"><div>投稿提示</div>{notice}</div><div id="gz">{rules}</div>'
            f'<div id="f">{_t(frame.site_title)} 热线：{frame.phone}</div></body></html>'
        )

    def listing(self, view: ListingView) -> str:
        entries = "".join(
            f'<h3><i>•</i><a href="{escape(e.href)}">{_t(e.title)}</a></h3><p>{_t(e.summary)}</p><span>{e.date}</span>'
            for e in view.entries
        )
        page, count, links = view.page, view.page_count, view.page_links
        window = range(max(1, page - 5), min(count, page + 5) + 1)
        pager = "".join(
            f"<span>{number}</span>" if number == page else _a(Link(links[number], str(number))) for number in window
        )
        if page < count:
            pager += _a(Link(links[page + 1], "下一页"))
        banner = f"<h1>{_t(view.park)}</h1>" if view.park else ""
        return (
            self._head(view.frame, f"{view.channel} 第{view.page}页")
            + f'{banner}<div id="m"><div>{_t(view.channel)}</div><div id="l">{entries}</div>'
            + f"<div>{_a(view.frame.tougao)}</div><div id=\"p\">{pager}<em>共 {count} 页</em></div></div>"
            + self._tail(view.frame)
        )

    def detail(self, view: DetailView) -> str:
        crumbs = "/".join(_a(link) for link in view.crumbs)
        meta = " ".join(_t(line) for line in view.meta)
        body = "".join(f"<div>{_t(p)}</div>" for p in view.paragraphs)
        neighbours = "".join(
            f"<div>{label}：{_a(link) if link else '没有了'}</div>"
            for label, link in (("上一篇", view.previous), ("下一篇", view.following))
        )
        related = "".join(f"<div>{_a(link)}</div>" for link in view.related)
        return (
            self._head(view.frame, view.title)
            + f'<div id="c">{crumbs}</div>'
            + f'<div id="m"><div id="h">{_t(view.title)}<br>{meta}</div>'
            + f'<div id="b">{body}</div><div>责任编辑：{_t(view.editor)}</div>{neighbours}</div>'
            + f'<div id="x"><div>相关阅读</div>{related}</div>'
            + self._tail(view.frame)
        )


THEMES: dict[str, Theme] = {theme.name: theme for theme in (ClassicTheme(), TableTheme(), FlatTheme())}
