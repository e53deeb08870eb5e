"""Parsing HTML and reading it as a browser would lay it out: lines of text in document order.

Block elements and ``<br>`` end a line; inline elements do not. Each line keeps its text
pieces with the link each sits in, so callers can measure link density or drop link text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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
WHITESPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def collapse(text: str) -> str:
    """Whitespace runs (including &nbsp; and the ideographic space) as one space, trimmed."""
    return WHITESPACE.sub(" ", text).strip()


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


@dataclass
class Piece:
    text: str  # raw text of one text node
    link: HtmlElement | None  # the <a href> it sits in, if any


@dataclass
class Line:
    block: HtmlElement  # the innermost block element holding the line
    heading: bool = False
    pieces: list[Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return collapse("".join(piece.text for piece in self.pieces))

    @property
    def link_ratio(self) -> float:
        total = len(self.text)
        linked = len(collapse("".join(p.text for p in self.pieces if p.link is not None)))
        return linked / total if total else 0.0


def text_lines(nodes: Iterable[HtmlElement], *, tails: bool = False, skip_chrome: bool = False) -> list[Line]:
    """The non-empty lines of ``nodes`` (and of their tail text when ``tails``), in order."""
    builder = _LineBuilder(skip_chrome)
    for node in nodes:
        builder.visit(node)
        if tails and node.tail:
            parent = node.getparent()
            builder.add(node.tail, _enclosing_link(parent), parent if parent is not None else node)
    builder.flush()
    return builder.lines


class _LineBuilder:
    def __init__(self, skip_chrome: bool) -> None:
        self.skip_chrome = skip_chrome
        self.lines: list[Line] = []
        self.current: Line | None = None

    def add(self, text: str, link: HtmlElement | None, element: HtmlElement) -> None:
        if self.current is None:
            self.current = Line(block=_block_of(element), heading=_in_heading(element))
        self.current.pieces.append(Piece(text, link))

    def flush(self) -> None:
        if self.current is not None and self.current.text:
            self.lines.append(self.current)
        self.current = None

    def visit(self, element: HtmlElement) -> None:
        tag = tag_of(element)
        if not tag or tag in INVISIBLE_TAGS or self._is_skipped_chrome(element, tag):
            return
        if tag == "br":
            self.flush()
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            self.flush()
        link = _enclosing_link(element)
        if element.text:
            self.add(element.text, link, element)
        for child in element:
            self.visit(child)
            if child.tail:
                self.add(child.tail, link, element)
        if is_block:
            self.flush()

    def _is_skipped_chrome(self, element: HtmlElement, tag: str) -> bool:
        if not self.skip_chrome or tag not in CHROME_TAGS:
            return False
        return not any(tag_of(a) in ("article", "main") for a in element.iterancestors())


def _ancestors_or_self(element: HtmlElement) -> Iterator[HtmlElement]:
    yield element
    yield from element.iterancestors()


def _enclosing_link(element: HtmlElement | None) -> HtmlElement | None:
    if element is None:
        return None
    return next((a for a in _ancestors_or_self(element) if tag_of(a) == "a" and a.get("href")), None)


def _block_of(element: HtmlElement) -> HtmlElement:
    return next((a for a in _ancestors_or_self(element) if tag_of(a) in BLOCK_TAGS), element)


def _in_heading(element: HtmlElement) -> bool:
    return any(tag_of(a) in HEADING_TAGS for a in _ancestors_or_self(element))


# -- text patterns shared by the listing and detail extractors ---------------------------------
DATE = (
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
DATE_LABEL = r"(?:发布|更新|发表)?(?:日期|时间)\s*[:：]\s*"
