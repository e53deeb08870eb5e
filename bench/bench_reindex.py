"""Benchmark ``parknews reindex``: articles per second, against the reindex it replaced.

    python bench/bench_reindex.py --n 100000 --runs 3

An archive of ``--n`` generated articles is built once (``bench_archive.build``: ~800 Chinese
characters each) and upgraded (``open_archive``: its repost index filled, untimed). Then, ``--runs`` times each, median reported:

- ``parknews reindex --db DB`` as a subprocess (interpreter start included): the new index is
  built beside the old one in transactions of ``fts.REBUILD_CHUNK`` articles, then swapped in;
- the baseline, the reindex before issue #10, in this process: ``delete-all``, every article
  inserted, ``optimize``, all in one transaction (readers saw an empty index meanwhile).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive import fts  # noqa: E402
from archive.db import open_archive, transaction  # noqa: E402
from bench.bench_archive import build, vocabulary  # noqa: E402


def baseline_reindex(path: Path) -> float:
    """The reindex before issue #10, timed."""
    db = open_archive(path)
    started = time.perf_counter()
    with transaction(db):
        db.execute(f"INSERT INTO [{fts.FTS_TABLE}]([{fts.FTS_TABLE}]) VALUES ('delete-all')")
        fts._insert(db, db.execute(f"SELECT detail_id, {', '.join(fts.COLUMNS)} FROM articles"))
        db.execute(f"INSERT INTO [{fts.FTS_TABLE}]([{fts.FTS_TABLE}]) VALUES ('optimize')")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def count(path: Path) -> int:
    db = open_archive(path)
    try:
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        db.close()


def cli_reindex(path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "cli", "reindex", "--db", str(path)],
                            capture_output=True, text=True)  # fmt: skip
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"reindex failed ({result.returncode}): {result.stderr}")
    return seconds, result.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles to generate")
    parser.add_argument("--db", type=Path, default=Path("/tmp/parknews-bench-reindex.db"), help="archive to (re)create")
    parser.add_argument("--runs", type=int, default=3, help="runs of each reindex (median reported)")
    parser.add_argument("--baseline-runs", type=int, default=None, help="runs of the baseline (default: --runs)")
    parser.add_argument("--no-baseline", action="store_true", help="time only parknews reindex")
    parser.add_argument("--reuse", action="store_true", help="reuse --db if it holds --n articles (a reindex leaves them as they were)")
    args = parser.parse_args()

    if args.reuse and args.db.exists() and count(args.db) == args.n:
        print(f"reusing the archive of {args.n:,} articles at {args.db}", flush=True)
    else:
        rng = random.Random(20261130)
        words, weights = vocabulary(rng)
        print(f"building an archive of {args.n:,} articles at {args.db} ...", flush=True)
        build(args.db, args.n, rng, words, weights)
    open_archive(args.db).close()  # the upgrade's backfills (repost index ...) are not timed

    new = []
    for run in range(args.runs):
        seconds, line = cli_reindex(args.db)
        new.append(seconds)
        print(f"  parknews reindex, run {run + 1}: {seconds:.1f} s  [{line}]", flush=True)
    median_new = statistics.median(new)
    print(f"parknews reindex: median {median_new:.1f} s, {args.n / median_new:,.0f} articles/s")
    if args.no_baseline:
        return
    old = []
    for run in range(args.baseline_runs or args.runs):
        old.append(baseline_reindex(args.db))
        print(f"  baseline (delete-all + insert + optimize, one transaction), run {run + 1}: {old[-1]:.1f} s", flush=True)
    median_old = statistics.median(old)
    print(f"baseline: median {median_old:.1f} s, {args.n / median_old:,.0f} articles/s")
    print(f"ratio: parknews reindex takes {median_new / median_old:.2f}x the baseline's time")


if __name__ == "__main__":
    main()
