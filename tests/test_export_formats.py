"""parknews export to xlsx, dta and parquet (and csv/jsonl to stdout), read back with the readers
researchers use, every value of every column compared with ``SELECT * FROM articles`` (with the
money summaries export adds, from ``article_money``) of an archive crawled from the replay
(Chinese text, NULLs, dates, amounts, a body over Excel's cell limit)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest

from archive.columns import ARTICLE_COLUMNS, column
from archive.schema import GENERATED_COLUMNS, TABLES
from tests.conftest import LONG_BODY_CHARS, ODD_TEXTS
from tests.crawling import parknews

BEIJING = timezone(timedelta(hours=8))
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def archive_rows(db, include_duplicates=False):
    conn = sqlite3.connect(db)
    try:
        where = "" if include_duplicates else " WHERE duplicate_of IS NULL"
        cursor = conn.execute(f"SELECT * FROM articles LEFT JOIN article_money USING (detail_id){where} ORDER BY detail_id")
        columns = [c[0] for c in cursor.description]
        return columns, [dict(zip(columns, row)) for row in cursor]
    finally:
        conn.close()


def export(db, out, *extra):
    result = parknews("export", "--db", str(db), "-o", str(out), *extra)
    assert result.returncode == 0, result.stderr
    return out


def wall_clock(value, kind):
    moment = datetime.fromisoformat(value)
    return moment.astimezone(BEIJING if kind == "local_ts" else timezone.utc).replace(tzinfo=None)


def test_every_article_column_is_documented_with_a_short_label():
    columns = set(TABLES["articles"]["columns"]) | set(GENERATED_COLUMNS["articles"])
    assert set(ARTICLE_COLUMNS) == columns
    assert all(0 < len(c.label) <= 80 and c.doc for c in ARTICLE_COLUMNS.values())
    from archive.columns import MONEY_COLUMNS
    from archive.facts import SUMMARY_COLUMNS

    assert list(MONEY_COLUMNS) == list(SUMMARY_COLUMNS)  # what export adds is documented too
    assert all(0 < len(c.label) <= 80 and c.doc for c in MONEY_COLUMNS.values())


def test_the_archive_holds_the_cases(research_archive):
    _, db = research_archive
    _, rows = archive_rows(db)
    assert max(len(r["body"]) for r in rows) > LONG_BODY_CHARS > 32_767
    assert any(r["investment_max_cny"] is not None for r in rows)  # amounts, as floats, come along
    assert any(r["contract_sum_cny"] is None for r in rows)
    assert any(r[c] is None for r in rows for c in ("source", "published_at", "region_tag"))
    assert all(r["duplicate_of"] is None for r in rows)  # an all-NULL column, as exported by default
    bodies = "".join(r["body"] for r in rows)
    assert all(text in bodies for text in ODD_TEXTS.values())


def test_xlsx_reads_back_cell_for_cell(research_archive, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    _, db = research_archive
    columns, rows = archive_rows(db)
    workbook = openpyxl.load_workbook(export(db, tmp_path / "a.xlsx"), read_only=True)
    sheet = workbook["articles"]
    header, *cells = list(sheet.iter_rows(values_only=True))
    assert list(header) == columns + ["body_truncated"]
    assert len(cells) == len(rows)
    truncated = 0
    for row, got in zip(rows, cells):
        got = dict(zip(header, got))
        for name in columns:
            value, cell, kind = row[name], got[name], column(name).kind
            if value is None or value == "":
                assert cell is None, (name, cell)
            elif kind in ("int", "real"):
                assert cell == value
            elif kind == "date":
                assert isinstance(cell, datetime) and cell.date() == date.fromisoformat(value)
            elif kind in ("local_ts", "utc_ts"):
                assert abs(cell - wall_clock(value, kind)) < timedelta(milliseconds=1), (name, value, cell)
            elif len(value) > 32_767:
                assert len(cell) <= 32_767 and "truncated" in cell[-120:]
                kept = cell[: cell.rindex("…[truncated")]
                assert value.startswith(kept) and len(kept) > 30_000
            else:
                assert cell == XML_ILLEGAL.sub("", value), name
        assert got["body_truncated"] is (len(row["body"]) > 32_767)
        truncated += got["body_truncated"]
    assert truncated == 1
    docs = list(workbook["columns"].iter_rows(values_only=True))
    assert [d[0] for d in docs[1:]] == list(header) and all(d[2] for d in docs[1:])
    assert openpyxl.load_workbook(tmp_path / "a.xlsx")["articles"].freeze_panes == "A2"


def test_dta_reads_back_in_pandas_with_labels_and_dates(research_archive, tmp_path):
    pd = pytest.importorskip("pandas")
    _, db = research_archive
    columns, rows = archive_rows(db)
    out = export(db, tmp_path / "a.dta")
    frame = pd.read_stata(out, convert_missing=False)
    assert list(frame.columns) == columns and len(frame) == len(rows)
    with pd.io.stata.StataReader(out) as reader:
        labels = reader.variable_labels()
        assert reader.format_version == 118 if hasattr(reader, "format_version") else True
    assert labels == {name: column(name).label for name in columns}
    for row, got in zip(rows, frame.to_dict("records")):
        for name in columns:
            value, cell, kind = row[name], got[name], column(name).kind
            if kind == "text":
                assert cell == (value or ""), name
            elif value is None:
                assert cell is None or pd.isna(cell), (name, cell)
            elif kind in ("int", "real"):
                assert cell == value
            elif kind == "date":
                assert cell.date() == date.fromisoformat(value)
            else:
                assert abs(cell.to_pydatetime() - wall_clock(value, kind)) < timedelta(milliseconds=1)
    assert frame["duplicate_of"].isna().all()  # the all-NULL column is there
    assert max(frame["body"].str.len()) > LONG_BODY_CHARS  # a strL, whole


def test_parquet_reads_back_typed(research_archive, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    _, db = research_archive
    columns, rows = archive_rows(db, include_duplicates=True)
    table = pq.read_table(export(db, tmp_path / "a.parquet", "--include-duplicates"))
    assert table.column_names == columns and table.num_rows == len(rows)
    assert table.schema.field("detail_id").type == pa.int64()
    assert table.schema.field("published_date").type == pa.date32()
    assert pa.types.is_timestamp(table.schema.field("fetched_at").type)
    for row, got in zip(rows, table.to_pylist()):
        for name in columns:
            value, cell, kind = row[name], got[name], column(name).kind
            if value is None or kind in ("int", "real", "text"):
                assert cell == value, name
            elif kind == "date":
                assert cell == date.fromisoformat(value)
            else:
                assert cell == datetime.fromisoformat(value), (name, value, cell)
    assert any(r["duplicate_of"] is not None for r in rows)  # reposts came along, ids as ints


def test_csv_and_jsonl_to_standard_output(research_archive):
    _, db = research_archive
    columns, rows = archive_rows(db)
    piped = parknews("export", "--db", str(db), "-o", "-")
    assert piped.returncode == 0, piped.stderr
    got = list(csv.DictReader(io.StringIO(piped.stdout, newline="")))
    assert [int(r["detail_id"]) for r in got] == [r["detail_id"] for r in rows]
    assert all(g["body"] == r["body"] for g, r in zip(got, rows))
    lines = parknews("export", "--db", str(db), "-o", "-", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in lines] == rows


def test_dates_and_nulls_survive_in_pandas_from_parquet(research_archive, tmp_path):
    pd = pytest.importorskip("pandas")
    _, db = research_archive
    frame = pd.read_parquet(export(db, tmp_path / "a.parquet"))
    assert str(frame["detail_id"].dtype) == "int64"
    assert frame["published_date"].map(type).eq(date).all()
    assert frame["source"].isna().any() and frame["duplicate_of"].isna().all()


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "{tmp}/a.txt"], "cannot tell the format"),
        (["-o", "{tmp}/a.xlsx", "--format", "csv"], "names the xlsx format"),
        (["-o", "{tmp}/a.parquet", "--format", "dta"], "names the parquet format"),
        (["-o", "-", "--format", "xlsx"], "standard output"),
        (["-o", "-", "--format", "parquet"], "standard output"),
        (["-o", "{tmp}/a.xlsx", "--excel"], "--excel applies to CSV only"),
        (["-o", "{tmp}", "--format", "xlsx"], "is a directory"),
        (["-o", "{tmp}/missing/a.dta"], "does not exist"),
        (["-o", "/dev/null", "--format", "parquet"], "not a regular file"),
    ],
)
def test_bad_targets_and_formats_one_line_no_file(run_cli, archive_path, tmp_path, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    code, _, err = run_cli("export", "--db", archive_path, *args)
    assert code == 2 and message in err, err
    assert list(tmp_path.iterdir()) == []


def test_dev_null_without_format_is_csv(archive_path, run_cli):
    code, _, err = run_cli("export", "--db", archive_path, "-o", "/dev/null")
    assert code == 0, err


def test_a_replaced_file_keeps_its_mode(archive_path, run_cli, tmp_path):
    import os
    import stat

    out = tmp_path / "kept.csv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    code, _, err = run_cli("export", "--db", archive_path, "-o", str(out))
    assert code == 0, err
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o640 and out.read_text(encoding="utf-8") != "old\n"


def test_device_target_is_written_through_not_replaced(research_archive, tmp_path):
    _, db = research_archive
    fifo = tmp_path / "pipe"
    import os

    os.mkfifo(fifo)
    copy = tmp_path / "copy.jsonl"
    with copy.open("wb") as sink:
        reader = subprocess.Popen(["cat", str(fifo)], stdout=sink)
        result = parknews("export", "--db", str(db), "-o", str(fifo), "--format", "jsonl", timeout=60)
        reader.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    assert len(copy.read_bytes().splitlines()) == len(archive_rows(db)[1])
    assert fifo.is_fifo()  # still the FIFO, not a regular file renamed over it


@pytest.mark.parametrize("fmt, ok", [("csv", True), ("jsonl", True), ("xlsx", False), ("parquet", False)])
def test_dev_stdout_is_written_through_or_refused_never_replaced(archive_path, tmp_path, fmt, ok):
    out = tmp_path / "shell.out"
    out.write_bytes(b"already here\n")
    with out.open("ab") as appended:  # as a shell's >> hands it over
        result = subprocess.run([sys.executable, "-m", "cli", "export", "--db", archive_path, "-o", "/dev/stdout",
                                 "--format", fmt], stdout=appended, stderr=subprocess.PIPE, text=True, timeout=120)  # fmt: skip
    data = out.read_bytes()
    assert data.startswith(b"already here\n")  # the shell's file, kept and appended to
    if ok:
        assert result.returncode == 0 and len(data) > 1000
    else:
        assert result.returncode == 2 and data == b"already here\n" and "not a regular file" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shell.out"]


def test_symlink_target_stays_a_symlink(archive_path, run_cli, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, err = run_cli("export", "--db", archive_path, "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith('"detail_id"')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_files_get_the_process_umask(archive_path, tmp_path, umask):
    script = (
        "import os, sys; os.umask(int(sys.argv[1])); sys.argv = ['parknews', *sys.argv[2:]]; "
        "from cli.main import main; main()"
    )
    for name in ("a.csv", "a.parquet"):
        out = tmp_path / name
        result = subprocess.run([sys.executable, "-c", script, str(umask), "export", "--db", archive_path, "-o", str(out)],
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_excel_cells_drop_illegal_characters_and_cut_long_text():
    from archive.writers import EXCEL_CELL_MAX, excel_text

    assert excel_text("光谷\x00\x0b\x1f新\ufffe材料\t\n") == ("光谷新材料\t\n", False)
    long = "𠮷" * 20_000  # 40,000 UTF-16 units
    cut, was_cut = excel_text(long)
    assert was_cut and len(cut.encode("utf-16-le")) // 2 <= EXCEL_CELL_MAX
    assert cut.startswith("𠮷" * 15_000) and "20,000" in cut
    for text in (long, "光" * 10 + "𠮷" * 19_000 + "x" * 5_000):  # one unit: characters, kept and in all
        cut, _ = excel_text(text)
        kept = cut[: cut.rindex("…[truncated")]
        shown, total = re.search(r"([\d,]+) of ([\d,]+) characters", cut).groups()
        assert (int(shown.replace(",", "")), int(total.replace(",", ""))) == (len(kept), len(text))
        assert text.startswith(kept)
    assert excel_text("a" * EXCEL_CELL_MAX) == ("a" * EXCEL_CELL_MAX, False)
    assert math.isclose(len(excel_text("b" * (EXCEL_CELL_MAX + 1))[0]), EXCEL_CELL_MAX, abs_tol=30)
