"""Export rate of each format at 100,000 articles, against the ``sqlite3 -csv`` shell.

    python bench/bench_export.py [--n 100000] [--repeats 3] [--db /tmp/parknews-export-bench.db]
    python bench/bench_export.py --db /tmp/parknews-bench.db --reuse --formats csv   # bench_archive's 1M

Builds a synthetic archive (the articles of ``bench_archive.py``: ~800 Chinese characters of
body each, no full-text index, which export does not read), then times, median of
``--repeats`` runs, the whole command as a user runs it (process start included):

* ``parknews export --db DB -o out.EXT --include-duplicates`` for csv, jsonl, xlsx, dta, parquet;
* the floor: ``sqlite3 -csv -header DB "SELECT * FROM articles" > out.csv`` (Debian's sqlite3
  shell, ``apt-get install sqlite3``).

The runs are interleaved (shell, then each format, ``--repeats`` times), so that the machine's
load falls on all alike. Prints rows/s per format, the ratio to the shell's rate, CPU seconds
(user + sys) and peak RSS (``VmHWM``) of each process. Goal (issue 14): CSV ≥ 0.8× the
shell, peak RSS ≤ 200 MB at 1M articles. ``--reuse`` keeps an existing archive (e.g. the 1M
one of ``bench_archive.py``, whose full-text index export does not read).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_archive import BULK_LOAD_PRAGMAS, article, vocabulary  # noqa: E402
from bench_crawl import measure  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db", type=Path, default=Path("/tmp/parknews-export-bench.db"))
    parser.add_argument("--reuse", action="store_true", help="export the archive at --db as it is")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    if not (args.reuse and args.db.exists()):
        print(f"building {args.n:,} articles in {args.db}", flush=True)
        build(args.db, args.n)
    with sqlite3.connect(args.db) as conn:
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"{n:,} articles in {args.db} ({args.db.stat().st_size / 1e6:,.0f} MB)", flush=True)
    shell = shutil.which("sqlite3")
    if not shell:
        print("no sqlite3 shell (apt-get install sqlite3): no floor to compare with")
    runs: dict[str, list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.repeats):
            if shell:
                with open(Path(scratch) / "shell.csv", "wb") as sink:
                    runs.setdefault("sqlite3 -csv (floor)", []).append(
                        measure([shell, "-csv", "-header", str(args.db), "SELECT * FROM articles"], sink,
                                stderr=subprocess.DEVNULL))  # fmt: skip
                (Path(scratch) / "shell.csv").unlink()
            for fmt in args.formats.split(","):
                out = Path(scratch) / f"out.{fmt}"
                command = [sys.executable, "-m", "cli", "export", "--db", str(args.db), "-o", str(out),
                           "--include-duplicates"]  # fmt: skip
                with open(Path(scratch) / "log", "wb") as log:
                    runs.setdefault(f"parknews export {fmt}", []).append(measure(command, log))
                print(f"  {fmt}: {out.stat().st_size / 1e6:,.0f} MB", flush=True)
                out.unlink()
    floor = statistics.median(wall for wall, _, _ in runs["sqlite3 -csv (floor)"]) if shell else None
    print(f"median of {args.repeats}, interleaved")
    print(f"{'':28}{'wall s':>8}{'rows/s':>11}{'× shell':>9}{'CPU s':>8}{'peak RSS MB':>13}")
    for name, results in runs.items():
        wall = statistics.median(r[0] for r in results)
        ratio = f"{floor / wall:9.2f}" if floor else f"{'':9}"
        print(f"{name:28}{wall:8.2f}{n / wall:11,.0f}{ratio}{statistics.median(r[1] for r in results):8.2f}"
              f"{max(r[2] for r in results):13.0f}")


if __name__ == "__main__":
    main()
