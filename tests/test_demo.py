"""`parknews demo`: the replay served on loopback, crawled into a real archive, shown; a second
demo into the same archive walks the same listing (port 8713 when free, another when not)."""

from __future__ import annotations

import re
import socket

from cli.crawl import DEMO_PORT
from tests.crawling import parknews, rows


def served_at(result) -> str:
    return re.search(r"Serving the replay at (\S+)", result.stderr).group(1)


def test_demo_twice_is_one_listing(tmp_path):
    db = tmp_path / "demo.db"
    first, second = parknews("demo", "--db", str(db)), parknews("demo", "--db", str(db))
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert "350 new" in first.stdout and "350 unchanged" in second.stdout
    listings = [row["listing"] for row in rows(db, "SELECT listing FROM listings")]
    if served_at(first) == served_at(second):  # the port was free both times (tests run side by side)
        assert listings == [served_at(first)] and f":{DEMO_PORT}/" in listings[0]
    else:
        assert sorted(listings) == sorted({served_at(first), served_at(second)})


def test_demo_with_its_port_taken_serves_on_another(tmp_path):
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", DEMO_PORT))
        held = True
    except OSError:
        held = False  # taken already (another test's demo, which may end meanwhile)
    try:
        result = parknews("demo", "--db", str(tmp_path / "demo.db"))
    finally:
        holder.close()
    assert result.returncode == 0, result.stderr
    assert not held or f":{DEMO_PORT}/" not in served_at(result)
    assert rows(tmp_path / "demo.db", "SELECT count(*) AS n FROM articles")[0]["n"] == 350
