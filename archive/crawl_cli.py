"""The commands that write: ``crawl``, ``demo`` and ``reparse``.

Exit codes (also in README.md): 0 ok; 1 finished, but some pages failed; 2 bad input, nothing
written; 3 another crawl holds the archive's lock, nothing done; 4 the archive could not be
written (disk full, read-only file, I/O error): the crawl stopped at once, what was committed
before stays, the run is marked failed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.db import check_archive_path, check_writable, open_archive_readonly, writing
from archive.errors import UsageError, WriteFailedError
from archive.lock import archive_lock
from archive.research_cli import db_option

DEFAULT_START_URL = "https://jianghanqudianzixinxichanyeyuanqu.010b.com/info/144795/page/1"


def report(result, db: str) -> None:
    """Print the end-of-crawl summary (stdout), or fail with the crawl's fatal error."""
    if result.fatal_error:
        raise UsageError(result.fatal_error)
    if result.write_failed:
        raise WriteFailedError(result.write_failed)
    click.echo(
        f"{db}: {result.new} new, {result.changed} changed, {result.unchanged} unchanged articles; "
        f"{result.pages}/{result.pages_total} listing pages, {result.requests} requests, {result.errors} errors"
        + (f" (see: parknews runs --errors {result.run_id} --db {db})" if result.errors else "")
    )


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s takes NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def read_listings_file(path: str) -> list[str]:
    """One start URL a line; blank lines and lines starting with # are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the listings file {path}: {exc}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@click.command()
@click.option("--start-url", "start_urls", multiple=True, help="A listing's page 1 (repeatable). Default: the 江汉区电子信息产业园区 listing.")
@click.option("--listings", "listings_file", type=click.Path(dir_okay=False), help="A file of start URLs, one a line (# comments).")
@db_option
@click.option("--full", is_flag=True, help="Walk every listing page and fetch every article again (conditional GETs), not just what is new.")
@click.option("--refresh-days", type=click.IntRange(min=0), default=None, help="Also re-fetch articles published in the last N days; changes become versions.")
@click.option("--delay", type=click.FloatRange(min=0), default=None, help="Seconds between requests to a host (default 1; 0 also turns AutoThrottle off).")
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=None, help="Concurrent requests per host (default 2).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Walk at most this many pages of each listing.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="WARNING", show_default=True, help="Scrapy's log level (on stderr).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy or parknews setting (repeatable), e.g. -s RETRY_TIMES=5.")
def crawl(start_urls, listings_file, db_path, full, refresh_days, delay, concurrency, max_pages, log_level, overrides) -> None:
    """Crawl listings and their articles into the archive.

    Incremental by default: a listing crawled to its end before is walked from page 1 only
    until two pages in a row hold no new article, and only new articles are fetched.

    Exit codes: 0 ok; 1 finished, but some pages failed (see 'parknews runs --errors RUN');
    2 bad input (options, database, start URL), nothing written; 3 another crawl is running
    on this archive, nothing done; 4 the archive could not be written (disk full, read-only).
    """
    from crawler.runner import check_start_url, crawl_settings, run_crawl

    check_archive_path(db_path)
    check_writable(db_path)
    urls = list(start_urls) + (read_listings_file(listings_file) if listings_file else [])
    urls = [check_start_url(u) for u in dict.fromkeys(urls or [DEFAULT_START_URL])]
    values = {"PARKNEWS_FULL": full, "PARKNEWS_REFRESH_DAYS": refresh_days} | parse_overrides(overrides)
    settings = crawl_settings(
        db=db_path, delay=delay, concurrency=concurrency, max_pages=max_pages,
        progress=sys.stderr.isatty(), log_level=log_level, overrides=values,
    )  # fmt: skip
    with archive_lock(db_path):
        result = run_crawl(urls, settings)
    report(result, db_path)
    sys.exit(result.exit_code)


@click.command()
@click.option("--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False), help="The archive to crawl the replay into.")
@click.option("--theme", type=click.Choice(["classic", "table", "flat"]), default="classic", show_default=True, help="The replay's markup theme.")
def demo(db_path, theme) -> None:
    """Serve the site replay on a free loopback port, crawl it with no delay, show what was archived."""
    from crawler.replay.server import ReplayServer
    from crawler.replay.site import ReplaySite
    from crawler.runner import crawl_settings, run_crawl

    check_archive_path(db_path)
    check_writable(db_path)
    with archive_lock(db_path), ReplayServer(ReplaySite(theme=theme)) as server:
        click.echo(f"Serving the replay at {server.start_url}", err=True)
        settings = crawl_settings(db=db_path, delay=0, concurrency=16, progress=sys.stderr.isatty(),
                                  overrides={"PARKNEWS_FULL": True})  # fmt: skip
        result = run_crawl([server.start_url], settings)
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
    with archive_lock(db_path), writing():
        counts = reparse_archive(db_path)
    click.echo(f"{db_path}: {counts.changed} articles updated, {counts.unchanged} unchanged, {counts.new} new from captures")


def show_archive(db: str, limit: int = 10) -> None:
    """A short look at an archive: totals, then the newest articles."""
    from rich.console import Console
    from rich.table import Table

    archive = open_archive_readonly(db)
    total, reposts, regions = archive.execute(
        "SELECT count(*), count(duplicate_of), count(DISTINCT adcode) FROM articles"
    ).fetchone()
    console = Console()
    console.print(f"{total} articles ({reposts} marked as reposts) from {regions} places in {db}")
    table = Table("detail_id", "published", "region", "adcode", "title", "body chars")
    for row in archive.execute(
        """SELECT detail_id, published_date, coalesce(district, city, province, region_tag, ''), coalesce(adcode, ''),
                  title, length(body) FROM articles ORDER BY listing_date DESC, detail_id DESC LIMIT ?""",
        [limit],
    ):
        table.add_row(*(str(v) for v in row))
    console.print(table)
    console.print(f'Query it: parknews query "SELECT title, published_date FROM articles LIMIT 5" --db {db}')
    archive.conn.close()


CRAWL_COMMANDS = [crawl, demo, reparse]
