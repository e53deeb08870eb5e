"""parknews stats: counts by month, region, city, and the monthly chart."""

from __future__ import annotations

import json
from collections import Counter

import pytest


def counts(run_cli, archive_path, *args):
    code, out, err = run_cli("stats", "--db", archive_path, "--json", *args)
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_counts_by_month_leave_reposts_out(run_cli, archive_path, archive_articles):
    originals = [a for a in archive_articles if a["duplicate_of"] is None]
    expected = Counter(a["published_date"][:7] for a in originals)
    rows = counts(run_cli, archive_path, "--by", "month")
    assert [(r["month"], r["articles"]) for r in rows if r["articles"]] == sorted(expected.items())
    with_reposts = counts(run_cli, archive_path, "--by", "month", "--include-duplicates")
    assert sum(r["articles"] for r in with_reposts) == len(archive_articles)


def test_counts_by_place_and_city(run_cli, archive_path, archive_articles):
    originals = [a for a in archive_articles if a["duplicate_of"] is None]
    places = Counter(a["zone"] or a["city"] or a["district"] or a["province"] or a["region_tag"] for a in originals)
    rows = counts(run_cli, archive_path, "--by", "place")
    assert {r["place"]: r["articles"] for r in rows} == places
    assert [r["articles"] for r in rows] == sorted((r["articles"] for r in rows), reverse=True)
    cities = Counter(a["city"] or "(未知)" for a in originals)
    assert {r["city"]: r["articles"] for r in counts(run_cli, archive_path, "--by", "city")} == cities


def test_table_output(run_cli, archive_path):
    code, out, _ = run_cli("stats", "--db", archive_path, "--by", "city")
    assert code == 0 and "宜昌市" in out and "49 articles" in out


def test_plot_writes_a_png(run_cli, archive_path, tmp_path):
    pytest.importorskip("matplotlib")
    chart = tmp_path / "monthly.png"
    code, _, err = run_cli("stats", "--db", archive_path, "--plot", str(chart))
    assert code == 0, err
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000


def test_plot_to_an_unwritable_place_exits_2(run_cli, archive_path, tmp_path):
    pytest.importorskip("matplotlib")
    code, _, err = run_cli("stats", "--db", archive_path, "--plot", str(tmp_path / "no" / "such" / "dir.png"))
    assert code == 2 and "cannot write" in err


def test_top_regions_and_the_rest(archive_path):
    from archive.db import open_archive_readonly
    from archive.stats import OTHER, monthly_by_place

    months, series = monthly_by_place(open_archive_readonly(archive_path), top=2)
    assert len(series) == 3 and OTHER in series
    assert sum(map(sum, series.values())) == 49 and months == sorted(months)
