"""Whitespace and invisible-character clean-up shared by titles, summaries, bodies and the
search index (``archive/fts.py``): one list of invisible characters for the whole project.
"""

from __future__ import annotations

import re

# Unicode format characters (general category Cf): zero-width space and (non-)joiners
# U+200B..U+200D, word joiner U+2060, soft hyphen U+00AD, BOM U+FEFF, bidi marks and their
# kin. Invisible, not whitespace to ``str.split``, left behind by editors and HTML entities;
# in Chinese text they separate nothing, and inside a 【X招商】 tag or a search word they hide
# the match. Cf characters live in planes 0, 1 and 14 only. The table is Unicode 14.0's
# (Python 3.11's ``unicodedata``), written out as ranges: deriving it at import time walked
# 135,000 code points, 40-130 ms of every command's start-up. ``tests/test_startup.py``
# checks it against the running Python's ``unicodedata``.
INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip
INVISIBLE = "".join(chr(code) for first, last in INVISIBLE_RANGES for code in range(first, last + 1))


def _character_class(codes: list[int], repeated: bool = True) -> str:
    """A regex character class of ``codes`` as ranges (``[…]+`` when ``repeated``)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges) + (
        "]+" if repeated else "]"
    )


# Characters beyond the BMP are rare in pages: their (slower) pattern runs only when present.
_INVISIBLE_BMP = re.compile(_character_class([ord(c) for c in INVISIBLE if ord(c) <= 0xFFFF]))
# The test for one: a single BMP class without "+" is searched 3× faster than the pattern above
# (2.5 µs per 1,000 characters), and sub() costs more than a search when nothing is found.
_ANY_INVISIBLE_BMP = re.compile(_character_class([ord(c) for c in INVISIBLE if ord(c) <= 0xFFFF], repeated=False))
_INVISIBLE_ASTRAL = re.compile(_character_class([ord(c) for c in INVISIBLE if ord(c) > 0xFFFF]))
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Either of the two, in one pass: the common case (neither) costs one search, not two.
_ANY_INVISIBLE_OR_ASTRAL = re.compile(_ANY_INVISIBLE_BMP.pattern[:-1] + "\U00010000-\U0010ffff]")


# Full-width ASCII forms (U+FF01..U+FF5E: ２０２５, （图）, ：) to ASCII, one character for one.
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def strip_invisible(text: str) -> str:
    """``text`` without its format (Cf) characters; ASCII text is returned as it is."""
    if text.isascii() or not _ANY_INVISIBLE_OR_ASTRAL.search(text):  # most pages hold none
        return text
    if _ANY_INVISIBLE_BMP.search(text):
        text = _INVISIBLE_BMP.sub("", text)
    return _INVISIBLE_ASTRAL.sub("", text) if _ASTRAL.search(text) else text


def collapse_whitespace(text: str, keep_newlines: bool = False) -> str:
    """Collapse every run of whitespace (ideographic space U+3000, NBSP, tabs too) to one space,
    after removing invisible (Cf) characters.

    With ``keep_newlines`` line breaks survive: each line is collapsed and trimmed on its own,
    blank lines are dropped and lines are joined with a single "\\n".
    """
    text = strip_invisible(text)
    if not keep_newlines:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
