"""Full-text search: the SQLite facts behind the bigram design, the query syntax, the command."""

from __future__ import annotations

import json
import sqlite3

import pytest

from archive import fts
from archive.db import open_archive
from archive.errors import UsageError
from archive.search import parse_query

TEXT = "武汉优化小微企业融资环境，光谷新签约项目3000亿元"


@pytest.fixture
def memory():
    return sqlite3.connect(":memory:")


# -- why the index is built as it is --------------------------------------------------------


def test_trigram_never_matches_two_characters(memory):
    memory.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    memory.execute("INSERT INTO t VALUES (?)", [TEXT])
    assert memory.execute("SELECT count(*) FROM t WHERE t MATCH '融资'").fetchone() == (0,)
    assert memory.execute("SELECT count(*) FROM t WHERE t MATCH '融资环境'").fetchone() == (1,)
    if sqlite3.sqlite_version_info < (3, 42):  # fixed upstream later; true of the SQLite we ship on
        assert memory.execute("SELECT count(*) FROM t WHERE x LIKE '%融资%'").fetchone() == (0,)


def test_unicode61_reads_a_chinese_run_as_one_token(memory):
    memory.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61')")
    memory.execute("INSERT INTO t VALUES (?)", [TEXT])
    for word in ("融资", "融资环境", "光谷"):
        assert memory.execute("SELECT count(*) FROM t WHERE t MATCH ?", [word]).fetchone() == (0,)


def test_bigrams_with_unicode61_match_two_and_four_characters(memory):
    memory.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61', content='')")
    memory.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", [fts.bigram_text(TEXT)])
    for word in ("融资", "融资环境", "光谷", "融", "3000亿", "亿元", "企业融资环境"):
        assert memory.execute("SELECT rowid FROM t WHERE t MATCH ?", [fts.query_phrase(word)]).fetchall() == [(1,)], word
    for absent in ("融资光谷", "环境光谷", "4000"):
        assert memory.execute("SELECT rowid FROM t WHERE t MATCH ?", [fts.query_phrase(absent)]).fetchall() == [], absent


@pytest.mark.parametrize("detail", ["column", "none"])
def test_smaller_index_details_refuse_bigram_phrases(memory, detail):
    memory.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, content='', detail={detail})")
    memory.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", [fts.bigram_text(TEXT)])
    with pytest.raises(sqlite3.OperationalError, match="phrase"):
        memory.execute("SELECT rowid FROM t WHERE t MATCH ?", [fts.query_phrase("融资环境")]).fetchall()


# -- the index kept in step with the articles --------------------------------------------------


def test_index_follows_changes_and_removals(tmp_path):
    db = open_archive(tmp_path / "a.db")
    rows = [{"detail_id": 1, "title": "光谷签约", "summary": "", "body": "融资环境改善"},
            {"detail_id": 2, "title": "汉阳招商", "summary": "", "body": "产业园区建设"}]

    def write(rows):  # as the archive writer does: index first, then store
        with db.conn:
            fts.index_articles(db, rows)
            db["articles"].upsert_all(rows, pk="detail_id")

    def ids(word):
        phrase = fts.query_phrase(word)
        return {r[0] for r in db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [phrase])}

    write(rows)
    assert ids("融资") == {1} and ids("汉阳") == {2}
    write([{**rows[0], "body": "贷款利率下降"}, rows[1]])
    assert ids("融资") == set() and ids("贷款") == {1} and ids("光谷") == {1}
    with db.conn:
        fts.remove(db, [2])
        db["articles"].delete(2)
    assert ids("汉阳") == set()
    assert fts.rebuild(db) == 1 and ids("贷款") == {1}


# -- the query syntax ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ['"融资', "AND", "融资 OR", "OR 融资", "融资 AND OR 光谷", "*", "-融资", "", "   "])
def test_malformed_queries_are_refused(bad):
    with pytest.raises(UsageError):
        parse_query(bad)


def test_parse_query_builds_an_fts5_expression():
    parsed = parse_query('融资 OR 贷款 "东湖 高新" -房地产')
    assert parsed.match == '(("融资" OR "贷款") AND ("东湖 湖 高新")) NOT "房地 地产"'
    assert parsed.terms == ("融资", "贷款", "东湖 高新")


# -- the command, on the synthetic archive ---------------------------------------------------------


def search_ids(run_cli, archive_path, *args):
    code, out, err = run_cli("search", *args, "--db", archive_path, "--json", "--limit", "100")
    assert code == 0, err
    meta, *hits = [json.loads(line) for line in out.splitlines()]
    assert meta["total"] == len(hits) and "detail_id" not in meta
    return hits


