"""A listing page's entries and pagination, found from content and structure, not class names.

Entries: every link to a detail page is climbed to the largest ancestor holding no other
detail id (its entry block); blocks sharing a parent form a group; in flat markup an entry
also owns the siblings up to the next block. The group that reads like a listing (summaries,
dates, next to the pager, seldom under a 热门/推荐 heading) wins.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
from lxml.etree import _Element

from extract.blocks import BLOCK_TAGS, BREADCRUMB, Line, collapse, parse_html, tag_of, text_content, text_lines
from extract.urls import detail_id
from normalize.dates import DATE, DATE_LABEL, RELATIVE_DATE, SHORT_DATE

MORE_LINK = re.compile(
    r"^[\[【(（<《]?\s*(?:点击|点此)?\s*(?:阅读全文|阅读更多|查看全文|查看详情|查看更多|了解更多|了解详情|详情|详细|更多|全文|more|read more)"
    r"\s*[\]】)）>》]?\s*(?:>>|»|›|→)?$",
    re.IGNORECASE,
)
BADGE = re.compile(r"[\[【(（]?\s*\S{1,4}\s*[\]】)）]?")  # 置顶, [新], HOT, 荐: a badge, not a headline
DATE_PIECE = re.compile(rf"^[\[【(（]?\s*(?:{DATE_LABEL})?({DATE}|{SHORT_DATE}|{RELATIVE_DATE})\s*[\]】)）]?$")
EDGE_DATE = re.compile(
    rf"^\s*[\[【(（]?\s*(?:{DATE_LABEL})?({DATE})\s*[\]】)）]?"
    rf"|[\[【(（]?\s*(?:{DATE_LABEL})?({DATE}|(?<!\S)(?:{RELATIVE_DATE}))\s*[\]】)）]?\s*$"
)
LEFTOVER = re.compile(rf"^(?:{DATE_LABEL}|[\W_]*|(?:来源|作者|浏览|阅读|点击|人气)\s*[:：].{{0,30}})$")
SIDEBAR_HEADING = re.compile(r"热门|热点|推荐|相关|排行|精选|猜你喜欢|大家都在看")
SIDEBAR_WEIGHT = 0.2
ELLIPSIS = re.compile(r"(?:…|\.{3}|。。。)\s*$")

PAGE_NUMBER = re.compile(r"^[\[【(（]?\s*(\d{1,4})\s*[\]】)）]?$")
NEXT_TEXTS = re.compile(r"^(?:下一页|下页|后页|下一頁|next|next page|›|>|»|>>)$", re.IGNORECASE)
FIRST_TEXTS = re.compile(r"^(?:首页|第一页|首頁|first)$", re.IGNORECASE)
LAST_TEXTS = re.compile(r"^(?:尾页|末页|最后一页|尾頁|last)$", re.IGNORECASE)
TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页")
PAGE_OF = re.compile(r"^(?:第\s*)?(\d{1,4})\s*/\s*(\d{1,4})\s*页?$|(?<![\d/.-])(\d{1,4})\s*/\s*(\d{1,4})\s*页")
# A page number the URL names as such: /page/3, ?page=3, &p=3, list_3.html, index_3.html.
URL_PAGE_NUMBER = re.compile(
    r"(?:/page/|[?&](?:page|p|pn|pageno|pageindex|curpage)=)(\d+)(?=[/?&#]|$)|(?:list|index)(?:[_-]\d+)*[_-](\d+)(?=\.s?html?)",
    re.IGNORECASE,
)
LISTING_ROOT = re.compile(r"/info/\d+/?")  # the site's listings page as /info/<id>/page/<n>
# "当前第3页" too. No optional "当前" before "第": a pattern opening with a literal is searched
# for that character, not tried at every position of the page's text.
CURRENT_PAGE = re.compile(r"第\s*(\d+)\s*页")


@dataclass
class ListingEntry:
    detail_id: int
    url: str  # absolute, as linked
    title: str  # as shown, whitespace collapsed, prefix kept
    summary: str
    date_raw: str
    position: int  # 1-based


@dataclass
class Pagination:
    current_page: int | None
    total_pages: int | None
    page_urls: dict[int, str] = field(default_factory=dict)
    next_url: str | None = None


# -- entries ------------------------------------------------------------------------------------


def listing_entries(html: str, page_url: str) -> list[ListingEntry]:
    """The listing's entries in page order, one per detail id; sidebars and nav excluded."""
    page = _read_page(html, page_url)
    link_targets = {a: (url, ident) for a, ident, url in page.detail_links}
    groups = [g for g in _entry_groups(page.detail_links, link_targets) if g.entries]
    # A 热门/推荐 heading marks a sidebar, but a listing's own column may be called 投资热点:
    # a group under such a heading stays a candidate only with summaries, and weighs less.
    sidebar = {id(g) for g in groups if _under_sidebar_heading(g.first_block)}
    groups = [g for g in groups if id(g) not in sidebar or _summarised(g.entries)]
    if not groups:
        return []
    pager = _pager_links(page)
    affinity = {id(g): _pager_affinity(g.parent, pager) for g in groups}
    closest = max(affinity.values())


    def weight(g: _Group) -> float:
        return g.score * (1.5 if pager and affinity[id(g)] == closest else 1) * (SIDEBAR_WEIGHT if id(g) in sidebar else 1)

    # The listing is the heaviest run of groups of one kind: a list cut into wrappers of 5
    # outweighs a box of the same markup beside it.
    run = max(_runs(groups, sidebar), key=lambda run: sum(map(weight, run)))
    best = max(run, key=weight)
    kin = [g for g in run if _same_kind(g, best)]
    result: list[ListingEntry] = []
    for entry in (e for g in kin for e in g.entries):
        if entry.detail_id not in {e.detail_id for e in result}:
            entry.position = len(result) + 1
            result.append(entry)
    if len(result) == 1:  # the last page of a listing often holds one entry
        result = [_lone_entry(page, next(g for g in kin if result[0] in g.entries), result[0], link_targets)]
    return result


