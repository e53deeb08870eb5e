"""Bad input to every subcommand: one line on stderr, the documented exit code, nothing written.

Table-driven: each case names the command line (with ``{db}``, ``{dir}``, ``{out}`` and
``{listings}`` filled in per test), the archive it runs against, and the exit code README.md
documents. For each case the test asserts:
- the exit code;
- exactly one non-empty line on stderr, starting ``parknews: error:``, and no traceback;
- the SHA-256 of every file in the archive's directory unchanged, and no file added
  (every case here is input a command must refuse before it writes).

Cases marked ``#10`` / ``#12`` depend on work of those issues (archive opening refusals;
export and search internals); they are kept here so the table covers every kind.

Read-only files and directories mean nothing to root, so as root the command is run without
the capabilities that bypass file permissions (``setpriv``), as an ordinary user would.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.crawling import rows

BIG = str(10**20)
GBK_GUANGGU = "光谷".encode("gbk")  # what a GBK terminal passes for 光谷: not UTF-8


@dataclass
class Case:
    id: str
    argv: list  # str or bytes; {db} {dir} {out} {listings} {port} are filled in
    archive: str = "good"  # see make_archive()
    code: int = 2
    says: str = ""  # a fragment the error line must hold (case-insensitive)
    listings: bytes | None = None  # content of {listings}
    unprivileged: bool = False  # run without root's permission bypass (read-only cases)
    needs: str = ""  # the issue whose work the case depends on, if not ours
    timeout: float = 60  # a server that starts by mistake is stopped after this
    full_disk: bool = False  # stdout is /dev/full: every write fails with ENOSPC

    def __str__(self) -> str:
        return self.id


ARCHIVES = ["good", "missing", "zero", "binary", "text", "foreign", "future", "directory"]


PENDING_ON_10: tuple = ()  # kinds waiting on #10's refusals in archive/db.py (landed: none)


def db_kinds(command: list, *, exclude: tuple = (), pending: tuple = PENDING_ON_10) -> list[Case]:
    """The archive kinds every command that reads one must refuse; ``pending``: kinds that wait on #10."""
    says = {"missing": "no archive", "zero": "empty", "binary": "not an sqlite", "text": "not an sqlite",
            "foreign": "another application", "future": "newer", "directory": "directory"}
    name = command[0]
    return [
        Case(f"{name}-db-{kind}", [*command, "--db", "{db}"], archive=kind, says=says[kind], needs="#10" if kind in pending else "")
        for kind in says
        if kind not in exclude
    ]


# A loopback start URL nothing listens on: a case the validation misses fails fast, on this machine.
NOWHERE = "http://127.0.0.1:9/info/1/page/1"
CRAWL = ["crawl", "--db", "{db}", "--start-url", NOWHERE]