@pytest.mark.parametrize("word", ["融资", "光谷", "汉阳", "融资环境", "新能源汽车", "招商引资"])
def test_search_finds_exactly_the_articles_holding_the_word(run_cli, archive_path, containing, word):
    hits = search_ids(run_cli, archive_path, word)
    assert {h["detail_id"] for h in hits} == containing(word)
    assert containing(word)  # the fixture holds each word somewhere
    assert all(f"[{word}]" in h["snippet"] for h in hits)


def test_phrase_needs_the_characters_together(run_cli, archive_path, containing):
    apart = containing("融资", "环境") - containing("融资环境")
    assert apart  # the fixture's article 7
    assert not apart & {h["detail_id"] for h in search_ids(run_cli, archive_path, "融资环境")}


def test_boolean_queries(run_cli, archive_path, containing):
    either = {h["detail_id"] for h in search_ids(run_cli, archive_path, "光谷 OR 汉阳")}
    assert either == containing("光谷") | containing("汉阳")
    without = {h["detail_id"] for h in search_ids(run_cli, archive_path, "招商引资 -光谷")}
    assert without == containing("招商引资") - containing("光谷")


def test_title_matches_rank_first(run_cli, archive_path, archive_articles):
    hits = search_ids(run_cli, archive_path, "光谷")
    in_title = [("光谷" in h["title"]) for h in hits]
    assert in_title == sorted(in_title, reverse=True) and any(in_title)


def test_filters_and_reposts(run_cli, archive_path, archive_articles, containing):
    by_id = {a["detail_id"]: a for a in archive_articles}
    hits = search_ids(run_cli, archive_path, "融资", "--region", "汉阳", "--since", "2024-06-01", "--until", "2025-03-31")
    assert hits
    for hit in hits:
        article = by_id[hit["detail_id"]]
        assert article["district"] == "汉阳区" and "2024-06-01" <= article["published_date"] <= "2025-03-31"
    repost = archive_articles[-1]
    word = "优化融资环境"
    assert repost["detail_id"] not in {h["detail_id"] for h in search_ids(run_cli, archive_path, word)}
    with_reposts = search_ids(run_cli, archive_path, word, "--include-duplicates")
    assert {h["detail_id"] for h in with_reposts} == containing(word, include_duplicates=True)


@pytest.mark.parametrize("word", ["融资", "招商引资", "光谷", "环境", "汉阳"])
def test_reposts_left_out_alike_by_set_and_by_row(run_cli, archive_path, containing, monkeypatch, word):
    """Reposts are left out of few and many matches alike: the same totals and articles."""
    from archive import search

    monkeypatch.setattr(search, "REPOSTS_BY_ROW_UNDER", 1)  # every query: the set of repost ids
    as_set = search_ids(run_cli, archive_path, word, "--all")
    monkeypatch.setattr(search, "REPOSTS_BY_ROW_UNDER", 10**9)  # every query: each match's row
    by_row = search_ids(run_cli, archive_path, word, "--all")
    assert as_set == by_row and {h["detail_id"] for h in as_set} == containing(word)


def test_many_matches_are_ranked_over_the_newest_only(run_cli, archive_path, archive_articles, containing, monkeypatch):
    from archive import search

    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    everywhere = containing("招商引资")
    assert len(everywhere) > 3
    hits = search_ids(run_cli, archive_path, "招商引资")
    assert {h["detail_id"] for h in hits} == everywhere  # every match, not only the window
    assert {h["detail_id"] for h in hits[:3]} == set(sorted(everywhere)[-3:])  # the newest 3 ranked first
    ranks = [h["rank"] for h in hits[:3]]
    assert ranks == sorted(ranks) and all(h["rank"] is None for h in hits[3:])
    assert [h["detail_id"] for h in hits[3:]] == sorted(everywhere, reverse=True)[3:]  # then newest first
    # The window is counted after the filters: the three newest from 宜昌, not those among all three.
    yichang = {a["detail_id"] for a in archive_articles if any((a[c] or "").startswith("宜昌") for c in search.REGION_COLUMNS)}
    newest_from_yichang = set(sorted(everywhere & yichang)[-3:])
    assert len(newest_from_yichang) == 3 and newest_from_yichang != yichang & {h["detail_id"] for h in hits[:3]}
    in_yichang = search_ids(run_cli, archive_path, "招商引资", "--region", "宜昌")
    assert {h["detail_id"] for h in in_yichang[:3]} == newest_from_yichang
    few = containing("新能源汽车") & yichang
    assert 0 < len(few) <= 3 and {h["detail_id"] for h in search_ids(run_cli, archive_path, "新能源汽车", "--region", "宜昌")} == few


