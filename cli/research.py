"""The researchers' commands: search, query, export, stats, runs, serve, reindex.

Each opens the archive read-only (reindex excepted) and raises ``archive.errors.UsageError``
for bad input, which ``cli.main.main`` turns into one line on stderr and exit code 2.
"""

from __future__ import annotations

import csv
import sys

import click

from archive.db import check_archive_path, open_archive, open_archive_readonly
from archive.errors import UsageError
from archive.query_limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, limited
from cli.terminal import cell, link_target, console as _console, json_line, print_table as _print_table, visible
from cli.validate import MAX_INTEGER, Number, Seconds, check_writable, count

MAX_ROWS = 2**62  # counts beyond SQLite's 64-bit integers are refused as bad input
TABLE_ROWS_SHOWN = 1000  # beyond this a terminal table helps no one: use --csv or --json

db_option = click.option(
    "--db", "db_path", default="archive.db", show_default=True, type=click.Path(dir_okay=True),
    help="The SQLite archive.",
)
duplicates_option = click.option(
    "--include-duplicates", is_flag=True, help="Also include reposts (articles with duplicate_of set)."
)


def _print_json_lines(rows) -> None:
    for row in rows:
        click.echo(json_line(row))


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True)
@db_option
@click.option("--region", help="Only articles whose province, city, district, zone or region tag starts with this (e.g. 武汉).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles posted on or after this date (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only articles posted on or before this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(min=1, max=MAX_ROWS), default=20, show_default=True,
              help="Show at most this many articles (no other cap; --all for every match).")
@click.option("--offset", type=click.IntRange(min=0, max=MAX_ROWS), default=0, show_default=True,
              help="Skip this many of the best matches first (the next page: --offset 20).")
@click.option("--all", "every", is_flag=True, help="Every match, best first (streamed), instead of --limit.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON lines: first {\"total\", \"total_exact\", \"offset\", \"shown\", \"ranking\", \"query\"}, then one per article.")
@click.option("--count", "exact_total", is_flag=True,
              help="Count every match exactly (by default past 10,000 the total is shown as 10,000+).")
@duplicates_option
def search(words, db_path, region, since, until, limit, offset, every, as_json, exact_total, include_duplicates) -> None:
    """Full-text search, best matches first, with the number of matches (exact up to 10,000,
    then 10,000+ unless --count).

    WORDS: words (all must match; 2-character words work), "a phrase", A OR B, -excluded or
    NOT excluded (operators in capitals or lower case; quote one to search for it). A leading
    excluded word works as it is: parknews search -光谷 汉阳 (or: parknews search -- -光谷 汉阳).
    Example: parknews search '融资 OR 贷款 -房地产' --region 武汉
    """
    from archive.search import plain_snippet, search_page

    mistyped = next((word for word in words if word.startswith("--") and word != "--"), None)
    if mistyped:  # ignore_unknown_options lets -光谷 through as a word; --lmit is an option gone wrong
        raise UsageError(f"no such option: {mistyped.split('=')[0]} (to exclude a word, write one dash: -word)")
    query = " ".join(words)
    db = open_archive_readonly(db_path)
    results = search_page(
        db, query, region=region, limit=None if every else limit, offset=offset, include_duplicates=include_duplicates,
        exact_total=exact_total,
        since=since.date().isoformat() if since else None, until=until.date().isoformat() if until else None,
    )  # fmt: skip
    shown = max(0, min(results.total - offset, results.total if every else limit))
    heading = f"{results.total_text} articles match {query}" + (
        f"; {offset + 1:,}–{offset + shown:,} shown" if shown and (shown < results.total or offset or not results.total_exact) else ""
    )
    if as_json:
        meta = {"query": query, "total": results.total, "total_exact": results.total_exact, "offset": offset, "shown": shown,
                "ranking": results.ranking}
        _print_json_lines([meta])
        _print_json_lines({**hit, "snippet": plain_snippet(hit["snippet"])} for hit in results.hits)
        return
    console = _console()
    if not console.is_terminal:  # a pipe: tab-separated, matches marked as [..]; the count on stderr
        click.echo(visible(f"{heading} ({results.ranking})", one_line=True), err=True)
        for hit in results.hits:
            cells = [str(hit["detail_id"]), hit["date"] or "", hit["region"] or "", hit["title"] or "", hit["url"] or "",
                     plain_snippet(hit["snippet"])]  # fmt: skip
            click.echo("\t".join(visible(text, one_line=True) for text in cells))
        return
    from rich.style import Style
    from rich.table import Table
    from rich.text import Text

    table = Table("id", "title", "date", "region", "snippet", title=cell(heading), caption=cell(results.ranking))
    for hit in results.hits:
        snippet = Text()
        for part, is_match in hit["snippet"]:
            snippet.append(visible(part), style="bold reverse" if is_match else None)
        url = link_target(hit["url"])
        title = cell(hit["title"], Style(link=url) if url else None)
        table.add_row(str(hit["detail_id"]), title, cell(hit["date"]), cell(hit["region"]), snippet)
    console.print(table)


