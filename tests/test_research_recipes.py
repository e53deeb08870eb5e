"""The README's "For researchers" recipes, run as written on a crawled archive: the shell lines,
the Python blocks (pandas, DuckDB), and what the Stata and R lines read, checked from Python."""

from __future__ import annotations

import csv
import re
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.crawling import parknews

README = Path(__file__).resolve().parent.parent / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### For researchers")
    end = text.index("\n## ", start)
    return text[start:end]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.S)


@pytest.fixture(scope="module")
def workdir(research_archive, tmp_path_factory):
    """A folder holding news.db (the crawled archive) and the exports the README's shell lines make."""
    _, db = research_archive
    folder = tmp_path_factory.mktemp("recipes")
    shutil.copy(db, folder / "news.db")
    (shell,) = blocks("sh")
    lines = [line.split("#")[0].strip() for line in shell.splitlines() if line.strip()]
    assert len(lines) == 4
    for line in lines:
        words = shlex.split(line)
        assert words[0] == "parknews"
        args = [str(folder / w) if w in ("news.db",) or w.startswith("articles.") else w for w in words[1:]]
        result = parknews(*args)
        assert result.returncode == 0, (line, result.stderr)
    return folder


def originals(folder):
    conn = sqlite3.connect(folder / "news.db")
    try:
        return conn.execute("SELECT detail_id, city, published_date FROM articles WHERE duplicate_of IS NULL").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("index", [0, 1])
def test_python_recipes_run_as_written(workdir, index, monkeypatch):
    pytest.importorskip("pandas")
    pytest.importorskip("duckdb")
    python = blocks("python")
    assert len(python) == 2  # pandas, DuckDB
    monkeypatch.chdir(workdir)
    namespace: dict = {}
    exec(compile(python[index], f"README python block {index + 1}", "exec"), namespace)
    rows = originals(workdir)
    if index == 0:
        assert len(namespace["articles"]) == len(rows) == len(namespace["from_archive"])
        assert namespace["per_month"].sum() == len(rows)
        assert len(namespace["wuhan"]) == sum(1 for _, city, _ in rows if city == "武汉市") > 0
    else:
        by_city = dict(namespace["by_city"])
        assert sum(by_city.values()) == len(rows) and by_city["武汉市"] > 0
        assert sum(n for _, n in namespace["by_month"]) == len(rows)


def test_what_the_stata_lines_read(workdir):
    pd = pytest.importorskip("pandas")
    (stata,) = blocks("stata")
    assert "use articles.dta" in stata and "import delimited using articles.csv" in stata
    frame = pd.read_stata(workdir / "articles.dta")
    for variable in re.findall(r"tabulate (\w+) if (\w+)", stata)[0]:
        assert variable in frame.columns
    assert str(frame["published_date"].dtype).startswith("datetime64")  # td(...) compares with it
    with pd.io.stata.StataReader(workdir / "articles.dta") as reader:
        assert all(reader.variable_labels().values())  # describe shows what each holds
    with open(workdir / "articles.csv", encoding="utf-8", newline="") as handle:  # encoding(utf-8), varnames(1)
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(originals(workdir)) and any("\n" in r["body"] for r in rows)  # bindquote(strict)


def test_what_the_r_lines_read(workdir):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    (r,) = blocks("r")
    assert 'read_parquet("articles.parquet")' in r
    schema = pq.read_schema(workdir / "articles.parquet")
    assert schema.field("published_date").type == pa.date32() and schema.field("detail_id").type == pa.int64()
    assert "city" in schema.names


def test_the_excel_file_the_readme_describes(workdir):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(workdir / "articles.xlsx", read_only=True)
    assert workbook.sheetnames == ["articles", "columns"]
    header = next(workbook["articles"].iter_rows(values_only=True))
    assert "body_truncated" in header
