"""parknews serve: Datasette with the shipped metadata; its stored queries answer through its client."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from archive.serve import METADATA_PATH, metadata_for


def stored_query(name: str) -> str:
    (section,) = metadata_for("archive.db")["databases"].values()
    return section["queries"][name]["sql"]


@pytest.mark.parametrize("word", ["融资", "光谷", "融资环境", "新能源汽车", "汉"])
def test_keyword_query_with_the_plugin_functions_matches_the_search_command(archive_path, containing, word):
    pytest.importorskip("datasette")
    from archive.datasette import prepare_connection

    conn = sqlite3.connect(archive_path)  # no extension: two Python functions
    prepare_connection(conn)
    rows = conn.execute(stored_query("search_by_keyword"), {"q": word}).fetchall()
    assert {row[0] for row in rows} == containing(word)
    assert all(row[-1] == len(rows) for row in rows)  # the total, on every row


def test_metadata_documents_every_article_column(archive_path):
    from archive.schema import GENERATED_COLUMNS, TABLES

    (section,) = metadata_for(archive_path)["databases"].values()
    columns = set(TABLES["articles"]["columns"]) | set(GENERATED_COLUMNS["articles"])
    assert set(section["tables"]["articles"]["columns"]) == columns
    assert METADATA_PATH.is_file()


def test_datasette_answers_its_stored_queries(archive_path, containing):
    pytest.importorskip("datasette")
    from archive.serve import make_datasette

    datasette = make_datasette(archive_path)

    async def get(path):
        response = await datasette.client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    found = asyncio.run(get("/archive/search_by_keyword.json?q=光谷&_shape=array"))
    assert {row["detail_id"] for row in found} == containing("光谷")
    assert all("[光谷]" in row["snippet"] for row in found)
    monthly = asyncio.run(get("/archive/articles_by_region_and_month.json?region=宜昌&month=2024-04&_shape=array"))
    assert monthly and all(row["place"] == "宜昌市" and row["date"].startswith("2024-04") for row in monthly)
    table = asyncio.run(get("/archive/articles.json?_facet=city&_size=1"))
    assert {f["value"] for f in table["facet_results"]["city"]["results"]} >= {"武汉市", "宜昌市"}


def test_serve_without_datasette_says_how_to_install(run_cli, archive_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "datasette.app", None)  # import fails as if not installed
    code, _, err = run_cli("serve", "--db", archive_path)
    assert code == 2 and "pip install -e '.[web]'" in err
