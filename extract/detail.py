"""An article page's fields: title, region, date, source and the article body.

The page is read as lines of text in document order. The title line is found (by the
listing's title, on one line or two, the <title>, the line above the meta labels, or <h1>);
the meta lines after it are skipped, and so is a short preamble (unlabelled datelines, a deck
line, share widgets, promo link boxes) up to the first paragraph; the body is the lines that
follow, up to the first stop marker (责任编辑, 上一篇, 相关阅读, 投稿 notice, share widgets,
关注/扫一扫 calls, comments, copyright footer...) or run of link lists. Boilerplate on this
site is longer than most articles, so no "largest text block" rule is used. The rules come
from real pages of news portals, papers, government sites, blogs and forums (issue #9); each
kind has a test page of our own in tests/test_real_page_kinds.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml.etree import _Element

from extract.blocks import BREADCRUMB, Line, body_of, collapse, parse_html, text_lines
from normalize.dates import DATE
from normalize.text import FULL_WIDTH_TO_ASCII

LABELS = r"所属地区|发布日期|发布时间|更新时间|日期|时间|来源于|来源|作者|编辑|责任编辑|浏览|阅读|点击|字号"
META_LABEL = re.compile(rf"(?:{LABELS})\s*[:：]")
# A value runs to the next whitespace, separator or label (labels may follow without a gap).
VALUE = rf"([^\s|｜]*?)(?=\s|[|｜]|(?:{LABELS})\s*[:：]|$)"
REGION = re.compile(rf"所属地区\s*[:：]\s*{VALUE}")
SOURCE = re.compile(rf"来源于?\s*[:：]\s*{VALUE}")
# The posting date: 发布/发表 labels first (a colon may be missing: "发布时间 2025/05/17",
# "发表于2005-07-31"); a bare 日期/时间 label only where no other word stands before it, so
# that 成文日期 (the date a document was signed, on 信息公开 pages) is not taken for it.
PUBLISHED = re.compile(rf"(?:(?:发布|发表)(?:日期|时间)\s*[:：]?|(?:发布|发表)于\s*[:：]?)\s*({DATE})")
# Else an update time, else a bare 日期/时间 label.
LABELLED_DATE = re.compile(rf"(?:更新(?:日期|时间)|(?<![\u4e00-\u9fff])(?:日期|时间))\s*[:：]\s*({DATE})")
DATELINE_REACH = 3  # lines before the title that may hold its dateline
METADATA_TABLE_REACH = 16  # lines before the title that may hold a 信息公开 metadata table
BARE_DATE = re.compile(DATE)
NOT_WORDS = re.compile(r"[\W_\d]+|\d{1,2}[-/]\d{1,2}(?:\s+\d{1,2}:\d{2})?")
TRUNCATION = re.compile(r"(?:…|\.{2,}|。。。)$")
LABEL_ONLY = re.compile(rf"(?:{LABELS})\s*[:：]$")
# A label in a cell of its own, colon or not: <td>发布时间</td><td>2025-07-10 10:20</td>.
BARE_LABEL = re.compile(rf"(?:{LABELS})\s*[:：]?")
WIDGET = re.compile(r"^(?:字号|分享|打印|收藏|关闭|大\s*中\s*小|【?\s*字体)")
# Lines that end the article, matched at a line's start: article sentences may contain these
# words mid-text, but never open with them. Section headings only count as short lines.
STOP_LINE = re.compile(
    r"^[【\[(（]?\s*(?:责任编辑|编辑\s*[:：]|上一篇|下一篇|上一条|下一条|有想补充的信息|点我投稿|投稿提示|投稿须知|"
    r"免责声明|版权所有|版权声明|copyright|©|分享到|返回顶部|打印本页|关闭窗口|扫一扫|扫描二维码|为你推荐|为您推荐|"
    r"阅读剩余全文|展开全文|展开阅读全文|点击加载更多|返回\S{0,6}[，,]\s*查看更多)",
    re.IGNORECASE,
)
STOP_HEADING = re.compile(r"^[【\[(（]?\s*(?:相关|推荐|延伸阅读|热门|热点|猜你喜欢|投稿|返回列表|声明|郑重声明|(?:网友|最新|热门|全部|精彩|文章|我要|发表)?评论(?:区|列表)?\s*(?:[(（]\d*[)）])?$)")
# "关注新华网", "关注我们", "关注官方微信公众号": a follow call, not a subheading (关注点…).
FOLLOW_CALL = re.compile(r"^[【\[(（]?\s*(?:扫码)?关注\S{0,10}(?:网|我们|本站|公众号|微信|微博|客户端|抖音|视频号)\S{0,3}$")
# An editor's credit anywhere in a short line: "【纠错】【责任编辑:张三】", "(责编：赵六、钱七)".
EDITOR = re.compile(r"(?:责任编辑|责编)\s*[:：]")
# A post's footer of counters: "posted @ … 阅读(120) 评论(3)", "浏览：35 回复：2".
COUNTER = re.compile(r"(?:阅读|评论|浏览|点击|回复|收藏|点赞|views?|comments?)\s*[(（:：]?\s*\d+", re.IGNORECASE)
# A post's tag or category line: "标签：园区 招商", "分类：财经".
TAGS = re.compile(r"^(?:标签|关键词|关键字|分类|tags?)\s*[:：]", re.IGNORECASE)
# A forum post's floor mark: the first post ends where the next floor (2楼, 沙发) or its own
# tail ("1楼 2025-07-09 10:20") begins.
FLOOR = re.compile(r"^(?:#?\d{1,4}\s*[楼#]|楼主|沙发|板凳|地板)(?![\u4e00-\u9fff])")
# Share and page-function widgets: a line made of these words (QQ空间 微博 微信, 【打印】【关闭】).
WIDGET_WORDS = re.compile(
    r"分享到?|QQ空间|QQ好友|新浪微博|腾讯微博|微博|微信|朋友圈|豆瓣|人人网|复制链接|facebook|twitter|"
    r"打印|关闭|收藏|推荐|字体|字号|大\s*中\s*小|我来说两句|我要纠错|纠错|评论|页面功能|回复|引用|举报|只看该作者|"
    r"[\W_\d]+",
    re.IGNORECASE,
)
# Footer lines that may come without a heading: phone numbers, ICP licence, copyright.
# A phone number counts only as a line of its own: an article may quote a hotline mid-sentence.
FOOTER = re.compile(r"^[^，。,]{0,12}400-\d{3}-\d{4}$|ICP备|版权所有|all rights reserved|copyright|©", re.IGNORECASE)
LINK_LIST_RUN = 2  # consecutive link-dense lines that mean a link list (sidebar, related) began
SITE_SUFFIX = re.compile(r"\s*[-_|｜–—]\s*[^-_|｜–—【】]{1,15}$")
INLINE_POINT = re.compile(r"\s+(?=[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、](?!\d))")


@dataclass
class DetailFields:
    title: str
    region_raw: str
    published_raw: str
    source: str
    body: str


def detail_fields(html: str, url: str, listing_title: str | None = None) -> DetailFields:
    """The article's fields from its page; ``listing_title`` helps find the title when given.

    ``url`` completes the spider's uniform call (page text + address); the fields need only
    the text.
    """
    root = parse_html(html)
    body = body_of(root)
    nodes = [body] if body is not None else [root]
    lines = text_lines(nodes, skip_chrome=True)
    titles = [_title_text(line) for line in lines]
    title_at, two_lines = _headline(root, lines, titles, listing_title, structural=False)
    if title_at is None:
        # The headline may stand in a <header> outside <article>/<main>: read the chrome too.
        with_chrome = text_lines(nodes)
        with_chrome_titles = [_title_text(line) for line in with_chrome]
        title_at, two_lines = _headline(root, with_chrome, with_chrome_titles, listing_title, structural=False)
        if title_at is not None:
            lines, titles = with_chrome, with_chrome_titles
        else:
            title_at, two_lines = _headline(root, lines, titles, listing_title)
    if two_lines:
        titles[title_at] = _with_continuation(lines, titles, title_at)
        lines = lines[: title_at + 1] + lines[title_at + 2 :]  # its second line is no body text
        titles = titles[: title_at + 1] + titles[title_at + 2 :]
    title = titles[title_at] if title_at is not None else _page_title(root, listing_title)
    body_from = _body_start(lines, title_at)
    body, body_end = _body_lines(lines, title_at, body_from)
    if not any(map(_is_sentence, body)) and (densest := _densest_text(lines, title_at or 0)) is not None:
        # Not one sentence where the text should start (an odd layout): the box holding the
        # most prose after the title is the article.
        fallback, fallback_end = _body_lines(lines, None, densest)
        if sum(map(len, fallback)) > sum(map(len, body)):
            body, body_end = fallback, fallback_end
    meta_zone = _label_texts(lines[title_at or 0 : body_from])
    # 信息公开 pages put a table of labelled metadata above the title.
    above_title = _label_texts(lines[max(0, (title_at or 0) - METADATA_TABLE_REACH) : title_at or 0])
    before_title = [line.text for line in lines[max(0, (title_at or 0) - DATELINE_REACH) : title_at or 0]][::-1]
    # "posted by … at <date>": the byline may close the text or follow it.
    trailer = [*body[-1:], *(line.text for line in lines[body_end : body_end + 2])]
    everywhere = [line.text for line in lines]
    return DetailFields(
        title=title,
        region_raw=_labelled(REGION, meta_zone, everywhere),
        published_raw=_published(meta_zone, above_title, before_title, trailer, everywhere) or _meta_date(root),
        source=_labelled(SOURCE, meta_zone, everywhere),
        body="\n".join(body),
    )


# <meta> names CMSs give the publication time under (TRS, news portals, Open Graph, schema.org).
META_DATE_NAMES = frozenset(
    "publishdate pubdate publish_date publishtime publish-date article:published_time og:release_date "
    "datepublished firstpublishedtime".split()
)


def _meta_date(root: _Element) -> str:
    """The publication date a <meta> tag gives, for a page that shows none in its text."""
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in META_DATE_NAMES and (match := BARE_DATE.search(meta.get("content") or "")):
            return match.group(0)
    return ""


def _label_texts(lines: list[Line]) -> list[str]:
    """The lines' texts; a label alone on its line reads as "label：" so that it meets its
    value on the next (<td>发布日期</td><td>2025-07-08</td>)."""
    return [f"{line.text}：" if BARE_LABEL.fullmatch(line.text) else line.text for line in lines]


def _published(
    meta_zone: list[str], above_title: list[str], before_title: list[str], trailer: list[str], everywhere: list[str]
) -> str:
    """The posting date as shown: labelled in the lines between title and text, or in a
    metadata table above the title; then a bare date between title and text, a dateline just
    above the title, a byline right after the text; then a label anywhere."""
    return (
        _labelled(PUBLISHED, meta_zone)
        or _labelled(LABELLED_DATE, meta_zone)
        or _labelled(PUBLISHED, above_title)
        or _first_date(meta_zone)
        or _first_date(before_title)
        or _labelled(PUBLISHED, trailer)
        or _first_date(trailer)
        or _labelled(PUBLISHED, everywhere)
        or _labelled(LABELLED_DATE, everywhere)
    )


SUBTITLE_DASH = re.compile(r"^(?:——|—|--|――)")


def _with_continuation(lines: list[Line], titles: list[str], k: int) -> str | None:
    """Line ``k`` joined with the next when that continues it as a headline does: a second
    line of the same block (a ``<br>`` inside the headline), or a ``——subtitle`` line."""
    if k + 1 >= len(lines) or len(titles[k]) > 80 or len(titles[k + 1]) > 60 or lines[k + 1].link_ratio >= 0.5:
        return None
    following = titles[k + 1]
    if lines[k + 1].block is lines[k].block or SUBTITLE_DASH.match(following):
        separator = "" if SUBTITLE_DASH.match(following) or not (titles[k][-1:].isascii() and following[:1].isascii()) else " "
        return f"{titles[k]}{separator}{following}"
    return None


def _headline(
    root: _Element, lines: list[Line], titles: list[str], listing_title: str | None, structural: bool = True
) -> tuple[int | None, bool]:
    """The title line's index, and whether the title goes on over the next line.

    The listing's title or the <title> is looked for on one line, then on two (a ``<br>`` in
    the headline, a ``——subtitle`` line); then, if ``structural``, the page's structure
    decides. A heading whose block holds two lines is one title either way."""
    title_at = _title_line(root, lines, titles, listing_title, structural=False)
    if title_at is None:
        joined = [_with_continuation(lines, titles, k) for k in range(len(lines))]
        if (title_at := _title_line(root, lines, joined, listing_title, structural=False)) is not None:
            return title_at, True
        if structural:
            title_at = _title_line(root, lines, titles, listing_title)
    if title_at is None:
        return None, False
    joined_title = _with_continuation(lines, titles, title_at)
    return title_at, bool(joined_title) and (lines[title_at].heading or _names_title(root, joined_title, listing_title))


def _names_title(root: _Element, text: str, listing_title: str | None) -> bool:
    """Whether ``text`` is the listing's title, or what the page's <title> starts with."""
    key = _title_key(text)
    page_title = _title_key(root.findtext(".//title") or "")
    return (bool(listing_title) and key == _title_key(listing_title)) or page_title.startswith(key)


def _title_line(
    root: _Element, lines: list[Line], titles: list, listing_title: str | None, structural: bool = True
) -> int | None:
    """The index of the title line; ``titles`` holds each line's text as a title (None for a
    line that cannot be one). With ``structural`` False, only the listing's title and the
    <title> are looked for: the structural guesses are made once, on single lines."""
    if listing_title and (shows_listed := _shows_title(listing_title)):
        if (found := _find(lines, titles, shows_listed)) is not None:
            return found
    page_title = collapse(root.findtext(".//title") or "")
    if page_title:
        # The <title> starts with the article title; a site name may follow it.
        shortest = max(6, len(page_title) // 2)
        found = _find(lines, titles, lambda t: len(t) >= shortest and page_title.startswith(t))
        if found is not None:
            return found
    if not structural:
        return None
    meta_at = next((k for k, line in enumerate(lines) if _is_meta(line) and META_LABEL.search(line.text)), None)
    if meta_at and len(lines[meta_at - 1].text) <= 100 and lines[meta_at - 1].link_ratio < 0.5:
        return meta_at - 1
    return next((k for k, line in enumerate(lines) if line.block.tag == "h1" and line.link_ratio < 0.5), None)


def _find(lines: list[Line], titles: list[str], matches: Callable[[str], bool]) -> int | None:
    """The matching line, a heading first: the title also shows in breadcrumbs and link lists."""
    shown = [k for k, title in enumerate(titles) if title and matches(title)]
    hits = [k for k in shown if lines[k].link_ratio < 0.5]
    headings = [k for k in hits if lines[k].heading]
    # A blog's headline links to the post itself: a linked line counts when prose follows it,
    # as it never does an entry of a link list.
    linked = [k for k in shown if k + 1 < len(lines) and _is_prose(lines[k + 1])]
    # A copy of the title in a hidden share block or a breadcrumb leads to no article: the
    # headline has meta labels or the first paragraph right under it.
    leading = [k for k in hits if _leads_text(lines, k)]
    return ([k for k in headings if k in leading] or leading or headings or hits or linked or [None])[0]


def _leads_text(lines: list[Line], k: int) -> bool:
    """Whether meta labels or a paragraph follow line ``k`` within a few lines."""
    return any(META_LABEL.search(line.text) or _is_prose(line) for line in lines[k + 1 : k + 4])


def _shows_title(listed: str) -> Callable[[str], bool] | None:
    """A test for a line showing the listed title: prefix and spaces aside, or the part a
    truncated listing title keeps. None for a title with nothing left to compare."""
    # The listed title's key is made once: the test runs on every line of the page.
    full_key = _title_key(listed)
    listed_key = TRUNCATION.sub("", full_key)
    if not listed_key:
        return None
    # Folding keeps lengths: a line whose bare key has another length is let go unfolded.
    size = len(listed_key)
    if listed_key != full_key:
        return lambda shown: len(key := _bare_key(shown)) >= size and _fold(key[:size]) == listed_key
    return lambda shown: len(key := _bare_key(shown)) == size and _fold(key) == listed_key


def _title_key(text: str) -> str:
    """The title without its 【region】 prefix and without whitespace, full-width forms folded
    (a listing may show "(图)" where the page shows "（图）")."""
    return _fold(_bare_key(text))


def _bare_key(text: str) -> str:
    """The title without its 【region】 prefix and without whitespace."""
    if text.startswith("【") and (end := text.find("】")) != -1:
        text = text[end + 1 :]
    return "".join(text.split())  # str.split's whitespace is the regex \s


def _fold(key: str) -> str:
    return key if key.isascii() else key.translate(FULL_WIDTH_TO_ASCII)


def _title_text(line: Line) -> str:
    """The line's text, cut before meta labels that share the title's block."""
    text = line.text
    if ":" not in text and "：" not in text:  # every meta label ends in a colon
        return text
    label = META_LABEL.search(text)
    return text[: label.start()].strip() if label and label.start() > 0 else text


def _page_title(root: _Element, listing_title: str | None = None) -> str:
    """The <title> without the site's name; the listing's title where the <title> shows it
    among site and column names (大话四川-<listing title>-某某社区)."""
    title = collapse(root.findtext(".//title") or "")
    if listing_title and (key := _title_key(listing_title)) and key in _title_key(title):
        return collapse(listing_title)
    stripped = SITE_SUFFIX.sub("", title)
    return stripped or title


def _is_meta(line: Line) -> bool:
    text = line.text
    if len(text) > 120:
        return False
    return bool(
        META_LABEL.search(text)
        or BARE_LABEL.fullmatch(text)
        or BARE_DATE.fullmatch(text)
        or WIDGET.match(text)
        or BREADCRUMB.search(text)
        or _is_link_item(line)
    )


def _is_widget_line(text: str) -> bool:
    """A short line of share targets and page functions only (分享到 QQ空间 微博, 【打印】【关闭】)."""
    return len(text) <= 80 and not WIDGET_WORDS.sub("", text).strip() and bool(re.search(r"[^\W\d_]", text))


def _is_link_item(line: Line) -> bool:
    """A line of a link list: mostly link text, or a link plus a date or a few characters."""
    if line.link_ratio >= 0.5:
        return True
    linked = any(piece.link is not None for piece in line.pieces)
    rest = collapse("".join(p.text for p in line.pieces if p.link is None))
    # What is left beside the links, without dates, counts and punctuation: a poster's name,
    # "298字 [4321/87]", a date: an entry of a link list, not a sentence.
    return linked and (len(rest) <= 12 or len(NOT_WORDS.sub("", BARE_DATE.sub("", rest))) <= 12)


def _body_start(lines: list[Line], title_at: int | None) -> int:
    """The first line after the title that is neither meta, widget, link nor section heading."""
    k = 0 if title_at is None else title_at + 1
    title = _title_text(lines[title_at]) if title_at is not None else None
    while k < len(lines) and (
        _is_meta(lines[k])
        or lines[k].text == title
        or (len(lines[k].text) <= 20 and STOP_HEADING.match(lines[k].text))
        or (k > 0 and _labels_next(lines[k - 1].text) and len(lines[k].text) <= 30)  # <dt>label</dt><dd>value
    ):
        k += 1
    if (found := _first_paragraph(lines, k)) is not None:
        return found
    # No paragraph near the title (an odd layout): the box holding the most prose after it.
    densest = _densest_text(lines, k)
    return k if densest is None else densest


# Sentence punctuation: prose has it, datelines, decks, widgets and link boxes seldom do.
SENTENCE = re.compile(r"[。！？；，,!?;]")
SENTENCE_END = re.compile(r"[。！？!?…][”」』）)]?$")
# A numbered section heading (一、 （二） 3.) opens the text even though it is short.
SECTION_HEADING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[.．、](?!\d))\s*\S")
PREAMBLE_LINES = 30  # lines looked past for the first paragraph
PREAMBLE_LINE_CHARS = 60  # a preamble line (dateline, deck, share widget, promo link) is short
DECK_CHARS = 120  # text in the headline's own box, at most: a deck line, not the article
PREAMBLE_CHARS = 400  # and all of them together are not much more than a link box


def _is_prose(line: Line) -> bool:
    """A paragraph of the article: a sentence, not a dateline, widget, deck or link."""
    return line.link_ratio < 0.3 and not _is_meta(line) and _is_sentence(line.text)


def _is_sentence(text: str) -> bool:
    """Prose by its shape: long, or with sentence punctuation."""
    return len(text) >= 80 or (len(text) >= 12 and bool(SENTENCE.search(text)))


def _past_preamble(lines: list[Line], k: int) -> int:
    """The first paragraph at or after ``k`` (see ``_first_paragraph``), else ``k``."""
    found = _first_paragraph(lines, k)
    return k if found is None else found


def _first_paragraph(lines: list[Line], k: int) -> int | None:
    """The first paragraph at or after ``k``: unlabelled datelines (``2022-02-13 09:57 某某网``),
    a deck line, share widgets and promo link boxes may stand between the title and the text.
    Only short lines are passed over, and only a few: a heading that opens the text stays.
    None when no paragraph follows within that reach."""
    passed = 0
    for j in range(k, min(len(lines), k + PREAMBLE_LINES)):
        text = lines[j].text
        if _is_prose(lines[j]) or (SECTION_HEADING.match(text) and lines[j].link_ratio < 0.5):
            return j
        passed += len(text)
        if _is_widget_line(text):  # 分享到 QQ空间 微博: passed over here, an end after the text
            continue
        if len(text) > PREAMBLE_LINE_CHARS or passed > PREAMBLE_CHARS or STOP_LINE.match(text) or FOOTER.search(text):
            break
    return None


def _labels_next(text: str) -> bool:
    """A line ending in a label whose value is on the next line: "来源：", or a bare cell "来源"."""
    return bool(LABEL_ONLY.search(text) or BARE_LABEL.fullmatch(text))


def _body_lines(lines: list[Line], title_at: int | None, start: int) -> tuple[list[str], int]:
    """The article's lines from ``start``, and the index of the first line after them (link
    lines skipped just before the end count as after them: a byline may be one)."""
    if start >= len(lines):
        return [], len(lines)
    # The article stays inside the element holding both its title and its first paragraph.
    first = lines[start].block
    container = _common_ancestor(lines[title_at].block, first) if title_at is not None else first.getparent()
    body: list[str] = []
    link_run = 0
    at = start - 1
    while (at := at + 1) < len(lines):
        line = lines[at]
        text = line.text
        if container is not None and not _within(line.block, container):
            # Only a deck line so far (it shares the headline's box, the text has its own):
            # the container widens to take in the first paragraph past the box.
            resume = _past_preamble(lines, at)
            if _is_deck(body) and _is_prose(lines[resume]):
                container = _common_ancestor(container, lines[resume].block)
                at, line, text = resume, lines[resume], lines[resume].text
            else:
                return body, at - link_run
        if _ends_text(text):
            return body, at - link_run
        if FOOTER.search(text) and len(text) <= 80:
            # The footer's own heading ("招商中心", "联系我们") is no article text either.
            while body and _is_caption(body[-1]):
                body.pop()
            return body, at - link_run
        if _is_link_item(line):
            link_run += 1
            if link_run >= LINK_LIST_RUN:
                # So is a link list's ("最新资讯"), which no stop word may give away.
                if body and _is_caption(body[-1]):
                    body.pop()
                return body, at - link_run + 1
            continue
        link_run = 0
        body.extend(part for part in INLINE_POINT.split(text) if part)
    return body, len(lines)


def _ends_text(text: str) -> bool:
    """Whether a line ends the article: a stop marker opening it, an editor's credit, a forum
    floor mark, a tag line or a post's counters in a short line, a short 相关/评论 heading or 关注 call (letter-spaced
    ones too: 郑 重 声 明), or a line of share and page-function widgets."""
    if STOP_LINE.match(text) or _is_widget_line(text):
        return True
    if len(text) <= 20 and (STOP_HEADING.match(spaced := text.replace(" ", "")) or FOLLOW_CALL.match(spaced)):
        return True
    if len(text) <= 40 and (EDITOR.search(text) or FLOOR.match(text) or TAGS.match(text)):
        return True
    return len(text) <= 100 and len(COUNTER.findall(text)) >= 2


DENSEST_MIN_CHARS = 100  # prose a box must hold to be taken for a text found nowhere else


def _densest_text(lines: list[Line], after: int) -> int | None:
    """The first line of the box (a paragraph's parent) holding the most prose after line
    ``after``; None when no box there holds DENSEST_MIN_CHARS of it."""
    weight: dict[_Element, int] = {}
    first: dict[_Element, int] = {}
    for k in range(after, len(lines)):
        if _is_prose(lines[k]) and (box := lines[k].block.getparent()) is not None:
            weight[box] = weight.get(box, 0) + len(lines[k].text)
            first.setdefault(box, k)
    if not weight or max(weight.values()) < DENSEST_MIN_CHARS:
        return None
    return first[max(weight, key=weight.get)]


def _is_deck(body: list[str]) -> bool:
    """Whether the text so far is at most a deck line: short, and no finished sentence (a
    short article's one paragraph ends in 。, a deck under a headline seldom does)."""
    return len(body) <= 1 and sum(map(len, body)) < DECK_CHARS and not (body and SENTENCE_END.search(body[-1]))


def _is_caption(text: str) -> bool:
    """A short line without sentence punctuation: a heading over a block, not article prose."""
    return len(text) <= 15 and not re.search(r"[。！？；，,.!?]", text)


def _common_ancestor(a: _Element, b: _Element) -> _Element | None:
    lineage = {a, *a.iterancestors()}
    return next((x for x in (b, *b.iterancestors()) if x in lineage), None)


def _within(element: _Element, container: _Element) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def _labelled(pattern: re.Pattern, *zones: list[str]) -> str:
    """The first value ``pattern`` captures, looking in each zone of line texts in turn."""
    for zone in zones:
        # Joined, so that a label and its value in separate elements (<dt>/<dd>) still meet.
        for match in pattern.finditer(" ".join(zone)):
            if match.group(1):
                return match.group(1).strip()
    return ""


def _first_date(texts: list[str]) -> str:
    return next((m.group(0).strip() for text in texts if (m := BARE_DATE.search(text))), "")
