"""Exporting articles to CSV or JSON lines, streamed, and written whole or not at all.

CSV is the bulk path (a million articles is 3 GB), so its cells leave SQLite as UTF-8 bytes,
never decoded to str and encoded back, and are assembled a chunk of rows at a time by C-level
joins and replaces rather than by a Python call per cell. Every cell is quoted, which keeps
that assembly one pass; csv, pandas, R, Stata and Excel read quoted numbers as numbers.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

import sqlite_utils

from archive.errors import UsageError
from archive.facts import export_source

FORMATS = ("csv", "jsonl")
CHUNK_ROWS = 5000  # rows assembled, written and reported at a time
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START_SQL = "('=', '+', '-', '@', char(9), char(13))"
# Bytes that never occur in UTF-8: they mark cell and row breaks until the quoting is done.
_CELL_BREAK, _ROW_BREAK = b"\xff", b"\xfe"
# Reads through a memory map: a third faster than page-sized read() calls on a large archive.
_MMAP_BYTES = 1 << 34  # SQLite caps it at its compile-time limit (2 GB here)


def article_rows(
    db: sqlite_utils.Database,
    *,
    where: str | None = None,
    include_duplicates: bool = False,
    fmt: str = "csv",
    excel: bool = False,
) -> tuple[list[str], Iterator[tuple], int]:
    """Columns, a row cursor and the row count of the selected articles, for ``write_export``.

    For CSV each cell arrives as UTF-8 bytes, NULL as empty, and with ``excel`` a text cell
    that a spreadsheet would run as a formula is prefixed with a quote. ``where`` is an SQL
    condition on articles columns; run it on a read-only connection. Errors in it (unknown
    column, syntax) surface here, before any file is opened.
    """
    db.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    try:
        # The count may use the duplicate_of index; the rows are read in rowid order ("+").
        total = db.execute(f"SELECT count(*) FROM articles{_where(where, include_duplicates)}").fetchone()[0]
        clause = _where(where, include_duplicates, reposts_by_index=False)
        source = export_source(db)  # articles with their money summaries (archive/facts.py)
        columns = [column[0] for column in db.execute(f"SELECT * FROM {source}{clause} LIMIT 0").description]
        cells = ", ".join(_csv_cell(column, excel) for column in columns) if fmt == "csv" else "*"
        cursor = db.execute(f"SELECT {cells} FROM {source}{clause} ORDER BY detail_id")
    except sqlite3.Error as exc:
        raise UsageError(f"--where {where!r}: {exc}") from None
    return columns, cursor, total


def write_export(
    path: str | os.PathLike,
    columns: list[str],
    rows: Iterable[tuple],
    *,
    fmt: str = "csv",
    excel: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Write ``rows`` to ``path`` through a temporary file renamed at the end; return the count.

    CSV rows are cells of UTF-8 bytes (as ``article_rows`` selects them); the file is UTF-8
    with LF line ends, and ``excel`` adds a BOM and CRLF so that Excel opens Chinese text
    correctly. JSON lines keep Chinese unescaped. ``on_rows(n)`` is told of every
    ``CHUNK_ROWS`` rows written (a progress bar, say).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if excel and fmt != "csv":
        raise UsageError("--excel applies to CSV only")
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file name for the export")
    try:
        handle = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    newline = b"\r\n" if excel else b"\n"
    encode_json = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    try:
        with handle:
            if fmt == "csv":
                handle.write((b"\xef\xbb\xbf" if excel else b"") + csv_lines([[c.encode() for c in columns]], newline))
            for chunk in _chunks(rows):
                if fmt == "csv":
                    handle.write(csv_lines(chunk, newline))
                else:
                    handle.write("".join(encode_json(dict(zip(columns, row))) + "\n" for row in chunk).encode())
                count += len(chunk)
                if on_rows:
                    on_rows(len(chunk))
        os.replace(handle.name, path)
    except OSError as exc:  # disk full, path gone: leave nothing behind
        os.unlink(handle.name)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        os.unlink(handle.name)
        raise
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
    conditions = [f"({where})"] if where else []
    if not include_duplicates:
        conditions.append("duplicate_of IS NULL" if reposts_by_index else "+duplicate_of IS NULL")
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _csv_cell(column: str, excel: bool) -> str:
    """The SQL for one CSV cell: the value as UTF-8 bytes (CAST to BLOB does not convert)."""
    value = '"{}"'.format(column.replace('"', '""'))
    if excel:
        value = (
            f"CASE WHEN typeof({value}) = 'text' AND substr({value}, 1, 1) IN {_FORMULA_START_SQL} "
            f"THEN '''' || {value} ELSE {value} END"
        )
    return f"CAST(coalesce({value}, '') AS BLOB)"


def _chunks(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield chunk
