"""Titles as listings and detail pages show them, cleaned to the headline itself.

The site puts a bullet before listing titles, a bracketed tag before many titles
(``【武汉招商】``, ``【汉阳区招商】``, sometimes ``【独家】``) and may append its own name
(``-产业园区网``). ``clean_title`` removes these and keeps the region a 招商 tag names;
everything inside the headline, Chinese punctuation and quotes included, is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from normalize.text import collapse_whitespace

__all__ = ["CleanTitle", "clean_title", "collapse_whitespace"]

MAX_TAG_CHARS = 15  # tags are a few characters; a longer bracket is part of the headline

# "*ST" opens the names of flagged listed companies, so there "*" is not a bullet.
_BULLETS = re.compile(r"^(?:(?:[•·●◆◇■□▪○★☆►▶>、-]|\*(?!ST))\s*)+")
# Numbering only counts as list decoration right before a bracket tag: a headline may well
# begin with a number ("3000亿元…", "2025年…", "5.8万…").
_NUMBERING = re.compile(r"^(?:\d{1,3}\s*[.、．)）]|[(（]\d{1,3}[)）])\s*(?=[【\[［〖])")
_TAG = re.compile(
    rf"^(?:【([^】]{{1,{MAX_TAG_CHARS}}})】|\[([^\]]{{1,{MAX_TAG_CHARS}}})\]"
    rf"|［([^］]{{1,{MAX_TAG_CHARS}}})］|〖([^〗]{{1,{MAX_TAG_CHARS}}})〗)\s*"
)
# "-产业园区网", "_湖北产业园区网", " | 产业园区网": the site's name after a separator.
_SITE_SUFFIX = re.compile(r"\s*[-_|｜–—]+\s*[^-_|｜–—]{0,8}产业园区网$")
_INVESTMENT_TAG = "招商"


@dataclass(frozen=True)
class CleanTitle:
    title: str
    region_tag: str | None = None  # the X of a leading 【X招商】 tag, e.g. 武汉, 汉阳区


def clean_title(raw: str) -> CleanTitle:
    """Strip bullets, list numbering, leading bracket tags and the site's name from ``raw``.

    A tag is only stripped when a headline follows it, so a title never comes out empty
    because of it. When several tags lead, the first 招商 tag gives the region.
    """
    title = _SITE_SUFFIX.sub("", collapse_whitespace(raw))
    title = _BULLETS.sub("", title)
    title = _NUMBERING.sub("", title)
    region_tag = None
    while (match := _TAG.match(title)) and match.end() < len(title):
        tag = collapse_whitespace(next(group for group in match.groups() if group is not None))
        if region_tag is None:
            region_tag = _region_of(tag)
        title = title[match.end() :]
    return CleanTitle(title=title, region_tag=region_tag)


TRUNCATION_MARKS = ("…", "...", "。。。")  # where a listing cuts a headline short


def retitle(old: str, new: str) -> str:
    """Headline ``new`` under the leading bracket tags of headline ``old``, where ``new`` has
    none of its own: an edited article's page title under the tag its listing gave it
    (``retitle("【武汉招商】甲项目签约", "甲项目签约仪式举行")`` → ``"【武汉招商】甲项目签约仪式举行"``)."""
    new = collapse_whitespace(new)
    if _TAG.match(new):
        return new
    old = collapse_whitespace(old)
    end = 0
    while (match := _TAG.match(old[end:])) and end + match.end() < len(old):
        end += match.end()
    return old[:end] + new


def _region_of(tag: str) -> str | None:
    """``武汉招商`` → ``武汉``; a tag that is not a 招商 tag (``独家``, ``视频``) names no region."""
    if tag.endswith(_INVESTMENT_TAG):
        return tag.removesuffix(_INVESTMENT_TAG).strip() or None
    return None
