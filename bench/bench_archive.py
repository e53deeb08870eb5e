"""Benchmark the archive at scale: insert (with the full-text index), search, CSV export, size.

    python bench/bench_archive.py --n 1000000 --db /tmp/bench.db
    python bench/bench_archive.py --db /tmp/bench.db --reuse        # search and export again

Articles are generated from a made-up vocabulary of Chinese words with Zipf-like frequencies,
bodies of about 800 characters, and loaded as a bulk import would be: 10,000 articles a
transaction, synchronous=OFF, a 1 GB page cache (the crawl itself keeps synchronous=NORMAL).
Every 20th article is marked a repost of the one before (5%; search leaves reposts out).
Search latencies are for ``archive.search.search`` with limit 20 (snippets included), for 2-
and 4-character words of high, middle and low frequency, warm (after one untimed pass), p50
and p95; beside them the same queries with every match ranked by FTS5's bm25 (no
``RANK_WINDOW``), and how many of the first 20 the two rankings share. The cold figure is a
first query in a fresh process (``parknews search WORD``, whole command; the OS may still
hold the file's pages).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import fts  # noqa: E402
from archive.db import open_archive, open_archive_readonly, transaction  # noqa: E402
from archive.export import article_rows, write_export  # noqa: E402
from archive.search import RANK_WINDOW  # noqa: E402

HAN = [chr(code) for code in range(0x4E00, 0x4E00 + 3500)]
REGIONS = [("武汉", "武汉市"), ("汉阳区", "武汉市"), ("宜昌", "宜昌市"), ("襄阳", "襄阳市"), ("光谷", "武汉市")]
REPOST_EVERY = 20  # every 20th article a repost: an assumed share, the live site's is unknown
BATCH = 10_000  # articles per transaction: FTS5 writes one index segment per commit
# A bulk load that may lose the file on a power cut, as a benchmark may (the crawl keeps NORMAL).
BULK_LOAD_PRAGMAS = ("PRAGMA synchronous = OFF", "PRAGMA cache_size = -1000000")


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Words, and their cumulative weights (Zipf-like: the first words are the most frequent)."""
    words = list(dict.fromkeys("".join(rng.choices(HAN, k=rng.choice((2, 2, 2, 3, 4)))) for _ in range(size)))
    weights = [1 / (rank + 10) for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))  # cumulative: choices() is then O(log n)


def article(rng, words, weights, detail_id: int) -> dict:
    sentences = ["".join(rng.choices(words, cum_weights=weights, k=12)) + "。" for _ in range(30)]
    body = "".join(sentences)[:800]
    region, city = REGIONS[detail_id % len(REGIONS)]
    return {
        "detail_id": detail_id, "title": "".join(rng.choices(words, cum_weights=weights, k=6)), "summary": body[:120],
        "body": body, "region_tag": region, "province": "湖北省", "city": city,
        "published_date": f"{2015 + detail_id % 10}-{1 + detail_id % 12:02d}-{1 + detail_id % 28:02d}",
        "url": f"https://hubei.010b.com/info/detail/{detail_id}.html",
    }  # fmt: skip


