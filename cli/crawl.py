"""The commands that write: ``crawl``, ``demo`` and ``reparse``.

Exit codes: ``archive.errors`` (and README.md, "Exit codes").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from archive.db import check_archive_path, check_writable, open_archive_readonly, writing
from archive.errors import UsageError, WriteFailedError
from archive.fts import drop_stale_build
from archive.lock import archive_lock
from cli.research import db_option
from cli.terminal import print_table, visible
from cli.validate import MAX_REFRESH_DAYS, Seconds, check_log_file, check_url, count, parse_settings
from cli.validate import check_writable as check_path_writable



def report(result, db: str) -> None:
    """Print the end-of-crawl summary (stdout), or fail with the crawl's fatal error."""
    if result.stopped_at_once:
        click.echo("parknews: stopped at once by a second signal: the run stays 'running'; the next run records it "
                   "as killed and fetches what is missing", err=True)
        return
    if result.fatal_error:
        raise UsageError(result.fatal_error)
    if result.write_failed:
        raise WriteFailedError(result.write_failed)
    db = visible(db, one_line=True)
    click.echo(
        f"{db}: {result.new} new, {result.changed} changed, {result.unchanged} unchanged articles; "
        f"{result.pages}/{result.pages_total} listing pages, {result.requests} requests, {result.errors} errors"
        + (f" (see: parknews runs --errors {result.run_id} --db {db})" if result.errors else "")
    )


