"""The full-text index: Chinese text stored as overlapping character bigrams in plain FTS5.

Why bigrams: FTS5's ``trigram`` tokenizer never matches a query shorter than three
characters (most Chinese words have two), and ``unicode61`` reads a whole run of Chinese as
one token. So each run of Han characters is indexed as its bigrams, with the stock
``unicode61`` tokenizer: "融资环境" -> "融资 资环 环境 境". Plain sqlite3, sqlite-utils, Datasette
and pandas open the archive with no extension. The last character of each run is also indexed
alone, so that a one-character query (``融*``) and a phrase that runs from Chinese into Latin
text ("3000亿元") find every occurrence. Latin words and numbers stay as they are.

The index keeps token positions (FTS5's default ``detail=full``): a word of three or more
characters is a phrase of bigrams, and ``detail=column`` or ``none`` (a smaller, faster index)
refuse phrase queries on SQLite, the stored Datasette query's included.

The table is contentless (``content=''``): the text is stored once, in ``articles``. On
SQLite < 3.43 a contentless table forgets a document only when given the exact text it
indexed, which is read back from ``articles``. Hence the contract for the archive writer,
inside its own transaction:

* ``index_articles(db, rows)`` BEFORE writing ``rows`` (dicts with detail_id, title, summary,
  body) to ``articles``; unchanged text costs nothing, changed text is re-indexed;
* ``remove(db, ids)`` BEFORE deleting those articles.

``rebuild(db)`` re-derives the whole index from ``articles`` (after hand edits, say): it builds
a new index beside the old one (``articles_fts_build``, in transactions of ``REBUILD_CHUNK``
articles) and swaps it in with one transaction, so readers see the old index or the new one,
never an empty or partial one; a build left by a killed rebuild is dropped by the next.
``index_missing(db)`` indexes the articles the index lacks (used by the upgrade).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter

import sqlite_utils

from archive.schema import backfill_state, record_backfill
from normalize.text import FULL_WIDTH_TO_ASCII, strip_invisible

FTS_TABLE = "articles_fts"
# The version of what ``bigram_text`` makes of a text. Bump it whenever that changes: an index
# built under other rules cannot forget a changed article (its old text is re-tokenised under
# the new rules to delete it), so the upgrade rebuilds it (archive.migrate.fill_index). Kept
# in the ``backfills`` row ``fts_rules`` (``last_id``). 2: invisible (Cf) characters dropped,
# one list for the whole project (before: some were indexed).
RULES = 2
BUILD_TABLE = "articles_fts_build"  # a rebuild's new index, until it replaces FTS_TABLE
REBUILD_CHUNK = 5000  # articles per transaction of a rebuild
# While a rebuild loads its new index: no incremental merging (one 'optimize' at the end
# merges everything), ~20 % faster (bench/bench_reindex.py); FTS5's defaults come back after.
_BULK_MERGE = {"automerge": 0, "crisismerge": 64}
_DEFAULT_MERGE = {"automerge": 4, "crisismerge": 16}  # https://sqlite.org/fts5.html#fts5_options
COLUMNS = ("title", "summary", "body")
# A match in the title counts more than one in the summary, which counts more than the body.
COLUMN_WEIGHTS = (5.0, 2.0, 1.0)
RANK = f"bm25({', '.join(map(str, COLUMN_WEIGHTS))})"
_BATCH = 500  # ids per IN (...) list; far below SQLite's variable limit
_STORED_TEXT = ", ".join(f"coalesce(a.{column}, '')" for column in COLUMNS)

# CJK Unified Ideographs with Extension A, the compatibility block, and planes 2-3.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
HAN_RUN = re.compile("([" + "".join(f"{chr(first)}-{chr(last)}" for first, last in _HAN_RANGES) + "]+)")
_SKIP, _SPACE = 0xFFFFFFFF, 0x20  # no code point; the separator written between tokens
_WORD_CHAR = re.compile(r"[^\W_]")
# Full-width letters and digits ("５Ｇ") fold to ASCII as NFKC would (normalize.text's one
# full-width table); NFKC of a whole body costs as much as the bigrams themselves, and Han
# text needs no folding.
_FULL_WIDTH = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+")


def _fold_width(text: str) -> str:
    # Invisible format characters go too: the project's one list (normalize/text.py).
    return _FULL_WIDTH.sub(lambda match: match.group().translate(FULL_WIDTH_TO_ASCII), strip_invisible(text))


def _run_tokens(run: str, *, closing: bool = True) -> str:
    """"融资环境" -> "融资 资环 环境 境" (without the lone last character if not ``closing``)."""
    if len(run) == 1:
        return run
    bigrams = " ".join(map(str.__add__, run, run[1:]))
    return f"{bigrams} {run[-1]}" if closing else bigrams


def bigram_text(text: str) -> str:
    """The text as indexed: every Han run replaced by its bigrams, then its last character
    alone ("融资环境" -> "融资 资环 环境 境"), the rest left to unicode61.

    Built for the whole text at once on its UTF-32 code points with numpy (the crawl has it
    loaded for the repost check; imported here on first use, so that searching does not):
    each character is written out, a Han character followed by a Han character also writes
    that one and a space, the last of a run a space, and a space goes before a run. The same
    tokens in the same order as joining each run's bigrams in Python, at 0.15 ms an article
    instead of 0.4 (``tests/test_fts_bigrams.py`` holds the two to each other).
    """
    import numpy as np

    code = np.frombuffer(_fold_width(text or "").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not len(code):
        return ""
    han = np.zeros(len(code), dtype=bool)
    for first, last in _HAN_RANGES:
        han |= (code >= first) & (code <= last)
    han_next = np.zeros(len(code), dtype=bool)
    han_next[:-1] = han[1:]
    following = np.full(len(code), _SPACE, dtype=np.uint32)
    following[:-1] = code[1:]
    out = np.full((len(code), 3), _SKIP, dtype=np.uint32)
    out[:, 0] = code
    pair = han & han_next
    out[pair, 1] = following[pair]
    out[pair, 2] = _SPACE
    out[han != han_next, 1] = _SPACE  # after a run's last character, and before a run
    flat = out.ravel()
    return flat[flat != _SKIP].tobytes().decode("utf-32-le", "surrogatepass")


def query_phrase(text: str) -> str | None:
    """An FTS5 phrase matching ``text`` as a contiguous piece, or None if nothing is searchable.

    Runs inside the piece are expanded like the indexed text; the final run only into its
    bigrams (the article may go on after it), and a lone final character becomes a prefix,
    so "融" -> ``"融" *`` and "融资环境" -> ``"融资 资环 环境"``.
    """
    text = _fold_width(text).replace('"', " ")
    runs = list(HAN_RUN.finditer(text))
    prefix = False
    pieces, last_end = [], 0
    for index, match in enumerate(runs):
        run = match.group()
        final = index == len(runs) - 1 and not _WORD_CHAR.search(text, match.end())
        pieces.append(text[last_end : match.start()])
        pieces.append(f" {_run_tokens(run, closing=not final)} ")
        prefix = final and len(run) == 1
        last_end = match.end()
    pieces.append(text[last_end:])
    body = " ".join("".join(pieces).split())
    if not _WORD_CHAR.search(body):
        return None
    return f'"{body}" *' if prefix else f'"{body}"'


def _create(db: sqlite_utils.Database, table: str) -> None:
    db.execute(f"CREATE VIRTUAL TABLE [{table}] USING fts5({', '.join(COLUMNS)}, tokenize='unicode61', content='')")
    db.execute(f"INSERT INTO [{table}]([{table}], rank) VALUES ('rank', ?)", [RANK])


def ensure_index(db: sqlite_utils.Database) -> None:
    """Create the index if missing, filling it from the articles already stored (under
    today's ``RULES``, which it records)."""
    if db[FTS_TABLE].exists():
        return
    _create(db, FTS_TABLE)
    if db["articles"].exists():
        index_missing(db)
    record_rules(db)


def indexed_rules(db: sqlite_utils.Database) -> int | None:
    """The ``RULES`` the index was built under; None when not recorded (built before RULES)."""
    state = backfill_state(db, "fts_rules")
    return state[0] if state else None


def record_rules(db: sqlite_utils.Database) -> None:
    """Record that the index is built under today's ``RULES``; the caller holds the transaction."""
    record_backfill(db, "fts_rules", RULES, "done")


def index_missing(db: sqlite_utils.Database, table: str = FTS_TABLE) -> int:
    """Index the articles that ``table`` lacks; the caller holds the transaction. Returns how many."""
    ids = [row[0] for row in db.execute(
        f"SELECT detail_id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM [{table}_docsize] d WHERE d.id = a.detail_id)"
    )]  # fmt: skip
    for chunk in _chunks(ids):
        _insert(db, _stored_rows(db, chunk), table=table)
    return len(ids)


def index_articles(db: sqlite_utils.Database, rows: Iterable[dict]) -> None:
    """Index ``rows`` (detail_id, title, summary, body); call before writing them to articles."""
    # In ascending rowid order: FTS5 writes out what it holds in memory (a new segment, to be
    # merged later) whenever a rowid is not above the previous one in the transaction, and a
    # listing lists its newest, highest ids first. Unsorted, a batch became a segment every
    # row or two: 0.58 against 0.34 ms an article (bench/bench_floor.py, issue 14).
    rows = sorted(rows, key=itemgetter("detail_id"))
    if not rows:
        return
    ensure_index(db)
    stored = _indexed_text(db, [row["detail_id"] for row in rows])
    changed = []
    for row in rows:
        new = tuple(row.get(column) or "" for column in COLUMNS)
        old = stored.get(row["detail_id"])
        if old == new:
            continue
        if old is not None:
            _delete(db, row["detail_id"], old)
        changed.append((row["detail_id"], *new))
    _insert(db, changed)


def remove(db: sqlite_utils.Database, ids: Iterable[int]) -> None:
    """Forget the articles ``ids``; call before deleting them from articles."""
    if not db[FTS_TABLE].exists():
        return
    for detail_id, old in sorted(_indexed_text(db, list(ids)).items()):  # ascending: see index_articles
        _delete(db, detail_id, old)


def rebuild(db: sqlite_utils.Database, on_articles: Callable[[int], object] | None = None) -> int:
    """Re-index every article beside the old index, then swap; return how many were indexed.

    Opens its own transactions (the caller holds none). ``on_articles(n)`` is called after
    each chunk of ``n`` articles, for a progress bar.
    """
    from archive.db import transaction

    with transaction(db):
        db.execute(f"DROP TABLE IF EXISTS [{BUILD_TABLE}]")  # left by a killed rebuild
        _create(db, BUILD_TABLE)
        _configure(db, BUILD_TABLE, _BULK_MERGE)
    ids = [row[0] for row in db.execute("SELECT detail_id FROM articles ORDER BY detail_id")]
    for start in range(0, len(ids), REBUILD_CHUNK):
        chunk = ids[start : start + REBUILD_CHUNK]
        with transaction(db):
            for part in _chunks(chunk):
                _insert(db, _stored_rows(db, part), table=BUILD_TABLE)
        if on_articles:
            on_articles(len(chunk))
    with transaction(db):
        db.execute(f"INSERT INTO [{BUILD_TABLE}]([{BUILD_TABLE}]) VALUES ('optimize')")
        _configure(db, BUILD_TABLE, _DEFAULT_MERGE)
    with transaction(db):
        index_missing(db, BUILD_TABLE)  # written meanwhile by a writer that ignores the crawl lock
        db.execute(f"DROP TABLE IF EXISTS [{FTS_TABLE}]")
        db.execute(f"ALTER TABLE [{BUILD_TABLE}] RENAME TO [{FTS_TABLE}]")
        record_rules(db)
    return db.execute(f"SELECT count(*) FROM [{FTS_TABLE}_docsize]").fetchone()[0]


def drop_stale_build(path: str) -> bool:
    """Drop a new index left by a killed ``rebuild`` (``BUILD_TABLE``: as large as the index);
    True if there was one. Call only while holding the archive's crawl lock, which a running
    rebuild holds. A failure to write is logged, not raised: the work done under the lock stands,
    and the next rebuild drops the table too."""
    import logging

    from archive.db import connect, transaction
    from archive.errors import WriteFailedError

    if not os.path.isfile(path):
        return False
    db = connect(path)
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [BUILD_TABLE]).fetchone():
            return False
        with transaction(db):
            db.execute(f"DROP TABLE IF EXISTS [{BUILD_TABLE}]")
        return True
    except (sqlite3.Error, WriteFailedError) as exc:
        # Not on stderr: the command's own outcome is the one line there (a full disk fails the
        # crawl's writes too, and says so).
        logging.getLogger(__name__).debug("the index left by a killed reindex was not dropped (%s)", exc)
        return False
    finally:
        db.close()


