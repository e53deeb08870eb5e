"""Exporting articles to CSV or JSON lines, streamed, and written whole or not at all."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TextIO

import sqlite_utils

from archive.errors import UsageError

FORMATS = ("csv", "jsonl")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Rows are written and reported in chunks: a Python call per row would cost more than the row.
CHUNK_ROWS = 5000


def article_rows(
    db: sqlite_utils.Database, *, where: str | None = None, include_duplicates: bool = False
) -> tuple[list[str], Iterator[tuple], int | None]:
    """Columns, a row cursor and (if cheap to know) the row count of the selected articles.

    ``where`` is an SQL condition on articles columns; run it on a read-only connection.
    Errors in it (unknown column, syntax) surface here, before any file is opened.
    """
    conditions = [f"({where})"] if where else []
    if not include_duplicates:
        # "+": read the table in rowid order rather than through the duplicate_of index.
        conditions.append("+duplicate_of IS NULL")
    clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    try:
        cursor = db.execute(f"SELECT * FROM articles{clause} ORDER BY detail_id")
        total = db.execute(f"SELECT count(*) FROM articles{clause}").fetchone()[0]
    except sqlite3.Error as exc:
        raise UsageError(f"--where {where!r}: {exc}") from None
    return [column[0] for column in cursor.description], cursor, total


def excel_safe(value: object) -> object:
    """Neutralise a text cell a spreadsheet would run as a formula by prefixing a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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

    CSV is UTF-8 with LF line ends; ``excel`` adds a BOM, CRLF and formula neutralising so
    that Excel opens Chinese text correctly and safely. JSON lines keep Chinese unescaped.
    ``on_rows(n)`` is told of every ``CHUNK_ROWS`` rows written (a progress bar, say).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if excel and fmt != "csv":
        raise UsageError("--excel applies to CSV only")
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a directory; give a file name for the export")
    try:
        handle = tempfile.NamedTemporaryFile(
            "w", dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False,
            encoding="utf-8-sig" if excel else "utf-8", newline="",
        )
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    count = 0
    try:
        with handle:
            write_chunk = _csv_chunk_writer(handle, columns, excel) if fmt == "csv" else _jsonl_chunk_writer(handle, columns)
            for chunk in _chunks(rows):
                write_chunk(chunk)
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


def _csv_chunk_writer(handle: TextIO, columns: list[str], excel: bool) -> Callable[[list[tuple]], None]:
    writer = csv.writer(handle, lineterminator="\r\n" if excel else "\n")
    writer.writerow(columns)
    if not excel:
        return writer.writerows

    def write_neutralised(chunk: list[tuple]) -> None:
        writer.writerows([map(excel_safe, row) for row in chunk])

    return write_neutralised


def _jsonl_chunk_writer(handle: TextIO, columns: list[str]) -> Callable[[list[tuple]], None]:
    encode = json.JSONEncoder(ensure_ascii=False).encode

    def write(chunk: list[tuple]) -> None:
        handle.write("".join(encode(dict(zip(columns, row))) + "\n" for row in chunk))

    return write


def _chunks(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        yield chunk
