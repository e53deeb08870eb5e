"""Export rate of each format at 100,000 articles, against the ``sqlite3 -csv`` shell.

    python bench/bench_export.py [--n 100000] [--repeats 3] [--db /tmp/parknews-export-bench.db]

Builds a synthetic archive (the articles of ``bench_archive.py``: ~800 Chinese characters of
body each, no full-text index, which export does not read), then times, median of
``--repeats`` runs, the whole command as a user runs it (process start included):

* ``parknews export --db DB -o out.EXT --include-duplicates`` for csv, jsonl, xlsx, dta, parquet;
* the floor: ``sqlite3 -csv -header DB "SELECT * FROM articles" > out.csv`` (Debian's sqlite3
  shell, ``apt-get install sqlite3``).

Prints rows/s per format and the ratio to the shell's rate.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_archive import BULK_LOAD_PRAGMAS, article, vocabulary  # noqa: E402

from archive.db import open_archive  # noqa: E402

FORMATS = ("csv", "jsonl", "parquet", "dta", "xlsx")


def build(path: Path, n: int) -> None:
    if path.exists():
        path.unlink()
    rng = random.Random(7)
    words, weights = vocabulary(rng)
    db = open_archive(path)
    for pragma in BULK_LOAD_PRAGMAS:
        db.execute(pragma)
    columns = list(article(random.Random(0), words, weights, 1))
    insert = f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for start in range(0, n, 10_000):
        rows = [tuple(article(rng, words, weights, i).values()) for i in range(start + 1, min(n, start + 10_000) + 1)]
        with db.conn:
            db.conn.executemany(insert, rows)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()


def timed(command: list[str], *, stdout=None) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, check=True, stdout=stdout, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/parknews-export-bench.db"))
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    print(f"building {args.n:,} articles in {args.db}", flush=True)
    build(args.db, args.n)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        shell = shutil.which("sqlite3")
        if shell:
            runs = []
            for _ in range(args.repeats):
                with open(Path(scratch) / "shell.csv", "wb") as sink:
                    runs.append(timed([shell, "-csv", "-header", str(args.db), "SELECT * FROM articles"], stdout=sink))
            results["sqlite3 -csv (floor)"] = statistics.median(runs)
        else:
            print("no sqlite3 shell (apt-get install sqlite3): no floor to compare with")
        for fmt in args.formats.split(","):
            out = Path(scratch) / f"out.{fmt}"
            runs = [timed([sys.executable, "-m", "archive.cli", "export", "--db", str(args.db), "-o", str(out),
                           "--include-duplicates"]) for _ in range(args.repeats)]  # fmt: skip
            results[f"parknews export {fmt}"] = statistics.median(runs)
            print(f"  {fmt}: {out.stat().st_size / 1e6:,.0f} MB", flush=True)
    floor = results.get("sqlite3 -csv (floor)")
    for name, seconds in results.items():
        ratio = f"  {floor / seconds:.2f}× the shell's rate" if floor else ""
        print(f"{name:28} {seconds:7.2f} s  {args.n / seconds:10,.0f} rows/s{ratio}")


if __name__ == "__main__":
    main()
