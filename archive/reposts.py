"""Repost detection: the same story under another detail id.

Two articles are copies when the Jaccard similarity of their sets of 5-character shingles
(after NFKC, without spaces and punctuation; as 32-bit hashes) is at least 0.9, computed
exactly from their bodies.
Copies form clusters (connected components: A~B and B~C put A, B, C together); every article
of a cluster but its root gets ``duplicate_of`` = the root, the earliest copy by
(published_date, detail_id), undated articles last. The marks depend only on the set of
articles, never on the order they were added.

Finding the pairs to compare: 40-value MinHash signatures cut into 10 LSH bands of 4 values
live in the archive (``repost_signatures``, ``repost_bands``), so an incremental crawl checks
each new article against the whole archive with a few indexed look-ups. Articles sharing a band
bucket are candidates; a candidate agreeing on fewer than half the signature values is dropped
unread, the others are compared exactly against their body in ``articles`` (the caller stores
an article before adding it). A pair at Jaccard J shares no band with probability
(1 - J**4)**10, for ideal min-wise hashing: 2.3e-5 at J = 0.9, 4.8e-8 at 0.95, 9e-15 at 0.99;
the half-agreement filter adds under 1e-10. (Deciding on 128-value estimates instead, as this
module once did, missed half the pairs at J = 0.9 and marked 4% of those at 0.85.) Pairs
under 0.9 are never marked.

Bodies under ``MIN_CHARS`` letters are never marked: boilerplate stubs would otherwise cluster
unrelated articles. The caller owns the transaction: nothing here commits.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

import numpy as np
import sqlite_utils

from archive.schema import REPOST_TABLES

SHINGLE_CHARS = 5
BANDS, ROWS_PER_BAND = 10, 4
NUM_PERM = BANDS * ROWS_PER_BAND
MIN_AGREEMENT = NUM_PERM // 2
THRESHOLD = 0.9
MIN_CHARS = 50
SEED = 1

# Copies often differ only in spacing or punctuation (full- vs half-width): ignore both.
_NOT_LETTERS = re.compile(r"[\W_]+")
_DROPPED, _NEEDS_CONTEXT = 0, 0xFFFFFFFF
_BMP = 0x10000
_BUCKET_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

# An OR of equalities, not "(band, bucket) IN (VALUES ...)": SQLite 3.40 scans the whole table
# for the latter, but searches the primary key once per band for this.
_CANDIDATES = f"""SELECT detail_id, root, signature FROM repost_signatures WHERE detail_id IN (
    SELECT detail_id FROM repost_bands WHERE {" OR ".join(["(band = ? AND bucket = ?)"] * BANDS)})"""


def letters(body: str) -> np.ndarray:
    """Code points of ``_NOT_LETTERS.sub("", unicodedata.normalize("NFKC", body))``.

    A per-character table gives the same result ~10x faster, except when a character can merge
    with its neighbours or expand to several letters: then the text takes the exact route.
    """
    codes = np.frombuffer(body.encode("utf-32-le"), dtype="<u4")
    mapped = _letter_table().take(codes, mode="clip")  # beyond the BMP: the clipped last entry
    if not mapped.size or mapped.max() != _NEEDS_CONTEXT:
        return mapped[mapped != _DROPPED]
    text = _NOT_LETTERS.sub("", unicodedata.normalize("NFKC", body))
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


@functools.cache
def _letter_table() -> np.ndarray:
    """What NFKC + dropping non-letters makes of each BMP character on its own (~0.1 s, once)."""
    # Composition joins a character to the one before it only if it appears after the first
    # place of some canonical decomposition (or is a combining mark, which also reorders).
    joining = {c for cp in range(_BMP) for c in unicodedata.normalize("NFD", chr(cp))[1:]}
    table = np.full(_BMP + 1, _NEEDS_CONTEXT, dtype=np.uint32)
    for cp in itertools.chain(range(0xD800), range(0xE000, _BMP)):
        char = chr(cp)
        kept = _NOT_LETTERS.sub("", unicodedata.normalize("NFKC", char))
        decomposed = unicodedata.normalize("NFKD", char)
        if len(kept) <= 1 and not any(c in joining or unicodedata.combining(c) for c in decomposed):
            table[cp] = ord(kept) if kept else _DROPPED
    return table


def shingle_hashes(body: str) -> np.ndarray | None:
    """32-bit hashes of the body's 5-character shingles (repeats included: they cannot change
    a minimum); None for a short body."""
    chars = letters(body)
    if len(chars) < MIN_CHARS:
        return None
    count = len(chars) - SHINGLE_CHARS + 1
    hashes = chars[:count].copy()
    for offset in range(1, SHINGLE_CHARS):
        hashes *= np.uint32(1_000_003)
        hashes += chars[offset : offset + count]
    return hashes


def _distinct(hashes: np.ndarray) -> np.ndarray:
    # np.unique's hash table is ~6x slower than this on a few hundred values.
    ordered = np.sort(hashes)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sets of shingle hashes, each sorted without repeats."""
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


