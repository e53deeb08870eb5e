"""parknews query: read-only SQL, as a table, CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest


def test_query_as_json_and_csv(run_cli, archive_path, archive_articles):
    sql = "SELECT detail_id, title FROM articles WHERE city = '宜昌市' ORDER BY detail_id"
    expected = [(a["detail_id"], a["title"]) for a in archive_articles if a["city"] == "宜昌市"]
    code, out, _ = run_cli("query", sql, "--db", archive_path, "--json")
    assert code == 0
    assert [(r["detail_id"], r["title"]) for r in map(json.loads, out.splitlines())] == expected
    code, out, _ = run_cli("query", sql, "--db", archive_path, "--csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["detail_id", "title"] and [(int(i), t) for i, t in rows[1:]] == expected


def test_query_as_table(run_cli, archive_path):
    code, out, _ = run_cli("query", "SELECT count(*) AS n FROM articles", "--db", archive_path)
    assert code == 0 and "50" in out


@pytest.mark.parametrize(
    "sql",
    ["DELETE FROM articles", "UPDATE articles SET title = 'x'", "CREATE TABLE t(x)", "DROP TABLE crawl_runs",
     "PRAGMA query_only = 0; DELETE FROM articles", "INSERT INTO crawl_runs(id) VALUES (99)"],
)
def test_query_refuses_writes(run_cli, archive_path, sql):
    before = os.path.getmtime(archive_path), os.path.getsize(archive_path)
    code, _, err = run_cli("query", sql, "--db", archive_path)
    assert code == 2 and err and "\n" not in err
    assert (os.path.getmtime(archive_path), os.path.getsize(archive_path)) == before
    assert run_cli("query", "SELECT count(*) FROM articles", "--db", archive_path, "--csv")[1].split()[-1] == "50"


def test_query_creates_no_file_by_attach(run_cli, archive_path, tmp_path):
    code, _, err = run_cli("query", f"ATTACH '{tmp_path / 'new.db'}' AS other", "--db", archive_path)
    assert code == 2 and "ATTACH" in err and list(tmp_path.iterdir()) == []


def test_query_errors_exit_2(run_cli, archive_path):
    code, _, err = run_cli("query", "SELECT nonsense FROM articles", "--db", archive_path)
    assert code == 2 and "no such column" in err
