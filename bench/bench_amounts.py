"""Money amounts: precision, recall and kind accuracy on the golden table, ours beside jionlp's.

    python bench/bench_amounts.py [--runs 5] [--no-candidate]

Scores ``normalize.amounts.money_amounts`` on ``tests/golden/amounts.tsv`` and, apart,
on the two held-out tables ``amounts_holdout.tsv`` and ``amounts_holdout2.tsv`` (written after
the rules; see their headers for what was changed after scoring them): an amount
counts as found when its value (both ends of a range) and currency match an expected amount of
the same sentence exactly; kind accuracy is over the matched amounts. The candidate is
jionlp's ``ner.extract_money`` (``pip install jionlp``; not a dependency of parknews: ~170 MB
installed), whose ranges and 余/多 amounts come back as [low, high] (either reading is
accepted) and which gives no kind. Also prints the time per sentence, median of ``--runs``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalize.amounts import money_amounts  # noqa: E402
from tests.golden_amounts import HOLDOUT, HOLDOUT2, Score, key_of, load  # noqa: E402

JIONLP_CURRENCIES = {
    "元": "CNY", "人民币": "CNY", "美元": "USD", "欧元": "EUR", "港元": "HKD", "港币": "HKD", "日元": "JPY",
    "英镑": "GBP", "韩元": "KRW", "澳元": "AUD", "新加坡元": "SGD", "泰铢": "THB", "加元": "CAD",
}  # fmt: skip


def ours(sentence: str) -> list[tuple[tuple, str | None]]:
    return [(key_of(a.value, a.value_high, a.currency), a.kind) for a in money_amounts(sentence)]


def jionlp_parser():
    import jionlp

    def parse(sentence: str) -> list[list[tuple]]:
        readings = []
        for entity in jionlp.ner.extract_money(sentence, with_parsing=True):
            detail = entity["detail"]
            currency = JIONLP_CURRENCIES.get(detail["case"], detail["case"])
            num = detail["num"]
            if isinstance(num, list):
                low, high = float(num[0]), float(num[1])
                readings.append([key_of(low, high, currency), key_of(low, None, currency)])
            else:
                readings.append([key_of(float(num), None, currency)])
        return readings

    return parse


def score_candidate(golden, parse) -> Score:
    score = Score()
    for sentence, expected in golden:
        keys = {e.key for e in expected}
        found = [(next((k for k in reading if k in keys), reading[0]), None) for reading in parse(sentence)]
        score.add(expected, found)
    return score


def timed(golden, parse, runs: int) -> float:
    """Median seconds per sentence over ``runs`` passes of the table."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for sentence, _ in golden:
            parse(sentence)
        times.append((time.perf_counter() - started) / len(golden))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-candidate", action="store_true", help="Skip jionlp.")
    args = parser.parse_args()
    candidate = None
    if not args.no_candidate:
        try:
            started = time.perf_counter()
            candidate = jionlp_parser()
            candidate("总投资12亿元")
            print(f"jionlp import and first call: {time.perf_counter() - started:.2f} s")
        except ImportError:
            print("jionlp not installed (pip install jionlp): candidate skipped")
    tables = (
        ("golden table", None),
        ("first held-out table (scored, then its failure kinds fixed)", HOLDOUT),
        ("second held-out table (scored once, rules unchanged)", HOLDOUT2),
    )
    for title, path in tables:
        golden = load(path) if path else load()
        expected = sum(len(e) for _, e in golden)
        print(f"\n{title}: {len(golden)} sentences, {expected} amounts, {sum(1 for _, e in golden if not e)} without any")
        rows = []
        score = Score()
        for sentence, wanted in golden:
            score.add(wanted, ours(sentence))
        rows.append(("parknews", score, timed(golden, ours, args.runs)))
        if candidate:
            rows.append(("jionlp", score_candidate(golden, candidate), timed(golden, candidate, args.runs)))
        print(f"{'parser':10} {'precision':>9} {'recall':>7} {'kind':>6} {'found':>6} {'matched':>7} {'µs/sentence':>12}")
        for name, result, seconds in rows:
            kind = f"{result.kind_accuracy:.3f}" if name == "parknews" else "n/a"
            print(f"{name:10} {result.precision:9.3f} {result.recall:7.3f} {kind:>6} {result.found:6} {result.matched:7} {seconds * 1e6:12.1f}")
        if len(rows) == 2:
            print(f"time ratio jionlp/parknews: {rows[1][2] / rows[0][2]:.1f}x")
    per_article(args.runs)


def per_article(runs: int) -> None:
    """What the archive's write path adds: ``amount_rows`` (title, summary, body) per article."""
    from archive.facts import amount_rows
    from crawler.replay.site import ReplaySite

    articles = ReplaySite().expected()
    times = []
    for _ in range(runs):
        started = time.process_time()
        rows = sum(len(amount_rows(article)) for article in articles)
        times.append(time.process_time() - started)
    print(
        f"\nwrite path: {statistics.median(times) / len(articles) * 1e3:.2f} ms CPU an article for its amount rows "
        f"({len(articles)} replay articles, {rows / len(articles):.0f} amounts each: far more than real articles)"
    )


if __name__ == "__main__":
    main()
