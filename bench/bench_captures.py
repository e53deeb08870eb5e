"""Capture compression: CPU milliseconds a page and bytes kept, for the archive's writer
beside the standard library's zlib (the baseline: level 1, what parknews used before, and 6,
zlib's default).

    python bench/bench_captures.py [--pages 2000] [--runs 5]

The pages are the replay's (``ReplaySite(seed=0)``: listing and detail pages as the crawl
fetches them), rendered in this process. Every candidate writes a zlib stream (RFC 1950), which
the standard library's ``zlib.decompress`` reads back; this is checked for every page. Prints
the median over ``--runs`` of the process CPU time a page, the compressed size as a share of
the raw bytes, and each figure as a ratio against ``zlib`` level 1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.store import CAPTURE_ZLIB_LEVEL, compress_capture  # noqa: E402
from crawler.replay import ReplaySite  # noqa: E402

BASE_URL = "http://127.0.0.1:8000"


def replay_pages(count: int) -> list[bytes]:
    """``count`` pages of the replay, one listing page to every ten detail pages."""
    site = ReplaySite(seed=0, pages=max(1, count // 11), per_page=10)
    paths = [site.listing_path(page) for page in range(1, site.page_count + 1)]
    paths += [site.detail_path(detail_id) for detail_id in site.listed_ids()]
    return [site.respond(path, BASE_URL).body for path in paths][:count]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    pages = replay_pages(args.pages)
    raw = sum(map(len, pages))
    candidates = {
        "zlib level 1 (baseline)": lambda body: zlib.compress(body, 1),
        "zlib level 6": lambda body: zlib.compress(body, 6),
        f"parknews (level {CAPTURE_ZLIB_LEVEL})": compress_capture,
    }
    print(f"{len(pages):,} replay pages, {raw / len(pages) / 1024:.1f} KiB each; median of {args.runs} runs")
    results = {}
    for name, compress in candidates.items():
        times = []
        for _ in range(args.runs):
            started = time.process_time()
            streams = [compress(body) for body in pages]
            times.append(time.process_time() - started)
        if any(zlib.decompress(stream) != body for stream, body in zip(streams, pages)):
            sys.exit(f"{name}: a stream zlib does not read back")
        results[name] = (statistics.median(times) * 1000 / len(pages), sum(map(len, streams)) / raw)
    base_ms, base_share = results["zlib level 1 (baseline)"]
    for name, (ms, share) in results.items():
        print(f"  {name:26s} {ms:.3f} ms a page ({ms / base_ms:.2f}x)   {100 * share:.1f}% of the raw bytes "
              f"({share / base_share:.3f}x)")


if __name__ == "__main__":
    main()
