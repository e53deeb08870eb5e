"""The typed export formats: Excel (.xlsx), Stata (.dta, version 118) and Parquet.

Each writer takes the path to write, the column names, chunks of ``SELECT *`` rows, the row
count, and a private scratch directory for temporary files (``archive.outfile``);
column kinds and documentation come from ``archive.columns``. The libraries (XlsxWriter,
pandas, pyarrow) are in the ``research`` extra and imported only when their format is asked
for. What each format cannot hold is changed visibly, never silently:

* Excel: a cell holds at most 32,767 characters (UTF-16 units). A longer cell is cut and ends
  with ``TRUNCATED_MARK``; the extra column ``body_truncated`` is TRUE for a cut body. Characters
  that XML 1.0 forbids (C0 controls but tab and newlines, U+FFFE/U+FFFF, lone surrogates) are
  removed. URLs stay text (Excel allows 65,530 hyperlinks a sheet). At most 1,048,575 rows.
* Stata: a text column with no value is an empty string (Stata has no missing string); an
  integer column with NULLs is stored as double with Stata's missing ``.``; strings over 2,045
  bytes are ``strL`` (pandas chooses it); dates are ``%td``, times ``%tc`` (wall clock, see
  ``archive.columns``); each variable label is the column's label.
* Parquet: ids int64, dates date32, times timestamp[us] with their zone (UTC or +08:00).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone

from archive.columns import ARTICLE_COLUMNS, MONEY_COLUMNS, column
from archive.errors import UsageError

EXCEL_CELL_MAX = 32_767  # characters in one cell (UTF-16 code units)
EXCEL_ROWS_MAX = 1_048_576  # rows in one sheet, the header included
TRUNCATED_MARK = "…[truncated for Excel: {shown:,} of {total:,} characters; the CSV, Parquet and Stata exports hold all]"
TRUNCATED_COLUMN = "body_truncated"
TRUNCATED_DOC = "TRUE when body was cut to fit Excel's 32,767-character cell (its cell then ends with the marker)"
PARQUET_ROW_GROUP = 10_000  # rows per Parquet row group (~25 MB of text): peak RSS 290 MB at 100,000 articles, 750 MB with 50,000-row groups (bench/bench_export.py)
# Characters XML 1.0 (and so Excel) cannot hold: removed from every text cell.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_WIDTHS = {"int": 11, "date": 11, "local_ts": 17, "utc_ts": 17}  # characters
_WIDE_TEXT = {"title": 44, "title_raw": 44, "summary": 60, "body": 60, "url": 36, "region_raw": 16}
BEIJING = timezone(timedelta(hours=8))
_TZ_OF = {"local_ts": BEIJING, "utc_ts": timezone.utc}


def _missing(name: str) -> UsageError:
    return UsageError(f"{name} export needs the research extra: pip install -e '.[research]'")


# -- values -------------------------------------------------------------------------------------


def parse_value(value, kind: str, name: str, *, aware: bool):
    """A stored value as its kind's Python object: int, str, date, or datetime.

    Times are aware (``aware``) or the naive wall-clock time of their zone (Beijing for
    ``local_ts``, UTC for ``utc_ts``), which is what Excel and Stata store. A value that is
    not of its column's kind raises UsageError naming the column (a damaged archive).
    """
    if value is None:
        return None
    try:
        if kind == "int":
            return int(value)
        if kind == "real":
            return float(value)
        if kind == "date":
            return date.fromisoformat(value)
        if kind in _TZ_OF:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=_TZ_OF[kind])
            moment = moment.astimezone(_TZ_OF[kind])
            return moment if aware else moment.replace(tzinfo=None)
    except (TypeError, ValueError):
        raise UsageError(f"column {name} holds {value!r}, which is not a {kind}; export as csv instead") from None
    return value if isinstance(value, str) else str(value)


def excel_text(text: str) -> tuple[str, bool]:
    """``text`` as an Excel cell can hold it, and whether it was cut (see the module docstring)."""
    text = _XML_ILLEGAL.sub("", text)
    if len(text) <= EXCEL_CELL_MAX // 2:  # even all astral characters fit
        return text, False
    units = len(text.encode("utf-16-le")) // 2
    if units <= EXCEL_CELL_MAX:
        return text, False
    mark = TRUNCATED_MARK.format(shown=0, total=len(text))
    budget = EXCEL_CELL_MAX - len(mark) - 8  # room for the digits of "shown"
    cut, used = 0, 0
    for char in text:  # count UTF-16 units, never splitting a surrogate pair
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            break
        cut += 1
    return text[:cut] + TRUNCATED_MARK.format(shown=cut, total=len(text)), True


# -- Excel --------------------------------------------------------------------------------------


def write_xlsx(path: str, columns: list[str], chunks: Iterable[list[tuple]], *, total: int,
               on_rows: Callable[[int], None] | None = None, scratch: str | None = None) -> int:
    """Write an .xlsx workbook: sheet ``articles`` (frozen header, filters, dates as dates) and
    sheet ``columns`` documenting each column. Streamed (XlsxWriter's constant_memory)."""
    try:
        import xlsxwriter
    except ImportError:
        raise _missing("xlsx") from None
    if total + 1 > EXCEL_ROWS_MAX:
        raise UsageError(
            f"{total:,} articles do not fit an Excel sheet ({EXCEL_ROWS_MAX - 1:,} rows at most); "
            "narrow them with --where or export parquet or csv"
        )
    kinds = [column(name).kind for name in columns]
    body_index = columns.index("body") if "body" in columns else None
    header = columns + ([TRUNCATED_COLUMN] if body_index is not None else [])
    workbook = xlsxwriter.Workbook(path, {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False, "tmpdir": scratch,
    })  # fmt: skip
    workbook.set_properties({"title": "parknews articles", "subject": "招商引资 news from 产业园区网 (010b.com)"})
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    time_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet = workbook.add_worksheet("articles")
    for index, name in enumerate(header):
        kind = column(name).kind if name != TRUNCATED_COLUMN else "int"
        sheet.set_column(index, index, _WIDE_TEXT.get(name) or _EXCEL_WIDTHS.get(kind, 14))
        sheet.write_string(0, index, name, bold)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(total, 1), len(header) - 1)
    row_number = 0
    for chunk in chunks:
        if row_number + len(chunk) >= EXCEL_ROWS_MAX:  # articles added since they were counted
            raise UsageError(f"more articles than an Excel sheet holds ({EXCEL_ROWS_MAX - 1:,}); narrow them with --where")
        for row in chunk:
            row_number += 1
            cut_body = False
            for index, (value, kind) in enumerate(zip(row, kinds)):
                if value is None:
                    continue
                if kind == "text" or isinstance(value, str) and kind in ("int", "real"):
                    text, cut = excel_text(value if isinstance(value, str) else str(value))
                    cut_body |= cut and index == body_index
                    sheet.write_string(row_number, index, text)
                elif kind in ("int", "real"):
                    sheet.write_number(row_number, index, value)
                else:
                    moment = parse_value(value, kind, columns[index], aware=False)
                    sheet.write_datetime(row_number, index, moment, date_format if kind == "date" else time_format)
            if body_index is not None:
                sheet.write_boolean(row_number, len(columns), cut_body)
        if on_rows:
            on_rows(len(chunk))
    docs = workbook.add_worksheet("columns")
    docs.set_column(0, 0, 18)
    docs.set_column(1, 1, 10)
    docs.set_column(2, 2, 110)
    for index, name in enumerate(["column", "type", "meaning"]):
        docs.write_string(0, index, name, bold)
    for index, name in enumerate(header, start=1):
        if name == TRUNCATED_COLUMN:
            kind, doc = "boolean", TRUNCATED_DOC
        else:
            kind, doc = column(name).kind, column(name).doc
        docs.write_string(index, 0, name)
        docs.write_string(index, 1, {"local_ts": "datetime (Beijing)", "utc_ts": "datetime (UTC)"}.get(kind, kind))
        docs.write_string(index, 2, doc)
    docs.freeze_panes(1, 0)
    workbook.close()
    return row_number