CASES: list[Case] = [
    # -- crawl: numbers out of range -------------------------------------------------------
    Case("crawl-refresh-days-float", [*CRAWL, "--refresh-days", "1e12"], says="--refresh-days"),
    Case("crawl-refresh-days-huge", [*CRAWL, "--refresh-days", "1000000000000"], says="--refresh-days"),
    Case("crawl-refresh-days-negative", [*CRAWL, "--refresh-days", "-1"], says="--refresh-days"),
    Case("crawl-delay-nan", [*CRAWL, "--delay", "nan"], says="--delay"),
    Case("crawl-delay-inf", [*CRAWL, "--delay", "inf"], says="--delay"),
    Case("crawl-delay-huge", [*CRAWL, "--delay", "1e308"], says="--delay"),
    Case("crawl-concurrency-zero", [*CRAWL, "--concurrency", "0"], says="--concurrency"),
    Case("crawl-concurrency-huge", [*CRAWL, "--concurrency", BIG], says="--concurrency"),
    Case("crawl-max-pages-huge", [*CRAWL, "--max-pages", BIG], says="--max-pages"),
    Case("crawl-max-pages-zero", [*CRAWL, "--max-pages", "0"], says="--max-pages"),
    Case("crawl-log-level-unknown", [*CRAWL, "--log-level", "LOUD"], says="--log-level"),
    # -- crawl: malformed URLs ----------------------------------------------------------------
    Case("crawl-url-broken-ipv6", [*CRAWL, "--start-url", "http://[::1/x"], says="start url"),
    Case("crawl-url-ftp", [*CRAWL, "--start-url", "ftp://example.010b.com/info/1/page/1"], says="start url"),
    Case("crawl-url-port-out-of-range", [*CRAWL, "--start-url", "http://example.010b.com:99999/info/1/page/1"], says="start url"),
    Case("crawl-url-empty", [*CRAWL, "--start-url", ""], says="start url"),
    Case("crawl-url-no-host", [*CRAWL, "--start-url", "http:///info/1/page/1"], says="start url"),
    Case("crawl-url-space", [*CRAWL, "--start-url", "http://exa mple.010b.com/info/1/page/1"], says="start url"),
    Case("crawl-url-escape-sequence", [*CRAWL, "--start-url", "http://example.010b.com/info/1/\x1b[2J"], says="start url"),
    Case("crawl-url-javascript", [*CRAWL, "--start-url", "javascript:alert(1)"], says="start url"),
    Case("crawl-url-empty-label", [*CRAWL, "--start-url", "http://a..010b.com/info/1/page/1"], says="start url"),
    Case("crawl-url-bidi-override", [*CRAWL, "--start-url", "http://example.010b.com/info/\u202e1/page/1"], says="start url"),
    # -- undecodable argv (a GBK terminal) ----------------------------------------------------
    Case("crawl-url-gbk-bytes", [*CRAWL, "--start-url", b"http://" + GBK_GUANGGU + b".010b.com/info/1/page/1"], says="utf-8"),
    Case("crawl-url-encoded-surrogate", [*CRAWL, "--start-url", b"http://example.010b.com/\xed\xa0\x80"], says="utf-8"),
    Case("crawl-db-gbk-bytes", ["crawl", "--db", b"/tmp/" + GBK_GUANGGU + b".db"], says="utf-8"),
    # -- crawl: -s settings -------------------------------------------------------------------
    Case("crawl-set-max-pages-abc", [*CRAWL, "-s", "PARKNEWS_MAX_PAGES=abc"], says="PARKNEWS_MAX_PAGES"),
    Case("crawl-set-download-timeout-abc", [*CRAWL, "-s", "DOWNLOAD_TIMEOUT=abc"], says="DOWNLOAD_TIMEOUT"),
    Case("crawl-set-download-timeout-negative", [*CRAWL, "-s", "DOWNLOAD_TIMEOUT=-5"], says="DOWNLOAD_TIMEOUT"),
    Case("crawl-set-batch-size-x", [*CRAWL, "-s", "ARCHIVE_BATCH_SIZE=x"], says="ARCHIVE_BATCH_SIZE"),
    Case("crawl-set-batch-size-zero", [*CRAWL, "-s", "ARCHIVE_BATCH_SIZE=0"], says="ARCHIVE_BATCH_SIZE"),
    Case("crawl-set-unknown", [*CRAWL, "-s", "NO_SUCH_SETTING=1"], says="NO_SUCH_SETTING"),
    Case("crawl-set-typo", [*CRAWL, "-s", "RETRY_TIME=5"], says="RETRY_TIME"),
    Case("crawl-set-retry-times-negative", [*CRAWL, "-s", "RETRY_TIMES=-1"], says="RETRY_TIMES"),
    Case("crawl-set-bool-maybe", [*CRAWL, "-s", "ROBOTSTXT_OBEY=maybe"], says="ROBOTSTXT_OBEY"),
    Case("crawl-set-int-float", [*CRAWL, "-s", "CONCURRENT_REQUESTS=1e3"], says="CONCURRENT_REQUESTS"),
    Case("crawl-set-int-huge", [*CRAWL, "-s", f"DOWNLOAD_MAXSIZE={BIG}"], says="DOWNLOAD_MAXSIZE"),
    Case("crawl-set-float-nan", [*CRAWL, "-s", "DOWNLOAD_DELAY=nan"], says="DOWNLOAD_DELAY"),
    Case("crawl-set-list-of-int", [*CRAWL, "-s", "RETRY_HTTP_CODES=abc"], says="RETRY_HTTP_CODES"),
    Case("crawl-set-dict-not-json", [*CRAWL, "-s", "DOWNLOADER_MIDDLEWARES=notjson"], says="DOWNLOADER_MIDDLEWARES"),
    Case("crawl-set-refresh-days-abc", [*CRAWL, "-s", "PARKNEWS_REFRESH_DAYS=abc"], says="PARKNEWS_REFRESH_DAYS"),
    Case("crawl-set-refresh-days-huge", [*CRAWL, "-s", "PARKNEWS_REFRESH_DAYS=1000000000000"], says="PARKNEWS_REFRESH_DAYS"),
    Case("crawl-set-start-urls", ["crawl", "--db", "{db}", "-s", "PARKNEWS_START_URLS=http://[::1/x"], says="start url"),
    Case("crawl-set-start-urls-empty", ["crawl", "--db", "{db}", "-s", "PARKNEWS_START_URLS="], says="PARKNEWS_START_URLS"),
    Case("crawl-set-start-urls-commas", ["crawl", "--db", "{db}", "-s", "PARKNEWS_START_URLS=,,"], says="PARKNEWS_START_URLS"),
    Case("crawl-set-gone-after-0", ["crawl", "--db", "{db}", "-s", "PARKNEWS_GONE_AFTER_RUNS=0"], says="PARKNEWS_GONE_AFTER_RUNS"),
    Case("crawl-set-start-urls-unreachable", ["crawl", "--db", "{db}", "-s", f"PARKNEWS_START_URLS={NOWHERE}"], says="127.0.0.1:9"),
    Case("crawl-set-log-level", [*CRAWL, "-s", "LOG_LEVEL=LOUD"], says="LOG_LEVEL"),
    Case("crawl-set-import-path", [*CRAWL, "-s", "TWISTED_REACTOR=no.such.Reactor"], says="TWISTED_REACTOR"),
    Case("crawl-set-component-missing", [*CRAWL, "-s", 'ITEM_PIPELINES={"no.such.Pipeline": 300}'], says="ITEM_PIPELINES"),
    Case("crawl-set-component-order", [*CRAWL, "-s", 'EXTENSIONS={"crawler.progress.Progress": "first"}'], says="EXTENSIONS"),
    Case("crawl-set-component-not-a-class", [*CRAWL, "-s", 'DOWNLOADER_MIDDLEWARES={"os.path.join": 5}'], says="could not start"),
    Case("crawl-set-no-name", [*CRAWL, "-s", "=5"], says="NAME=VALUE"),
    Case("crawl-set-no-equals", [*CRAWL, "-s", "RETRY_TIMES"], says="NAME=VALUE"),
    Case("crawl-set-log-file-missing-dir", [*CRAWL, "-s", "LOG_FILE={dir}/no/such/dir/crawl.log"], says="log"),
    Case("crawl-log-file-missing-dir", [*CRAWL, "--log-file", "{dir}/no/such/dir/crawl.log"], says="log"),
    Case("crawl-log-file-directory", [*CRAWL, "--log-file", "{dir}"], says="log"),
    # -- crawl: listings files ----------------------------------------------------------------
    Case("crawl-listings-empty", [*CRAWL, "--listings", "{listings}"], listings=b"", says="no start url"),
    Case("crawl-listings-comments-only", [*CRAWL, "--listings", "{listings}"], listings=b"# none yet\n\n   \n# later\n", says="no start url"),
    Case("crawl-listings-missing", [*CRAWL, "--listings", "{dir}/no-such-listings.txt"], says="listings"),
    Case("crawl-listings-binary", [*CRAWL, "--listings", "{listings}"], listings=b"\xff\xfe\x00\x01\x80garbage", says="listings"),
    Case("crawl-listings-directory", [*CRAWL, "--listings", "{dir}"], says="listings"),
    Case("crawl-listings-bad-url", [*CRAWL, "--listings", "{listings}"], listings=b"https://a.010b.com/info/1/page/1\nhttp://[::1/x\n", says="start url"),
    # -- crawl: archives ----------------------------------------------------------------------
    Case("crawl-db-missing-dir", ["crawl", "--db", "{dir}/no/such/dir/news.db"], archive="none", says="does not exist"),
    Case("crawl-db-directory", ["crawl", "--db", "{dir}"], archive="none", says="directory"),
    Case("crawl-db-device", ["crawl", "--db", "/dev/null", "--start-url", NOWHERE], archive="none", says="regular file"),
    Case("reparse-db-device", ["reparse", "--db", "/dev/zero"], archive="none"),
    Case("crawl-db-binary", CRAWL, archive="binary", says="not an sqlite"),
    Case("crawl-db-text", CRAWL, archive="text", says="not an sqlite"),
    Case("crawl-db-foreign", CRAWL, archive="foreign", says="another application"),
    Case("crawl-db-future", CRAWL, archive="future", says="newer"),
    Case("crawl-db-read-only-file", CRAWL, archive="ro_file", unprivileged=True, code=4, says="writ"),
    Case("crawl-db-read-only-dir", CRAWL, archive="ro_dir", unprivileged=True, says="writ"),
    # -- demo -----------------------------------------------------------------------------------
    Case("demo-db-missing-dir", ["demo", "--db", "{dir}/no/such/dir/demo.db"], archive="none", says="does not exist"),
    Case("demo-db-directory", ["demo", "--db", "{dir}"], archive="none", says="directory"),
    Case("demo-db-binary", ["demo", "--db", "{db}"], archive="binary", says="not an sqlite"),
    Case("demo-db-read-only-file", ["demo", "--db", "{db}"], archive="ro_file", unprivileged=True, code=4, says="writ"),
    Case("demo-theme-unknown", ["demo", "--db", "{db}", "--theme", "neon"], says="--theme"),
    Case("demo-db-gbk-bytes", ["demo", "--db", b"/tmp/" + GBK_GUANGGU + b".db"], says="utf-8"),
    # -- search ---------------------------------------------------------------------------------
    Case("search-limit-huge", ["search", "融资", "--db", "{db}", "--limit", BIG], says="--limit"),
    Case("search-limit-zero", ["search", "融资", "--db", "{db}", "--limit", "0"], says="--limit"),
    Case("search-limit-negative", ["search", "融资", "--db", "{db}", "--limit", "-3"], says="--limit"),
    Case("search-gbk-bytes", ["search", GBK_GUANGGU, "--db", "{db}"], says="utf-8"),
    Case("search-region-gbk-bytes", ["search", "融资", "--region", GBK_GUANGGU, "--db", "{db}"], says="utf-8"),
    Case("search-since-bad-month", ["search", "融资", "--db", "{db}", "--since", "2025-13-01"], says="--since"),
    Case("search-until-bad-day", ["search", "融资", "--db", "{db}", "--until", "2025-02-30"], says="--until"),
    Case("search-since-words", ["search", "融资", "--db", "{db}", "--since", "yesterday"], says="--since"),
    Case("search-unbalanced-quote", ["search", '"融资', "--db", "{db}"]),
    Case("search-empty-query", ["search", "", "--db", "{db}"]),
    Case("search-too-long", ["search", " ".join(f"词{i}" for i in range(5000)), "--db", "{db}"], says="long"),
    *db_kinds(["search", "融资"]),
    # -- query ----------------------------------------------------------------------------------
    Case("query-pragma-journal-mode", ["query", "PRAGMA journal_mode=DELETE", "--db", "{db}"], says="only reads"),
    Case("query-pragma-writable-schema", ["query", "PRAGMA writable_schema=ON", "--db", "{db}"], says="only reads"),
    Case("query-lift-memory-cap", ["query", "PRAGMA hard_heap_limit=0", "--db", "{db}"], says="only reads"),
    Case("query-wal-checkpoint", ["query", "PRAGMA wal_checkpoint(TRUNCATE)", "--db", "{db}"], says="only reads"),
    Case("query-pragma-user-version", ["query", "PRAGMA user_version=99", "--db", "{db}"], says="only reads"),
    Case("query-delete", ["query", "DELETE FROM articles", "--db", "{db}"], says="only reads"),
    Case("query-drop", ["query", "DROP TABLE articles", "--db", "{db}"], says="only reads"),
    Case("query-vacuum-into", ["query", "VACUUM INTO '{dir}/copy.db'", "--db", "{db}"], says="only reads"),
    Case("query-attach", ["query", "ATTACH '{dir}/new.db' AS x", "--db", "{db}"], says="only reads"),
    Case("query-load-extension", ["query", "SELECT load_extension('/tmp/x')", "--db", "{db}"]),
    Case("query-two-statements", ["query", "SELECT 1; SELECT 2", "--db", "{db}"]),
    Case("query-syntax", ["query", "SELEC 1", "--db", "{db}"]),
    Case("query-empty", ["query", "", "--db", "{db}"]),
    Case("query-no-such-table", ["query", "SELECT * FROM nosuch", "--db", "{db}"], says="nosuch"),
    Case("query-to-a-full-disk", ["query", "SELECT * FROM articles", "--csv", "--db", "{db}"], full_disk=True, says="no space"),
    Case("query-table-to-a-full-disk", ["query", "SELECT 1", "--db", "{db}"], full_disk=True, says="no space"),
    Case("search-to-a-full-disk", ["search", "融资", "--json", "--db", "{db}"], full_disk=True, says="no space"),
    Case("runs-to-a-full-disk", ["runs", "--json", "--db", "{db}"], full_disk=True, says="no space"),
    Case("export-to-stdout-full-disk", ["export", "--db", "{db}", "-o", "-"], full_disk=True, says="no space"),
    Case("query-csv-and-json", ["query", "SELECT 1", "--csv", "--json", "--db", "{db}"]),
    Case("query-gbk-bytes", ["query", b"SELECT '" + GBK_GUANGGU + b"'", "--db", "{db}"], says="utf-8"),
    Case("query-huge-integer", ["query", f"SELECT * FROM articles LIMIT {BIG}", "--db", "{db}"]),
    Case("query-timeout-zero", ["query", "SELECT 1", "--timeout", "0", "--db", "{db}"], says="--timeout"),
    Case("query-timeout-nan", ["query", "SELECT 1", "--timeout", "nan", "--db", "{db}"], says="--timeout"),
    Case("query-timeout-huge", ["query", "SELECT 1", "--timeout", BIG, "--db", "{db}"], says="--timeout"),
    Case("query-runs-forever", ["query", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c",
                                "--timeout", "1", "--db", "{db}"], says="--timeout"),
    Case("query-cross-join-forever", ["query", "SELECT count(*) FROM articles a, articles b, articles c, articles d, articles e, articles f",
                                      "--timeout", "1", "--db", "{db}"], says="--timeout"),
    Case("query-memory-blob", ["query", "SELECT length(randomblob(200000000))", "--memory-mb", "16", "--db", "{db}"], says="16 MB"),
    Case("query-memory-string", ["query", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c LIMIT 3000000) "
                                          "SELECT length(group_concat(x)) FROM c", "--memory-mb", "16", "--db", "{db}"], says="16 MB"),
    *db_kinds(["query", "SELECT count(*) FROM articles"]),
    # -- export ---------------------------------------------------------------------------------
    Case("export-output-missing-dir", ["export", "--db", "{db}", "-o", "{dir}/no/such/dir/out.csv"]),
    Case("export-output-directory", ["export", "--db", "{db}", "-o", "{dir}"]),
    Case("export-output-read-only-dir", ["export", "--db", "{db}", "-o", "{db}.d/out.csv"], archive="ro_dir", unprivileged=True),
    Case("export-where-unknown-column", ["export", "--db", "{db}", "-o", "{out}", "--where", "nosuch = 1"]),
    Case("export-where-injection", ["export", "--db", "{db}", "-o", "{out}", "--where", "1); DROP TABLE articles; --"]),
    Case("export-where-breaks-out", ["export", "--db", "{db}", "-o", "{out}", "--where", "1=1) OR (1=1"], says="not one condition"),
    Case("export-where-unclosed", ["export", "--db", "{db}", "-o", "{out}", "--where", "(city = 'x'"], says="left open"),
    Case("export-where-comment", ["export", "--db", "{db}", "-o", "{out}", "--where", "1=1 /* ) OR (1=1 */"], says="comment"),
    Case("export-where-other-table", ["export", "--db", "{db}", "-o", "{out}", "--where", "detail_id IN (SELECT rowid FROM captures)"], says="reads captures"),
    Case("export-where-schema", ["export", "--db", "{db}", "-o", "{out}", "--where", "EXISTS (SELECT 1 FROM sqlite_master)"], says="reads sqlite_master"),
    Case("export-read-only-target", ["export", "--db", "{db}", "-o", "{dir}/rot.csv"], archive="ro_target", unprivileged=True, says="read-only"),
    Case("export-where-gbk-bytes", ["export", "--db", "{db}", "-o", "{out}", "--where", b"city = '" + GBK_GUANGGU + b"'"], says="utf-8"),
    Case("export-format-unknown", ["export", "--db", "{db}", "-o", "{out}", "--format", "xml"], says="--format"),
    Case("export-format-against-extension", ["export", "--db", "{db}", "--format", "csv", "-o", "{dir}/out.xlsx"]),
    *db_kinds(["export", "-o", "{out}"], exclude=("text",)),
    # -- stats ----------------------------------------------------------------------------------
    Case("stats-by-unknown", ["stats", "--db", "{db}", "--by", "colour"], says="--by"),
    Case("stats-plot-missing-dir", ["stats", "--db", "{db}", "--plot", "{dir}/no/such/dir/chart.png"]),
    Case("stats-plot-directory", ["stats", "--db", "{db}", "--plot", "{dir}"]),
    Case("stats-where-breaks-out", ["stats", "--db", "{db}", "--where", "0) OR (1"], says="not one condition"),
    Case("stats-where-other-table", ["stats", "--db", "{db}", "--where", "detail_id IN (SELECT detail_id FROM listing_entries)"], says="reads listing_entries"),
    Case("stats-plot-width-nan", ["stats", "--db", "{db}", "--plot", "{dir}/c.png", "--width", "nan"], says="--width"),
    Case("stats-plot-height-inf", ["stats", "--db", "{db}", "--plot", "{dir}/c.png", "--height", "inf"], says="--height"),
    Case("stats-to-a-full-disk", ["stats", "--json", "--db", "{db}"], full_disk=True, says="no space"),
    Case("stats-table-to-a-full-disk", ["stats", "--by", "place", "--db", "{db}"], full_disk=True, says="no space"),
    Case("search-all-to-a-full-disk", ["search", "--all", "--json", "园区", "--db", "{db}"], full_disk=True, says="no space"),
    Case("stats-plot-unknown-format", ["stats", "--db", "{db}", "--plot", "{dir}/chart.gif"]),
    *db_kinds(["stats"]),
    # -- runs -----------------------------------------------------------------------------------
    Case("runs-limit-huge", ["runs", "--db", "{db}", "--limit", BIG], says="--limit"),
    Case("runs-limit-zero", ["runs", "--db", "{db}", "--limit", "0"], says="--limit"),
    Case("runs-errors-huge", ["runs", "--db", "{db}", "--errors", BIG], says="--errors"),
    Case("runs-errors-text", ["runs", "--db", "{db}", "--errors", "last"], says="--errors"),
    *db_kinds(["runs"], exclude=("text",)),
    # -- serve ----------------------------------------------------------------------------------
    Case("serve-port-in-use", ["serve", "--db", "{db}", "--port", "{port}"], says="in use"),
    Case("serve-port-zero", ["serve", "--db", "{db}", "--port", "0"], says="--port"),
    Case("serve-port-too-big", ["serve", "--db", "{db}", "--port", "70000"], says="--port"),
    Case("serve-host-unknown", ["serve", "--db", "{db}", "--host", "no-such-host.invalid", "--port", "{free_port}"]),
    Case("serve-host-gbk-bytes", ["serve", "--db", "{db}", "--host", GBK_GUANGGU], says="utf-8"),
    *(replace(case, timeout=8) for case in db_kinds(["serve"], exclude=("text", "zero"))),
    # -- reindex (writes) -------------------------------------------------------------------------
    *db_kinds(["reindex"], exclude=("text",)),
    Case("reindex-read-only-file", ["reindex", "--db", "{db}"], archive="ro_file", unprivileged=True, code=4, says="writ"),
    Case("reindex-read-only-dir", ["reindex", "--db", "{db}"], archive="ro_dir", unprivileged=True, says="writ"),
    # -- reparse (writes) -------------------------------------------------------------------------
    *db_kinds(["reparse"], exclude=("text",)),
    Case("reparse-read-only-file", ["reparse", "--db", "{db}"], archive="ro_file", unprivileged=True, code=4, says="writ"),
    Case("reparse-read-only-dir", ["reparse", "--db", "{db}"], archive="ro_dir", unprivileged=True, says="writ"),
    # -- the command itself -----------------------------------------------------------------------
    Case("no-such-command", ["crawll", "--db", "{db}"]),
    Case("no-command", [], says="no command given"),
    Case("no-such-option", ["search", "融资", "--db", "{db}", "--colour"]),
    Case("missing-argument", ["search", "--db", "{db}"]),
]


