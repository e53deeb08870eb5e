"""Scrapy settings for parknews: the single switchboard.

Defaults are polite enough for the live site; every one can be overridden with ``-s NAME=VALUE``
(``scrapy crawl``) or the ``parknews crawl`` options. Settings that are ours, not Scrapy's, are
prefixed ``PARKNEWS_`` or ``ARCHIVE_`` (and ``RETRY_BACKOFF_*`` for the backoff middleware).
"""

from __future__ import annotations

BOT_NAME = "parknews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Where the crawl starts when no start URL is given (产业园区网, 江汉区电子信息产业园区 news).
PARKNEWS_START_URLS = ["https://jianghanqudianzixinxichanyeyuanqu.010b.com/info/144795/page/1"]
# Stop walking a listing after this many pages (0 = no limit).
PARKNEWS_MAX_PAGES = 0
# The hard limit on one listing's pages, whatever its pager says: a pager that never ends (each
# page linking to a next one) is stopped here and the stop recorded as a crawl error. The live
# site's largest listings have a few hundred pages.
PARKNEWS_MAX_LISTING_PAGES = 5000

# The archive the ArchivePipeline writes to.
ARCHIVE_PATH = "archive.db"
# A transaction (a batch: articles with their captures, entries and pending pages) is written
# when it holds this many articles (see crawler.pipelines.ROWS_PER_ARTICLE for batches without
# articles) or when its first row is ARCHIVE_BATCH_SECONDS old, whichever comes first. So a
# killed run loses at most the last few seconds of work, however slowly pages come (the live
# site: a few articles a batch), and a fast crawl commits a few times a second, not once per
# few articles: each commit rewrites the index pages its rows touch and adds an FTS5 segment
# to merge (250 against the former 50: -0.3 ms of CPU an article, bench/bench_floor.py). While
# batches go to the writer thread, one is handed over at 50 articles once the thread is idle
# (crawler.pipelines.EAGER_BATCH_ARTICLES).
ARCHIVE_BATCH_SIZE = 250
ARCHIVE_BATCH_SECONDS = 5.0
# Where a batch is written: in the writer thread, beside the reactor, while the reactor spends
# at least this share of its time waiting on the network (since the previous batch); below it
# (pages arrive faster than they are parsed: a fast site, a replay, a local mirror) in the
# reactor's own thread, since a second thread then only contends for the GIL: 0.7 ms more CPU
# an article at 10,000 articles (bench/bench_floor.py). 0: always the thread; 1: the reactor's
# thread from the second batch on (the first, and one after less than 0.05 s, go to the thread).
ARCHIVE_WRITE_INLINE_BELOW_IDLE = 0.1

# -- politeness ---------------------------------------------------------------------------
USER_AGENT = "parknews/0.1 (research archive of 招商引资 news; +https://github.com/parknews/parknews)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# Article pages are a few hundred KiB at most; anything far larger is not an article.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# -- retries: Scrapy's RetryMiddleware, with a wait before each retry ----------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # failures are recorded in crawl_errors instead
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 60.0  # cap, also for a server's Retry-After
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # robots.txt per RFC 9309: unreachable (5xx, timeout) = disallow all, recorded (crawler/robots.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.RedirectGuardMiddleware": 650,  # sees 3xx before RedirectMiddleware (600)
    # No credentials: HTTP authentication never applies (one check a request, for nothing).
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
}

# -- pipelines ----------------------------------------------------------------------------
ITEM_PIPELINES = {
    "crawler.pipelines.NormalisePipeline": 100,
    "crawler.pipelines.DedupePipeline": 200,
    "crawler.pipelines.ArchivePipeline": 300,
}

EXTENSIONS = {"crawler.progress.Progress": 500, "crawler.collector.CollectorThreshold": 0}
# Python's cycle collector runs once 50,000 more objects are alive, not 700, while the spider
# runs: -0.33 ms of CPU an article, since almost nothing a crawl frees is a cycle
# (crawler/collector.py). 0 keeps Python's default.
PARKNEWS_GC_THRESHOLD = 50_000
# Scrapy's own extensions, as its default EXTENSIONS_BASE lists them, less those that do nothing
# for us (issue 14; bench/bench_floor.py measures the crawl's CPU beside a minimal spider's).
# They are left out of the base, not set to None in EXTENSIONS: Scrapy imports every module a
# component dict names, None or not, and the remote-control server's pulls in aiohttp (~0.1 s
# of every crawl's start, `python -X importtime`).
# Left out: LogStats (a rate line every minute at INFO; the progress line and crawl_runs tell
# the same), MemoryUsage (a timer reading the RSS for MEMUSAGE_LIMIT_MB/WARNING_MB, which we do
# not set), MemoryDebugger (MEMDEBUG_ENABLED), TelnetConsole and RemoteControl (no listening
# sockets: see TELNETCONSOLE_ENABLED and REMOTE_CONTROL_ENABLED below, also off).
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,  # `scrapy crawl parknews -o items.jsonl` still works
    "scrapy.extensions.spiderstate.SpiderState": 0,
    "scrapy.extensions.throttle.AutoThrottle": 0,
}
SPIDER_MIDDLEWARES = {
    # DepthMiddleware: depth bookkeeping for DEPTH_LIMIT and stats; walks are bounded by pages.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
# (The remote-control server and the telnet console are off below.) Kept, for what they do:
# RefererMiddleware (without it Scrapy 2.19's redirect middlewares warn on every run; its cost
# is within the measurement's noise), DownloaderStats (crawl_runs.requests),
# HttpCompressionMiddleware (gzip transfers), CookiesMiddleware (a site's firewall may hand out
# a session cookie), MetaRefreshMiddleware (a moved page may say so in <meta>),
# HttpProxyMiddleware (crawls behind a proxy set http_proxy/https_proxy), UrlLengthMiddleware
# (no runaway URLs).
# Live progress on stderr (the CLI turns it on when stderr is a terminal).
PARKNEWS_PROGRESS = False

# -- engine -------------------------------------------------------------------------------
# A page yields at most a few dozen items; Scrapy starts this many workers per page's output.
# Measured (2,000 articles): 4 and 16 cost the same CPU, 64 about 9% more.
CONCURRENT_ITEMS = 16
# Scrapy re-reads a callback's source on every response to warn about `return` in generators
# (its cache misses for bound methods): ~1.5 ms a page. Our callbacks are covered by tests.
WARN_ON_GENERATOR_RETURN_VALUE = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# No listening sockets: Scrapy's telnet console and (2.19+) its remote-control HTTP server,
# which runs Python behind a token and writes token files under the user's state directory.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# A retry (get_retry_request) carries retry_times on purpose; MetaCopyDetectionMiddleware would
# warn about it on every retried page.
META_COPY_WARN_SKIP_KEYS = ["retry_times"]

# -- scheduled runs -------------------------------------------------------------------------
# Incremental: stop walking a listing after this many pages in a row of known articles.
PARKNEWS_KNOWN_PAGES_TO_STOP = 2
# Walk every listing page and fetch every article page again (conditional GETs).
PARKNEWS_FULL = False
# Also re-fetch articles published in the last N days (None: no refresh).
PARKNEWS_REFRESH_DAYS = None
# An article or listing page that answers 404 or 410 in this many runs in a row is marked gone
# (pending_articles / pending_pages.gone) and no longer requested; any other failure resets
# the count. Pages that failed otherwise stay pending and are requested by every later run.
PARKNEWS_GONE_AFTER_RUNS = 3