@pytest.mark.parametrize("reposts_by_row_under", [1, 5000], ids=["reposts-as-a-set", "reposts-by-row"])
@pytest.mark.parametrize("query", ["招商", "企业 项目", "园区", "园区 OR 光谷", "融资环境"])
def test_window_is_ranked_as_fts5_ranks_those_matches(archive_path, monkeypatch, query, reposts_by_row_under):
    """Within the window, the order and ranks are FTS5's bm25 over the newest matches alone
    (reposts left out, whichever way), page after page; the older matches follow, newest first."""
    from archive import search
    from archive.db import open_archive_readonly

    window = 6
    monkeypatch.setattr(search, "RANK_WINDOW", window)
    monkeypatch.setattr(search, "REPOSTS_BY_ROW_UNDER", reposts_by_row_under)
    db = open_archive_readonly(archive_path)
    match = search.parse_query(query).match
    newest = [row[0] for row in db.execute(
        "SELECT f.rowid FROM articles_fts f JOIN articles a ON a.detail_id = f.rowid WHERE articles_fts MATCH ? "
        "AND a.duplicate_of IS NULL ORDER BY f.rowid DESC", [match])]  # fmt: skip
    assert len(newest) > window
    expected = db.execute(
        f"SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ? ORDER BY rank", [match, newest[window - 1]]
    ).fetchall()  # fmt: skip
    expected = [(i, r) for i, r in expected if i in newest[:window]] + [(i, None) for i in newest[window:]]
    for offset in (0, 2, window - 1, window + 1):
        hits = [(hit["detail_id"], hit["rank"]) for hit in search.search_page(db, query, limit=3, offset=offset).hits]
        assert [i for i, _ in hits] == [i for i, _ in expected[offset : offset + 3]]
        assert [r for _, r in hits] == pytest.approx([r for _, r in expected[offset : offset + 3]])
    assert len(list(search.search_page(db, query, limit=None).hits)) == len(newest)


def test_bm25_of_the_window_puts_title_matches_first(archive_articles):
    from archive.search import rank_by_bm25

    rows = [(a["detail_id"], a["title"], a["summary"], a["body"]) for a in archive_articles]
    holding = [row for row in rows if any("招商" in (text or "") for text in row[1:])]
    ranked = rank_by_bm25(holding, ("招商",))
    in_title = ["招商" in row[1] for row in ranked]
    assert in_title == sorted(in_title, reverse=True) and any(in_title) and not all(in_title)
    assert [row[-1] for row in ranked] == sorted(row[-1] for row in ranked) and ranked[0][-1] < 0


def test_window_of_a_frequent_query_is_scored_from_its_text(archive_path, monkeypatch):
    """From TEXT_SCORED_FROM posting entries on, the window is ranked by rank_by_bm25 over its rows."""
    from archive import search
    from archive.db import open_archive_readonly

    monkeypatch.setattr(search, "RANK_WINDOW", 6)
    monkeypatch.setattr(search, "TEXT_SCORED_FROM", 6)
    db = open_archive_readonly(archive_path)
    match = search.parse_query("招商").match
    newest = db.execute(
        "SELECT a.detail_id, a.url, a.title, coalesce(a.published_date, a.listing_date), "
        "coalesce(a.region_tag, a.city, a.province), a.duplicate_of, a.summary, a.body FROM articles_fts f "
        "JOIN articles a ON a.detail_id = f.rowid WHERE articles_fts MATCH ? AND a.duplicate_of IS NULL "
        "ORDER BY f.rowid DESC", [match]).fetchall()  # fmt: skip
    expected = [(row[0], row[-1]) for row in search.rank_by_bm25(newest[:6], ("招商",), text_at=search.PAGE_TEXT_AT)]
    expected += [(row[0], None) for row in newest[6:]]
    for offset in (0, 4, 7):
        hits = [(hit["detail_id"], hit["rank"]) for hit in search.search_page(db, "招商", limit=3, offset=offset).hits]
        assert hits == expected[offset : offset + 3]


def test_plain_output_marks_matches(run_cli, archive_path):
    code, out, _ = run_cli("search", "光谷", "--db", archive_path, "--limit", "3")
    assert code == 0 and len(out.splitlines()) == 3 and all("[光谷]" in line for line in out.splitlines())
    for line in out.splitlines():  # detail_id and URL, to follow a result up
        detail_id, date, region, title, url, snippet = line.split("\t")
        assert url == f"https://hubei.010b.com/info/detail/{detail_id}.html"


def test_bad_query_and_missing_archive_exit_2(run_cli, archive_path, tmp_path):
    assert run_cli("search", '"融资', "--db", archive_path)[0] == 2
    code, _, err = run_cli("search", "融资", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no archive" in err
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database" * 100)
    assert run_cli("search", "融资", "--db", str(not_sqlite))[0] == 2
