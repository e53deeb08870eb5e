"""Ranked full-text search over the archive, and the snippet that shows why an article matched.

Query syntax, parsed here and never passed raw to FTS5:
  融资 光谷          both words (AND); a word matches anywhere inside Chinese text
  "东湖 高新区"       the words as written, next to each other
  融资 OR 贷款        either (OR binds tighter than the implicit AND); "or" works too
  招商 -房地产        the first without the second; also 招商 NOT 房地产 (or "not")
  "or"               a quoted operator is a word

Ranking is bounded. FTS5's bm25 scores every match: scoring the matches of a word found in
most articles (发展, 项目) is over a second at a million articles, whatever the LIMIT. So when
a query has at least ``RANK_WINDOW`` matches (after the filters), only its newest
``RANK_WINDOW`` matches are ranked: FTS5's own bm25 (its column weights, and phrase
frequencies over the whole archive), restricted by rowid to the window (detail_id follows
posting order, and FTS5 finds the window's lower bound without scoring anything). Counting
the matches and bm25's phrase frequencies each walk the phrase's posting list once; the
scoring is the window's alone. The trade-off: for such a query the first results are the
best of the recent matches, not of all time; the older matches follow, newest first, so that
every match is still returned (``Results.ranking`` says so to the user). A query with fewer
matches, or one narrowed below the window by --region/--since/--until, is ranked by FTS5
over all of them. From ``TEXT_SCORED_FROM`` posting entries on (a frequent phrase of several
bigrams), the second walk would cost more than the window itself: the window is then scored here, by FTS5's formula and column weights
from the rows' text, the window's phrase frequencies standing in for the archive's.
``bench/bench_archive.py`` measures the window against ranking every match, by frequency
band, at a million articles.

Counting is bounded too. Matches are counted exactly up to ``TOTAL_COUNTED_UP_TO`` (10,000,
Elasticsearch's default for ``track_total_hits``); past it the total is given as a lower bound
(``Results.total_exact`` False: "10,000+"), unless ``exact_total`` is asked for or the page
asked for reaches past it. An exact count walks every match and checks each against the
reposts: ~0.2 s of a 0.25 s search for a word in 880,000 of a million articles. Such a
query's window is scored from its rows' text (below), since FTS5's bm25 would walk every
match again for its phrase frequencies.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterator
import sqlite3
from dataclasses import dataclass

import sqlite_utils

from archive import fts
from archive.errors import UsageError

# The region an article is shown and counted under: its title tag, else its city or province.
REGION_LABEL = "coalesce(a.region_tag, a.city, a.province)"
ARTICLE_DATE = "coalesce(a.published_date, a.listing_date)"
REGION_COLUMNS = ("province", "city", "district", "zone", "region_tag")
_OPERATORS = {"OR": "OR", "AND": "AND", "NOT": "NOT"}  # also in lower case
MAX_QUERY_WORDS = 32  # words, phrases and operators of one query
MAX_QUERY_CHARS = 500
_QUERY_PIECE = re.compile(r'\s*(-?)(?:"([^"]*)"|([^\s"]+))')
RANK_WINDOW = 2000  # see the docstring; bench/bench_archive.py measures the choice
# From this many posting entries on (matches × bigram tokens of the query), the window is
# scored in Python from its rows' text: FTS5's bm25 would first walk each phrase's posting
# list again (as long as the count took: ~0.06 µs a match and token, more inside phrases),
# while scoring 2,000 rows' text costs the same whatever the total (bench/bench_archive.py).
TEXT_SCORED_FROM = 1_500_000
TOTAL_COUNTED_UP_TO = 10_000  # matches counted exactly by default (see the docstring)
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's constants


@dataclass(frozen=True)
class Query:
    match: str  # the FTS5 expression
    terms: tuple[str, ...]  # the wanted words and phrases, for highlighting


def parse_query(text: str) -> Query:
    """Turn the user's query into an FTS5 expression; raise UsageError on malformed input.

    Operators are ``OR``, ``AND`` (the default between words) and ``NOT``/``-`` before a word,
    in capitals or lower case; quote one (``"or"``) to search for it as a word. At most
    ``MAX_QUERY_WORDS`` words and ``MAX_QUERY_CHARS`` characters: matching and highlighting
    cost grows with the square of the words.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS} are searched: shorten it")
    if text.count('"') % 2:
        raise UsageError(f"unbalanced quote in query {text!r}: close every \"phrase\"")
    pieces = []  # (excluded, text, quoted)
    for match in _QUERY_PIECE.finditer(text):
        excluded, phrase, word = match.groups()
        pieces.append((bool(excluded), phrase if phrase is not None else word, phrase is not None))
    if not pieces:
        raise UsageError("empty query: give a word to search for")
    if len(pieces) > MAX_QUERY_WORDS:
        raise UsageError(f"the query has {len(pieces):,} words; at most {MAX_QUERY_WORDS} are searched: use fewer")

    groups: list[list[str]] = []  # OR-groups, ANDed together
    excluded_phrases: list[str] = []
    terms: list[str] = []
    pending: str | None = None  # the operator just read
    negate = False  # NOT just read
    for position, (excluded, piece, quoted) in enumerate(pieces):
        operator = None if quoted or excluded else _OPERATORS.get(piece.upper()) if piece.upper() == piece or piece.lower() == piece else None
        if operator == "NOT":
            if negate or position == len(pieces) - 1 or pieces[position + 1][0]:
                raise UsageError(f"'{piece}' needs a word to exclude after it")
            negate = True
            continue
        if operator:
            if not groups or pending or negate or position == len(pieces) - 1:
                raise UsageError(f"'{piece}' needs a word to search for on each side")
            following = pieces[position + 1]
            if operator == "OR" and (following[0] or _OPERATORS.get(following[1].upper()) == "NOT" and not following[2]):
                raise UsageError(f"'{piece}' cannot join an excluded word; write the exclusion on its own")
            pending = operator
            continue
        excluded = excluded or negate
        negate = False
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


