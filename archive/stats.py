"""Counts of articles (by month, place, province, city, district, zone or tag), the monthly
chart, and the crawl history."""

from __future__ import annotations

import os
import sqlite3
import warnings
from pathlib import Path

import sqlite_utils

from archive.errors import UsageError
from archive.outfile import output_file
from archive.search import ARTICLE_DATE, article_conditions
from archive.where import where_clause

UNKNOWN = "(未知)"
OTHER = "其他"
# The place an article is counted under: its functional zone, else its city, else (a county-level
# city run by its province) its district, else its province; the title's tag only when nothing
# resolved. So 武汉 and 武汉市 are one place, and 光谷 counts under 东湖高新区.
PLACE = "coalesce(a.zone, a.city, a.district, a.province, a.region_tag)"
MONTH = f"substr({ARTICLE_DATE}, 1, 7)"
GROUPINGS = {
    "month": MONTH,
    "place": PLACE,
    "province": "a.province",
    "city": "a.city",
    "district": "a.district",
    "zone": "a.zone",
    "tag": "a.region_tag",
    # The park whose listing carried the article (an article in two parks' listings counts in both).
    "park": "coalesce(l.park_name, l.host)",
}
JOINS = {"park": " LEFT JOIN listing_entries e ON e.detail_id = a.detail_id LEFT JOIN listings l ON l.listing = e.listing"}
ALIASES = {"region": "place"}  # the name of --by place before issue 12
PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
# Fonts that draw Chinese, most likely first: the one the mplfonts package ships (registered at
# run time, see chinese_font), then common system fonts.
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
)
_SHIPPED_FONT = "NotoSansCJKsc-Regular.otf"  # in the mplfonts wheel (SIL Open Font License)


def _conditions(
    db: sqlite_utils.Database, where: str | None, since: str | None, until: str | None, include_duplicates: bool
) -> tuple[str, list]:
    conditions, params = article_conditions(
        where=where_clause(db, where), since=since, until=until, include_duplicates=include_duplicates
    )
    return (f" WHERE {' AND '.join(conditions)}" if conditions else ""), params


def _run(db: sqlite_utils.Database, sql: str, params: list, where: str | None) -> list[tuple]:
    try:
        return [tuple(row) for row in db.execute(sql, params).fetchall()]
    except sqlite3.Error as exc:
        raise UsageError(f"--where {where!r}: {exc}" if where else f"cannot count: {exc}") from None


def count_by(
    db: sqlite_utils.Database, by: str, *, include_duplicates: bool = False, where: str | None = None,
    since: str | None = None, until: str | None = None,
) -> list[tuple[str, int]]:
    """(value, articles) pairs. Months run from the first to the last, those without articles
    counted 0 (articles without a date last, as ``(未知)``); other groupings most articles first.

    ``where`` is an SQL condition on articles columns (as for export); ``since``/``until``
    (YYYY-MM-DD, inclusive) bound the posting date, else the listing date.
    """
    by = ALIASES.get(by, by)
    if by not in GROUPINGS:
        raise UsageError(f"cannot count by {by!r}; choose one of {', '.join(GROUPINGS)}")
    clause, params = _conditions(db, where, since, until, include_duplicates)
    order = "value" if by == "month" else "articles DESC, value"
    sql = (
        f"SELECT {GROUPINGS[by]} AS value, {'count(DISTINCT a.detail_id)' if by in JOINS else 'count(*)'} AS articles "
        f"FROM articles a{JOINS.get(by, '')}{clause} GROUP BY value ORDER BY {order}"
    )
    if by == "park" and "park_name" not in {row[1] for row in db.execute("PRAGMA table_info(listings)")}:
        raise UsageError(
            "this archive has no park names yet (an older parknews wrote it); "
            "its next 'parknews crawl' or 'parknews reparse' upgrades it"
        )
    rows = _run(db, sql, params, where)
    if by == "month":
        counted = dict(rows)
        undated = counted.pop(None, 0)
        rows = [(month, counted.get(month, 0)) for month in month_range(counted)]
        rows += [(UNKNOWN, undated)] if undated else []
    return [(UNKNOWN if value is None else value, count) for value, count in rows]


