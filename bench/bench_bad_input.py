"""Benchmark what the bad-input defences cost, and how the hostile site's crawls end.

    python bench/bench_bad_input.py            # 5 runs each (medians)
    python bench/bench_bad_input.py --runs 3

1. ``query`` limits: a statement scanning a 200,000-row table (a join and an aggregate, ~1 s)
   run through ``archive.query_limits.limited`` (progress handler every 10,000 VM steps,
   authorizer, heap limit), against the baseline: the same statement
   on a plain read-only ``sqlite3`` connection. Median of ``--runs``, and the ratio.
2. Hostile crawls (``tests/hostile_site.py``): each scenario crawled by the real CLI in a
   subprocess (``--delay 0 -s DOWNLOAD_TIMEOUT=3 -s RETRY_TIMES=1``), wall time and peak RSS
   (wait4, from a small parent: ``tests.hostile_site.measured``), median of ``--runs``; against the baseline of the same command on the replay's
   3-page listing (``ReplaySite(pages=3)``).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.query_limits import limited  # noqa: E402
from crawler.replay.server import ReplayServer  # noqa: E402
from crawler.replay.site import ReplaySite  # noqa: E402
from tests.hostile_site import HostileSite, measured  # noqa: E402

QUERY = "SELECT a.k % 97, count(*), sum(length(b.v)) FROM t a JOIN t b ON b.k = a.k GROUP BY 1 ORDER BY 2 DESC"
CRAWL = ["--delay", "0", "--concurrency", "16", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=1", "-s", "RETRY_BACKOFF_BASE=0.05"]


def table(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", ((i, "园区" * (i % 50)) for i in range(200_000)))
    conn.commit()
    conn.close()


def timed_query(path: Path, with_limits: bool) -> float:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    started = time.perf_counter()
    if with_limits:
        with limited(conn, timeout=600, memory_mb=512):
            conn.execute(QUERY).fetchall()
    else:
        conn.execute(QUERY).fetchall()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def measured_crawl(start_url: str, db: Path, *extra: str) -> tuple[float, float, int]:
    code, _, _, seconds, rss_mb = measured([sys.executable, "-m", "cli", "crawl", "--start-url", start_url,
                                            "--db", str(db), *CRAWL, *extra], timeout=600)  # fmt: skip
    return seconds, rss_mb, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "q.db"
        table(path)
        timed_query(path, False)  # warm the page cache
        pairs = [(timed_query(path, False), timed_query(path, True)) for _ in range(args.runs)]  # interleaved
        plain = statistics.median(p for p, _ in pairs)
        bounded = statistics.median(b for _, b in pairs)
        print(f"query limits: {bounded:.3f} s with, {plain:.3f} s without (plain sqlite3): {bounded / plain:.2f}x")

        def crawls(name: str, make_site, *extra: str) -> None:
            figures = []
            for run in range(args.runs):
                with make_site() as site:
                    figures.append(measured_crawl(site.start_url, Path(tmp) / f"{name}-{run}.db", *extra))
            seconds = statistics.median(f[0] for f in figures)
            rss = statistics.median(f[1] for f in figures)
            codes = sorted({f[2] for f in figures})
            print(f"crawl {name:<13} {seconds:6.1f} s  peak RSS {rss:5.0f} MB  exit {codes}")

        crawls("baseline", lambda: ReplayServer(ReplaySite(pages=3)))
        for scenario in ("hostile", "infinite", "lying", "robots_503", "robots_silent"):
            extra = ("-s", "PARKNEWS_MAX_LISTING_PAGES=100") if scenario == "infinite" else ()
            crawls(scenario, lambda scenario=scenario: HostileSite(scenario), *extra)


if __name__ == "__main__":
    main()