# -- Stata --------------------------------------------------------------------------------------

STATA_DATE_FORMATS = {"date": "td", "local_ts": "tc", "utc_ts": "tc"}


def write_dta(path: str, columns: list[str], chunks: Iterable[list[tuple]], *, total: int,
              on_rows: Callable[[int], None] | None = None, scratch: str | None = None) -> int:
    """Write a Stata 14+ .dta file (format 118, UTF-8) with pandas; held in memory whole."""
    try:
        import pandas as pd
    except ImportError:
        raise _missing("dta") from None
    values: list[list] = [[] for _ in columns]
    count = 0
    for chunk in chunks:
        for row in chunk:
            for cell, bucket in zip(row, values):
                bucket.append(cell)
        count += len(chunk)
        if on_rows:
            on_rows(len(chunk))
    data = {}
    for name, cells in zip(columns, values):
        kind = column(name).kind
        if kind == "int":
            cells = [parse_value(cell, kind, name, aware=False) for cell in cells]
            has_null = any(cell is None for cell in cells)
            data[name] = pd.Series(cells, dtype="float64" if has_null or not cells else "int64")
        elif kind == "real":
            data[name] = pd.Series([parse_value(cell, kind, name, aware=False) for cell in cells], dtype="float64")
        elif kind == "text":
            data[name] = pd.Series(["" if cell is None else str(cell) for cell in cells], dtype=object)
        else:
            parsed = [parse_value(cell, kind, name, aware=False) for cell in cells]
            data[name] = pd.Series(pd.to_datetime(parsed), dtype="datetime64[ns]")
    frame = pd.DataFrame(data, columns=columns)
    labels = {name: column(name).label[:80] for name in columns}
    try:
        frame.to_stata(
            path, version=118, write_index=False, variable_labels=labels,
            convert_dates={name: STATA_DATE_FORMATS[column(name).kind] for name in columns
                           if column(name).kind in STATA_DATE_FORMATS},
            data_label="parknews: 招商引资 news from 产业园区网 (010b.com)",
        )  # fmt: skip
    except ValueError as exc:  # a value Stata cannot hold
        raise UsageError(f"cannot write Stata file: {exc}") from None
    return count


