"""Money amounts in article text: the golden table, row by row, and the rules it rests on."""

from __future__ import annotations

import pytest

from normalize.amounts import KINDS, money_amounts
from tests.golden_amounts import HOLDOUT, HOLDOUT2, load

GOLDEN = load()
# The held-out tables, once scored, guard against regressions like the main one.
EVERY_ROW = GOLDEN + load(HOLDOUT) + load(HOLDOUT2)


def test_the_golden_table_is_large_and_covers_every_kind():
    assert len(GOLDEN) >= 200
    kinds = {e.kind for _, expected in GOLDEN for e in expected}
    assert kinds == set(KINDS)
    assert sum(1 for _, expected in GOLDEN if not expected) >= 40  # traps: no amount at all


@pytest.mark.parametrize("sentence, expected", EVERY_ROW, ids=[s[:24] for s, _ in EVERY_ROW])
def test_golden_sentence(sentence, expected):
    found = money_amounts(sentence)
    got = [(round(a.value, 2), a.value_high and round(a.value_high, 2), a.currency, a.kind, a.approximate) for a in found]
    want = [(e.value, e.value_high, e.currency, e.kind, e.approximate) for e in expected]
    assert got == want


def test_fields_of_an_amount():
    text = "为推动项目落地，光谷签约项目12个。其中外资项目总投资近5000万美元，年产值10至15亿元。"
    investment, output = money_amounts(text)
    assert investment.value_raw == "近5000万美元" and text[investment.position:].startswith("近5000万美元")
    assert investment.value == 50_000_000 and investment.value_cny is None and investment.currency == "USD"
    assert investment.approximate and investment.kind == "investment"
    assert investment.sentence == "其中外资项目总投资近5000万美元，年产值10至15亿元。"
    assert (output.value, output.value_high, output.value_cny) == (1e9, 1.5e9, 1e9)
    assert output.value_raw == "10至15亿元" and output.kind == "output" and not output.approximate


def test_positions_hold_for_full_width_text():
    text = "签约金额１２０亿元，总投资３．５亿元。"
    assert [text[a.position:a.position + len(a.value_raw)] for a in money_amounts(text)] == ["１２０亿元", "３．５亿元"]


@pytest.mark.parametrize("text", ["", None, "亿元", "。。。", "1" * 5000, "元" * 100, "总投资5 000万元", "投资05亿元",
                                  "投资12\u200934万元", "投资0\u2009500万元"])
def test_odd_text_gives_no_amount(text):
    assert money_amounts(text) == []


def test_a_long_body_is_read_in_linear_time():
    body = "据统计，园区引进项目12个，实际到位资金35.6亿元，同比增长12.5%。" * 2000
    assert len(money_amounts(body)) == 2000


@pytest.mark.parametrize(
    "numeral, value",
    [("二十", 20), ("十五", 15), ("百", 100), ("两千", 2000), ("三千五百万", 35_000_000), ("一亿二千万", 120_000_000),
     ("万亿", 10**12), ("一千零五", 1005), ("八点五", 8.5), ("二二", None), ("十十", None), ("二〇二五", None),
     # a last digit right after its unit counts in the next place down, as it is said
     ("一亿五", 150_000_000), ("两万五", 25_000), ("三千五", 3500), ("一百五", 150), ("二十五", 25), ("一万零五", 10_005),
     # a multiplier right after 亿 or 万 multiplies all that came before it, as 1亿亿 and 1万万 read
     ("一亿亿", 10**16), ("亿亿", 10**16), ("万万", 10**8), ("三千万万", 3 * 10**11), ("十亿万", 10**13), ("一万亿", 10**12)],
)
def test_chinese_numerals(numeral, value):
    from normalize.amounts import chinese_number

    assert chinese_number(numeral) == value


def test_text_without_punctuation_reads_each_amount_in_its_neighbourhood():
    # Each amount reads at most MAX_CONTEXT characters around it, so this takes well under a
    # second (bench-free check: a whole-text scan per amount would take minutes here).
    amounts = money_amounts("总投资1亿元建设" * 20000)
    assert len(amounts) == 20000 and {a.kind for a in amounts} == {"investment"}
    assert max(len(a.sentence) for a in amounts) <= 601


@pytest.mark.parametrize(
    "body", ["一二三四五六七八九十百千万亿" * 10000 + "元", "1,2,3,4,5,6,7,8,9" * 10000 + "亿元", "近约超逾多余" * 20000]
)
def test_runs_of_numerals_and_markers_are_not_amounts(body):
    assert [a.value_raw for a in money_amounts(body)] in ([], ["9亿元"])


