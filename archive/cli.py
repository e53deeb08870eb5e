"""The ``parknews`` command line: crawl, demo, and the researchers' commands on an archive."""

from __future__ import annotations

import sys

import click

from archive.db import check_archive_path
from archive.errors import ParknewsError
from archive.research_cli import RESEARCH_COMMANDS

DEFAULT_START_URL = "https://jianghanqudianzixinxichanyeyuanqu.010b.com/info/144795/page/1"
db_option = click.option(
    "--db", "db", default="archive.db", show_default=True, type=click.Path(dir_okay=True), help="The SQLite archive."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parknews")
def cli() -> None:
    """Crawl 产业园区网 (010b.com) investment-promotion news into an SQLite archive, and query it."""


for command in RESEARCH_COMMANDS:
    cli.add_command(command)


def report(result, db: str) -> None:
    """Print the end-of-crawl summary (stdout) and fail with the crawl's error, if it had one."""
    from archive.errors import UsageError

    if result.fatal_error:
        raise UsageError(result.fatal_error)
    click.echo(
        f"{db}: {result.new} new, {result.changed} changed, {result.unchanged} unchanged articles; "
        f"{result.pages}/{result.pages_total} listing pages, {result.requests} requests, {result.errors} errors"
        + (f" (see: parknews runs --errors {result.run_id} --db {db})" if result.errors else "")
    )


@cli.command()
@click.option("--start-url", "start_urls", multiple=True, help="A listing's page 1 (repeatable). Default: the 江汉区电子信息产业园区 listing.")
@db_option
@click.option("--delay", type=click.FloatRange(min=0), default=None, help="Seconds between requests to a host (default 1; 0 also turns AutoThrottle off).")
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=None, help="Concurrent requests per host (default 2).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Walk at most this many pages of each listing.")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="WARNING", show_default=True, help="Scrapy's log level (on stderr).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy or parknews setting (repeatable), e.g. -s RETRY_TIMES=5.")
def crawl(start_urls, db, delay, concurrency, max_pages, log_level, overrides) -> None:
    """Crawl listings and their articles into the archive.

    Exit codes: 0 ok; 1 finished, but some pages failed (listed by 'parknews runs --errors');
    2 bad input (options, database, start URL), nothing written.
    """
    from crawler.runner import check_start_url, crawl_settings, run_crawl

    check_archive_path(db)
    urls = [check_start_url(u) for u in (start_urls or [DEFAULT_START_URL])]
    settings = crawl_settings(
        db=db, delay=delay, concurrency=concurrency, max_pages=max_pages,
        progress=sys.stderr.isatty(), log_level=log_level, overrides=parse_overrides(overrides),
    )  # fmt: skip
    result = run_crawl(urls, settings)
    report(result, db)
    sys.exit(result.exit_code)


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    from archive.errors import UsageError

    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s takes NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


@cli.command()
@click.option("--db", "db", default="demo.db", show_default=True, type=click.Path(), help="The archive to crawl the replay into.")
@click.option("--theme", default="classic", show_default=True, help="The replay's markup theme (classic, table, flat).")
def demo(db, theme) -> None:
    """Serve the site replay on a free loopback port, crawl it with no delay, show what was archived."""
    from crawler.replay.server import ReplayServer
    from crawler.replay.site import ReplaySite
    from crawler.runner import crawl_settings, run_crawl

    check_archive_path(db)
    with ReplayServer(ReplaySite(theme=theme)) as server:
        click.echo(f"Serving the replay at {server.start_url}", err=True)
        settings = crawl_settings(db=db, delay=0, concurrency=16, progress=sys.stderr.isatty())
        result = run_crawl([server.start_url], settings)
    report(result, db)
    show_archive(db)
    sys.exit(result.exit_code)


def show_archive(db: str, limit: int = 10) -> None:
    """A short look at an archive: totals, then the newest articles."""
    from rich.console import Console
    from rich.table import Table

    from archive.db import open_archive_readonly

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
    console.print(f"Query it: parknews query \"SELECT title, published_date FROM articles LIMIT 5\" --db {db}")
    archive.conn.close()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except ParknewsError as exc:
        click.echo(f"parknews: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("parknews: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"parknews: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
