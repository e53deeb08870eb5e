"""Downloader middlewares: Scrapy's retries with backoff, and a guard on redirects.

Scrapy's RetryMiddleware reschedules a failed request at once. A struggling server needs
time, so each retry waits ``RETRY_BACKOFF_BASE * 2**(attempt-1)`` seconds (capped at
``RETRY_BACKOFF_MAX``), or what the server asks for in ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import TYPE_CHECKING

from urllib.parse import urldefrag, urljoin

import scrapy.exceptions
import twisted.internet.defer
import twisted.internet.error
import twisted.web._newclient
import twisted.web.http
from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler import settings as defaults
from extract.urls import is_crawlable

from scrapy.http import Response
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# What says a site is in trouble for now, not that a URL is wrong: HTTP 408, 429 and 5xx;
# timeouts, dropped connections and cut-off answers, as Scrapy 2.19 reports them
# (scrapy.exceptions.DownloadTimeoutError, DownloadFailedError, ResponseDataLossError) and as
# Twisted did before. Not transient: DNS errors, refused connections, other 4xx.
TRANSIENT_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
TRANSIENT_ERRORS = tuple(
    getattr(module, name)
    for module, names in (
        (scrapy.exceptions, ("DownloadTimeoutError", "DownloadFailedError", "ResponseDataLossError")),
        (twisted.internet.error, ("TimeoutError", "TCPTimedOutError", "ConnectionLost", "ConnectionDone")),
        (twisted.internet.defer, ("TimeoutError",)),
        (twisted.web._newclient, ("ResponseFailed", "ResponseNeverReceived")),
        (twisted.web.http, ("PotentialDataLoss",)),
    )
    for name in names
    if hasattr(module, name)  # Scrapy before 2.19 has no Download*Error
) + (TimeoutError,)


def is_transient(error: BaseException | Failure) -> bool:
    """Whether a failed request (its Failure, or the exception) may well succeed later (see
    ``TRANSIENT_STATUSES``, ``TRANSIENT_ERRORS``): a start URL failing so is recorded with its
    page pending (exit 1), and a robots.txt failing so means the host answered."""
    value = error.value if isinstance(error, Failure) else error
    response = getattr(value, "response", None)
    if response is not None:
        return response.status in TRANSIENT_STATUSES
    return isinstance(value, TRANSIENT_ERRORS)


def retry_after_seconds(value: bytes | str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", defaults.RETRY_BACKOFF_BASE)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", defaults.RETRY_BACKOFF_MAX)

    def backoff(self, retry: Request, response: Response | None = None) -> float:
        asked = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
        if asked is not None:
            return min(asked, self.backoff_max)
        attempt = retry.meta.get("retry_times", 1)
        return min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)

    async def process_response(self, request: Request, response: Response, spider=None):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self.backoff(result, response))
        return result

    async def process_exception(self, request: Request, exception: Exception, spider=None):
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self.backoff(result))
        return result


class RedirectGuardMiddleware:
    """Turn a redirect loop or a redirect off the site into a recorded page error.

    Scrapy's RedirectMiddleware would follow both: a loop ends silently in the duplicate
    filter, and an off-site target is dropped by the off-site filter without a trace. Placed
    nearer the downloader than RedirectMiddleware, this sees the 3xx response first.
    """

    @classmethod
    def from_crawler(cls, crawler) -> RedirectGuardMiddleware:
        guard = cls()
        guard.crawler = crawler
        return guard

    def process_response(self, request: Request, response: Response, spider=None):
        location = response.headers.get("Location")
        if not (300 <= response.status < 400) or not location or request.meta.get("dont_redirect"):
            return response
        target = urldefrag(urljoin(request.url, location.decode("latin-1")))[0]
        seen = {urldefrag(u)[0] for u in (*request.meta.get("redirect_urls", ()), request.url)}
        if target in seen:
            raise IgnoreRequest(f"redirect loop at {target}")
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        if domains and not is_crawlable(target, domains):
            raise IgnoreRequest(f"redirect off the site to {target}")
        return response
