"""URL helpers: which links are article detail pages, and which hosts belong to the crawl."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import safe_url_string

import tldextract

DETAIL_PATH = re.compile(r"/info/detail/(\d+)\.s?html?$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]
CRAWLABLE_SCHEMES = {"http", "https"}


def detail_id(url: str) -> int | None:
    """The article id of a detail-page URL (any host, scheme, query or fragment), else None."""
    match = DETAIL_PATH.search(urlsplit(url.strip()).path)
    return int(match.group(1)) if match else None


def canonical_detail_url(url: str) -> str:
    """``url`` reduced to scheme, host (with a non-default port) and path."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    return urlunsplit((scheme, _netloc(scheme, (parts.hostname or "").lower(), parts.port), parts.path or "/", "", ""))


def _netloc(scheme: str, host: str, port: int | None) -> str:
    """``host`` (lower case already) with ``port`` unless it is the scheme's default; an IPv6
    literal in its brackets."""
    if ":" in host:
        host = f"[{host}]"
    return host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled public-suffix snapshot only: no network fetch, no cache directory.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def site_domains(start_url: str) -> list[str]:
    """Domains for Scrapy's ``allowed_domains``: the registrable domain of ``start_url``."""
    host = (urlsplit(start_url.strip()).hostname or "").lower()
    if host in LOOPBACK_HOSTS:
        # A local replay may be reached under any loopback name.
        return list(LOOPBACK_HOSTS)
    registrable = _extractor()(host).top_domain_under_public_suffix
    return [registrable or host]


def is_crawlable(url: str, domains: Iterable[str]) -> bool:
    """True for an http(s) URL whose host is one of ``domains`` or a subdomain of one."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:  # malformed, e.g. an unbalanced IPv6 bracket
        return False
    if parts.scheme.lower() not in CRAWLABLE_SCHEMES or not host:
        return False
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in domains)


# Scrapy's UrlLengthMiddleware drops longer URLs without a word (URLLENGTH_LIMIT's default).
URL_LENGTH_LIMIT = 2083
LISTING_URL_HINT = "give a listing page such as https://<park>.010b.com/info/<id>/page/1"


def listing_url_problem(url: str) -> str | None:
    """What makes ``url`` no start URL the crawler can fetch, as the end of a sentence about it
    ("is not an http(s) URL with a host; give …"), or None. Checked: it parses, with a port in
    range; http(s) and a host; no ``user:password@`` (the crawler does not log in); no IPv6
    literal (Scrapy's default resolver cannot reach one); a host IDNA takes; at most
    ``URL_LENGTH_LIMIT`` characters once canonical. Show the URL with ``without_userinfo``.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        return f"is malformed ({exc}); {LISTING_URL_HINT}"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"is not an http(s) URL with a host; {LISTING_URL_HINT}"
    if parts.username is not None or parts.password is not None:
        return "carries a user name or password (…@); parknews does not log in: leave them out"
    if ":" in parts.hostname:
        return ("names its host by an IPv6 address, which the crawler's resolver cannot reach; "
                "use the host's name or its IPv4 address")  # fmt: skip
    try:
        canonical = canonical_listing_url(url)
    except (UnicodeError, ValueError):
        return f"has no valid host name; {LISTING_URL_HINT}"
    if len(canonical) > URL_LENGTH_LIMIT:
        return (f"is {len(canonical):,} characters long; at most {URL_LENGTH_LIMIT:,} are fetched "
                "(Scrapy's URLLENGTH_LIMIT): give the listing's page 1")  # fmt: skip
    return None


def without_userinfo(url: str) -> str:
    """``url`` without a ``user:password@`` part, to be shown."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return url
    return url.replace(netloc, netloc.rpartition("@")[2], 1) if "@" in netloc else url


_PERCENT_ESCAPE = re.compile("%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _normal_escape(match: re.Match) -> str:
    """RFC 3986 §6.2.2.1-2: escapes in upper case; an escaped unreserved character as itself."""
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else match.group().upper()


def canonical_listing_url(url: str) -> str:
    """A listing's start URL in the one form it is known by (its key in the archive), and as
    Scrapy will request it: scheme in lower case; the host as IDNA gives it (lower case, full-
    width letters folded, Chinese names in punycode), without a trailing dot; the scheme's
    default port dropped; path and query percent-encoded as Scrapy encodes them
    (``w3lib.url.safe_url_string``), escapes in upper case and unreserved characters unescaped
    (``%7e`` is ``~``); an empty path as ``/``; a fragment (``#top``) and an empty
    query (``?``) dropped. RFC 3986 §6.2.2-6.2.3. ``url``: http(s) with a host (checked by the
    caller); raises UnicodeError for a host IDNA refuses.
    """
    parts = urlsplit(safe_url_string(url))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = _netloc(scheme, host.encode("idna").decode("ascii"), parts.port)  # UnicodeError: an empty or overlong label
    if "@" in parts.netloc:
        netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
    path, query = (_PERCENT_ESCAPE.sub(_normal_escape, part) for part in (parts.path or "/", parts.query))
    return urlunsplit((scheme, netloc, path, query, ""))
