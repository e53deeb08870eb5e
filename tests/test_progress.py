"""On a terminal, a crawl shows live progress on stderr; in a pipe (cron, systemd) it does not."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import FAST, crawl


def test_progress_line_on_a_terminal(tmp_path):
    site = ReplaySite(pages=3)
    master, terminal = pty.openpty()
    with ReplayServer(site) as server:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "crawl", "--start-url", server.start_url, "--db", str(tmp_path / "a.db"), *FAST],
            stdout=subprocess.PIPE, stderr=terminal, text=True,
        )  # fmt: skip
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed: the crawl has ended
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=60) == 0
    text = shown.decode("utf-8", "replace")
    assert f"listing pages {site.page_count}/{site.page_count}" in text
    assert f"articles fetched {len(site.expected())}" in text and "errors 0" in text


def test_no_progress_line_in_a_pipe(tmp_path):
    with ReplayServer(ReplaySite(pages=2)) as server:
        result = crawl(server.start_url, tmp_path / "a.db")
    assert result.returncode == 0 and "listing pages" not in result.stderr
