"""The two shortcuts of ``money_amounts`` change no answer: numbers with no currency word,
万 or 亿 near them are passed over unread (``_ANCHOR``), and every amount's sentence is found
from one list of the text's sentence ends. Each is held to the plain rule it replaces, on the
golden sentences and on texts built at random from the pieces amounts are made of."""

from __future__ import annotations

import random
import re

import pytest

from normalize import amounts
from normalize.amounts import MAX_SENTENCE, money_amounts, sentence_at
from tests.golden_amounts import HOLDOUT, HOLDOUT2, load

PIECES = (
    "总投资", "计划投资", "签约", "项目", "资金", "奖励", "产值", "注册资本", "约", "近", "超过", "过", "上", "不超过",
    "12", "3,500", "0.8", "2025", "420100", "１２", "一", "二十", "三千五百", "两", "百", "十几", "数",
    "万", "亿", "千万", "个", "余", "多", "元", "亿元", "万元", "美元", "港币", "人民币", "RMB", "USD", "USD ", "$", "€",
    "至", "-", "～", "以上", "左右", "的", "级", "元旦", "多元化", "单元",
    "，", "。", "；", "：", "！", " ", "\n", "\u3000", "年", "月", "日", "%", "户", "平方米", "光谷", "武汉",
    # Currency words that hold or share characters of others, and their characters in common words.
    "日元", "港元", "新加坡元", "新元", "元人民币", "US$", "HK$", "￥", "欧元", "台币", "新台币", "人", "新", "金", "台",
    # Runs of numbers and spaces far from any anchor (a table, a code) and close to one.
    "1 2 3 4 5 6 7 8", "12 34 56", "编号123456789", "一二三四五六七八九",
)  # fmt: skip


def random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(count)]


TEXTS = [sentence for sentence, _ in load() + load(HOLDOUT) + load(HOLDOUT2)] + random_texts(3000, seed=14)


def test_passing_over_numbers_without_an_anchor_changes_nothing(monkeypatch):
    found = [money_amounts(text) for text in TEXTS]
    assert sum(map(len, found)) > 1000  # the random texts hold amounts, not only noise
    monkeypatch.setattr(amounts, "_ANCHOR", re.compile(r"[\s\S]"))  # every character an anchor: nothing skipped
    assert [money_amounts(text) for text in TEXTS] == found


def plain_sentence(text: str, position: int) -> str:
    """The rule as first written: back to the last 。！？!? or line break before ``position``
    (at most MAX_SENTENCE characters), on to the next one (kept unless a line break)."""
    begin = position
    while begin > max(0, position - MAX_SENTENCE) and text[begin - 1] not in "。！!？?\n":
        begin -= 1
    end, ceiling = position, min(len(text), position + MAX_SENTENCE)
    while end < ceiling and text[end] not in "。！!？?\n":
        end += 1
    if end < ceiling and text[end] != "\n":
        end += 1
    return text[begin:end].strip()


@pytest.mark.parametrize("seed", range(3))
def test_sentence_at_is_the_plain_rule(seed):
    rng = random.Random(seed)
    long_texts = ["一" * 700 + "。" + "二" * 650, "\n" * 5 + "甲。乙！丙？" * 80]
    for text in random_texts(300, seed) + long_texts:
        for position in {0, len(text), *(rng.randrange(len(text) + 1) for _ in range(5))}:
            assert sentence_at(text, position) == plain_sentence(text, position), (text, position)


def test_text_without_any_anchor_has_no_amount():
    assert money_amounts("2025年，一二三四五六七八九十，1,200户、3.5平方米。" * 200) == []


class CountingPattern:
    """A compiled pattern that counts its ``match`` calls."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern, self.calls = pattern, 0

    def match(self, *args):
        self.calls += 1
        return self.pattern.match(*args)


@pytest.mark.parametrize("separator", [" ", ",", "\n", "-", "至"])
def test_a_long_run_of_numbers_is_read_in_linear_time(monkeypatch, separator):
    """A flattened table (``1 2 3 … 亿元``): the reach of a run of numbers is found once for
    the run, not once for each number in it (which made 40,000 numbers take seconds)."""
    reach = CountingPattern(amounts._NUMBER_REACH)
    monkeypatch.setattr(amounts, "_NUMBER_REACH", reach)
    text = "总投资" + separator.join(["12"] * 5000) + "亿元。" + "人口2025年，" * 100
    found = money_amounts(text)
    assert [a.value_raw for a in found] == ["12亿元"]
    assert reach.calls <= 110  # one for the run, one for each year after it
