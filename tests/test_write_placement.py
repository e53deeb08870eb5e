"""Where a batch is written: in the writer thread while the reactor waits on the network, in the
reactor's thread when it never waits (``ARCHIVE_WRITE_INLINE_BELOW_IDLE``). Either way the
archive holds the same, in the same order."""

from __future__ import annotations

import asyncio
import time

import pytest

from crawler.reactor_idle import IdleMeter
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import crawl, rows


def test_idle_meter_tells_waiting_from_working():
    async def measure() -> tuple[float | None, float | None]:
        meter = IdleMeter()
        assert meter.install() and meter.install()  # once; a second call changes nothing
        await asyncio.sleep(0.3)  # the loop waits in select
        waiting = meter.idle_share()
        end = time.monotonic() + 0.3
        while time.monotonic() < end:  # the loop's thread busy, stepping through the loop
            await asyncio.sleep(0)
        return waiting, meter.idle_share()

    waiting, working = asyncio.run(measure())
    assert waiting is not None and waiting > 0.8
    assert working is not None and working < 0.2


def test_idle_meter_outside_a_loop_says_nothing():
    meter = IdleMeter()
    assert meter.install() is False and meter.idle_share() is None


def test_a_span_too_short_to_tell_keeps_its_start():
    async def measure() -> tuple[float | None, float | None]:
        meter = IdleMeter()
        meter.install()
        first = meter.idle_share()  # right away: too short
        await asyncio.sleep(0.2)
        return first, meter.idle_share()  # measured from install, not from the first call

    first, second = asyncio.run(measure())
    assert first is None and second is not None and second > 0.8


def archive_content(db) -> dict[str, list[tuple]]:
    return {
        # (capture ids follow the order pages came back in, which differs between any two crawls)
        "articles": [tuple(r) for r in rows(db, "SELECT a.detail_id, a.title, a.published_date, a.body, a.duplicate_of, "
                                                 "c.url, c.kind FROM articles a JOIN captures c ON c.id = a.capture_id "
                                                 "ORDER BY a.detail_id")],
        "amounts": [tuple(r) for r in rows(db, "SELECT detail_id, field, position, value, kind FROM amounts "
                                                "ORDER BY detail_id, field, position")],
        "entries": [tuple(r) for r in rows(db, "SELECT listing, detail_id, page, position FROM listing_entries "
                                                "ORDER BY detail_id")],
        "index": [tuple(r) for r in rows(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH '\"签约\"' "
                                              "ORDER BY rowid")],
        "pending": [tuple(r) for r in rows(db, "SELECT detail_id FROM pending_articles")],
    }  # fmt: skip


@pytest.mark.parametrize("site", [ReplaySite(pages=8, seed=5)], ids=["8 pages"])
def test_the_archive_is_the_same_wherever_batches_are_written(tmp_path, site):
    found = {}
    with ReplayServer(site) as server:
        for place, share in (("thread", "0"), ("here", "1")):
            db = tmp_path / f"{place}.db"
            result = crawl(server.start_url, db, "-s", f"ARCHIVE_WRITE_INLINE_BELOW_IDLE={share}",
                           "-s", "ARCHIVE_BATCH_SIZE=7", "--log-level", "DEBUG", "--log-file", str(tmp_path / f"{place}.log"))  # fmt: skip
            assert result.returncode == 0, result.stderr
            found[place] = archive_content(db)
            log = (tmp_path / f"{place}.log").read_text(encoding="utf-8")
            lines = [line for line in log.splitlines() if "reactor idle" in line]
            if place == "thread":
                assert lines == []  # 0: the writer thread, without measuring
            else:
                assert len(lines) >= 5  # 80 articles in batches of 7
                here = [line for line in lines if line.endswith("batch written here")]
                assert len(here) >= 3
                # 1: always here, once the span since the last batch is long enough to measure
                assert all(line in here or "reactor idle ? " in line for line in lines)
    assert found["thread"]["articles"] and len(found["thread"]["articles"]) == len(site.expected())
    assert found["thread"] == found["here"]


def test_the_share_is_a_checked_setting(tmp_path):
    result = crawl("http://127.0.0.1:9/info/1/page/1", tmp_path / "x.db", "-s", "ARCHIVE_WRITE_INLINE_BELOW_IDLE=2")
    assert result.returncode == 2
    assert "ARCHIVE_WRITE_INLINE_BELOW_IDLE" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("reactor", ["twisted.internet.epollreactor.EPollReactor", "twisted.internet.selectreactor.SelectReactor"])
def test_another_reactor_archives_the_same(tmp_path, reactor):
    """A reactor without asyncio (set by an operator's ``-s TWISTED_REACTOR``): the reactor's
    idle share cannot be measured, so every batch goes to the writer thread; the batch timer
    and everything else work as with the default reactor."""
    site = ReplaySite(pages=3, seed=5)
    with ReplayServer(site) as server:
        reference, other = tmp_path / "asyncio.db", tmp_path / "other.db"
        assert crawl(server.start_url, reference).returncode == 0
        result = crawl(server.start_url, other, "-s", f"TWISTED_REACTOR={reactor}")
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr, result.stderr
    assert len(archive_content(other)["articles"]) == len(site.expected())
    assert archive_content(other) == archive_content(reference)
