"""Every researchers' command, end to end, on an archive crawled from the replay over HTTP."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import crawl, file_digest, parknews


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    site = ReplaySite(pages=10)
    db = tmp_path_factory.mktemp("research") / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
    return site, db


def ids_containing(site, word, include_reposts=False):
    """The oracle: articles whose title, summary or body holds the word."""
    return {a["detail_id"] for a in site.expected()
            if word in a["title"] + a["summary"] + a["body"] and (include_reposts or not a["repost_of"])}  # fmt: skip


def search_ids(db, query, *extra):
    result = parknews("search", query, "--db", str(db), "--json", "--limit", "1000", *extra)
    assert result.returncode == 0, result.stderr
    meta, *hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert meta["total"] == len(hits)
    return hits


@pytest.mark.parametrize("word", ["融资", "光谷", "汉阳", "招商引资", "营商环境"])
def test_search_finds_exactly_the_articles_holding_the_word(crawled, word):
    site, db = crawled
    hits = search_ids(db, word)
    assert {h["detail_id"] for h in hits} == ids_containing(site, word)
    assert all(f"[{word}]" in h["snippet"] for h in hits[:5])


def test_search_filters_by_region_and_date(crawled):
    site, db = crawled
    hits = search_ids(db, "招商", "--region", "武汉", "--since", "2025-01-01")
    assert hits and all(h["date"] >= "2025-01-01" for h in hits)
    expected = {a["detail_id"] for a in site.expected()}
    assert {h["detail_id"] for h in hits} <= expected


def test_query_reads_and_refuses_writes(crawled):
    site, db = crawled
    result = parknews("query", "SELECT count(*) AS n FROM articles", "--db", str(db), "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["n"] == len(site.expected())
    before = file_digest(db)
    refused = parknews("query", "DELETE FROM articles", "--db", str(db))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert file_digest(db) == before


def test_export_for_excel_reads_back_as_the_right_chinese(crawled, tmp_path):
    site, db = crawled
    out = tmp_path / "articles.csv"
    result = parknews("export", "--format", "csv", "--excel", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(out, encoding="utf-8-sig", newline="") as handle:
        exported = {int(row["detail_id"]): row for row in csv.DictReader(handle)}
    originals = {a["detail_id"]: a for a in site.expected() if not a["repost_of"]}
    assert set(exported) == set(originals)  # reposts left out
    assert all(exported[i]["title"] == a["title"] and exported[i]["body"] == a["body"] for i, a in originals.items())


def test_export_jsonl_with_reposts_and_a_where(crawled, tmp_path):
    site, db = crawled
    out = tmp_path / "wuhan.jsonl"
    result = parknews("export", "--format", "jsonl", "--include-duplicates", "--where", "city = '武汉市'", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with sqlite3.connect(db) as conn:
        (n,) = conn.execute("SELECT count(*) FROM articles WHERE city = '武汉市'").fetchone()
    assert len(rows) == n > 0 and all(r["city"] == "武汉市" for r in rows)


def test_stats_runs_and_plot(crawled, tmp_path):
    site, db = crawled
    by_city = parknews("stats", "--by", "city", "--db", str(db), "--json", "--include-duplicates")
    assert by_city.returncode == 0, by_city.stderr
    counts = [json.loads(line) for line in by_city.stdout.splitlines()]
    assert sum(c["articles"] for c in counts) == len(site.expected())
    png = tmp_path / "monthly.png"
    plotted = parknews("stats", "--by", "month", "--plot", str(png), "--db", str(db))
    assert plotted.returncode == 0, plotted.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    runs = parknews("runs", "--db", str(db), "--json")
    (run,) = [json.loads(line) for line in runs.stdout.splitlines()]
    assert run["status"] == "ok" and run["new"] == len(site.expected())
