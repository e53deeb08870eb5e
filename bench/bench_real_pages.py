"""Extraction on real pages written by others: parknews against trafilatura, side by side.

    python bench/bench_real_pages.py                      # the shared page set, listing title given
    python bench/bench_real_pages.py --pages DIR --runs 5

Runs the page set's own scorer (``score_pages.py --project . --with-listing-title
--trafilatura``, see the set's README) in a subprocess and prints its two SUMMARY lines as a
table, parknews beside trafilatura (the baseline: the best general-purpose extractor). Then
the extraction time per page on the set, median of ``--runs``: parknews (decode_html +
detail_fields with the listing's title; decode_html + listing_entries + pagination) and
trafilatura (``bare_extraction`` with metadata, given the decoded text). The page set is not
part of the repository: its pages are other people's (``--pages``, default the workplace's
``shared/realpages``). Needs trafilatura (``pip install trafilatura``) for its column.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_extract import cpu_ms_per_item  # noqa: E402  (bench/ is on sys.path when run as a script)
from extract import detail, encoding, listing  # noqa: E402

ROWS = ("title", "date", "body_f1", "complete_and_clean", "list_recall", "pager")


def default_pages() -> Path:
    for candidate in (ROOT.parent / "shared" / "realpages", ROOT.parent.parent / "shared" / "realpages"):
        if (candidate / "score_pages.py").exists():
            return candidate
    return ROOT.parent / "shared" / "realpages"


def summaries(pages: Path, with_trafilatura: bool) -> dict[str, dict[str, str]]:
    """The scorer's SUMMARY lines: {extractor: {metric: value}}."""
    command = [sys.executable, str(pages / "score_pages.py"), "--pages", str(pages), "--project", str(ROOT),
               "--with-listing-title", *(["--trafilatura"] if with_trafilatura else [])]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {}
    for line in out.splitlines():
        if line.startswith("SUMMARY "):
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            result[fields.pop("extractor")] = fields
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, default=default_pages(), help="the page set (labels.json, pages/, score_pages.py)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (args.pages / "score_pages.py").exists():
        sys.exit(f"bench_real_pages: no score_pages.py in {args.pages} (give --pages)")
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
        print("trafilatura is not installed: its column is left empty (pip install trafilatura)")

    found = summaries(args.pages, trafilatura is not None)
    names = [n for n in ("project", "trafilatura") if n in found]
    for name in names:
        print("SUMMARY extractor=" + name + " " + " ".join(f"{k}={v}" for k, v in found[name].items()))
    print(f"\n{'on ' + args.pages.name + ', listing title given':<34}" + "".join(f"{n.replace('project', 'parknews'):>14}" for n in names))
    for row in ROWS:
        print(f"{row:<34}" + "".join(f"{found[n].get(row, 'n/a'):>14}" for n in names))

    labels = json.loads((args.pages / "labels.json").read_text(encoding="utf-8"))
    details = [((args.pages / f).read_bytes(), label["title"]) for f, label in labels["detail"].items()]
    lists = [((args.pages / f.replace(".html", ".rewritten.html")).read_bytes(), label["page_url"])
             for f, label in labels["list"].items()]
    url = "http://example.invalid/info/detail/1.html"

    def parknews_detail(raw: bytes, title: str) -> None:
        detail.detail_fields(encoding.decode_html(raw, None), url, listing_title=title)

    def parknews_listing(raw: bytes, page_url: str) -> None:
        listing._read_page.cache_clear()  # a crawl reads each page once
        html = encoding.decode_html(raw, None)
        listing.listing_entries(html, page_url), listing.pagination(html, page_url)

    print(f"\n{'ms per page (median of ' + str(args.runs) + ')':<34}{'parknews':>14}{'trafilatura':>14}")
    ours = cpu_ms_per_item(parknews_detail, details, args.runs)
    theirs = "n/a"
    if trafilatura is not None:
        texts = [(encoding.decode_html(raw, None),) for raw, _ in details]
        theirs = f"{cpu_ms_per_item(lambda text: trafilatura.bare_extraction(text, with_metadata=True), texts, args.runs):.2f}"
    print(f"{f'article pages ({len(details)})':<34}{ours:>14.2f}{theirs:>14}")
    print(f"{f'listing pages ({len(lists)})':<34}{cpu_ms_per_item(parknews_listing, lists, args.runs):>14.2f}{'n/a':>14}")


if __name__ == "__main__":
    main()
