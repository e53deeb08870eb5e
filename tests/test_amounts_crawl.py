"""End to end: a crawl of the replay fills `amounts` exactly as the generated text says, and
`listings` with the park the listing pages name; updates, reparse and upgrades keep both right."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from archive import facts
from archive.db import open_archive
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from tests.crawling import assert_one_line_error, crawl, parknews, rows

AMOUNT_KEY = ("field", "position", "value_raw", "currency", "kind")


def planted(site: ReplaySite) -> dict[tuple, tuple]:
    """(detail_id, field, position) -> what the generated text says of that amount."""
    return {
        (article["detail_id"], a["field"], a["position"]): _facts(a)
        for article in site.expected() for a in article["amounts"]
    }  # fmt: skip


def archived(db) -> dict[tuple, tuple]:
    return {(r["detail_id"], r["field"], r["position"]): _facts(r) for r in rows(db, "SELECT * FROM amounts")}


def _facts(amount) -> tuple:
    high = amount["value_high"]
    cny = amount["value_cny"]
    return (
        amount["value_raw"], round(amount["value"], 2), None if high is None else round(high, 2),
        None if cny is None else round(cny, 2), amount["currency"], bool(amount["approximate"]), amount["kind"],
    )  # fmt: skip


@pytest.fixture(scope="module", params=["classic", "table", "flat"])
def crawled(request, tmp_path_factory):
    site = ReplaySite(theme=request.param, pages=6, seed=13)
    db = tmp_path_factory.mktemp(request.param) / "archive.db"
    with ReplayServer(site) as server:
        result = crawl(server.start_url, db)
        assert result.returncode == 0, result.stderr
        yield site, db, server.start_url


def test_amounts_are_archived_exactly_as_the_text_says(crawled):
    site, db, _ = crawled
    expected = planted(site)
    assert len(expected) > 100 and {kind for *_, kind in expected.values()} >= {"investment", "contract", "funds"}
    assert {facts_[4] for facts_ in expected.values()} > {"CNY"}  # foreign currencies planted too
    assert archived(db) == expected


def test_each_amount_keeps_its_sentence_and_place(crawled):
    site, db, _ = crawled
    articles = {r["detail_id"]: r for r in rows(db, "SELECT detail_id, title, summary, body FROM articles")}
    for amount in rows(db, "SELECT * FROM amounts"):
        text = articles[amount["detail_id"]][amount["field"]]
        assert text[amount["position"]:].startswith(amount["value_raw"])
        assert amount["value_raw"] in amount["sentence"] and amount["sentence"] in text


def test_the_listing_names_its_park(crawled):
    site, db, start_url = crawled
    (listing,) = rows(db, "SELECT * FROM listings")
    assert listing["listing"] == start_url and listing["host"] == "127.0.0.1"
    assert {"park_name": listing["park_name"], "listing_name": listing["listing_name"]} == site.expected_listing()


def test_summary_columns_of_each_article(crawled):
    site, db, _ = crawled
    money = {r["detail_id"]: r for r in rows(db, "SELECT * FROM article_money")}
    for article in site.expected():
        amounts = article["amounts"]
        investments = [a["value_cny"] for a in amounts if a["kind"] == "investment" and a["value_cny"] is not None]
        contracts = {round(a["value_cny"], 2) for a in amounts if a["kind"] == "contract"}
        row = money[article["detail_id"]]
        assert row["investment_max_cny"] == pytest.approx(max(investments)) if investments else row["investment_max_cny"] is None
        assert row["contract_sum_cny"] == pytest.approx(sum(contracts)) if contracts else row["contract_sum_cny"] is None
        assert row["amount_count"] == len(amounts)


def test_export_carries_the_summary_columns(crawled, tmp_path):
    site, db, _ = crawled
    out = tmp_path / "articles.jsonl"
    result = parknews("export", "--format", "jsonl", "--include-duplicates", "--db", str(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    exported = {r["detail_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    money = {r["detail_id"]: dict(r) for r in rows(db, "SELECT * FROM article_money")}
    assert set(exported) == set(money)
    for detail_id, row in exported.items():
        assert {c: row[c] for c in facts.SUMMARY_COLUMNS} == {c: money[detail_id][c] for c in facts.SUMMARY_COLUMNS}


def test_stats_by_park(crawled):
    site, db, _ = crawled
    result = parknews("stats", "--by", "park", "--json", "--db", str(db))
    assert result.returncode == 0, result.stderr
    originals = sum(1 for a in site.expected() if a["repost_of"] is None)
    assert [json.loads(line) for line in result.stdout.splitlines()] == [{"park": site.park_name, "articles": originals}]


def test_an_edited_article_gets_its_new_amounts(tmp_path):
    site = ReplaySite(pages=3, seed=5)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
        before = archived(db)
        edited = [a["detail_id"] for a in site.expected()[:3]]
        for detail_id in edited:
            site.edit_article(detail_id)  # the title gains a phrase, the lead paragraph a sentence
        result = crawl(server.start_url, db, "--refresh-days", "100000")
        assert result.returncode == 0, result.stderr
    after = archived(db)
    # Whatever text the archive now holds, its amounts are the ones that text says.
    texts = rows(db, "SELECT detail_id, title, summary, body FROM articles")
    assert after == {
        (t["detail_id"], field, p.offset): _facts(_planted_row(p))
        for t in texts for field in ("title", "summary", "body") for p in site.ledger.amounts_in(t[field])
    }  # fmt: skip
    for detail_id in edited:  # the new body's amounts, as the site now says
        new = {k: v for k, v in after.items() if k[0] == detail_id and k[1] in ("title", "body")}
        assert new == {k: v for k, v in planted(site).items() if k[0] == detail_id and k[1] in ("title", "body")}
    unchanged = {k: v for k, v in after.items() if k[0] not in edited}
    assert unchanged == {k: v for k, v in before.items() if k[0] not in edited}


def _planted_row(p) -> dict:
    money = p.money
    cny = money.value if money.currency == "CNY" else None
    return {"value_raw": money.raw, "value": money.value, "value_high": money.value_high, "value_cny": cny,
            "currency": money.currency, "approximate": money.approximate, "kind": p.kind}


def test_a_listing_page_that_names_no_park(tmp_path):
    site = ReplaySite(pages=2, seed=7, theme="table", park_name=None, listing_name="园区动态")
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
    (listing,) = rows(db, "SELECT host, park_name, listing_name FROM listings")
    assert tuple(listing) == ("127.0.0.1", None, "园区动态")
    result = parknews("stats", "--by", "park", "--json", "--db", str(db))
    assert json.loads(result.stdout.splitlines()[0])["park"] == "127.0.0.1"  # the host stands in


def test_reparse_rebuilds_amounts_and_parks(crawled, tmp_path):
    site, source, _ = crawled
    db = tmp_path / "archive.db"
    shutil.copy(source, db)
    with sqlite3.connect(db) as conn:  # as if written by older rules
        conn.execute("UPDATE amounts SET kind = 'other', value = 1")
        conn.execute("DELETE FROM amounts WHERE rowid % 3 = 0")
        conn.execute("INSERT INTO amounts (detail_id, field, position, value, currency, kind) VALUES (1, 'body', 0, 5, 'CNY', 'tax')")
        conn.execute("UPDATE listings SET host = NULL, park_name = NULL, listing_name = NULL")
    result = parknews("reparse", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert archived(db) == planted(site)
    (listing,) = rows(db, "SELECT * FROM listings")
    assert (listing["host"], listing["park_name"], listing["listing_name"]) == ("127.0.0.1", site.park_name, site.listing_name)


def _as_older_archive(path) -> None:
    """Remove what this feature added, as an archive written before it would be."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE article_money")
        conn.execute("DROP TABLE amounts")
        conn.execute("DROP TABLE backfills")
        for column in ("host", "park_name", "listing_name"):
            conn.execute(f"ALTER TABLE listings DROP COLUMN {column}")


