"""The full-text index is written in ascending detail_id order, whatever order a batch holds.

FTS5 writes out the terms it holds in memory as a new segment whenever a rowid is not above
the previous one in the transaction; a listing lists its newest (highest) ids first, so a
batch in page order made a segment every row or two, and each segment is merged again later
(issue 14: 0.58 against 0.34 ms an article). The segments are counted in FTS5's own
structure record, the row of ``articles_fts_data`` with id 10.
"""

from __future__ import annotations

import pytest

from archive import fts
from archive.db import open_archive, transaction

TEXT = "{n}号项目签约落户光谷，总投资{n}亿元，建设智能制造基地。"


def varints(blob: bytes) -> list[int]:
    """SQLite's big-endian varints (https://sqlite.org/fileformat.html#varint), all of them."""
    values, at = [], 0
    while at < len(blob):
        value = 0
        for index in range(9):
            byte = blob[at]
            at += 1
            if index == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        values.append(value)
    return values


def segment_count(db) -> int:
    """The number of segments in the index, as FTS5's structure record states it: a 4-byte
    cookie, then varints: number of levels, total segments, ... (fts5_index.c, "structure")."""
    blob = db.execute(f"SELECT block FROM [{fts.FTS_TABLE}_data] WHERE id = 10").fetchone()[0]
    return varints(blob[4:])[1]


@pytest.mark.parametrize("order", ["descending", "shuffled", "ascending"])
def test_one_batch_is_one_segment_whatever_its_order(tmp_path, order):
    ids = list(range(1000, 1200))
    if order == "descending":
        ids.reverse()
    elif order == "shuffled":
        ids = ids[::7] + [i for i in ids if i not in ids[::7]]
    db = open_archive(tmp_path / "archive.db")
    rows = [{"detail_id": i, "title": f"第{i}号", "summary": None, "body": TEXT.format(n=i)} for i in ids]
    with transaction(db):
        fts.index_articles(db, rows)
    assert segment_count(db) == 1
    # And every row is found (the order changed nothing of what is indexed).
    found = db.execute(f"SELECT count(*) FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ?", [fts.query_phrase("光谷")])
    assert found.fetchone()[0] == 200


def test_changed_and_removed_articles_in_any_order_leave_a_sound_index(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    ids = list(range(2000, 1900, -1))
    rows = [{"detail_id": i, "title": "旧", "summary": None, "body": TEXT.format(n=i)} for i in ids]
    with transaction(db):
        fts.index_articles(db, rows)
        db["articles"].insert_all(rows, pk="detail_id")
    changed = [dict(row, body=row["body"] + "新增研发中心。") for row in rows[::2]]
    with transaction(db):
        fts.index_articles(db, changed)
        db["articles"].upsert_all(changed, pk="detail_id")
        fts.remove(db, ids[1::4])
        db.execute(f"DELETE FROM articles WHERE detail_id IN ({', '.join(map(str, ids[1::4]))})")
    db.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}, rank) VALUES ('integrity-check', 0)")
    match = f"SELECT rowid FROM {fts.FTS_TABLE} WHERE {fts.FTS_TABLE} MATCH ? ORDER BY rowid"
    assert [r[0] for r in db.execute(match, [fts.query_phrase("研发中心")])] == sorted(ids[::2])
    assert len(db.execute(match, [fts.query_phrase("光谷")]).fetchall()) == 100 - len(ids[1::4])
