"""URL helpers: which links are article detail pages, and which hosts belong to the crawl."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

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
