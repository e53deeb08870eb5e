"""Ranked full-text search over the archive, and the snippet that shows why an article matched.

Query syntax, parsed here and never passed raw to FTS5:
  融资 光谷          both words (AND); a word matches anywhere inside Chinese text
  "东湖 高新区"       the words as written, next to each other
  融资 OR 贷款        either (OR binds tighter than the implicit AND)
  招商 -房地产        the first without the second

Ranking is bounded. FTS5's bm25 scores every match, and first counts the articles holding
each phrase by walking its whole posting list: for a word found in most articles (发展, 项目)
that is hundreds of milliseconds at a million articles, whatever the LIMIT. So when a query
has at least ``RANK_WINDOW`` matches (after the filters), only its newest ``RANK_WINDOW``
matches are ranked (detail_id follows posting order; FTS5 hands matches out newest first
without scoring them), by the same bm25 formula computed here from the stored text, with
the phrase frequencies of the window standing in for those of the whole archive.
The trade-off: for such a query the results are the best of the recent matches, not of all
time. A query with fewer matches, or one narrowed below the window by --region/--since/
--until, is ranked by FTS5 over all of them.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass

import sqlite_utils

from archive import fts
from archive.errors import UsageError

# The region an article is shown and counted under: its title tag, else its city or province.
REGION_LABEL = "coalesce(a.region_tag, a.city, a.province)"
ARTICLE_DATE = "coalesce(a.published_date, a.listing_date)"
REGION_COLUMNS = ("province", "city", "district", "zone", "region_tag")
_OPERATORS = ("OR", "AND")
_QUERY_PIECE = re.compile(r'\s*(-?)(?:"([^"]*)"|([^\s"]+))')
RANK_WINDOW = 2000  # fetching and scoring this many matches takes ~10 ms; see the docstring
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's constants


@dataclass(frozen=True)
class Query:
    match: str  # the FTS5 expression
    terms: tuple[str, ...]  # the wanted words and phrases, for highlighting


def parse_query(text: str) -> Query:
    """Turn the user's query into an FTS5 expression; raise UsageError on malformed input."""
    if text.count('"') % 2:
        raise UsageError(f"unbalanced quote in query {text!r}: close every \"phrase\"")
    pieces = []  # (excluded, text, quoted)
    for match in _QUERY_PIECE.finditer(text):
        excluded, phrase, word = match.groups()
        pieces.append((bool(excluded), phrase if phrase is not None else word, phrase is not None))
    if not pieces:
        raise UsageError("empty query: give a word to search for")

    groups: list[list[str]] = []  # OR-groups, ANDed together
    excluded_phrases: list[str] = []
    terms: list[str] = []
    pending: str | None = None  # the operator just read
    for position, (excluded, piece, quoted) in enumerate(pieces):
        operator = None if quoted or excluded else piece if piece in _OPERATORS else None
        if operator:
            if not groups or pending or position == len(pieces) - 1:
                raise UsageError(f"'{operator}' needs a word to search for on each side")
            if operator == "OR" and pieces[position + 1][0]:
                raise UsageError("'OR' cannot join an excluded word; write the exclusion on its own")
            pending = operator
            continue
        phrase = fts.query_phrase(piece)
        if phrase is None:
            raise UsageError(f"'{piece}' has nothing to search for (wildcards and symbols are not supported)")
        if excluded:
            excluded_phrases.append(phrase)
        elif pending == "OR":
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
        if not excluded:
            terms.append(piece)
        pending = None
    if not groups:
        raise UsageError("a query needs at least one word to search for besides the excluded ones")
    positive = " AND ".join(f"({' OR '.join(group)})" for group in groups)
    expression = "".join([f"({positive})", *(f" NOT {phrase}" for phrase in excluded_phrases)])
    return Query(match=expression, terms=tuple(terms))


