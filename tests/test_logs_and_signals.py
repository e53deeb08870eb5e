"""Where a crawl's log goes (--log-file, -s LOG_FILE), and the exit codes of interrupted commands."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

import pytest

from archive.errors import EXIT_SIGINT, EXIT_SIGTERM
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import FAST, crawl, rows, terminal_output


@pytest.mark.parametrize("how", ["--log-file", "-s LOG_FILE="])
def test_the_log_goes_to_the_log_file_and_not_to_stderr(tmp_path, how):
    db, log = tmp_path / "news.db", tmp_path / "crawl.log"
    log.write_text("an earlier run\n", encoding="utf-8")
    option = ["--log-file", str(log)] if how == "--log-file" else ["-s", f"LOG_FILE={log}"]
    with ReplayServer(ReplaySite(pages=2)) as server:
        result = crawl(server.start_url, db, "--log-level", "INFO", *option)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    written = log.read_text(encoding="utf-8")
    assert written.startswith("an earlier run\n")  # appended, as cron runs pile up
    assert "Spider opened" in written and "Spider closed (finished)" in written


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_scrapy_debug_lines_come_with_debug_and_only_then(tmp_path, level):
    """Scrapy's loggers are set to the crawl's level (they make no record below it), and
    --log-level DEBUG still shows Scrapy's per-page and per-item lines."""
    db, log = tmp_path / "news.db", tmp_path / "crawl.log"
    with ReplayServer(ReplaySite(pages=1, per_page=2)) as server:
        result = crawl(server.start_url, db, "--log-level", level, "--log-file", str(log))
    assert result.returncode == 0, result.stderr
    written = log.read_text(encoding="utf-8")
    assert "Spider closed (finished)" in written
    debug_lines = [line for line in written.splitlines() if "[scrapy.core." in line and "DEBUG:" in line]
    if level == "DEBUG":
        assert any("Crawled (200)" in line for line in debug_lines)
        assert any("Scraped from" in line for line in debug_lines)
        assert "[crawler.pipelines] DEBUG: reactor idle" in written  # our own loggers too
    else:
        assert debug_lines == [] and "DEBUG:" not in written


def test_log_lines_clear_the_progress_line_first():
    from cli.terminal import VisibleFormatter
    from cli.runner import crawl_settings, log_handler

    handler = log_handler(crawl_settings(db="x.db", progress=True))
    assert isinstance(handler.formatter, VisibleFormatter) and handler.formatter.prefix == "\r\033[K"
    assert log_handler(crawl_settings(db="x.db", progress=False)).formatter.prefix == ""


def start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)  # Linux


def wait_until_open(process: subprocess.Popen, path: str, timeout: float = 60) -> None:
    """Wait until ``process`` holds ``path`` open (/proc/PID/fd), however slow its start-up under load."""
    target, deadline = os.path.realpath(path), time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            fds = os.listdir(f"/proc/{process.pid}/fd")
        except FileNotFoundError:
            break
        for fd in fds:
            try:
                if os.readlink(f"/proc/{process.pid}/fd/{fd}") == target:
                    time.sleep(0.3)  # into the query itself
                    return
            except OSError:
                continue
        time.sleep(0.05)
    raise AssertionError(f"{process.args} never opened {path}")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, EXIT_SIGINT), (signal.SIGTERM, EXIT_SIGTERM)])
def test_a_crawl_stopped_by_a_signal_exits_128_plus_its_number_and_records_the_run(tmp_path, signum, code):
    db = tmp_path / "news.db"
    with ReplayServer(ReplaySite(pages=6), latency=0.3) as server:
        process = start(["crawl", "--start-url", server.start_url, "--db", str(db), *FAST])
        deadline = time.monotonic() + 30
        while len(server.requests) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert [(r["status"], r["exit_code"]) for r in rows(db, "SELECT status, exit_code FROM crawl_runs")] == [("shutdown", code)]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, EXIT_SIGINT), (signal.SIGTERM, EXIT_SIGTERM)])
def test_a_signal_before_page_1_answers_is_no_bad_start_url(tmp_path, signum, code):
    """Stopped while robots.txt or page 1 is on its way: the stop, not the start URL, is why
    page 1 never answered: exit 128 + n, no "cannot fetch the start URL"."""
    db = tmp_path / "news.db"
    with ReplayServer(ReplaySite(pages=2), latency=1.5) as server:
        process = start(["crawl", "--start-url", server.start_url, "--db", str(db), *FAST])
        deadline = time.monotonic() + 60
        while len(server.requests) < 2 and time.monotonic() < deadline:  # robots.txt, then page 1
            time.sleep(0.02)
        time.sleep(0.2)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "cannot fetch" not in stderr and "Traceback" not in stderr