def make_archive(kind: str, directory: Path, good: str) -> Path:
    """An archive of ``kind`` at ``directory/news.db`` (or nothing there, for ``none``/``missing``)."""
    path = directory / "news.db"
    if kind in ("good", "ro_file", "ro_dir", "ro_dir_wal", "ro_target"):
        shutil.copy(good, path)
    if kind == "ro_dir_wal":  # a -wal left by a writer, no -shm, and no right to create one
        (directory / "news.db-wal").write_bytes(b"")
        directory.chmod(0o555)
    elif kind == "zero":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 64)
    elif kind == "text":
        path.write_text("detail_id,title\n1,not a database\n", encoding="utf-8")
    elif kind == "foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE recipes (name TEXT, minutes INTEGER)")
        conn.execute("INSERT INTO recipes VALUES ('dumplings', 40)")
        conn.commit()
        conn.close()
    elif kind == "future":
        shutil.copy(good, path)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 999")
        conn.close()
    elif kind == "directory":
        path.mkdir()
    if kind == "ro_file":
        path.chmod(0o444)
    if kind == "ro_target":  # an export target the user may not write: refused, as cp refuses it
        (directory / "rot.csv").write_text("kept\n", encoding="utf-8")
        (directory / "rot.csv").chmod(0o444)
    if kind == "ro_dir":
        (directory / "news.db.d").mkdir(mode=0o555)
        directory.chmod(0o555)
    return path


