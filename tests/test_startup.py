"""Start-up: the research commands import neither Scrapy nor numpy/pandas, and what was done
to keep them out (sqlite-utils imported with pandas and numpy hidden, the invisible-character
table written out) changes nothing else. Timing is measured by bench/bench_startup.py."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from normalize.text import INVISIBLE

HEAVY = {"numpy", "pandas", "pyarrow", "scrapy", "twisted"}


def imported_packages(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``parknews ARGS`` under ``-X importtime``; the top-level packages it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cli", *args], capture_output=True, text=True, timeout=120
    )
    packages = {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "cumulative" not in line
    }
    return result, packages


def python_prints(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (stripped); it must exit 0."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["search", "融资"],
        ["search", "融资", "--json"],
        ["query", "SELECT count(*) FROM articles", "--csv"],
        ["export", "-o", "-"],
        ["export", "-o", "-", "--format", "jsonl"],
        ["stats", "--by", "city", "--json"],
        ["stats"],
        ["runs", "--json"],
        ["runs"],  # the table's note on pending pages
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_research_commands_import_no_heavy_package(archive_path, args):
    if args != ["--help"]:
        args = [*args, "--db", archive_path]
    result, packages = imported_packages(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "sqlite_utils" in packages or args == ["--help"]
    assert packages & HEAVY == set()
    # The commands still did their work.
    out = result.stdout
    if args[0] == "search":
        assert "融资" in out
    elif args[0] == "query":
        assert out.splitlines()[1] == "50"
    elif args[0] == "export":
        assert len([line for line in out.splitlines() if "hubei.010b.com/info/detail/" in line]) == 49
    elif args[0] == "--help":
        assert "search" in out and "crawl" in out


def test_pandas_and_numpy_import_normally_after_the_archive():
    """Hiding them from sqlite-utils is temporary: the writers that need pandas still get it,
    and sqlite-utils still writes (its type table only lacks numpy's scalar types)."""
    code = (
        "import archive.db, sys, sqlite_utils\n"
        "assert 'numpy' not in sys.modules and 'pandas' not in sys.modules\n"
        "import pandas, numpy\n"
        "db = sqlite_utils.Database(memory=True)\n"
        "db['t'].insert({'a': 1, 'b': 'x', 'c': 1.5})\n"
        "print(db.execute('select a, b, c from t').fetchall(), pandas.DataFrame({'a': [1]}).shape)\n"
    )
    assert python_prints(code) == "[(1, 'x', 1.5)] (1, 1)"


def test_sqlite_utils_imported_first_is_left_as_it_is():
    code = "import sqlite_utils.db, archive.db\nprint(sqlite_utils.db.np is not None)\n"
    assert python_prints(code) == "True"


def test_invisible_table_is_this_pythons_format_characters():
    """The written-out table is exactly Unicode's category Cf as this Python knows it."""
    expected = {chr(code) for code in range(0x110000) if unicodedata.category(chr(code)) == "Cf"}
    assert set(INVISIBLE) == expected
    assert len(INVISIBLE) == len(expected)


def test_the_crawl_loads_numpy_in_the_background():
    """A crawl's start imports no numpy (the repost check needs it ~50 articles in); the
    pipeline's preload thread imports it, and the writer's modules, while pages download."""
    code = (
        "import sys, cli.runner, crawler.pipelines, archive.store\n"
        "assert 'numpy' not in sys.modules, 'numpy at start'\n"
        "crawler.pipelines.preload_writer_modules()\n"
        "assert {'numpy', 'archive.reposts', 'archive.migrate'} <= set(sys.modules)\n"
        "print('ok')\n"
    )
    assert python_prints(code) == "ok"