def _entry_score(entry: ListingEntry) -> float:
    # Listing entries carry summaries and dates; sidebar entries are mostly link text.
    return len(entry.summary) + 0.3 * len(entry.title) + (10 if entry.date_raw else 0)


@dataclass
class _Group:
    parent: _Element
    first_block: _Element
    entries: list[ListingEntry]
    blocks: dict[_Element, int] = field(default_factory=dict)  # entry block -> detail id

    @property
    def score(self) -> float:
        return sum(map(_entry_score, self.entries))


def _entry_groups(links: list[tuple[_Element, int, str]], link_targets: dict) -> list[_Group]:
    """``link_targets`` maps each detail link to its (absolute URL, detail id)."""
    ids_below: dict[_Element, set[int]] = defaultdict(set)
    for a, ident, _ in links:
        for element in (a, *a.iterancestors()):
            ids_below[element].add(ident)
    starts: dict[_Element, dict[_Element, int]] = defaultdict(dict)  # parent -> block -> id
    for a, ident, _ in links:
        block = a
        while (parent := block.getparent()) is not None and tag_of(parent) != "body" and len(ids_below[parent]) == 1:
            block = parent
        if block.getparent() is not None:
            starts[block.getparent()].setdefault(block, ident)
    return [
        _Group(parent, next(iter(blocks)), _split_entries(parent, blocks, link_targets), blocks)
        for parent, blocks in starts.items()
    ]


def _split_entries(parent: _Element, blocks: dict[_Element, int], link_targets: dict) -> list[ListingEntry]:
    """Cut the parent's children into entries: a new entry starts where the detail id changes."""
    children = list(parent)
    cuts: list[tuple[int, int]] = []  # (child index, id)
    for index, child in enumerate(children):
        if child in blocks and (not cuts or cuts[-1][1] != blocks[child]):
            cuts.append((index, blocks[child]))
    strides = [b[0] - a[0] for a, b in zip(cuts, cuts[1:])]
    # Flat markup: the last entry owns as many siblings as the others do, not the page's tail.
    last_span = int(statistics.median(strides)) if strides else _lone_entry_span(children, cuts[0][0])
    entries = []
    for k, (start, ident) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else min(len(children), start + last_span)
        entry = _entry_from_nodes(children[start:end], ident, link_targets)
        if entry is not None:
            entries.append(entry)
    return entries


def _lone_entry_span(children: list[_Element], start: int) -> int:
    """For a one-entry group: the block plus the few link-free siblings after it."""
    span = 1
    for child in children[start + 1 : start + 4]:
        if any(True for _ in child.iter("a")) or TOTAL_PAGES.search(text_content(child)):
            break
        span += 1
    return span


# -- one entry on the page ----------------------------------------------------------------------
#
# With one entry on the page, every ancestor of its links holds that one detail id, so the
# climb above reaches the column (heading, list, pager) or the page's body. The entry is found
# again from the top down: at each level, siblings that are page chrome (the pager, a column
# heading, a breadcrumb, a footer, other articles' links) bound it; siblings with text of their
# own (a summary, a date) belong to it.