def test_a_second_ctrl_c_stops_at_once_and_the_next_run_completes(tmp_path):
    """Scrapy's second SIGINT stops the reactor before the spider closes: exit 130 (not "could
    not start"), the run left 'running', recorded as killed by the next run, which completes."""
    site = ReplaySite(pages=6)
    # The second signal is sent only once the log shows the first was handled: two signals that
    # land while the main thread is busy in C code make one Python handler call. The 1.5 s
    # latency keeps the graceful stop (waiting for the pages in flight) longer than that wait.
    with ReplayServer(site, latency=1.5) as server:
        for attempt in range(3):
            db, log = tmp_path / f"news-{attempt}.db", tmp_path / f"crawl-{attempt}.log"
            answered = len(server.requests)
            process = start(["crawl", "--start-url", server.start_url, "--db", str(db), *FAST,
                             "--log-level", "INFO", "--log-file", str(log)])  # fmt: skip
            deadline = time.monotonic() + 60
            while len(server.requests) < answered + 8 and time.monotonic() < deadline:
                time.sleep(0.05)
            process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 30
            while process.poll() is None and time.monotonic() < deadline:
                if log.exists() and "shutting down gracefully" in log.read_text(encoding="utf-8"):
                    break
                time.sleep(0.01)
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
            # On a very loaded machine the graceful stop may still end first: try again.
            missed = process.returncode == EXIT_SIGINT and not stderr.strip()
            if not missed or attempt == 2:
                break
        assert process.returncode == EXIT_SIGINT, stderr
        assert "Traceback" not in stderr and "could not start" not in stderr
        assert "stopped at once by a second signal" in stderr
        again = crawl(server.start_url, db)
    assert again.returncode == 0, again.stderr
    statuses = [r["status"] for r in rows(db, "SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses[-1] == "ok" and set(statuses[:-1]) <= {"killed", "shutdown"}
    assert rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == len(site.expected())


def test_a_query_interrupted_by_ctrl_c_exits_130_with_one_line(tmp_path, archive_path):
    forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c"
    process = start(["query", forever, "--db", archive_path, "--timeout", "120"])
    wait_until_open(process, archive_path)  # its imports done: the query is running
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == EXIT_SIGINT, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("parknews: error: interrupted"), stderr


@pytest.mark.parametrize("argv", [["query", "SELECT a.* FROM articles a, articles b", "--json"],
                                  ["query", "SELECT a.* FROM articles a, articles b", "--csv"], ["export", "-o", "-"]])
def test_output_to_a_reader_that_went_away_exits_141_quietly(archive_path, argv):
    """`parknews … | head -1`: the reader closes the pipe; no error line, the shell's 128 + SIGPIPE."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, F_SETPIPE_SZ, 4096)  # smaller than any of these outputs: the writer must wait for us
    process = subprocess.Popen([sys.executable, "-m", "cli", *argv, "--db", archive_path], stdout=write_end,
                               stderr=subprocess.PIPE)  # fmt: skip
    os.close(write_end)
    os.read(read_end, 10)
    os.close(read_end)  # the reader goes away
    stderr = process.stderr.read().decode()
    process.wait(timeout=30)
    assert process.returncode == 141, stderr
    assert stderr == ""


def test_on_a_terminal_warnings_clear_the_progress_line_before_they_are_written(tmp_path):
    """A live crawl on a pty: each log line starts by erasing the progress line, never runs into it."""
    import pty

    db = tmp_path / "news.db"
    leader, follower = pty.openpty()
    with ReplayServer(ReplaySite(pages=2)) as server:
        # DOWNLOAD_WARNSIZE below a page's size: Scrapy warns for every page.
        process = subprocess.Popen([sys.executable, "-m", "cli", "crawl", "--start-url", server.start_url,
                                    "--db", str(db), *FAST, "-s", "DOWNLOAD_WARNSIZE=1000"],
                                   stdout=subprocess.PIPE, stderr=follower)  # fmt: skip
        process.communicate(timeout=120)
    shown = terminal_output(leader, follower)
    assert process.returncode == 0, shown
    warnings = [part for part in shown.split("\r\x1b[K") if "WARNING" in part]
    assert warnings and all(part.lstrip().startswith("20") for part in warnings), shown  # a dated log line, whole
    assert "listing pages" in shown  # the progress line was there
