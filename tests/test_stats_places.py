"""parknews stats on a crawled archive: one count per resolved place, every month (zero-filled),
the filters, and the chart in PNG, SVG or PDF with Chinese labels from a PyPI font."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import pytest

from tests.crawling import parknews


def stats_json(db, *args):
    result = parknews("stats", "--db", str(db), "--json", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def articles(db, where="duplicate_of IS NULL"):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(f"SELECT * FROM articles WHERE {where}").fetchall()
    finally:
        conn.close()


def test_one_count_per_place_whatever_the_tag_says(research_archive):
    _, db = research_archive
    rows = articles(db)
    expected = Counter(a["zone"] or a["city"] or a["district"] or a["province"] or a["region_tag"] or "(未知)" for a in rows)
    got = {r["place"]: r["articles"] for r in stats_json(db, "--by", "place")}
    assert got == expected
    tags = {a["region_tag"] for a in rows}
    assert {"武汉", "光谷"} <= tags and not {"武汉", "光谷", "襄阳"} & set(got)  # tags folded into places
    assert "武汉市" in got and "东湖高新区" in got


@pytest.mark.parametrize("by", ["province", "city", "district", "zone", "tag"])
def test_each_level_counts_only_its_own_column(research_archive, by):
    _, db = research_archive
    column = "region_tag" if by == "tag" else by
    expected = Counter(a[column] or "(未知)" for a in articles(db))
    assert {r[by]: r["articles"] for r in stats_json(db, "--by", by)} == expected
    if by == "city":
        assert not any(name.endswith("省") for name in expected)  # a province is never a city


def test_months_are_contiguous_with_zeros(research_archive):
    _, db = research_archive
    rows = stats_json(db, "--by", "month")
    months = [r["month"] for r in rows]
    dated = Counter((a["published_date"] or a["listing_date"])[:7] for a in articles(db))
    assert months[0] == min(dated) and months[-1] == max(dated)
    for earlier, later in zip(months, months[1:]):
        year, month = map(int, earlier.split("-"))
        assert later == (f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}")
    assert {r["month"]: r["articles"] for r in rows if r["articles"]} == dated
    assert any(r["articles"] == 0 for r in rows)  # the replay has gaps: they are shown


def test_since_until_and_where(research_archive):
    _, db = research_archive
    dates = sorted(a["published_date"] or a["listing_date"] for a in articles(db))
    since, until = dates[len(dates) // 4], dates[len(dates) * 3 // 4]  # the middle half
    rows = stats_json(db, "--by", "city", "--since", since, "--until", until, "--where", "province = '湖北省'")
    expected = Counter(
        a["city"] or "(未知)" for a in articles(db)
        if since <= (a["published_date"] or a["listing_date"]) <= until and a["province"] == "湖北省"
    )  # fmt: skip
    assert {r["city"]: r["articles"] for r in rows} == expected and expected
    bad = parknews("stats", "--db", str(db), "--where", "no_such_column = 1")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--where" in bad.stderr


@pytest.mark.parametrize("name, magic", [("c.png", b"\x89PNG"), ("c.svg", b"<?xml"), ("c.pdf", b"%PDF"), ("C.PNG", b"\x89PNG")])
def test_plot_format_follows_the_extension(research_archive, tmp_path, name, magic):
    pytest.importorskip("matplotlib")
    _, db = research_archive
    out = tmp_path / name
    result = parknews("stats", "--db", str(db), "--plot", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(magic) and "warning" not in result.stderr
    if name.endswith(".pdf"):  # the Chinese font is embedded, not left to the reader's machine
        assert b"NotoSansCJK" in out.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("name", ["c.gif", "c", "c.png.txt"])
def test_plot_unknown_extension_is_refused_before_counting(research_archive, tmp_path, name):
    _, db = research_archive
    result = parknews("stats", "--db", str(db), "--plot", str(tmp_path / name))
    assert result.returncode == 2 and result.stderr.startswith("parknews: error: ") and ".svg" in result.stderr
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_plot_size_and_dpi(research_archive, tmp_path):
    pytest.importorskip("matplotlib")
    from PIL import Image

    _, db = research_archive
    out = tmp_path / "c.png"
    assert parknews("stats", "--db", str(db), "--plot", str(out), "--width", "6", "--height", "3", "--dpi", "100").returncode == 0
    assert Image.open(out).size == (600, 300)


def test_chinese_font_comes_from_a_pypi_package_and_draws_chinese():
    pytest.importorskip("mplfonts")
    from matplotlib.ft2font import FT2Font

    from archive.stats import chinese_font

    name = chinese_font()
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    assert "mplfonts" in path
    font = FT2Font(path)
    assert all(font.get_char_index(ord(char)) for char in "招商引资武汉市东湖高新区每月文章数")


def test_without_any_chinese_font_one_warning(run_cli, archive_path, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from archive import stats

    monkeypatch.setattr(stats, "chinese_font", lambda: None)
    code, _, err = run_cli("stats", "--db", archive_path, "--plot", str(tmp_path / "c.png"))
    assert code == 0
    warnings = [line for line in err.splitlines() if "warning" in line.lower() or "glyph" in line.lower()]
    assert len(warnings) == 1 and "Chinese font" in warnings[0]


def test_an_undated_article_counts_under_its_listing_month_else_unknown(research_archive, tmp_path):
    import shutil

    _, db = research_archive
    copy = tmp_path / "undated.db"
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    (first, listed), (second, _) = conn.execute(
        "SELECT detail_id, listing_date FROM articles WHERE duplicate_of IS NULL AND listing_date IS NOT NULL "
        "ORDER BY detail_id LIMIT 2"
    ).fetchall()
    conn.execute("UPDATE articles SET published_date = NULL WHERE detail_id = ?", [first])
    conn.execute("UPDATE articles SET published_date = NULL, listing_date = NULL WHERE detail_id = ?", [second])
    conn.commit()
    conn.close()
    months = {r["month"]: r["articles"] for r in stats_json(copy, "--by", "month")}
    dated = Counter((a["published_date"] or a["listing_date"] or "(未知)")[:7] for a in articles(copy))
    assert {m: n for m, n in months.items() if n} == {("(未知)" if m == "(未知)"[:7] else m): n for m, n in dated.items()}
    assert months["(未知)"] == 1 and list(months)[-1] == "(未知)"
    found = parknews("search", "--db", str(copy), "--all", "--json", "--since", listed, "--until", listed, "--", "园区")
    assert found.returncode == 0, found.stderr
    hits = [json.loads(line) for line in found.stdout.splitlines()][1:]
    assert all(h["date"] == listed for h in hits)


def test_plot_target_is_checked_before_the_table_is_printed(research_archive, tmp_path):
    _, db = research_archive
    result = parknews("stats", "--db", str(db), "--plot", str(tmp_path / "no" / "c.png"))
    assert result.returncode == 2 and result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert "does not exist" in result.stderr and list(tmp_path.iterdir()) == []


def test_an_empty_selection_draws_an_empty_chart_with_one_warning(research_archive, tmp_path):
    pytest.importorskip("matplotlib")
    _, db = research_archive
    out = tmp_path / "c.png"
    result = parknews("stats", "--db", str(db), "--plot", str(out), "--where", "0")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("parknews: warning:")]
    assert len(warnings) == 1 and "empty" in warnings[0]
    assert "Traceback" not in result.stderr and "UserWarning" not in result.stderr
