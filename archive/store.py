"""Writing to the archive: articles, listing entries, runs and their errors.

The crawl's ArchivePipeline and ``parknews reparse`` both write through ``ArchiveWriter``, so
the rules live here once: upserts keyed on detail_id, first_seen kept, the full-text index and
the repost index kept in step, each batch in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlite_utils

from archive import fts
from archive.reposts import RepostIndex

# Columns of `articles` that the crawl fills from an ArticleItem (the rest are bookkeeping).
ARTICLE_FIELDS = (
    "detail_id", "url", "title", "title_raw", "region_tag", "region_raw", "province", "city",
    "district", "zone", "adcode", "published_date", "published_at", "listing_date", "summary",
    "body", "source",
)  # fmt: skip


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def content_sha1(article: dict) -> str:
    """What counts as a change of an article: its title, body, summary, source and date."""
    parts = [article.get(k) or "" for k in ("title_raw", "body", "summary", "source", "published_date")]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class WriteCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    kept_old_body: list[int] = field(default_factory=list)

    def add(self, other: WriteCounts) -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.kept_old_body += other.kept_old_body


class ArchiveWriter:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.reposts = RepostIndex(db)
        self.reposts.ensure_tables()

    # -- runs ---------------------------------------------------------------------------------

    def begin_run(self, *, started: str, mode: str, start_urls: list[str]) -> int:
        with self.db.conn:
            table = self.db["crawl_runs"].insert(
                {"started": started, "status": "running", "mode": mode, "start_urls": json.dumps(start_urls)}
            )
        return table.last_pk

    def finish_run(self, run_id: int, **fields: object) -> None:
        with self.db.conn:
            self.db["crawl_runs"].update(run_id, {"finished": utc_now(), **fields})

    def record_errors(self, run_id: int, errors: Iterable[dict]) -> None:
        rows = [{"run_id": run_id, "at": utc_now(), **error} for error in errors]
        if rows:
            with self.db.conn:
                self.db["crawl_errors"].insert_all(rows)

    # -- articles -----------------------------------------------------------------------------

    def write_articles(self, articles: list[dict], entries: list[dict], *, seen_at: str) -> WriteCounts:
        """Upsert a batch of articles (dicts with ARTICLE_FIELDS) and their listing entries, in one transaction."""
        counts = WriteCounts()
        ids = [a["detail_id"] for a in articles]
        existing = self.existing(ids)
        rows = []
        for article in articles:
            row = {k: article.get(k) for k in ARTICLE_FIELDS}
            old = existing.get(row["detail_id"])
            if old is not None and old["body"] and not row["body"]:
                # An empty page must never wipe out a good archived article.
                row["body"] = old["body"]
                counts.kept_old_body.append(row["detail_id"])
            row["content_sha1"] = content_sha1(row)
            row["last_seen"] = seen_at
            if old is None:
                row["first_seen"] = seen_at
                counts.new += 1
            elif old["content_sha1"] == row["content_sha1"]:
                counts.unchanged += 1
            else:
                counts.changed += 1
            rows.append(row)
        with self.db.conn:
            self.db["articles"].upsert_all(rows, pk="detail_id")
            fts.index_articles(self.db, rows)
            for row in rows:
                self.apply_reposts(self.reposts.add(row["detail_id"], row["published_date"], row["body"] or ""))
            self.write_entries(entries, seen_at=seen_at)
        return counts

    def apply_reposts(self, assignments: list[tuple[int, int | None]]) -> None:
        for detail_id, duplicate_of in assignments:
            self.db.execute("UPDATE articles SET duplicate_of = ? WHERE detail_id = ?", [duplicate_of, detail_id])

    def write_entries(self, entries: list[dict], *, seen_at: str) -> None:
        for entry in entries:
            self.db.execute(
                """INSERT INTO listing_entries (listing, detail_id, listing_url, page, position, title_shown, first_seen, seen_at)
                   VALUES (:listing, :detail_id, :listing_url, :page, :position, :title_shown, :seen_at, :seen_at)
                   ON CONFLICT(listing, detail_id) DO UPDATE SET listing_url = excluded.listing_url,
                     page = excluded.page, position = excluded.position, title_shown = excluded.title_shown,
                     seen_at = excluded.seen_at""",
                {**entry, "seen_at": seen_at},
            )

    def existing(self, ids: list[int]) -> dict[int, dict]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT detail_id, body, content_sha1 FROM articles WHERE detail_id IN ({marks})", ids
        ).fetchall()
        return {r[0]: {"body": r[1], "content_sha1": r[2]} for r in rows}