def read_listings_file(path: str) -> list[str]:
    """One start URL a line; blank lines and # comments (a line's own, or after a URL and a
    space) are skipped, as is a UTF-8 byte order mark (Windows Notepad writes one). None at all
    is an error."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise UsageError(f"the listings file {path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise UsageError(f"cannot read the listings file {path} ({exc.strerror or exc})") from None
    # A "#" opening a word starts a comment; one inside a URL (…/page/1#top) does not.
    urls = [url for url in (re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip() for line in lines) if url]
    if not urls:
        raise UsageError(f"the listings file {path} holds no start URL (only blank lines or # comments); add one a line")
    return urls


@click.command()
@click.option("--start-url", "start_urls", multiple=True, help="A listing's page 1 (repeatable). Default: the 江汉区电子信息产业园区 listing.")
@click.option("--listings", "listings_file", type=click.Path(dir_okay=False), help="A file of start URLs, one a line (# comments).")
@db_option
@click.option("--full", is_flag=True, help="Walk every listing page and fetch every article again (conditional GETs), not just what is new.")
@click.option("--refresh-days", type=count(0, MAX_REFRESH_DAYS), default=None, help="Also re-fetch articles published in the last N days; changes become versions.")
@click.option("--delay", type=Seconds(0, 3600), default=None, help="Seconds between requests to a host (default 1; 0 also turns AutoThrottle off).")
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=None, help="Concurrent requests per host (default 2).")
@click.option("--max-pages", type=count(1, 1_000_000), default=None, help="Walk at most this many pages of each listing.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="WARNING", show_default=True, help="Scrapy's log level (on stderr, or in --log-file).")
@click.option("--log-file", type=click.Path(), default=None, help="Append Scrapy's log to this file instead of stderr (same as -s LOG_FILE=PATH).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy or parknews setting (repeatable), e.g. -s RETRY_TIMES=5.")
def crawl(start_urls, listings_file, db_path, full, refresh_days, delay, concurrency, max_pages, log_level, log_file, overrides) -> None:
    """Crawl listings and their articles into the archive.

    Incremental by default: a listing crawled to its end before is walked from page 1 only
    until two pages in a row hold no new article, and only new articles are fetched.

    Exit codes: 0 ok; 1 finished, but some pages failed (see 'parknews runs --errors RUN');
    2 bad input (options, settings, database, start URL), nothing written; 3 another crawl
    is running on this archive, nothing done; 4 the archive could not be written (disk full,
    read-only); 130/143 stopped by Ctrl-C/SIGTERM.
    """
    from crawler.settings import PARKNEWS_START_URLS  # the default listing: one place, the settings

    values = {"PARKNEWS_FULL": full, "PARKNEWS_REFRESH_DAYS": refresh_days} | parse_settings(overrides)
    urls = list(start_urls) + (read_listings_file(listings_file) if listings_file else [])
    # Canonical first, then each once: one listing typed two ways (HTTP://…, …#top) is one listing.
    urls = list(dict.fromkeys(check_url(u) for u in urls or values.get("PARKNEWS_START_URLS") or PARKNEWS_START_URLS))
    if log_file is not None:
        values["LOG_FILE"] = check_log_file(log_file)
    check_archive_path(db_path)  # the archive last: bad options never open it
    check_writable(db_path)  # the file (exit 4)
    check_path_writable(db_path)  # a regular file, in a directory SQLite can write its -wal in (exit 2)
    from cli.runner import crawl_settings, run_crawl

    settings = crawl_settings(
        db=db_path, delay=delay, concurrency=concurrency, max_pages=max_pages,
        progress=sys.stderr.isatty(), log_level=log_level, overrides=values,
    )  # fmt: skip
    with archive_lock(db_path):
        result = run_crawl(urls, settings)
        drop_stale_build(db_path)
    report(result, db_path)
    sys.exit(result.exit_code)


DEMO_PORT = 8713  # the demo's replay listens here when it can (a free loopback port otherwise)


@click.command()
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False), help="The archive to crawl the replay into.")
@click.option("--theme", type=click.Choice(["classic", "table", "flat"]), default="classic", show_default=True, help="The replay's markup theme.")
def demo(db_path, theme) -> None:
    """Serve the site replay on loopback (port 8713 when free), crawl it with no delay, show what was archived."""
    from crawler.replay.server import ReplayServer
    from crawler.replay.site import ReplaySite
    from cli.runner import crawl_settings, run_crawl

    check_archive_path(db_path)
    check_writable(db_path)
    check_path_writable(db_path)
    site = ReplaySite(theme=theme)
    try:  # the same address each time when free: a second demo into one archive walks the same listing
        replay = ReplayServer(site, port=DEMO_PORT)
    except OSError:
        replay = ReplayServer(site)
    with archive_lock(db_path), replay as server:
        click.echo(f"Serving the replay at {server.start_url}", err=True)
        settings = crawl_settings(db=db_path, delay=0, concurrency=16, progress=sys.stderr.isatty(),
                                  overrides={"PARKNEWS_FULL": True})  # fmt: skip
        result = run_crawl([server.start_url], settings)
        drop_stale_build(db_path)
    report(result, db_path)
    show_archive(db_path)
    sys.exit(result.exit_code)


@click.command()
@db_option
def reparse(db_path) -> None:
    """Rebuild every article from the pages stored in the archive, without the network.

    Use it after an extractor or normaliser fix: listing and article pages are parsed again
    from the captures, and articles whose fields change are updated in place (no version
    rows: a reparse corrects, it does not record a change on the site).
    """
    from crawler.reparse import reparse_archive

    check_archive_path(db_path, must_exist=True)
    check_writable(db_path)
    check_path_writable(db_path)
    with archive_lock(db_path), writing():
        counts = reparse_archive(db_path)
        drop_stale_build(db_path)
    click.echo(f"{db_path}: {counts.changed} articles updated, {counts.unchanged} unchanged, {counts.new} new from captures")


def show_archive(db: str, limit: int = 10) -> None:
    """A short look at an archive: totals, then the newest articles (shown as text, never markup)."""
    from archive.stats import overview

    archive = open_archive_readonly(db)
    (total, reposts, regions), newest = overview(archive, limit=limit)
    click.echo(f"{total} articles ({reposts} marked as reposts) from {regions} places in {visible(db)}")
    print_table(["detail_id", "published", "region", "adcode", "title", "body chars"], newest)
    click.echo(f'Query it: parknews query "SELECT title, published_date FROM articles LIMIT 5" --db {visible(db)}')
    archive.conn.close()


CRAWL_COMMANDS = [crawl, demo, reparse]
