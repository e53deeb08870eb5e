"""Upgrading an archive in place: the schema, then each derived column filled from the rows.

An upgrade is a list of steps. Each step is one transaction (``archive.db.transaction``) and
idempotent, and whether it has work to do is read from the data itself (rows whose derived
value is missing), never from "this column was just added". So an upgrade killed at any
moment is completed by the next command that opens the archive for writing, and an archive
that is already current costs a few indexed look-ups.

Steps, in order:
1. schema: missing tables, columns and indexes (``archive.schema.ensure_schema``), the repost
   and full-text tables;
2. regions: articles with a region tag or 所属地区 but no resolved place;
3. fingerprints: articles without ``content_sha1``;
4. reposts: articles not yet in the repost index (and their ``duplicate_of``);
5. captures: articles without ``capture_id`` whose page is among the captures;
6. full-text index: articles missing from ``articles_fts``; the whole index rebuilt when it was
   built under other tokenisation rules than today's ``fts.RULES`` (or before they were recorded);
7. facts: money amounts and the listings' park columns (``archive.facts``), resumable in batches;
8. first_seen: articles whose ``first_seen`` an older parknews left empty (sqlite-utils'
   upsert set it to NULL for a changed article written beside a new one), from the earliest
   time the archive saw them: a listing entry, a capture of their page, a replaced version.
   Once per archive (``backfills`` row ``first_seen``): it reads the whole articles table.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from archive import fts
from archive.db import transaction
from archive.errors import UsageError
from archive.reposts import RepostIndex, shingle_hashes
from archive.schema import backfill_state, ensure_schema, record_backfill, schema_is_current
from archive.store import content_sha1
from normalize.regions import resolve_region

UNRESOLVED_REGION = """FROM articles WHERE province IS NULL AND city IS NULL AND district IS NULL
    AND zone IS NULL AND adcode IS NULL AND (region_tag IS NOT NULL OR region_raw IS NOT NULL)"""
NOT_IN_REPOST_INDEX = (
    "FROM articles a WHERE NOT EXISTS (SELECT 1 FROM repost_signatures s WHERE s.detail_id = a.detail_id)"
    " AND length(a.body) > 0"
)
# The page an article was built from: its newest article-page capture no newer than the article.
ARTICLE_CAPTURE = """(SELECT max(c.id) FROM captures c WHERE c.detail_id = articles.detail_id
    AND c.kind = 'detail' AND c.status = 200 AND c.fetched_at <= articles.fetched_at)"""


def upgrade(db: sqlite_utils.Database, *, index: bool = True) -> None:
    """Bring ``db`` to the current schema and fill what older code left empty; ``index=False``
    leaves the full-text index as it is (for ``reindex``, which rebuilds it next).

    Raises UsageError (the archive untouched: the failing step is rolled back) when an older
    archive's rows do not fit the schema.
    """
    try:
        if not schema_is_current(db):
            with transaction(db):
                ensure_schema(db)
                RepostIndex(db).ensure_tables()
                fts.ensure_index(db)
        for step in (fill_regions, fill_fingerprints, fill_reposts, fill_capture_ids, fill_index, fill_facts,
                     fill_first_seen):  # fmt: skip
            if index or step is not fill_index:
                step(db)
    except sqlite3.IntegrityError as exc:
        raise UsageError(f"cannot upgrade the archive: its rows do not fit the current schema ({exc}); nothing was changed") from None


def fill_facts(db: sqlite_utils.Database) -> None:
    """Money amounts and park names of an archive from before them: resumable, a batch a
    transaction, its progress in ``backfills`` (see ``archive.facts``)."""
    from archive.facts import resume_backfill

    resume_backfill(db)


# The earliest time the archive saw an article, from what it kept besides the article row.
EARLIEST_SEEN = """(SELECT min(t) FROM (
    SELECT first_seen AS t FROM listing_entries WHERE detail_id = articles.detail_id
    UNION ALL SELECT fetched_at FROM captures WHERE detail_id = articles.detail_id AND kind = 'detail'
    UNION ALL SELECT fetched_at FROM article_versions WHERE detail_id = articles.detail_id
    UNION ALL SELECT articles.fetched_at UNION ALL SELECT articles.last_seen))"""


def fill_first_seen(db: sqlite_utils.Database) -> None:
    if (state := backfill_state(db, "first_seen")) and state[1]:
        return
    with transaction(db):
        db.conn.execute(f"UPDATE articles SET first_seen = {EARLIEST_SEEN} WHERE first_seen IS NULL")
        record_backfill(db, "first_seen", None, "done")


def fill_regions(db: sqlite_utils.Database) -> None:
    rows = db.execute(f"SELECT detail_id, region_tag, region_raw {UNRESOLVED_REGION}").fetchall()
    updates = []
    for detail_id, region_tag, region_raw in rows:
        region = resolve_region(region_tag, region_raw)
        if any((region.province, region.city, region.district, region.zone, region.adcode)):
            updates.append((region.province, region.city, region.district, region.zone, region.adcode, detail_id))
    if updates:
        with transaction(db):
            db.conn.executemany(
                "UPDATE articles SET province = ?, city = ?, district = ?, zone = ?, adcode = ? WHERE detail_id = ?", updates
            )


def fill_fingerprints(db: sqlite_utils.Database) -> None:
    if not db.execute("SELECT 1 FROM articles WHERE content_sha1 IS NULL LIMIT 1").fetchone():
        return
    with transaction(db):
        rows = list(db.query("SELECT detail_id, title_raw, body, summary, source, published_date FROM articles WHERE content_sha1 IS NULL"))
        db.conn.executemany(
            "UPDATE articles SET content_sha1 = ? WHERE detail_id = ?", [(content_sha1(row), row["detail_id"]) for row in rows]
        )


def fill_reposts(db: sqlite_utils.Database) -> None:
    # A body too short to compare never gets a signature: only the others are work to do.
    rows = db.execute(f"SELECT a.detail_id, a.published_date, a.body {NOT_IN_REPOST_INDEX} ORDER BY a.detail_id").fetchall()
    rows = [row for row in rows if shingle_hashes(row[2]) is not None]
    if not rows:
        return
    with transaction(db):
        index = RepostIndex(db)
        for detail_id, published_date, body in rows:
            for changed_id, duplicate_of in index.add(detail_id, published_date, body or ""):
                db.execute("UPDATE articles SET duplicate_of = ? WHERE detail_id = ?", [duplicate_of, changed_id])


def fill_capture_ids(db: sqlite_utils.Database) -> None:
    if not db.execute(f"SELECT 1 FROM articles WHERE capture_id IS NULL AND {ARTICLE_CAPTURE} IS NOT NULL LIMIT 1").fetchone():
        return
    with transaction(db):
        db.execute(f"UPDATE articles SET capture_id = {ARTICLE_CAPTURE} WHERE capture_id IS NULL")


def fill_index(db: sqlite_utils.Database) -> None:
    if fts.indexed_rules(db) != fts.RULES:
        # Built under other rules (or before they were recorded): rebuilt whole, beside the
        # old index, which readers use until the swap; a killed rebuild starts over.
        fts.rebuild(db)
        return
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    indexed = db.execute(f"SELECT count(*) FROM [{fts.FTS_TABLE}_docsize]").fetchone()[0]
    if articles == indexed:
        return
    with transaction(db):
        fts.index_missing(db)
