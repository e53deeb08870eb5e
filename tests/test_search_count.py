"""The search total: exact up to TOTAL_COUNTED_UP_TO matches, a lower bound past it ("N+"),
exact again with --count or when the page asked for reaches past the bound (issue 14)."""

from __future__ import annotations

import json

import pytest

from archive import search
from archive.db import open_archive_readonly

BOUND = 5


@pytest.fixture
def bounded(monkeypatch):
    """A small bound and window, so that the synthetic archive's frequent words pass both."""
    monkeypatch.setattr(search, "TOTAL_COUNTED_UP_TO", BOUND)
    monkeypatch.setattr(search, "RANK_WINDOW", 3)


def exact_count(db, query: str) -> int:
    """The matches of ``query`` with reposts left out, counted in SQL as plainly as can be."""
    return db.execute(
        "SELECT count(*) FROM articles_fts f JOIN articles a ON a.detail_id = f.rowid "
        "WHERE articles_fts MATCH ? AND a.duplicate_of IS NULL", [search.parse_query(query).match]
    ).fetchone()[0]  # fmt: skip


@pytest.mark.parametrize("query", ["招商", "企业 项目", "园区 OR 光谷"])
def test_past_the_bound_the_total_is_a_lower_bound(archive_path, bounded, query):
    db = open_archive_readonly(archive_path)
    exact = exact_count(db, query)
    assert exact > BOUND
    results = search.search_page(db, query, limit=2)
    assert (results.total, results.total_exact, results.total_text) == (BOUND, False, f"{BOUND}+")
    assert len(list(results.hits)) == 2
    assert "more than 5 matches" in results.ranking and "--count" in results.ranking


@pytest.mark.parametrize("query", ["招商", "园区 OR 光谷"])
def test_exact_total_counts_every_match(archive_path, bounded, query):
    db = open_archive_readonly(archive_path)
    results = search.search_page(db, query, limit=2, exact_total=True)
    assert (results.total, results.total_exact) == (exact_count(db, query), True)


def test_a_page_past_the_bound_gets_the_exact_total(archive_path, bounded):
    db = open_archive_readonly(archive_path)
    exact = exact_count(db, "招商")
    for limit, offset in ((None, 0), (2, BOUND - 1), (BOUND + 1, 0)):
        results = search.search_page(db, "招商", limit=limit, offset=offset)
        assert (results.total, results.total_exact) == (exact, True), (limit, offset)


def test_at_the_bound_the_total_is_exact_and_one_over_it_is_not(archive_path, monkeypatch):
    db = open_archive_readonly(archive_path)
    matches = exact_count(db, "新能源汽车")
    assert matches > 1
    monkeypatch.setattr(search, "TOTAL_COUNTED_UP_TO", matches)
    results = search.search_page(db, "新能源汽车", limit=1)
    assert (results.total, results.total_exact, results.total_text) == (matches, True, f"{matches:,}")
    monkeypatch.setattr(search, "TOTAL_COUNTED_UP_TO", matches - 1)
    results = search.search_page(db, "新能源汽车", limit=1)
    assert (results.total, results.total_exact) == (matches - 1, False)


def test_bounded_windows_are_scored_from_their_text_and_every_match_stays_reachable(archive_path, bounded):
    """Past the bound, FTS5's bm25 would walk every match for its phrase frequencies: the
    window is ranked by rank_by_bm25 over its rows, the older matches follow newest first."""
    db = open_archive_readonly(archive_path)
    newest = db.execute(
        "SELECT a.detail_id, a.url, a.title, coalesce(a.published_date, a.listing_date), "
        "coalesce(a.region_tag, a.city, a.province), a.duplicate_of, a.summary, a.body FROM articles_fts f "
        "JOIN articles a ON a.detail_id = f.rowid WHERE articles_fts MATCH ? AND a.duplicate_of IS NULL "
        "ORDER BY f.rowid DESC", [search.parse_query("招商").match]).fetchall()  # fmt: skip
    ranked = search.rank_by_bm25(newest[:3], ("招商",), text_at=search.PAGE_TEXT_AT)
    expected = [row[0] for row in ranked] + [row[0] for row in newest[3:]]
    assert [hit["detail_id"] for hit in search.search_page(db, "招商", limit=BOUND).hits] == expected[:BOUND]
    assert [hit["detail_id"] for hit in search.search_page(db, "招商", limit=None).hits] == expected


def test_cli_shows_the_bound_and_counts_with_count(run_cli, archive_path, bounded):
    exact = exact_count(open_archive_readonly(archive_path), "招商")
    code, out, err = run_cli("search", "招商", "--db", archive_path, "--limit", "2")
    assert code == 0 and err.startswith(f"{BOUND}+ articles match 招商; 1–2 shown")
    code, out, err = run_cli("search", "招商", "--db", archive_path, "--limit", "2", "--count")
    assert code == 0 and err.startswith(f"{exact} articles match 招商; 1–2 shown")
    code, out, _ = run_cli("search", "招商", "--db", archive_path, "--limit", "2", "--json")
    meta = json.loads(out.splitlines()[0])
    assert (meta["total"], meta["total_exact"], meta["shown"]) == (BOUND, False, 2)
    code, out, _ = run_cli("search", "招商", "--db", archive_path, "--limit", "2", "--json", "--count")
    meta = json.loads(out.splitlines()[0])
    assert (meta["total"], meta["total_exact"]) == (exact, True)


@pytest.mark.parametrize("include_duplicates", [False, True], ids=["reposts-left-out", "reposts-included"])
def test_text_scored_windows_weigh_the_title_and_take_reposts(archive_path, monkeypatch, include_duplicates):
    """The window scored from its rows' text reads title, summary and body (the title weighing
    most: its matches rank first here), also when a repost stands in the window."""
    monkeypatch.setattr(search, "TOTAL_COUNTED_UP_TO", BOUND)
    db = open_archive_readonly(archive_path)
    reposts = {row[0] for row in db.execute("SELECT detail_id FROM articles WHERE duplicate_of IS NOT NULL")}
    titles = dict(db.execute("SELECT detail_id, title FROM articles"))
    condition = "" if include_duplicates else "AND a.duplicate_of IS NULL"

    def windows(word: str):
        """(word, window size, newest matches) for each window that holds both kinds of title
        (and a repost, when they are included)."""
        newest = [row[0] for row in db.execute(
            f"SELECT f.rowid FROM articles_fts f JOIN articles a ON a.detail_id = f.rowid WHERE articles_fts MATCH ? "
            f"{condition} ORDER BY f.rowid DESC", [search.parse_query(word).match])]  # fmt: skip
        for size in range(2, len(newest) - BOUND):
            if len({word in titles[i] for i in newest[:size]}) == 2 and (not include_duplicates or set(newest[:size]) & reposts):
                yield word, size, newest

    word, window, newest = next(found for word in ("招商", "园区", "项目", "企业", "发展", "光谷") for found in windows(word))
    monkeypatch.setattr(search, "RANK_WINDOW", window)
    hits = list(search.search_page(db, word, limit=window, include_duplicates=include_duplicates).hits)
    assert {hit["detail_id"] for hit in hits} == set(newest[:window])
    in_title = [word in hit["title"] for hit in hits]
    assert in_title == sorted(in_title, reverse=True) and any(in_title) and not all(in_title)
    assert not include_duplicates or any(hit["duplicate_of"] for hit in hits)
