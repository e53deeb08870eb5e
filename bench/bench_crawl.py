"""Crawl benchmark against the local replay (issue 6): speed against a hand-written baseline,
CPU per article and peak memory.

    python bench/bench_crawl.py            # 3 runs each; about 5 minutes on 2 cores
    python bench/bench_crawl.py --quick    # smoke run: 1 run, small sites

1. Full crawl of the 35-page replay with LATENCY per response, ``parknews crawl --delay 0
   --concurrency 16``, against ``bench/baseline_sequential.py`` (requests + BeautifulSoup, one
   request at a time) on the same server: wall time of each subprocess, median of --runs.
2. Larger replays without latency: CPU seconds (user+sys) of the crawl subprocess per archived
   article, and its peak RSS, for each size, to show whether memory grows with the site.

Every crawl is a subprocess with a fresh database; its resources come from ``os.wait4``, so
they are that process's alone (the replay server runs in this process and is not counted).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crawler.replay import ReplayServer, ReplaySite

LATENCY = 0.1
CRAWL = [sys.executable, "-m", "cli", "crawl", "--delay", "0", "--concurrency", "16"]
BASELINE = [sys.executable, str(Path(__file__).with_name("baseline_sequential.py"))]


@dataclass
class Run:
    wall: float
    cpu: float  # user + sys seconds of the subprocess
    peak_rss_mb: float
    articles: int


def measure(command: list[str], output, stderr=subprocess.STDOUT) -> tuple[float, float, float]:
    """Run ``command`` to completion, its stdout (and stderr) to the file ``output``: wall
    seconds, CPU seconds (user + sys of that process alone) and peak RSS in MB. A failed
    command stops the benchmark with the end of its output."""
    started = time.perf_counter()
    # Files, not pipes: a chatty child would fill a pipe nobody reads and hang.
    process = subprocess.Popen(command, stdout=output, stderr=stderr)
    peak_kb = 0
    while True:
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would fold in every earlier run).
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak_kb = max(peak_kb, high_water_kb(process.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        output.flush()
        tail = Path(output.name).read_bytes()[-3000:].decode(errors="replace") if hasattr(output, "name") else ""
        raise SystemExit(f"{' '.join(command)} exited {os.waitstatus_to_exitcode(status)}:\n{tail}")
    return wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024


def run(command: list[str], db: Path) -> Run:
    """Run a crawl ``command`` (its output to a file next to ``db``) and count what it archived."""
    with db.with_suffix(".log").open("wb") as output:
        wall, cpu, peak_mb = measure(command, output)
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return Run(wall, cpu, peak_mb, articles)


def high_water_kb(pid: int) -> int:
    """The process's peak RSS so far (VmHWM). Not ru_maxrss: that counts the memory of this
    benchmark process, copied into the child at fork, before the child execs the crawler."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


def crawl(server: ReplayServer, workdir: Path, name: str) -> Run:
    db = workdir / f"{name}.db"
    return run([*CRAWL, "--start-url", server.start_url, "--db", str(db)], db)


def baseline(server: ReplayServer, workdir: Path, name: str) -> Run:
    db = workdir / f"{name}.db"
    return run([*BASELINE, server.start_url, str(db)], db)


def warm(site: ReplaySite, server: ReplayServer) -> float:
    """Render every page once, so the crawl measures the crawler and not the replay's rendering."""
    started = time.perf_counter()
    paths = [site.listing_path(n) for n in range(1, site.page_count + 1)]
    for path in paths + [site.detail_path(i) for i in site.listed_ids()]:
        site.respond(path, server.base_url)
    return time.perf_counter() - started


CONCURRENCY = 16  # CRAWL's --concurrency


def requests_made(db: Path) -> int:
    """HTTP requests of the crawl into ``db`` (robots.txt and retries included), from its run log."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT requests FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0]


def startup(workdir: Path, runs: int) -> float:
    """Wall seconds of the smallest crawl (one listing page, one article, no latency): the
    interpreter, imports, Scrapy's engine, the archive, three requests, the summary."""
    site = ReplaySite(seed=0, pages=1, per_page=1)
    with ReplayServer(site) as server:
        warm(site, server)
        return statistics.median(crawl(server, workdir, f"startup-{i}").wall for i in range(runs))