@click.command()
@click.argument("sql")
@db_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (UTF-8) instead of a table.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@click.option("--timeout", type=Seconds(0, 24 * 3600, open_min=True), default=DEFAULT_TIMEOUT, show_default=True, help="Stop the query after this many seconds.")
@click.option("--memory-mb", type=count(1, 1_000_000), default=DEFAULT_MEMORY_MB, show_default=True, help="Stop the query when SQLite needs more memory than this (MB).")
def query(sql, db_path, as_csv, as_json, timeout, memory_mb) -> None:
    """Run one read-only SQL statement on the archive (writes are refused).

    Example: parknews query "SELECT city, count(*) FROM articles GROUP BY city"
    """
    if as_csv and as_json:
        raise UsageError("choose one of --csv and --json")
    if not sql.strip():
        raise UsageError('no SQL statement given; e.g. parknews query "SELECT count(*) FROM articles"')
    db = open_archive_readonly(db_path)
    with limited(db.conn, timeout=timeout, memory_mb=memory_mb):
        cursor = db.conn.execute(sql)
        columns = [column[0] for column in cursor.description or []]
        if as_csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(columns)
            if sys.stdout.isatty():  # on a terminal the values are shown, not handed to a program
                cursor = ([visible(value) if isinstance(value, str) else value for value in row] for row in cursor)
            writer.writerows(cursor)
        elif as_json:
            _print_json_lines(dict(zip(columns, row)) for row in cursor)
        else:
            rows = cursor.fetchmany(TABLE_ROWS_SHOWN + 1)
            _print_table(columns, rows[:TABLE_ROWS_SHOWN])
            if len(rows) > TABLE_ROWS_SHOWN:
                click.echo(f"(only the first {TABLE_ROWS_SHOWN} rows shown: use --csv or --json for all)", err=True)


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx", "dta", "parquet"]),
              help="Output format. Default: from the extension of -o (.csv .jsonl .xlsx .dta .parquet); csv for -o -.")
@click.option("--excel", is_flag=True, help="CSV for Excel: BOM, CRLF, and cells starting with = + - @ prefixed with '.")
@click.option("--where", help="An SQL condition on articles columns, e.g. \"city = '武汉市' AND published_date >= '2025-01-01'\".")
@duplicates_option
@click.option("-o", "--output", required=True,
              help="The file to write (replaced whole, only on success), or - for standard output (csv, jsonl).")
def export(db_path, fmt, excel, where, include_duplicates, output) -> None:
    """Export articles (reposts left out unless asked) to CSV, JSON lines, Excel, Stata or Parquet."""
    from archive.export import article_rows, format_for, write_export

    fmt = format_for(output, fmt)
    if excel and fmt != "csv":
        raise UsageError("--excel applies to CSV only (an .xlsx export is already for Excel)")
    db = open_archive_readonly(db_path)
    columns, rows, total = article_rows(db, where=where, include_duplicates=include_duplicates, fmt=fmt, excel=excel)
    if not sys.stderr.isatty():
        count = write_export(output, columns, rows, fmt=fmt, excel=excel, total=total)
    else:
        from rich.progress import Progress

        with Progress(console=_console(stderr=True), transient=True) as progress:
            task = progress.add_task(f"exporting {fmt}", total=total)
            count = write_export(output, columns, rows, fmt=fmt, excel=excel, total=total,
                                 on_rows=lambda n: progress.advance(task, n))
    click.echo(f"{count} articles written to {'standard output' if output == '-' else output}", err=True)


@click.command()
@db_option
@click.option("--by", type=click.Choice(["month", "place", "province", "city", "district", "zone", "tag", "park", "region"]),
              default="month", show_default=True,
              help="What to count by. place: the zone, else city, else district or province, else the title's tag "
                   "(region is its old name); park: the park whose listing carried the article.")  # fmt: skip