PREV_TEXTS = re.compile(r"^(?:上一页|上页|前页|上一頁|prev|previous|‹|<|«|<<)$", re.IGNORECASE)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
WORD = re.compile(r"[^\W\d_]{2}")  # two letters (or hanzi) in a row: a heading's words, not a day "12"
LINK_BOX = 4  # links in one sibling that make it a menu: an entry's tag line holds fewer
# What a sibling of the lone entry's element is (see _sibling_kind).
_SURE, _CHROME, _HEADING, _LABEL = "sure", "chrome", "heading", "label"
_CONTENT, _LINKS, _EMPTY = "content", "links", "empty"
DATE_IN = re.compile(f"{DATE}|{SHORT_DATE}|{RELATIVE_DATE}")  # 2025-05-12, 05-12, 昨天, 3天前: the entry's
SENTENCE_END = re.compile(r"[。！？!?]")
LABEL = re.compile(r"[^\W\d_]{2,8}[^\w\s]{0,3}")  # a short word, no digit: 最新动态, 公告, 加载中...
# What may follow a list and is none of its entries: 返回顶部, 更多>>, 没有更多了, 加载更多.
TRAILER = re.compile(r"(?:返回顶部|回到顶部|top|(?:查看|点击|加载)?更多\S{0,4}|没有更多\S{0,6}|\W*)", re.IGNORECASE)
RECORDS = re.compile(r"共有?\s*\d+\s*条")  # 共有 1 条记录: the list's count, by its pager
# What a pager's count says besides its numbers: 共 12 页, 第1/436页, 15条/页, 共有 3 条记录 跳转.
PAGER_WORDS = re.compile(r"第一页|最后一页|上一页|下一页|首页|尾页|末页|共有|共|第|页|条|记录|每页|当前|跳转|转到|到|GO|[\d\W_]", re.IGNORECASE)
# A footer line: a copyright with its year or sign, or a licence number (not 版权 in a summary).
FOOTER = re.compile(r"ICP\s*[备證证]|©|(?:版权所有|copyright|all rights reserved).{0,30}\d{4}|\d{4}.{0,30}(?:版权所有|copyright)", re.IGNORECASE)
_TEXT_OUTSIDE_LINKS = lxml.etree.XPath(".//text()[normalize-space()][not(ancestor::a)][not(ancestor::script)][not(ancestor::style)]")


SPLITS = 3  # an article linked from several blocks or boxes (list, 头条, 推荐): that many tried


def _lone_entry(page: _Page, group: _Group, entry: ListingEntry, link_targets: dict) -> ListingEntry:
    """The page's only entry, read again from its own nodes; ``entry`` where chrome bounds none.

    Where its article is linked from several places (a 头条 box beside the list, an image and
    a headline), each is tried along with all of them together: the one by the pager wins,
    then the one that reads most like a listing entry (the whole, on a tie)."""
    found = []
    pager = _all_pager_links(page)
    title = collapse(next((text_content(t) for t in page.root.iter("title")), ""))
    blocks = [b for b, ident in group.blocks.items() if ident == entry.detail_id][:SPLITS]  # bounded: linear
    for block in blocks:
        own = [a for a in block.iter("a") if a in link_targets and link_targets[a][1] == entry.detail_id]
        chain = _path_to_common_ancestor(block, own)
        tries = [own]
        if chain:
            mine = set(own)
            holders = [c for c in chain[-1] if any(a in mine for a in c.iter("a"))][:SPLITS]
            if len(holders) > 1:
                tries += [[a for a in own if a is holder or holder in a.iterancestors()] for holder in holders]
        for links in tries:
            nodes = _lone_entry_nodes(block, links, link_targets, pager, title)
            if nodes is not None and (again := _entry_from_nodes(nodes, entry.detail_id, link_targets)) is not None:
                innermost = _path_to_common_ancestor(block, links)[-1]
                found.append((_pager_affinity(innermost, list(pager)), _entry_score(again), again))
    best = max(found, key=lambda found: found[:2], default=(0, 0, entry))[2]
    best.position = 1
    return best


def _all_pager_links(page: _Page) -> set[_Element]:
    """The pager's links with its 上一页 and 尾页 (a last page may have no other). Not 首页:
    the site's navigation starts with one too."""
    flips = (a for text, _, a in page.anchors if LAST_TEXTS.match(text) or PREV_TEXTS.match(text))
    return {*_pager_links(page), *flips}


def _lone_entry_nodes(
    block: _Element, own: list[_Element], link_targets: dict, pager: set[_Element], title: str
) -> list[_Element] | None:
    """The nodes of a page's only entry, found from its entry block down to the innermost
    element holding its links ``own``; None where no chrome bounds it (the block stands).
    ``title`` is the page's <title>. Linear in the page: the siblings looked at on each level
    are disjoint subtrees."""
    chain = _path_to_common_ancestor(block, own)
    if block.getparent() is None or not chain:
        return None
    levels = []  # (siblings, kinds, index of the chain's element) from the block's parent down
    node = block.getparent()
    for child in chain:
        siblings = list(node)
        at = siblings.index(child)
        kinds = [_EMPTY if k == at else _sibling_kind(s, k < at, pager, link_targets, title) for k, s in enumerate(siblings)]
        levels.append((siblings, _inner_chrome_as_text(kinds, at), at))
        node = child
    # The column: down to the deepest level beside the pager or another article (else beside
    # a menu, a footer, a form; else a heading). Above it, text beside the chain is the page's; from there on,
    # the chrome and labels of a column bound the entry. Inside the column only a heading
    # does: a share box, a hidden span, a checkbox there are the entry's own.
    deepest = {kind: max((k for k, (_, kinds, _) in enumerate(levels) if kind in kinds), default=-1)
               for kind in (_SURE, _CHROME, _HEADING)}  # fmt: skip
    outside = next((deepest[kind] for kind in (_SURE, _CHROME, _HEADING) if deepest[kind] >= 0), -1)
    nodes = None
    for depth, (siblings, kinds, at) in enumerate(levels):
        bounds = (_SURE, _CHROME, _HEADING, _LABEL) if depth <= outside else (_HEADING,)
        if not any(kind in bounds for kind in kinds):
            continue
        low, high = at, at
        while low > 0 and kinds[low - 1] not in bounds:
            low -= 1
        while high + 1 < len(siblings) and kinds[high + 1] not in bounds:
            high += 1
        while high > at and kinds[high] in (_LINKS, _EMPTY):
            high -= 1  # a link box trailing the entry (点我投稿, 更多>>), unlike a tag line before its summary
        nodes = siblings[low : high + 1]
        if depth >= outside and _CONTENT in kinds[low : high + 1]:
            break  # flat markup: the entry is the run of siblings between the chrome
    return nodes