class MinHasher:
    """MinHash signatures equal to datasketch's ``MinHash(scheme="affine32").update_batch``
    (datasketch 2.x; ``tests/test_reposts.py`` checks the two agree).

    The same permutations and arithmetic, but into a reused buffer: datasketch allocates
    fresh (num_perm x shingles) temporaries per call, which is ~7x slower here. Its permutations
    are drawn here as datasketch draws them (``MinHash._init_permutations``: odd ``a`` and any
    ``b`` below 2^32 from ``numpy.random.RandomState(seed)``), so datasketch, which imports
    scipy (~0.4 s of every crawl's start), is not needed at run time.
    """

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED) -> None:
        generator = np.random.RandomState(seed)
        a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
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
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def band_buckets(signatures: np.ndarray) -> np.ndarray:
    """One signed 64-bit bucket per band: shape (..., NUM_PERM) -> (..., BANDS)."""
    rows = signatures.reshape(*signatures.shape[:-1], BANDS, ROWS_PER_BAND).astype(np.uint64)
    buckets = rows[..., 0].copy()
    for i in range(1, ROWS_PER_BAND):
        buckets *= _BUCKET_MULTIPLIER
        buckets += rows[..., i]
    return buckets.view(np.int64)


def _agree(a: np.ndarray, b: np.ndarray) -> bool:
    # Worth reading the other body: at J >= 0.9 fewer agreements have a binomial tail < 1e-10.
    return np.count_nonzero(a == b) >= MIN_AGREEMENT


def _sort_key(detail_id: int, published_date: str | None) -> tuple:
    return (published_date is None, published_date or "", detail_id)


def _decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


