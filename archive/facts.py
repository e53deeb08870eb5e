"""Research facts kept beside the articles: money amounts (``amounts``) and the park each
listing belongs to (``listings.host``, ``park_name``, ``listing_name``).

The archive writer calls ``write_amounts`` with every article it inserts or updates, and
``note_listing_pages`` with every batch of captures, inside the batch's transaction, so the
facts never disagree with the text they come from. ``rebuild`` (``parknews reparse``)
recomputes them all from the stored articles and pages. ``resume_backfill`` upgrades an
archive from before these tables existed, a batch of articles per transaction, and picks up
where a killed run stopped (progress in ``backfills``); on an upgraded archive it costs one
query.

Per-article summaries (table ``article_money``, one row per article written with its amounts,
and the columns export adds):
``investment_max_cny``: the largest amount of kind ``investment`` in yuan (a range counts by
its low end; amounts in other currencies are left out, since no exchange rate is invented);
``contract_sum_cny``: the sum of the distinct yuan values of kind ``contract`` (the same
figure in title, summary and body, or twice in the body, counts once);
``amount_count``: how many amounts the article has.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterable

import sqlite_utils

from archive.db import transaction
from archive.schema import backfill_state, record_backfill
from extract.encoding import decode_html
from extract.park import listing_host, listing_park
from normalize.amounts import money_amounts

AMOUNT_FIELDS = ("title", "summary", "body")
AMOUNT_COLUMNS = (
    "detail_id", "field", "position", "value", "value_high", "value_cny", "value_raw", "currency",
    "approximate", "kind", "sentence",
)  # fmt: skip
BACKFILL_BATCH = 500
SUMMARY_COLUMNS = ("investment_max_cny", "contract_sum_cny", "amount_count")

logger = logging.getLogger(__name__)


def export_source(db: sqlite_utils.Database) -> str:
    """The FROM clause of an export: articles with their ``SUMMARY_COLUMNS`` (table
    ``article_money``), or plain articles on an archive not yet upgraded (read-only there)."""
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_money'").fetchone():
        return "articles LEFT JOIN article_money USING (detail_id)"
    return "articles"


def amount_rows(article: dict) -> list[tuple]:
    """The ``amounts`` rows of one article (a dict with detail_id, title, summary, body)."""
    rows = []
    for field in AMOUNT_FIELDS:
        for amount in money_amounts(article.get(field)):
            rows.append((
                article["detail_id"], field, amount.position, amount.value, amount.value_high, amount.value_cny,
                amount.value_raw, amount.currency, int(amount.approximate), amount.kind, amount.sentence,
            ))  # fmt: skip
    return rows


def write_amounts(db: sqlite_utils.Database, articles: Iterable[dict]) -> None:
    """Replace the amounts of ``articles``; the caller holds the transaction."""
    read = {article["detail_id"]: _rows_or_none(article) for article in articles}
    rows = {detail_id: found for detail_id, found in read.items() if found is not None}  # a failed read keeps what was stored
    conn = db.conn
    conn.executemany("DELETE FROM amounts WHERE detail_id = ?", [(detail_id,) for detail_id in rows])
    marks = ", ".join("?" * len(AMOUNT_COLUMNS))
    conn.executemany(
        f"INSERT INTO amounts ({', '.join(AMOUNT_COLUMNS)}) VALUES ({marks})", [row for found in rows.values() for row in found]
    )
    conn.executemany(
        """INSERT OR REPLACE INTO article_money (detail_id, investment_max_cny, contract_sum_cny, amount_count)
           VALUES (?, ?, ?, ?)""",
        [(detail_id, *money_summary(found)) for detail_id, found in rows.items()],
    )


def _rows_or_none(article: dict) -> list[tuple] | None:
    """``amount_rows``, or None when reading them fails: a fault in a rule (the text it trips
    on is the page's) must not cost the article, and with it its whole batch, in every run;
    nor the amounts stored for it before (a reparse under a faulty rule keeps them). One
    error line with the article's id (the traceback at DEBUG); ``parknews reparse`` reads the
    amounts again once the rule is mended."""
    try:
        return amount_rows(article)
    except Exception as exc:  # noqa: BLE001
        logger.error("money amounts of article %s could not be read (%s: %s): kept as they were",
                     article["detail_id"], type(exc).__name__, exc)  # fmt: skip
        logger.debug("money amounts of article %s", article["detail_id"], exc_info=exc)
        return None


def money_summary(rows: list[tuple]) -> tuple[float | None, float | None, int]:
    """(investment_max_cny, contract_sum_cny, amount_count) of one article's ``amount_rows``."""
    column = {name: index for index, name in enumerate(AMOUNT_COLUMNS)}
    cny, kind = column["value_cny"], column["kind"]
    investments = [row[cny] for row in rows if row[kind] == "investment" and row[cny] is not None]
    contracts = {row[cny] for row in rows if row[kind] == "contract" and row[cny] is not None}
    return (max(investments) if investments else None), (sum(contracts) if contracts else None), len(rows)


def note_listing_pages(db: sqlite_utils.Database, captures: Iterable[dict]) -> None:
    """Record host, park and listing name from page 1 of each listing among ``captures``
    (dicts with kind, status, listing, page, headers, body). The caller holds the transaction."""
    for capture in captures:
        if capture.get("kind") != "listing" or capture.get("status") != 200 or capture.get("page") != 1:
            continue
        content_type = (capture.get("headers") or {}).get("content-type")
        _record_park(db, capture["listing"], capture["url"], decode_html(capture["body"], content_type))


def _record_park(db: sqlite_utils.Database, listing: str, url: str, html: str) -> None:
    park = listing_park(html, url)
    db.conn.execute(
        """UPDATE listings SET host = ?, park_name = coalesce(?, park_name), listing_name = coalesce(?, listing_name)
           WHERE listing = ?""",
        [park.host or listing_host(listing), park.park_name, park.listing_name, listing],
    )


def rebuild_parks(db: sqlite_utils.Database) -> None:
    """Host of every listing from its URL, park and listing name from its latest stored page 1.
    The caller holds the transaction."""
    for (listing,) in db.conn.execute("SELECT listing FROM listings").fetchall():
        db.conn.execute("UPDATE listings SET host = ? WHERE listing = ?", [listing_host(listing), listing])
    latest = db.conn.execute(
        """SELECT c.listing, c.url, c.headers, b.body FROM captures c JOIN capture_bodies b ON b.sha1 = c.body_sha1
           WHERE c.id IN (SELECT max(id) FROM captures WHERE kind = 'listing' AND status = 200 AND page = 1
                          GROUP BY listing)"""
    ).fetchall()
    for listing, url, headers, body in latest:
        content_type = json.loads(headers or "{}").get("content-type")
        _record_park(db, listing, url, decode_html(zlib.decompress(body), content_type))


def resume_backfill(db: sqlite_utils.Database, *, batch_size: int | None = None) -> int:
    """Fill ``amounts`` and the park columns of an archive that predates them; return the
    articles processed. Each batch is one transaction that also records its progress, so a
    killed run loses at most one batch and the next call goes on from there."""
    batch_size = batch_size or BACKFILL_BATCH
    conn = db.conn
    state = backfill_state(db, "amounts")
    if state and state[1]:
        return 0
    last_id = state[0] if state and state[0] is not None else -1
    done = 0
    while True:
        with transaction(db):
            if done == 0 and last_id < 0:
                rebuild_parks(db)
            articles = [
                {"detail_id": detail_id, "title": title, "summary": summary, "body": body}
                for detail_id, title, summary, body in conn.execute(
                    "SELECT detail_id, title, summary, body FROM articles WHERE detail_id > ? ORDER BY detail_id LIMIT ?",
                    [last_id, batch_size],
                )
            ]
            if articles:
                write_amounts(db, articles)
                last_id = articles[-1]["detail_id"]
                done += len(articles)
            finished = None if len(articles) == batch_size else "done"
            record_backfill(db, "amounts", last_id, finished)
        if finished:
            return done


def rebuild(db: sqlite_utils.Database) -> int:
    """Recompute every amount and park name (after a change to their rules); return the articles read."""
    with transaction(db):
        db.conn.execute("DELETE FROM backfills WHERE name = 'amounts'")
        # Rows of articles no longer archived; the others are replaced article by article.
        db.conn.execute("DELETE FROM amounts WHERE detail_id NOT IN (SELECT detail_id FROM articles)")
        db.conn.execute("DELETE FROM article_money WHERE detail_id NOT IN (SELECT detail_id FROM articles)")
    return resume_backfill(db)