def _inner_chrome_as_text(kinds: list[str], at: int) -> list[str]:
    """``kinds`` with likely chrome that has the entry's text beyond it (a share box or a
    hidden count between the headline and the summary) counted as the entry's text: only
    chrome at the edge of the text bounds it."""
    kinds = list(kinds)
    text_after = False
    for k in range(len(kinds) - 1, at, -1):
        if kinds[k] == _CHROME and text_after:
            kinds[k] = _CONTENT
        text_after = text_after or kinds[k] == _CONTENT
    text_before = False
    for k in range(at):
        if kinds[k] == _CHROME and text_before:
            kinds[k] = _CONTENT
        text_before = text_before or kinds[k] == _CONTENT
    return kinds


def _path_to_common_ancestor(block: _Element, links: list[_Element]) -> list[_Element]:
    """The elements from ``block`` down to the innermost one holding all ``links`` (block first).
    Each element is walked once: a link's walk up stops where an earlier walk passed."""
    if not links:
        return []
    path = [links[0], *links[0].iterancestors()]
    path = path[: path.index(block) + 1][::-1]
    depth = {element: k for k, element in enumerate(path)}
    deepest = len(path) - 1
    walked: set[_Element] = set()
    for a in links[1:]:
        x = a
        while x is not None and x not in depth and x not in walked:
            walked.add(x)
            x = x.getparent()
        if x is not None and x in depth:
            deepest = min(deepest, depth[x])
    return path[: deepest + 1]


def _hidden(element: _Element) -> bool:
    """``style="display:none"``: what a browser does not show."""
    return "display:none" in (element.get("style") or "").replace(" ", "").lower()


def _sibling_kind(element: _Element, before: bool, pager: set, link_targets: dict, title: str) -> str:
    """What a sibling of the lone entry's element is: sure chrome (the pager, another
    article), likely chrome (a menu, a footer, a form, hidden), a heading, a column's label
    (its name, the site's navigation, a short word before the list), the entry's text, a box
    of links only (after the entry), or empty. See ``_lone_entry_nodes`` for where each counts."""
    tail = bool(element.tail and element.tail.strip())
    tag = tag_of(element)
    if tag in ("", "script", "style"):
        return _CONTENT if tail else _EMPTY
    links = list(element.iter("a"))
    if any(a in link_targets or a in pager for a in links):
        return _SURE  # another article (a sidebar, a duplicate link), or the pager
    text = collapse(text_content(element))
    if (TOTAL_PAGES.search(text) or PAGE_OF.search(text) or RECORDS.search(text)) and len(PAGER_WORDS.sub("", text)) <= 4:
        return _SURE  # the pager's count, 共 12 页 (a pager of script links has no link to go by)
    if DATE_IN.search(text):
        return _CONTENT  # a date, with whatever stands beside it (a tag line, a source), is the entry's
    if len(links) >= LINK_BOX or _hidden(element) or (FOOTER.search(text) and not SENTENCE_END.search(text)):
        return _CHROME  # a menu, a footer (not a sentence naming an ICP licence); what a browser does not show
    if before and next(element.iter("input", "select", "textarea", "form"), None) is not None:
        return _CHROME  # a search box, a date filter above the list
    if before and text:
        if tag in HEADING_TAGS and WORD.search(text):
            return _HEADING
        if BREADCRUMB.search(text) or tag == "thead" or (tag == "tr" and not any(True for _ in element.iter("td"))):
            return _HEADING  # a breadcrumb, a table's header row
        if tag != "a" and len(text) >= 2 and WORD.search(text) and text in title:
            return _HEADING  # the column's name (a link of that text is the entry's category)
        if LABEL.fullmatch(text) and not links and tag in BLOCK_TAGS:
            return _HEADING  # a word in a block of its own over the list: 最新动态, 加载中...
        if len(links) >= 2 or LABEL.fullmatch(text):
            return _LABEL  # the site's navigation, category links, a short word (湖北日报, 置顶)
    if not before and text and ((SIDEBAR_HEADING.match(text) and (links or len(text) <= 12)) or TRAILER.fullmatch(text)):
        return _CHROME  # 相关推荐, 热门文章 …; 返回顶部, 更多>> after the entry
    if not tail and links and not before and not _TEXT_OUTSIDE_LINKS(element):
        return _LINKS  # all its text is links': chrome where it trails the entry, content before text
    return _CONTENT if text or tail else _EMPTY


