"""What a crawl needs to know of the archive before it starts: which articles it holds, which
listings were walked to the end last time, and what to re-fetch. Read-only."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from archive.db import open_archive_readonly


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


@dataclass
class CrawlState:
    known_ids: set[int] = field(default_factory=set)
    walked_listings: set[str] = field(default_factory=set)  # last walk reached its end
    refresh: list[RefreshTarget] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | os.PathLike, *, refresh_since: date | None = None, refresh_all: bool = False) -> CrawlState:
        if not Path(path).exists():
            return cls()
        db = open_archive_readonly(path)
        try:
            if not db["articles"].exists():
                return cls()
            state = cls(known_ids={row[0] for row in db.execute("SELECT detail_id FROM articles")})
            if db["listings"].exists():
                state.walked_listings = {
                    row[0]
                    for row in db.execute(
                        "SELECT listing FROM listings WHERE walk_finished IS NOT NULL AND walk_finished >= walk_started"
                    )
                }
            if refresh_all or refresh_since:
                state.refresh = refresh_targets(db, None if refresh_all else refresh_since)
            return state
        finally:
            db.conn.close()


def refresh_targets(db, since: date | None) -> list[RefreshTarget]:
    has_captures = db["captures"].exists()
    where = "" if since is None else "WHERE a.published_date >= :since"
    validators = (
        """(SELECT headers FROM captures c WHERE c.detail_id = a.detail_id AND c.status = 200
            ORDER BY c.fetched_at DESC LIMIT 1)"""
        if has_captures
        else "NULL"
    )
    rows = db.execute(
        f"""SELECT a.detail_id, a.url, a.title_raw, a.summary, a.listing_date,
                   coalesce(e.listing, ''), coalesce(e.listing_url, ''), coalesce(e.page, 0), coalesce(e.position, 0),
                   {validators}
            FROM articles a
            LEFT JOIN listing_entries e ON e.rowid = (SELECT rowid FROM listing_entries WHERE detail_id = a.detail_id
                                                      ORDER BY seen_at DESC LIMIT 1)
            {where} ORDER BY a.detail_id""",
        {"since": since.isoformat() if since else None},
    ).fetchall()
    targets = []
    for *fields, headers in rows:
        headers = json.loads(headers) if headers else {}
        targets.append(RefreshTarget(*fields, etag=headers.get("etag"), last_modified=headers.get("last-modified")))
    return targets
