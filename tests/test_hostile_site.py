"""Crawls of a hostile site (tests/hostile_site.py): each ends, bounded, errors recorded, nothing off-site.

Every crawl runs the real CLI in a subprocess with ``DOWNLOAD_TIMEOUT=3`` and one retry; the
bound it must end within is ``CRAWL_BOUND`` seconds (the subprocess is killed, and the test
fails, past it), its peak RSS (from wait4) must stay under ``MAX_RSS_MB``, and what it prints
must hold no terminal control sequence from the site.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawling import FAST, rows, terminal_output
from tests.hostile_site import MARKUP, HostileSite, measured

CRAWL_BOUND = 90  # seconds, for every crawl below (each takes 5-20 s)
MAX_RSS_MB = 250
HOSTILE = ["-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=1"]

pytestmark = pytest.mark.hostile


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


def run_measured(argv: list[str], timeout: float = CRAWL_BOUND) -> Run:
    """Run ``parknews ARGV``; its exit code, output, time and peak RSS."""
    try:
        code, out, err, seconds, rss_mb = measured([sys.executable, "-m", "cli", *argv], timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"parknews {' '.join(argv)} did not end within {timeout} s")
    return Run(code, out, err, seconds, rss_mb)


def assert_only_text(*outputs: str) -> None:
    """No control character from the site reached the output (newlines and tabs aside)."""
    for output in outputs:
        assert not [c for c in output if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"], output


def crawl(site: HostileSite, db: Path, *extra: str) -> Run:
    run = run_measured(["crawl", "--start-url", site.start_url, "--db", str(db), *FAST, *HOSTILE, *extra])
    assert run.peak_rss_mb < MAX_RSS_MB, run
    assert site.off_site_requests == []
    assert_only_text(run.stdout, run.stderr)
    return run


def errors(db: Path) -> dict[str, str]:
    return {r["url"].rsplit("/", 1)[-1]: r["reason"] for r in rows(db, "SELECT url, reason FROM crawl_errors")}


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory) -> tuple[Path, Run]:
    """One crawl of the hostile scenario, shared: (archive, run)."""
    db = tmp_path_factory.mktemp("hostile") / "news.db"
    with HostileSite("hostile") as site:
        return db, crawl(site, db)


def test_hostile_pages_end_with_errors_recorded_and_nothing_off_site(hostile_crawl):
    db, run = hostile_crawl
    assert run.returncode == 1, run.stderr  # finished, with page errors
    archived = {r["detail_id"]: r for r in rows(db, "SELECT detail_id, title, body FROM articles")}
    assert {101, 106, 107, 112} <= set(archived)  # the control, NUL/invalid bytes, markup, retried once
    assert "internal meta keys" not in run.stderr  # the retry of 112 is not a copied request
    failed = errors(db)
    assert 105 in archived or "105.html" in failed  # 10,000 nested elements: read, or recorded
    for page in ("102.html", "103.html", "104.html", "108.html", "109.html", "110.html"):
        assert page in failed, failed
    assert "redirect off the site" in failed["109.html"] and "redirect off the site" in failed["110.html"]
    # The hostile title is kept as data, whole (the archive is evidence), markup and all.
    assert MARKUP in archived[107]["title"]
    assert "\x00" not in archived[106]["body"] and archived[106]["body"]
    passwd = rows(db, "SELECT count(*) AS n FROM captures WHERE url LIKE 'file:%'")[0]["n"]
    assert passwd == 0


def test_what_the_archive_holds_reaches_the_terminal_as_text(hostile_crawl):
    """search, query and runs on a hostile archive, on a real terminal (a pty)."""
    import pty

    db, _ = hostile_crawl

    def on_terminal(*argv: str) -> str:
        leader, follower = pty.openpty()
        env = {**os.environ, "COLUMNS": "400", "TERM": "xterm-256color"}
        result = subprocess.run([sys.executable, "-m", "cli", *argv, "--db", str(db)], stdout=follower,
                                stderr=subprocess.PIPE, env=env, timeout=60)  # fmt: skip
        shown = terminal_output(leader, follower)
        assert result.returncode == 0, result.stderr
        return shown

    shown = [
        on_terminal("query", "SELECT detail_id, title, body FROM articles WHERE detail_id = 107"),
        on_terminal("query", f"SELECT '{MARKUP}' AS markup"),
        on_terminal("search", "签约仪式"),
        on_terminal("runs", "--errors", "1"),
    ]
    for output in shown:
        # Rich styles its own tables with ESC[…m; nothing else may reach the terminal.
        assert "\x1b]0;" not in output and "\x1b[2J" not in output and "\u202e" not in output and "\x07" not in output
    assert "\\x1b]0;" in shown[0] and "\\x1b[2J" in shown[0]  # shown, as text (U+202E the normaliser drops)
    for output in shown[:2]:
        assert "[link=file:///etc/passwd]" in output and "[bold red]" in output and "[/x]" in output
    links = re.findall("\x1b]8;[^;]*;([^\x1b\x07]*)", "".join(shown))  # OSC 8 hyperlinks, if any
    assert all(target.startswith(("http://127.0.0.1", "https://")) or not target for target in links), links
    assert "签约仪式" in shown[2] and "\\x1b]0;" in shown[2]  # the hostile article found, its title as text


def test_infinite_pagination_stops_at_the_hard_limit_with_an_error(tmp_path):
    db = tmp_path / "news.db"
    with HostileSite("infinite") as site:
        run = crawl(site, db, "-s", "PARKNEWS_MAX_LISTING_PAGES=25")
        listing_pages = [p for p in site.requests if "/page/" in p]
    assert run.returncode == 1, run.stderr
    assert len(listing_pages) == 25
    reasons = list(errors(db).values())
    assert any("more than 25 pages" in r for r in reasons), reasons
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 250


def test_a_pager_declaring_3_pages_is_walked_to_3(tmp_path):
    db = tmp_path / "news.db"
    with HostileSite("lying") as site:
        run = crawl(site, db)
        listing_pages = sorted(p for p in site.requests if "/page/" in p)
    assert run.returncode == 0, run.stderr
    assert listing_pages == [f"/info/7001/page/{n}" for n in (1, 2, 3)]


def test_robots_txt_answering_503_disallows_everything_and_is_recorded(tmp_path):
    db = tmp_path / "news.db"
    with HostileSite("robots_503") as site:
        run = crawl(site, db)
        requested = list(site.requests)
    assert requested == ["/robots.txt"]  # once, not retried, and nothing else
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    reasons = list(errors(db).values())
    assert reasons and all("robots.txt answered HTTP 503" in r for r in reasons), reasons
    status = rows(db, "SELECT status, errors FROM crawl_runs")
    assert [(r["status"], r["errors"]) for r in status] == [("errors", 1)]


def test_robots_txt_never_answering_disallows_everything_within_the_timeout(tmp_path):
    db = tmp_path / "news.db"
    with HostileSite("robots_silent") as site:
        run = crawl(site, db)
        requested = list(site.requests)
    assert requested == ["/robots.txt"]  # asked once, no retries (Scrapy would retry, ~128 s); DOWNLOAD_TIMEOUT=3
    assert run.returncode == 1, run.stderr
    reasons = list(errors(db).values())
    assert reasons and all("robots.txt unreachable" in r for r in reasons), reasons


def test_robots_txt_answering_404_allows_everything(tmp_path):
    db = tmp_path / "news.db"
    with HostileSite("robots_404") as site:
        run = crawl(site, db)
    assert run.returncode == 0, run.stderr
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 30  # 3 pages of 10


def test_a_crawl_opens_no_listening_socket(tmp_path):
    """Scrapy's telnet console and remote-control server stay off: no LISTEN socket in the crawl."""
    import psutil

    db = tmp_path / "news.db"
    with HostileSite("robots_silent") as site:  # a crawl that waits: time to look at it
        process = subprocess.Popen([sys.executable, "-m", "cli", "crawl", "--start-url", site.start_url,
                                    "--db", str(db), *FAST, *HOSTILE], stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        try:
            listening = []
            seen_connection = False
            deadline = time.monotonic() + 20
            while process.poll() is None and time.monotonic() < deadline:
                connections = psutil.Process(process.pid).net_connections(kind="inet")
                seen_connection |= any(c.status == psutil.CONN_ESTABLISHED for c in connections)
                listening += [c for c in connections if c.status == psutil.CONN_LISTEN]
                time.sleep(0.1)
        finally:
            process.kill()
            process.wait()
    assert seen_connection  # the crawl was looked at while it ran
    assert listening == []


def test_a_crawl_needs_no_writable_home(tmp_path):
    """Scrapy 2.19's remote control would write token files under the user's state directory."""
    db = tmp_path / "news.db"
    home = tmp_path / "home"
    home.mkdir(mode=0o555)
    env = {**os.environ, "HOME": str(home / "missing"), "XDG_STATE_HOME": str(home / "missing" / "state")}
    with HostileSite("lying") as site:
        result = subprocess.run([sys.executable, "-m", "cli", "crawl", "--start-url", site.start_url, "--db", str(db),
                                 *FAST, *HOSTILE], capture_output=True, text=True, env=env, timeout=CRAWL_BOUND)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert list(home.iterdir()) == []
