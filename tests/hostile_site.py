"""A hostile 010b-like site on loopback, for crawls that must end, bounded, with errors recorded.

``HostileSite(scenario)`` serves, on 127.0.0.1, a news listing whose pages and articles attack
the crawler; two bystanders, on the loopback aliases 127.0.0.3 (standing in for a cloud
metadata address such as 169.254.169.254) and 127.0.0.4 (another site), record every request
they get: a crawl must send them none. No test traffic leaves loopback.

Scenarios:
- ``hostile``: one listing page whose entries lead to: a normal article (the control); a 50 MB
  page with a Content-Length and one without (close-delimited); a slow drip (a byte every
  0.2 s, never ending); 10,000 nested elements around the text; NUL bytes and invalid UTF-8;
  a title holding Rich markup (``[link=file:///etc/passwd]``, ``[bold red]``, ``[/x]``) and
  terminal escape sequences (``ESC]0;`` window title, ``ESC[2J`` clear screen, U+202E); a
  redirect to ``file:///etc/passwd``, one to the metadata stand-in and one to the other
  site; an article empty the first time it is fetched (retried); and an entry linking
  straight to the other site.
- ``infinite``: every listing page links to a next one holding new entries, and declares no
  page count.
- ``lying``: the pager declares 共 3 页, but "next" links go on for ever.
- ``robots_503``: robots.txt answers 503 (RFC 9309: complete disallow).
- ``robots_silent``: robots.txt takes the connection and never answers.
- ``robots_404``: there is no robots.txt (RFC 9309: no rules, everything allowed).

The text is made up here; nothing is taken from the real site's pages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LISTING_PATH = "/info/7001/page/{n}"
BIG = 50 * 1024 * 1024
NESTING = 10_000
# What an attacker would put in a title: Rich markup and terminal control sequences.
MARKUP = "[link=file:///etc/passwd]点此领取[/link][bold red]红字标题[/bold red][/x]"
ESCAPES = "\x1b]0;窗口被改\x07\x1b[2J\u202e反向"
HOSTILE_TITLE = f"【武汉招商】{MARKUP}{ESCAPES}园区签约仪式"

PARAGRAPHS = [
    "测试园区近日与多家企业签署合作协议，涉及智能制造与新材料等方向。",
    "园区管理部门表示，将继续完善配套设施，为入驻企业提供全流程服务。",
    "据介绍，首批项目预计明年投产，届时可新增就业岗位约八百个。",
]


def listing_html(entries: list[tuple[str, str]], pager: str) -> bytes:
    items = "\n".join(
        f'<li><a href="{href}">{title}</a><p>{PARAGRAPHS[0]}</p><span class="date">2025-07-{10 + i % 18:02d}</span></li>'
        for i, (href, title) in enumerate(entries)
    )
    return (
        '<html><head><meta charset="utf-8"><title>招商资讯 - 测试园区</title></head><body>'
        f'<h2>招商资讯</h2><ul class="news">\n{items}\n</ul><div class="pages">{pager}</div>'
        "<div class=\"foot\">测试园区网 版权所有</div></body></html>"
    ).encode("utf-8")


def detail_html(title: str, paragraphs: list[str] = PARAGRAPHS, *, wrap: int = 0) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    body = "<div>" * wrap + body + "</div>" * wrap
    return (
        f'<html><head><meta charset="utf-8"><title>{title}-产业园区网</title></head><body>'
        f"<h1>{title}</h1><p>所属地区：湖北-武汉</p><p>发布日期：2025-07-10</p>"
        f'<div class="content">{body}</div><p>责任编辑：测试</p>'
        "<div class=\"foot\">测试园区网 版权所有</div></body></html>"
    ).encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a drip or a silent robots.txt must not hold up the test's end


class Recorder:
    """A bystander on ``host``: answers every request with a small page, and records it."""

    def __init__(self, host: str):
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.requests.append(self.path)
                body = detail_html("不应被抓取的页面")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = _Server((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class HostileSite:
    def __init__(self, scenario: str = "hostile"):
        self.scenario = scenario
        self.requests: list[str] = []
        self.metadata = Recorder("127.0.0.3")
        self.other = Recorder("127.0.0.4")
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.requests.append(self.path)
                try:
                    site.answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def log_message(self, *args) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.start_url = self.base_url + LISTING_PATH.format(n=1)

    def __enter__(self) -> HostileSite:
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.metadata.stop()
        self.other.stop()

    @property
    def off_site_requests(self) -> list[str]:
        return self.metadata.requests + self.other.requests

    # -- answers ------------------------------------------------------------------------------

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path == "/robots.txt":
            return self.robots(handler)
        if path.startswith("/info/7001/page/"):
            return self.send(handler, 200, self.listing(int(path.rsplit("/", 1)[1])))
        if path.startswith("/info/detail/"):
            return self.detail(handler, int(path.rsplit("/", 1)[1].split(".")[0]))
        self.send(handler, 404, b"<html><body>not here</body></html>")

    def robots(self, handler: BaseHTTPRequestHandler) -> None:
        if self.scenario == "robots_503":
            return self.send(handler, 503, b"busy")
        if self.scenario == "robots_silent":
            time.sleep(60)  # takes the connection, never answers
            return None
        if self.scenario == "robots_404":
            return self.send(handler, 404, b"<html><body>no robots.txt here</body></html>")
        self.send(handler, 200, b"User-agent: *\nAllow: /\n", "text/plain")

    def listing(self, n: int) -> bytes:
        nxt = LISTING_PATH.format(n=n + 1)
        if self.scenario == "infinite":
            entries = [(f"/info/detail/{100_000 + n * 10 + i}.html", f"无尽列表第{n}页第{i}篇园区新闻") for i in range(10)]
            return listing_html(entries, f'<a href="{nxt}">下一页</a>')
        if self.scenario in ("lying", "robots_404"):
            entries = [(f"/info/detail/{200_000 + n * 10 + i}.html", f"分页说谎第{n}页第{i}篇园区新闻") for i in range(10)]
            return listing_html(entries, f'第 {n} 页 共 3 页 <a href="{nxt}">下一页</a>')
        if n != 1:
            return listing_html([], "")
        entries = [(f"/info/detail/{i}.html", title) for i, title in HOSTILE_ENTRIES.items()]
        entries.append((f"{self.other.url}/info/detail/111.html", "另一网站上的文章链接"))
        return listing_html(entries, "共 1 页")

    def detail(self, handler: BaseHTTPRequestHandler, detail_id: int) -> None:
        if detail_id == 102:  # 50 MB, declared
            return self.stream(handler, declared=True)
        if detail_id == 103:  # 50 MB, close-delimited
            return self.stream(handler, declared=False)
        if detail_id == 104:
            return self.drip(handler)
        if detail_id == 105:
            return self.send(handler, 200, detail_html(HOSTILE_ENTRIES[105], wrap=NESTING))
        if detail_id == 106:
            page = detail_html("含有空字节的文章", [p.replace("，", "\x00，") for p in PARAGRAPHS])
            return self.send(handler, 200, page.replace("首批".encode(), b"\xff\xfe\x80\x00"))
        if detail_id == 107:
            return self.send(handler, 200, detail_html(HOSTILE_TITLE, [ESCAPES + PARAGRAPHS[0], MARKUP + PARAGRAPHS[1]]))
        if detail_id == 108:
            return self.redirect(handler, "file:///etc/passwd")
        if detail_id == 109:
            return self.redirect(handler, f"{self.metadata.url}/latest/meta-data/iam/security-credentials/")
        if detail_id == 110:
            return self.redirect(handler, f"{self.other.url}/info/detail/110.html")
        if detail_id == 112 and self.requests.count(handler.path) == 1:  # empty the first time: retried
            return self.send(handler, 200, b'<html><head><meta charset="utf-8"></head><body></body></html>')
        if detail_id in HOSTILE_ENTRIES or self.scenario in ("infinite", "lying", "robots_503", "robots_silent", "robots_404"):
            return self.send(handler, 200, detail_html(f"园区新闻{detail_id}"))
        self.send(handler, 404, b"<html><body>not here</body></html>")

    # -- ways to send -------------------------------------------------------------------------

    @staticmethod
    def send(handler, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def redirect(handler, location: str) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    @staticmethod
    def stream(handler, *, declared: bool) -> None:
        chunk = ("<p>" + "园区填充文字" * 1000 + "</p>").encode("utf-8")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            handler.send_header("Content-Length", str(BIG))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        sent = 0
        while sent < BIG:
            handler.wfile.write(chunk[: BIG - sent])
            sent += len(chunk)

    @staticmethod
    def drip(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(10**6))
        handler.end_headers()
        for _ in range(300):  # at most a minute: the thread ends even if the client never hangs up
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(0.2)
        handler.close_connection = True


HOSTILE_ENTRIES = {
    101: "【武汉招商】测试园区举办项目推介会",
    102: "【武汉招商】超大页面的文章（声明长度）",
    103: "【武汉招商】超大页面的文章（不声明长度）",
    104: "【武汉招商】缓慢滴出的文章",
    105: "【武汉招商】层层嵌套的文章",
    106: "【武汉招商】含有空字节的文章",
    107: HOSTILE_TITLE,
    108: "【武汉招商】跳转到本地文件",
    109: "【武汉招商】跳转到元数据地址",
    110: "【武汉招商】跳转到另一网站",
    112: "【武汉招商】第一次打开为空的文章",
}


# Runs a command and writes its peak RSS (wait4's ru_maxrss, KiB) to argv[1]: a small parent of
# its own, since a child's ru_maxrss also counts the image it was forked from (pytest's is large).
MEASURE = (
    "import os, subprocess, sys; child = subprocess.Popen(sys.argv[2:]); _, status, usage = os.wait4(child.pid, 0); "
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss)); sys.exit(os.waitstatus_to_exitcode(status))"
)


def measured(command: list[str], *, timeout: float) -> tuple[int, str, str, float, float]:
    """Run ``command``: (exit code, stdout, stderr, seconds, peak RSS in MB). TimeoutExpired past ``timeout``."""
    with tempfile.TemporaryDirectory() as tmp:
        rss, out, err = (Path(tmp) / name for name in ("rss", "out", "err"))
        started = time.monotonic()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen([sys.executable, "-c", MEASURE, str(rss), *command], stdout=stdout, stderr=stderr,
                                       start_new_session=True)  # fmt: skip
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise
        seconds = time.monotonic() - started
        return process.returncode, out.read_text(), err.read_text(), seconds, int(rss.read_text()) / 1024