def _entry_from_nodes(nodes: list[_Element], ident: int, link_targets: dict) -> ListingEntry | None:
    """``link_targets`` maps each detail link to its (absolute URL, detail id)."""
    id_links = [a for node in nodes for a in node.iter("a") if a in link_targets and link_targets[a][1] == ident]
    if not id_links:
        return None
    lines = text_lines(nodes, tails=True)
    link_texts = {a: collapse(text_content(a)) for a in id_links}
    # Several links may lead to the article: a badge (置顶, 新), the headline, a call to action
    # (点击了解更多>). The headline is the first that is neither; a summary may follow as a link.
    headlines = [a for a in id_links if link_texts[a] and not MORE_LINK.match(link_texts[a])]
    title_link = next((a for a in headlines if not BADGE.fullmatch(link_texts[a])), (headlines or id_links)[0])
    title_lines = text_lines([title_link])
    wraps_entry = len(title_lines) > 1
    if wraps_entry:
        title_line = next((line for line in title_lines if line.heading), title_lines[0])
        title = title_line.text
    else:
        title = link_texts[title_link]
        if (not title or ELLIPSIS.search(title)) and collapse(title_link.get("title", "")):
            title = collapse(title_link.get("title", ""))
    dropped_links = {a for a in id_links if a is title_link or MORE_LINK.match(link_texts[a])}
    if wraps_entry:
        dropped_links.discard(title_link)
    texts = [_line_text(line, dropped_links, title if wraps_entry else None) for line in lines]
    date_raw, texts = _take_date(lines, texts, dropped_links)
    summary = collapse(" ".join(t for t in texts if not LEFTOVER.match(t)))
    return ListingEntry(ident, link_targets[title_link][0], title, summary, date_raw, 0)


def _line_text(line: Line, dropped_links: set, title: str | None) -> str:
    if title is not None and line.text == title:
        return ""
    return collapse("".join(p.text for p in line.pieces if p.link not in dropped_links))


def _take_date(lines: list[Line], texts: list[str], dropped_links: set) -> tuple[str, list[str]]:
    """The entry's date and the line texts without it: a text node that is a date comes first."""
    for k, line in enumerate(lines):
        for piece in line.pieces:
            match = DATE_PIECE.match(collapse(piece.text))
            if piece.link not in dropped_links and match:
                remaining = "".join(p.text for p in line.pieces if p is not piece and p.link not in dropped_links)
                return collapse(match.group(1)), [*texts[:k], collapse(remaining), *texts[k + 1 :]]
    for k, text in enumerate(texts):
        match = EDGE_DATE.search(text)
        if match:
            rest = collapse(text[: match.start()] + text[match.end() :])
            return collapse(match.group(1) or match.group(2)), [*texts[:k], rest, *texts[k + 1 :]]
    return "", texts


def _under_sidebar_heading(first_block: _Element) -> bool:
    # The nearest text before the group, e.g. "热门资讯" above a hot-list.
    before = _text_before(first_block)
    label = collapse(before[0]) if before else ""
    return len(label) <= 20 and bool(SIDEBAR_HEADING.search(label))


_SUBTREE_TEXT = lxml.etree.XPath(".//text()[normalize-space()][not(ancestor::script)][not(ancestor::style)]")


def _text_before(element: _Element) -> tuple[str, _Element] | None:
    """The nearest non-blank text before ``element`` in page order (scripts and styles aside),
    with the element holding it. Walks back from the element, so it costs the distance to
    that text, not the page's size (XPath's preceding:: axis builds the whole node-set)."""
    node = element
    while (parent := node.getparent()) is not None:
        for previous in node.itersiblings(preceding=True):
            if previous.tail and previous.tail.strip():
                return previous.tail, parent
            if isinstance(previous.tag, str) and previous.tag not in ("script", "style"):
                if texts := _SUBTREE_TEXT(previous):
                    return str(texts[-1]), texts[-1].getparent()
        if parent.text and parent.text.strip() and parent.tag not in ("script", "style"):
            return parent.text, parent
        node = parent
    return None


def _pager_affinity(parent: _Element, pager: list[_Element]) -> int:
    """Depth of the deepest ancestor the group shares with the pager: the listing sits by it."""
    lineage = {parent, *parent.iterancestors()}
    shared = [next((a for a in element.iterancestors() if a in lineage), None) for element in pager]
    return max((len(list(a.iterancestors())) for a in shared if a is not None), default=0)