@click.option("--where", help="An SQL condition on articles columns, e.g. \"province = '湖北省'\".")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles posted on or after this date (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only articles posted on or before this date (YYYY-MM-DD).")
@click.option("--plot", type=click.Path(dir_okay=False),
              help="Also draw articles per month, stacked by place, to this file: .png, .svg or .pdf.")
@click.option("--width", type=Number(2, 100, unit="inches"), default=10.0, show_default=True, help="Chart width in inches.")
@click.option("--height", type=Number(2, 100, unit="inches"), default=5.0, show_default=True, help="Chart height in inches.")
@click.option("--dpi", type=click.IntRange(50, 1200), default=150, show_default=True, help="Chart resolution (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@duplicates_option
def stats(db_path, by, where, since, until, plot, width, height, dpi, as_json, include_duplicates) -> None:
    """Count articles by month (every month, 0 where none), place, province, city, district, zone, tag or park."""
    from archive.outfile import check_target
    from archive.stats import ALIASES, count_by, plot_format, plot_monthly

    if plot:
        plot_format(plot)  # an unknown extension, a missing directory, an unwritable file: refused before any output
        check_target(plot, streams=False, what="a chart")
    by = ALIASES.get(by, by)
    window = {"since": since.date().isoformat() if since else None, "until": until.date().isoformat() if until else None}
    db = open_archive_readonly(db_path)
    counts = count_by(db, by, include_duplicates=include_duplicates, where=where, **window)
    if as_json:
        _print_json_lines({by: value, "articles": articles} for value, articles in counts)
    else:
        _print_table([by, "articles"], counts, title=f"{sum(n for _, n in counts)} articles{_pending_note(db)}")
    if plot:
        notes = plot_monthly(db, plot, include_duplicates=include_duplicates, where=where, width=width, height=height,
                             dpi=dpi, **window)  # fmt: skip
        for note in notes:
            click.echo(f"parknews: warning: {note}", err=True)
        click.echo(f"chart written to {plot}", err=True)


@click.command()
@db_option
@click.option("--errors", "run_id", type=count(0, MAX_INTEGER), help="List the errors of this crawl run instead.")
@click.option("--limit", type=count(), default=20, show_default=True, help="Show this many runs, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def runs(db_path, run_id, limit, as_json) -> None:
    """Crawl history: when, how long, mode, status, pages, new/changed/unchanged articles, errors."""
    from archive.stats import crawl_errors, crawl_history

    db = open_archive_readonly(db_path)
    rows = crawl_errors(db, run_id) if run_id is not None else crawl_history(db, limit=limit)
    if as_json:
        _print_json_lines(rows)
        return
    if run_id is not None:
        _print_table(["id", "at", "url", "http_status", "reason"], [list(r.values()) for r in rows],
                     title=f"{len(rows)} errors in run {run_id}")
        return
    columns = ["id", "started", "duration", "mode", "status", "pages", "new", "changed", "unchanged", "errors", "pending", "gone"]
    table_rows = [
        [r["id"], r["started"], _duration(r["seconds"]), *(r[c] for c in columns[3:])] for r in rows
    ]
    _print_table(columns, table_rows, title=f"crawl runs, newest first{_pending_note(db)}")


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="Port to listen on.")
def serve(db_path, host, port) -> None:
    """Browse the archive in Datasette (needs: pip install -e '.[web]'), with stored queries."""
    from archive.serve import serve as run_server
    from cli.validate import check_port_free

    check_port_free(host, port)
    run_server(db_path, host=host, port=port)


@click.command()
@db_option
def reindex(db_path) -> None:
    """Rebuild the full-text index from the stored articles.

    Holds the crawl lock (exit 3 while a crawl runs). The new index is built beside the old
    one and swapped in at once: searches meanwhile use the old index. Prints its rate.
    """
    import time

    from archive import fts
    from archive.db import check_writable as check_file_writable, writing
    from archive.lock import archive_lock

    check_archive_path(db_path, must_exist=True)
    check_file_writable(db_path)  # the file (exit 4)
    check_writable(db_path)  # a regular file, in a directory SQLite can write its -wal in (exit 2), as crawl
    started = time.monotonic()
    with archive_lock(db_path), writing():
        db = open_archive(db_path, index=False)  # rebuilt below, once, whatever rules it was built under
        try:
            total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            if sys.stderr.isatty():
                from rich.progress import Progress

                with Progress(console=_console(stderr=True), transient=True) as progress:
                    task = progress.add_task("indexing articles", total=total)
                    count = fts.rebuild(db, on_articles=lambda n: progress.advance(task, n))
            else:
                count = fts.rebuild(db)
        finally:
            db.close()
    seconds = time.monotonic() - started
    click.echo(f"{count} articles indexed in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} articles/s)", err=True)


def _pending_note(db) -> str:
    """"; 3 pages pending, 1 gone": what crawls left to fetch and gave up (schema 2 archives)."""
    if not db["pending_articles"].exists():
        return ""
    from archive.state import pending_counts

    counts = pending_counts(db)
    return f"; {counts['pending']} pages pending, {counts['gone']} gone" if any(counts.values()) else ""


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


RESEARCH_COMMANDS = [search, query, export, stats, runs, serve, reindex]