def _configure(db: sqlite_utils.Database, table: str, options: dict[str, int]) -> None:
    for name, value in options.items():
        db.execute(f"INSERT INTO [{table}]([{table}], rank) VALUES (?, ?)", [name, value])


def _stored_rows(db: sqlite_utils.Database, ids: list[int]) -> list[tuple]:
    marks = ", ".join("?" * len(ids))
    return db.execute(f"SELECT detail_id, {', '.join(COLUMNS)} FROM articles WHERE detail_id IN ({marks})", ids).fetchall()


def _insert(db: sqlite_utils.Database, rows: Iterable[tuple], table: str = FTS_TABLE) -> None:
    """Index ``rows`` (detail_id, title, summary, body), in ascending detail_id order (see
    ``index_articles``)."""
    db.conn.executemany(
        f"INSERT INTO [{table}](rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?)",
        ((detail_id, *map(bigram_text, texts)) for detail_id, *texts in sorted(rows, key=itemgetter(0))),
    )


def _delete(db: sqlite_utils.Database, detail_id: int, old: tuple[str, ...]) -> None:
    db.execute(
        f"INSERT INTO [{FTS_TABLE}]([{FTS_TABLE}], rowid, {', '.join(COLUMNS)}) "
        "VALUES ('delete', ?, ?, ?, ?)",
        [detail_id, *map(bigram_text, old)],
    )


def _indexed_text(db: sqlite_utils.Database, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The stored text of those ``ids`` that are in the index (the text it was built from)."""
    found: dict[int, tuple[str, ...]] = {}
    for chunk in _chunks(ids):
        marks = ", ".join("?" * len(chunk))
        cursor = db.execute(
            f"SELECT a.detail_id, {_STORED_TEXT} "
            f"FROM articles a JOIN [{FTS_TABLE}_docsize] d ON d.id = a.detail_id "
            f"WHERE a.detail_id IN ({marks})",
            chunk,
        )
        found.update((detail_id, tuple(texts)) for detail_id, *texts in cursor)
    return found


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]
