"""Whitespace clean-up shared by titles, summaries and bodies."""

from __future__ import annotations

# Zero-width space and BOM: invisible, not whitespace to ``str.split``, and left behind by
# editors and HTML entities; in Chinese text they separate nothing.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff"))


def collapse_whitespace(text: str, keep_newlines: bool = False) -> str:
    """Collapse every run of whitespace (ideographic space U+3000, NBSP, tabs too) to one space.

    With ``keep_newlines`` line breaks survive: each line is collapsed and trimmed on its own,
    blank lines are dropped and lines are joined with a single "\\n".
    """
    text = text.translate(_INVISIBLE)
    if not keep_newlines:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
