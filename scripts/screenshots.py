"""Screenshots of what a researcher opens: the Datasette pages and the monthly chart.

    .venv/bin/python scripts/screenshots.py [--db news.db] [--out screenshots/]

Without ``--db`` it crawls a 10-page replay of the site over loopback first. It then serves the
archive with ``parknews serve`` on a free loopback port and takes headless Chromium screenshots
(1400×1400) of: the index (``/``, which opens the archive), the articles table, one article's
page, a search in the table's search box (``光谷 新材料``), the stored keyword query, and the
chart of ``parknews stats --plot``. Needs Debian's ``chromium`` and a CJK font for the browser
(``apt-get install chromium fonts-wqy-microhei``); the chart needs no system font. Prints the
path of each PNG; nothing is compared automatically: look at them.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {  # file name -> path on the server
    "1-index": "/",
    "2-articles": "/archive/articles",
    "4-search": f"/archive/articles?_search={quote('光谷 新材料')}",
    "5-stored-query": f"/archive/search_by_keyword?q={quote('光谷 新材料')}",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parknews(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=True)  # fmt: skip


def crawl_replay(db: Path) -> None:
    from crawler.replay.server import ReplayServer
    from crawler.replay.site import ReplaySite

    with ReplayServer(ReplaySite(pages=10)) as server:
        parknews("crawl", "--start-url", server.start_url, "--db", str(db), "--delay", "0", "--concurrency", "16")


def shoot(browser: str, url: str, out: Path) -> None:
    subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--lang=zh-CN",
         "--window-size=1400,1400", f"--screenshot={out}", url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an archive (default: crawl a replay first)")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        sys.exit("needs Chromium: apt-get install chromium fonts-wqy-microhei")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or Path(scratch) / "archive.db"
        if args.db is None:
            crawl_replay(db)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--db", str(db), "--port", str(port)],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/archive", timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
            import sqlite3

            with sqlite3.connect(db) as conn:  # the article with the longest body: the hardest page to read
                (detail_id,) = conn.execute(
                    "SELECT detail_id FROM articles WHERE duplicate_of IS NULL ORDER BY length(title) DESC LIMIT 1"
                ).fetchone()
            pages = {**PAGES, "3-article": f"/archive/articles/{detail_id}"}
            for name, path in sorted(pages.items()):
                shoot(browser, base + path, args.out / f"{name}.png")
                print(args.out / f"{name}.png")
        finally:
            server.terminate()
            server.wait(timeout=30)
        chart = args.out / "6-plot.png"
        parknews("stats", "--db", str(db), "--plot", str(chart))
        print(chart)


if __name__ == "__main__":
    main()
