"""Datasette on a crawled archive: its search box, the stored query and ``parknews search`` find
the same articles (one set of query rules), and the pages researchers open are readable."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import unicodedata
from urllib.parse import quote

import pytest

from tests.crawling import parknews

pytest.importorskip("datasette")

QUERIES = ["５Ｇ基站", "5G基站", "𠮷野家", "光谷 新材料", "光谷新材料", "招商", "汉阳 OR 宜昌", "招商 -光谷",
           "招商 not 光谷", '"营商环境"', "园"]  # fmt: skip


@pytest.fixture(scope="module")
def served(research_archive):
    from archive.serve import make_datasette

    _, db = research_archive
    return db, make_datasette(db)


def get(datasette, path, status=200):
    async def fetch():
        return await datasette.client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    return response


def oracle(db, query):
    """Articles (no reposts) holding every word, each compared after NFKC folding (５Ｇ = 5G)."""
    words = [unicodedata.normalize("NFKC", w) for w in query.split()]
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT detail_id, title, summary, body FROM articles WHERE duplicate_of IS NULL").fetchall()
    conn.close()
    text = {i: unicodedata.normalize("NFKC", " ".join(t or "" for t in texts)) for i, *texts in rows}
    return {i for i, t in text.items() if all(w in t for w in words)}


def cli_ids(db, query):
    result = parknews("search", "--db", str(db), "--all", "--json", "--", query)
    assert result.returncode == 0, result.stderr
    meta, *hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert meta["total"] == len(hits)
    return {h["detail_id"] for h in hits}


@pytest.mark.parametrize("query", QUERIES)
def test_search_box_stored_query_and_cli_find_the_same_articles(served, query):
    db, datasette = served
    cli = cli_ids(db, query)
    table = get(datasette, f"/archive/articles.json?_search={quote(query)}&_shape=array&_size=max").json()
    stored = get(datasette, f"/archive/search_by_keyword.json?q={quote(query)}&_shape=array").json()
    assert {r["detail_id"] for r in table} == cli == {r["detail_id"] for r in stored}
    assert all(r["total"] == len(stored) for r in stored)
    if " OR " not in query and "-" not in query and "not" not in query and '"' not in query:
        assert cli == oracle(db, query), query  # and they are the right ones
    assert cli or query == "光谷新材料"  # the words apart, never together


def test_the_odd_texts_are_found_in_every_form(served):
    db, _ = served
    assert cli_ids(db, "５Ｇ基站") == cli_ids(db, "5G基站") == cli_ids(db, "5g基站") != set()
    assert len(cli_ids(db, "𠮷野家")) == 1
    assert cli_ids(db, "光谷 新材料") and not cli_ids(db, "光谷新材料")  # two words, not a phrase


def test_a_malformed_search_is_a_400_saying_why(served):
    _, datasette = served
    response = get(datasette, f"/archive/articles?_search={quote('光谷 OR')}", status=400)
    assert "needs a word" in response.text
    assert get(datasette, "/archive/articles.json?_search=&_shape=array").json() == []  # an empty box: no error


@pytest.mark.parametrize("query", ["OR", "光谷 OR", "NOT"])
def test_a_malformed_stored_query_is_a_400_saying_why(served, query):
    from archive.errors import UsageError
    from archive.search import sql_match

    _, datasette = served
    with pytest.raises(UsageError) as why:
        sql_match(query)
    page = get(datasette, f"/archive/search_by_keyword?q={quote(query)}", status=400)
    assert str(why.value) in page.text.replace("&#x27;", "'").replace("&quot;", '"')
    assert "user-defined function" not in page.text
    data = get(datasette, f"/archive/search_by_keyword.json?q={quote(query)}", status=400).json()
    assert data["error"] == str(why.value)
    assert get(datasette, "/archive/search_by_keyword.json?q=&_shape=array").json() == []  # empty: no error


def test_index_goes_to_the_archive_with_articles_first_and_internals_hidden(served):
    _, datasette = served
    assert get(datasette, "/", status=302).headers["location"] == "/archive"
    page = get(datasette, "/archive").text
    listed = [chunk.split('"')[0] for chunk in page.split('<h3><a href="/archive/')[1:]]
    assert listed[0] == "articles"
    assert not {"repost_bands", "repost_signatures", "captures", "capture_bodies"} & set(listed)
    assert "parknews.css" in page and get(datasette, "/-/parknews.css").headers["content-type"].startswith("text/css")


def test_facets_leave_reposts_out_unless_asked(served):
    db, datasette = served
    conn = sqlite3.connect(db)
    reposts = conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0]
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    assert reposts
    table = get(datasette, "/archive/articles.json?_facet=city&_size=0").json()
    assert table["filtered_table_rows_count"] == total - reposts
    facet_total = sum(f["count"] for f in table["facet_results"]["city"]["results"])
    stats = parknews("stats", "--db", str(db), "--by", "city", "--json")
    by_city = {row["city"]: row["articles"] for row in map(json.loads, stats.stdout.splitlines())}
    assert {f["value"]: f["count"] for f in table["facet_results"]["city"]["results"]}.items() <= by_city.items()
    assert facet_total <= total - reposts
    everything = get(datasette, "/archive/articles.json?_facet=city&_size=0&_reposts=1").json()
    assert everything["filtered_table_rows_count"] == total


def test_table_view_cuts_the_body_and_the_row_page_reads_as_an_article(served, research_archive):
    db, datasette = served
    conn = sqlite3.connect(db)
    detail_id, title, body = conn.execute(
        "SELECT detail_id, title, body FROM articles WHERE duplicate_of IS NULL ORDER BY length(body) DESC"
    ).fetchone()
    conn.close()
    table = get(datasette, "/archive/articles?_size=50").text
    assert body[:200] not in table  # cut in the table view
    page = get(datasette, f"/archive/articles/{detail_id}").text
    assert f"<h2>{title}</h2>" in page and 'class="parknews-body"' in page
    assert body[:2000] in page and body[-200:] in page  # the whole body, as text


def test_stored_monthly_counts_agree_with_stats(served):
    db, datasette = served
    rows = get(datasette, "/archive/monthly_counts_by_region.json?_shape=array&_size=max").json()
    by_place: dict[str, int] = {}
    for row in rows:
        by_place[row["place"]] = by_place.get(row["place"], 0) + row["articles"]
    stats = parknews("stats", "--db", str(db), "--by", "place", "--json")
    assert by_place == {r["place"]: r["articles"] for r in map(json.loads, stats.stdout.splitlines())}
