"""Helpers for the crawler tests: saved pages as Scrapy responses, a tiny local site server,
a generated TRS-style portal of any size (also used by bench/crawl_bench.py), and running a
crawl in a subprocess (the Twisted reactor cannot restart within one process)."""
from __future__ import annotations

import json
import mimetypes
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit

from scrapy.http import Request
from scrapy.http.response import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.spiders.portal import PortalSpider

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"
SITE = FIXTURES / "site"
REPO = Path(__file__).parent.parent


def file_response(path: str, url: str, headers: dict | None = None, **meta) -> Response:
    """A saved file under tests/fixtures/crawler/site as the response Scrapy would build for ``url``.

    ``meta`` becomes the request meta (``portal`` defaults to the fixture portal's name;
    ``warc`` to a fake archive location, as the WARC middleware would have set it)."""
    body = (SITE / path).read_bytes()
    headers = headers or {}
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    meta = {"portal": "示例县人民政府",
            "warc": {"warc_file": "warc/test.warc.gz", "warc_record_id": "<urn:uuid:test>",
                     "fetched_at": "2026-01-01T00:00:00Z"}, **meta}
    request = Request(url, meta=meta)
    return cls(url=url, body=body, headers=headers, request=request)


def portal_spider(*portals: dict, **settings) -> PortalSpider:
    """A PortalSpider whose callbacks a test calls by hand: nianbao's own settings (``NIANBAO_*`` of
    crawler/settings.py; not the components, which need a crawl directory) with ``settings`` over them."""
    nianbao = {name: getattr(project_settings, name) for name in dir(project_settings) if name.startswith("NIANBAO_")}
    return PortalSpider.from_crawler(get_crawler(PortalSpider, {**nianbao, **settings}), portals=list(portals))


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves a copy of tests/fixtures/crawler/site (``server.root``). ``/p?k=v`` is served from the
    file ``p_kv`` (so one static tree can hold paged and query-string URLs); such files get an XML,
    JSON or PDF type from their first bytes and a UTF-8 Content-Disposition name like a CMS download
    script. POST is answered like GET if the form names a ``columnid`` (a Hanweb data proxy).
    Like the standard library's handler it answers ``If-Modified-Since`` with 304, and it sleeps
    ``server.delay`` seconds before each answer (a slow portal). Each request's time, path and
    User-Agent are noted in ``server.requests``, the most it was answering at once in ``server.peak``,
    and for each Host header (name and port) in ``server.peaks``."""

    # Keep-alive, as real portals answer. (The standard library's HTTP/1.0 closes after each
    # answer without saying so; Twisted then may reuse the closed connection, and a POST sent on it
    # fails with ConnectionDone, which Twisted retries only for GET.)
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(args[2].root), **kwargs)

    def send_head(self):
        server = self.server
        host = self.headers.get("Host", "")
        with server.lock:
            server.requests.append((time.monotonic(), self.path, self.headers.get("User-Agent")))
            server.busy += 1
            server.peak = max(server.peak, server.busy)
            server.busy_at[host] = server.busy_at.get(host, 0) + 1
            server.peaks[host] = max(server.peaks.get(host, 0), server.busy_at[host])
        try:
            time.sleep(server.delay)
            return super().send_head()
        finally:
            with server.lock:
                server.busy -= 1
                server.busy_at[host] -= 1

    def do_POST(self):
        """A Hanweb-style data proxy: the form must name the column, then the URL's file is the answer."""
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        if "columnid" not in form:
            self.send_error(400, "columnid missing")
            return
        self.do_GET()

    def translate_path(self, path):
        parts = urlsplit(path)
        query = "".join(k + v for k, v in parse_qsl(parts.query))
        self.file_path = super().translate_path(parts.path + (f"_{query}" if query else ""))
        return self.file_path

    def guess_type(self, path):
        if Path(path).suffix:
            return mimetypes.guess_type(path)[0] or "application/octet-stream"
        head = Path(path).read_bytes()[:5] if Path(path).is_file() else b""
        if head.startswith(b"<?xml"):
            return "text/xml; charset=utf-8"
        return "application/json" if head.startswith(b"{") else "application/pdf"

    def end_headers(self):
        if Path(getattr(self, "file_path", "")).name.startswith("download_"):
            self.send_header("Content-Disposition", "attachment; filename*=UTF-8''" + quote("统计表.pdf"))
        super().end_headers()

    def log_message(self, *args):
        pass


class HostsHandler(SiteHandler):
    """A :class:`SiteHandler` serving many host names from one port: ``root/<host>/<path>``, the host
    as the Host header names it (without the port) — a portal and its units' sub-domains, all mapped
    to 127.0.0.1 by NIANBAO_HOSTS."""

    def translate_path(self, path):
        return super().translate_path("/" + self.headers.get("Host", "").split(":")[0] + path)


@contextmanager
def site_server(root: Path = SITE, delay: float = 0.0, handler: type = SiteHandler):
    """A site tree (by default the fixture site) on 127.0.0.1 (a free port); yields the server, which
    notes what it was asked (:class:`SiteHandler`) and has its base URL in ``url``."""
    with local_server(handler, root=root, delay=delay, lock=threading.Lock(), requests=[], busy=0,
                      peak=0, busy_at={}, peaks={}) as server:
        yield server


