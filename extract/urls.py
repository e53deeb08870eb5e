"""URL helpers: which links are article detail pages, and which hosts belong to the crawl."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import safe_url_string

import tldextract

DETAIL_PATH = re.compile(r"/info/detail/(\d+)\.s?html?$", re.IGNORECASE)
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
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literals keep their brackets in a netloc
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


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


_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_listing_url(url: str) -> str:
    """A listing's start URL in the one form it is known by (its key in the archive), and as
    Scrapy will request it: scheme in lower case; the host as IDNA gives it (lower case, full-
    width letters folded, Chinese names in punycode), without a trailing dot; the scheme's
    default port dropped; path and query percent-encoded as Scrapy encodes them
    (``w3lib.url.safe_url_string``); an empty path as ``/``; a fragment (``#top``) and an empty
    query (``?``) dropped. RFC 3986 §6.2.2-6.2.3. ``url``: http(s) with a host (checked by the
    caller); raises UnicodeError for a host IDNA refuses.
    """
    parts = urlsplit(safe_url_string(url))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    host = host.encode("idna").decode("ascii")  # UnicodeError for an empty or overlong label
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
