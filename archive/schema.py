"""The archive's schema: the one place that says which tables and columns exist.

``ensure_schema`` creates a new archive or upgrades an older one in place: missing tables
are created, missing columns are added (never dropped or retyped), so no row is lost.
Every column is documented in README.md ("Archive schema"); keep the two in step. The repost
index's tables are declared here too (``REPOST_TABLES``); only the full-text index's FTS5
table is declared by ``archive.fts``, which creates it under two names (the index, and a
rebuild's new index beside it).
"""

from __future__ import annotations

import sqlite_utils

# 2: articles.capture_id, crawl_runs.pending/gone, pending_articles, pending_pages.
SCHEMA_VERSION = 2

# table name -> (columns in order, primary key, not-null columns)
TABLES: dict[str, dict] = {
    "articles": {
        "columns": {
            "detail_id": int,
            "url": str,
            "title": str,
            "title_raw": str,
            "region_tag": str,
            "region_raw": str,
            "province": str,
            "city": str,
            "district": str,
            "zone": str,
            "adcode": str,
            "published_date": str,
            "published_at": str,
            "listing_date": str,
            "summary": str,
            "body": str,
            "source": str,
            "duplicate_of": int,
            "content_sha1": str,
            "fetched_at": str,
            "first_seen": str,
            "last_seen": str,
            # The capture the article was built from: its validators (ETag, Last-Modified)
            # are the ones a refresh may send, since they were committed with the article.
            "capture_id": int,
        },
        "pk": "detail_id",
    },
    "listing_entries": {
        "columns": {
            "listing": str,
            "detail_id": int,
            "listing_url": str,
            "page": int,
            "position": int,
            "title_shown": str,
            "first_seen": str,
            "seen_at": str,
        },
        "pk": ("listing", "detail_id"),
    },
    "article_versions": {
        "columns": {
            "id": int,
            "detail_id": int,
            "title": str,
            "title_raw": str,
            "summary": str,
            "body": str,
            "source": str,
            "published_date": str,
            "content_sha1": str,
            "fetched_at": str,
            "replaced_at": str,
        },
        "pk": "id",
    },
    "listings": {
        "columns": {
            "listing": str,
            "first_crawled": str,
            "walk_started": str,
            "walk_finished": str,
            "host": str,
            "park_name": str,
            "listing_name": str,
        },
        "pk": "listing",
    },
    # Money amounts found in each article's title, summary and body (archive/facts.py).
    "amounts": {
        "columns": {
            "detail_id": int,
            "field": str,
            "position": int,
            "value": float,
            "value_high": float,
            "value_cny": float,
            "value_raw": str,
            "currency": str,
            "approximate": int,
            "kind": str,
            "sentence": str,
        },
        "pk": ("detail_id", "field", "position"),
    },
    # Per-article money summaries, kept with the amounts (rules in archive/facts.py).
    "article_money": {
        "columns": {
            "detail_id": int,
            "investment_max_cny": float,
            "contract_sum_cny": float,
            "amount_count": int,
        },
        "pk": "detail_id",
    },
    # Progress of resumable upgrades of older archives (archive/facts.py).
    "backfills": {
        "columns": {
            "name": str,
            "last_id": int,
            "finished": str,
        },
        "pk": "name",
    },
    "captures": {
        "columns": {
            "id": int,
            "run_id": int,
            "url": str,
            "fetched_at": str,
            "status": int,
            "headers": str,
            "body_sha1": str,
            "kind": str,
            "listing": str,
            "page": int,
            "detail_id": int,
        },
        "pk": "id",
    },
    "capture_bodies": {
        "columns": {
            "sha1": str,
            "size": int,
            "body": bytes,
        },
        "pk": "sha1",
    },
    "crawl_runs": {
        "columns": {
            "id": int,
            "started": str,
            "finished": str,
            "status": str,
            "mode": str,
            "start_urls": str,
            "pages": int,
            "pages_total": int,
            "requests": int,
            "articles_new": int,
            "articles_changed": int,
            "articles_unchanged": int,
            "errors": int,
            "unknown_regions": int,
            "exit_code": int,
            "pending": int,
            "gone": int,
        },
        "pk": "id",
    },
    "crawl_errors": {
        "columns": {
            "id": int,
            "run_id": int,
            "url": str,
            "reason": str,
            "http_status": int,
            "at": str,
        },
        "pk": "id",
    },
}

