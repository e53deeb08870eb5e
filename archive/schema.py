"""The archive's schema: the one place that says which tables and columns exist.

``ensure_schema`` creates a new archive or upgrades an older one in place: missing tables
are created, missing columns are added (never dropped or retyped), so no row is lost.
Every column is documented in README.md ("Archive schema"); keep the two in step.
"""

from __future__ import annotations

import sqlite_utils

SCHEMA_VERSION = 1

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



def ensure_schema(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """Create missing tables, columns and indexes. Idempotent; never drops anything.

    Returns the columns added to tables that already existed (an upgrade), by table.
    """
    added: dict[str, list[str]] = {}
    for name, spec in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(spec["columns"], pk=spec["pk"])
            continue
        existing = set(table.columns_dict)
        for column, col_type in spec["columns"].items():
            if column not in existing:
                table.add_column(column, col_type)
                added.setdefault(name, []).append(column)
        pk = [spec["pk"]] if isinstance(spec["pk"], str) else list(spec["pk"])
        if table.pks != pk:
            if name in added and "listing" in added[name]:
                # Entries of an older archive: their listing is only known by the page they were on.
                db.execute("UPDATE listing_entries SET listing = listing_url WHERE listing IS NULL")
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
    return added
