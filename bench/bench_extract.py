"""CPU cost of extraction per page, against the extraction at a git revision.

    python bench/bench_extract.py              # 5 runs, median, against BEFORE_SPEED_UP
    python bench/bench_extract.py --runs 3 --against HEAD

Pages come from the replay's three themes, rendered without HTTP. A listing page costs
decode_html + listing_entries + pagination; a detail page decode_html + detail_fields with the
listing's title. Before timing, every page (plus each page re-encoded with a mislabelled
charset, and the test fixtures) is run through both versions: any difference in output stops
the benchmark, since a faster extraction must not extract anything differently.
"""

from __future__ import annotations

import argparse
import importlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

from extract import detail, encoding, listing
from crawler.replay.faults import _mislabelled
from crawler.replay.site import Page, ReplaySite

ROOT = Path(__file__).resolve().parent.parent
BASE_URL = "http://127.0.0.1:8000"
MODULES = ("__init__", "urls", "encoding", "blocks", "listing", "detail")
THEMES = ("classic", "table", "flat")
BEFORE_SPEED_UP = "2109656"  # the last commit before extraction was made 4x faster


@dataclass
class Extraction:
    """The public entry points of one version of ``extract``, and its modules."""

    decode_html: object
    listing_entries: object
    pagination: object
    detail_fields: object
    modules: tuple[ModuleType, ...]

    @classmethod
    def of(cls, encoding_module: ModuleType, listing_module: ModuleType, detail_module: ModuleType) -> Extraction:
        return cls(encoding_module.decode_html, listing_module.listing_entries, listing_module.pagination,
                   detail_module.detail_fields, (encoding_module, listing_module, detail_module))

    def forget(self) -> None:
        """Empty the modules' caches: a crawl sees each page once, the benchmark five times."""
        for module in self.modules:
            for value in vars(module).values():
                if hasattr(value, "cache_clear"):
                    value.cache_clear()

    def listing(self, page: Page, url: str) -> tuple:
        html = self.decode_html(page.body, page.content_type)
        return self.listing_entries(html, url), self.pagination(html, url)

    def detail(self, page: Page, url: str, listing_title: str | None) -> object:
        html = self.decode_html(page.body, page.content_type)
        return self.detail_fields(html, url, listing_title=listing_title)


def extraction_at(revision: str, workdir: Path) -> Extraction:
    """``extract`` as of ``revision``, imported as a package of its own."""
    package = workdir / "extract_before"
    package.mkdir()
    for name in MODULES:
        for folder in ("extract", "crawler/extract"):  # where it lives since issue 15, and before
            shown = subprocess.run(["git", "show", f"{revision}:{folder}/{name}.py"], cwd=ROOT, capture_output=True, text=True)
            if shown.returncode == 0:
                break
        else:
            raise SystemExit(f"no extract/{name}.py at {revision}: {shown.stderr.strip()}")
        source = re.sub(r"\b(?:crawler\.)?extract\.", "extract_before.", shown.stdout.replace("crawler.normalize.", "normalize."))
        (package / f"{name}.py").write_text(source)
    sys.path.insert(0, str(workdir))
    modules = [importlib.import_module(f"extract_before.{name}") for name in ("encoding", "listing", "detail")]
    return Extraction.of(*modules)


@dataclass
class Corpus:
    theme: str
    listings: list[tuple[Page, str]]  # (page, url)
    details: list[tuple[Page, str, str]]  # (page, url, listing title)


def corpus(theme: str) -> Corpus:
    site = ReplaySite(theme=theme)
    titles = {row["detail_id"]: row["title_raw"] for row in site.expected()}
    listings = []
    for n in range(1, site.page_count + 1):
        path = site.listing_path(n)
        listings.append((site.respond(path, BASE_URL), BASE_URL + path))
    details = []
    for ident in site.listed_ids():
        path = site.detail_path(ident)
        details.append((site.respond(path, BASE_URL), BASE_URL + path, titles[ident]))
    return Corpus(theme, listings, details)


