"""What a crawl needs to know of the archive before it starts: which articles it holds, which
listings were walked to the end last time, what to re-fetch, and the pages earlier runs left
pending or gave up as gone (see ``archive.store``). Read-only."""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass, field
from datetime import date

from archive.db import is_new_archive, open_archive_readonly
from extract.encoding import decode_html


@dataclass(frozen=True)
class RefreshTarget:
    """An archived article with its listing entry, and the validators its server last gave."""

    detail_id: int
    url: str
    title_raw: str
    summary: str
    listing_date: str | None
    listing: str
    listing_url: str
    page: int
    position: int
    etag: str | None
    last_modified: str | None
    body_sha1: str | None = None  # of that page's body: a 200 with the same body is no change


UNFINISHED = ("running", "killed", "shutdown", "failed")  # crawl_runs.status of a run that did not end its walk


@dataclass(frozen=True)
class PendingPage:
    """A listing page that failed in an earlier run: requested again by its URL."""

    listing: str
    page: int
    url: str


@dataclass
class CrawlState:
    known_ids: set[int] = field(default_factory=set)
    walked_listings: set[str] = field(default_factory=set)  # last walk reached its end
    # Articles first archived by the last run, where that run did not end (killed, interrupted,
    # failed): the next walk counts them as new, so it reads as far as that run would have.
    new_in_unfinished_run: set[int] = field(default_factory=set)
    refresh: list[RefreshTarget] = field(default_factory=list)
    pending_articles: list[RefreshTarget] = field(default_factory=list)  # requested, not yet archived (or its new headline)
    pending_pages: list[PendingPage] = field(default_factory=list)
    gone_ids: set[int] = field(default_factory=set)  # article pages given up (404/410 run after run)
    gone_pages: set[tuple[str, int]] = field(default_factory=set)  # (listing, page)

    @classmethod
    def load(cls, path: str | os.PathLike, *, refresh_since: date | None = None, refresh_all: bool = False) -> CrawlState:
        if is_new_archive(path):
            return cls()
        db = open_archive_readonly(path)
        try:
            if not db["articles"].exists():
                return cls()
            state = cls(known_ids={row[0] for row in db.execute("SELECT detail_id FROM articles")})
            if db["listings"].exists():
                # Walked to its end once. A run killed or failing since needs no walk to the end:
                # what it left is pending (fetched by URL) or still new at the top.
                state.walked_listings = {
                    row[0] for row in db.execute("SELECT listing FROM listings WHERE walk_finished IS NOT NULL")
                }
            if db["crawl_runs"].exists():
                last = db.execute("SELECT started, status FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
                if last and last[1] in UNFINISHED and last[0]:
                    state.new_in_unfinished_run = {
                        row[0] for row in db.execute("SELECT detail_id FROM articles WHERE first_seen >= ?", [last[0]])
                    }
            if refresh_all or refresh_since:
                state.refresh = refresh_targets(db, None if refresh_all else refresh_since)
            if db["pending_articles"].exists():
                state.load_pending(db)
            return state
        finally:
            db.conn.close()


    def load_pending(self, db) -> None:
        # Archived ones too (a new headline not yet archived, a row an older reparse left without
        # text), with the sha1 of their archived page: the same page again is no change.
        archived_sha1 = (
            "(SELECT c.body_sha1 FROM articles a JOIN captures c ON c.id = a.capture_id WHERE a.detail_id = p.detail_id)"
            if "capture_id" in db["articles"].columns_dict else "NULL"
        )  # fmt: skip
        for row in db.execute(
            f"""SELECT detail_id, url, title_shown, summary, listing_date_raw, listing, listing_url, page, position, gone,
                       {archived_sha1} FROM pending_articles p ORDER BY detail_id"""
        ):
            *fields, gone, sha1 = row
            if gone:
                self.gone_ids.add(row[0])
            else:
                fields = [f if f is not None else "" for f in fields]
                self.pending_articles.append(RefreshTarget(*fields, etag=None, last_modified=None, body_sha1=sha1))
        for listing, page, url, gone in db.execute("SELECT listing, page, url, gone FROM pending_pages ORDER BY listing, page"):
            if gone:
                self.gone_pages.add((listing, page))
            else:
                self.pending_pages.append(PendingPage(listing, page, url))


@dataclass(frozen=True)
class ShownEntry:
    """What the archive holds of an article's entry on one listing, and the validators of the
    page its article row stands for."""

    title_shown: str
    etag: str | None
    last_modified: str | None
    body_sha1: str | None


def shown_entries(path: str | os.PathLike, listing: str, detail_ids: list[int]) -> dict[int, ShownEntry]:
    """detail id -> its ``ShownEntry`` on ``listing``, for the archived articles among
    ``detail_ids`` that were seen there. Read-only; {} for an archive without listing entries."""
    if not detail_ids or is_new_archive(path):
        return {}
    db = open_archive_readonly(path)
    try:
        if not db["listing_entries"].exists():
            return {}
        shown: dict[int, ShownEntry] = {}
        for start in range(0, len(detail_ids), 500):  # SQLite's bound-parameter limit
            chunk = detail_ids[start : start + 500]
            for detail_id, title, headers, body_sha1 in db.execute(
                f"""SELECT e.detail_id, e.title_shown, c.headers, c.body_sha1 FROM listing_entries e
                    JOIN articles a ON a.detail_id = e.detail_id LEFT JOIN captures c ON c.id = a.capture_id
                    WHERE e.listing = ? AND e.detail_id IN ({",".join("?" * len(chunk))}) AND e.title_shown IS NOT NULL""",
                [listing, *chunk],
            ):
                validators = json.loads(headers) if headers else {}
                shown[detail_id] = ShownEntry(title, validators.get("etag"), validators.get("last-modified"), body_sha1)
        return shown
    finally:
        db.conn.close()


def capture_html(headers: str | None, body: bytes) -> str:
    """A stored page's text: ``body`` as ``capture_bodies`` holds it (a zlib stream), decoded
    as ``extract.encoding.decode_html`` decodes a fetched page, with the Content-Type of
    ``headers`` (the ``captures.headers`` JSON)."""
    return decode_html(zlib.decompress(body), json.loads(headers or "{}").get("content-type"))


def archived_page(path: str | os.PathLike, detail_id: int) -> tuple[str, str] | None:
    """(url, text) of the page the article row stands for (``articles.capture_id``); None
    where there is none. Read-only."""
    db = open_archive_readonly(path)
    try:
        row = db.execute(
            """SELECT c.url, c.headers, b.body FROM articles a JOIN captures c ON c.id = a.capture_id
               JOIN capture_bodies b ON b.sha1 = c.body_sha1 WHERE a.detail_id = ?""",
            [detail_id],
        ).fetchone()
        return (row[0], capture_html(row[1], row[2])) if row else None
    finally:
        db.conn.close()


def refresh_targets(db, since: date | None) -> list[RefreshTarget]:
    where = "" if since is None else "WHERE a.published_date >= :since"
    # Only the validators of the capture the article row was committed with (capture_id):
    # those of a newer capture whose article was never written would hide its change.
    has_capture = "capture_id" in db["articles"].columns_dict
    validators = "(SELECT headers FROM captures c WHERE c.id = a.capture_id)" if has_capture else "NULL"
    body_sha1 = "(SELECT body_sha1 FROM captures c WHERE c.id = a.capture_id)" if has_capture else "NULL"
    rows = db.execute(
        f"""SELECT a.detail_id, a.url, a.title_raw, a.summary, a.listing_date,
                   coalesce(e.listing, ''), coalesce(e.listing_url, ''), coalesce(e.page, 0), coalesce(e.position, 0),
                   {validators}, {body_sha1}
            FROM articles a
            LEFT JOIN listing_entries e ON e.rowid = (SELECT rowid FROM listing_entries WHERE detail_id = a.detail_id
                                                      ORDER BY seen_at DESC LIMIT 1)
            {where} ORDER BY a.detail_id""",
        {"since": since.isoformat() if since else None},
    ).fetchall()
    targets = []
    for *fields, headers, sha1 in rows:
        headers = json.loads(headers) if headers else {}
        targets.append(RefreshTarget(*fields, etag=headers.get("etag"), last_modified=headers.get("last-modified"), body_sha1=sha1))
    return targets


def pending_counts(db) -> dict[str, int]:
    """{"pending": pages still to fetch, "gone": pages given up (404/410 run after run)},
    article and listing pages together."""
    pending, gone = db.execute(
        """SELECT coalesce(sum(gone IS NULL), 0), coalesce(sum(gone IS NOT NULL), 0) FROM
           (SELECT gone FROM pending_articles UNION ALL SELECT gone FROM pending_pages)"""
    ).fetchone()
    return {"pending": pending, "gone": gone}
