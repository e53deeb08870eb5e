"""Counts of articles (by month, region, city), the monthly chart, and the crawl history."""

from __future__ import annotations

import os
import sqlite3
import warnings

import sqlite_utils

from archive.errors import UsageError
from archive.search import ARTICLE_DATE, REGION_LABEL

UNKNOWN = "(未知)"
OTHER = "其他"
GROUPINGS = {
    "month": f"substr({ARTICLE_DATE}, 1, 7)",
    "region": REGION_LABEL,
    "city": "coalesce(a.city, a.province)",
}
# Fonts that draw Chinese, most likely first; the chart falls back to the default font.
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC",
)


def count_by(db: sqlite_utils.Database, by: str, *, include_duplicates: bool = False) -> list[tuple[str, int]]:
    """(value, articles) pairs: months in order, regions and cities most articles first."""
    if by not in GROUPINGS:
        raise UsageError(f"cannot count by {by!r}; choose one of {', '.join(GROUPINGS)}")
    where = "" if include_duplicates else "WHERE a.duplicate_of IS NULL"
    order = "value" if by == "month" else "articles DESC, value"
    sql = (
        f"SELECT coalesce({GROUPINGS[by]}, '{UNKNOWN}') AS value, count(*) AS articles "
        f"FROM articles a {where} GROUP BY value ORDER BY {order}"
    )
    return [tuple(row) for row in db.execute(sql).fetchall()]


def monthly_by_region(
    db: sqlite_utils.Database, *, top: int = 8, include_duplicates: bool = False
) -> tuple[list[str], dict[str, list[int]]]:
    """Months in order, and per region (the ``top`` largest, the rest as 其他) a count per month."""
    where = "" if include_duplicates else "AND a.duplicate_of IS NULL"
    rows = db.execute(
        f"SELECT {GROUPINGS['month']} AS month, coalesce({REGION_LABEL}, '{UNKNOWN}') AS region, "
        f"count(*) FROM articles a WHERE {ARTICLE_DATE} IS NOT NULL {where} GROUP BY month, region"
    ).fetchall()
    months = sorted({month for month, _, _ in rows})
    totals: dict[str, int] = {}
    for _, region, count in rows:
        totals[region] = totals.get(region, 0) + count
    ranked = sorted(totals, key=lambda region: (-totals[region], region))
    kept = ranked if len(ranked) <= top + 1 else ranked[:top]  # 其他 of one region helps no one
    series = {region: [0] * len(months) for region in kept}
    if len(ranked) > len(kept):
        series[OTHER] = [0] * len(months)
    for month, region, count in rows:
        series[region if region in kept else OTHER][months.index(month)] += count
    return months, series


def plot_monthly(db: sqlite_utils.Database, path: str | os.PathLike, *, include_duplicates: bool = False) -> list[str]:
    """Draw articles per month, stacked by region, to ``path`` (PNG); return warnings."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import font_manager
        from matplotlib import pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise UsageError("--plot needs matplotlib: install with pip install -e '.[plot]'") from None
    months, series = monthly_by_region(db, include_duplicates=include_duplicates)
    if not months:
        raise UsageError("no dated articles to plot")
    notes = []
    installed = {font.name for font in font_manager.fontManager.ttflist}
    font = next((name for name in CJK_FONTS if name in installed), None)
    if font is None:
        notes.append(
            "no Chinese font found (install fonts-noto-cjk or fonts-wqy-microhei): "
            "region names will not render"
        )
    with plt.rc_context({"font.sans-serif": [font] if font else plt.rcParams["font.sans-serif"],
                         "axes.unicode_minus": False}):
        figure, axes = plt.subplots(figsize=(10, 5), dpi=150)
        bottom = [0] * len(months)
        colours = plt.get_cmap("tab10").colors
        for index, (region, counts) in enumerate(series.items()):
            colour = "#9e9e9e" if region == OTHER else colours[index % len(colours)]
            axes.bar(months, counts, bottom=bottom, label=region, color=colour, width=0.8)
            bottom = [b + c for b, c in zip(bottom, counts)]
        axes.set_title("招商引资新闻：每月文章数（按地区）")
        axes.set_xlabel("发布月份")
        axes.set_ylabel("文章数")
        axes.tick_params(axis="x", labelrotation=60, labelsize=8)
        axes.legend(title="地区", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # missing-glyph warnings, already reported once
                figure.savefig(path, format="png")
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
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