def speed(pages: int, runs: int, workdir: Path) -> None:
    site = ReplaySite(seed=0, pages=pages)
    expected = len(site.listed_ids())
    with ReplayServer(site, latency=LATENCY) as server:
        warm(site, server)
        crawls, baselines = [], []
        for i in range(runs):  # interleaved: the machine's load falls on both alike
            crawls.append(crawl(server, workdir, f"speed-crawl-{i}"))
            baselines.append(baseline(server, workdir, f"speed-baseline-{i}"))
    requests = requests_made(workdir / f"speed-crawl-{runs - 1}.db")
    started = startup(workdir, runs)
    print(f"\n1. Full crawl: {pages} pages, {expected} articles, {LATENCY * 1000:.0f} ms latency per response, "
          f"median of {runs} run(s)")
    print(f"   {'':<34}{'wall s':>8}{'runs (s)':>28}{'articles':>10}")
    for label, results in (("parknews crawl (concurrency 16)", crawls), ("baseline (requests + bs4, seq.)", baselines)):
        walls = " ".join(f"{r.wall:.2f}" for r in results)
        print(f"   {label:<34}{statistics.median(r.wall for r in results):>8.2f}  {walls:>26}"
              f"{min(r.articles for r in results):>10}")
    ours = statistics.median(r.wall for r in crawls)
    ratio = statistics.median(r.wall for r in baselines) / ours
    print(f"   speed-up: {ratio:.1f}x (goal >= 10x)")
    floor = requests / CONCURRENCY * LATENCY + started
    print(f"   latency floor: {requests} requests / {CONCURRENCY} x {LATENCY:.1f} s + start-up {started:.2f} s "
          f"(smallest crawl, no latency) = {floor:.2f} s; the crawl takes {ours / floor:.2f}x the floor (goal <= 1.5x)")
    if any(r.articles != expected for r in crawls + baselines):
        print(f"   WARNING: a run archived fewer than the {expected} listed articles")


def footprint(sizes: list[int], workdir: Path) -> None:
    print("\n2. Crawl without latency: CPU per archived article and peak RSS of the crawl process")
    print(f"   {'articles':>8}{'site gen s':>11}{'render s':>10}{'wall s':>8}{'CPU s':>8}"
          f"{'CPU ms/article':>16}{'peak RSS MB':>13}")
    results = []
    for articles in sizes:
        started = time.perf_counter()
        site = ReplaySite(seed=0, pages=articles // 10, per_page=10)
        generated = time.perf_counter() - started
        with ReplayServer(site) as server:
            rendered = warm(site, server)
            result = crawl(server, workdir, f"footprint-{articles}")
        results.append(result)
        print(f"   {result.articles:>8}{generated:>11.1f}{rendered:>10.1f}{result.wall:>8.1f}{result.cpu:>8.1f}"
              f"{result.cpu / result.articles * 1000:>16.2f}{result.peak_rss_mb:>13.0f}")
    if len(results) > 1:
        first, last = results[0], results[-1]
        marginal = (last.cpu - first.cpu) / (last.articles - first.articles) * 1000
        growth = (last.peak_rss_mb - first.peak_rss_mb) / (last.articles - first.articles) * 1000
        print(f"   marginal CPU per article (startup excluded): {marginal:.2f} ms (bench_floor.py sets the total beside the floor)")
        print(f"   RSS growth: {growth:.1f} MB per 1000 articles (goal: flat; peak <= 250 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run, 5 listing pages, 500/1000 articles")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["speed", "footprint"], help="run one part only")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        if args.only != "footprint":
            speed(5 if args.quick else 35, runs, Path(tmp))
        if args.only != "speed":
            footprint([500, 1000] if args.quick else [2500, 5000, 10000], Path(tmp))


if __name__ == "__main__":
    main()