def _same_kind(group: _Group, best: _Group) -> bool:
    # A listing split into several lists (e.g. 5 + 5 under one column) is still one listing;
    # a link list beside it in the same column reads much thinner per entry.
    return group is best or group.score / len(group.entries) >= 0.5 * best.score / len(best.entries)


KIN_LEVELS = 2  # a listing cut into wrappers of 5 (ul in div.cnt in one panel): cousins at most


def _runs(groups: list[_Group], sidebar: set[int]) -> list[list[_Group]]:
    """The groups (in page order) cut into runs of one kind: lists of the same markup that are
    siblings (one column split into lists of 5), or cousins that follow each other with no
    text between them but a day's heading (wrappers of 5 entries each). A cousin list under a
    heading of its own ("最新文章") starts another run. Linear in the groups."""
    runs: list[list[_Group]] = []
    last_of_kind: dict[tuple, list[_Group]] = {}
    for group in groups:
        kind = (id(group) in sidebar, _tag_path(group.parent))
        run = last_of_kind.get(kind)
        siblings = run and run[-1].parent.getparent() is group.parent.getparent()
        if run and (siblings or (_near_kin(run[-1].parent, group.parent) and _back_to_back(run[-1], group))):
            run.append(group)
        else:
            run = [group]
            runs.append(run)
        last_of_kind[kind] = run
    return runs


def _back_to_back(earlier: _Group, later: _Group) -> bool:
    """Whether the text just before the later group belongs to the earlier group, or is a
    day's heading (a listing grouped by day: "7月9日", "2025-07-08")."""
    before = _text_before(later.first_block)
    if before is None:
        return False
    text, holder = before
    if holder is earlier.parent or earlier.parent in holder.iterancestors():
        return True
    return bool(DATE_PIECE.match(collapse(text))) and _back_to_back(earlier, _Group(later.parent, holder, []))


def _tag_path(element: _Element) -> tuple[str, ...]:
    """The tags of the element and its ancestors up to KIN_LEVELS above it."""
    return tuple(tag_of(e) for e in [element, *element.iterancestors()][: KIN_LEVELS + 1])


def _near_kin(a: _Element, b: _Element) -> bool:
    """Whether the two share an ancestor within KIN_LEVELS above each (siblings or cousins)."""
    above_a = [a, *a.iterancestors()][1 : KIN_LEVELS + 1]
    return any(x in above_a for x in [b, *b.iterancestors()][1 : KIN_LEVELS + 1])


# -- pagination ---------------------------------------------------------------------------------


@dataclass
class _Template:
    """A page URL with the page number cut out: prefix + number + suffix."""

    prefix: str
    suffix: str

    def url(self, number: int) -> str:
        return f"{self.prefix}{number}{self.suffix}"

    def number(self, url: str) -> int | None:
        url = _without_fragment(url)
        middle = url[len(self.prefix) : len(url) - len(self.suffix)]
        if url.startswith(self.prefix) and url.endswith(self.suffix) and middle.isdigit():
            return int(middle)
        return None


def pagination(html: str, page_url: str) -> Pagination:
    """Where this page sits in its listing and the URLs of the listing's pages."""
    page = _read_page(html, page_url)
    root, anchors = page.root, page.anchors
    here = _without_fragment(page_url)
    numbered = [(n, url) for n, url, _ in _pager_numbers(page)]
    # "#page=7": a pager run by script on this very page; its numbers tell the total only.
    in_page = [n for n, url in numbered if url != here and _without_fragment(url) == here]
    numbered = [(n, url) for n, url in numbered if _without_fragment(url) != here or url == here]
    template = _infer_template(numbered, page_url)
    if template:
        # Page 1 often has its own URL (the listing root), so it is kept whatever its form.
        numbered = [(n, url) for n, url in numbered if template.number(url) == n or n == 1]
    texts = root.xpath("//body//text()[not(ancestor::script)][not(ancestor::style)]", smart_strings=False)
    page_text = collapse(" ".join(texts))
    current = _current_page(root, page_url, page_text, texts, numbered, template, set(_pager_links(page)))
    last_links = [url for text, url, _ in anchors if LAST_TEXTS.match(text)]
    next_link = next((u for t, u, _ in anchors if NEXT_TEXTS.match(t) and _without_fragment(u) != here), None)
    total = _total_pages(page_text, texts, numbered, current, [*in_page, *([template.number(u) for u in last_links] if template else [])])
    url_template = None
    if template is None and (total or next_link):
        url_template = _unnumbered_template(page_url, total, next_link, last_links)
    if url_template:
        # A pager without usable numbered links (script-driven, or only 下一页/末页): the page
        # number in those links or in the page URL gives, with a known total, every page's URL.
        current = current or url_template.number(page_url) or 1
        template = url_template if total else None
    page_urls: dict[int, str] = {}
    if template and total:
        page_urls = {n: template.url(n) for n in range(1, total + 1)}
    page_urls.update(dict(numbered))
    # "首页" means page 1 only inside the pager; in the nav bar it is the site's home page.
    pager = set(_pager_links(page))
    first_links = [url for text, url, a in anchors if FIRST_TEXTS.match(text) and _beside(a, pager)]
    if first_links and 1 not in dict(numbered):
        page_urls[1] = first_links[0]
    if current:
        page_urls[current] = page_url
    next_url = next_link
    if next_url is None and current and (total is None or current < total):
        next_url = page_urls.get(current + 1)
    return Pagination(current, total, dict(sorted(page_urls.items())), next_url)