# Work a run could not finish, kept until a later run does it (see archive/store.py).
_RETRY_COLUMNS = {
    "first_seen": str,  # when the page was first due
    "last_run": int,  # the last run that tried it
    "failures": int,  # runs in which it failed
    "not_found_runs": int,  # runs in a row in which it answered 404 or 410
    "reason": str,  # the last failure, as in crawl_errors
    "http_status": int,
    "gone": str,  # when it was given up as gone (404/410 for PARKNEWS_GONE_AFTER_RUNS runs); NULL: pending
}
TABLES["pending_articles"] = {
    "columns": {
        "detail_id": int,
        "url": str,
        "listing": str,
        "listing_url": str,
        "page": int,
        "position": int,
        "title_shown": str,
        "listing_date_raw": str,
        "summary": str,
        **_RETRY_COLUMNS,
    },
    "pk": "detail_id",
}
TABLES["pending_pages"] = {
    "columns": {"listing": str, "page": int, "url": str, **_RETRY_COLUMNS},
    "pk": ("listing", "page"),
}

# Derived columns SQLite computes itself (virtual: no storage, always in step).
GENERATED_COLUMNS: dict[str, dict[str, str]] = {
    "articles": {"published_month": "TEXT GENERATED ALWAYS AS (substr(published_date, 1, 7)) VIRTUAL"},
}

INDEXES: list[tuple[str, list[str]]] = [
    ("articles", ["published_date"]),
    ("articles", ["adcode"]),
    ("articles", ["duplicate_of"]),
    ("listing_entries", ["detail_id"]),
    ("crawl_errors", ["run_id"]),
    ("article_versions", ["detail_id"]),
    ("captures", ["url", "fetched_at"]),
    ("captures", ["detail_id"]),
    ("amounts", ["kind", "value_cny"]),
]


# The repost index's tables (``archive.reposts``: MinHash signatures and LSH bands), created with
# the index by ``RepostIndex.ensure_tables``.
REPOST_TABLES = (
    """CREATE TABLE IF NOT EXISTS repost_signatures (
        detail_id INTEGER PRIMARY KEY,
        published_date TEXT,
        root INTEGER NOT NULL,
        signature BLOB NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS repost_signatures_root ON repost_signatures (root)",
    """CREATE TABLE IF NOT EXISTS repost_bands (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        detail_id INTEGER NOT NULL,
        PRIMARY KEY (band, bucket, detail_id)
    ) WITHOUT ROWID""",
)

def schema_is_current(db: sqlite_utils.Database) -> bool:
    """True when every table, column and index exists and ``user_version`` is this schema's."""
    if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        return False
    for name, spec in TABLES.items():
        present = {row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])")}
        if not set(spec["columns"]) | set(GENERATED_COLUMNS.get(name, {})) <= present:
            return False
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    return all(f"idx_{table}_{'_'.join(columns)}" in indexes for table, columns in INDEXES)


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns and indexes. Idempotent; never drops a column or table.

    The caller holds the transaction (``archive.db.transaction``): an upgrade is all or nothing.
    """
    for name, spec in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"])
            continue
        existing = set(table.columns_dict)
        for column, col_type in spec["columns"].items():
            if column not in existing:
                table.add_column(column, col_type)
        pk = [spec["pk"]] if isinstance(spec["pk"], str) else list(spec["pk"])
        if table.pks != pk:
            if name == "listing_entries":
                # Entries of an older archive: their listing is only known by the page they were
                # on; an entry seen twice under the new key keeps its last sighting.
                db.execute("UPDATE listing_entries SET listing = listing_url WHERE listing IS NULL")
                db.execute(
                    """DELETE FROM listing_entries WHERE rowid NOT IN (
                         SELECT max(rowid) FROM listing_entries GROUP BY listing, detail_id)"""
                )
            table.transform(pk=pk)
    for name, columns in GENERATED_COLUMNS.items():
        # table_xinfo, not table_info: the latter hides generated columns.
        present = {row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])")}
        for column, definition in columns.items():
            if column not in present:
                db.execute(f"ALTER TABLE [{name}] ADD COLUMN [{column}] {definition}")
    for table, columns in INDEXES:
        db[table].create_index(columns, if_not_exists=True)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def backfill_state(db: sqlite_utils.Database, name: str) -> tuple[int | None, str | None] | None:
    """(last_id, finished) of the ``backfills`` row ``name``; None when there is none."""
    row = db.conn.execute("SELECT last_id, finished FROM backfills WHERE name = ?", [name]).fetchone()
    return (row[0], row[1]) if row else None


def record_backfill(db: sqlite_utils.Database, name: str, last_id: int | None, finished: str | None) -> None:
    """Write the ``backfills`` row ``name`` (its progress, and ``finished`` once done: 'done');
    the caller holds the transaction of the work it records."""
    db.conn.execute(
        """INSERT INTO backfills (name, last_id, finished) VALUES (?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET last_id = excluded.last_id, finished = excluded.finished""",
        [name, last_id, finished],
    )
