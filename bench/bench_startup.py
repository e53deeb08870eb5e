"""Start-up of the ``parknews`` command: wall time of each research command on a small
archive, against the interpreter's own start-up, and what each imports.

    python bench/bench_startup.py [--repeats 7]
    python bench/bench_startup.py --against /tmp/old   # also an earlier tree: git archive REV | tar -x -C /tmp/old

For each command (``--help``, ``search``, ``query``, ``export -o -``, ``stats``, ``runs``):
the median wall time of ``--repeats`` runs of the whole process, the floor (``python -c
"import sqlite3"``: the interpreter, site-packages and SQLite, nothing of ours) beside it,
and, from one ``python -X importtime`` run, the import time it reports and whether numpy,
pandas, Scrapy or Twisted were imported (the research commands should import none; goal:
each command ≤ 0.3 s). The archive is 1,000 synthetic articles of ``bench_archive.py`` with
the full-text index.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HEAVY = ("numpy", "pandas", "pyarrow", "scrapy", "twisted")
PARKNEWS = [sys.executable, "-m", "cli"]
BEFORE_ISSUE_15 = [sys.executable, "-m", "archive.cli"]  # a tree from before the command line's package


def _in_tree(command: list[str], tree: str) -> list[str]:
    """``command`` as the tree at ``tree`` runs parknews (``-m archive.cli`` before issue 15)."""
    if command[: len(PARKNEWS)] == PARKNEWS and not (Path(tree) / "cli" / "__main__.py").exists():
        return BEFORE_ISSUE_15 + command[len(PARKNEWS) :]
    return command


def commands(db: str) -> dict[str, list[str]]:
    return {
        "parknews --help": ["--help"],
        "parknews search 融资": ["search", "融资", "--db", db],
        "parknews query": ["query", "SELECT count(*) FROM articles", "--db", db],
        "parknews export -o -": ["export", "--db", db, "-o", "-", "--where", "detail_id < 10"],
        "parknews stats": ["stats", "--by", "city", "--db", db],
        "parknews runs": ["runs", "--db", db],
    }


def timed(command: list[str], cwd: str | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + sys, from ``os.wait4``) of one run of ``command``
    (``python -m cli`` run in ``cwd`` imports that tree's package)."""
    t0 = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(command)} failed")
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def imports(command: list[str], cwd: str | None = None) -> tuple[float, set[str]]:
    """Total import time (s) reported by -X importtime, and the top-level packages imported."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], check=True, capture_output=True, text=True,
                          cwd=cwd)  # fmt: skip
    total, packages = 0.0, set()
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if not name.startswith("  "):  # a top-level import: its cumulative time is not counted twice
            total += int(cumulative) / 1e6
        packages.add(name.strip().split(".")[0])
    return total, packages


def build(path: Path) -> None:
    from bench_archive import build as build_archive, vocabulary

    rng = random.Random(7)
    words, weights = vocabulary(rng)
    build_archive(path, 1000, rng, words, weights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--against", help="a directory holding an earlier tree of the project, run beside this one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        db = Path(tmp) / "small.db"
        build(db)
        floor_command = [sys.executable, "-c", "import sqlite3"]
        named = {name: PARKNEWS + argv for name, argv in commands(str(db)).items()}
        floor_name = "floor: python -c 'import sqlite3'"
        trees = {"": str(ROOT)} | ({" (against)": args.against} if args.against else {})
        named = {floor_name: (floor_command, str(ROOT))} | {
            name + label: (_in_tree(command, tree), tree) for name, command in named.items() for label, tree in trees.items()
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in named}
        for _ in range(args.repeats):  # interleaved, so that the machine's load falls on all alike
            for name, (command, tree) in named.items():
                runs[name].append(timed(command, tree))
        floor = statistics.median(wall for wall, _ in runs[floor_name])
        print(f"median of {args.repeats} runs, interleaved; goal ≤ 0.300 s a command. On a loaded machine wall time")
        print("waits for a core: CPU s (user + sys) is the load-independent figure.")
        print(f"{'command':46}{'wall s':>8}{'− floor':>9}{'CPU s':>8}{'imports s':>11}  heavy modules imported")
        for name, timings in runs.items():
            wall = statistics.median(wall for wall, _ in timings)
            cpu = statistics.median(cpu for _, cpu in timings)
            imported_s, packages = imports(*named[name])
            heavy = ", ".join(sorted(packages & set(HEAVY))) or "none"
            print(f"{name:46}{wall:8.3f}{wall - floor:9.3f}{cpu:8.3f}{imported_s:11.3f}  {heavy}")

if __name__ == "__main__":
    main()