def test_an_older_archive_is_upgraded_in_place(crawled, tmp_path):
    site, source, _ = crawled
    db = tmp_path / "archive.db"
    shutil.copy(source, db)
    _as_older_archive(db)
    articles_before = rows(db, "SELECT * FROM articles ORDER BY detail_id")
    open_archive(db).close()
    assert archived(db) == planted(site)
    assert rows(db, "SELECT * FROM articles ORDER BY detail_id") == articles_before
    (listing,) = rows(db, "SELECT host, park_name, listing_name FROM listings")
    assert tuple(listing) == ("127.0.0.1", site.park_name, site.listing_name)


def test_an_upgrade_killed_midway_is_finished_by_the_next_open(crawled, tmp_path, monkeypatch):
    site, source, _ = crawled
    db = tmp_path / "archive.db"
    shutil.copy(source, db)
    _as_older_archive(db)
    real_write = facts.write_amounts
    calls = []

    def dies_on_the_third_batch(db_, articles):
        calls.append(len(articles))
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process is stopped in the middle of a batch
        real_write(db_, articles)

    monkeypatch.setattr(facts, "write_amounts", dies_on_the_third_batch)
    monkeypatch.setattr(facts, "BACKFILL_BATCH", 7)
    with pytest.raises(KeyboardInterrupt):
        open_archive(db)
    done = {detail_id for detail_id, *_ in archived(db)}
    assert 0 < len(done) and rows(db, "SELECT last_id FROM backfills WHERE name = 'amounts'")[0]["last_id"] == max(done)
    monkeypatch.setattr(facts, "write_amounts", real_write)
    open_archive(db).close()
    assert archived(db) == planted(site)
    assert rows(db, "SELECT finished FROM backfills WHERE name = 'amounts'")[0]["finished"] == "done"
    open_archive(db).close()  # once done, opening again changes nothing
    assert archived(db) == planted(site)