def snapshot(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under ``directory`` (directories listed as such)."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            found[str(path.relative_to(directory))] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[str(path.relative_to(directory))] = "dir"
    return found


EMPTY = hashlib.sha256(b"").hexdigest()


def assert_untouched(before: dict[str, str], after: dict[str, str]) -> None:
    """Every file as it was; new files only the empty -wal and the -shm a reader of a WAL archive leaves,
    and the empty lock file of a crawl that took the lock and stopped before writing."""
    assert {name: after.get(name) for name in before} == before, "a file in the archive's directory changed"
    added = {name: digest for name, digest in after.items() if name not in before}
    for name, digest in added.items():
        assert name.endswith("-shm") or (name.endswith(("-wal", ".lock")) and digest == EMPTY), f"{name} was written"


UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def run_parknews(argv: list, *, cwd: Path, unprivileged: bool = False, timeout: float = 60,
                 full_disk: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cli", *argv]
    if unprivileged and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: read-only files cannot be tested")
        command = UNPRIVILEGED + command
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "COLUMNS": "200"}
    if not full_disk:
        return subprocess.run(command, capture_output=True, timeout=timeout, env=env, cwd=cwd)
    if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
        pytest.skip("no /dev/full device here")
    with open("/dev/full", "wb") as full:  # stdout only: nothing is ever renamed over it
        return subprocess.run(command, stdout=full, stderr=subprocess.PIPE, timeout=timeout, env=env,
                              cwd=cwd)  # fmt: skip


def fill(arg, values: dict[str, str]):
    if isinstance(arg, bytes):
        return arg
    for key, value in values.items():
        arg = arg.replace("{" + key + "}", value)
    return arg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def listener():
    """A port something else listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


def marked(case: Case):
    """A case that waits on another issue's branch is expected to fail until that lands (not strict)."""
    if case.needs:
        return pytest.param(case, marks=pytest.mark.xfail(reason=f"needs {case.needs}", strict=False))
    return case


@pytest.mark.parametrize("case", [marked(case) for case in CASES], ids=str)
def test_bad_input(case: Case, tmp_path, archive_path, listener):
    home = tmp_path / "home"
    home.mkdir()
    db = make_archive(case.archive, home, archive_path)
    values = {"db": str(db), "dir": str(home), "out": str(tmp_path / "out.csv"), "listings": str(tmp_path / "listings.txt"),
              "port": str(listener), "free_port": str(free_port())}
    if case.listings is not None:
        Path(values["listings"]).write_bytes(case.listings)
    before = snapshot(home)
    try:
        result = run_parknews([fill(a, values) for a in case.argv], cwd=home, unprivileged=case.unprivileged,
                              timeout=case.timeout, full_disk=case.full_disk)  # fmt: skip
    finally:
        home.chmod(0o755)
    stderr = result.stderr.decode("utf-8", "replace")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("parknews: error: "), stderr
    assert case.says.lower() in lines[0].lower(), lines[0]
    assert result.returncode == case.code, stderr
    assert_untouched(before, snapshot(home))
    assert not Path(values["out"]).exists()


def test_table_covers_every_subcommand_and_enough_cases():
    from cli.main import cli

    commands = {case.argv[0] for case in CASES if case.argv}
    assert set(cli.commands) <= commands
    assert len(CASES) >= 80


def test_archive_in_a_read_only_directory_is_read(tmp_path, archive_path):
    """Another user's /srv/parknews: no -wal/-shm beside the archive and no right to create them."""
    home = tmp_path / "srv"
    home.mkdir()
    db = make_archive("ro_dir", home, archive_path)
    expected = rows(Path(archive_path), "SELECT count(*) AS n FROM articles")[0]["n"]
    before = snapshot(home)
    try:
        for argv in (["query", "SELECT count(*) FROM articles", "--csv"], ["search", "融资", "--json"],
                     ["stats", "--json"], ["runs", "--json"]):
            result = run_parknews([*argv, "--db", str(db)], cwd=tmp_path, unprivileged=True)
            assert result.returncode == 0, result.stderr.decode()
            assert result.stdout, argv
        result = run_parknews(["query", "SELECT count(*) FROM articles", "--csv", "--db", str(db)], cwd=tmp_path,
                              unprivileged=True)  # fmt: skip
        assert result.stdout.decode().split() == ["count(*)", str(expected)]
    finally:
        home.chmod(0o755)
    assert_untouched(before, snapshot(home))
