"""The one way text from the archive or the network reaches a terminal: shown as text.

Titles, bodies, URLs and ``query`` values are data written by strangers. Printed raw they are
commands to the terminal: ``ESC]0;…`` sets the window title, ``ESC[2J`` clears the screen,
U+202E reverses what follows, and through Rich ``[link=file:///etc/passwd]`` becomes a
clickable link while ``[/x]`` raises an error. So everything shown goes through here:

- ``visible(text)``: control characters (C0 but newline, DEL, C1), bidirectional and other
  invisible format characters (every Unicode Cf character, from ``normalize.text``: U+00AD,
  U+200B–U+200F, U+202A–U+202E, U+2060–U+206F, U+FEFF …), line/paragraph separators and
  lone surrogates (undecodable bytes) are written out as
  ``\\x1b``, ``\\u202e``, ``\\xb9`` … Printable text, Chinese included, is untouched.
- ``console()``: a Rich console that never reads markup or emoji codes in what it prints.
- ``cell(value)``: a table cell (Rich ``Text``, never parsed as markup) of ``visible`` text.
- ``json_line(row)``: a JSON line with the same characters escaped as ``\\uXXXX`` (still
  valid JSON, the same values when parsed).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any, TextIO

from normalize.text import INVISIBLE_RANGES

# What a terminal may act on or hide, as a regex character class: control characters (C0 but
# newline, DEL, C1), the line and paragraph separators, every invisible format character
# (Unicode category Cf: the project's one list, ``normalize.text.INVISIBLE_RANGES``, which the
# extractors strip from pages) and lone surrogates. \n is kept where text spans lines (table
# cells, logs). ``cli.validate`` refuses URLs holding any of these.
INVISIBLE_CLASS = (
    "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029"
    + "".join(re.escape(chr(first)) + (f"-{re.escape(chr(last))}" if last > first else "") for first, last in INVISIBLE_RANGES)
    + "\ud800-\udfff"
)
_INVISIBLE = INVISIBLE_CLASS
_SHOWN = re.compile(f"[{_INVISIBLE}]")
_SHOWN_ONE_LINE = re.compile(f"[{_INVISIBLE}\n]")


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (Python's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"  # Cf characters of planes 1 and 14


def visible(value: Any, *, one_line: bool = False) -> str:
    """``value`` as text a terminal only displays; ``one_line`` also writes newlines as ``\\n``."""
    text = "" if value is None else str(value)
    return (_SHOWN_ONE_LINE if one_line else _SHOWN).sub(_escape, text)


def console(*, stderr: bool = False, file: TextIO | None = None):
    """A Rich console for data: no markup, no emoji codes, no highlighting; in a pipe, no wrapping."""
    from rich.console import Console

    stream = file or (sys.stderr if stderr else sys.stdout)
    return Console(file=stream, markup=False, emoji=False, highlight=False,
                   width=None if stream.isatty() else 10_000)  # fmt: skip


_SAFE_LINK = re.compile(r"https?://[\x21-\x7e]+")


def link_target(url: Any) -> str | None:
    """``url`` if it may become a terminal hyperlink (OSC 8): http(s) and printable ASCII only.

    A link target is written to the terminal as it is, inside an escape sequence: an ESC, BEL or
    other control character in it would end the link and start a sequence of its own (a window
    title, a screen clear). Anything else gets no link; its text is still shown through ``visible``.
    """
    return url if isinstance(url, str) and _SAFE_LINK.fullmatch(url) else None


def cell(value: Any, style: str | None = None):
    """A Rich table cell holding ``visible(value)`` (None shows as empty)."""
    from rich.text import Text

    return Text(visible(value), style=style or "")


def print_table(columns: list[str], rows: list, *, title: str | None = None, file: TextIO | None = None) -> None:
    """Rows as a Rich table on stdout, every cell and the title shown as text."""
    from rich.table import Table

    table = Table(title=cell(title) if title is not None else None)
    for column in columns:
        table.add_column(cell(column))
    for row in rows:
        table.add_row(*(value if _is_text(value) else cell(value) for value in row))
    console(file=file).print(table)


def _is_text(value: Any) -> bool:
    from rich.text import Text

    return isinstance(value, Text)


def _escape_json(match: re.Match) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON writes a character beyond the BMP as its UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_line(row: Any) -> str:
    """``row`` as one line of JSON, with every invisible character escaped."""
    return _SHOWN.sub(_escape_json, json.dumps(row, ensure_ascii=False))


class VisibleFormatter(logging.Formatter):
    """Log records shown as text (URLs and messages come from the network), after ``prefix``."""

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, *, prefix: str = ""):
        super().__init__(fmt, datefmt)
        self.prefix = prefix

    def format(self, record: logging.LogRecord) -> str:
        return self.prefix + visible(super().format(record))
