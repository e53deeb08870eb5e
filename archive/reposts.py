"""Repost detection: the same story under another detail id.

Two articles are copies when the Jaccard similarity of their 5-character shingles, as
estimated by 128-value MinHash signatures, is at least 0.9. Copies form clusters
(connected components: A~B and B~C put A, B, C together); every article of a cluster but
its root gets ``duplicate_of`` = the root, the earliest copy by (published_date, detail_id),
undated articles last. The marks depend only on the set of articles, never on the order
they were added.

Signatures and LSH band buckets live in the archive (``repost_signatures``,
``repost_bands``) so an incremental crawl checks each new article against the whole archive
with a few indexed look-ups instead of rebuilding an index in memory. With 16 bands of 8
values, two signatures agreeing on >= 116 of 128 values (estimate >= 0.9) differ in at most
12 values, so at least 4 bands match: the LSH look-up misses no pair above the threshold.

Bodies under ``MIN_CHARS`` letters (after dropping spaces and punctuation) are never marked:
boilerplate stubs would otherwise cluster unrelated articles.
The caller owns the transaction: nothing here commits.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import sqlite_utils
from datasketch import MinHash

SHINGLE_CHARS = 5
NUM_PERM = 128
BANDS, ROWS_PER_BAND = 16, 8
THRESHOLD = 0.9
MIN_CHARS = 50
SEED = 1

# Copies often differ only in spacing or punctuation (full- vs half-width): ignore both.
_NOT_LETTERS = re.compile(r"[\W_]+")
_BUCKET_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

_SCHEMA = (
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


def shingle_hashes(body: str) -> np.ndarray | None:
    """32-bit hashes of the body's 5-character shingles (repeats included: they cannot change
    a minimum); None for a short body."""
    text = _NOT_LETTERS.sub("", unicodedata.normalize("NFKC", body))
    if len(text) < MIN_CHARS:
        return None
    chars = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    count = len(chars) - SHINGLE_CHARS + 1
    hashes = chars[:count].copy()
    for offset in range(1, SHINGLE_CHARS):
        hashes = hashes * np.uint32(1_000_003) + chars[offset : offset + count]
    return hashes


class MinHasher:
    """MinHash signatures equal to datasketch's ``MinHash(scheme="affine32").update_batch``.

    The same permutations and arithmetic, but into a reused buffer: datasketch allocates
    fresh (num_perm x shingles) temporaries per call, which is ~7x slower here.
    """

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED) -> None:
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        self._a = a.reshape(-1, 1)
        self._b = b.reshape(-1, 1)
        self._scratch = np.empty((num_perm, 1024), dtype=np.uint32)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        mixed = _fmix32(hashes)
        if self._scratch.shape[1] < len(mixed):
            self._scratch = np.empty((len(self._a), 2 * len(mixed)), dtype=np.uint32)
        out = self._scratch[:, : len(mixed)]
        np.multiply(self._a, mixed, out=out)
        np.add(out, self._b, out=out)
        return out.min(axis=1)


def _fmix32(h: np.ndarray) -> np.ndarray:
    # MurmurHash3's finaliser, as datasketch applies before its affine permutations.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def band_buckets(signatures: np.ndarray) -> np.ndarray:
    """One signed 64-bit bucket per band: shape (..., NUM_PERM) -> (..., BANDS)."""
    rows = signatures.reshape(*signatures.shape[:-1], BANDS, ROWS_PER_BAND).astype(np.uint64)
    buckets = np.zeros(rows.shape[:-1], dtype=np.uint64)
    for i in range(ROWS_PER_BAND):
        buckets = buckets * _BUCKET_MULTIPLIER + rows[..., i]
    return buckets.view(np.int64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def _sort_key(detail_id: int, published_date: str | None) -> tuple:
    return (published_date is None, published_date or "", detail_id)


def _decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


class RepostIndex:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.hasher = MinHasher()

    def ensure_tables(self) -> None:
        for statement in _SCHEMA:
            self.db.execute(statement)

    def add(self, detail_id: int, published_date: str | None, body: str) -> list[tuple[int, int | None]]:
        """Index one article (new, or re-added with a changed body or date).

        Returns (detail_id, duplicate_of) for this article and for every other article whose
        mark changed, e.g. when this one is earlier than a cluster's root and takes its place.
        """
        changes = self._remove(detail_id)
        hashes = shingle_hashes(body)
        if hashes is None:
            changes[detail_id] = None
            return list(changes.items())
        signature = self.hasher.signature(hashes)
        buckets = band_buckets(signature)
        roots = {root for root, other in self._candidates(buckets) if similarity(signature, other) >= THRESHOLD}
        members = self._members(roots)
        root = min([(detail_id, published_date)] + [(m, p) for m, p, _ in members], key=lambda m: _sort_key(*m))[0]
        self.db.execute(
            "INSERT INTO repost_signatures (detail_id, published_date, root, signature) VALUES (?, ?, ?, ?)",
            [detail_id, published_date, root, signature.astype("<u4").tobytes()],
        )
        self.db.conn.executemany(
            "INSERT INTO repost_bands (band, bucket, detail_id) VALUES (?, ?, ?)",
            [(band, int(bucket), detail_id) for band, bucket in enumerate(buckets)],
        )
        moved = [member for member, _, old_root in members if old_root != root]
        for member in moved:
            changes[member] = None if member == root else root
        changes[detail_id] = None if detail_id == root else root
        self._set_root(moved, root)
        return list(changes.items())

    def rebuild(self) -> int:
        """Re-index every article and rewrite ``articles.duplicate_of``. Returns the number marked."""
        self.ensure_tables()
        self.db.execute("DELETE FROM repost_bands")
        self.db.execute("DELETE FROM repost_signatures")
        rows = self.db.execute("SELECT detail_id, published_date, body FROM articles ORDER BY detail_id")
        for detail_id, published_date, body in rows.fetchall():
            self.add(detail_id, published_date, body or "")
        self.db.execute(
            """UPDATE articles SET duplicate_of = (
                SELECT NULLIF(s.root, s.detail_id) FROM repost_signatures s
                WHERE s.detail_id = articles.detail_id)"""
        )
        return self.db.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0]

    def _candidates(self, buckets: np.ndarray) -> list[tuple[int, np.ndarray]]:
        """(root, signature) of every indexed article sharing a band bucket."""
        # An OR of equalities, not "(band, bucket) IN (VALUES ...)": SQLite 3.40 scans the
        # whole table for the latter, but searches the primary key once per band for this.
        matches = " OR ".join("(band = ? AND bucket = ?)" for _ in buckets)
        params = [value for band, bucket in enumerate(buckets) for value in (band, int(bucket))]
        rows = self.db.execute(
            f"""SELECT s.root, s.signature FROM repost_signatures s WHERE s.detail_id IN (
                SELECT detail_id FROM repost_bands WHERE {matches})""",
            params,
        )
        return [(root, _decode(blob)) for root, blob in rows.fetchall()]

    def _members(self, roots: set[int]) -> list[tuple[int, str | None, int]]:
        """(detail_id, published_date, root) of every article in the clusters of ``roots``."""
        if not roots:
            return []
        marks = ", ".join("?" for _ in roots)
        sql = f"SELECT detail_id, published_date, root FROM repost_signatures WHERE root IN ({marks})"
        return [tuple(row) for row in self.db.execute(sql, sorted(roots)).fetchall()]

    def _set_root(self, detail_ids: list[int], root: int) -> None:
        self.db.conn.executemany(
            "UPDATE repost_signatures SET root = ? WHERE detail_id = ?", [(root, d) for d in detail_ids]
        )

    def _remove(self, detail_id: int) -> dict[int, int | None]:
        """Drop an article from the index and split what its cluster no longer holds together."""
        row = self.db.execute(
            "SELECT root, signature FROM repost_signatures WHERE detail_id = ?", [detail_id]
        ).fetchone()
        if row is None:
            return {}
        old_root, blob = row
        self.db.conn.executemany(
            "DELETE FROM repost_bands WHERE band = ? AND bucket = ? AND detail_id = ?",
            [(band, int(bucket), detail_id) for band, bucket in enumerate(band_buckets(_decode(blob)))],
        )
        self.db.execute("DELETE FROM repost_signatures WHERE detail_id = ?", [detail_id])
        rest = self.db.execute(
            "SELECT detail_id, published_date, signature FROM repost_signatures WHERE root = ?", [old_root]
        ).fetchall()
        changes: dict[int, int | None] = {}
        for component in _components([(d, p, _decode(s)) for d, p, s in rest]):
            root = min(component, key=lambda m: _sort_key(*m))[0]
            self._set_root([d for d, _ in component], root)
            for member, _ in component:
                mark = None if member == root else root
                if mark != (None if member == old_root else old_root):
                    changes[member] = mark
        return changes


def _components(members: list[tuple[int, str | None, np.ndarray]]) -> list[list[tuple[int, str | None]]]:
    """Connected components of the copy graph among one former cluster's members."""
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (_, _, a) in enumerate(members):
        for j in range(i + 1, len(members)):
            if similarity(a, members[j][2]) >= THRESHOLD:
                parent[find(i)] = find(j)
    groups: dict[int, list[tuple[int, str | None]]] = {}
    for i, (detail_id, published_date, _) in enumerate(members):
        groups.setdefault(find(i), []).append((detail_id, published_date))
    return list(groups.values())