def search(
    db: sqlite_utils.Database,
    query: str,
    *,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    include_duplicates: bool = False,
) -> list[dict]:
    """The best ``limit`` articles for ``query``, best first, each with a ``snippet``.

    ``region`` matches the start of province, city, district, zone or region tag;
    ``since``/``until`` (YYYY-MM-DD, inclusive) the posting date, else the listing date.
    """
    parsed = parse_query(query)
    if not db[fts.FTS_TABLE].exists():
        if db["articles"].exists() and db["articles"].count:
            raise UsageError("this archive has no full-text index yet; run 'parknews reindex' first")
        return []
    conditions, params = [f"{fts.FTS_TABLE} MATCH ?"], [parsed.match]
    if region:
        conditions.append("(" + " OR ".join(f"a.{c} LIKE ? ESCAPE '\\'" for c in REGION_COLUMNS) + ")")
        params += [_like_prefix(region)] * len(REGION_COLUMNS)
    if since:
        conditions.append(f"{ARTICLE_DATE} >= ?")
        params.append(since)
    if until:
        conditions.append(f"{ARTICLE_DATE} <= ?")
        params.append(until)
    if not include_duplicates:
        conditions.append("a.duplicate_of IS NULL")
    matches = f"FROM {fts.FTS_TABLE} f JOIN articles a ON a.detail_id = f.rowid WHERE {' AND '.join(conditions)}"
    select = (
        f"SELECT a.detail_id, a.url, a.title, {ARTICLE_DATE} AS date, {REGION_LABEL} AS region, "
        f"a.duplicate_of, a.summary, a.body"
    )
    try:
        newest = db.execute(f"{select} {matches} ORDER BY f.rowid DESC LIMIT ?", [*params, RANK_WINDOW]).fetchall()
        if len(newest) < RANK_WINDOW:  # these are all the matches: FTS5 ranks them
            rows = db.execute(f"{select}, f.rank {matches} ORDER BY f.rank LIMIT ?", [*params, limit]).fetchall()
        else:
            rows = rank_by_bm25(newest, parsed.terms)[:limit]
    except sqlite3.OperationalError as exc:  # an expression FTS5 refuses: our parser's fault
        raise UsageError(f"cannot search for {query!r}: {exc}") from None
    hits = []
    for detail_id, url, title, date, region_label, duplicate_of, summary, body, rank in rows:
        text = next((t for t in (body, summary, title) if t and find_terms(t, parsed.terms)), body or "")
        hits.append(
            {
                "detail_id": detail_id,
                "url": url,
                "title": title,
                "date": date,
                "region": region_label,
                "duplicate_of": duplicate_of,
                "rank": rank,
                "snippet": snippet(text, parsed.terms),
            }
        )
    return hits


def rank_by_bm25(rows: list[tuple], terms: tuple[str, ...]) -> list[tuple]:
    """``rows`` (ending in title, summary, body) best first, each with its bm25 rank appended.

    FTS5's formula and column weights; term frequencies counted in the text, lengths in
    characters (a Han character is one bigram token), phrase frequencies among ``rows``.
    """
    patterns = [re.compile(pattern, re.IGNORECASE) for pattern in map(_term_pattern, terms) if pattern]
    counts = [
        [[len(pattern.findall(text)) if text else 0 for text in row[-3:]] for pattern in patterns] for row in rows
    ]
    lengths = [sum(len(text or "") for text in row[-3:]) for row in rows]
    average_length = sum(lengths) / len(rows) or 1
    idfs = []
    for index in range(len(patterns)):
        holding = sum(1 for row_counts in counts if any(row_counts[index]))
        idfs.append(max(math.log((len(rows) - holding + 0.5) / (holding + 0.5)), 1e-6))
    ranked = []
    for row, row_counts, length in zip(rows, counts, lengths):
        score = 0.0
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average_length)
        for idf, per_column in zip(idfs, row_counts):
            frequency = sum(weight * count for weight, count in zip(fts.COLUMN_WEIGHTS, per_column))
            score += idf * frequency * (BM25_K1 + 1) / (frequency + norm)
        ranked.append((*row, -score))  # FTS5's convention: lower is better
    return sorted(ranked, key=lambda row: row[-1])


def find_terms(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """The (start, end) spans of ``terms`` in ``text``, as the index would match them."""
    patterns = [_term_pattern(term) for term in terms]
    patterns = [p for p in patterns if p]
    if not patterns:
        return []
    combined = re.compile("|".join(patterns), re.IGNORECASE)
    return [match.span() for match in combined.finditer(text)]


def snippet(text: str, terms: tuple[str, ...], *, before: int = 20, width: int = 80) -> list[tuple[str, bool]]:
    """A window of ``text`` around the first match, as (segment, is_match) pairs."""
    spans = find_terms(text, terms)
    start = max(0, spans[0][0] - before) if spans else 0
    end = min(len(text), start + width)
    segments: list[tuple[str, bool]] = [("…", False)] if start else []
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_start >= end:
            continue
        segments += [(text[cursor:span_start], False), (text[span_start:span_end], True)]
        cursor = span_end
    segments.append((text[cursor:end] + ("…" if end < len(text) else ""), False))
    return [(part.replace("\n", " "), is_match) for part, is_match in segments if part]


def plain_snippet(segments: list[tuple[str, bool]]) -> str:
    """The snippet as plain text, each match in […]."""
    return "".join(f"[{part}]" if is_match else part for part, is_match in segments)


def _term_pattern(term: str) -> str:
    # Separators between words are ignored by the index, so any may stand between them.
    words = [
        word for part in fts.HAN_RUN.split(term) for word in re.findall(r"[^\W_]+", part)
    ]
    return r"[\W_]*".join(re.escape(word) for word in words)


def _like_prefix(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value) + "%"