def build(path: Path, n: int, rng, words, weights) -> dict:
    if path.exists():
        path.unlink()
    db = open_archive(path)
    for pragma in BULK_LOAD_PRAGMAS:
        db.execute(pragma)
    columns = list(article(random.Random(0), words, weights, 0))  # its keys, in order
    insert = f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    generating = indexing = storing = 0.0
    for start in range(0, n, BATCH):
        t0 = time.perf_counter()
        rows = [article(rng, words, weights, i) for i in range(start + 1, min(n, start + BATCH) + 1)]
        t1 = time.perf_counter()
        with transaction(db):  # as the archive writer does: index, then store, in one transaction
            fts.index_articles(db, rows)
            t2 = time.perf_counter()
            db.conn.executemany(insert, [tuple(row.values()) for row in rows])
        t3 = time.perf_counter()
        generating, indexing, storing = generating + t1 - t0, indexing + t2 - t1, storing + t3 - t2
    with db.conn:
        db.execute(f"UPDATE articles SET duplicate_of = detail_id - 1 WHERE detail_id % {REPOST_EVERY} = 0")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return {"insert_per_s": n / (indexing + storing), "index_per_s": n / indexing, "store_per_s": n / storing,
            "generate_s": generating}  # fmt: skip


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_search(path: Path, words: list[str], repeats: int) -> dict:
    """Per band: (p50, p95) with the ranking window (the total counted up to
    ``TOTAL_COUNTED_UP_TO``, as ``parknews search`` does), (p50, p95) of the same with every
    match counted (``--count``), (p50, p95) ranking every match, the mean number of the first
    20 the window and all-ranked share, and the mean total of matches (counted exactly)."""
    from archive import search as search_module

    db = open_archive_readonly(path)
    results = {}
    for length in (2, 4):
        sized = [w for w in words if len(w) == length]
        for band, picks in (("frequent", sized[:10]), ("middle", sized[1000:1010]), ("rare", sized[-10:])):
            timings: dict[str, list[float]] = {"window": [], "counted": [], "all": []}
            firsts: dict[str, dict[str, list[int]]] = {"window": {}, "counted": {}, "all": {}}
            totals = []
            for ranking in ("window", "counted", "all"):
                window = search_module.RANK_WINDOW
                if ranking == "all":
                    search_module.RANK_WINDOW = 1 << 62
                try:
                    for run in range(repeats + 1):  # the first pass warms the caches, untimed
                        for word in picks:
                            t0 = time.perf_counter()
                            page = search_module.search_page(db, word, limit=20, exact_total=ranking != "window")
                            hits = [hit["detail_id"] for hit in page.hits]
                            if run:
                                timings[ranking].append((time.perf_counter() - t0) * 1000)
                            firsts[ranking][word] = hits
                            if ranking == "counted":
                                totals.append(page.total)
                finally:
                    search_module.RANK_WINDOW = window
            shared = [len(set(firsts["window"][w]) & set(firsts["all"][w])) for w in picks]
            results[f"{length}-char {band}"] = (
                statistics.median(timings["window"]), percentile(timings["window"], 0.95),
                statistics.median(timings["counted"]), percentile(timings["counted"], 0.95),
                statistics.median(timings["all"]), percentile(timings["all"], 0.95),
                statistics.mean(shared), statistics.mean(totals),
            )  # fmt: skip
    return results


def cold_search(path: Path, word: str) -> float:
    """Seconds of a whole ``parknews search WORD`` in a fresh process (the first query)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli", "search", word, "--db", str(path)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - t0


def bench_export(path: Path, repeats: int) -> float:
    db = open_archive_readonly(path)
    rates = []
    for _ in range(repeats):
        out = path.with_suffix(".csv")
        t0 = time.perf_counter()
        columns, rows, _ = article_rows(db)  # CSV, reposts left out, as `parknews export` does
        count = write_export(out, columns, rows)
        rates.append(count / (time.perf_counter() - t0))
        out.unlink()
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles to generate")
    parser.add_argument("--db", type=Path, default=Path("/tmp/parknews-bench.db"), help="archive to (re)create")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each search and export (median reported)")
    parser.add_argument("--reuse", action="store_true", help="search and export the archive at --db as it is")
    args = parser.parse_args()
    rng = random.Random(7)
    words, weights = vocabulary(rng)
    if args.reuse and args.db.exists():
        with sqlite3.connect(args.db) as conn:
            args.n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        print(f"reusing {args.n:,} articles in {args.db}", flush=True)
    else:
        print(f"building {args.n:,} articles in {args.db}", flush=True)
        built = build(args.db, args.n, rng, words, weights)
        print(f"insert incl. FTS: {built['insert_per_s']:,.0f} articles/s "
              f"(index alone {built['index_per_s']:,.0f}/s, articles table alone {built['store_per_s']:,.0f}/s)")  # fmt: skip
    size = os.path.getsize(args.db)
    print(f"on disk: {size / 1e6:,.0f} MB, {size / args.n:,.0f} bytes per article")
    sized = [w for w in words if len(w) == 2]
    print(f"cold first query (fresh process, whole command): {cold_search(args.db, sized[-1]):.2f} s rare, "
          f"{cold_search(args.db, sized[0]):.2f} s frequent", flush=True)
    print(f"search, ms, warm; window = newest {RANK_WINDOW:,} ranked (archive.search.RANK_WINDOW), all = FTS5 bm25 over every match")
    print(f"{'':16}{'matches':>9}{'window p50':>12}{'p95':>8}{'--count p50':>13}{'p95':>8}{'all p50':>10}{'p95':>8}"
          f"{'same top-20':>13}")
    for name, (p50, p95, c50, c95, all50, all95, shared, total) in bench_search(args.db, words, args.repeats).items():
        print(f"{name:16}{total:9,.0f}{p50:12.1f}{p95:8.1f}{c50:13.1f}{c95:8.1f}{all50:10.1f}{all95:8.1f}{shared:13.1f}")
    print(f"CSV export: {bench_export(args.db, args.repeats):,.0f} rows/s")


if __name__ == "__main__":
    main()