def month_range(months) -> list[str]:
    """Every month (YYYY-MM) from the first to the last of ``months``, in order."""
    months = sorted(month for month in months if month)
    if not months:
        return []
    year, month = map(int, months[0].split("-"))
    last = tuple(map(int, months[-1].split("-")))
    every = []
    while (year, month) <= last:
        every.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return every


def monthly_by_place(
    db: sqlite_utils.Database, *, top: int = 8, include_duplicates: bool = False, where: str | None = None,
    since: str | None = None, until: str | None = None,
) -> tuple[list[str], dict[str, list[int]]]:
    """Every month from the first to the last, and per place (the ``top`` largest, the rest as
    其他) its count in each month, 0 where it had none."""
    clause, params = _conditions(db, where, since, until, include_duplicates)
    clause = f"{clause} AND {ARTICLE_DATE} IS NOT NULL" if clause else f" WHERE {ARTICLE_DATE} IS NOT NULL"
    rows = _run(
        db,
        f"SELECT {MONTH} AS month, coalesce({PLACE}, '{UNKNOWN}') AS place, count(*) "
        f"FROM articles a{clause} GROUP BY month, place",
        params,
        where,
    )
    months = month_range({month for month, _, _ in rows})
    index = {month: position for position, month in enumerate(months)}
    totals: dict[str, int] = {}
    for _, place, count in rows:
        totals[place] = totals.get(place, 0) + count
    ranked = sorted(totals, key=lambda place: (-totals[place], place))
    kept = ranked if len(ranked) <= top + 1 else ranked[:top]  # 其他 of one place helps no one
    series = {place: [0] * len(months) for place in kept}
    if len(ranked) > len(kept):
        series[OTHER] = [0] * len(months)
    for month, place, count in rows:
        series[place if place in kept else OTHER][index[month]] += count
    return months, series


monthly_by_region = monthly_by_place  # its name before issue 12


