"""Dates as the site and similar CMS pages show them, turned into ISO dates and times.

``parse_date`` reads absolute dates (``2025-07-23``, ``2025年7月23日 10:20``, full-width digits,
labels and brackets around them), year-less dates (``07-23``, ``7月23日``: the year comes from a
reference date) and Chinese relative dates (``3天前``, ``昨天 10:20``: relative to ``now``).
Everything is read as Beijing time. Our own regexes handle all of these; dateparser is only a
fallback for rarer absolute forms (``Jul 23, 2025``), because on this kind of text it is slow
and guesses wrong (it reads ``07-23`` as 2007-11-23 and gives up on labelled strings).

A month without a day (``2025年7月``) gives no date: a first-of-month would be an invented day.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from normalize.text import FULL_WIDTH_TO_ASCII

SHANGHAI = ZoneInfo("Asia/Shanghai")
EARLIEST_YEAR = 1990
MAX_INPUT_CHARS = 200  # date fields are short; a longer text is not a date field
MAX_FALLBACK_CHARS = 64  # dateparser's cost grows with length; real dates are much shorter
YEARLESS_GRACE = datetime.timedelta(days=2)  # a listing may show a date a little after the crawl


@dataclass(frozen=True)
class ParsedDate:
    date: str | None = None  # YYYY-MM-DD
    at: str | None = None  # ISO 8601 with +08:00, only when a time of day is given


NO_DATE = ParsedDate()

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, and wide or non-breaking spaces to a space, so
# that one set of patterns reads ２０２５－０７－２３ and 10：20 too.
_HALFWIDTH = {**FULL_WIDTH_TO_ASCII, 0x3000: " ", 0xA0: " "}

# -- dates in a page's text: the patterns the extractors find them with (extract.listing,
# extract.detail), beside the parsing rules below; the one place for both. -----------------
# Digits may be full-width (２０２５－０７－０９: ``\d`` matches them) or Chinese numerals
# (二〇二五年七月八日); a time may follow as 10:20(:30) or 10时20分.
_SEP = r"[-/.－／．年]"
_CN = "〇零一二三四五六七八九"
DATE = (
    rf"(?:(?:19|20|１９|２０)\d{{2}}\s*{_SEP}\s*\d{{1,2}}\s*[-/.－／．月]\s*\d{{1,2}}\s*[日号]?"
    rf"|[一二][{_CN}]{{3}}\s*年\s*[{_CN}十]{{1,2}}\s*月\s*[{_CN}十]{{1,3}}\s*[日号])"
    r"(?:\s*\d{1,2}(?:[:：]\d{2}(?:[:：]\d{2})?|\s*[时点]\s*\d{1,2}\s*分))?"
)
# A date's label: 发布时间：, 日期: … (parse_date skips past it; the extractors take it off a line).
_LABEL_WORDS = r"(?:发布|更新|发表)?(?:日期|时间)\s*[:：]"
DATE_LABEL = _LABEL_WORDS + r"\s*"
# A listing's year-less date (07-09, 7月9日).
SHORT_DATE = r"\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?"
# Rolling listings show recent entries relative to the moment of the fetch: 9小时前, 昨天 10:20,
# 3天前, 刚刚 (read against the fetch time by parse_date).
RELATIVE_DATE = (
    r"(?:\d{1,3}\s*(?:秒钟?|分钟|小时|天|周)\s*前|(?:大前天|前天|昨天|今天)(?:\s*\d{1,2}[:：]\d{2})?|刚刚)"
)

# -- parsing ------------------------------------------------------------------------------
_LABEL = re.compile(_LABEL_WORDS)
# 二〇二五年七月八日, 二〇〇五年十二月二十八日: documents and e-papers write dates in numerals.
_NUMERAL_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,2})\s*月\s*([一二三四五六七八九十]{1,3})\s*([日号])"
)
_NUMERIC_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)")
_CHINESE_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]?")
# Year-less forms must stand alone: "3-5年", "1/3", "7.23亿" or part of "2025-07-23" are not dates.
_NUMERIC_MONTH_DAY = re.compile(r"(?<![\d./:-])(?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?![\d./:年月日号%万亿元个-])")
_CHINESE_MONTH_DAY = re.compile(r"(?<![\d年])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]")
_TIME = re.compile(
    r"\s*(?:T|日|号)?\s*"
    r"(?:(上午|早上|凌晨|中午|下午|傍晚|晚上)\s*)?"
    r"(\d{1,2})\s*(?::\s*(\d{1,2})(?:\s*:\s*(\d{1,2})(?:\.\d+)?)?|[时点](?:\s*(\d{1,2})\s*分(?:\s*(\d{1,2})\s*秒)?)?)"
    r"(?!\d)\s*(?:(AM|PM|am|pm)|(Z|[+-]\d{2}:?\d{2})(?!\d))?"
)
_AGO = re.compile(r"(\d+|半|[一二两三四五六七八九十]{1,3})\s*个?\s*(秒钟?|分钟|小时|钟头|天|日|周|星期|礼拜)\s*(?:以)?前")
_DAY_WORD = re.compile(r"(大前天|前天|昨天|昨日|今天|今日)")
_JUST_NOW = re.compile(r"刚刚|刚才")
# Text with a relative word is read by our relative patterns or not at all: dateparser's one
# shared instance cannot take a per-call ``now`` and would count from the real clock.
_RELATIVE_WORD = re.compile(r"前|昨|今|刚|ago|yesterday|today", re.IGNORECASE)
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")

_DAYS_BACK = {"大前天": 3, "前天": 2, "昨天": 1, "昨日": 1, "今天": 0, "今日": 0}
_AGO_UNIT = {
    "秒": datetime.timedelta(seconds=1),
    "秒钟": datetime.timedelta(seconds=1),
    "分钟": datetime.timedelta(minutes=1),
    "小时": datetime.timedelta(hours=1),
    "钟头": datetime.timedelta(hours=1),
    "天": datetime.timedelta(days=1),
    "日": datetime.timedelta(days=1),
    "周": datetime.timedelta(weeks=1),
    "星期": datetime.timedelta(weeks=1),
    "礼拜": datetime.timedelta(weeks=1),
}
_SUB_DAY_UNITS = {"秒", "秒钟", "分钟", "小时", "钟头"}  # these give a time of day, not just a date
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AFTERNOON = {"下午", "傍晚", "晚上", "PM", "pm"}
_MORNING = {"上午", "早上", "凌晨", "AM", "am"}


def parse_date(
    text: str,
    *,
    reference: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> ParsedDate:
    """Read the first date in ``text``; an empty ``ParsedDate`` when there is none.

    ``reference`` gives the year of a year-less date (default: today); ``now`` anchors relative
    dates (default: the current time). Invalid dates (2025-02-30, years before 1990 or after next
    year) give an empty result rather than a guess. Never raises on junk.
    """
    if not isinstance(text, str) or not text:
        return NO_DATE
    now = _in_shanghai(now) if now is not None else datetime.datetime.now(SHANGHAI)
    text = text[:MAX_INPUT_CHARS]
    if not text.isascii():
        text = text.translate(_HALFWIDTH)
        if _NUMERAL_DATE.search(text):
            text = _NUMERAL_DATE.sub(_numeral_date_in_digits, text)
    label = _LABEL.search(text)
    if label:
        text = text[label.end() :]

    match = _earliest(_NUMERIC_DATE, _CHINESE_DATE, text=text)
    if match:
        year, month, day = (int(g) for g in match.group("year", "month", "day"))
        return _with_time(_valid_date(year, month, day, now), text, match.end())
    match = _earliest(_NUMERIC_MONTH_DAY, _CHINESE_MONTH_DAY, text=text)
    if match:
        month, day = (int(g) for g in match.group("month", "day"))
        date = _infer_year(month, day, _as_date(reference) if reference else now.date())
        return _with_time(date, text, match.end())
    if _RELATIVE_WORD.search(text):
        return _parse_relative(text, now)
    if _FOUR_DIGITS.search(text):
        return _parse_with_dateparser(text[:MAX_FALLBACK_CHARS], now)
    return NO_DATE


def _earliest(*patterns: re.Pattern, text: str) -> re.Match | None:
    matches = [match for pattern in patterns if (match := pattern.search(text))]
    return min(matches, key=re.Match.start, default=None)


def _in_shanghai(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:  # a naive time is taken to be Beijing time already
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def _as_date(day: datetime.date) -> datetime.date:
    # A datetime is a date too, but comparing the two raises: take its calendar day.
    return day.date() if isinstance(day, datetime.datetime) else day


def _valid_date(year: int, month: int, day: int, now: datetime.datetime) -> datetime.date | None:
    if not EARLIEST_YEAR <= year <= now.year + 1:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _infer_year(month: int, day: int, reference: datetime.date) -> datetime.date | None:
    """The latest (month, day) not more than a couple of days after ``reference``."""
    for year in (reference.year, reference.year - 1):  # two tries: 02-29 may need a leap year
        try:
            date = datetime.date(year, month, day)
        except ValueError:
            continue
        if date <= reference + YEARLESS_GRACE:
            return date
    return None


def _with_time(date: datetime.date | None, text: str, position: int) -> ParsedDate:
    """The date, plus its time of day if one directly follows the date in ``text``."""
    if date is None:
        return NO_DATE
    match = _TIME.match(text, position)
    moment = _time_of_day(date, match) if match else None
    if moment is None:
        return ParsedDate(date=date.isoformat())
    return ParsedDate(date=moment.date().isoformat(), at=moment.isoformat())


def _time_of_day(date: datetime.date, match: re.Match) -> datetime.datetime | None:
    period, hour, minute, second, cn_minute, cn_second, ampm, offset = match.groups()
    hour = _twenty_four_hour(int(hour), period or ampm)
    minute = int(minute or cn_minute or 0)
    second = int(second or cn_second or 0)
    if not (hour < 24 and minute < 60 and second < 60):
        return None
    if offset is None:
        return datetime.datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=SHANGHAI)
    zone = _utc_offset(offset)
    moment = datetime.datetime(date.year, date.month, date.day, hour, minute, second, tzinfo=zone)
    return moment.astimezone(SHANGHAI)


def _twenty_four_hour(hour: int, period: str | None) -> int:
    if period in _AFTERNOON and hour < 12:
        return hour + 12
    if period == "中午" and hour < 11:  # 中午1点 is 13:00, 中午11点半 is still morning
        return hour + 12
    if period in _MORNING and hour == 12:
        return 0
    return hour


def _utc_offset(offset: str) -> datetime.timezone:
    if offset == "Z":
        return datetime.timezone.utc
    digits = offset[1:].replace(":", "")
    delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return datetime.timezone(-delta if offset[0] == "-" else delta)


def _parse_relative(text: str, now: datetime.datetime) -> ParsedDate:
    match = _AGO.search(text)
    if match:
        amount = _small_number(match.group(1))
        if amount is None:
            return NO_DATE
        unit = match.group(2)
        moment = now - amount * _AGO_UNIT[unit]
        if unit in _SUB_DAY_UNITS:
            return _at_minute(moment)
        return ParsedDate(date=moment.date().isoformat())
    match = _DAY_WORD.search(text)
    if match:
        date = now.date() - datetime.timedelta(days=_DAYS_BACK[match.group(1)])
        return _with_time(date, text, match.end())
    if _JUST_NOW.search(text):
        return _at_minute(now)
    return NO_DATE


def _at_minute(moment: datetime.datetime) -> ParsedDate:
    # Relative times are approximate; seconds would claim a precision the page never had.
    moment = moment.replace(second=0, microsecond=0)
    return ParsedDate(date=moment.date().isoformat(), at=moment.isoformat())


def _numeral_date_in_digits(match: re.Match) -> str:
    """``二〇二五年七月八日`` → ``2025年7月8日``; a malformed numeral is left as it was."""
    year = "".join(str(_CHINESE_DIGITS.get(ch, 0)) for ch in match.group(1))
    month, day = _small_number(match.group(2)), _small_number(match.group(3))
    if month is None or day is None:
        return match.group(0)
    return f"{year}年{int(month)}月{int(day)}{match.group(4)}"


def _small_number(word: str) -> float | None:
    """``3``, ``三``, ``十五``, ``二十`` or ``半`` (a half) as a number; None if malformed."""
    if word.isdigit():
        return int(word)
    if word == "半":
        return 0.5
    tens, ten, units = word.partition("十")
    try:
        if not ten:
            return _CHINESE_DIGITS[word]
        return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[units] if units else 0)
    except KeyError:
        return None


@functools.cache
def _fallback_parser():
    # Imported and built on first use: loading dateparser's locale data takes a noticeable
    # fraction of a second, and most crawls never need it.
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["zh", "en"],
        settings={
            "DATE_ORDER": "YMD",
            "PREFER_DATES_FROM": "past",
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_TIME_AS_PERIOD": True,
        },
    )


def _parse_with_dateparser(text: str, now: datetime.datetime) -> ParsedDate:
    try:
        data = _fallback_parser().get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd input; junk must not crash a crawl
        return NO_DATE
    if data.date_obj is None:
        return NO_DATE
    moment = _in_shanghai(data.date_obj)
    # dateparser happily reads "3-5年" as five years before today: trust it only when the year
    # it found is written in the text.
    if str(moment.year) not in text:
        return NO_DATE
    if _valid_date(moment.year, moment.month, moment.day, now) is None:
        return NO_DATE
    if data.period == "time":
        return ParsedDate(date=moment.date().isoformat(), at=moment.replace(microsecond=0).isoformat())
    return ParsedDate(date=moment.date().isoformat())