# -- Parquet ------------------------------------------------------------------------------------


def parquet_schema(columns: list[str]):
    """The Arrow schema of the articles columns (kinds from ``archive.columns``)."""
    import pyarrow as pa

    types = {
        "int": pa.int64(), "real": pa.float64(), "text": pa.string(), "date": pa.date32(),
        "local_ts": pa.timestamp("us", tz="+08:00"), "utc_ts": pa.timestamp("us", tz="UTC"),
    }  # fmt: skip
    fields = []
    for name in columns:
        info = column(name)
        metadata = {"label": info.label, "doc": info.doc} if name in ARTICLE_COLUMNS or name in MONEY_COLUMNS else None
        fields.append(pa.field(name, types[info.kind], metadata=metadata))
    return pa.schema(fields, metadata={"source": "parknews: 招商引资 news from 产业园区网 (010b.com)"})


def write_parquet(path: str, columns: list[str], chunks: Iterable[list[tuple]], *, total: int,
                  on_rows: Callable[[int], None] | None = None, scratch: str | None = None) -> int:
    """Write a Parquet file with pyarrow, typed, a row group per ``PARQUET_ROW_GROUP`` rows."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _missing("parquet") from None
    schema = parquet_schema(columns)
    kinds = [column(name).kind for name in columns]
    count = 0
    pending: list[tuple] = []
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:

        def flush() -> None:
            arrays = []
            for index, (name, kind, field) in enumerate(zip(columns, kinds, schema)):
                cells = [row[index] for row in pending]
                if kind == "text":
                    cells = [cell if cell is None or isinstance(cell, str) else str(cell) for cell in cells]
                elif not all(cell is None or type(cell) is int for cell in cells):  # dates, or ints stored oddly
                    cells = [parse_value(cell, kind, name, aware=True) for cell in cells]
                arrays.append(pa.array(cells, type=field.type))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            pending.clear()

        for chunk in chunks:
            pending.extend(chunk)
            count += len(chunk)
            if len(pending) >= PARQUET_ROW_GROUP:
                flush()
            if on_rows:
                on_rows(len(chunk))
        if pending or not count:
            flush()
    return count
