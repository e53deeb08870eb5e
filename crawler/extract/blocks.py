"""Parsing HTML and reading it as a browser would lay it out: lines of text in document order.

Block elements and ``<br>`` end a line; inline elements do not. Each line keeps its text
pieces with the link each sits in, so callers can measure link density or drop link text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

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
WHITESPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def collapse(text: str) -> str:
    """Whitespace runs (including &nbsp; and the ideographic space) as one space, trimmed."""
    if "\u200b" in text or "\ufeff" in text:
        return WHITESPACE.sub(" ", text).strip()
    # Without the two zero-width characters, str.split's whitespace is exactly WHITESPACE.
    return " ".join(text.split())


def parse_html(html: str) -> HtmlElement:
    """The document root; an empty document for empty or unparseable input."""
    # Bytes plus an explicit parser encoding: lxml refuses str input with an XML declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
    except lxml.etree.ParserError:
        return lxml.html.document_fromstring(b"<html><body></body></html>", parser=parser)


def tag_of(element: object) -> str:
    """The lower-case tag name; "" for comments and processing instructions."""
    tag = getattr(element, "tag", None)
    return tag.lower() if isinstance(tag, str) else ""


@dataclass(slots=True)
class Piece:
    text: str  # raw text of one text node
    link: HtmlElement | None  # the <a href> it sits in, if any


@dataclass
class Line:
    block: HtmlElement  # the innermost block element holding the line
    heading: bool = False
    pieces: list[Piece] = field(default_factory=list)
    text: str = ""  # the pieces' text, whitespace collapsed: set once the line is complete

    @property
    def link_ratio(self) -> float:
        total = len(self.text)
        linked = len(collapse("".join(p.text for p in self.pieces if p.link is not None)))
        return linked / total if total else 0.0


def text_lines(nodes: Iterable[HtmlElement], *, tails: bool = False, skip_chrome: bool = False) -> list[Line]:
    """The non-empty lines of ``nodes`` (and of their tail text when ``tails``), in order."""
    builder = _LineBuilder(skip_chrome)
    for node in nodes:
        parent = node.getparent()
        outer = _Context.of(parent)
        builder.visit(node, outer)
        if tails and node.tail:
            if parent is None:
                builder.add(node.tail, _Context.of(node), node)
            else:
                builder.add(node.tail, outer, parent)
    builder.flush()
    return builder.lines


class _Context(NamedTuple):
    """What an element's ancestors-or-self say about text inside it."""

    link: HtmlElement | None = None  # the innermost <a href>
    block: HtmlElement | None = None  # the innermost block element
    heading: bool = False
    in_article: bool = False  # inside <article> or <main>, where chrome tags are content

    @classmethod
    def of(cls, element: HtmlElement | None) -> _Context:
        """The context of ``element`` and its ancestors, read once up the tree."""
        context = cls()
        if element is None:
            return context
        for ancestor in reversed([element, *element.iterancestors()]):
            context = context.inside(ancestor, tag_of(ancestor))
        return context

    def inside(self, element: HtmlElement, tag: str) -> _Context:
        """The context within ``element``, a child of the element this context is for."""
        link, block, heading, in_article = self
        if tag == "a" and element.get("href"):
            link = element
        if tag in BLOCK_TAGS:
            block = element
        return _Context(link, block, heading or tag in HEADING_TAGS, in_article or tag in ARTICLE_TAGS)


class _LineBuilder:
    # One pass down the tree, carrying the ancestors' context: no walk back up per text node.
    def __init__(self, skip_chrome: bool) -> None:
        self.skip_chrome = skip_chrome
        self.lines: list[Line] = []
        self.current: Line | None = None

    def add(self, text: str, context: _Context, element: HtmlElement) -> None:
        if self.current is None:
            block = context.block if context.block is not None else element
            self.current = Line(block=block, heading=context.heading)
        self.current.pieces.append(Piece(text, context.link))

    def flush(self) -> None:
        line = self.current
        if line is not None:
            line.text = collapse("".join(piece.text for piece in line.pieces))
            if line.text:
                self.lines.append(line)
        self.current = None

    def visit(self, element: HtmlElement, outer: _Context) -> None:
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            return
        tag = tag.lower()
        if not tag or tag in INVISIBLE_TAGS or (self.skip_chrome and tag in CHROME_TAGS and not outer.in_article):
            return
        if tag == "br":
            self.flush()
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            self.flush()
        context = outer.inside(element, tag)
        if element.text:
            self.add(element.text, context, element)
        for child in element:
            self.visit(child, context)
            if child.tail:
                self.add(child.tail, context, element)
        if is_block:
            self.flush()


# -- text patterns shared by the listing and detail extractors ---------------------------------
DATE = (
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
DATE_LABEL = r"(?:发布|更新|发表)?(?:日期|时间)\s*[:：]\s*"
