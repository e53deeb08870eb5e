"""Fault injection for the replay: the hostile network a crawler must survive.

    faults = Faults(rate=0.1, seed=3, permanent={"not_found": ["/info/detail/23977.html"]})
    with ReplayServer(site, faults=faults, latency=0.1) as server:
        crawl(server.start_url)
    faults.counts()  # Counter({"http_503": 4, "reset": 3, ...})

Transient faults hit a ``rate`` fraction of the responses of pages that exist, but never more
than ``max_consecutive`` times in a row for one path, so a crawler that retries always gets
the page in the end. Whether the n-th request of a path fails, and how, depends only on
(seed, path, n): the same seed gives the same faults whatever order concurrent requests
arrive in. Permanent faults are given as explicit path lists and answer every request.
"""

from __future__ import annotations

import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.replay.site import Page, ReplaySite

# Answered with a response of its own or altered page; all recoverable by retrying.
TRANSIENT = (
    "http_500", "http_502", "http_503",
    "http_429",  # with Retry-After
    "reset",  # connection closed with a TCP RST, no response
    "stall",  # the response starts only after stall_seconds
    "truncated",  # Content-Length larger than the body, then the connection closes
    "gbk_as_utf8",  # GBK bytes, header says utf-8, <meta> says gbk
    "utf8_as_gbk",  # UTF-8 bytes, header says gbk, <meta> says utf-8
    "vanishing_entries",  # a listing page with its entries removed (at most once per path)
    "empty_200",
)  # fmt: skip
ALL_TRANSIENT = frozenset(TRANSIENT)
# Given per path; they answer every request for it.
PERMANENT = (
    "not_found",  # 404
    "always_503",
    "redirect_chain",  # redirect_hops redirects, then the page
    "redirect_loop",  # path -> path?redirect=loop -> path -> ...
    "offsite_redirect",  # to offsite_url + path: a host outside the site
    "oversized",  # the page padded to more than oversize_bytes
)
MiB = 1024 * 1024
_LISTING_ONLY = {"vanishing_entries"}
_HTML_ONLY = {"gbk_as_utf8", "utf8_as_gbk", "vanishing_entries"}
_META_CHARSET = re.compile(r"(<meta[^>]*charset=[\"']?)([\w-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Injection:
    kind: str
    path: str  # as requested, query included


@dataclass
class _PathState:
    requests: int = 0
    failures_in_a_row: int = 0
    vanished: bool = False


class Faults:
    """A ``FaultInjector`` for ``ReplayServer``; ``log`` lists every fault injected."""

    def __init__(
        self,
        rate: float = 0.1,
        kinds: Iterable[str] = ALL_TRANSIENT,
        seed: int = 0,
        *,
        max_consecutive: int = 2,
        stall_seconds: float = 3.0,
        retry_after: int = 1,
        permanent: Mapping[str, Iterable[str]] | None = None,
        offsite_url: str | None = None,
        oversize_bytes: int = 2 * MiB,
        redirect_hops: int = 3,
    ) -> None:
        self.kinds = tuple(kind for kind in TRANSIENT if kind in set(kinds))
        unknown = set(kinds) - set(TRANSIENT)
        if unknown:
            raise ValueError(f"unknown transient fault kinds {sorted(unknown)}; choose from {TRANSIENT}")
        if not 0 <= rate <= 1:
            raise ValueError(f"rate must be between 0 and 1, got {rate}")
        self.rate = rate
        self.seed = seed
        self.max_consecutive = max_consecutive
        self.stall_seconds = stall_seconds
        self.retry_after = retry_after
        self.offsite_url = offsite_url.rstrip("/") if offsite_url else None
        self.oversize_bytes = oversize_bytes
        self.redirect_hops = redirect_hops
        self.permanent: dict[str, str] = {}  # path -> kind
        for kind, paths in (permanent or {}).items():
            if kind not in PERMANENT:
                raise ValueError(f"unknown permanent fault kind {kind!r}; choose from {PERMANENT}")
            if kind == "offsite_redirect" and not self.offsite_url:
                raise ValueError("offsite_redirect needs offsite_url (e.g. an OffsiteServer's base_url)")
            self.permanent.update(dict.fromkeys(paths, kind))
        self._states: dict[str, _PathState] = {}
        self._log: list[Injection] = []
        self._lock = threading.Lock()

    @property
    def log(self) -> list[Injection]:
        with self._lock:
            return list(self._log)

    def counts(self) -> Counter[str]:
        return Counter(injection.kind for injection in self.log)

    # -- choosing --------------------------------------------------------------------------

    def choose(self, path: str, page: Page, site: ReplaySite) -> str | None:
        """The fault for this request of ``path`` (query ignored), or None; updates the path's history."""
        bare = urlsplit(path).path
        if bare in self.permanent:
            return self.permanent[bare]
        if page.status != 200:
            return None  # a fault on a missing page would hide the 404 a crawler must record
        applicable = [
            kind for kind in self.kinds
            if (kind not in _HTML_ONLY or page.content_type.startswith("text/html"))
            and (kind not in _LISTING_ONLY or _is_listing(site, path))
        ]  # fmt: skip
        with self._lock:
            state = self._states.setdefault(bare, _PathState())
            state.requests += 1
            rng = random.Random(f"{self.seed}:{bare}:{state.requests}")
            if state.vanished:
                applicable = [kind for kind in applicable if kind != "vanishing_entries"]
            if not applicable or state.failures_in_a_row >= self.max_consecutive or rng.random() >= self.rate:
                state.failures_in_a_row = 0
                return None
            kind = rng.choice(applicable)
            state.failures_in_a_row += 1
            state.vanished |= kind == "vanishing_entries"
            return kind

    # -- answering -------------------------------------------------------------------------

    def intercept(self, handler: BaseHTTPRequestHandler, page: Page) -> Page | None:
        site: ReplaySite = handler.replay.site
        kind = self.choose(handler.path, page, site)
        if kind is None:
            return page
        if kind == "redirect_chain" and _hop(handler.path) >= self.redirect_hops:
            return page  # the end of the chain: no fault on this response
        with self._lock:
            self._log.append(Injection(kind, handler.path))
        if kind.startswith("http_5") or kind == "always_503":
            status = 503 if kind == "always_503" else int(kind[5:])
            return Page(status, _error_html(status), "text/html; charset=utf-8")
        if kind == "not_found":
            return Page(404, _error_html(404), "text/html; charset=utf-8")
        if kind == "empty_200":
            return Page(200, b"", page.content_type)
        if kind in ("gbk_as_utf8", "utf8_as_gbk"):
            return _mislabelled(page, site.encoding, actual="gbk" if kind == "gbk_as_utf8" else "utf-8")
        if kind == "vanishing_entries":
            return _without_entries(site, handler.path, handler.replay.base_url)
        if kind == "oversized":
            padding = b"<!--" + b" " * self.oversize_bytes + b"-->\n"
            return replace(page, body=page.body + padding)
        if kind == "stall":
            time.sleep(self.stall_seconds)
            handler.close_connection = True  # the client gave up: do not keep the connection
            _send(handler, page.status, {"Content-Type": page.content_type}, page.body)
        elif kind == "http_429":
            headers = {"Content-Type": "text/html; charset=utf-8", "Retry-After": str(self.retry_after)}
            _send(handler, 429, headers, _error_html(429))
        elif kind == "reset":
            _reset(handler)
        elif kind == "truncated":
            handler.close_connection = True
            _send(handler, 200, {"Content-Type": page.content_type}, page.body[: len(page.body) // 2],
                  declared_length=len(page.body))
        else:
            _send(handler, 302, {"Location": self._redirect_target(kind, handler.path)}, b"")
        return None

    def _redirect_target(self, kind: str, path: str) -> str:
        parts = urlsplit(path)
        query = [(name, value) for name, value in parse_qsl(parts.query) if name not in ("hop", "redirect")]
        if kind == "offsite_redirect":
            return f"{self.offsite_url}{path}"
        if kind == "redirect_chain":
            query.append(("hop", str(_hop(path) + 1)))
        elif "redirect=loop" not in parts.query:  # redirect_loop: bounce between two URLs
            query.append(("redirect", "loop"))
        return parts.path + ("?" + urlencode(query) if query else "")


class OffsiteServer:
    """Somewhere outside the site (127.0.0.2, another host to a crawler): counts every request.

    A crawler must never follow a redirect here; ``hits`` says whether it did.
    """

    def __init__(self, host: str = "127.0.0.2") -> None:
        self.hits: list[str] = []
        hits, lock = self.hits, threading.Lock()

        class CountingHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    hits.append(self.path)
                _send(self, 200, {"Content-Type": "text/plain; charset=utf-8"}, b"off-site")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer((host, 0), CountingHandler)
        self.base_url = f"http://{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="offsite-server", daemon=True)

    def __enter__(self) -> OffsiteServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._thread.join()
        self._httpd.server_close()


def _hop(path: str) -> int:
    value = dict(parse_qsl(urlsplit(path).query)).get("hop", "0")
    return int(value) if value.isdigit() else 0


def _is_listing(site: ReplaySite, path: str) -> bool:
    parts = urlsplit(path)
    with site._lock:
        key = site._route(parts.path, parts.query)
    return key is not None and key[0] == "listing"


def _without_entries(site: ReplaySite, path: str, base_url: str) -> Page:
    """The listing page at ``path`` as it looks mid-edit: frame and pager, but no entries."""
    parts = urlsplit(path)
    with site._lock:
        _, number, page_path = site._route(parts.path, parts.query)
        view = replace(site._listing_view(number, page_path, base_url), entries=[])
        return Page(200, site._encode(site.theme.listing(view)), site._content_type())


def _mislabelled(page: Page, site_encoding: str, actual: str) -> Page:
    """The page re-encoded in ``actual``, its <meta> saying so, its header saying the other one."""
    html = page.body.decode(site_encoding)
    html = _META_CHARSET.sub(lambda match: match[1] + actual, html, count=1)
    body = html.encode(actual, errors="xmlcharrefreplace")
    declared = "utf-8" if actual == "gbk" else "gbk"
    return replace(page, body=body, content_type=f"text/html; charset={declared}")


def _error_html(status: int) -> bytes:
    return f"<html><head><title>{status}</title></head><body><h1>服务暂时不可用 ({status})</h1></body></html>".encode()


def _send(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes,
          declared_length: int | None = None) -> None:
    """Write a response by hand, logging it; a client that already hung up is not an error."""
    replay = getattr(handler, "replay", None)
    if replay is not None:
        replay.record(handler.command, handler.path, status)
    try:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body) if declared_length is None else declared_length))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True


def _reset(handler: BaseHTTPRequestHandler) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    handler.replay.record(handler.command, handler.path, 0)
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