class RepostIndex:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    @functools.cached_property
    def hasher(self) -> MinHasher:
        return MinHasher()

    def ensure_tables(self) -> None:
        """Create the tables; re-index an archive whose signatures are of an earlier scheme."""
        self._create_tables()
        row = self.db.execute("SELECT length(signature) FROM repost_signatures LIMIT 1").fetchone()
        if row is not None and row[0] != 4 * NUM_PERM:
            self.rebuild()

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
        buckets = band_buckets(signature).tolist()
        members = self._members(self._copy_roots(signature, hashes, buckets))
        root = min([(detail_id, published_date)] + [(m, p) for m, p, _ in members], key=lambda m: _sort_key(*m))[0]
        self.db.execute(
            "INSERT INTO repost_signatures (detail_id, published_date, root, signature) VALUES (?, ?, ?, ?)",
            [detail_id, published_date, root, signature.astype("<u4").tobytes()],
        )
        # Row by row: one multi-row INSERT would open a statement journal, ~3x slower on a file.
        self.db.conn.executemany(
            "INSERT INTO repost_bands (band, bucket, detail_id) VALUES (?, ?, ?)",
            [(band, bucket, detail_id) for band, bucket in enumerate(buckets)],
        )
        moved = [member for member, _, old_root in members if old_root != root]
        for member in moved:
            changes[member] = None if member == root else root
        changes[detail_id] = None if detail_id == root else root
        self._set_root(moved, root)
        return list(changes.items())

    def rebuild(self) -> int:
        """Re-index every article and rewrite ``articles.duplicate_of``. Returns the number marked."""
        self._create_tables()
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

    def _create_tables(self) -> None:
        for statement in REPOST_TABLES:
            self.db.execute(statement)

    def _copy_roots(self, signature: np.ndarray, hashes: np.ndarray, buckets: list[int]) -> set[int]:
        """Roots of the clusters holding a copy of the article with this signature and shingles."""
        rows = self.db.execute(_CANDIDATES, [v for band, bucket in enumerate(buckets) for v in (band, bucket)])
        roots: set[int] = set()
        shingles = None
        for other_id, root, blob in rows.fetchall():
            if root in roots or not _agree(signature, _decode(blob)):
                continue
            shingles = _distinct(hashes) if shingles is None else shingles
            other = self._shingles(other_id)
            if other is not None and jaccard(shingles, other) >= THRESHOLD:
                roots.add(root)
        return roots

    def _shingles(self, detail_id: int) -> np.ndarray | None:
        row = self.db.execute("SELECT body FROM articles WHERE detail_id = ?", [detail_id]).fetchone()
        hashes = shingle_hashes(row[0] or "") if row else None
        return None if hashes is None else _distinct(hashes)

    def _members(self, roots: set[int]) -> list[tuple[int, str | None, int]]:
        """(detail_id, published_date, root) of every article in the clusters of ``roots``."""
        if not roots:
            return []
        marks = ", ".join("?" for _ in roots)
        sql = f"SELECT detail_id, published_date, root FROM repost_signatures WHERE root IN ({marks})"
        return [tuple(row) for row in self.db.execute(sql, sorted(roots)).fetchall()]

    def _set_root(self, detail_ids: list[int], root: int) -> None:
        if detail_ids:
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
            [(band, bucket, detail_id) for band, bucket in enumerate(band_buckets(_decode(blob)).tolist())],
        )
        self.db.execute("DELETE FROM repost_signatures WHERE detail_id = ?", [detail_id])
        rest = self.db.execute(
            "SELECT detail_id, published_date, signature FROM repost_signatures WHERE root = ?", [old_root]
        ).fetchall()
        changes: dict[int, int | None] = {}
        for component in self._components([(d, p, _decode(s)) for d, p, s in rest]):
            root = min(component, key=lambda m: _sort_key(*m))[0]
            self._set_root([d for d, _ in component], root)
            for member, _ in component:
                mark = None if member == root else root
                if mark != (None if member == old_root else old_root):
                    changes[member] = mark
        return changes

    def _components(self, members: list[tuple[int, str | None, np.ndarray]]) -> list[list[tuple[int, str | None]]]:
        """Connected components of the copy graph among one former cluster's members.

        An edge is what ``add`` would find: a shared band bucket, agreement, then exact Jaccard.
        """
        buckets = [band_buckets(signature) for _, _, signature in members]
        shingles = functools.cache(self._shingles)
        parent = list(range(len(members)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in itertools.combinations(range(len(members)), 2):
            (a_id, _, a), (b_id, _, b) = members[i], members[j]
            if find(i) == find(j) or not (buckets[i] == buckets[j]).any() or not _agree(a, b):
                continue
            a_shingles, b_shingles = shingles(a_id), shingles(b_id)
            if a_shingles is not None and b_shingles is not None and jaccard(a_shingles, b_shingles) >= THRESHOLD:
                parent[find(i)] = find(j)
        groups: dict[int, list[tuple[int, str | None]]] = {}
        for i, (detail_id, published_date, _) in enumerate(members):
            groups.setdefault(find(i), []).append((detail_id, published_date))
        return list(groups.values())