@contextmanager
def local_server(handler, **attributes):
    """A threading HTTP server with ``handler`` on 127.0.0.1 (a free port), serving in a thread until
    the block ends; ``attributes`` are set on the server for the handler to read, and its base URL
    is ``server.url``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for name, value in attributes.items():
        setattr(server, name, value)
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_site(root: Path = SITE, delay: float = 0.0):
    """:func:`site_server`, for a test that needs only its base URL."""
    with site_server(root, delay) as server:
        yield server.url


def generate_portal(root: Path, reports: int, per_page: int = 20, attachment_bytes: int = 4096) -> Path:
    """Write a static TRS-style portal: home → 政务公开 → 年报 column paged with ``createPageHTML``
    (``index.html``, ``index_1.html`` …), each report an article page with one PDF attachment.
    Fetches: 3 + ceil(reports / per_page) listing pages + 2 × reports. Returns ``root``."""
    def page(body: str) -> str:
        return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'

    column = root / "zwgk" / "zfxxgknb"
    (root / "files").mkdir(parents=True, exist_ok=True)
    column.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(page('<a href="/zwgk/index.html">政务公开</a>'), encoding="utf-8")
    (root / "zwgk" / "index.html").write_text(page('<a href="/zwgk/zfxxgknb/index.html">政府信息公开年报</a>'),
                                              encoding="utf-8")
    pages = -(-reports // per_page)
    for n in range(pages):
        items = "".join(
            f'<li><a href="./t{i}.html">示例县第{i}号单位{2008 + i % 16}年政府信息公开工作年度报告</a>'
            f"<span>{2009 + i % 16}-01-{1 + i % 28:02d}</span></li>"
            for i in range(n * per_page, min(reports, (n + 1) * per_page)))
        pager = f'<script>createPageHTML({pages}, {n}, "index", "html");</script>'
        (column / ("index.html" if n == 0 else f"index_{n}.html")).write_text(page(f"<ul>{items}</ul>{pager}"),
                                                                               encoding="utf-8")
    filler = "本单位依照《中华人民共和国政府信息公开条例》编制本报告。" * 40
    for i in range(reports):
        (column / f"t{i}.html").write_text(page(
            f"<h1>示例县第{i}号单位{2008 + i % 16}年政府信息公开工作年度报告</h1><p>{filler}</p>"
            f'<a href="/files/r{i}.pdf">附件：报告全文.pdf</a>'), encoding="utf-8")
        (root / "files" / f"r{i}.pdf").write_bytes(b"%PDF-1.4\n" + str(i).encode().ljust(attachment_bytes, b"0"))
    return root


def generate_hanweb_portal(root: Path, reports: int, per_page: int, group_size: int) -> Path:
    """Write a Hanweb (大汉 jcms) portal: a home page linking the 政府信息公开年报 column, whose page
    carries the first ``per_page × group_size`` records in its XML data island and a jpage call; the
    data proxy's answer for each later group is the file ``module/web/jpage/dataproxy.jsp_startrecord…``
    (answered to a POST naming the column, see :class:`SiteHandler`). Every tenth record is a
    统计公报, which is no report. Returns ``root``."""
    def page(body: str) -> str:
        return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'

    def record(i: int) -> str:
        title = f"示例市第{i}号单位{2008 + i % 16}年" + ("国民经济和社会发展统计公报" if i % 10 == 9 else "政府信息公开工作年度报告")
        return (f'<record><![CDATA[<li><a href="/art/{2009 + i % 16}/1/5/art_100_{i}.html" title="{title}">{title}</a>'
                f"<span>{2009 + i % 16}-01-05</span></li>]]></record>")

    step = per_page * group_size
    column, proxy = root / "col" / "col100", root / "module" / "web" / "jpage"
    column.mkdir(parents=True)
    proxy.mkdir(parents=True)
    (root / "index.html").write_text(page('<a href="/col/col100/index.html">政府信息公开年报</a>'), encoding="utf-8")
    jpage = (f"$('#100').jpage({{dataStore: dataStore, totalRecord: {reports}, perPage: {per_page}, "
             f"groupSize: {group_size}, proxyUrl: '/module/web/jpage/dataproxy.jsp', "
             "ajaxParam: {col: 1, webid: 3, columnid: 100, unitid: '1001'}});")
    inline = "".join(record(i) for i in range(min(step, reports)))
    (column / "index.html").write_text(page(
        f'<div id="100"><script type="text/xml"><datastore><recordset>{inline}</recordset></datastore></script></div>'
        f"<script>{jpage}</script>"), encoding="utf-8")
    for start in range(step, reports, step):
        records = "".join(record(i) for i in range(start, min(start + step, reports)))
        name = f"dataproxy.jsp_startrecord{start + 1}endrecord{start + step}perpage{per_page}"
        (proxy / name).write_text(f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{reports}'
                                  f"</totalrecord><recordset>{records}</recordset></datastore>", encoding="utf-8")
    for i in range(reports):
        article = root / "art" / str(2009 + i % 16) / "1" / "5" / f"art_100_{i}.html"
        article.parent.mkdir(parents=True, exist_ok=True)
        article.write_text(page(f"<h1>示例市第{i}号单位{2008 + i % 16}年政府信息公开工作年度报告</h1>"), encoding="utf-8")
    return root


FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "RETRY_TIMES": 0, "DOWNLOAD_TIMEOUT": 10, "LOG_LEVEL": "WARNING"}


def run_crawl(portals: list[dict], out_dir: Path, settings: dict | None = None) -> dict:
    """``crawler.run.crawl`` in a fresh interpreter; returns its summary."""
    code = ("import json, sys; from pathlib import Path; from crawler.run import crawl; "
            "a = json.load(sys.stdin); print(json.dumps(crawl(a['portals'], Path(a['out']), a['settings'])))")
    args = json.dumps({"portals": portals, "out": str(out_dir), "settings": {**FAST, **(settings or {})}})
    done = subprocess.run([sys.executable, "-c", code], input=args, capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    sys.stderr.write(done.stderr)  # the crawl log, shown by pytest if a later assertion fails
    return json.loads(done.stdout.strip().splitlines()[-1])
