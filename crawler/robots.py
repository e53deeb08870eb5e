"""robots.txt as RFC 9309 says, not as Scrapy's middleware does.

Scrapy's RobotsTxtMiddleware treats a robots.txt it could not fetch as "allow all" (after its
retries, with a traceback in the log). RFC 9309 §2.3.1:
- 2xx: the rules apply (§2.3.1.1); redirects are followed by Scrapy (§2.3.1.2);
- 4xx "unavailable": the crawler MAY access any resource (§2.3.1.3): allow all;
- 5xx or no answer at all (timeout, refused, DNS) "unreachable": the crawler MUST assume
  complete disallow (§2.3.1.4).
Here robots.txt is fetched once per host per run, without retries (the next run asks again;
RFC 9309 §2.4 allows caching up to 24 hours, a run is far shorter) and within
``DOWNLOAD_TIMEOUT``. A request to an unreachable host is refused with ``RobotsUnreachable``,
which the spider records as the page's error (reason: the robots.txt status), so the run ends
with errors (exit code 1) and the next run tries again. Only when the start URL's own host
cannot be reached at all (connection refused, DNS) is it the start URL that cannot be fetched:
one error line, exit code 2, nothing written, as for any unreachable start URL.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.middlewares import is_transient

logger = logging.getLogger(__name__)


class RobotsUnreachable(IgnoreRequest):
    """A request refused because its host's robots.txt was unreachable (RFC 9309 §2.3.1.4).

    ``host_answered``: the host took the connection (it answered 5xx, or timed out); False
    when it could not be reached at all (refused, DNS).
    """

    def __init__(self, message: str, host_answered: bool = False):
        super().__init__(message)
        self.host_answered = host_answered


class Unreachable:
    """The parser for an unreachable robots.txt: nothing is allowed."""

    def __init__(self, reason: str, host_answered: bool):
        self.reason = reason
        self.host_answered = host_answered

    def allowed(self, url: str, user_agent: str | bytes) -> bool:
        return False


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request: Request):
        url = urlparse_cached(request)
        netloc = url.netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            robots_url = f"{url.scheme}://{netloc}/robots.txt"
            robots_request = Request(
                robots_url, priority=self.DOWNLOAD_PRIORITY, callback=NO_CALLBACK,
                meta={"dont_obey_robotstxt": True, "dont_retry": True},
            )  # fmt: skip
            self._stats.inc_value("robotstxt/request_count")
            try:
                response = await self.crawler.engine.download_async(robots_request)
            except Exception as exc:  # noqa: BLE001 - any failure to get an answer is "unreachable"
                reason = f"{robots_url} unreachable ({type(exc).__name__}: {str(exc) or 'no answer'})"[:300]
                self._settle(netloc, Unreachable(reason, host_answered=is_transient(exc)))
            else:
                if response.status >= 500:
                    self._settle(netloc, Unreachable(f"{robots_url} answered HTTP {response.status}", host_answered=True))
                else:
                    if response.status >= 400:  # unavailable: no rules at all
                        response = response.replace(body=b"")
                    await self._parse_robots(response, netloc, request)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            return await maybe_deferred_to_future(parser)
        return parser

    def _settle(self, netloc: str, parser: Unreachable) -> None:
        logger.warning("%s: no page of %s is requested in this run (RFC 9309 §2.3.1.4)", parser.reason, netloc)
        self._stats.inc_value("robotstxt/unreachable")
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    def process_request_2(self, rp, request: Request) -> None:
        if isinstance(rp, Unreachable):
            raise RobotsUnreachable(f"{rp.reason}: every page of the host is off limits for this run (RFC 9309 §2.3.1.4)", rp.host_answered)
        super().process_request_2(rp, request)
