"""Throughput of normalisation and the repost check, on synthetic articles (one core).

    python bench/bench_normalise.py                  # 20k articles, 1M-article archive
    python bench/bench_normalise.py --archive 100000 # a quicker archive

Prints: articles/s for title + dates + region + repost check (median of --runs runs), each
part's cost, baselines (dateparser for dates, datasketch's own update_batch for signatures,
an in-memory all-pairs scan for the repost look-up), and the repost check's cost per new
article against an archive of --archive signatures, written directly in batches to a temp file.
Bodies use the site's full-width punctuation: NFKC of such text is far slower than of ASCII.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlite_utils
from datasketch import MinHash

from archive.reposts import BANDS, NUM_PERM, MinHasher, RepostIndex, band_buckets, letters, shingle_hashes
from normalize.regions import resolve_region

TAGS = ["武汉", "汉阳区", "黄陂", "江夏", "东湖高新区", "光谷", "武汉经开区", "宜昌", "襄阳", "荆州", "湖北", "某某"]
RAWS = ["湖北-武汉", "湖北", "湖北省-武汉市-汉阳区", "湖北-宜昌", ""]
WORDS = (
    "招商引资 营商环境 产业园区 小微企业 融资 贷款 政策 项目 签约 投资 亿元 服务 平台 机制 创新 发展 "
    "企业 银行 担保 基金 科技 制造 汽车 光电 生物 医药 物流 口岸 开放 合作 对接 落地 建设 升级"
).split()
PUNCT = "，，，。、："


def synthetic_articles(count: int, seed: int = 7) -> list[dict]:
    """Region-tagged titles, site-style dates and ~800-char bodies; every 10th is a repost."""
    rng = random.Random(seed)
    articles: list[dict] = []
    for i in range(count):
        if i % 10 == 9:
            body = articles[rng.randrange(len(articles))]["body"]
        else:
            body = "".join(rng.choice(WORDS) + (rng.choice(PUNCT) if rng.random() < 0.2 else "") for _ in range(320))[:800]
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(200))
        articles.append(
            {
                "detail_id": 10_000 + i,
                "title": f"• 【{rng.choice(TAGS)}招商】{''.join(rng.sample(WORDS, 6))}",
                "region_raw": rng.choice(RAWS),
                "listing_date": day.isoformat(),
                "published_raw": f"发布日期:{day.year}年{day.month:02d}月{day.day:02d}日",
                "body": body,
            }
        )
    return articles


def load_date_title_functions():
    """The date and title normalisers, if they exist yet (another module's work)."""
    try:
        from normalize.dates import parse_date
        from normalize.titles import clean_title
    except ImportError as exc:
        print(f"note: dates/titles not timed ({exc})")
        return None, None
    return parse_date, clean_title


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_pipeline(articles: list[dict], runs: int) -> None:
    parse_date, clean_title = load_date_title_functions()
    reference = datetime.date(2025, 7, 23)
    now = datetime.datetime(2025, 7, 23, 12, tzinfo=datetime.timezone.utc)

    def titles_and_dates() -> list[str | None]:
        tags = []
        for a in articles:
            tags.append(clean_title(a["title"]).region_tag if clean_title else a["title"][3:5])
            if parse_date:
                parse_date(a["listing_date"], reference=reference, now=now)
                parse_date(a["published_raw"], reference=reference, now=now)
        return tags

    tags = titles_and_dates()

    def regions() -> None:
        for a, tag in zip(articles, tags):
            resolve_region(tag, a["region_raw"])

    def reposts() -> float:
        db = sqlite_utils.Database(memory=True)
        store_bodies(db, articles)  # the archive writer stores an article before indexing it
        index = RepostIndex(db)
        index.ensure_tables()
        return timed(lambda: [index.add(a["detail_id"], a["listing_date"], a["body"]) for a in articles])

    parts = {"titles+dates": lambda: timed(titles_and_dates), "regions": lambda: timed(regions), "reposts": reposts}
    seconds = {name: statistics.median(fn() for _ in range(runs)) for name, fn in parts.items()}
    total = sum(seconds.values())
    n = len(articles)
    print(f"\n== normalise + repost check: {n} articles, median of {runs} runs, one core")
    for name, s in seconds.items():
        print(f"  {name:13s} {s / n * 1e6:8.1f} us/article  {n / s:10.0f} articles/s")
    print(f"  {'total':13s} {total / n * 1e6:8.1f} us/article  {n / total:10.0f} articles/s (goal >= 5000)")
    repost_parts(articles, seconds["reposts"] / n)

    from normalize import regions as regions_module

    uncached = timed(lambda: [regions_module._resolve.__wrapped__(t or "", a["region_raw"]) for a, t in zip(articles, tags)])
    print(f"  regions without the (tag, raw) cache: {uncached / n * 1e6:.1f} us/article")

    if parse_date:
        import dateparser

        sample = [a["published_raw"].split(":", 1)[1] for a in articles[:300]]
        ours = timed(lambda: [parse_date(s, reference=reference, now=now) for s in sample])
        theirs = timed(lambda: [dateparser.parse(s, languages=["zh"]) for s in sample])
        print(f"  baseline dates: dateparser {theirs / len(sample) * 1e6:.0f} us/date, ours {ours / len(sample) * 1e6:.1f}: x{theirs / ours:.0f}")

    bodies = [shingle_hashes(a["body"]) for a in articles[:2000]]
    hasher = MinHasher()

    def datasketch_update_batch() -> None:
        for h in bodies:
            MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=int).update_batch(h.tolist())

    ours = timed(lambda: [hasher.signature(h) for h in bodies])
    theirs = timed(datasketch_update_batch)
    print(f"  baseline signatures: datasketch update_batch {theirs / len(bodies) * 1e6:.0f} us, ours {ours / len(bodies) * 1e6:.0f} us: x{theirs / ours:.1f}")