@dataclass
class Results:
    """One page of a search: ``hits`` (dicts, best first, produced lazily) and what they are part of.

    ``total`` counts every match after the filters, or, when ``total_exact`` is False, is a
    lower bound (``TOTAL_COUNTED_UP_TO``: there are more); ``windowed`` is True when the
    ``RANK_WINDOW`` rule applied (``ranking`` says it in words, for the user).
    """

    total: int
    offset: int
    windowed: bool
    hits: Iterator[dict]
    total_exact: bool = True

    @property
    def total_text(self) -> str:
        """The total for people: "1,234", or "10,000+" for a lower bound."""
        return f"{self.total:,}" + ("" if self.total_exact else "+")

    @property
    def ranking(self) -> str:
        if self.windowed:
            counted = f"{self.total:,} matches" if self.total_exact else f"more than {self.total:,} matches (--count counts them)"
            return (f"{counted}: the newest {RANK_WINDOW:,} are ranked by relevance (bm25), "
                    f"the older ones follow newest first")  # fmt: skip
        return "ranked by relevance (bm25)"


def search_page(
    db: sqlite_utils.Database,
    query: str,
    *,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = 20,
    offset: int = 0,
    include_duplicates: bool = False,
    exact_total: bool = False,
) -> Results:
    """The matches of ``query`` from ``offset`` on, ``limit`` of them (None: all), best first.

    ``region`` matches the start of province, city, district, zone or region tag;
    ``since``/``until`` (YYYY-MM-DD, inclusive) the posting date, else the listing date.
    A query with fewer than ``RANK_WINDOW`` matches is ranked by FTS5's bm25 over all of them;
    a more frequent one has its newest ``RANK_WINDOW`` matches ranked (see the module
    docstring) and the rest after them, newest first: every match is reachable. The total is
    exact up to ``TOTAL_COUNTED_UP_TO`` matches, else a lower bound (``Results.total_exact``),
    unless ``exact_total`` or a page reaching past that bound (``limit`` None included).
    """
    parsed = parse_query(query)
    if not db[fts.FTS_TABLE].exists():
        if db["articles"].exists() and db["articles"].count:
            raise UsageError("this archive has no full-text index yet; run 'parknews reindex' first")
        return Results(0, offset, False, iter(()))
    try:
        matches, params = _matches(db, parsed, region=region, since=since, until=until,
                                   include_duplicates=include_duplicates)  # fmt: skip
    except sqlite3.OperationalError as exc:  # an expression FTS5 refuses: our parser's fault
        raise UsageError(f"cannot search for {query!r}: {exc}") from None
    # The page's ids are chosen first, from the index alone where no filter needs articles;
    # only then are those rows read (every match's row read for nothing was most of the time).
    select = (
        f"SELECT a.detail_id, a.url, a.title, {ARTICLE_DATE} AS date, {REGION_LABEL} AS region, "
        f"a.duplicate_of, a.summary, a.body"
    )
    wanted = -1 if limit is None else limit  # SQLite: a negative LIMIT is none

    def page(order: str, limit_offset: list[int], *, with_rank: bool, source: str = matches) -> tuple[str, list]:
        rank = "f.rank" if with_rank else "NULL"
        return (f"{select}, r.rank FROM (SELECT f.rowid AS id, {rank} AS rank {source} ORDER BY {order} LIMIT ? OFFSET ?) r "
                f"JOIN articles a ON a.detail_id = r.id ORDER BY {'r.rank' if with_rank else 'r.id DESC'}"), [*params, *limit_offset]  # fmt: skip

    try:
        counted = db.execute(f"SELECT count(*) FROM (SELECT 1 {matches} LIMIT ?)", [*params, TOTAL_COUNTED_UP_TO + 1]).fetchone()[0]
        # Past the bound: a lower bound for the total, and the window scored from its text,
        # whether or not the exact total is then counted (the ranking must not depend on it).
        beyond = counted > TOTAL_COUNTED_UP_TO
        total, total_exact = min(counted, TOTAL_COUNTED_UP_TO), not beyond
        if beyond and (exact_total or limit is None or offset + limit > TOTAL_COUNTED_UP_TO):
            total, total_exact = db.execute(f"SELECT count(*) {matches}", params).fetchone()[0], True
        if total < RANK_WINDOW:  # FTS5 ranks them all
            rows = db.execute(*page("f.rank", [wanted, offset], with_rank=True))
        else:
            # The window: matches from the RANK_WINDOW-th newest on, ranked by FTS5 within it.
            oldest = db.execute(
                f"SELECT min(id) FROM (SELECT f.rowid AS id {matches} ORDER BY f.rowid DESC LIMIT ?)", [*params, RANK_WINDOW]
            ).fetchone()[0]
            in_window = matches + " AND f.rowid >= " + str(int(oldest))
            before = matches + " AND f.rowid < " + str(int(oldest))
            tokens = sum(len(phrase.split()) for phrase in re.findall(r'"([^"]*)"', parsed.match))
            if not beyond and total * tokens < TEXT_SCORED_FROM:
                ranked = db.execute(*page("f.rank", [wanted, offset], with_rank=True, source=in_window)).fetchall()
            else:
                window = db.execute(*page("f.rowid DESC", [-1, 0], with_rank=False, source=in_window)).fetchall()
                ranked = rank_by_bm25([row[:-1] for row in window], parsed.terms, text_at=PAGE_TEXT_AT)[offset:]
                ranked = ranked if limit is None else ranked[:limit]
            rest_limit = -1 if limit is None else max(0, limit - len(ranked))
            rest_offset = max(0, offset - RANK_WINDOW)
            rows = itertools.chain(ranked, db.execute(*page("f.rowid DESC", [rest_limit, rest_offset], with_rank=False,
                                                            source=before)) if rest_limit else ())  # fmt: skip
    except sqlite3.OperationalError as exc:  # an expression FTS5 refuses: our parser's fault
        raise UsageError(f"cannot search for {query!r}: {exc}") from None
    return Results(total, offset, total >= RANK_WINDOW, (_hit(row, parsed.terms) for row in rows), total_exact)


