"""How much of its time the crawl's reactor spends waiting on the network.

``IdleMeter`` times every ``select`` of the running asyncio event loop that may block (Scrapy's
reactor is Twisted's ``AsyncioSelectorReactor``; a loop with callbacks ready polls with timeout
0, which is not counted): the share of wall time spent inside them is the share the crawl's
thread had nothing to do. The archive pipeline reads it before each batch to decide
where the batch is written (``crawler.pipelines.ArchivePipeline.submit``): beside the reactor
in the writer thread while the reactor waits on pages anyway, in the reactor's own thread when
it never waits, where a second thread only contends for the GIL.
"""

from __future__ import annotations

import asyncio
import time

MIN_INTERVAL = 0.05  # seconds: a shorter span says nothing of the crawl's pace


class IdleMeter:
    def __init__(self) -> None:
        self.waited = 0.0  # seconds spent inside select since install()
        self.installed = False
        self._mark = (time.monotonic(), 0.0)

    def install(self) -> bool:
        """Time the running event loop's ``select`` from now on; call from inside the loop.
        False (and nothing changed) when there is no such loop or selector."""
        if self.installed:
            return True
        try:
            selector = asyncio.get_running_loop()._selector  # BaseSelectorEventLoop's selector
            select = selector.select
        except (RuntimeError, AttributeError):
            return False

        def timed_select(timeout: float | None = None):
            if timeout is not None and timeout <= 0:
                return select(timeout)  # a poll between ready callbacks: no waiting
            start = time.monotonic()
            try:
                return select(timeout)
            finally:
                self.waited += time.monotonic() - start

        selector.select = timed_select
        self.installed = True
        self._mark = (time.monotonic(), self.waited)
        return True

    def idle_share(self) -> float | None:
        """The share (0 to 1) of wall time spent waiting since the previous call (or since
        ``install``); None if not installed or less than ``MIN_INTERVAL`` has passed (too
        short to say; the mark is then kept)."""
        now = time.monotonic()
        since, waited_then = self._mark
        if not self.installed or now - since < MIN_INTERVAL:
            return None
        self._mark = (now, self.waited)
        return min(1.0, (self.waited - waited_then) / (now - since))
