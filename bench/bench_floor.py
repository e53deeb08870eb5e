"""The yardstick for the crawl's CPU cost: a minimal Scrapy spider of our own, run interleaved
with ``parknews crawl`` on the same replay, CPU milliseconds per archived article for both.

    python bench/bench_floor.py                    # 10,000 articles, 3 runs of each, interleaved
    python bench/bench_floor.py --articles 2000 --runs 1

The floor spider does the least any Scrapy crawler of this site must: it walks the listing's
pages (links to ``/page/N``), follows each entry's link to its detail page, reads the title,
the 发布日期 date and the paragraphs with parsel (Scrapy's own selectors), and writes one
row per article and one zlib-compressed capture of every page to SQLite, 50 articles a
transaction. It has none of parknews's features: no HTML5 parse, no structure-based
extraction, no normalisation, regions, reposts, full-text index, run log, versions or
incremental state. What ``parknews crawl`` spends above it is the price of those features.

Both run as subprocesses with the same Scrapy settings that matter for cost (``--delay 0``,
16 concurrent requests, no AutoThrottle, no telnet console) against one warmed replay
(``ReplaySite(seed=0)``, 10 articles a listing page, no latency) served by this process;
CPU is user + sys of the crawl process (``os.wait4``), so the server is not counted.
Prints each run, the medians, and parknews ÷ floor. Goal (issue 14): parknews ≤ 5.0 ms an
article at 10,000 articles.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

BATCH = 50
DETAIL_ID = re.compile(r"/detail/(\d+)\.html")
LISTING_PAGE = re.compile(r"/info/\d+/page/\d+$")
DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
SCHEMA = (
    "CREATE TABLE articles (detail_id INTEGER PRIMARY KEY, url TEXT, title TEXT, published_date TEXT, body TEXT)",
    "CREATE TABLE captures (id INTEGER PRIMARY KEY, url TEXT, status INTEGER, body_sha1 TEXT)",
    "CREATE TABLE capture_bodies (sha1 TEXT PRIMARY KEY, body BLOB)",
)


def floor_spider_main(start_url: str, db_path: str) -> None:
    """Run the minimal spider (in this process) from ``start_url`` into ``db_path``."""
    import hashlib

    import scrapy
    from scrapy.crawler import CrawlerProcess

    class FloorSpider(scrapy.Spider):
        name = "floor"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.base = start_url.split("/info/")[0]
            self.seen: set[str] = set()
            self.db = sqlite3.connect(db_path)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            for statement in SCHEMA:
                self.db.execute(statement)
            self.pending: list[tuple] = []

        async def start(self):
            yield scrapy.Request(start_url, callback=self.parse_listing)

        def capture(self, response) -> None:
            sha1 = hashlib.sha1(response.body).hexdigest()
            self.db.execute("INSERT OR IGNORE INTO capture_bodies VALUES (?, ?)", (sha1, zlib.compress(response.body)))
            self.db.execute("INSERT INTO captures (url, status, body_sha1) VALUES (?, ?, ?)",
                            (response.url, response.status, sha1))  # fmt: skip

        def parse_listing(self, response):
            self.capture(response)
            # The replay's classic theme: entries in ul.news, pager links in div.pager; sidebars left out.
            for href in response.css("ul.news li > a::attr(href), div.pager a::attr(href)").getall():
                url = response.urljoin(href).split("#")[0].split("?")[0]
                if match := DETAIL_ID.search(url):
                    canonical = f"{self.base}/info/detail/{match.group(1)}.html"
                    if canonical not in self.seen:
                        self.seen.add(canonical)
                        yield scrapy.Request(canonical, callback=self.parse_detail)
                elif match := LISTING_PAGE.search(url):
                    canonical = self.base + match.group()  # the replay links some pages through localhost
                    if canonical not in self.seen:
                        self.seen.add(canonical)
                        yield scrapy.Request(canonical, callback=self.parse_listing)

        def parse_detail(self, response):
            self.capture(response)
            title = response.css("h1::text").get() or response.css("title::text").get() or ""
            date = DATE.search(" ".join(response.xpath("//span//text()").getall()))
            body = "\n".join(" ".join(p.split()) for p in response.css("p::text").getall() if p.strip())
            detail_id = int(DETAIL_ID.search(response.url).group(1))
            published = f"{date[1]}-{int(date[2]):02d}-{int(date[3]):02d}" if date else None
            self.pending.append((detail_id, response.url, title.strip(), published, body))
            if len(self.pending) >= BATCH:
                self.flush()

        def flush(self) -> None:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)", self.pending)
            self.pending = []

        def closed(self, reason):
            self.flush()
            self.db.close()

    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "WARNING", "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    })  # fmt: skip
    process.crawl(FloorSpider)
    process.start()


def main() -> None:
    from bench_crawl import crawl, run, warm

    from crawler.replay import ReplayServer, ReplaySite

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000, help="articles in the replay (10 a listing page)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site = ReplaySite(seed=0, pages=args.articles // 10, per_page=10)
    expected = len(site.listed_ids())
    floors, crawls = [], []
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp, ReplayServer(site) as server:
        warm(site, server)
        print(f"{expected:,} articles, {site.page_count} listing pages; CPU ms per archived article (user + sys)")
        for number in range(args.runs):  # interleaved: the machine's load falls on both alike
            db = Path(tmp) / f"floor-{number}.db"
            floors.append(run([sys.executable, __file__, "--spider", server.start_url, str(db)], db))
            crawls.append(crawl(server, Path(tmp), f"parknews-{number}"))
            for label, result in (("floor", floors[-1]), ("parknews", crawls[-1])):
                print(f"  run {number + 1} {label:9} {result.cpu * 1000 / result.articles:6.2f} ms  "
                      f"({result.articles:,} articles, {result.cpu:.1f} s CPU, {result.wall:.1f} s wall, "
                      f"{result.peak_rss_mb:.0f} MB peak)", flush=True)  # fmt: skip
    floor = statistics.median(r.cpu * 1000 / r.articles for r in floors)
    ours = statistics.median(r.cpu * 1000 / r.articles for r in crawls)
    print(f"median of {args.runs}: floor spider {floor:.2f} ms, parknews crawl {ours:.2f} ms an article: "
          f"{ours / floor:.2f}× the floor (goal: parknews ≤ 5.0 ms)")
    if any(r.articles != expected for r in floors + crawls):
        print(f"WARNING: a run archived other than the {expected:,} listed articles: "
              f"{[r.articles for r in floors]} / {[r.articles for r in crawls]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--spider"]:
        floor_spider_main(sys.argv[2], sys.argv[3])
    else:
        main()
