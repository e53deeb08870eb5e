"""Exporting articles to CSV, JSON lines, Excel, Stata or Parquet, written whole or not at all.

CSV and JSON lines are streamed (to a file, or ``-`` standard output); the typed formats are
written by ``archive.writers``; every file goes through ``archive.outfile`` (temporary file,
rename, umask, signals, stale leftovers).

CSV is the bulk path (a million articles is 3 GB), so its cells leave SQLite as UTF-8 bytes,
never decoded to str and encoded back, and are assembled a chunk of rows at a time by C-level
joins and replaces rather than by a Python call per cell. Every cell is quoted, which keeps
that assembly one pass; csv, pandas, R, Stata and Excel read quoted numbers as numbers.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

import sqlite_utils

from archive.errors import UsageError
from archive.facts import export_source
from archive.outfile import STDOUT, output_file
from archive.where import where_clause

FORMATS = ("csv", "jsonl", "xlsx", "dta", "parquet")
STREAMED = ("csv", "jsonl")  # written front to back: to standard output, a pipe or a device
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx", ".dta": "dta", ".parquet": "parquet"}
CHUNK_ROWS = 5000  # rows handed to the xlsx, dta and Parquet writers at a time
# Rows assembled and written at a time by CSV and JSON lines: ~100 KB of synthetic articles,
# below glibc malloc's 128 KB mmap threshold, so each chunk's buffers come from the heap and
# are reused; 5,000-row (15 MB) buffers were mapped and unmapped every time, a page fault
# per 4 KB: twice the system time, 0.5× the sqlite3 shell's rate instead of ≥ 1× (bench_export.py).
STREAM_CHUNK_ROWS = 32
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START_SQL = "('=', '+', '-', '@', char(9), char(13))"
# Bytes that never occur in UTF-8: they mark cell and row breaks until the quoting is done.
_CELL_BREAK, _ROW_BREAK = b"\xff", b"\xfe"
# No memory map for the export's reads: the pages of a mapped archive count in the process's
# resident memory (965 MB peak exporting 200,000 articles); read() calls cost no more here.
_MMAP_BYTES = 0


def article_rows(
    db: sqlite_utils.Database,
    *,
    where: str | None = None,
    include_duplicates: bool = False,
    fmt: str = "csv",
    excel: bool = False,
) -> tuple[list[str], Iterator[tuple], int]:
    """Columns, a row cursor and the row count of the selected articles, for ``write_export``.

    For JSON lines each row is one cell, the JSON object as UTF-8 bytes. For CSV each cell
    arrives as UTF-8 bytes, NULL as empty, and with ``excel`` a text cell
    that a spreadsheet would run as a formula is prefixed with a quote. ``where`` is an SQL
    condition on articles columns; run it on a read-only connection. Errors in it (unknown
    column, syntax) surface here, before any file is opened.
    """
    db.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    where = where_clause(db, where)  # one condition on articles columns, or UsageError
    try:
        # The count may use the duplicate_of index; the rows are read in rowid order ("+").
        total = db.execute(f"SELECT count(*) FROM articles{_where(where, include_duplicates)}").fetchone()[0]
        clause = _where(where, include_duplicates, reposts_by_index=False)
        source = export_source(db)  # articles with their money summaries (archive/facts.py)
        columns = [column[0] for column in db.execute(f"SELECT * FROM {source}{clause} LIMIT 0").description]
        if fmt == "csv":
            cells = ", ".join(_csv_cell(column, excel) for column in columns)
        elif fmt == "jsonl":
            cells = _json_line(columns)
        else:
            cells = "*"
        cursor = db.execute(f"SELECT {cells} FROM {source}{clause} ORDER BY detail_id")
    except sqlite3.Error as exc:
        raise UsageError(f"cannot read the articles: {exc}") from None
    return columns, cursor, total


def format_for(output: str, fmt: str | None) -> str:
    """The export format: ``fmt``, or the one the output's extension names.

    ``-`` (standard output), and an existing device or FIFO without a known extension
    (``/dev/null``), are CSV unless ``fmt`` says otherwise. A known extension that
    disagrees with ``fmt``, or an unknown extension without ``fmt``, raises UsageError.
    """
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if output == STDOUT:
        return fmt or "csv"
    suffix = Path(output).suffix.lower()
    named = EXTENSIONS.get(suffix)
    if fmt is None:
        if named is None and _is_device(output):
            return "csv"  # /dev/null, a FIFO, /dev/stdout: written through, as CSV (as for -o -)
        if named is None:
            known = ", ".join(sorted(EXTENSIONS))
            raise UsageError(f"cannot tell the format of {output} from its extension ({known}); add --format")
        return named
    if named is not None and named != fmt:
        raise UsageError(f"{output} names the {named} format but --format is {fmt}; make them agree")
    return fmt


def _is_device(output: str) -> bool:
    try:
        mode = os.stat(output).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def write_export(
    target: str | os.PathLike,
    columns: list[str],
    rows: Iterable[tuple],
    *,
    fmt: str = "csv",
    excel: bool = False,
    total: int | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` to ``target`` whole or not at all (``archive.outfile``); return the count.

    CSV rows are cells of UTF-8 bytes, JSON lines rows one cell, the object as UTF-8 bytes
    (as ``article_rows`` selects them); the file is UTF-8
    with LF line ends, and ``excel`` adds a BOM and CRLF so that Excel opens Chinese text
    correctly. JSON lines keep Chinese unescaped. xlsx, dta and parquet are written by
    ``archive.writers``. ``on_rows(n)`` is told of every ``CHUNK_ROWS`` rows written (a
    progress bar, say); ``total`` is the row count (Excel refuses more than a sheet holds).
    ``target`` ``-`` is standard output (CSV and JSON lines only).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if excel and fmt != "csv":
        raise UsageError("--excel applies to CSV only (an .xlsx export is already for Excel)")
    target = str(target)
    with output_file(target, streams=fmt in STREAMED, what=f"the {fmt} export") as out:
        if fmt in STREAMED:
            return _write_stream(out.stream, columns, rows, fmt=fmt, excel=excel, on_rows=on_rows)
        from archive import writers

        writer = {"xlsx": writers.write_xlsx, "dta": writers.write_dta, "parquet": writers.write_parquet}[fmt]
        rows = list(rows) if total is None else rows
        return writer(out.path, columns, _chunks(rows), total=len(rows) if total is None else total, on_rows=on_rows,
                      scratch=out.scratch)


def _write_stream(handle, columns, rows, *, fmt, excel, on_rows) -> int:
    newline = b"\r\n" if excel else b"\n"
    count = 0
    if fmt == "csv":
        handle.write((b"\xef\xbb\xbf" if excel else b"") + csv_lines([[c.encode() for c in columns]], newline))
    for chunk in _chunks(rows, STREAM_CHUNK_ROWS):
        if fmt == "csv":
            handle.write(csv_lines(chunk, newline))
        else:
            handle.write(b"\n".join([row[0] for row in chunk]) + b"\n")
        count += len(chunk)
        if on_rows:
            on_rows(len(chunk))
    return count


def csv_lines(rows: list[tuple[bytes, ...]], newline: bytes = b"\n") -> bytes:
    """``rows`` of UTF-8 cells as CSV lines, every cell quoted."""
    row_break = b'"' + newline + b'"'
    text = row_break.join([b'","'.join(row) for row in rows])
    # No cell holds a quote (the usual case) when the text has only the quotes just added.
    if text.count(b'"') != 2 * len(rows) * len(rows[0]) - 2:
        text = _ROW_BREAK.join([_CELL_BREAK.join(row) for row in rows]).replace(b'"', b'""')
        text = text.replace(_CELL_BREAK, b'","').replace(_ROW_BREAK, row_break)
    return b'"' + text + b'"' + newline


def _where(where: str | None, include_duplicates: bool, *, reposts_by_index: bool = True) -> str:
    conditions = [where] if where else []  # already wrapped by where_clause
    if not include_duplicates:
        conditions.append("duplicate_of IS NULL" if reposts_by_index else "+duplicate_of IS NULL")
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _json_line(columns: list[str]) -> str:
    """The SQL for a row as one JSON object, UTF-8 bytes: SQLite's json_object writes what
    json.dumps(ensure_ascii=False) does (Chinese unescaped, control characters escaped), in
    C, without separating spaces: JSON lines at the sqlite3 shell's CSV rate, not half of it."""
    pairs = ", ".join("'{}', \"{}\"".format(column.replace("'", "''"), column.replace('"', '""')) for column in columns)
    return f"CAST(json_object({pairs}) AS BLOB)"


def _csv_cell(column: str, excel: bool) -> str:
    """The SQL for one CSV cell: the value as UTF-8 bytes (CAST to BLOB does not convert)."""
    value = '"{}"'.format(column.replace('"', '""'))
    if excel:
        value = (
            f"CASE WHEN typeof({value}) = 'text' AND substr({value}, 1, 1) IN {_FORMULA_START_SQL} "
            f"THEN '''' || {value} ELSE {value} END"
        )
    return f"CAST(coalesce({value}, '') AS BLOB)"


def _chunks(rows: Iterable[tuple], size: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk
