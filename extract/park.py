"""Which park (or channel) a listing belongs to, as its page names it. Pure; no I/O.

``listing_park(html, url)`` reads the page's ``<title>``, then its headings (h1–h4) and a
breadcrumb (a short block with 当前位置 or 首页 and separators), in that order. Each text is
split at separators (``_ | - – — · > » / ：``, brackets, quotes and spaces), page marks
(第2页, 共35页), the site's own name (产业园区网) and site words (首页, 官网) are dropped, and each part is read as

- a listing name: one of ``CHANNEL_NAMES`` (招商资讯, 园区动态 …), alone or at the end of the
  part after a park name or a short place (``江汉区电子信息产业园区招商资讯`` → park
  江汉区电子信息产业园区, listing 招商资讯; ``湖北招商资讯`` → listing 招商资讯), never after a
  generic word (``热门资讯``: a sidebar);
- a park name: what is left, when it ends as a park or a place does (``PARK_SUFFIXES``:
  …产业园区, …开发区, …高新区, …园, …城; or …市, …区, …县) and is 3–40 characters long.

The first park name and the first listing name found win; either is None when no text tells
it. The host is the listing URL's host, lower-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from extract.blocks import collapse, parse_html, tag_of, text_content

SITE_NAMES = ("中国产业园区网", "产业园区网", "010b.com", "010b")
# Listing (channel) names, longest first when matched at the end of a part.
CHANNEL_NAMES = (
    "招商资讯", "招商信息", "招商动态", "招商引资", "招商项目", "园区资讯", "园区新闻", "园区动态",
    "园区公告", "新闻资讯", "新闻动态", "新闻中心", "产业资讯", "产业动态", "政策法规", "政策资讯",
    "通知公告", "投资指南", "最新动态", "资讯", "新闻", "动态", "公告",
)  # fmt: skip
PARK_SUFFIXES = (
    "产业园区", "产业园", "工业园区", "工业园", "科技园区", "科技园", "园区", "开发区", "高新区", "经开区",
    "新区", "示范区", "保税区", "综保区", "自贸区", "合作区", "集聚区", "产业基地", "基地", "园", "港", "谷", "城", "小镇",
    "市", "区", "县", "州", "旗",
)  # fmt: skip
_SEPARATORS = re.compile(r"[_|｜\-–—·•>»/\\:：,，\s【】\[\]（）()「」《》“”\"]+")
# Words a site puts after a name that are neither park nor listing: 首页, 官网 …
_SITE_WORDS = re.compile(r"(?:门户网站|门户网|官方网站|官网|网站|首页|主页)$")
_PAGE_MARK = re.compile(r"第\s*\d+\s*页|共\s*\d+\s*页|page\s*\d+", re.IGNORECASE)
_CRUMB = re.compile(r"当前位置|您的位置|首页\s*[>»/\-]")
# Words ending like a place that name none: a forum's 社区, a site's 专区 …
_NOT_PARKS = ("社区", "专区", "小区", "地区", "辖区", "景区", "城区", "市区", "展区")
# Sidebar headings (热门园区, 推荐园区) name no park.
_GENERIC = ("热门", "推荐", "相关", "最新", "更多", "其他", "全部", "优质", "精选")
_CHANNELS_LONGEST = sorted(CHANNEL_NAMES, key=len, reverse=True)


@dataclass(frozen=True)
class ListingPark:
    host: str | None
    park_name: str | None
    listing_name: str | None


def listing_park(html: str, url: str) -> ListingPark:
    """The host, park name and listing name of a listing page (see the module docstring)."""
    host = listing_host(url)
    park = channel = None
    for text in _candidate_texts(html):
        found_park, found_channel = read_names(text)
        park = park or found_park
        channel = channel or found_channel
        if park and channel:
            break
    return ListingPark(host, park, channel)


def listing_host(url: str) -> str | None:
    """The host of a listing URL, lower-case; None for a URL without one."""
    try:
        return (urlsplit(url).hostname or "").lower() or None
    except ValueError:  # a malformed netloc (unclosed IPv6 bracket)
        return None


def read_names(text: str) -> tuple[str | None, str | None]:
    """(park name, listing name) of one title, heading or breadcrumb text."""
    park = channel = None
    for part in _SEPARATORS.split(_PAGE_MARK.sub(" ", text)):
        if not part or any(part == site or part.endswith(site) and len(part) <= len(site) + 2 for site in SITE_NAMES):
            continue
        part = _SITE_WORDS.sub("", part)
        name = next((name for name in _CHANNELS_LONGEST if part.endswith(name)), "")
        rest = part[: len(part) - len(name)]
        is_park = (
            3 <= len(rest) <= 40 and rest.endswith(PARK_SUFFIXES)
            and not rest.endswith(_NOT_PARKS) and not rest.startswith(_GENERIC)
        )  # fmt: skip
        if name and (not rest or is_park or len(rest) <= 8 and not rest.startswith(_GENERIC)):
            channel = channel or name
        if is_park:
            park = park or rest
    return park, channel


def _candidate_texts(html: str) -> list[str]:
    root = parse_html(html)
    texts = [collapse(text_content(title)) for title in root.iter("title")][:1]
    headings = []
    crumbs = []
    for element in root.iter():
        tag = tag_of(element)
        if tag in ("h1", "h2", "h3", "h4") and len(headings) < 6:
            headings.append(collapse(text_content(element)))
        elif tag in ("div", "p", "td", "span", "nav", "ol", "ul") and len(crumbs) < 2:
            own = collapse(" ".join(element.itertext()))
            if len(own) <= 80 and _CRUMB.search(own) and not any(_CRUMB.search(c) for c in crumbs):
                crumbs.append(_CRUMB.sub(" ", own))
    return [text for text in texts + headings + crumbs if text]
