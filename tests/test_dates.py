"""Date normalisation: the golden table, plus properties the table cannot show."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest

from normalize import dates
from normalize.dates import SHANGHAI, ParsedDate, parse_date

GOLDEN = Path(__file__).parent / "golden" / "dates.tsv"
# The table's clock, unless a row gives its own ``now``.
NOW = datetime.datetime(2025, 7, 25, 12, 0, tzinfo=SHANGHAI)


def golden_rows() -> list:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return [pytest.param(row, id=f"{row['note']}: {row['text']}") for row in rows]


@pytest.mark.parametrize("row", golden_rows())
def test_golden(row: dict) -> None:
    reference = datetime.date.fromisoformat(row["reference"]) if row["reference"] else None
    now = datetime.datetime.fromisoformat(row["now"]) if row["now"] else NOW
    expected = ParsedDate(date=row["date"] or None, at=row["at"] or None)
    assert parse_date(row["text"], reference=reference, now=now) == expected


def test_golden_table_is_large_enough() -> None:
    assert len(golden_rows()) >= 60


COMMON_FORMS = [
    "2025-07-23",
    "2025/7/3 10:20",
    "发布日期:2025年07月10日",
    "２０２５－０７－２３",
    "07-23",
    "7月23日",
    "3天前",
    "昨天 10:20",
    "刚刚",
]


@pytest.mark.parametrize("text", COMMON_FORMS + ["", "共 35 页", "有想补充的信息?点我投稿", "3-5年", "x" * 5000])
def test_common_forms_and_junk_never_reach_dateparser(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    def refuse():
        raise AssertionError("dateparser was consulted")

    monkeypatch.setattr(dates, "_fallback_parser", refuse)
    parse_date(text, now=NOW)


def test_random_junk_never_raises_and_gives_consistent_dates() -> None:
    rng = random.Random(20250723)
    alphabet = "0123456789０１２-/.:：年月日号时分秒点前天昨今刚周小个半上下午 ZT+【】[]发布时间abcJulyGMT"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        parsed = parse_date(text, reference=datetime.date(2025, 7, 25), now=NOW)
        if parsed.date is None:
            assert parsed.at is None, text
            continue
        day = datetime.date.fromisoformat(parsed.date)
        assert 1990 <= day.year <= NOW.year + 1, text
        if parsed.at is not None:
            moment = datetime.datetime.fromisoformat(parsed.at)
            assert moment.utcoffset() == datetime.timedelta(hours=8), text
            assert moment.date() == day, text


def test_a_date_buried_past_the_input_cap_is_not_read() -> None:
    assert parse_date("说明" * dates.MAX_INPUT_CHARS + "2025-07-23", now=NOW).date is None
    assert parse_date("说明" * 10 + "2025-07-23", now=NOW).date == "2025-07-23"


def test_non_text_gives_no_date() -> None:
    assert parse_date(None) == ParsedDate()  # type: ignore[arg-type]


def test_defaults_come_from_the_current_beijing_time() -> None:
    today = datetime.datetime.now(SHANGHAI).date()
    assert parse_date("今天").date == today.isoformat()
    assert parse_date(f"{today.month}月{today.day}日").date == today.isoformat()


def test_naive_now_is_taken_as_beijing_time() -> None:
    parsed = parse_date("1小时前", now=datetime.datetime(2025, 7, 25, 0, 30))
    assert parsed == ParsedDate(date="2025-07-24", at="2025-07-24T23:30:00+08:00")


def test_a_datetime_reference_is_taken_as_its_calendar_day() -> None:
    reference = datetime.datetime(2025, 1, 2, 9, 0)
    assert parse_date("12-30", reference=reference, now=NOW).date == "2024-12-30"


def test_validity_bound_follows_now() -> None:
    assert parse_date("2027-03-01", now=NOW).date is None
    assert parse_date("2027-03-01", now=NOW.replace(year=2026)).date == "2027-03-01"
