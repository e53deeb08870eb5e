"""Rebuild articles from the pages stored in the archive (``captures``), without the network.

The same extraction and normalisation as a crawl, applied to what was fetched, so that a fix
to either reaches the whole history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime

from archive import facts
from archive.db import open_archive
from archive.state import capture_html, refresh_targets
from archive.store import ArchiveWriter, Batch, WriteCounts
from crawler.items import ArticleItem, archived_article, pending_article
from crawler.pipelines import normalise, row_of
from crawler.settings import PARKNEWS_GONE_AFTER_RUNS
from crawler.spiders.parknews import shows_headline
from extract.detail import detail_fields
from extract.listing import listing_entries
from extract.urls import canonical_detail_url

BATCH_SIZE = 100  # articles per transaction


def stored_pages(db, kind: str, *, latest_per_article: bool = False) -> Iterator[tuple]:
    """(url, listing, page, detail_id, fetched_at, html, capture id) of stored 200 pages, oldest first.

    Read in chunks of ``BATCH_SIZE`` captures, each fetched whole: no cursor stays open on
    ``captures`` while the caller writes (SQLite refuses some writes beside an open cursor:
    "database table is locked").
    """
    latest = (
        "AND c.id = (SELECT max(id) FROM captures WHERE detail_id = c.detail_id AND kind = 'detail' AND status = 200)"
        if latest_per_article
        else ""
    )
    ids = [row[0] for row in db.execute(
        f"SELECT c.id FROM captures c WHERE c.kind = ? AND c.status = 200 {latest} ORDER BY c.fetched_at, c.id", [kind]
    )]  # fmt: skip
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        rows = db.execute(
            f"""SELECT c.id, c.url, c.listing, c.page, c.detail_id, c.fetched_at, c.headers, b.body
                FROM captures c JOIN capture_bodies b ON b.sha1 = c.body_sha1
                WHERE c.id IN ({", ".join("?" * len(chunk))})""",
            chunk,
        ).fetchall()
        order = {capture_id: index for index, capture_id in enumerate(chunk)}
        for capture_id, url, listing, page, detail_id, fetched_at, headers, body in sorted(rows, key=lambda r: order[r[0]]):
            yield url, listing, page, detail_id, fetched_at, capture_html(headers, body), capture_id


def _usable_page(db, newest: tuple, detail_id: int, listing_title: str) -> tuple:
    """``newest`` (url, fetched_at, fields, capture id), or the page a crawl would have kept in
    its place where it holds no article text: the newest older stored 200 page with text, else
    the newest page (it first) that shows the listing's headline (an article of pictures). A
    page the crawl refused (empty, cut off, an error page) is never taken; ``newest`` is
    returned when no page will do, for the caller to skip."""
    if newest[2].body:
        return newest
    pictures = newest if shows_headline(newest[2].title, listing_title) else None
    older = db.execute(
        """SELECT c.id, c.url, c.fetched_at, c.headers, b.body FROM captures c JOIN capture_bodies b ON b.sha1 = c.body_sha1
           WHERE c.detail_id = ? AND c.kind = 'detail' AND c.status = 200 AND c.id < ? ORDER BY c.id DESC""",
        [detail_id, newest[3]],
    ).fetchall()
    for capture_id, url, fetched_at, headers, body in older:
        fields = detail_fields(capture_html(headers, body), url, listing_title=listing_title)
        if fields.body:
            return url, fetched_at, fields, capture_id
        if pictures is None and shows_headline(fields.title, listing_title):
            pictures = url, fetched_at, fields, capture_id
    return pictures or newest


def reparse_archive(path: str) -> WriteCounts:
    """Rebuild every article from its newest stored page; each batch of BATCH_SIZE articles is
    one transaction, so a killed reparse leaves whole batches and a re-run completes it."""
    db = open_archive(path)
    writer = ArchiveWriter(db, gone_after=PARKNEWS_GONE_AFTER_RUNS)  # a reparse records no failed page
    items: dict[int, ArticleItem] = {}
    for url, listing, page, _, _, html, _ in stored_pages(db, "listing"):
        for entry in listing_entries(html, url):  # later pages win: the entry as last seen
            items[entry.detail_id] = ArticleItem(
                detail_id=entry.detail_id, url=entry.url, listing=listing, listing_url=url, page=page,
                position=entry.position, listing_title=entry.title, listing_date_raw=entry.date_raw,
                summary=entry.summary,
            )  # fmt: skip
    # What the archive holds of each article's listing entry, for articles whose listing page
    # was not captured (e.g. only ever refreshed).
    archived = {target.detail_id: target for target in refresh_targets(db, since=None)}
    # Rows without text an older reparse wrote from a page the crawl had refused: made pending
    # again below (the crawl then fetches them), where no stored page holds the article.
    textless = {row[0] for row in db.execute("SELECT detail_id FROM articles WHERE coalesce(body, '') = ''")}
    counts = WriteCounts()
    batch = Batch()
    # Each batch is written as seen at its newest capture; last_seen never moves back.
    for url, _, _, detail_id, fetched_at, html, capture_id in stored_pages(db, "detail", latest_per_article=True):
        item = items.get(detail_id)
        if item is None:
            item = archived_article(archived[detail_id]) if detail_id in archived else ArticleItem(detail_id, url)
        fields = detail_fields(html, url, listing_title=item.listing_title)
        url, fetched_at, fields, capture_id = _usable_page(db, (url, fetched_at, fields, capture_id), detail_id, item.listing_title)
        if not fields.body and not shows_headline(fields.title, item.listing_title):
            # No stored page holds the article: one the crawl refused (empty, cut off, an error
            # page in its place) stays refused, and the article pending for the next crawl. Only
            # an article of pictures, whose page shows its listing's headline, is archived
            # without text, as the crawl archives it.
            if detail_id in textless:
                batch.pending.append(row_of(pending_article(item)))
            continue
        item = dataclasses.replace(
            item, url=canonical_detail_url(url), detail_title=fields.title, region_raw=fields.region_raw, published_raw=fields.published_raw,
            source=fields.source, body=fields.body, fetched_at=fetched_at,
        )  # fmt: skip
        normalise(item, now=datetime.fromisoformat(fetched_at))
        batch.articles.append(row_of(item) | {"capture_id": capture_id})  # the page it now stands for
        if len(batch) >= BATCH_SIZE:
            counts.add(writer.write(batch, seen_at=fetched_at, keep_versions=False))
            batch = Batch()
    if batch.articles or batch.pending:
        counts.add(writer.write(batch, seen_at=fetched_at, keep_versions=False))
    facts.rebuild(db)  # amounts of unchanged articles too, and park names, under today's rules
    db.close()
    return counts
