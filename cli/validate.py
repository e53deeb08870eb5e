"""Checking what a user types, before anything is done with it: one place for each kind.

- arguments: every argument must be valid UTF-8 (``check_argv``); bytes from a terminal in
  another encoding (GBK) arrive as lone surrogates and would fail later, deep in SQLite or
  the URL code, with a traceback;
- numbers: option types with a range and finite values (``count``, ``seconds``); no 1e308
  delay, no NaN, no 10^20 that SQLite cannot hold;
- URLs: ``check_url`` (http/https, a valid host and port, no whitespace or control
  characters), used for ``--start-url``, ``--listings`` lines and ``PARKNEWS_START_URLS``;
- settings: ``parse_settings`` turns every ``-s NAME=VALUE`` into a typed value, refusing a
  name that is neither ours (``crawler/settings.py``) nor Scrapy's, and a value of the wrong
  type or range, before the crawl starts.

Each raises ``archive.errors.UsageError`` (exit code 2) with one line saying what is wrong
and what to do; click option types raise ``click.BadParameter`` (also exit code 2).
"""

from __future__ import annotations

import errno
import importlib
import json
import math
import os
import re
import socket
from pathlib import Path
from typing import Any

import click

from archive.errors import UsageError
from extract.urls import LISTING_URL_HINT, canonical_listing_url, listing_url_problem, without_userinfo
from cli.terminal import INVISIBLE_CLASS, visible

# Largest whole number accepted anywhere: SQLite's INTEGER is 64-bit signed.
MAX_INTEGER = 2**63 - 1
# Largest count of things to show, and of seconds to wait, that makes sense for this tool.
MAX_COUNT = 10_000_000
MAX_SECONDS = 7 * 24 * 3600.0

_UNDECODABLE = re.compile("[\udc80-\udcff]")
_BAD_URL_CHARS = re.compile(rf"[\s{INVISIBLE_CLASS}]")  # whitespace, and what a terminal would not show


# -- arguments ----------------------------------------------------------------------------------


def check_argv(argv: list[str]) -> None:
    """Refuse an argument holding bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    for arg in argv:
        if _UNDECODABLE.search(arg):
            raise UsageError(
                f"argument {visible(arg, one_line=True)!s} is not UTF-8 (bytes shown as \\xNN; a terminal "
                "in GBK?); switch the terminal to UTF-8 (e.g. export LANG=C.UTF-8) and type it again"
            )


# -- numbers ----------------------------------------------------------------------------------


def count(minimum: int = 1, maximum: int = MAX_COUNT) -> click.IntRange:
    """A whole number of things, ``minimum`` to ``maximum``."""
    return click.IntRange(minimum, maximum)


class Number(click.ParamType):
    """A finite number of ``unit`` (``nan`` and ``inf`` refused), ``minimum`` (inclusive unless
    ``open_min``) to ``maximum``."""

    name = "number"

    def __init__(self, minimum: float = 0.0, maximum: float = MAX_SECONDS, *, open_min: bool = False,
                 unit: str = "seconds"):  # fmt: skip
        self.minimum, self.maximum, self.open_min, self.unit = minimum, maximum, open_min, unit

    def convert(self, value: Any, param, ctx) -> float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is not a number of {self.unit}", param, ctx)
        low_ok = number > self.minimum if self.open_min else number >= self.minimum
        if not math.isfinite(number) or not low_ok or number > self.maximum:
            bound = ">" if self.open_min else ">="
            self.fail(f"{value!r} is not a number of {self.unit} {bound} {self.minimum:g} and <= {self.maximum:g}",
                      param, ctx)  # fmt: skip
        return number


class Seconds(Number):
    """A finite number of seconds (see ``Number``)."""

    name = "seconds"


# -- URLs -------------------------------------------------------------------------------------


def check_url(url: str, what: str = "start URL") -> str:
    """``url`` in its canonical form (``extract.urls.canonical_listing_url``) if it is a start
    URL the crawler can fetch (``extract.urls.listing_url_problem``) without spaces or
    characters a terminal would not show; else UsageError (a password never shown)."""
    shown = visible(without_userinfo(url), one_line=True)
    if not url or _BAD_URL_CHARS.search(url):
        raise UsageError(f"{what} {shown!r} is empty or holds spaces or control characters; {LISTING_URL_HINT}")
    if problem := listing_url_problem(url):
        raise UsageError(f"{what} {shown!r} {problem}")
    return canonical_listing_url(url)


# -- settings ---------------------------------------------------------------------------------

# Days back a refresh may reach: ~1,900 years (enough for "everything"); far more would pass
# year 1, the limit of Python's dates.
MAX_REFRESH_DAYS = 700_000
# Our settings whose default does not say their type, or whose range matters (name: type, min[, max]).
SETTING_RULES: dict[str, tuple] = {
    "ARCHIVE_BATCH_SIZE": (int, 1),
    "ARCHIVE_WRITE_INLINE_BELOW_IDLE": (float, 0.0, 1.0),
    "ARCHIVE_BATCH_SECONDS": (float, 0.001),
    "PARKNEWS_GC_THRESHOLD": (int, 0, 2**31 - 1),  # gc.set_threshold takes a C int
    "PARKNEWS_MAX_PAGES": (int, 0),
    "PARKNEWS_MAX_LISTING_PAGES": (int, 1),
    "PARKNEWS_KNOWN_PAGES_TO_STOP": (int, 1),
    "PARKNEWS_GONE_AFTER_RUNS": (int, 1),  # 0 would give up a page at its first failure
    "PARKNEWS_REFRESH_DAYS": (int, 0, MAX_REFRESH_DAYS),
    "CONCURRENT_REQUESTS": (int, 1),
    "CONCURRENT_REQUESTS_PER_DOMAIN": (int, 1),
    "CONCURRENT_ITEMS": (int, 1),
    "DOWNLOAD_TIMEOUT": (float, 0.001),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": (float, 0.001),
}
DURATION_SUFFIXES = ("TIMEOUT", "DELAY", "INTERVAL", "SECONDS")
# Settings the command sets from its own options, checked there.
SET_BY_OPTIONS = {"ARCHIVE_PATH": "--db", "PARKNEWS_FULL": "--full"}
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def known_settings() -> dict[str, Any]:
    """Every setting name with its default: Scrapy's, overlaid with ours (crawler/settings.py)."""
    from scrapy.settings import default_settings

    import crawler.settings as ours

    return {name: getattr(module, name) for module in (default_settings, ours) for name in dir(module) if name.isupper()}