def mislabelled(site_encoding: str, pages: list[Page]) -> list[Page]:
    """Each page as GBK bytes labelled UTF-8 and as UTF-8 bytes labelled GBK."""
    return [_mislabelled(page, site_encoding, actual) for page in pages for actual in ("gbk", "utf-8")]


def check_same(before: Extraction, after: Extraction, corpora: list[Corpus]) -> tuple[int, list[str]]:
    """Compare every output of the two versions: the number of comparisons, and those that differ.

    Differences are reported, not fatal: fixes made since the 'before' revision change some
    outputs on purpose (e.g. pagination URLs taken from the site's own links).
    """
    checked = 0
    differing: list[str] = []

    def same(label: str, old: object, new: object) -> None:
        nonlocal checked
        if _plain(old) != _plain(new):
            differing.append(label)
        checked += 1

    for c in corpora:
        site_encoding = ReplaySite(theme=c.theme, pages=1).encoding
        for page, url in c.listings:
            same(f"{c.theme} {url}", before.listing(page, url), after.listing(page, url))
        for page, url, title in c.details:
            same(f"{c.theme} {url}", before.detail(page, url, title), after.detail(page, url, title))
            same(f"{c.theme} {url} without listing title", before.detail(page, url, None), after.detail(page, url, None))
        for page in mislabelled(site_encoding, [p for p, _ in c.listings[:3]] + [p for p, _, _ in c.details[:30]]):
            same(f"{c.theme} mislabelled {page.content_type}", before.decode_html(page.body, page.content_type),
                 after.decode_html(page.body, page.content_type))
    for path in sorted((ROOT / "tests" / "pages").glob("*.html")):
        fixture = Page(200, path.read_bytes(), "text/html")
        url = "https://hubei.010b.com/info/detail/23977.html"
        same(path.name, before.detail(fixture, url, None), after.detail(fixture, url, None))
        same(path.name, before.listing(fixture, url), after.listing(fixture, url))
    return checked, differing


def _plain(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


def ms_per_page(version: Extraction, work, items: list, runs: int) -> float:
    """Median over ``runs`` of the CPU time per item, each run from ``version``'s cold caches."""
    return cpu_ms_per_item(work, items, runs, before_run=version.forget)


def cpu_ms_per_item(work, items: list, runs: int, before_run=lambda: None) -> float:
    """Median over ``runs`` of the CPU ms per item of ``work(*item)``; ``before_run`` starts each run."""
    times = []
    for _ in range(runs):
        before_run()
        start = time.process_time()
        for item in items:
            work(*item)
        times.append((time.process_time() - start) / len(items) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", default=BEFORE_SPEED_UP, help="git revision of the 'before' extraction")
    args = parser.parse_args()
    after = Extraction.of(encoding, listing, detail)
    with tempfile.TemporaryDirectory() as workdir:
        before = extraction_at(args.against, Path(workdir))
        corpora = [corpus(theme) for theme in THEMES]
        checked, differing = check_same(before, after, corpora)
        print(f"outputs compared with {args.against}: {checked}, differing: {len(differing)}"
              + (f" (e.g. {', '.join(differing[:3])})" if differing else ""))
        print(f"{'theme':8} {'page':8} {'pages':>5} {'before ms':>10} {'after ms':>10} {'speed-up':>9}")
        totals = {"before": 0.0, "after": 0.0, "pages": 0}
        for c in corpora:
            for kind, items in (("listing", c.listings), ("detail", c.details)):
                work = {"listing": lambda v: v.listing, "detail": lambda v: v.detail}[kind]
                old = ms_per_page(before, work(before), items, args.runs)
                new = ms_per_page(after, work(after), items, args.runs)
                totals["before"] += old * len(items)
                totals["after"] += new * len(items)
                totals["pages"] += len(items)
                print(f"{c.theme:8} {kind:8} {len(items):5} {old:10.3f} {new:10.3f} {old / new:8.1f}x")
        old, new = totals["before"] / totals["pages"], totals["after"] / totals["pages"]
        print(f"{'all':8} {'':8} {totals['pages']:5} {old:10.3f} {new:10.3f} {old / new:8.1f}x")


if __name__ == "__main__":
    main()