def looks_like_listing(entries: list[ListingEntry], pagination: Pagination) -> bool:
    """Whether a page reads as a news listing (and not an article, home page or error page)."""
    if not entries:
        return False
    paged = bool(pagination.total_pages or pagination.next_url or len(pagination.page_urls) > 1)
    return paged or (len(entries) >= 3 and _summarised(entries))


def _summarised(entries: list[ListingEntry]) -> bool:
    """Whether at least half the entries carry a summary, as a listing's do."""
    return sum(1 for e in entries if len(e.summary) >= 20) * 2 >= len(entries)


@dataclass
class _Page:
    root: _Element
    detail_links: list[tuple[_Element, int, str]]  # (<a>, detail id, absolute URL)
    anchors: list[tuple[str, str, _Element]]  # the other http(s) links: (text, absolute URL, <a>)
    pager_numbers: list[tuple[int, str, _Element]] | None = None  # made once, by _pager_numbers


@lru_cache(maxsize=1)
def _read_page(html: str, page_url: str) -> _Page:
    """The page's tree and its links, each resolved once."""
    # Cached: the spider asks for a page's entries, then for its pagination. Neither changes
    # the tree or the lists.
    root = parse_html(html)
    page = _Page(root, [], [])
    # Relative links resolve against <base href> where the page has one, as a browser does.
    base_href = next((b.get("href").strip() for b in root.iter("base") if b.get("href")), "")
    base = (_resolve(page_url, base_href) if base_href else None) or page_url
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        url = _resolve(base, href)
        if url is None:  # malformed (an unclosed IPv6 bracket …): no link a browser could follow
            continue
        ident = detail_id(url)
        if ident:
            page.detail_links.append((a, ident, url))
        elif ident is None and href and urlsplit(url).scheme in ("http", "https"):
            page.anchors.append((collapse(text_content(a)) or collapse(a.get("title", "")), url, a))
    return page


def _resolve(base: str, href: str) -> str | None:
    """``href`` made absolute against ``base``; None for a malformed one."""
    try:
        url = urljoin(base, href)
        if ":" in url.partition("//")[2].partition("/")[0]:  # a port or an IPv6 host: check it
            urlsplit(url).port  # noqa: B018 (raises on a malformed port)
    except ValueError:
        return None
    return url


def _pager_numbers(page: _Page) -> list[tuple[int, str, _Element]]:
    """The numbered page links: (number, URL, <a>). Not a number inside a listing entry (a
    comment count, 845); where 下一页/尾页 links exist, only the numbers beside them (a
    calendar of day links is no pager either)."""
    if page.pager_numbers is None:
        entry_links = {a: ident for a, ident, _ in page.detail_links}
        numbered = [
            (int(m.group(1)), url, a)
            for text, url, a in page.anchors
            if (m := PAGE_NUMBER.match(text)) and not _in_entry(a, entry_links)
        ]
        flips = {a for text, _, a in page.anchors if NEXT_TEXTS.match(text) or LAST_TEXTS.match(text)}
        beside = [entry for entry in numbered if _beside(entry[2], flips)] if flips else []
        page.pager_numbers = beside or numbered
    return page.pager_numbers


def _in_entry(a: _Element, entry_links: dict[_Element, int]) -> bool:
    """Whether the link's nearest block holds links to one article only: an entry's block (a
    comment count beside its title), not a pager or a flat list of many entries."""
    block = next((x for x in a.iterancestors() if tag_of(x) in BLOCK_TAGS), None)
    return block is not None and len({entry_links[x] for x in block.iter("a") if x in entry_links}) == 1


def _pager_links(page: _Page) -> list[_Element]:
    """The pager's links: its numbers (as ``_pager_numbers`` picks them), 下一页 and the like."""
    return [a for _, _, a in _pager_numbers(page)] + [a for text, _, a in page.anchors if NEXT_TEXTS.match(text)]


def _beside(element: _Element, others: set[_Element]) -> bool:
    """True when one of ``others`` sits in the element's parent (or its wrapper's parent)."""
    scope = element.getparent()
    if scope is not None and len([a for a in scope.iter("a") if a is not element]) == 0 and scope.getparent() is not None:
        scope = scope.getparent()  # <li><a>首页</a></li>: the pager is the list
    return scope is not None and any(a in others for a in scope.iter("a") if a is not element)


