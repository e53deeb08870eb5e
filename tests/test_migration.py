"""An archive from the first crawl issue (no region codes, no reposts) is upgraded in place."""

from __future__ import annotations

import sqlite3

from archive.db import open_archive

FIRST_SCHEMA = """
CREATE TABLE articles (detail_id INTEGER PRIMARY KEY, url TEXT, title TEXT, title_raw TEXT,
  region_tag TEXT, published_date TEXT, listing_date TEXT, summary TEXT, body TEXT, source TEXT,
  first_seen TEXT, last_seen TEXT);
CREATE TABLE listing_entries (detail_id INTEGER, listing_url TEXT, page INTEGER, position INTEGER, seen_at TEXT);
"""
BODY = "为推动招商引资工作提质增效，汉阳区举办银企对接会，二十余家金融机构与百余家企业参加。" * 6


def test_an_old_archive_gains_the_new_columns_filled_without_losing_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIRST_SCHEMA)
        conn.executemany(
            "INSERT INTO articles (detail_id, url, title, title_raw, region_tag, published_date, body) VALUES (?,?,?,?,?,?,?)",
            [
                (101, "https://hubei.010b.com/info/detail/101.html", "汉阳银企对接", "【汉阳区招商】汉阳银企对接", "汉阳区", "2025-07-01", BODY),
                (102, "https://hubei.010b.com/info/detail/102.html", "汉阳银企对接", "【汉阳区招商】汉阳银企对接", "汉阳区", "2025-07-03", BODY),
                (103, "https://hubei.010b.com/info/detail/103.html", "光谷新区", "【光谷招商】光谷新区", "光谷", "2025-07-02", "光谷" * 40),
            ],
        )
        conn.execute("INSERT INTO listing_entries VALUES (101, 'https://x.010b.com/info/1/page/1', 1, 1, '2025-07-05')")
    db = open_archive(path)
    rows = {r["detail_id"]: r for r in db.query("SELECT * FROM articles")}
    assert set(rows) == {101, 102, 103}
    assert (rows[101]["district"], rows[101]["adcode"]) == ("汉阳区", "420105")
    assert (rows[103]["zone"], rows[103]["adcode"]) == ("东湖高新区", "420100")
    assert rows[102]["duplicate_of"] == 101 and rows[101]["duplicate_of"] is None
    assert all(r["content_sha1"] for r in rows.values())
    assert db["listing_entries"].count == 1 and db["listing_entries"].pks == ["listing", "detail_id"]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_entries_under_an_older_key_are_upgraded_keeping_their_last_sighting(tmp_path):
    """An older listing_entries keyed by page: the same article twice under the new key
    (listing, detail_id) must not stop the upgrade (it gave an IntegrityError traceback)."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIRST_SCHEMA.replace(
            "CREATE TABLE listing_entries (detail_id INTEGER, listing_url TEXT, page INTEGER, position INTEGER, seen_at TEXT);",
            "CREATE TABLE listing_entries (detail_id INTEGER, listing_url TEXT, page INTEGER, position INTEGER, seen_at TEXT,"
            " PRIMARY KEY (detail_id, listing_url, page));",
        ))  # fmt: skip
        conn.execute("INSERT INTO articles (detail_id, title, body) VALUES (101, '汉阳银企对接', ?)", [BODY])
        listing = "https://x.010b.com/info/1/page/1"
        conn.executemany("INSERT INTO listing_entries VALUES (101, ?, ?, ?, ?)",
                         [(listing, 2, 4, "2025-07-01"), (listing, 3, 1, "2025-07-05")])  # fmt: skip
    db = open_archive(path)
    assert [tuple(r.values()) for r in db.query("SELECT listing, detail_id, page, position FROM listing_entries")] == [(listing, 101, 3, 1)]
    assert db["listing_entries"].pks == ["listing", "detail_id"]
    db.close()


def test_a_first_seen_lost_to_an_older_parknews_is_filled_from_the_earliest_sighting(tmp_path):
    """sqlite-utils' upsert_all, used before, set first_seen to NULL for a changed article
    written in the same batch as a new one. Opening the archive puts back the earliest time the
    archive saw the article (its listing entry, captures, replaced versions), once."""
    from crawler.replay.server import ReplayServer
    from crawler.replay.site import ReplaySite
    from tests.crawling import crawl, rows

    site = ReplaySite(pages=1, seed=2)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
    lost, kept = site.listed_ids()[1], site.listed_ids()[2]
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM backfills WHERE name = 'first_seen'")  # as an archive from before the step
        seen = dict(conn.execute("SELECT detail_id, first_seen FROM articles"))
        conn.execute("UPDATE listing_entries SET first_seen = '2020-01-02T03:04:05+00:00' WHERE detail_id = ?", [lost])
        conn.execute("UPDATE articles SET first_seen = NULL WHERE detail_id = ?", [lost])
    conn.close()
    open_archive(db).close()
    after = dict(rows(db, "SELECT detail_id, first_seen FROM articles"))
    assert after[lost] == "2020-01-02T03:04:05+00:00"  # the earliest sighting
    assert {i: t for i, t in after.items() if i != lost} == {i: t for i, t in seen.items() if i != lost}
    assert after[kept] == seen[kept]
    assert rows(db, "SELECT finished FROM backfills WHERE name = 'first_seen'")[0][0] == "done"


def test_an_index_built_under_other_rules_is_rebuilt_once_by_the_upgrade(tmp_path):
    """An index whose tokens an older parknews made differently (here: a soft hyphen kept as
    a token of its own, where today's rules drop it) cannot forget a changed article, so the
    upgrade rebuilds it; an index recorded as built under today's rules is left alone."""
    from archive import fts
    from crawler.replay.server import ReplayServer
    from crawler.replay.site import ReplaySite
    from tests.crawling import crawl, rows

    site = ReplaySite(pages=1, seed=2)
    db = tmp_path / "archive.db"
    with ReplayServer(site) as server:
        assert crawl(server.start_url, db).returncode == 0
    assert rows(db, "SELECT last_id FROM backfills WHERE name = 'fts_rules'")[0][0] == fts.RULES
    target = site.listed_ids()[1]
    old_text = "光\u00ad谷生物城签约"
    conn = sqlite3.connect(db)
    with conn:
        # As an older parknews left it: the text stored with the soft hyphen, indexed with it.
        title, summary, body = conn.execute("SELECT title, summary, body FROM articles WHERE detail_id = ?", [target]).fetchone()
        conn.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}, rowid, title, summary, body) VALUES ('delete', ?, ?, ?, ?)",
                     [target, *map(fts.bigram_text, (title, summary, body))])  # fmt: skip
        conn.execute("UPDATE articles SET body = ? WHERE detail_id = ?", [old_text, target])
        conn.execute(f"INSERT INTO {fts.FTS_TABLE}(rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                     [target, fts.bigram_text(title), fts.bigram_text(summary), "光 \u00ad 谷生 生物 物城 城签 签约 约"])  # fmt: skip
        conn.execute("DELETE FROM backfills WHERE name = 'fts_rules'")
    match = f"SELECT rowid FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?"
    assert target not in [r[0] for r in conn.execute(match, [fts.query_phrase("光谷生物城")])]
    conn.close()
    open_archive(db).close()
    conn = sqlite3.connect(db)
    assert target in [r[0] for r in conn.execute(match, [fts.query_phrase("光谷生物城")])]
    assert conn.execute("SELECT last_id FROM backfills WHERE name = 'fts_rules'").fetchone()[0] == fts.RULES
    # Every article is still found by its own title, once.
    for detail_id, title in conn.execute("SELECT detail_id, title FROM articles").fetchall():
        assert detail_id in [r[0] for r in conn.execute(match, [fts.query_phrase(title)])]
    conn.close()