# Reposts are left out of a query's many matches by one in-memory set of their ids, read from
# the duplicate_of index, that each match is checked against (0.17 µs a match) instead of each
# match's articles row (1.7 µs: 1.5 s for a word in 880,000 articles). Building the set costs
# ~10 ms at 50,000 reposts, more than reading the rows of a query's first few thousand matches.
_NOT_A_REPOST = "f.rowid NOT IN (SELECT detail_id FROM articles WHERE duplicate_of IS NOT NULL)"
REPOSTS_BY_ROW_UNDER = 5000  # matches


def _matches(db, parsed: Query, *, region, since, until, include_duplicates) -> tuple[str, list]:
    """The FROM … WHERE … of the query's matches (the index as ``f``), and its parameters."""
    conditions, params = [f"{fts.FTS_TABLE} MATCH ?"], [parsed.match]
    if not (region or since or until):  # the index alone answers
        index_only = f"FROM {fts.FTS_TABLE} f WHERE {conditions[0]}"
        if include_duplicates:
            return index_only, params
        few = db.execute(f"SELECT count(*) FROM (SELECT 1 {index_only} LIMIT ?)", [*params, REPOSTS_BY_ROW_UNDER]).fetchone()[0]
        if few >= REPOSTS_BY_ROW_UNDER:
            return f"{index_only} AND {_NOT_A_REPOST}", params
    if region:
        conditions.append("(" + " OR ".join(f"a.{c} LIKE ? ESCAPE '\\'" for c in REGION_COLUMNS) + ")")
        params += [_like_prefix(region)] * len(REGION_COLUMNS)
    more, more_params = article_conditions(since=since, until=until, include_duplicates=include_duplicates)
    conditions, params = conditions + more, params + more_params
    return f"FROM {fts.FTS_TABLE} f JOIN articles a ON a.detail_id = f.rowid WHERE {' AND '.join(conditions)}", params


