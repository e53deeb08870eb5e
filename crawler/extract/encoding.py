"""Turning a page's bytes into text, even when the server or the page names the wrong charset."""

from __future__ import annotations

import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

# Chinese sites mislabel in two ways: GBK bytes sent as UTF-8, and UTF-8 bytes declared GBK.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")
# Above this share of undecodable characters an encoding is wrong, not just a stray bad byte.
MAX_ERROR_RATIO = 0.01
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
NON_ASCII = re.compile(r"[^\x00-\x7f]")


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
    candidates = list(dict.fromkeys(["utf-8", *declared, *FALLBACK_ENCODINGS]))
    # UTF-8 goes first: GBK text is practically never valid UTF-8, while UTF-8 bytes often
    # decode as GBK without a single error (into mojibake).
    decoded = {encoding: body.decode(encoding, "replace") for encoding in candidates}
    clean = [encoding for encoding in candidates if _error_ratio(decoded[encoding]) <= MAX_ERROR_RATIO]
    if body.isascii():
        return decoded[(declared or ["utf-8"])[0]]
    # A single-byte label (latin-1, cp1252) decodes anything; prefer a reading that gives Chinese.
    chinese = [encoding for encoding in clean if _looks_chinese(decoded[encoding])]
    best = (chinese or clean or sorted(candidates, key=lambda e: _error_ratio(decoded[e])))[0]
    return decoded[best]


def _error_ratio(text: str) -> float:
    non_ascii = len(NON_ASCII.findall(text))
    return text.count("\ufffd") / non_ascii if non_ascii else 0.0


def _looks_chinese(text: str) -> bool:
    non_ascii = len(NON_ASCII.findall(text))
    return non_ascii > 0 and len(CJK.findall(text)) >= 0.5 * non_ascii
