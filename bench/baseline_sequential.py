"""The baseline for bench_crawl.py: the crawl a researcher would write by hand.

    python bench/baseline_sequential.py START_URL DB

requests + BeautifulSoup, one request at a time: follow 下一页 through the listing, fetch
every entry's detail page, write one row per article to SQLite. It reads the replay's
``classic`` markup naively (entries are the <li> of <main>, the article is <article>) and
has none of the crawler's care: no retries, no normalisation, no repost check.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from urllib.parse import urljoin

import requests
from bs4 import BeautifulSoup

DETAIL_ID = re.compile(r"detail/(\d+)\.html")  # links may be relative: ../../detail/1.html


def fetch(session: requests.Session, url: str) -> BeautifulSoup:
    response = session.get(url, timeout=30)
    response.raise_for_status()
    return BeautifulSoup(response.content, "html.parser", from_encoding=response.encoding)


def main(start_url: str, db_path: str) -> int:
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS articles (detail_id INTEGER PRIMARY KEY, url TEXT, title TEXT, "
        "listing_date TEXT, summary TEXT, meta TEXT, body TEXT)"
    )
    session = requests.Session()
    url: str | None = start_url
    while url:
        listing = fetch(session, url)
        for entry in listing.find("main").find_all("li"):
            link = entry.find("a", href=DETAIL_ID)
            if link is None:
                continue
            detail_url = urljoin(url, link["href"])
            article = fetch(session, detail_url).find("article")
            db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    int(DETAIL_ID.search(detail_url)[1]),
                    detail_url,
                    article.find("h1").get_text(strip=True),
                    entry.find_all("span")[-1].get_text(strip=True),
                    entry.find("p").get_text(strip=True),
                    " ".join(span.get_text(strip=True) for span in article.find("div").find_all("span")),
                    "\n".join(p.get_text(strip=True) for p in article.find_all("div")[1].find_all("p")),
                ),
            )
        db.commit()
        following = listing.find("a", string="下一页")
        url = urljoin(url, following["href"]) if following else None
    count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    print(f"{count} articles")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
