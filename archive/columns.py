"""What each ``articles`` column holds: its kind and its documentation, in one place.

The exports read this for typed columns (Excel dates, Stata dates and variable labels, Parquet
types) and for the column sheet of the Excel file; Datasette's column descriptions come from
here too (``archive.serve``). README.md's "Archive schema" says the same at more length.
A column that ``archive.schema`` adds without an entry here is exported as text, labelled
with its name (``tests/test_export_formats.py`` fails until it is documented).

Kinds:
  ``int``       an integer (SQLite INTEGER)
  ``real``      a number with a fraction (SQLite REAL), e.g. an amount in yuan
  ``text``      text
  ``date``      a calendar date, stored ``YYYY-MM-DD``
  ``local_ts``  a time of day with its UTC offset as the site shows it (Beijing, ``+08:00``);
                exported to Excel and Stata as the wall-clock time in Beijing
  ``utc_ts``    a UTC time, stored ISO 8601; exported to Excel and Stata as UTC wall-clock time
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("int", "real", "text", "date", "local_ts", "utc_ts")
LABEL_MAX = 80  # Stata's limit for a variable label (characters)


@dataclass(frozen=True)
class Column:
    kind: str
    label: str  # one line, at most LABEL_MAX characters (a Stata variable label)
    doc: str  # the full description (Excel's column sheet, Datasette)


ARTICLE_COLUMNS: dict[str, Column] = {
    "detail_id": Column("int", "Detail id: the <id> of /info/detail/<id>.html",
                        "Primary key: the <id> of /info/detail/<id>.html, one number space across all subdomains"),
    "url": Column("text", "Canonical article URL (no query or fragment)",
                  "Canonical detail page URL: scheme, host and path; no query or fragment (the first form met)"),
    "title": Column("text", "Title without its 【X招商】 prefix",
                    "The title without its 【X招商】/[…] prefix, leading bullets or trailing -产业园区网; whitespace collapsed"),
    "title_raw": Column("text", "Title as the listing shows it (prefix kept)",
                        "The title as the listing shows it, prefix kept; the article page's title where the listing cut it short"),
    "region_tag": Column("text", "Region named by the title's 【X招商】 prefix",
                         "X of a 【X招商】 title prefix (武汉, 汉阳区, 东湖高新区); empty when untagged"),
    "region_raw": Column("text", "所属地区 as shown on the article page",
                         "The article page's 所属地区 value as shown (湖北-武汉); empty when absent"),
    "province": Column("text", "Province (official name, e.g. 湖北省)",
                       "Province, official name (湖北省), resolved from region_tag and region_raw; empty where unknown"),
    "city": Column("text", "City (official name, e.g. 武汉市)",
                   "Prefecture-level city, official name (武汉市); empty where unknown or for a province-run county-level city"),
    "district": Column("text", "District or county (official name, e.g. 汉阳区)",
                       "District or county, official name (汉阳区); empty where unknown"),
    "zone": Column("text", "Functional zone named by the tag (e.g. 东湖高新区)",
                   "A functional zone the tag names (东湖高新区, 武汉经开区); such zones have no administrative code"),
    "adcode": Column("text", "6-digit administrative code of the most specific place",
                     "6-digit administrative division code of the most specific place resolved (420105 汉阳区); "
                     "a zone takes its district's or city's code; text, to keep it a code"),
    "published_date": Column("date", "Posting date (发布日期) of the article page",
                             "The article page's 发布日期/发布时间 (the site's posting date); the listing date where the page "
                             "shows none. Never an invented event date"),
    "published_at": Column("local_ts", "Posting time in Beijing time, where the page shows one",
                           "Posting date and time of day in Beijing time (+08:00), where the page shows a time; else empty"),
    "listing_date": Column("date", "Date shown beside the entry in the listing",
                           "The date the listing shows beside the entry (often later than published_date)"),
    "summary": Column("text", "The listing's summary paragraph",
                      "The listing's summary paragraph, whitespace collapsed"),
    "body": Column("text", "Article text, one paragraph a line",
                   "The article text only (no navigation, sidebar, 责任编辑, 投稿 notice or footer), one paragraph a line"),
    "source": Column("text", "来源 (source) where the page gives one",
                     "来源 where the page gives it; else empty"),
    "duplicate_of": Column("int", "For a repost: detail_id of the earliest copy",
                           "For a repost (≥ 0.9 Jaccard on 5-character shingles): the detail_id of the earliest copy; "
                           "empty for originals"),
    "content_sha1": Column("text", "SHA-1 of the article's content (equal = same content)",
                           "SHA-1 of title_raw, body, summary, source and published_date: equal fingerprints, equal content"),
    "fetched_at": Column("utc_ts", "When the archived content was fetched (UTC)",
                         "When the archived content was fetched (UTC)"),
    "first_seen": Column("utc_ts", "When a crawl first archived the article (UTC)",
                         "When a crawl first archived the article (UTC)"),
    "last_seen": Column("utc_ts", "When a crawl last saw the article (UTC)",
                        "When a crawl last saw the article, in a listing walk, a refresh or a 304 (UTC)"),
    "capture_id": Column("int", "captures row of the page this article was built from",
                         "The captures row of the article page this row was built from; a refresh sends that "
                         "capture's ETag/Last-Modified"),
    "published_month": Column("text", "YYYY-MM of published_date",
                              "YYYY-MM of published_date, computed by SQLite, for monthly counts and facets"),
}


# Columns the export adds to the articles': their money summaries (table article_money, rules in
# archive/facts.py).
MONEY_COLUMNS: dict[str, Column] = {
    "investment_max_cny": Column("real", "Largest investment amount in the article (yuan)",
                                 "The largest amount of kind investment in title, summary or body, in yuan (a range by "
                                 "its low end; other currencies left out); empty where none"),
    "contract_sum_cny": Column("real", "Sum of the distinct contract amounts (yuan)",
                               "The sum of the distinct yuan amounts of kind contract (签约, 合同 …; the same figure in "
                               "title, summary and body counts once); empty where none"),
    "amount_count": Column("int", "Number of money amounts in the article",
                           "How many money amounts title, summary and body hold (rows of the amounts table)"),
}


def column(name: str) -> Column:
    """The documentation of ``name``; an undocumented column is text labelled with its name."""
    return ARTICLE_COLUMNS.get(name) or MONEY_COLUMNS.get(name) or Column("text", name, name)
