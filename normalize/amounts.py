"""Money amounts in article text: ``money_amounts(text) -> list[Amount]``. Pure; no I/O.

What counts as an amount: a number (Arabic ``3541.07``, ``1,200``, full-width ``１２``;
Chinese ``二十``, ``三千五百``, ``百``; or a mixture ``1.2万``, ``3千万``) with an optional
multiplier (十 百 千 万 亿, multiplied: 万亿 = 10^12; a compound ``1亿2000万``, ``1万2千`` adds
its lower part) and a currency word (元, 人民币, 美元, 欧元, 港元/港币, 日元, or a code RMB, USD,
EUR, HKD … after the number, a space allowed before it: ``5000万 美元``; see ``CURRENCIES``) or a code, symbol or word before it (``USD 500万``,
``US$``, ``$``, ``€``, ``HK$``, ``¥``/``￥``, ``人民币25亿元``; see ``_CUR_BEFORE``). Without a currency word a number counts
only when it carries 万 or 亿 and a money word stands before it in its clause
(``总投资12亿，`` → 1.2e9 CNY) and no unit follows (``1.2万平方米`` is not money).

Not amounts: percentages, counts (户, 家, 个), years, dates, phone numbers and ids (no
currency follows them); vague quantities (``数十亿元``, ``十几亿元``); a bare multiplier
(``亿元``, ``万元``) unless an approximate marker gives it a value (``过亿元``, ``上亿元``);
thresholds naming a class of projects rather than an amount (``十亿元以上项目``,
``对投资超过1亿元的项目给予…``, ``亿元级``; see ``_is_threshold``); a single Chinese digit before a bare 元 (``一元化``); a number written with more than 300 characters or more than 8 multipliers, or beyond a float's range (a hostile page's run of digits or of 亿).

Each ``Amount``:

- ``value``: the number in its own currency (float; yuan for CNY, dollars for USD …). For a
  range (``10至15亿元``, ``10亿-15亿元``) the low end; ``value_high`` the high end (else None).
- ``value_cny``: ``value`` when the currency is CNY, else None: no exchange rate is invented.
- ``currency``: ISO 4217 code.
- ``value_raw``: the amount as written, markers included (``近百亿元``, ``1000亿元以上``).
- ``approximate``: True when written with 近/将近/接近/约/约为/约有/大约/约合/超/超过/逾/过/上/多/余/
  以上/左右/不少于/不低于/至少 (also before a currency: ``约合人民币25亿元``) (lower bounds count as approximate; caps such as 最高, 不超过 and
  milestones such as 突破 do not).
- ``kind``: what the amount is, from the words around it (see ``kind_of``): ``investment``,
  ``contract``, ``financing``, ``output``, ``tax``, ``funds`` or ``other``.
- ``sentence``: the sentence it stands in (up to and including 。！？; a line at most).
- ``position``: offset of ``value_raw`` in ``text`` (characters).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from decimal import Decimal
from typing import NamedTuple

from normalize.text import FULL_WIDTH_TO_ASCII

KINDS = ("investment", "contract", "financing", "output", "tax", "funds", "other")

# ISO 4217 code of each currency word; longest first in the pattern.
CURRENCIES: dict[str, str] = {
    "元人民币": "CNY", "人民币": "CNY", "元": "CNY",
    "美元": "USD", "美金": "USD", "欧元": "EUR", "港元": "HKD", "港币": "HKD", "日元": "JPY",
    "英镑": "GBP", "韩元": "KRW", "澳元": "AUD", "新加坡元": "SGD", "新元": "SGD", "加元": "CAD",
    "加拿大元": "CAD", "瑞士法郎": "CHF", "卢布": "RUB", "新台币": "TWD", "台币": "TWD",
    "泰铢": "THB", "澳门元": "MOP", "林吉特": "MYR",
    # Codes after the number (``12.5亿RMB``, ``500万USD``).
    "RMB": "CNY", "CNY": "CNY", "USD": "USD", "EUR": "EUR", "HKD": "HKD", "JPY": "JPY", "GBP": "GBP",
}  # fmt: skip
# Codes, symbols and words before the number (``USD 500万``, ``US$3亿``, ``€200万``,
# ``人民币25亿元``): they set the currency unless a currency word after it names another.
_CUR_BEFORE: dict[str, str] = {
    "US$": "USD", "USD": "USD", "$": "USD", "EUR": "EUR", "€": "EUR", "HK$": "HKD", "HKD": "HKD",
    "RMB": "CNY", "CNY": "CNY", "¥": "CNY", "￥": "CNY", "人民币": "CNY", "JPY": "JPY", "GBP": "GBP", "£": "GBP",
    "美元": "USD", "欧元": "EUR", "港元": "HKD", "港币": "HKD",
}  # fmt: skip

# Words before an amount that say what it is; the nearest one wins. Longest first.
KIND_WORDS: dict[str, str] = {
    # investment
    "总投资": "investment", "计划投资": "investment", "投资总额": "investment", "投资额": "investment",
    "投资": "investment", "到位资金": "investment", "引资": "investment", "利用外资": "investment",
    "外资": "investment", "内资": "investment", "港资": "investment", "台资": "investment",
    "投入": "investment", "出资": "investment", "增资": "investment",
    # contract
    "签约": "contract", "签下": "contract", "订单": "contract", "签署": "contract", "合同": "contract", "协议": "contract",
    # financing
    "融资": "financing", "贷款": "financing", "授信": "financing", "信贷": "financing",
    "放贷": "financing", "债券": "financing", "发债": "financing", "募资": "financing",
    "募集": "financing", "专项债": "financing",
    "募集资金": "financing", "融资协议": "financing", "债券资金": "financing", "获贷": "financing",
    "放款": "financing", "借款": "financing",
    # output
    "产值": "output", "营收": "output", "营业收入": "output", "销售收入": "output",
    "主营业务收入": "output", "销售额": "output", "营业额": "output", "收入": "output",
    "交易额": "output", "成交额": "output", "出口额": "output", "出口": "output", "进出口": "output",
    "生产总值": "output", "GDP": "output", "增加值": "output", "产业规模": "output", "利润": "output", "创汇": "output",
    # tax
    "税收": "tax", "纳税": "tax", "税额": "tax", "利税": "tax", "缴税": "tax", "税金": "tax",
    "减税": "tax", "退税": "tax", "税费": "tax",
    "税收收入": "tax", "税款": "tax",
    # funds
    "资金": "funds", "补贴": "funds", "补助": "funds", "奖励": "funds", "奖补": "funds",
    "基金": "funds", "扶持": "funds", "资助": "funds", "拨付": "funds", "贴息": "funds",
    "贷款贴息": "funds",
    # named, and not one of the above: stops the search
    "注册资本": "other", "价格": "other", "售价": "other", "租金": "other", "工资": "other",
    "薪酬": "other", "估值": "other",
}  # fmt: skip
# After the amount (``2亿元的资金支持``, ``千万元订单``, ``20亿元光电项目``), and 项目 too.
KIND_WORDS_AFTER = {**KIND_WORDS, "项目": "investment"}

_KIND_BEFORE_RE = re.compile("|".join(re.escape(w[::-1]) for w in sorted(KIND_WORDS, key=len, reverse=True)))
_KIND_AFTER_RE = re.compile("|".join(map(re.escape, sorted(KIND_WORDS_AFTER, key=len, reverse=True))))

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_MULTS = "十百千万亿"
_MULT_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_FULL_WIDTH = {chr(wide): chr(code) for wide, code in FULL_WIDTH_TO_ASCII.items() if chr(code) in "0123456789.%"}
_HAS_FULL_WIDTH = re.compile("[０-９．％]")

# Thousands separated by commas, or by thin spaces as GB/T 15835 sets them (5\u2009000万元).
_THIN_SPACES = "\u2009\u202f\u2005\u2006"
_AR = rf"(?<![\d.])(?<!\d[{_THIN_SPACES}])(?:\d{{1,3}}(?:[,{_THIN_SPACES}]\d{{3}})+|\d+)(?:\.\d+)?"
_CN = rf"(?<![{_CN_DIGITS}{_CN_MULTS}])[{_CN_DIGITS}{_CN_MULTS}]+(?:点[{_CN_DIGITS}]+)?"
_CUR = "|".join(
    re.escape(c) + ("(?![A-Za-z])" if c.isascii() else "") for c in sorted(CURRENCIES, key=len, reverse=True)
)
_CUR_BEFORE_RE = re.compile(
    "(?:"
    + "|".join(("(?<![A-Za-z])" if c[0].isalpha() and c.isascii() else "") + re.escape(c)
               for c in sorted(_CUR_BEFORE, key=len, reverse=True))
    + r")[ \u00a0]?$"
)
_CUR_BEFORE_LAST = {c[-1] for c in _CUR_BEFORE} | {" ", "\u00a0"}  # a cheap test first
# Every amount has, within its own text or the 5 characters before it (where a currency word
# before it stands: at most 3 characters and a space), the start of a currency word or a 万/亿:
# a number with none of them near is no amount, and is passed over without reading it. (Words,
# not their characters: 日, 人, 新, 金, 台 stand after every date and in common words.) No
# currency word holds 万 or 亿, and one found inside a longer one (元 in 美元) starts no amount
# of its own, so the longest-first scan loses no start that counts.
_ANCHOR = re.compile("|".join(map(re.escape, sorted({"万", "亿", *CURRENCIES, *_CUR_BEFORE}, key=len, reverse=True))))
_BEFORE_REACH = 5
# Where ``_AMOUNT`` can start: a run of digits (not after a ".") or of Chinese numerals.
_CN_CHARS = frozenset(_CN_DIGITS + _CN_MULTS)
# (The lookahead lets the scan skip to a candidate character by one class test, not two branches.)
_NUMBER_SEGMENT = re.compile(rf"(?=[\d{_CN_DIGITS}{_CN_MULTS}])(?:(\d+)|[{_CN_DIGITS}{_CN_MULTS}]+)")
# The characters an ``_AMOUNT`` match may hold before its currency word (whose characters are
# all anchors): numbers, separators, 点 个 余 多, spaces and range marks.
_REACH_SIGNS = ".,点个余多至到~～-－—"
_NUMBER_REACH = re.compile(rf"[\d\s{re.escape(_REACH_SIGNS)}{_CN_DIGITS}{_CN_MULTS}]*")
_REACH_CHARS = frozenset(_REACH_SIGNS + _CN_DIGITS + _CN_MULTS)  # and \d, \s: str.isdecimal, str.isspace
# The rest of a compound number: 1亿2千万, 1亿2000万, 3亿5000万, 1万2千 (a lower unit only).
_TAIL = (
    r"(?:(?<=亿)(?:\d{1,4}|[一二两三四五六七八九])(?:千万|百万|十万|万|千|百)"
    r"|(?<=万)(?:\d|[一二两三四五六七八九])(?:千|百))"
)
# 元 in words that are not money: 元旦, 多元化, 元素, 单元 …
_NOT_YUAN = r"(?<!元)|(?<=元)(?![化素旦宵件器首帅老气月朝曲音组])"


def _part(name: str) -> str:
    return (
        # A space may follow an Arabic number (``35 亿元``); 个 may stand before 亿 (``10个亿``).
        rf"(?P<{name}>{_AR}|{_CN})(?:(?<=\d)[ \u00a0\u3000{_THIN_SPACES}](?=[{_CN_MULTS}]|{_CUR}))?"
        rf"(?P<{name}_mid>余|多)?(?P<{name}_mult>(?:个(?=亿))?[{_CN_MULTS}]+)?(?P<{name}_tail>{_TAIL})?"
        # A space may stand between a multiplier and a currency word (``5000万 美元``).
        rf"(?P<{name}_mid2>余|多)?(?:(?:(?<=[{_CN_MULTS}])[ \u00a0\u3000])?(?P<{name}_cur>{_CUR})(?:{_NOT_YUAN}))?"
    )


_AMOUNT = re.compile(rf"{_part('a')}(?:\s*(?P<sep>至|到|~|～|-|－|—)\s*{_part('b')})?")
_SINGLE = re.compile(_part("a") + "(?P<sep>(?!))?")  # one amount: the range part never matches
_PREFIX = re.compile(r"(?:将近|接近|近|大约|约合|约为|约有|约|超过|超|逾|不少于|不低于|至少|过|上)$")
_YUE_WORDS = set("签合协履预节制邀特公条违解契集盟相")
_VAGUE = ("数", "几", "若干", "好几")
_SUFFIX = re.compile(r"以上|左右")
# Thresholds: a bound naming a class of projects (十亿元以上项目, 5000万元以上产业项目, 亿元级,
# 投资超过10亿元的，…) is no amount; nor is "X元的项目/企业" where its clause sets a policy
# (对投资超过1亿元的项目给予…, 不低于每亩300万元的项目优先供地). A project's own size is one
# (12亿元项目开工, 总投资超50亿的项目落户江夏).
_BOUND_AFTER = re.compile(r"(?:以上|以下|及以上)的?[\u4e00-\u9fff]{0,4}?(?:项目|企业)|级|(?:以上|以下)?的[，,]")
_CLASS_AFTER = re.compile(r"的?(?:项目|企业|大项目)")
_POLICY = re.compile("对|凡|给予|奖励|补贴|补助|优先|享受|可按|可获|可享")
# What may follow a currency-less amount: punctuation, the end, or a few particles.
_FREE_END = re.compile(r"$|[\s，,。；;、：:！!？?）)”」]|的|以上|左右")
# Where the words that name an amount stop: a clause, and for the fallback a sentence. A space
# in Chinese text is a break too: summaries run paragraphs and headings together with spaces.
_CLAUSE_BREAK = "，,；;。！!？?：: \t\n\u3000"
_KIND_SENTENCE_END = "。！!？? \t\n\u3000"
_SENTENCE_END = "。！!？?\n"
# Text without punctuation (a table flattened, a hostile page) must not make each amount read
# the whole text: words further than this from an amount do not name it, and a sentence is cut.
_SENTENCE_END_RE = re.compile("[。！!？?\n]")
_CLAUSE_BREAK_RE = re.compile(f"[{re.escape(_CLAUSE_BREAK)}]")
_KIND_SENTENCE_END_RE = re.compile(f"[{re.escape(_KIND_SENTENCE_END)}]")
MAX_CONTEXT = 120
MAX_SENTENCE = 300


class Amount(NamedTuple):
    value: float
    value_high: float | None
    value_cny: float | None
    currency: str
    value_raw: str
    approximate: bool
    kind: str
    sentence: str
    position: int


def money_amounts(text: str | None) -> list[Amount]:
    """Every money amount in ``text``, in order of position. See the module docstring."""
    if not text:
        return []
    # Full-width digits folded, same length: positions hold for ``text``.
    # (A substitution of the few full-width characters: str.translate reads every character.)
    folded = _HAS_FULL_WIDTH.sub(_fold_full_width, text) if _HAS_FULL_WIDTH.search(text) else text
    anchors = [anchor.start() for anchor in _ANCHOR.finditer(folded)]
    if not anchors:
        return []
    sentence_ends = [end.start() for end in _SENTENCE_END_RE.finditer(text)]
    amounts: list[Amount] = []
    previous_end = 0
    position = 0
    reach_from = reach_end = 0  # the last number's reach: folded[reach_from:reach_end]
    # What ``_AMOUNT.search(folded, position)`` would find, found cheaper: the pattern can only
    # start where a run of digits or of Chinese numerals starts (its lookbehinds), and a number
    # with no anchor from 5 characters before it to the end of the characters a match can
    # hold before a currency word (``_NUMBER_REACH``) is passed over without matching it.
    while segment := _NUMBER_SEGMENT.search(folded, position):
        start = segment.start()
        before = folded[start - 1] if start else ""
        in_run = before == "." or before.isdecimal() or (before in _THIN_SPACES and folded[start - 2 : start - 1].isdecimal())
        if in_run if segment[1] else before in _CN_CHARS:
            position = segment.end()  # inside a run (after an amount, a thin space's group), or a decimal's fraction
            continue
        near = bisect_left(anchors, start - _BEFORE_REACH)
        if near == len(anchors):
            break  # no currency word, 万 or 亿 further on: no amount either
        if anchors[near] >= start:
            if not reach_from <= start < reach_end:  # the run of one number's reach serves all in it
                reach_from, reach_end = start, _NUMBER_REACH.match(folded, start).end()
            if anchors[near] > reach_end:
                # No anchor near this number, nor near any number before the next anchor's reach
                # (the run of reach characters up to it) and its 5 characters: go on from there.
                position = max(segment.end(), min(_reach_start(folded, anchors[near]), anchors[near] - _BEFORE_REACH))
                continue
        match = _AMOUNT.match(folded, start)  # never None at a run's start
        if anchors[near] >= match.end():
            position = segment.end()
            continue
        found = _read(folded, match, previous_end)
        if found is None and match["sep"] and not _is_threshold(folded, match.start(), match.end()):
            # Not a range (``400-162``): try the first number alone.
            single = _SINGLE.match(folded, match.start())
            found = _read(folded, single, previous_end) if single else None
        if found is None:
            position = segment.end()
            continue
        start, end, values = found
        amounts.append(_amount(text, start, end, values, previous_end, sentence_ends))
        previous_end = end
        position = end
    return amounts


_CUR_MULT = {"a": ("a_cur", "a_mult"), "b": ("b_cur", "b_mult")}


def _reach_start(text: str, end: int) -> int:
    """Where the run of ``_NUMBER_REACH`` characters that ends at ``end`` starts."""
    while end and ((char := text[end - 1]) in _REACH_CHARS or char.isdecimal() or char.isspace()):
        end -= 1
    return end


def _fold_full_width(match: re.Match) -> str:
    return _FULL_WIDTH[match.group()]


def _read(text: str, match: re.Match, previous_end: int) -> tuple[int, int, tuple] | None:
    """(start, end, (low, high, currency, approximate)) of an amount match, or None."""
    last = "b" if match["sep"] else "a"
    start, end = match.start(), match.end()
    number, currency_after, multiplier = match.group(last, *_CUR_MULT[last])
    if not (currency_after or multiplier or "万" in number or "亿" in number or text[start - 1 : start] in _CUR_BEFORE_LAST):
        return None  # the common case, tested first: a year, a count, a percentage (see below)
    before = (
        _CUR_BEFORE_RE.search(text, max(previous_end, start - 5), start)
        if text[start - 1 : start] in _CUR_BEFORE_LAST
        else None
    )
    if before and text[before.start() - 1 : before.start()] == "元" and before.group().startswith("人民币"):
        before = None  # 元人民币 belongs to the amount before
    if not before and not match[f"{last}_cur"] and not match[f"{last}_mult"] and "万" not in match[last] and "亿" not in match[last]:
        return None  # a year, a count, a percentage: no currency and no 万/亿
    if before:
        start = before.start()  # ``约合人民币25亿元``: the marker stands before the currency
    marked = start  # 约 5亿元: a space may stand between the marker and the number
    while marked > max(0, start - 2) and text[marked - 1] in " \u00a0\u3000" + _THIN_SPACES:
        marked -= 1
    prefix = _PREFIX.search(text, max(0, marked - 3), marked)
    if prefix and prefix.group() in ("过", "上") and text[match.start()] not in "百千万亿":
        prefix = None  # 过/上 mark an amount only in 过亿, 上百亿 …
    if prefix and prefix.group().startswith("约") and text[prefix.start() - 1 : prefix.start()] in _YUE_WORDS:
        prefix = None  # 签约, 合约 …: not 约 "about"
    if prefix and prefix.group().startswith("超") and text[prefix.start() - 1 : prefix.start()] == "不":
        prefix = None  # 不超过: a cap, as 最高 is, not an approximation
    if text[max(0, start - 2):start].endswith(_VAGUE):
        return None
    ranged = bool(match["sep"])
    if ranged:
        high = _number(match, "b", match["b_mult"])
        low_mult = match["a_mult"] or (None if match["a_cur"] else match["b_mult"] or _units_of(match["a"], match["b"]))
        low = _number(match, "a", low_mult)
        currency = match["b_cur"]
        if match["a_cur"] and match["a_cur"] != currency:
            return None
        if low is None or high is None or low >= high:
            return None
        last = "b"
    else:
        low, high, currency, last = _number(match, "a", match["a_mult"]), None, match["a_cur"], "a"
        if low is None:
            return None
        if _bare_multiplier(match["a"]) and not match["a_mult"] and not prefix:
            return None  # 亿元, 万元 alone
        if len(match["a"]) == 1 and match["a"] in _CN_DIGITS and not match["a_mult"] and currency and not before:
            return None  # 一元化, 二元结构
    mult = match[f"{last}_mult"] or ""
    if before and (currency is None or CURRENCIES[currency] == "CNY"):
        currency_code = _CUR_BEFORE[before.group().rstrip(" \u00a0")]
    elif currency is None:
        # No currency word: only 万/亿 amounts where a money word says so.
        if not ("万" in mult or "亿" in mult or (not match[f"{last}_mid"] and ("万" in match[last] or "亿" in match[last]))):
            return None
        if not _FREE_END.match(text, end) or _kind_before(text, _before_spaces(text, start, previous_end), previous_end, clause_only=True) in (None, "other"):
            return None
        currency_code = "CNY"
    else:
        currency_code = CURRENCIES[currency]
    if _is_threshold(text, start, end):
        return None
    approximate = bool(prefix or match["a_mid"] or match["a_mid2"] or (ranged and (match["b_mid"] or match["b_mid2"])))
    if suffix := _SUFFIX.match(text, end):
        approximate, end = True, suffix.end()
    if prefix:
        start = prefix.start()
    return start, end, (low, high, currency_code, approximate)


def _is_threshold(text: str, start: int, end: int) -> bool:
    if _BOUND_AFTER.match(text, end):
        return True
    if not (named := _CLASS_AFTER.match(text, end)):
        return False
    begin = start - len(_clause_before(text, start, max(0, start - MAX_CONTEXT), _CLAUSE_BREAK_RE))
    finish = _clause_end(text, named.end(), min(len(text), named.end() + MAX_CONTEXT))
    return bool(_POLICY.search(text, begin, start) or _POLICY.search(text, named.end(), finish))


def _units_of(low: str, high: str) -> str | None:
    """The units a bare low end of a range takes from a high end written as one Chinese
    numeral: all after its first digit when the low end is one digit (三至五亿 → 亿, 三到五千万 →
    千万), else its closing 万/亿 (二十至三十亿 → 亿); None when the high end is Arabic, the low end
    has a 万/亿 of its own, or the high end has none."""
    if high[0].isdigit() or "万" in low or "亿" in low:
        return None
    if len(low) == 1 and (low.isdigit() or low in _CN_DIGITS) and high[0] in _CN_DIGITS and len(high) > 1:
        if all(char in _CN_MULTS for char in high[1:]):
            return high[1:]
    big = len(high) - len(high.rstrip("万亿"))
    return high[-big:] if big else None


def _bare_multiplier(token: str) -> bool:
    return len(token) == 1 and token in _CN_MULTS


def _number(match: re.Match, name: str, mult: str | None) -> float | None:
    """The number of part ``name`` of ``match``, times ``mult`` (万, 亿, 千万 …)."""
    # Exact arithmetic on numerator / scale, rounded once to the nearest float (int / int is
    # correctly rounded): 0.07亿 is 7000000.0, not 7000000.000000001.
    token = match[name]
    if len(token) > _MAX_DIGITS or (mult and len(mult) > _MAX_MULTIPLIERS):
        return None  # a hostile run of digits or of 亿亿亿…: read as no amount, and at once
    if token[0].isdigit():
        whole, _, fraction = token.translate(_NO_SEPARATORS).partition(".")
        if len(whole) > 1 and whole[0] == "0":
            return None  # 000万元: a piece of a number split by a space (5 000万元), not 0
        numerator, scale = int(whole + fraction), 10 ** len(fraction)
    else:
        if _MULTIPLIER_RUN.search(token):
            return None  # the same run inside a Chinese numeral (亿亿亿…)
        value = chinese_number(token)
        if value is None:
            return None
        numerator, scale = value.as_integer_ratio()
    for char in mult or "":
        if char != "个":
            numerator *= _MULT_VALUE[char]
    if (tail := match[f"{name}_tail"]) and mult == match[f"{name}_mult"]:
        digits = tail.rstrip(_CN_MULTS)
        part = int(digits) if digits.isdigit() else _CN_DIGIT_VALUE[digits]
        for char in tail[len(digits):]:
            part *= _MULT_VALUE[char]
        # The unit the tail counts below: the multiplier's last, or a Chinese numeral's own
        # (三亿2000万, 一万2千: the numeral ends in the 亿 or 万 the tail follows).
        if part >= _MULT_VALUE[(mult or token)[-1]]:
            return None  # 1亿12000万: no compound number
        numerator += part * scale
    try:
        return numerator / scale
    except OverflowError:
        return None  # beyond a float's range (1亿亿亿… of a hostile page)


# A number written with more characters than this is no amount (a run of digits or numerals in
# a hostile page): beyond a float's range (10^308), and beyond what int() reads from text; nor
# is one with more multipliers than this (万亿 is 2; 1亿亿亿… makes exact arithmetic slow).
_MAX_DIGITS = 300
_NO_SEPARATORS = str.maketrans("", "", "," + _THIN_SPACES)
_MAX_MULTIPLIERS = 8
_MULTIPLIER_RUN = re.compile(f"[{_CN_MULTS}]{{{_MAX_MULTIPLIERS + 1},}}")  # the same inside a Chinese numeral
_CN_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(token: str) -> Decimal | None:
    """A Chinese numeral as a number: 二十 → 20, 三千五百万 → 35000000, 一亿二千万 →
    120000000, 百 → 100, 两千 → 2000, 八点五 → 8.5, 一千零五 → 1005; a last digit right after
    百, 千, 万 or 亿 counts in the next place down, as it is said (三千五 → 3500, 两万五 →
    25000, 一亿五 → 150000000). None when it is no well-formed numeral (二二, 十十).

    (cn2an reads these too, but costs 0.13 s of import in every crawl process and refuses
    两, 〇 and a leading 百 in its strict mode; this is the whole of what amounts need.)
    """
    whole, _, fraction = token.partition("点")
    if fraction and not all(c in _CN_DIGIT_VALUE for c in fraction):
        return None
    total = wan = section = 0
    digit: int | None = None
    previous = ""
    unit_before = 0  # the unit written right before the current digit (百 100, 万 10_000 …), else 0
    for char in whole:
        if char in _CN_DIGIT_VALUE:
            if previous in _CN_DIGIT_VALUE and _CN_DIGIT_VALUE[previous] != 0:
                return None  # 二二: not a numeral (a year or id read digit by digit)
            digit = _CN_DIGIT_VALUE[char]
            unit_before = _MULT_VALUE.get(previous, 0)
        elif char in _SMALL_UNITS:
            if previous in _SMALL_UNITS:
                return None
            section += (1 if digit is None else digit) * _SMALL_UNITS[char]
            digit = None
        elif char == "万":
            level = section + (digit or 0)
            if not level and previous == "亿":
                total *= 10_000  # 亿万 with nothing between: the whole so far, as 1亿万 reads
            else:
                wan = (wan + (level or (0 if wan else 1))) * 10_000  # 万万: 10^8
            section, digit = 0, None
        elif char == "亿":
            level = wan + section + (digit or 0)
            if level or not total:
                total = (total + (level or 1)) * 100_000_000
            else:
                total *= 100_000_000  # 一亿亿: 10^16, not 10^16 + 10^8
            wan = section = 0
            digit = None
        else:
            return None
        previous = char
    if digit and unit_before > 10:
        digit *= unit_before // 10  # 三千五 3500, 两万五 25000, 一亿五 1.5亿: the next place down (not 一千零五)
    value = Decimal(total + wan + section + (digit or 0))
    if fraction:
        value += Decimal("0." + "".join(str(_CN_DIGIT_VALUE[c]) for c in fraction))
    return value


def _amount(text: str, start: int, end: int, values: tuple, previous_end: int, sentence_ends: list[int]) -> Amount:
    low, high, currency, approximate = values
    return Amount(
        value=low,
        value_high=high,
        value_cny=low if currency == "CNY" else None,
        currency=currency,
        value_raw=text[start:end],
        approximate=approximate,
        kind=kind_of(text, start, end, previous_end),
        sentence=sentence_at(text, start, sentence_ends),
        position=start,
    )


def kind_of(text: str, start: int, end: int, previous_end: int = 0) -> str:
    """What the amount at ``text[start:end]`` is, one of ``KINDS``.

    The rule, in order: the nearest ``KIND_WORDS`` word before it in its clause (back to a
    comma, semicolon, colon, space or the previous amount), unless a funds word (奖励, 补贴, 奖补 …)
    after it in its clause stands nearer; else a ``KIND_WORDS_AFTER`` word after it
    in its clause (``2亿元的资金支持`` → funds, ``20亿元光电项目`` → investment; the nearest); else the
    nearest ``KIND_WORDS`` word in the earlier clauses of its sentence (back to 。！？, a
    space or a line break); else ``other``. Spaces right before the amount (``达 35 亿元``) are
    skipped first: they set figures apart, they do not end a clause.
    """
    start = _before_spaces(text, start, previous_end)
    kind, distance = _kind_before(text, start, previous_end, clause_only=True, with_distance=True)
    # With a word before, only a nearer word after can matter: read no further than that.
    clause_end = _clause_end(text, end, min(len(text), end + (MAX_CONTEXT if kind is None else distance + 8)))
    hit = _KIND_AFTER_RE.search(text, end, clause_end)  # the nearest, then the longest
    if kind and not (hit and hit.start() - end < distance and _is_money_word_after(hit)):
        return kind
    if hit:
        return KIND_WORDS_AFTER[hit.group()]
    return _kind_before(text, start, previous_end, clause_only=False) or "other"


def _is_money_word_after(hit: re.Match) -> bool:
    """Whether a word after the amount outweighs a farther one before it in its clause: a funds
    word does (``对投资超过5000万元的项目给予最高200万元奖励``: 奖励 is nearer than 投资)."""
    return KIND_WORDS_AFTER[hit.group()] == "funds"


def _before_spaces(text: str, start: int, previous_end: int) -> int:
    while start > previous_end and text[start - 1] in " \u00a0\u3000":
        start -= 1
    return start


def _clause_before(text: str, start: int, floor: int, breaks: re.Pattern) -> str:
    """``text`` from the last break (``breaks``) before ``start``, not before ``floor``, to
    ``start``: reversed (nearest character first)."""
    reach = text[floor:start][::-1]
    found = breaks.search(reach)
    return reach if found is None else reach[: found.start()]


def _clause_end(text: str, end: int, ceiling: int) -> int:
    """Where the clause from ``end`` stops: its first break, else ``ceiling``."""
    found = _CLAUSE_BREAK_RE.search(text, end, ceiling)
    return ceiling if found is None else found.start()


def _kind_before(text: str, start: int, previous_end: int, *, clause_only: bool, with_distance: bool = False):
    breaks = _CLAUSE_BREAK_RE if clause_only else _KIND_SENTENCE_END_RE
    floor = max(0, start - MAX_CONTEXT, previous_end if clause_only else 0)
    # Searched backwards: the first hit is the word that ends nearest the amount, the longest
    # of those (``税收收入`` over ``收入``).
    hit = _KIND_BEFORE_RE.search(_clause_before(text, start, floor, breaks))
    kind = KIND_WORDS[hit.group()[::-1]] if hit else None
    return (kind, hit.start() if hit else None) if with_distance else kind


def sentence_at(text: str, position: int, sentence_ends: list[int] | None = None) -> str:
    """The sentence around ``position``: back to the previous 。！？ or line break, on to the next
    (kept), at most ``MAX_SENTENCE`` characters either side. ``sentence_ends``: the offsets of
    every 。！？ and line break in ``text``, ascending, when the caller has them (one pass for
    all the amounts of a text)."""
    if sentence_ends is None:
        sentence_ends = [end.start() for end in _SENTENCE_END_RE.finditer(text)]
    floor, ceiling = max(0, position - MAX_SENTENCE), min(len(text), position + MAX_SENTENCE)
    after = bisect_left(sentence_ends, position)  # the first end at or after position
    begin = sentence_ends[after - 1] + 1 if after and sentence_ends[after - 1] >= floor else floor
    if after < len(sentence_ends) and sentence_ends[after] < ceiling:
        end = sentence_ends[after] + (text[sentence_ends[after]] != "\n")
    else:
        end = ceiling
    return text[begin:end].strip()
