"""Parsing HTML and reading it as a browser would lay it out: lines of text in document order.

Block elements and ``<br>`` end a line; inline elements do not. Each line keeps its text
pieces with the link each sits in, so callers can measure link density or drop link text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import lxml.etree
from lxml.etree import _Element
from selectolax.lexbor import LexborHTMLParser

from normalize.text import strip_invisible

# A breadcrumb line: "当前位置：首页 > 招商引资 > 正文", "首页 » 资讯", "… > 正文". The page's place
# on the site, never an article's or an entry's text.
BREADCRUMB = re.compile(
    r"^(?:当前位置|您的位置|你的位置|您现在的位置|您当前的位置|当前所在位置|您所在的位置|您当前所在位置)\s*[:：]"
    r"|^(?:所在)?位置\s*[:：]\s*(?:网站)?首页|^(?:网站)?首页\s*(?:>{1,2}|[»›/])|(?:>{1,2}|[»›])\s*正文$"
)
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody td tfoot "
    "th thead tr ul".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
INVISIBLE_TAGS = frozenset(
    "script style noscript template head title select option button textarea iframe svg object embed".split()
)
# Page chrome; skipped on request, except inside <article>/<main>, where <header> holds the title.
CHROME_TAGS = frozenset("nav aside header footer".split())
ARTICLE_TAGS = frozenset(("article", "main"))


def collapse(text: str) -> str:
    """Whitespace runs (including &nbsp; and the ideographic space) as one space, trimmed.

    Text read from ``parse_html``'s tree has no invisible format characters left (ZWSP, ZWJ,
    soft hyphen, BOM …: ``strip_invisible``): they are removed from the whole page at once."""
    return " ".join(text.split())  # str.split's whitespace covers NBSP and U+3000


def parse_html(html: str) -> _Element:
    """The document root as a browser builds it; an empty document for empty input.

    Lexbor (selectolax) builds the tree by the HTML5 parsing algorithm, so a stray ``</html>``
    or ``</body>`` in an included header, misnested tags and comments anywhere read as a
    browser reads them (libxml2's HTML parser drops everything after a stray ``</html>``).
    Its serialisation, now well-formed and without invisible format characters, is read into
    lxml, whose trees the extractors walk.
    """
    # Plain lxml.etree elements: lxml.html's element classes cost a Python call for every
    # element touched. Bytes plus an explicit parser encoding: lxml refuses str input with an
    # XML declaration.
    parser = lxml.etree.HTMLParser(encoding="utf-8")
    # Invisible format characters go in one pass over the page (entities already decoded).
    normalised = strip_invisible(LexborHTMLParser(html).html or "") if html.strip() else ""
    root = lxml.etree.fromstring(normalised.encode("utf-8", "replace"), parser) if normalised else None
    if root is None:  # nothing but whitespace or comments
        root = lxml.etree.fromstring(b"<html><body></body></html>", parser)
    return root


def body_of(root: _Element) -> _Element | None:
    """The document's <body>, as lxml.html's ``root.body`` finds it."""
    return next(root.getroottree().iter("body", "{http://www.w3.org/1999/xhtml}body"), None)


_STRING_VALUE = lxml.etree.XPath("string()", smart_strings=False)


def text_content(element: _Element) -> str:
    """All the text inside ``element``, as lxml.html's ``text_content()`` gives it; "" for a
    comment or processing instruction (their text is not the page's)."""
    if not isinstance(element.tag, str):
        return ""
    return _STRING_VALUE(element)


def tag_of(element: object) -> str:
    """The lower-case tag name; "" for comments and processing instructions."""
    tag = getattr(element, "tag", None)
    return tag.lower() if isinstance(tag, str) else ""


@dataclass(slots=True)
class Piece:
    text: str  # raw text of one text node
    link: _Element | None  # the <a href> it sits in, if any


@dataclass
class Line:
    block: _Element  # the innermost block element holding the line
    heading: bool = False
    pieces: list[Piece] = field(default_factory=list)
    text: str = ""  # the pieces' text, whitespace collapsed: set once the line is complete

    @property
    def link_ratio(self) -> float:
        total = len(self.text)
        linked = len(collapse("".join(p.text for p in self.pieces if p.link is not None)))
        return linked / total if total else 0.0


def text_lines(nodes: Iterable[_Element], *, tails: bool = False, skip_chrome: bool = False) -> list[Line]:
    """The non-empty lines of ``nodes`` (and of their tail text when ``tails``), in order."""
    builder = _LineBuilder(skip_chrome)
    context_of = {}  # parent -> context: the nodes are often siblings
    for node in nodes:
        parent = node.getparent()
        if parent not in context_of:
            context_of[parent] = _context(parent)
        link, block, heading, in_article = context_of[parent]
        builder.visit(node, link, block, heading, in_article)
        if tails and (tail := node.tail):
            if parent is None:  # a root's tail: no link, but the root's own block and heading
                _, block, heading, _ = _context(node)
                link, parent = None, node
            builder.add(tail, link, block if block is not None else parent, heading)
    builder.flush()
    return builder.lines


_Context = tuple[_Element | None, _Element | None, bool, bool]


def _context(element: _Element | None) -> _Context:
    """What ``element`` and its ancestors say about text inside it: the innermost <a href>, the
    innermost block, whether in a heading, whether in <article>/<main> (where chrome is content)."""
    link = block = None
    heading = in_article = False
    for ancestor in [] if element is None else [element, *element.iterancestors()]:
        tag = tag_of(ancestor)
        if link is None and tag == "a" and ancestor.get("href"):
            link = ancestor
        if block is None and tag in BLOCK_TAGS:
            block = ancestor
        heading = heading or tag in HEADING_TAGS
        in_article = in_article or tag in ARTICLE_TAGS
    return link, block, heading, in_article


class _LineBuilder:
    # One pass down the tree, carrying the ancestors' context along: text_lines is the hot
    # loop of extraction, and walking up the tree for every text node made it quadratic.
    def __init__(self, skip_chrome: bool) -> None:
        self.skip_chrome = skip_chrome
        self.lines: list[Line] = []
        self.current: Line | None = None

    def add(self, text: str, link: _Element | None, block: _Element, heading: bool) -> None:
        if self.current is None:
            self.current = Line(block, heading, [Piece(text, link)])
        else:
            self.current.pieces.append(Piece(text, link))

    def flush(self) -> None:
        line = self.current
        if line is not None:
            line.text = collapse("".join([piece.text for piece in line.pieces]))
            if line.text:
                self.lines.append(line)
            self.current = None

    def visit(
        self, element: _Element, link: _Element | None, block: _Element | None, heading: bool, in_article: bool
    ) -> None:
        """Read ``element``; the other arguments are the context of its ancestors."""
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            return
        tag = tag.lower()
        if tag in INVISIBLE_TAGS or (tag in CHROME_TAGS and self.skip_chrome and not in_article):
            return
        if tag == "br":
            self.flush()
            return
        is_block = tag in BLOCK_TAGS
        if is_block:  # headings, <article> and <main> are blocks too
            if self.current is not None:
                self.flush()
            block = element
            heading = heading or tag in HEADING_TAGS
            in_article = in_article or tag in ARTICLE_TAGS
        elif tag == "a" and element.get("href"):
            link = element
        # Text outside any block belongs to the element itself.
        holder = block if block is not None else element
        # Each .text or .tail read makes a new string: read once.
        if text := element.text:
            self.add(text, link, holder, heading)
        for child in element:
            self.visit(child, link, block, heading, in_article)
            if tail := child.tail:
                self.add(tail, link, holder, heading)
        if is_block and self.current is not None:
            self.flush()
