"""The validation layer and the terminal helper, piece by piece (the CLI table is test_bad_input.py)."""

from __future__ import annotations

import io
import json
import logging

import click
import pytest

from archive.errors import UsageError
from cli.terminal import VisibleFormatter, json_line, link_target, print_table, visible
from cli.validate import Seconds, check_url, known_settings, parse_settings, setting_value

HOSTILE = [
    "\x1b]0;title\x07",  # sets the window title
    "\x1b[2J",  # clears the screen
    "\x9b2J",  # the same, as a C1 control
    "abc\u202edef",  # right-to-left override
    "zero\u200bwidth",
    "line\u2028separator",
    "nul\x00byte\x7f",
    "bytes \udcb9\udce2 from GBK",  # what Python makes of undecodable argv bytes
]


@pytest.mark.parametrize("text", HOSTILE)
def test_visible_leaves_no_control_character(text):
    shown = visible(text, one_line=True)
    assert all(c.isprintable() for c in shown), shown
    assert visible(shown) == shown  # nothing left to escape


def test_one_list_of_invisible_characters_for_pages_terminal_and_urls():
    """Every format (Cf) character the extractors strip (normalize.text, the one list) is also
    escaped on a terminal, kept valid in JSON lines and refused in a start URL."""
    from normalize.text import INVISIBLE, strip_invisible

    assert "\u00ad" in INVISIBLE and "\U000e0001" in INVISIBLE
    for char in INVISIBLE:
        text = f"园{char}区"
        assert strip_invisible(text) == "园区"
        shown = visible(text)
        assert shown in (f"园\\x{ord(char):02x}区", f"园\\u{ord(char):04x}区", f"园\\U{ord(char):08x}区"), shown
        assert json.loads(json_line({"t": text})) == {"t": text} and char not in json_line({"t": text})
        with pytest.raises(UsageError):
            check_url(f"https://a.010b.com/info/1/page/{char}1")


def test_visible_keeps_chinese_and_newlines_and_names_bytes():
    assert visible("园区\n招商") == "园区\n招商"
    assert visible("园区\n招商", one_line=True) == "园区\\n招商"
    assert visible("\udcb9\udce2") == "\\xb9\\xe2"
    assert visible("\x1b[2J") == "\\x1b[2J"
    assert visible(None) == ""


@pytest.mark.parametrize("text", HOSTILE + ["[link=file:///etc/passwd]x[/link]", "[bold red]红[/bold red] [/x]"])
def test_json_line_is_valid_json_of_the_same_value_and_only_text(text):
    line = json_line({"title": text})
    assert all(c.isprintable() for c in line), line
    if "\udc80" <= min(text) or not any("\ud800" <= c <= "\udfff" for c in text):
        assert json.loads(line) == {"title": text}


def test_tables_show_markup_as_text():
    out = io.StringIO()
    markup = "[link=file:///etc/passwd]点此[/link] [bold red]红字[/bold red] [/x] :smile:"
    print_table(["title", "[b]col[/b]"], [[markup, "\x1b]0;x\x07"]], title="[/x]", file=out)
    shown = out.getvalue()
    for fragment in ("[link=file:///etc/passwd]", "[bold red]", "[/x]", ":smile:", "[b]col[/b]", "\\x1b]0;x\\x07"):
        assert fragment in shown
    assert "\x1b" not in shown


def test_log_records_from_the_network_are_shown_as_text():
    record = logging.LogRecord("scrapy", logging.WARNING, __file__, 1, "Ignoring <%s>", ("http://x/\x1b[2J",), None)
    assert VisibleFormatter("%(message)s", prefix="\r").format(record) == "\rIgnoring <http://x/\\x1b[2J>"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e308", "abc", ""])
def test_seconds_refuse_what_is_not_a_finite_duration(value):
    with pytest.raises(click.BadParameter):
        Seconds(0, 3600).convert(value, None, None)


@pytest.mark.parametrize(
    "url",
    ["http://[::1/x", "http://a.010b.com:99999/", "ftp://a.010b.com/", "http:///x", "http://a..b/", "javascript:alert(1)",
     "http://a b/", "http://a.com/\x00", "", "http://a.com/\u202e", "//a.010b.com/info/1/page/1",
     "http://[::1]:8000/x"],  # an IPv6 literal: Scrapy's default resolver cannot reach it
)
def test_malformed_urls_are_refused(url):
    with pytest.raises(UsageError):
        check_url(url)


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://a.010b.com/info/1/page/1", "https://a.010b.com/info/1/page/1"),
    ("http://127.0.0.1:8000/info/1/page/1", "http://127.0.0.1:8000/info/1/page/1"),
    ("https://园区.中国/info/1/page/1", "https://xn--dkrx9f.xn--fiqs8s/info/1/page/1"),  # as Scrapy requests it
])
def test_good_urls_pass(url, canonical):
    assert check_url(url) == canonical