def plot_format(path: str | os.PathLike) -> str:
    """png, svg or pdf, from the chart file's extension; UsageError for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise UsageError(f"cannot tell the chart format of {path}: name it .png, .svg or .pdf")
    return PLOT_FORMATS[suffix]


def chinese_font() -> str | None:
    """The name of a font that draws Chinese, registered with matplotlib; None if there is none.

    First the font the ``mplfonts`` package ships (a wheel from PyPI: no apt, no cache to
    delete), added to matplotlib's font manager for this process; else a CJK font matplotlib
    already knows (a system font, e.g. fonts-wqy-microhei).
    """
    from matplotlib import font_manager

    try:
        import mplfonts

        shipped = Path(mplfonts.__file__).parent / "fonts" / _SHIPPED_FONT
        if shipped.is_file():
            font_manager.fontManager.addfont(str(shipped))
            return font_manager.FontProperties(fname=str(shipped)).get_name()
    except ImportError:
        pass
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def plot_monthly(
    db: sqlite_utils.Database, path: str | os.PathLike, *, include_duplicates: bool = False,
    where: str | None = None, since: str | None = None, until: str | None = None,
    width: float = 10.0, height: float = 5.0, dpi: int = 150,
) -> list[str]:
    """Draw articles per month, stacked by place, to ``path`` (PNG, SVG or PDF by its
    extension; ``width``/``height`` in inches, ``dpi`` for PNG); return warnings (no Chinese
    font; an empty selection, drawn as an empty chart rather than refused).

    Written whole or not at all (``archive.outfile``)."""
    fmt = plot_format(path)
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # its font-cache and glyph notices: not ours to print
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise UsageError("--plot needs matplotlib: install with pip install -e '.[plot]'") from None
    months, series = monthly_by_place(db, include_duplicates=include_duplicates, where=where, since=since, until=until)
    notes = []
    if not months:  # an empty selection is not an error: an empty chart, and a warning saying so
        notes.append("no dated articles in this selection: the chart is empty")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a font that fails to load: reported as the one warning below
        font = chinese_font()
    if font is None:
        notes.append("no Chinese font found (pip install mplfonts, or apt-get install fonts-noto-cjk): "
                     "place names will not render")  # fmt: skip
    rc = {"axes.unicode_minus": False, "svg.fonttype": "path", "pdf.fonttype": 42}
    if font:
        rc["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
    with plt.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing-glyph warnings: reported once, above
        figure, axes = plt.subplots(figsize=(width, height), dpi=dpi)
        try:
            positions = range(len(months))
            bottom = [0] * len(months)
            colours = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]  # its grey is 其他's
            for index, (place, counts) in enumerate(series.items()):
                colour = "#9e9e9e" if place == OTHER else colours[index % len(colours)]
                axes.bar(positions, counts, bottom=bottom, label=place, color=colour, width=0.85)
                bottom = [b + c for b, c in zip(bottom, counts)]
            step = max(1, len(months) // 24)  # at most ~24 month labels
            axes.set_xticks(list(positions)[::step], months[::step])
            axes.set_xlim(-0.6, max(len(months), 1) - 0.4)
            if not months:
                axes.text(0.5, 0.5, "无文章 (no dated articles)", transform=axes.transAxes, ha="center", va="center")
            axes.set_title("招商引资新闻：每月文章数（按地区）")
            axes.set_xlabel("发布月份")
            axes.set_ylabel("文章数")
            axes.tick_params(axis="x", labelrotation=60, labelsize=8)
            if series:
                axes.legend(title="地区", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.grid(axis="y", alpha=0.3)
            figure.tight_layout()
            with output_file(str(path), streams=False, what="a chart") as out:
                figure.savefig(out.stream, format=fmt)
        finally:
            plt.close(figure)
    return notes


def crawl_history(db: sqlite_utils.Database, *, limit: int = 20) -> list[dict]:
    """The latest ``limit`` crawl runs, newest first, with their duration in seconds, and the
    pages left pending and given up as gone when each ended (NULL before schema 2)."""
    upgraded = "pending" in db["crawl_runs"].columns_dict
    sql = (
        "SELECT id, started, finished, "
        "CAST(round((julianday(finished) - julianday(started)) * 86400) AS INTEGER) AS seconds, "
        "mode, status, pages, articles_new AS new, articles_changed AS changed, "
        "articles_unchanged AS unchanged, errors, "
        + ("pending, gone" if upgraded else "NULL AS pending, NULL AS gone")
        + " FROM crawl_runs ORDER BY started DESC, id DESC LIMIT ?"
    )
    return _dict_rows(db, sql, [limit])


def overview(db: sqlite_utils.Database, *, limit: int = 10) -> tuple[tuple[int, int, int], list[tuple]]:
    """A short look at an archive (``parknews demo``): (articles, reposts, places with a code),
    and the ``limit`` newest articles by their date (``ARTICLE_DATE``) as (detail_id,
    published_date, region, adcode, title, body length) rows, region being the most specific of
    district, city, province and tag."""
    totals = db.execute("SELECT count(*), count(duplicate_of), count(DISTINCT adcode) FROM articles").fetchone()
    newest = db.execute(
        f"""SELECT a.detail_id, a.published_date, coalesce(a.district, a.city, a.province, a.region_tag, ''),
                   coalesce(a.adcode, ''), a.title, length(a.body) FROM articles a
            ORDER BY {ARTICLE_DATE} DESC, a.detail_id DESC LIMIT ?""",
        [limit],
    ).fetchall()
    return tuple(totals), newest


def crawl_errors(db: sqlite_utils.Database, run_id: int) -> list[dict]:
    """The errors recorded by crawl run ``run_id``; UsageError if there is no such run."""
    if not db.execute("SELECT 1 FROM crawl_runs WHERE id = ?", [run_id]).fetchone():
        raise UsageError(f"no crawl run {run_id}; 'parknews runs' lists them")
    sql = "SELECT id, at, url, http_status, reason FROM crawl_errors WHERE run_id = ? ORDER BY at, id"
    return _dict_rows(db, sql, [run_id])


def _dict_rows(db: sqlite_utils.Database, sql: str, params: list) -> list[dict]:
    try:
        cursor = db.execute(sql, params)
    except sqlite3.OperationalError as exc:  # an archive from before crawl history existed
        raise UsageError(f"cannot read the crawl history: {exc}") from None
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor]
