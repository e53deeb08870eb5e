"""Turning a page's bytes into text, even when the server or the page names the wrong charset."""

from __future__ import annotations

import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

# Chinese sites mislabel in two ways: GBK bytes sent as UTF-8, and UTF-8 bytes declared GBK.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")
# Above this share of undecodable characters an encoding is wrong, not just a stray bad byte.
MAX_ERROR_RATIO = 0.01
# A page declared UTF-8 (header or <meta>) stays UTF-8 up to this share of undecodable
# characters: a short GBK footer pasted into a UTF-8 page spoils a few lines, not the page
# (read as GB18030 the whole page would be mojibake). GBK text read as UTF-8 is nearly all
# errors, so a wrong declaration is still caught.
DECLARED_UTF8_MAX_ERROR_RATIO = 0.2
CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
# Counted as the non-ASCII characters that are not CJK: a page has few, and a pattern that
# seldom matches is scanned for faster than one that matches every other character.
NON_ASCII_NON_CJK = re.compile(rf"[^\x00-\x7f{CJK}]")


def decode_html(body: bytes, content_type: str | None) -> str:
    """The text of an HTML page, from its bytes and its Content-Type header."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom) :].decode(bom_encoding, "replace")
    declared = [
        encoding
        for encoding in (http_content_type_encoding(content_type or ""), html_body_declared_encoding(body))
        if encoding
    ]
    if body.isascii():
        return body.decode((declared or ["utf-8"])[0], "replace")
    # UTF-8 goes first: GBK text is practically never valid UTF-8, while UTF-8 bytes often
    # decode as GBK without a single error (into mojibake).
    candidates = list(dict.fromkeys(["utf-8", *declared, *FALLBACK_ENCODINGS]))
    # The first clean reading that gives Chinese wins; a single-byte label (latin-1, cp1252)
    # decodes anything, so a clean reading without Chinese only counts if none gives Chinese.
    # Readings are tried in order and the first winner returned: most pages are UTF-8.
    declared_utf8 = "utf-8" in declared
    readings: list[tuple[float, str]] = []
    for encoding in candidates:
        text = body.decode(encoding, "replace")
        non_ascii = _non_ascii(text)
        error_ratio = text.count("\ufffd") / non_ascii if non_ascii else 0.0
        if encoding == "utf-8" and (
            error_ratio <= MAX_ERROR_RATIO or (declared_utf8 and error_ratio <= DECLARED_UTF8_MAX_ERROR_RATIO)
        ):
            # UTF-8 is self-checking: non-ASCII bytes that decode as UTF-8 are UTF-8, whether
            # the text is Chinese or mostly Latin and typographic (é, “ ”, —), which GB18030
            # would also decode without an error, into mojibake.
            return text
        if error_ratio <= MAX_ERROR_RATIO and _looks_chinese(text, non_ascii):
            return text
        readings.append((error_ratio, text))
    clean = [text for error_ratio, text in readings if error_ratio <= MAX_ERROR_RATIO]
    return (clean or [min(readings, key=lambda reading: reading[0])[1]])[0]


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _looks_chinese(text: str, non_ascii: int) -> bool:
    """At least half the non-ASCII characters are CJK (of ``non_ascii`` in all)."""
    return non_ascii > 0 and non_ascii - len(NON_ASCII_NON_CJK.findall(text)) >= 0.5 * non_ascii