@lru_cache(maxsize=1024)  # pager URLs are compared many times per page, and recur on every page
def _without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def _split_url(url: str) -> tuple[str, list[str]]:
    """The URL's origin, and the rest cut into alternating non-digit and digit runs."""
    url = _without_fragment(url)
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin, re.split(r"(\d+)", url[len(origin) :] if url.startswith(origin) else url)


def _template_from_pair(url_a: str, url_b: str, number_a: int | None, number_b: int) -> _Template | None:
    """The template when two URLs differ in exactly one digit run, holding their page numbers."""
    origin_a, runs_a = _split_url(url_a)
    origin_b, runs_b = _split_url(url_b)
    if origin_a != origin_b or len(runs_a) != len(runs_b):
        return None
    differing = [k for k, (x, y) in enumerate(zip(runs_a, runs_b)) if x != y]
    if len(differing) != 1 or differing[0] % 2 == 0:
        return None
    k = differing[0]
    if int(runs_b[k]) != number_b or (number_a is not None and int(runs_a[k]) != number_a):
        return None
    return _Template(origin_b + "".join(runs_b[:k]), "".join(runs_b[k + 1 :]))


def _infer_template(numbered: list[tuple[int, str]], page_url: str) -> _Template | None:
    for k, (n_a, url_a) in enumerate(numbered):
        for n_b, url_b in numbered[k + 1 :]:
            if n_a != n_b and (template := _template_from_pair(url_a, url_b, n_a, n_b)):
                return template
    for n, url in numbered:
        if template := _template_from_pair(page_url, url, None, n):
            return template
    # One link only (page 1 of 2, say): its last digit run that equals its number.
    for n, url in numbered:
        origin, runs = _split_url(url)
        for k in range(len(runs) - 2, 0, -2):
            if int(runs[k]) == n and n > 1:
                return _Template(origin + "".join(runs[:k]), "".join(runs[k + 1 :]))
    return None


def _unnumbered_template(
    page_url: str, total: int | None, next_link: str | None, last_links: list[str]
) -> _Template | None:
    """With a known total, the template a 下一页 or 末页 link names (page 1's own URL often has
    no number); else the one read off the page URL."""
    for url in (next_link, *last_links) if total else ():
        if url and (template := _template_from_parameter(url)):
            return template
    return _template_from_url(page_url)


def _template_from_parameter(url: str) -> _Template | None:
    """The template of a URL with a page parameter or a numbered file name."""
    url = _without_fragment(url)
    if match := URL_PAGE_NUMBER.search(url):
        group = 1 if match.group(1) else 2
        return _Template(url[: match.start(group)], url[match.end(group) :])
    return None


def _template_from_url(page_url: str) -> _Template | None:
    """The template read off the page URL's own page parameter, or the site's /page/N form."""
    if template := _template_from_parameter(page_url):
        return template
    url = _without_fragment(page_url)
    parts = urlsplit(url)
    if LISTING_ROOT.fullmatch(parts.path) and not parts.query:
        return _Template(url.rstrip("/") + "/page/", "")
    return None


def _current_page(
    root: _Element,
    page_url: str,
    page_text: str,
    texts: list[str],
    numbered: list[tuple[int, str]],
    template: _Template | None,
    pager: set[_Element],
) -> int | None:
    if template and (number := template.number(page_url)):
        return number
    here = _without_fragment(page_url)
    linked_here = [n for n, url in numbered if _without_fragment(url) == here]
    if linked_here:
        return linked_here[0]
    if match := CURRENT_PAGE.search(page_text):
        return int(match.group(1))
    if page_of := _page_of(page_text, texts):
        return page_of[0]
    # The pager shows the current page as an unlinked number among the linked ones.
    for element in root.iter(lxml.etree.Element):  # elements only, not comments
        if len(element) or element in pager:
            continue
        match = PAGE_NUMBER.match(collapse(element.text or ""))
        if match and _beside(element, pager):
            return int(match.group(1))
    return 1 if template else None


def _page_of(page_text: str, texts: list[str]) -> tuple[int, int] | None:
    """(current, total) from a "3/35页" text, or a "3/35" text node of its own.

    ``texts`` are the body's text nodes, ``page_text`` all of them joined."""
    if "/" not in page_text:  # the one character every form has: most pages end here
        return None
    for text in texts:
        for match in PAGE_OF.finditer(collapse(text)):
            current, total = (int(g) for g in match.groups() if g is not None)
            if 1 <= current <= total:
                return current, total
    return None


def _total_pages(
    page_text: str,
    texts: list[str],
    numbered: list[tuple[int, str]],
    current: int | None,
    last_numbers: list[int | None],
) -> int | None:
    if match := TOTAL_PAGES.search(page_text):
        return int(match.group(1))
    if page_of := _page_of(page_text, texts):
        return page_of[1]
    known = [n for n, _ in numbered] + [n for n in last_numbers if n] + ([current] if current and numbered else [])
    return max(known) if known else None
