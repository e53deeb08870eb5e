"""Exports killed at seeded random moments (SIGKILL) and stopped by SIGTERM/SIGINT leave the old
file untouched, and nothing behind once the next export to that name has run."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest

from archive.db import open_archive
from tests.conftest import make_articles
from tests.crawling import file_digest, parknews

pytestmark = pytest.mark.kill
ROWS = 20_000  # enough for an export to take a second or more, so kills land inside it
KILLS = 5


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("kill_export") / "archive.db"
    db = open_archive(path)
    template = make_articles(50)
    with db.conn:
        db["articles"].insert_all(
            {**template[n % 50], "detail_id": 100_000 + n, "duplicate_of": None,
             "body": template[n % 50]["body"] * 8}
            for n in range(ROWS)
        )  # fmt: skip
    db.conn.close()
    return path


def start_export(db, out, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "export", "--db", str(db), "-o", str(out), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for_part(directory, name, process):
    """Seconds until the export has created its temporary file (it is writing from then on)."""
    started, deadline = time.monotonic(), time.monotonic() + 60
    while not list(directory.glob(f".{name}.*.part")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    return time.monotonic() - started


def writing_time(db, directory, name):
    """How long an export to ``name`` writes, measured once uninterrupted (kills land within it)."""
    process = start_export(db, directory / name)
    wait_for_part(directory, name, process)
    started = time.monotonic()
    assert process.wait(timeout=120) == 0
    (directory / name).unlink()
    return time.monotonic() - started


def leftovers(directory, keep):
    return sorted(p.name for p in directory.iterdir() if p.name != keep)


@pytest.mark.parametrize("name", ["a.csv", "a.jsonl", "a.xlsx", "a.dta", "a.parquet"])
def test_sigkill_during_export_leaves_the_old_file_and_no_leftover_after_the_next(big_archive, tmp_path, name):
    out = tmp_path / name
    writing = writing_time(big_archive, tmp_path, name)
    out.write_bytes(b"the previous export")
    before = file_digest(out)
    rng = random.Random(f"kill-{name}")
    killed_inside = 0
    for _ in range(KILLS):
        process = start_export(big_archive, out)
        wait_for_part(tmp_path, name, process)
        time.sleep(rng.uniform(0.0, 0.7) * writing)  # a seeded moment within the writing
        process.kill()
        process.wait()
        if process.returncode == -signal.SIGKILL and file_digest(out) == before:
            killed_inside += 1
        else:  # finished before the kill: then the file is whole
            assert process.returncode == 0 and file_digest(out) != before
            out.write_bytes(b"the previous export")
        assert file_digest(out) == before  # the old file, never half a new one
    assert killed_inside >= 3  # the kills really landed while writing
    assert list(tmp_path.glob(f".{name}.*.part"))  # and left what the next export must clean
    completed = parknews("export", "--db", str(big_archive), "-o", str(out))
    assert completed.returncode == 0, completed.stderr
    assert leftovers(tmp_path, name) == []
    assert f"{ROWS} articles written" in completed.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_stopped_export_removes_its_temporary_file(big_archive, tmp_path, signum):
    out = tmp_path / "a.xlsx"
    process = start_export(big_archive, out)
    wait_for_part(tmp_path, "a.xlsx", process)
    time.sleep(0.3)  # xlsx writes for seconds: the signal lands inside
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err
    assert list(tmp_path.iterdir()) == []
    lines = err.decode().splitlines()  # not stripped: click's bare newline before it was a second line
    assert len(lines) == 1 and lines[0].startswith("parknews: error: "), err


def test_a_running_export_keeps_its_temporary_file_while_another_starts(big_archive, tmp_path):
    out = tmp_path / "a.xlsx"
    first = start_export(big_archive, out)
    wait_for_part(tmp_path, "a.xlsx", first)
    second = start_export(big_archive, out)  # cleans stale leftovers, not the live one
    assert second.wait(timeout=120) == 0 and first.wait(timeout=120) == 0
    assert leftovers(tmp_path, "a.xlsx") == []
