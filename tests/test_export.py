"""parknews export: CSV (plain and for Excel) and JSON lines, streamed, all or nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest


def export(run_cli, archive_path, out, *args):
    code, _, err = run_cli("export", "--db", archive_path, "-o", str(out), *args)
    assert code == 0, err
    return out


def test_csv_reads_back_with_the_chinese_text(run_cli, archive_path, archive_articles, tmp_path):
    out = export(run_cli, archive_path, tmp_path / "a.csv")
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and not raw.split(b"\n")[0].endswith(b"\r")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    originals = {a["detail_id"]: a for a in archive_articles if a["duplicate_of"] is None}
    assert [int(r["detail_id"]) for r in rows] == sorted(originals)
    for row in rows:
        article = originals[int(row["detail_id"])]
        assert (row["title"], row["body"], row["city"]) == (article["title"], article["body"], article["city"] or "")


def test_excel_csv_has_bom_crlf_and_no_formulas(run_cli, archive_path, archive_articles, tmp_path):
    out = export(run_cli, archive_path, tmp_path / "a.csv", "--excel")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\n")[0].endswith(b"\r")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {int(r["detail_id"]): r for r in csv.DictReader(handle)}
    formula, minus = archive_articles[10], archive_articles[11]
    assert rows[formula["detail_id"]]["summary"] == "'" + formula["summary"]
    assert rows[minus["detail_id"]]["source"] == "'-2%"
    assert not any(v.startswith(("=", "+", "-", "@")) for row in rows.values() for v in row.values())


def test_jsonl_where_and_duplicates(run_cli, archive_path, archive_articles, tmp_path):
    out = export(run_cli, archive_path, tmp_path / "a.jsonl", "--format", "jsonl", "--where", "city = '宜昌市'")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["detail_id"] for r in rows} == {a["detail_id"] for a in archive_articles if a["city"] == "宜昌市"}
    assert "宜昌" in out.read_text(encoding="utf-8")  # not \u-escaped
    everything = export(run_cli, archive_path, tmp_path / "b.jsonl", "--format", "jsonl", "--include-duplicates")
    assert len(everything.read_text(encoding="utf-8").splitlines()) == len(archive_articles)


@pytest.mark.parametrize("where", ["no_such_column = 1", "city = ", "1; DELETE FROM articles"])
def test_bad_where_exits_2_and_writes_nothing(run_cli, archive_path, tmp_path, where):
    out = tmp_path / "a.csv"
    code, _, err = run_cli("export", "--db", archive_path, "-o", str(out), "--where", where)
    assert code == 2 and "--where" in err
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_exits_2(run_cli, archive_path, tmp_path):
    code, _, err = run_cli("export", "--db", archive_path, "-o", str(tmp_path / "missing" / "a.csv"))
    assert code == 2 and "cannot write" in err
    assert run_cli("export", "--db", archive_path, "-o", str(tmp_path), "--format", "jsonl")[0] == 2


def test_failed_export_leaves_no_file(tmp_path):
    from archive.export import write_export

    def rows():
        yield (b"1", "光谷".encode())
        raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError):
        write_export(tmp_path / "a.csv", ["detail_id", "title"], rows())
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported_in_chunks(tmp_path, monkeypatch):
    from archive import export

    monkeypatch.setattr(export, "STREAM_CHUNK_ROWS", 4)  # CSV and JSON lines
    reported = []
    rows = [(str(number).encode(), f'标题"{number}",\n'.encode()) for number in range(10)]
    count = export.write_export(tmp_path / "a.csv", ["detail_id", "title"], iter(rows), on_rows=reported.append)
    assert count == 10 and reported == [4, 4, 2]
    with (tmp_path / "a.csv").open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [["detail_id", "title"]] + [[n.decode(), t.decode()] for n, t in rows]


@pytest.mark.parametrize("cells", [("1", "光谷", ""), ("2", 'say "融资"', "a,b\r\nc"), ("3", '"', '""')])
def test_csv_lines_read_back_as_written(cells):
    from archive.export import csv_lines

    rows = [tuple(c.encode() for c in cells), (b"4", "汉阳".encode(), b"-")]
    text = csv_lines(rows, b"\r\n").decode()
    assert text.endswith("\r\n") and list(csv.reader(io.StringIO(text, newline=""))) == [list(cells), ["4", "汉阳", "-"]]
