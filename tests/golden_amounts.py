"""The golden table of money amounts (tests/golden/amounts.tsv): loading and scoring.

Used by tests/test_amounts.py (every row exact) and bench/bench_amounts.py (precision, recall
and kind accuracy, ours beside a candidate library's).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "amounts.tsv"
# Written after the rules (see each file's header for what followed their first score).
HOLDOUT = Path(__file__).parent / "golden" / "amounts_holdout.tsv"
HOLDOUT2 = Path(__file__).parent / "golden" / "amounts_holdout2.tsv"


@dataclass(frozen=True)
class Expected:
    value: float
    value_high: float | None
    currency: str
    kind: str
    approximate: bool

    @property
    def key(self) -> tuple:
        """What precision and recall compare: value (both ends) and currency, exactly."""
        return key_of(self.value, self.value_high, self.currency)


def key_of(value: float, value_high: float | None, currency: str) -> tuple:
    return round(value, 2), None if value_high is None else round(value_high, 2), currency


def parse_expected(cell: str) -> list[Expected]:
    if cell.strip() == "-":
        return []
    amounts = []
    for item in cell.split(" ; "):
        value, currency, kind, *rest = item.split()
        low, _, high = value.partition("..")
        amounts.append(Expected(float(low), float(high) if high else None, currency, kind, rest == ["~"]))
    return amounts


def load(path: Path = GOLDEN) -> list[tuple[str, list[Expected]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [(row["sentence"], parse_expected(row["expected"])) for row in csv.DictReader(lines, delimiter="\t")]


@dataclass
class Score:
    found: int = 0
    expected: int = 0
    matched: int = 0
    kinds_right: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.kinds_right / self.matched if self.matched else 0.0

    def add(self, expected: list[Expected], found: list[tuple[tuple, str | None]]) -> None:
        """``found``: (key, kind or None) per amount a parser found in one sentence."""
        self.expected += len(expected)
        self.found += len(found)
        wanted = Counter(e.key for e in expected)
        kinds = {e.key: e.kind for e in expected}
        for key, kind in found:
            if wanted[key] > 0:
                wanted[key] -= 1
                self.matched += 1
                self.kinds_right += kind == kinds[key]
