"""Title clean-up and the whitespace helper: the golden table, plus what it cannot show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from normalize.text import collapse_whitespace
from normalize.titles import CleanTitle, clean_title

GOLDEN = Path(__file__).parent / "golden" / "titles.tsv"
# The table writes invisible characters as escapes (\u3000, \xa0, \u200b, \t) to stay readable.
ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|t)")


def unescape(cell: str) -> str:
    return ESCAPE.sub(lambda m: "\t" if m.group(1) == "t" else chr(int(m.group(1)[1:], 16)), cell)


def golden_rows() -> list:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, map(unescape, line.split("\t")))) for line in lines[1:]]
    return [pytest.param(row, id=f"{row['note']}: {row['raw'].strip()}") for row in rows]


@pytest.mark.parametrize("row", golden_rows())
def test_golden(row: dict) -> None:
    expected = CleanTitle(title=row["title"], region_tag=row["region_tag"] or None)
    assert clean_title(row["raw"]) == expected


def test_golden_table_is_large_enough() -> None:
    assert len(golden_rows()) >= 20


@pytest.mark.parametrize("row", golden_rows())
def test_cleaning_is_idempotent(row: dict) -> None:
    once = clean_title(row["raw"]).title
    assert clean_title(once).title == once


def test_collapse_whitespace_joins_everything_on_one_line_by_default() -> None:
    assert collapse_whitespace(" 第一段\u3000 内容\n\n第二段\xa0\t结束 ") == "第一段 内容 第二段 结束"


def test_collapse_whitespace_can_keep_line_breaks() -> None:
    text = "  一、总体要求 \r\n\r\n  1.\u3000加快建设\u200b \n\xa0\n二、保障措施"
    assert collapse_whitespace(text, keep_newlines=True) == "一、总体要求\n1. 加快建设\n二、保障措施"


def test_collapse_whitespace_of_nothing_is_empty() -> None:
    assert collapse_whitespace("") == ""
    assert collapse_whitespace(" \u3000\n ", keep_newlines=True) == ""