def store_bodies(db: sqlite_utils.Database, articles: list[dict]) -> None:
    """The archive's ``articles`` rows, where the repost check reads a candidate's body."""
    db.execute("CREATE TABLE articles (detail_id INTEGER PRIMARY KEY, body TEXT)")
    db.conn.executemany("INSERT INTO articles VALUES (?, ?)", [(a["detail_id"], a["body"]) for a in articles])


def repost_parts(articles: list[dict], per_article: float) -> None:
    """Where the repost check's time goes, per article."""
    bodies = [a["body"] for a in articles[:5000]]
    hasher = MinHasher()
    hashes = [shingle_hashes(b) for b in bodies]
    signatures = [hasher.signature(h) for h in hashes]
    cleaning = timed(lambda: [letters(b) for b in bodies]) / len(bodies)
    shingling = timed(lambda: [shingle_hashes(b) for b in bodies]) / len(bodies) - cleaning
    signing = timed(lambda: [hasher.signature(h) for h in hashes]) / len(bodies)
    banding = timed(lambda: [band_buckets(s) for s in signatures]) / len(bodies)
    rest = per_article - cleaning - shingling - signing - banding
    print(f"  repost check per article: cleaning {cleaning * 1e6:.1f} us, shingle hashes {shingling * 1e6:.1f}, "
          f"signature {signing * 1e6:.1f}, bands {banding * 1e6:.1f}, SQL + verification + rest {rest * 1e6:.1f}")


def build_archive(db: sqlite_utils.Database, size: int, planted: list[str], batch: int = 100_000) -> None:
    """Write ``size`` signatures and their bands directly; ids 1..len(planted) are real bodies,
    stored in ``articles`` too (random signatures never become candidates: no body needed)."""
    rng = np.random.default_rng(1)
    hasher = MinHasher()
    real = np.array([hasher.signature(shingle_hashes(body)) for body in planted], dtype=np.uint32)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    store_bodies(db, [{"detail_id": i, "body": body} for i, body in enumerate(planted, start=1)])
    bands = []
    for start in range(0, size, batch):
        ids = np.arange(start + 1, min(start + batch, size) + 1, dtype=np.int64)
        signatures = rng.integers(0, 2**32, size=(len(ids), NUM_PERM), dtype=np.uint32)
        if start == 0:
            signatures[: len(real)] = real
        dates = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in ids.tolist()]
        db.conn.executemany(
            "INSERT INTO repost_signatures (detail_id, published_date, root, signature) VALUES (?, ?, ?, ?)",
            zip(ids.tolist(), dates, ids.tolist(), (s.astype("<u4").tobytes() for s in signatures)),
        )
        buckets = band_buckets(signatures)
        bands.append(np.column_stack([np.tile(np.arange(BANDS), len(ids)), buckets.ravel(), np.repeat(ids, BANDS)]))
    rows = np.concatenate(bands)
    rows = rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]  # B-tree order: appends, no page splits
    for start in range(0, len(rows), 1_000_000):
        db.conn.executemany("INSERT INTO repost_bands VALUES (?, ?, ?)", rows[start : start + 1_000_000].tolist())
    db.conn.commit()
    db.execute("PRAGMA journal_mode = DELETE")  # the timed adds are rolled back afterwards


def bench_archive(size: int) -> None:
    planted = [a["body"] for a in synthetic_articles(500, seed=99) if a["detail_id"] % 10 != 9]
    fresh = [a["body"] for a in synthetic_articles(500, seed=123) if a["detail_id"] % 10 != 9]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.db"
        db = sqlite_utils.Database(sqlite3.connect(path))
        index = RepostIndex(db)
        index.ensure_tables()
        build_seconds = timed(lambda: build_archive(db, size, planted))
        print(f"\n== repost check against an archive of {size:,} articles ({path.stat().st_size / 2**20:.0f} MiB)")
        print(f"  built in {build_seconds:.0f} s (signatures + {BANDS * size:,} band rows)")
        letters("")  # builds its per-character table once, outside the timings
        new_id = size + 1
        costs, found = [], 0
        for body in planted + fresh:
            start = time.perf_counter()
            marks = index.add(new_id, "2025-07-23", body)
            costs.append(time.perf_counter() - start)
            found += marks[-1][1] is not None
            new_id += 1
        db.conn.rollback()
        print(f"  per new article: median {statistics.median(costs) * 1e6:.0f} us, mean {statistics.mean(costs) * 1e6:.0f} us "
              f"(copies: median {statistics.median(costs[: len(planted)]) * 1e6:.0f} us, "
              f"fresh: {statistics.median(costs[len(planted) :]) * 1e6:.0f} us)")
        print(f"  copies of archived articles found: {found} of {len(planted)} (plus {len(fresh)} fresh, unmarked)")

        stored = np.frombuffer(
            b"".join(blob for (blob,) in db.execute("SELECT signature FROM repost_signatures LIMIT 100000")), dtype="<u4"
        ).reshape(-1, NUM_PERM)
        probe = MinHasher().signature(shingle_hashes(fresh[0]))
        scan = timed(lambda: [(stored == probe).sum(axis=1).max() for _ in range(5)]) / 5
        print(f"  baseline in-memory all-pairs scan: {scan * 1e3:.1f} ms per article at {len(stored):,} "
              f"(~{scan * size / len(stored) * 1e3:.0f} ms at {size:,}, linear): x{scan * size / len(stored) / statistics.median(costs):.0f}")
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--archive", type=int, default=1_000_000)
    args = parser.parse_args()
    bench_pipeline(synthetic_articles(args.articles), args.runs)
    bench_archive(args.archive)


if __name__ == "__main__":
    main()
