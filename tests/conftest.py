"""A small synthetic archive: 50 generated articles (one a repost), two crawl runs with errors.

The text is generated from a handful of made-up sentences, so that tests know which articles
hold which words: the oracle is a plain substring search over the same rows.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from archive import fts
from archive.db import open_archive, transaction

REGIONS = [
    # region_tag, region_raw, province, city, district, zone, adcode
    ("武汉", "湖北-武汉", "湖北省", "武汉市", None, None, "420100"),
    ("汉阳区", "湖北-武汉-汉阳区", "湖北省", "武汉市", "汉阳区", None, "420105"),
    ("东湖高新区", "湖北-武汉", "湖北省", "武汉市", None, "东湖高新区", None),
    ("宜昌", "湖北-宜昌", "湖北省", "宜昌市", None, None, "420500"),
    ("湖北", "湖北", "湖北省", None, None, None, "420000"),
    (None, "湖北-武汉", "湖北省", "武汉市", None, None, "420100"),
]
TOPICS = [
    ("优化融资环境 助力小微企业发展", "银行机构扩大信贷投放，改善小微企业融资环境，降低综合融资成本。"),
    ("光谷新签约一批光电子项目", "光谷聚焦光电子信息产业，推进重点项目签约落地，打造产业集群。"),
    ("汉阳打造大健康产业新高地", "汉阳围绕生物医药与医疗器械，建设专业园区，吸引龙头企业入驻。"),
    ("新能源汽车零部件项目集中开工", "园区推动新能源汽车产业链延链补链，引进电池与电机配套企业。"),
    ("跨境电商产业园招商推介会举行", "推介会发布园区政策，介绍物流通道与数字贸易服务平台建设进展。"),
]
FILLER = [
    "今年以来，当地坚持把招商引资作为经济工作的重要抓手。",
    "下一步将持续优化营商环境，提升政务服务效率。",
    "项目总投资约{n}亿元，预计年产值可达{m}亿元。",
    "相关部门建立专班机制，全程跟踪服务项目建设。",
    "截至目前，园区已集聚企业{n}家，从业人员超过{m}万人。",
]
# One article holds 融资 and 环境 apart, but never 融资环境: a phrase search must skip it.
APART = "企业融资渠道不断拓宽，生态环境持续改善。"
REPOST_OF = 3  # article 50 reposts article 3


def make_articles(count: int = 50) -> list[dict]:
    rng = random.Random(20250710)
    articles = []
    for number in range(1, count + 1):
        tag, region_raw, province, city, district, zone, adcode = REGIONS[number % len(REGIONS)]
        title, lead = TOPICS[number % len(TOPICS)]
        sentences = [lead] + [s.format(n=rng.randint(2, 90), m=rng.randint(2, 90)) for s in rng.sample(FILLER, 3)]
        if number == 7:
            sentences.append(APART)
        body = "\n".join(sentences)
        month = 1 + number % 12
        year = 2024 if number <= 30 else 2025
        published = f"{year}-{month:02d}-{1 + number % 27:02d}"
        prefix = f"【{tag}招商】" if tag else ""
        articles.append(
            {
                "detail_id": 23000 + number,
                "url": f"https://hubei.010b.com/info/detail/{23000 + number}.html",
                "title": title if number % 9 else f"{title}（第{number}期）",
                "title_raw": prefix + title,
                "region_tag": tag,
                "region_raw": region_raw,
                "province": province,
                "city": city,
                "district": district,
                "zone": zone,
                "adcode": adcode,
                "published_date": published,
                "published_at": f"{published}T00:00:00+08:00",
                "listing_date": published,
                "summary": sentences[0] + sentences[1][:20],
                "body": body,
                "source": "园区网",
                "duplicate_of": None,
                "content_sha1": hashlib.sha1(body.encode()).hexdigest(),
                "first_seen": "2025-07-20T08:00:00Z",
                "last_seen": "2025-07-21T08:00:00Z",
            }
        )
    original = articles[REPOST_OF - 1]
    articles[-1].update(
        {key: original[key] for key in ("title", "title_raw", "summary", "body", "content_sha1")},
        duplicate_of=original["detail_id"],
    )
    # Cells a spreadsheet would read as formulas.
    articles[10]["summary"] = "=HYPERLINK(\"http://example.invalid\")"
    articles[11]["source"] = "-2%"
    return articles


RUNS = [
    {"id": 1, "started": "2025-07-20T08:00:00Z", "finished": "2025-07-20T08:12:30Z", "status": "ok",
     "mode": "full", "start_urls": "https://example.010b.com/info/144795/page/1", "pages": 35,
     "pages_total": 35, "requests": 420, "articles_new": 48, "articles_changed": 0,
     "articles_unchanged": 0, "errors": 0, "unknown_regions": 1, "exit_code": 0},
    {"id": 2, "started": "2025-07-21T08:00:00Z", "finished": "2025-07-21T08:02:05Z", "status": "partial",
     "mode": "incremental", "start_urls": "https://example.010b.com/info/144795/page/1", "pages": 3,
     "pages_total": 35, "requests": 40, "articles_new": 2, "articles_changed": 1,
     "articles_unchanged": 27, "errors": 2, "unknown_regions": 0, "exit_code": 1},
]
ERRORS = [
    {"id": 1, "run_id": 2, "url": "https://hubei.010b.com/info/detail/23999.html", "reason": "HTTP 503",
     "http_status": 503, "at": "2025-07-21T08:01:00Z"},
    {"id": 2, "run_id": 2, "url": "https://hubei.010b.com/info/detail/24000.html", "reason": "timeout",
     "http_status": None, "at": "2025-07-21T08:01:30Z"},
]


@pytest.fixture(scope="session")
def archive_articles() -> list[dict]:
    return make_articles()


@pytest.fixture(scope="session")
def archive_path(tmp_path_factory, archive_articles) -> str:
    """A path to the synthetic archive, written as the archive writer would (index first)."""
    path = tmp_path_factory.mktemp("archive") / "archive.db"
    db = open_archive(path)
    with transaction(db):
        fts.index_articles(db, archive_articles)
        db["articles"].insert_all(archive_articles)
        db["crawl_runs"].insert_all(RUNS)
        db["crawl_errors"].insert_all(ERRORS)
    db.conn.close()
    return str(path)


@pytest.fixture(scope="session")
def containing(archive_articles):
    """Ids of the articles whose title, summary or body contains every one of ``words``."""

    def ids(*words: str, include_duplicates: bool = False) -> set[int]:
        return {
            a["detail_id"]
            for a in archive_articles
            if (include_duplicates or a["duplicate_of"] is None)
            and all(any(w in (a[f] or "") for f in ("title", "summary", "body")) for w in words)
        }

    return ids


@pytest.fixture
def run_cli():
    """Run ``parknews ARGS`` in-process as ``cli.main.main`` would: (exit code, stdout, stderr)."""
    from click.testing import CliRunner

    from cli.main import cli
    from archive.errors import ParknewsError

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, list(args))
        if isinstance(result.exception, ParknewsError):
            return result.exception.exit_code, result.stdout, str(result.exception)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


# -- a crawled replay archive holding the cases the research outputs must carry (issue 12) ------

LONG_BODY_CHARS = 40_000  # over Excel's 32,767-character cell
ODD_TEXTS = {  # what some articles of the research archive hold, besides the generated text
    "extension_b": "𠮷野家在光谷开设新店，带动周边商业。",
    "full_width": "全市新建５Ｇ基站三千个，实现园区全覆盖。",
    "two_words": "光谷聚力发展新材料产业，引进一批配套企业。",
}


@pytest.fixture(scope="session")
def research_archive(tmp_path_factory):
    """(site, db path) of a 5-page replay crawled over HTTP, with odd articles mixed in:
    one body over 40,000 characters, and the ``ODD_TEXTS`` paragraphs (Extension-B,
    full-width, two words apart). Read-only for the tests that use it."""
    from crawler.replay.server import ReplayServer
    from crawler.replay.site import ReplaySite
    from tests.crawling import crawl

    site = ReplaySite(seed=12, pages=5)
    ids = site.listed_ids()
    articles = site._state.articles  # test-only: the replay offers no API to lengthen a body
    long_one = articles[ids[4]]
    sentence = "第{n}段：园区围绕主导产业开展精准招商，推进项目签约、开工和投产，优化营商环境。"
    long_one.paragraphs = [*long_one.paragraphs, *(sentence.format(n=n) for n in range(LONG_BODY_CHARS // 38))]
    for offset, text in enumerate(ODD_TEXTS.values()):
        articles[ids[7 + offset]].paragraphs.insert(1, text)
    site._cache.clear()
    db = tmp_path_factory.mktemp("research") / "archive.db"
    with ReplayServer(site) as server:
        result = crawl(server.start_url, db)
        assert result.returncode == 0, result.stderr
    return site, db