def test_every_known_setting_takes_its_own_default_back():
    """Each setting's type is known: its default, written as -s would, parses back to itself."""
    checked = 0
    for name, default in known_settings().items():
        if name in ("ARCHIVE_PATH", "PARKNEWS_FULL", "LOG_FILE") or default is None:
            continue
        if isinstance(default, bool):
            text = str(default).lower()
        elif isinstance(default, (int, float)):
            text = repr(default)
        elif isinstance(default, (list, tuple, dict)):
            try:
                text = json.dumps(list(default) if isinstance(default, tuple) else default)
            except TypeError:
                continue  # holds classes, not values: not settable from the command line
        else:
            text = str(default)
        value = setting_value(name, text, default)
        assert value == (list(default) if isinstance(default, tuple) else default), name
        checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "pair",
    ["PARKNEWS_MAX_PAGES=abc", "DOWNLOAD_TIMEOUT=abc", "DOWNLOAD_TIMEOUT=0", "ARCHIVE_BATCH_SIZE=0",
     "CONCURRENT_REQUESTS=1.5", "ROBOTSTXT_OBEY=2", "RETRY_HTTP_CODES=5xx", "ITEM_PIPELINES=[1]",
     "NOT_A_SETTING=1", "LOG_LEVEL=chatty", "PARKNEWS_START_URLS=http://[::1/x", "ARCHIVE_PATH=x.db",
     "RETRY_BACKOFF_MAX=inf", "DOWNLOAD_MAXSIZE=-1", "PARKNEWS_MAX_LISTING_PAGES=0", "retry_times=5",
     "PARKNEWS_REFRESH_DAYS=700001", "CLOSESPIDER_TIMEOUT=nan", "ARCHIVE_BATCH_SECONDS=0", "ARCHIVE_BATCH_SECONDS=abc",
     # Digits of other scripts and underscores, which int() and float() would read.
     "RETRY_TIMES=１０", "CONCURRENT_REQUESTS=٣", "DOWNLOAD_DELAY=１.５", "DOWNLOAD_DELAY=1_0", "RETRY_HTTP_CODES=500,５０３",
     "PARKNEWS_GC_THRESHOLD=5_000"],
)
def test_bad_settings_are_refused_before_the_crawl(pair):
    with pytest.raises(UsageError):
        parse_settings([pair])


def test_settings_come_back_typed():
    values = parse_settings(["RETRY_TIMES=5", "ROBOTSTXT_OBEY=false", "DOWNLOAD_DELAY=0.5", "RETRY_HTTP_CODES=500,503",
                             'DOWNLOADER_MIDDLEWARES={"crawler.middlewares.RedirectGuardMiddleware": 5}', "PARKNEWS_REFRESH_DAYS=3", "LOG_LEVEL=info",
                             "CLOSESPIDER_TIMEOUT=0.5"])
    assert values == {"RETRY_TIMES": 5, "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0.5, "RETRY_HTTP_CODES": [500, 503],
                      "DOWNLOADER_MIDDLEWARES": {"crawler.middlewares.RedirectGuardMiddleware": 5}, "PARKNEWS_REFRESH_DAYS": 3, "LOG_LEVEL": "INFO",
                      "CLOSESPIDER_TIMEOUT": 0.5}


@pytest.mark.parametrize("url", [f"http://x/{text}" for text in HOSTILE] + ["http://x/\x1b\\\x1b]0;PWN\x07", "file:///etc/passwd",
                                 "javascript:alert(1)", "http://x/a b", None])  # fmt: skip
def test_a_link_target_is_never_a_url_that_could_end_the_link(url):
    """An OSC 8 link target reaches the terminal raw: only printable-ASCII http(s) URLs become links."""
    assert link_target(url) is None


def test_a_plain_article_url_is_a_link():
    assert link_target("https://hubei.010b.com/info/detail/23977.html") == "https://hubei.010b.com/info/detail/23977.html"
