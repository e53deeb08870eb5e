"""Serve a ``ReplaySite`` over real HTTP on the loopback interface, in a daemon thread.

    with ReplayServer(ReplaySite(seed=1)) as server:
        crawl(server.start_url)
        assert len(server.requests) < 400

The handler hands every response to an optional ``faults`` object before sending it, so
that fault injection (errors, stalls, truncation) can be plugged in without touching it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from crawler.replay.site import Page, ReplaySite


class FaultInjector(Protocol):
    def intercept(self, handler: BaseHTTPRequestHandler, page: Page) -> Page | None:
        """Return the page to send (possibly altered), or None once the fault has answered
        (or dropped) the request itself through ``handler``."""


class _Server(ThreadingHTTPServer):
    # The default backlog (5) drops SYNs when a crawler opens 16 connections at once, and a
    # dropped SYN costs the client a 1 s retransmit: the benchmark would measure that.
    request_queue_size = 128


class ReplayServer:
    def __init__(self, site: ReplaySite, host: str = "127.0.0.1", port: int = 0,
                 faults: FaultInjector | None = None, latency: float = 0.0) -> None:
        self.site = site
        self.faults = faults
        self.latency = latency
        self._log: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()
        self._httpd = _Server((host, port), _make_handler(self))
        self._thread: threading.Thread | None = None
        bound_host, bound_port = self._httpd.server_address[:2]
        shown_host = "127.0.0.1" if bound_host in ("", "0.0.0.0") else bound_host
        self.base_url = f"http://{shown_host}:{bound_port}"

    @property
    def start_url(self) -> str:
        return self.base_url + self.site.listing_path(1)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path with query, status) of every request answered so far (status 0: dropped unanswered)."""
        with self._log_lock:
            return list(self._log)

    def record(self, method: str, path: str, status: int) -> None:
        with self._log_lock:
            self._log.append((method, path, status))

    def start(self) -> ReplayServer:
        # A short poll interval keeps stop() quick: tests start and stop many servers.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _make_handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class ReplayHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as crawlers expect
        timeout = 10  # idle keep-alive connections must not pin threads forever
        server_version = "ReplayServer/1.0"
        replay = server  # lets a fault injector answer, and log, a request itself
        # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed
        # ACK holds the body back ~40 ms per response.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            if server.latency:
                time.sleep(server.latency)
            page = server.site.respond(self.path, server.base_url)
            if server.faults is not None:
                page = server.faults.intercept(self, page)
                if page is None:
                    return
            if page.status == 200 and _not_modified(self.headers, page):
                page = Page(304, b"", page.content_type, page.etag, page.last_modified)
            # Logged before sending, so a client that has its answer always finds it logged.
            server.record(self.command, self.path, page.status)
            self.send_response(page.status)
            if page.status != 304:
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
            if page.etag:
                self.send_header("ETag", page.etag)
            if page.last_modified:
                self.send_header("Last-Modified", format_datetime(page.last_modified, usegmt=True))
            self.end_headers()
            if send_body:
                try:
                    self.wfile.write(page.body)
                except (BrokenPipeError, ConnectionResetError):
                    # The client hung up mid-body, as one refusing an oversized page does.
                    self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            pass  # the request log is server.requests; stderr noise would drown test output

    return ReplayHandler


def _not_modified(headers: Message, page: Page) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if page.etag is None:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or page.etag in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since is None or page.last_modified is None:
        return False
    try:
        since: datetime = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and page.last_modified <= since