def test_stats_by_park_on_an_archive_from_before_parks_is_one_line_error(crawled, tmp_path):
    site, source, _ = crawled
    db = tmp_path / "archive.db"
    shutil.copy(source, db)
    _as_older_archive(db)
    before = db.read_bytes()
    result = parknews("stats", "--by", "park", "--db", str(db))
    assert_one_line_error(result)
    assert "parknews reparse" in result.stderr and db.read_bytes() == before


@pytest.mark.kill  # timed kills: run alone, with the kill suite
def test_killed_crawls_never_leave_amounts_out_of_step_with_articles(tmp_path):
    import random
    import signal
    import subprocess
    import sys
    import time

    from tests.crawling import FAST

    site = ReplaySite(pages=6, seed=21)
    db = tmp_path / "archive.db"
    moments = random.Random(13)
    with ReplayServer(site, latency=0.02) as server:
        for _ in range(4):
            run = subprocess.Popen(
                [sys.executable, "-m", "cli", "crawl", "--start-url", server.start_url, "--db", str(db),
                 *FAST, "--concurrency", "2", "-s", "ARCHIVE_BATCH_SIZE=5"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(moments.uniform(1.0, 3.0))
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=30)
            if db.exists():
                _assert_amounts_in_step(db)
        assert crawl(server.start_url, db).returncode == 0
    _assert_amounts_in_step(db)
    assert archived(db) == planted(site)


def _assert_amounts_in_step(db) -> None:
    """Every archived article has exactly the amounts its archived text gives, and no others."""
    conn = sqlite3.connect(db)
    try:
        columns = ", ".join(facts.AMOUNT_COLUMNS)
        stored = sorted(conn.execute(f"SELECT {columns} FROM amounts").fetchall())
        texts = conn.execute("SELECT detail_id, title, summary, body FROM articles").fetchall()
        money = sorted(conn.execute("SELECT * FROM article_money").fetchall())
    finally:
        conn.close()
    found = {
        detail_id: facts.amount_rows({"detail_id": detail_id, "title": title, "summary": summary, "body": body})
        for detail_id, title, summary, body in texts
    }
    assert stored == sorted(row for rows in found.values() for row in rows)
    assert money == sorted((detail_id, *facts.money_summary(rows)) for detail_id, rows in found.items())


def test_two_parks_listings_counted_by_park(tmp_path):
    first = ReplaySite(pages=2, seed=31, park_name="汉阳经济开发区", listing_name="园区新闻")
    second = ReplaySite(pages=3, seed=32, theme="flat", park_name="孝感临空经济区", listing_id=2001)
    db = tmp_path / "archive.db"
    with ReplayServer(first) as one, ReplayServer(second) as two:
        listings = tmp_path / "listings.txt"
        listings.write_text(f"{two.start_url}\n", encoding="utf-8")
        result = crawl(one.start_url, db, "--listings", str(listings))
        assert result.returncode == 0, result.stderr
        parks = {r["listing"]: (r["park_name"], r["listing_name"]) for r in rows(db, "SELECT * FROM listings")}
        assert parks == {one.start_url: ("汉阳经济开发区", "园区新闻"), two.start_url: ("孝感临空经济区", "招商资讯")}
    counts = [json.loads(line) for line in parknews("stats", "--by", "park", "--json", "--db", str(db)).stdout.splitlines()]
    originals = {site.park_name: sum(1 for a in site.expected() if a["repost_of"] is None) for site in (first, second)}
    shared = set(first.listed_ids()) & set(second.listed_ids())
    assert not shared  # two seeds, two sets of articles
    assert {c["park"]: c["articles"] for c in counts} == originals
