"""Writing to the archive: articles and their versions, listing entries, captures, runs,
and the work a run left undone (pending article and listing pages).

The crawl's ArchivePipeline and ``parknews reparse`` both write through ``ArchiveWriter``, so
the rules live here once: upserts keyed on detail_id, a version row for each change, the
full-text and repost indexes kept in step, and each batch in one transaction
(``archive.db.transaction``): captures, pending pages, articles with their versions, index
rows and repost marks, entries and errors are committed together or not at all.

Pending work: an article a listing showed and the crawl requested is a ``pending_articles``
row until its article is written (in the same transaction); a listing page that failed is a
``pending_pages`` row until it is parsed. Every later run requests them by URL. One that
answers 404 or 410 in ``gone_after`` runs in a row is marked ``gone`` and no longer requested.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlite_utils

from archive import facts, fts
from archive.db import transaction
from archive.schema import TABLES
from archive.state import pending_counts

# Captures are zlib streams (RFC 1950: Python's zlib, SQLite's shell tools and any reader of
# the archive decompress them), written by ISA-L's deflate (python-isal) at its level 2: on the
# replay's pages 0.04 ms a page at 32.3% of the raw bytes, against 0.15 ms at 31.4% for the
# standard library's level 1 and 0.26 ms at 29.4% for its level 6 (bench/bench_captures.py).
# Where python-isal has no wheel, the standard library's zlib at level 1.
try:
    from isal import isal_zlib as _deflate

    CAPTURE_ZLIB_LEVEL = 2
except ImportError:  # pragma: no cover (python-isal is a dependency; this is for platforms without its wheel)
    import zlib as _deflate

    CAPTURE_ZLIB_LEVEL = 1


def compress_capture(body: bytes) -> bytes:
    """``body`` as a zlib stream (``zlib.decompress`` gives it back), at ``CAPTURE_ZLIB_LEVEL``."""
    return _deflate.compress(body, CAPTURE_ZLIB_LEVEL)


_CAPTURE_COLUMNS = [column for column in TABLES["captures"]["columns"] if column != "id"]
_INSERT_CAPTURE = f"INSERT INTO captures ({', '.join(_CAPTURE_COLUMNS)}) VALUES ({', '.join('?' * len(_CAPTURE_COLUMNS))})"

# Columns of `articles` that the crawl fills from an ArticleItem (the rest are bookkeeping).
ARTICLE_FIELDS = (
    "detail_id", "url", "title", "title_raw", "region_tag", "region_raw", "province", "city",
    "district", "zone", "adcode", "published_date", "published_at", "listing_date", "summary",
    "body", "source", "fetched_at",
)  # fmt: skip
# A change in any of these is a change of the article (fetched_at always moves).
COMPARED_FIELDS = tuple(k for k in ARTICLE_FIELDS if k != "fetched_at")
# What a version row keeps of the article it replaces.
VERSION_FIELDS = ("detail_id", "title", "title_raw", "summary", "body", "source", "published_date", "content_sha1", "fetched_at")
ENTRY_FIELDS = ("listing", "detail_id", "listing_url", "page", "position", "title_shown")
PENDING_ARTICLE_FIELDS = ("detail_id", "url", "listing", "listing_url", "page", "position", "title_shown", "listing_date_raw", "summary")
ERROR_FIELDS = ("url", "reason", "http_status")
GONE_STATUSES = (404, 410)
# An article row as written: a new one gets every column; an archived one keeps its first_seen
# (and the columns written elsewhere: duplicate_of, capture_id). By hand, not sqlite-utils'
# upsert_all: that fills a key one row of a chunk lacks with NULL in every row (a changed
# article written beside a new one lost its first_seen), and its per-chunk SAVEPOINT with a
# fresh name is a statement prepared anew every time.
_ARTICLE_ROW = (*ARTICLE_FIELDS, "content_sha1", "first_seen", "last_seen")
_UPSERT_ARTICLE = (
    f"INSERT INTO articles ({', '.join(_ARTICLE_ROW)}) VALUES ({', '.join('?' * len(_ARTICLE_ROW))}) "
    "ON CONFLICT (detail_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _ARTICLE_ROW if column not in ("detail_id", "first_seen"))
)
# The capture an article row is built from: the newest article page of it that answered 200.
LATEST_CAPTURE = "(SELECT max(id) FROM captures WHERE detail_id = articles.detail_id AND kind = 'detail' AND status = 200)"


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

    def add(self, other: WriteCounts) -> None:
        self.new += other.new
        self.changed += other.changed
        self.unchanged += other.unchanged


@dataclass
class Batch:
    """What one transaction writes. Captures go first, so an article never exists without its
    evidence; pending pages before the articles that resolve them."""

    articles: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    captures: list[dict] = field(default_factory=list)
    unchanged_ids: list[int] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)  # article pages requested (PENDING_ARTICLE_FIELDS)
    errors: list[dict] = field(default_factory=list)  # ERROR_FIELDS + kind, detail_id / listing, page

    def __len__(self) -> int:
        return (len(self.articles) + len(self.entries) + len(self.captures) + len(self.unchanged_ids)
                + len(self.pending) + len(self.errors))  # fmt: skip


class ArchiveWriter:
    def __init__(self, db: sqlite_utils.Database, *, gone_after: int):
        """``gone_after``: runs in a row a page must answer 404/410 to be given up as gone (the
        crawl's setting ``PARKNEWS_GONE_AFTER_RUNS``, whose one default is in ``crawler/settings.py``)."""
        self.db = db
        self.gone_after = gone_after
        # Imported here, not with the module: it brings numpy (~0.1 s), which the crawl loads
        # in the background while its first pages download (crawler.pipelines).
        from archive.reposts import RepostIndex

        self.reposts = RepostIndex(db)

    # -- runs ---------------------------------------------------------------------------------

    def begin_run(self, *, started: str, mode: str, start_urls: list[str]) -> int:
        with transaction(self.db):
            # Holding the crawl lock, any run still marked running was killed.
            self.db.execute("UPDATE crawl_runs SET status = 'killed' WHERE status = 'running'")
            table = self.db["crawl_runs"].insert(
                {"started": started, "status": "running", "mode": mode, "start_urls": json.dumps(start_urls)}
            )
            for listing in start_urls:
                self.db.execute(
                    """INSERT INTO listings (listing, first_crawled, walk_started) VALUES (?, ?, ?)
                       ON CONFLICT(listing) DO UPDATE SET walk_started = excluded.walk_started""",
                    [listing, started, started],
                )
        return table.last_pk

    def finish_run(self, run_id: int, *, walked_listings: Iterable[str] = (), **fields: object) -> None:
        finished = utc_now()
        with transaction(self.db):
            self.db["crawl_runs"].update(run_id, {"finished": finished, **pending_counts(self.db), **fields})
            for listing in walked_listings:
                self.db.execute("UPDATE listings SET walk_finished = ? WHERE listing = ?", [finished, listing])

    # -- a batch of crawl output --------------------------------------------------------------

    def write(self, batch: Batch, *, seen_at: str, run_id: int | None = None, keep_versions: bool = True) -> WriteCounts:
        with transaction(self.db):
            facts.note_listing_pages(self.db, batch.captures)  # park names; before the bodies are stored
            self.write_captures(batch.captures, run_id=run_id)
            self.write_pending(batch.pending, seen_at=seen_at)
            counts = self.write_articles(batch.articles, seen_at=seen_at, keep_versions=keep_versions)
            self.write_entries(batch.entries, seen_at=seen_at)
            if batch.unchanged_ids:
                self.touch(batch.unchanged_ids, seen_at=seen_at)
                counts.unchanged += len(batch.unchanged_ids)
                # Asked for because its listing showed a new headline, the page had not changed:
                # nothing more to fetch.
                self.db.conn.executemany("DELETE FROM pending_articles WHERE detail_id = ?", [(i,) for i in batch.unchanged_ids])
            self.write_errors(batch.errors, run_id=run_id, at=seen_at)
        return counts

    def write_captures(self, captures: list[dict], *, run_id: int | None) -> None:
        """Store the pages (dicts with the ``captures`` columns and ``body``, raw bytes), each
        distinct body once, zlib-compressed at ``CAPTURE_ZLIB_LEVEL``; a listing page stored
        with status 200 is no longer pending. One prepared statement a table for the batch."""
        if not captures:
            return
        bodies, rows, walked = [], [], []
        for capture in captures:
            body = capture["body"]
            sha1 = hashlib.sha1(body).hexdigest()
            bodies.append((sha1, len(body), compress_capture(body)))
            row = capture | {"headers": json.dumps(capture["headers"], ensure_ascii=False), "body_sha1": sha1, "run_id": run_id}
            rows.append(tuple(row.get(column) for column in _CAPTURE_COLUMNS))
            if capture["kind"] == "listing" and capture["status"] == 200:
                walked.append((capture["listing"], capture["page"]))
        conn = self.db.conn
        conn.executemany("INSERT OR IGNORE INTO capture_bodies (sha1, size, body) VALUES (?, ?, ?)", bodies)
        conn.executemany(_INSERT_CAPTURE, rows)
        conn.executemany("DELETE FROM pending_pages WHERE listing = ? AND page = ?", walked)

    def write_pending(self, pending: list[dict], *, seen_at: str) -> None:
        """Remember article pages requested, until their article is written."""
        columns = ", ".join(PENDING_ARTICLE_FIELDS)
        updates = ", ".join(f"{k} = excluded.{k}" for k in PENDING_ARTICLE_FIELDS[1:])
        self.db.conn.executemany(
            f"""INSERT INTO pending_articles ({columns}, first_seen, failures, not_found_runs)
                VALUES ({", ".join(":" + k for k in PENDING_ARTICLE_FIELDS)}, :seen_at, 0, 0)
                ON CONFLICT(detail_id) DO UPDATE SET {updates}""",
            [{k: row.get(k) for k in PENDING_ARTICLE_FIELDS} | {"seen_at": seen_at} for row in pending],
        )

    def write_errors(self, errors: list[dict], *, run_id: int | None, at: str) -> None:
        """Record pages that failed for good; count them against their pending row, if any."""
        if not errors:
            return
        self.db["crawl_errors"].insert_all([{k: e.get(k) for k in ERROR_FIELDS} | {"run_id": run_id, "at": at} for e in errors])
        for error in errors:
            if error.get("kind") == "detail" and error.get("detail_id") is not None:
                key, where = "pending_articles", {"detail_id": error["detail_id"]}
            elif error.get("kind") == "listing" and error.get("page"):
                key, where = "pending_pages", {"listing": error["listing"], "page": error["page"]}
                self.db.execute(
                    """INSERT INTO pending_pages (listing, page, url, first_seen, failures, not_found_runs)
                       VALUES (:listing, :page, :url, :at, 0, 0) ON CONFLICT(listing, page) DO UPDATE SET url = excluded.url""",
                    where | {"url": error["url"], "at": at},
                )
            else:
                continue
            self._count_failure(key, where, error, run_id=run_id, at=at)

    def _count_failure(self, table: str, where: dict, error: dict, *, run_id: int | None, at: str) -> None:
        condition = " AND ".join(f"{k} = :{k}" for k in where)
        row = self.db.execute(f"SELECT last_run, failures, not_found_runs FROM {table} WHERE {condition}", where).fetchone()
        if row is None:
            return  # an archived article's refresh failed: nothing is missing
        last_run, failures, not_found_runs = row
        new_run = last_run != run_id or run_id is None
        if error.get("http_status") in GONE_STATUSES:
            not_found_runs = (not_found_runs or 0) + new_run
        else:
            not_found_runs = 0
        failures = (failures or 0) + new_run
        gone = at if not_found_runs and not_found_runs >= self.gone_after else None  # only 404/410 runs give up
        self.db.execute(
            f"""UPDATE {table} SET last_run = :run, failures = :failures, not_found_runs = :nf, reason = :reason,
                   http_status = :status, gone = :gone WHERE {condition}""",
            where | {"run": run_id, "failures": failures, "nf": not_found_runs, "reason": error.get("reason"),
                     "status": error.get("http_status"), "gone": gone},
        )  # fmt: skip

    def write_articles(self, articles: list[dict], *, seen_at: str, keep_versions: bool = True) -> WriteCounts:
        """Upsert articles (dicts with ARTICLE_FIELDS); the caller holds the transaction."""
        counts = WriteCounts()
        existing = self.existing([a["detail_id"] for a in articles])
        changed: list[dict] = []
        versions: list[dict] = []
        kept_capture: dict[int, int | None] = {}  # articles whose text stays that of their old page
        for article in articles:
            row = {k: article.get(k) for k in ARTICLE_FIELDS}
            old = existing.get(row["detail_id"])
            if old is not None and old["body"] and not row["body"]:
                # An empty page must never wipe out a good archived article; nor is the
                # article's page (capture_id) the empty one.
                row["body"] = old["body"]
                kept_capture[row["detail_id"]] = old["capture_id"]
            row["content_sha1"] = content_sha1(row)
            # max(): a reparse writes with the capture's (older) time; last_seen never goes back.
            row["last_seen"] = max(seen_at, old["last_seen"] or "") if old else seen_at
            if old is None:
                row["first_seen"] = seen_at
                counts.new += 1
            elif all(old[k] == row[k] for k in COMPARED_FIELDS):
                counts.unchanged += 1
                self.touch([row["detail_id"]], seen_at=seen_at)
                continue
            else:
                counts.changed += 1
                if keep_versions:
                    versions.append({k: old[k] for k in VERSION_FIELDS} | {"replaced_at": seen_at})
            changed.append(row)
        if versions:
            self.db["article_versions"].insert_all(versions)
        fts.index_articles(self.db, changed)  # before the upsert: it reads the old text to unindex it
        self.db.conn.executemany(_UPSERT_ARTICLE, [tuple(row.get(column) for column in _ARTICLE_ROW) for row in changed])
        facts.write_amounts(self.db, changed)
        for row in changed:
            for detail_id, duplicate_of in self.reposts.add(row["detail_id"], row["published_date"], row["body"] or ""):
                self.db.execute("UPDATE articles SET duplicate_of = ? WHERE detail_id = ?", [duplicate_of, detail_id])
        ids = [(a["detail_id"],) for a in articles]
        # The validators a refresh sends are those of the page this article row now stands for:
        # the newest, or the one a reparse names (an older page, where the newest held no text).
        self.db.conn.executemany(
            f"UPDATE articles SET capture_id = coalesce(?, {LATEST_CAPTURE}) WHERE detail_id = ?",
            [(kept_capture.get(a["detail_id"], a.get("capture_id")), a["detail_id"]) for a in articles],
        )
        self.db.conn.executemany("DELETE FROM pending_articles WHERE detail_id = ?", ids)
        return counts

    def write_entries(self, entries: list[dict], *, seen_at: str) -> None:
        """Upsert entries seen in a listing; an entry marked ``fresh=False`` (what the archive
        knew, carried by a refresh or a pending page) is only added where none is stored."""
        insert = """INSERT INTO listing_entries (listing, detail_id, listing_url, page, position, title_shown, first_seen, seen_at)
                    VALUES (:listing, :detail_id, :listing_url, :page, :position, :title_shown, :seen_at, :seen_at)"""
        fresh = [{k: e[k] for k in ENTRY_FIELDS} | {"seen_at": seen_at} for e in entries if e.get("fresh", True)]
        known = [{k: e[k] for k in ENTRY_FIELDS} | {"seen_at": seen_at} for e in entries if not e.get("fresh", True) and e["listing"]]
        self.db.conn.executemany(
            f"""{insert} ON CONFLICT(listing, detail_id) DO UPDATE SET listing_url = excluded.listing_url,
                 page = excluded.page, position = excluded.position, title_shown = excluded.title_shown,
                 seen_at = excluded.seen_at""",
            fresh,
        )
        self.db.conn.executemany(f"{insert} ON CONFLICT(listing, detail_id) DO NOTHING", known)

    def touch(self, ids: list[int], *, seen_at: str) -> None:
        self.db.conn.executemany(
            "UPDATE articles SET last_seen = max(coalesce(last_seen, ''), ?) WHERE detail_id = ?", [(seen_at, i) for i in ids]
        )

    def existing(self, ids: list[int]) -> dict[int, dict]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        columns = tuple(dict.fromkeys((*VERSION_FIELDS, *ARTICLE_FIELDS, "last_seen", "capture_id")))
        cursor = self.db.execute(f"SELECT {', '.join(columns)} FROM articles WHERE detail_id IN ({marks})", ids)
        return {row[0]: dict(zip(columns, row)) for row in cursor}
