"""Filling the columns an upgrade adds to an older archive, from what its rows already hold."""

from __future__ import annotations

import sqlite_utils

from archive.reposts import RepostIndex
from archive.store import content_sha1
from crawler.normalize.regions import resolve_region

REGION_COLUMNS = {"province", "city", "district", "zone", "adcode"}


def backfill(db: sqlite_utils.Database, added: dict[str, list[str]]) -> None:
    """Derive newly added article columns; the caller holds the transaction."""
    columns = set(added.get("articles", ()))
    if columns & REGION_COLUMNS:
        rows = db.execute("SELECT detail_id, region_tag, region_raw FROM articles").fetchall()
        for detail_id, region_tag, region_raw in rows:
            region = resolve_region(region_tag, region_raw)
            db.execute(
                "UPDATE articles SET province = ?, city = ?, district = ?, zone = ?, adcode = ? WHERE detail_id = ?",
                [region.province, region.city, region.district, region.zone, region.adcode, detail_id],
            )
    if "content_sha1" in columns:
        for row in db.query("SELECT detail_id, title_raw, body, summary, source, published_date FROM articles"):
            db.execute("UPDATE articles SET content_sha1 = ? WHERE detail_id = ?", [content_sha1(row), row["detail_id"]])
    if "duplicate_of" in columns:
        RepostIndex(db).rebuild()