def article_conditions(
    *, where: str | None = None, since: str | None = None, until: str | None = None, include_duplicates: bool = False
) -> tuple[list[str], list]:
    """SQL conditions on ``articles a`` (and their parameters) shared by search and stats:
    ``where`` as ``archive.where.where_clause`` returned it (checked, wrapped), ``since``/``until`` (YYYY-MM-DD, inclusive) on the posting date (else the
    listing date), reposts left out unless ``include_duplicates``."""
    conditions, params = ([where] if where else []), []
    if since:
        conditions.append(f"{ARTICLE_DATE} >= ?")
        params.append(since)
    if until:
        conditions.append(f"{ARTICLE_DATE} <= ?")
        params.append(until)
    if not include_duplicates:
        conditions.append("a.duplicate_of IS NULL")
    return conditions, params


def search(db: sqlite_utils.Database, query: str, **options) -> list[dict]:
    """The hits of ``search_page`` as a list (default: the best 20), each with a ``snippet``."""
    return list(search_page(db, query, **options).hits)


def _hit(row: tuple, terms: tuple[str, ...]) -> dict:
    detail_id, url, title, date, region_label, duplicate_of, summary, body, rank = row
    return {
        "detail_id": detail_id,
        "url": url,
        "title": title,
        "date": date,
        "region": region_label,
        "duplicate_of": duplicate_of,
        "rank": rank,
        "snippet": article_snippet(terms, title, summary, body),
    }


def article_snippet(terms: tuple[str, ...], title: str | None, summary: str | None, body: str | None):
    """The snippet of an article: from the body, else the summary, else the title, where a term is."""
    text = next((t for t in (body, summary, title) if t and find_terms(t, terms)), body or "")
    return snippet(text, terms)


# -- the same rules inside SQLite (Datasette), as functions of the query text -------------------

NO_MATCH = '"parknews0nothing0matches"'  # an FTS5 expression no indexed text holds


def sql_match(query: str | None) -> str:
    """``parknews_match(q)``: the FTS5 expression of ``q`` (``NO_MATCH`` for an empty one).

    Raises UsageError for a malformed query (SQLite reports it as a failed function).
    """
    if not (query or "").strip():
        return NO_MATCH
    return _parsed(query).match


def sql_snippet(query: str | None, title: str | None, summary: str | None, body: str | None) -> str:
    """``parknews_snippet(q, title, summary, body)``: the plain snippet, matches in […]."""
    if not (query or "").strip():
        return ""
    return plain_snippet(article_snippet(_parsed(query).terms, title, summary, body))


@functools.lru_cache(maxsize=256)
def _parsed(query: str) -> Query:
    return parse_query(query)


def stored_query_sql(limit: int = 1000) -> str:
    """The stored Datasette query "search by keyword": the CLI's matches (reposts left out),
    best first by FTS5's bm25, with the total count and a snippet, through the SQL functions
    ``parknews_match`` and ``parknews_snippet`` (registered by ``archive.datasette``)."""
    return (
        f"SELECT a.detail_id, a.title, {ARTICLE_DATE} AS date, {REGION_LABEL} AS region,\n"
        "  parknews_snippet(:q, a.title, a.summary, a.body) AS snippet, a.url, count(*) OVER () AS total\n"
        f"FROM {fts.FTS_TABLE} f JOIN articles a ON a.detail_id = f.rowid\n"
        f"WHERE {fts.FTS_TABLE} MATCH parknews_match(:q) AND a.duplicate_of IS NULL\n"
        f"ORDER BY f.rank\nLIMIT {limit}"
    )


# Where title, summary and body stand in the rows search_page reads (see its SELECT).
PAGE_TEXT_AT = (2, 6, 7)


def rank_by_bm25(rows: list[tuple], terms: tuple[str, ...], text_at: tuple[int, int, int] = (-3, -2, -1)) -> list[tuple]:
    """``rows`` best first, each with its bm25 rank appended; ``text_at`` are the positions of
    each row's title, summary and body (default: the row ends in them).

    FTS5's formula and column weights; term frequencies counted in the text, lengths in
    characters (a Han character is one bigram token), phrase frequencies among ``rows``.
    """
    patterns = [re.compile(pattern, re.IGNORECASE) for pattern in map(_term_pattern, terms) if pattern]
    counts = [
        [[len(pattern.findall(text)) if text else 0 for text in texts] for pattern in patterns]
        for texts in ([row[i] for i in text_at] for row in rows)
    ]
    lengths = [sum(len(row[i] or "") for i in text_at) for row in rows]
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