def parse_settings(pairs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``-s NAME=VALUE`` pairs as typed setting values; UsageError for any unknown name or bad value."""
    defaults = known_settings()
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"-s takes NAME=VALUE, got {visible(pair, one_line=True)!r}; e.g. -s RETRY_TIMES=5")
        if name in SET_BY_OPTIONS:
            raise UsageError(f"set {name} with {SET_BY_OPTIONS[name]}, not -s")
        if name not in defaults:
            close = [n for n in defaults if n.startswith(name.upper()[:6])][:3]
            raise UsageError(
                f"-s {visible(name, one_line=True)}: no such setting (see crawler/settings.py or Scrapy's settings)"
                + (f"; did you mean {', '.join(close)}?" if close else "")
            )
        values[name] = setting_value(name, raw, defaults[name])
    return values


def setting_value(name: str, raw: str, default: Any) -> Any:
    """``raw`` converted to the type of setting ``name`` (from SETTING_RULES or its default)."""
    kind, minimum, *rest = SETTING_RULES.get(name, (type(default), 0))
    maximum = rest[0] if rest else 2**53
    if kind is int and name.endswith(DURATION_SUFFIXES):
        kind = float  # a duration whose default happens to be whole (CLOSESPIDER_TIMEOUT = 0)
    shown = visible(raw, one_line=True)

    def bad(expected: str) -> UsageError:
        return UsageError(f"-s {name}={shown}: {name} takes {expected}")

    text = raw.strip()
    if name == "LOG_LEVEL" or name.endswith("_LOG_LEVEL"):
        if text.upper() not in LOG_LEVELS:
            raise bad("a log level: " + ", ".join(LOG_LEVELS))
        return text.upper()
    if name == "LOG_FILE":
        return check_log_file(text)
    if name == "PARKNEWS_REFRESH_DAYS" and text == "":
        return None
    if kind is bool:
        if text.lower() not in _TRUE + _FALSE:
            raise bad("true or false")
        return text.lower() in _TRUE
    if kind is int:
        lower = -MAX_INTEGER if "PRIORITY" in name else minimum
        # ASCII digits only: int() also reads full-width (１０) and other scripts' digits.
        if not re.fullmatch(r"[+-]?[0-9]{1,19}", text) or not lower <= int(text) <= maximum:
            raise bad(f"a whole number from {int(lower)} to {int(maximum)}")
        return int(text)
    if kind is float:
        upper = maximum if rest else MAX_SECONDS
        try:
            if not text.isascii() or "_" in text:  # float() also reads １.５ and 1_000
                raise ValueError
            number = float(text)
        except ValueError:
            raise bad(f"a number from {minimum:g} to {upper:g}") from None
        if not math.isfinite(number) or number < minimum or number > upper:
            raise bad(f"a finite number from {minimum:g} to {upper:g}")
        return number
    if kind in (list, tuple):
        items = _json_or(text, list) if text.startswith("[") else [i.strip() for i in text.split(",") if i.strip()]
        if not isinstance(items, list):
            raise bad("a list: A,B,C or JSON [...]")
        if default and all(isinstance(i, int) for i in default):
            if not all(re.fullmatch(r"[0-9]{1,9}", str(i)) for i in items):
                raise bad("a list of whole numbers, e.g. 500,502,503")
            return [int(i) for i in items]
        if name == "PARKNEWS_START_URLS":
            if not items:  # never fall back to the default live listing on an empty value
                raise bad("at least one listing URL: URL,URL or JSON [...]")
            return [check_url(str(url)) for url in items]
        return items
    if kind is dict:
        mapping = _json_or(text, dict)
        if not isinstance(mapping, dict):
            raise bad('a JSON object, e.g. {"module.Class": 500}')
        if name.endswith(COMPONENT_SUFFIXES):  # {"module.Class": order or null}
            for path, order in mapping.items():
                if not (order is None or (isinstance(order, int) and not isinstance(order, bool))):
                    raise bad(f'a JSON object of "module.Class": order (a whole number or null); {path!r}: {order!r}')
                _check_import(name, path, bad)
        return mapping
    if isinstance(default, str) and _IMPORT_PATH.fullmatch(default):
        _check_import(name, text, bad)  # a class or function named by its import path
    return raw  # a string, or a setting whose default (None) gives no type


# Settings whose dict maps import paths to an order: Scrapy's components.
COMPONENT_SUFFIXES = ("MIDDLEWARES", "MIDDLEWARES_BASE", "PIPELINES", "PIPELINES_BASE", "EXTENSIONS", "EXTENSIONS_BASE",
                      "ADDONS", "CONTRACTS", "CONTRACTS_BASE")  # fmt: skip
_IMPORT_PATH = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def _check_import(name: str, path: str, bad) -> None:
    from scrapy.utils.misc import load_object

    try:
        load_object(path)
    except (ImportError, AttributeError, NameError, ValueError, TypeError) as exc:
        try:
            importlib.import_module(path)  # a module (NEWSPIDER_MODULE), not an object in one
        except (ImportError, ValueError, TypeError):
            raise bad(f"an importable module.Name; {path!r} is not ({type(exc).__name__}: {exc})") from None


def _json_or(text: str, kind: type) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def check_writable(archive: str | os.PathLike) -> None:
    """An existing archive a command is to write: the file and its directory (for -wal, -shm) writable."""
    path = Path(archive)
    if path.exists() and not path.is_file():
        raise UsageError(f"{visible(path)} is not a regular file (a device, a pipe?): an archive is one SQLite file")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{visible(path)} is read-only for this user: cannot write the archive; check its owner and mode")
    parent = path.parent if str(path.parent) else Path(".")
    if path.exists() and not os.access(parent, os.W_OK):
        raise UsageError(
            f"directory {visible(parent)} is not writable for this user: cannot write the archive (SQLite keeps "
            "its -wal and -shm files beside it); run as its owner or copy it elsewhere"
        )


def check_log_file(path: str | os.PathLike) -> str:
    """A log file path that can be appended to: not a directory, in a writable directory."""
    log = Path(path)
    if str(path) == "" or log.is_dir():
        raise UsageError(f"log file {visible(path, one_line=True)!r} is a directory or empty; give a file path")
    parent = log.parent
    if not parent.is_dir():
        raise UsageError(f"log file directory {visible(parent)} does not exist; create it first")
    if (log.exists() and not os.access(log, os.W_OK)) or (not log.exists() and not os.access(parent, os.W_OK)):
        raise UsageError(f"log file {visible(log)} is not writable; choose another --log-file")
    return str(log)


# -- ports ------------------------------------------------------------------------------------


def check_port_free(host: str, port: int) -> None:
    """UsageError unless ``host:port`` can be listened on now (a server would fail late and unclearly)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"--host {visible(host, one_line=True)}: not an address of this machine ({exc}); e.g. --host 127.0.0.1") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {host} is in use by another program; choose another with --port") from None
            raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --host or --port") from None