@pytest.mark.parametrize(
    "text, raw, value, currency, approximate",
    [
        ("总投资1亿2千万元。", "1亿2千万元", 120_000_000, "CNY", False),
        ("给予1万2千元补助", "1万2千元", 12_000, "CNY", False),
        ("总投资3.5亿美元（约合人民币25亿元）", "约合人民币25亿元", 2.5e9, "CNY", True),
        ("投资额USD 500万", "USD 500万", 5e6, "USD", False),
        ("总投资12.5亿RMB", "12.5亿RMB", 1.25e9, "CNY", False),
        ("出资¥300万", "¥300万", 3e6, "CNY", False),
        # a space between the marker and the number still marks it approximate
        ("总投资约 5亿元", "约 5亿元", 5e8, "CNY", True),
        ("投资近\u300010亿元", "近\u300010亿元", 1e9, "CNY", True),
        ("签约 5亿元", "5亿元", 5e8, "CNY", False),
        # thousands set off by thin spaces (GB/T 15835)
        ("总投资5\u2009000万元", "5\u2009000万元", 5e7, "CNY", False),
        ("投资3\u2009亿元", "3\u2009亿元", 3e8, "CNY", False),
        ("合同金额1\u202f234\u202f567.5元", "1\u202f234\u202f567.5元", 1234567.5, "CNY", False),
    ],
)
def test_compounds_and_currencies_before_or_after(text, raw, value, currency, approximate):
    (amount,) = [a for a in money_amounts(text) if a.value_raw == raw]
    assert text[amount.position:].startswith(raw)
    assert (amount.value, amount.currency, amount.approximate) == (value, currency, approximate)


@pytest.mark.parametrize("text", ["总投资1亿12000万元", "人民币汇率", "USD", "$"])
def test_no_compound_past_its_unit_and_no_bare_currency(text):
    assert [a.value_raw for a in money_amounts(text)] in ([], ["12000万元"])


@pytest.mark.parametrize(
    "text, value, raw",
    [
        ("总投资三亿2000万元", 320_000_000, "三亿2000万元"),  # a Chinese numeral's own 亿, then a lower part
        ("总投资十亿5000万元", 1_050_000_000, "十亿5000万元"),
        ("奖励一万2千元", 12_000, "一万2千元"),
        ("总投资3亿2000万元", 320_000_000, "3亿2000万元"),
    ],
)
def test_a_compound_after_a_chinese_numeral(text, value, raw):
    """Found by the random texts of test_amounts_anchors: a lower part after a numeral that
    ends in its own 亿/万 (no separate multiplier) made the reader fail on the whole text."""
    (amount,) = money_amounts(text)
    assert (amount.value, amount.value_raw) == (value, raw)



@pytest.mark.parametrize(
    "text, low, high, currency",
    [
        ("投资三至五亿元", 3e8, 5e8, "CNY"),  # the low end takes the high end's 亿
        ("约二至三亿美元", 2e8, 3e8, "USD"),
        ("签约三到五千万元", 3e7, 5e7, "CNY"),  # … or 千万: all after its first digit
        ("总投资3到五千万元", 3e7, 5e7, "CNY"),
        ("总投资二十至三十亿元", 2e9, 3e9, "CNY"),  # a low end with 十 of its own takes the 亿 only
        ("三千至五千万元", 3e7, 5e7, "CNY"),
        ("一亿至三亿元", 1e8, 3e8, "CNY"),  # its own 亿: nothing borrowed
        ("3至5亿元", 3e8, 5e8, "CNY"),
    ],
)
def test_a_range_written_in_chinese_numerals_reads_both_ends_in_the_same_unit(text, low, high, currency):
    (amount,) = money_amounts(text)
    assert (amount.value, amount.value_high, amount.currency) == (low, high, currency)


@pytest.mark.parametrize(
    "text, value, currency, raw",
    [
        ("签约5000万 美元", 5e7, "USD", "5000万 美元"),  # a space between the multiplier and the currency word
        ("投资500万 USD", 5e6, "USD", "500万 USD"),
        ("签约5000万\u3000美元。", 5e7, "USD", "5000万\u3000美元"),
        ("总投资12亿 元旦前开工", 1.2e9, "CNY", "12亿"),  # 元旦 is no currency, spaced or not
        ("总投资一亿五，", 1.5e8, "CNY", "一亿五"),  # said as written: 1.5亿
        ("每户补贴两万五，", 2.5e4, "CNY", "两万五"),
    ],
)
def test_spaced_currency_words_and_spoken_numerals(text, value, currency, raw):
    (amount,) = money_amounts(text)
    assert (amount.value, amount.currency, amount.value_raw) == (value, currency, raw)


@pytest.mark.parametrize(
    "text",
    ["1" * 400 + "万元", "投资" + "9" * 301 + "元", "1" + "亿" * 40 + "元", "0." + "0" * 350 + "1万元",
     "1" + "亿" * 5000 + "元", "一" + "亿" * 5000 + "元", "九" + "千" * 5000 + "元", "1" + "亿" * 9 + "元",
     "一" + "亿" * 9 + "元", "亿" * 9 + "元", "5" + "万" * 9 + "元"],
)
def test_no_amount_beyond_a_float(text):
    """A run of hundreds of digits, or 亿 upon 亿, is no sum of money: no amount, and no inf
    (and it is refused before exact arithmetic on a number of thousands of digits)."""
    assert money_amounts(text) == []


def test_values_are_exact_decimals_rounded_once():
    """0.07亿 is 7000000.0 (not 7000000.000000001, as 0.07 * 1e8 is in floats)."""
    assert 0.07 * 1e8 != 7e6
    amounts = money_amounts("产值1.1万元，投资0.07亿元，1亿2000万元，3541.07万元")
    assert [amount.value for amount in amounts] == [11000.0, 7e6, 1.2e8, 35410700.0]
