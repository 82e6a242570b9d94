"""No crawl runs forever, no document is lost without a word (issue 10, parts 3 and 5, crawler side).

Each test crawls a fault-injecting portal served on 127.0.0.1 (:func:`fault_server`; every URL the
crawl may ask for is on that one address and port) and counts what the server was asked: an
endless redirect chain, listings declaring 20,000,000 pages, a portal over its page or time budget,
attachments in a redirect loop, oversize or a gzip bomb, and servers answering 429 with a
``Retry-After``; then a stuck lock, and the crontab printed in the docs."""
from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import threading
import time
import tracemalloc
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crawler.lock import LOCK
from crawler.run import build_settings
from crawler.spiders.hanweb import Jpage
from crawler.spiders.portal import endpoint_pages
from crawler.spiders.trs import trs_pages
from tests.crawler_support import REPO, generate_portal, local_server, run_crawl, site_server
from tests.test_crawler_crawl import lines

REPORT_TITLE = "示例县人民政府2021年政府信息公开工作年度报告"


def page(body: str, head: str = "") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'
            ).encode("utf-8")


HTML = {"Content-Type": "text/html; charset=utf-8"}
PDF = {"Content-Type": "application/pdf"}
PDF_BODY = b"%PDF-1.4\n" + b"0" * 2000
HOME = page('<a href="/gknb/index.html">政府信息公开年报</a>')
NOT_FOUND = (404, HTML, page("not found"))


def report_column(attachments: str = "", more_reports: tuple[str, ...] = ()) -> dict:
    """Routes of a 年报 column with one report whose page links ``attachments`` (HTML); the column also
    lists ``more_reports`` (URLs) under report titles."""
    rows = "".join(f'<li><a href="{url}">示例县人民政府{2020 - n}年政府信息公开工作年度报告</a><span>2021-01-20</span></li>'
                   for n, url in enumerate(more_reports))
    return {
        "/": (200, HTML, HOME),
        "/gknb/index.html": (200, HTML, page(f'<ul><li><a href="/gknb/t1.html">{REPORT_TITLE}</a>'
                                             f"<span>2022-01-20</span></li>{rows}</ul>")),
        "/gknb/t1.html": (200, HTML, page(f"<h1>{REPORT_TITLE}</h1><p>正文。</p>{attachments}")),
    }


class FaultHandler(BaseHTTPRequestHandler):
    """Answers ``server.answer(path, n)`` — (status, headers, body), ``n`` the number of earlier requests
    for that path; a POST like a GET — and notes each request's time and path in ``server.requests``. A header
    ``Content-Length: None`` sends the body without a length (the connection closes after it)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server = self.server
        with server.lock:
            earlier = sum(path == self.path for _, path in server.requests)
            server.requests.append((time.monotonic(), self.path))
        status, headers, body = server.answer(self.path, earlier)
        self.send_response(status)
        for name, value in headers.items():
            if value is not None:
                self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        """A Hanweb data proxy: the form is read and answered like a GET."""
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()

    def log_message(self, *args):
        pass


@contextmanager
def fault_server(answer):
    """A server on 127.0.0.1 (a free port) answering with ``answer(path, n)`` (:class:`FaultHandler`);
    its base URL is ``server.url``."""
    with local_server(FaultHandler, answer=answer, lock=threading.Lock(), requests=[]) as server:
        yield server


def routes(table: dict, fallback=None):
    """An ``answer`` serving ``table`` (path → answer), else ``fallback(path, n)``, else 404."""
    def answer(path, n):
        if path in table:
            return table[path]
        return (fallback and fallback(path, n)) or NOT_FOUND
    return answer


def asked(server, prefix: str) -> list[str]:
    return [path for _, path in server.requests if path.startswith(prefix)]


def errors(out: Path, kind: str | None = None) -> list[dict]:
    return [e for e in lines(out / "errors.jsonl") if kind is None or e["kind"] == kind]


def portal(server, name: str = "示例县人民政府", path: str = "/") -> dict:
    return {"name": name, "url": server.url + path}


# --- redirects: HTTP, meta refresh and JavaScript on one counter ------------------------------------

def redirect_hop(path: str, n: int):
    """``/hop/N``: an endless chain of fresh URLs, by turns a JavaScript ``location.replace`` shell,
    an HTTP 302 and a meta refresh."""
    if not path.startswith("/hop/"):
        return None
    following = f"/hop/{int(path.rsplit('/', 1)[1]) + 1}"
    kind = int(path.rsplit("/", 1)[1]) % 3
    if kind == 0:
        return 200, HTML, page(f'<script>location.replace("{following}");</script>')
    if kind == 1:
        return 302, {"Location": following}, b""
    return 200, HTML, page("", head=f'<meta http-equiv="refresh" content="0;url={following}">')


def test_an_endless_redirect_chain_ends_at_the_hop_limit(tmp_path):
    table = {**report_column(), "/": (200, HTML, HOME + page('<script>location.replace("/hop/0");</script>'))}
    with fault_server(routes(table, redirect_hop)) as server:
        summary = run_crawl([portal(server)], tmp_path, {"NIANBAO_MAX_REDIRECTS": 7})
    hops = asked(server, "/hop/")
    assert hops == [f"/hop/{n}" for n in range(7)], hops  # the home page's shell was the first redirect
    [cut] = errors(tmp_path, "redirect_limit")
    assert cut["url"] == server.url + "/" and "NIANBAO_MAX_REDIRECTS (7)" in cut["message"]
    assert f"redirect of {server.url}/hop/6 to {server.url}/hop/7 was not" in cut["message"]
    stats = summary["portals"]["示例县人民政府"]
    assert stats["reports"] == 1 and stats["status"] == "partial" and summary["status"] == "partial"


# --- page counts a server declares -------------------------------------------------------------------

def test_declared_page_counts_are_cut_before_their_urls_are_made():
    from scrapy.http import HtmlResponse
    response = HtmlResponse("http://127.0.0.1:1/col/index.html", encoding="utf-8",
                            body=page('<script>createPageHTML(20000000, 0, "index", "html");</script>'))
    tracemalloc.start()
    assert trs_pages(response, limit=201)[-1] == "http://127.0.0.1:1/col/index_200.html"
    assert len(trs_pages(response, limit=201)) == 201
    assert endpoint_pages("http://127.0.0.1:1/api/list?page=1", 20_000_000, limit=201)[-1].endswith("page=202")
    assert len(endpoint_pages("http://127.0.0.1:1/api/list?page=1", 20_000_000, limit=201)) == 201
    jpage = Jpage("http://127.0.0.1:1/proxy", per_page=15, group_size=3, form={}, inline_records=45, total=None)
    assert len(jpage.group_urls(2_000_000_000, limit=201)) == 201
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2_000_000, peak  # no 20,000,000-item list was built on the way (that is 160 MB of pointers)


def huge_listings(path: str, n: int):
    """Listing pages of three portals, each claiming 20,000,000 pages (or 2,000,000,000 records)."""
    row = f'<ul><li><a href="/gknb/t1.html">{REPORT_TITLE}</a><span>2022-01-20</span></li></ul>'
    if path.startswith("/trs/index"):
        return 200, HTML, page(row + '<script>createPageHTML(20000000, 0, "index", "html");</script>')
    if path.startswith("/api/list"):
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"pageCount": 20_000_000, "items": [{"title": REPORT_TITLE, "url": "/gknb/t1.html",
                                                 "date": "2022-01-20"}]}).encode()
    if path.startswith("/proxy"):
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, (
            "<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>2000000000</totalrecord>"
            f"<recordset><record><![CDATA[{row}]]></record></recordset></datastore>").encode()
    return None


def test_listings_declaring_twenty_million_pages_read_at_most_the_cap(tmp_path):
    record = f'<record><![CDATA[<li><a href="/gknb/t1.html">{REPORT_TITLE}</a><span>2022-01-20</span></li>]]></record>'
    hanweb = page(f'<div id="7"><script type="text/xml"><datastore><recordset>{record}</recordset></datastore>'
                  "</script></div><script>$('#7').jpage({totalRecord: 2000000000, perPage: 1, groupSize: 1, "
                  "proxyUrl: '/proxy', ajaxParam: {columnid: 7}});</script>")
    table = {**report_column(),
             "/api/index.html": (200, HTML, page('<script>var listUrl = "/api/list?page=";</script>')),
             "/hanweb/index.html": (200, HTML, hanweb)}
    with fault_server(routes(table, huge_listings)) as server:
        summary = run_crawl([portal(server, "甲", "/trs/index.html"), portal(server, "乙", "/api/index.html"),
                             portal(server, "丙", "/hanweb/index.html")], tmp_path,
                            {"NIANBAO_MAX_LISTING_PAGES": 5})
    assert len(set(asked(server, "/trs/index"))) == 5
    assert len(set(asked(server, "/api/list"))) == 5
    assert len(set(asked(server, "/proxy"))) == 4  # the column page is the listing's first page
    truncated = {e["portal"] for e in errors(tmp_path, "listing_truncated")}
    assert truncated == {"甲", "乙", "丙"}, errors(tmp_path)
    assert all(summary["portals"][name]["status"] == "partial" for name in ("甲", "乙", "丙"))


# --- the per-portal budget ---------------------------------------------------------------------------

def test_a_portal_over_its_page_budget_stops_and_the_others_go_on(tmp_path):
    big, small = generate_portal(tmp_path / "big", 30), generate_portal(tmp_path / "small", 2)  # 64 and 7 pages
    with site_server(big) as big_server, site_server(small) as small_server:
        summary = run_crawl([{"name": "大", "url": big_server.url + "/"}, {"name": "小", "url": small_server.url + "/"}],
                            tmp_path / "out", {"NIANBAO_PORTAL_MAX_PAGES": 12, "CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    pages = [path for _, path, _ in big_server.requests if path != "/robots.txt"]
    assert 12 <= len(pages) <= 12 + 2, pages  # the cap, and the requests already on their way
    [spent] = errors(tmp_path / "out", "budget_exhausted")
    assert spent["portal"] == "大" and "NIANBAO_PORTAL_MAX_PAGES is 12" in spent["message"]
    assert summary["portals"]["大"]["status"] == "partial" and summary["portals"]["大"]["reports"] >= 1
    assert summary["portals"]["小"]["status"] == "ok" and summary["portals"]["小"]["reports"] == 2
    assert summary["portals"]["小"]["pages"] == 7 == len([p for _, p, _ in small_server.requests if p != "/robots.txt"])


def test_a_portal_over_its_time_budget_stops(tmp_path):
    generate_portal(tmp_path / "slow", 30)  # 65 pages; at 0.3 s each over 2 connections, 10 s
    with site_server(tmp_path / "slow", delay=0.3) as server:
        summary = run_crawl([{"name": "慢", "url": server.url + "/"}], tmp_path / "out",
                            {"NIANBAO_PORTAL_MAX_SECONDS": 2, "CONCURRENT_REQUESTS_PER_DOMAIN": 2})
    [spent] = errors(tmp_path / "out", "budget_exhausted")
    assert "NIANBAO_PORTAL_MAX_SECONDS is 2" in spent["message"]
    assert len(server.requests) < 30, server.requests  # at most 2 s × 2 connections / 0.3 s, and the robots.txt
    assert summary["portals"]["慢"]["status"] in ("partial", "failed")


# --- documents a report links that could not be archived ---------------------------------------------

def bad_attachments(path: str, n: int):
    if path == "/gknb/loop.html":  # a report page in a redirect loop
        return 302, {"Location": "/gknb/loop-b.html"}, b""
    if path == "/gknb/loop-b.html":
        return 302, {"Location": "/gknb/loop.html"}, b""
    if path == "/files/loop-a.pdf":
        return 302, {"Location": "/files/loop-b.pdf"}, b""
    if path == "/files/loop-b.pdf":
        return 302, {"Location": "/files/loop-a.pdf"}, b""
    if path == "/files/bounce.pdf":  # a cookie bounce: the second visit gets the file
        return (302, {"Location": "/files/set-cookie"}, b"") if n == 0 else (200, PDF, PDF_BODY)
    if path == "/files/set-cookie":
        return 302, {"Location": "/files/bounce.pdf", "Set-Cookie": "visited=1; Path=/"}, b""
    if path.startswith("/files/chain/"):  # fresh URLs for ever
        return 302, {"Location": f"/files/chain/{int(path.rsplit('/', 1)[1]) + 1}"}, b""
    if path == "/files/large.pdf":
        return 200, PDF, b"%PDF-1.4\n" + b"0" * 300_000
    if path == "/files/large-unannounced.pdf":
        return 200, {**PDF, "Content-Length": None}, b"%PDF-1.4\n" + b"0" * 300_000
    if path == "/files/bomb.pdf":  # 20 MB of zeros in 20 KB
        return 200, {**PDF, "Content-Encoding": "gzip"}, BOMB
    if path == "/files/moved.pdf":
        return 302, {}, b""  # a redirect without a Location
    if path == "/files/good.pdf":
        return 200, PDF, PDF_BODY
    return None


BOMB = gzip.compress(bytes(20_000_000), compresslevel=9)


def test_every_attachment_not_archived_is_an_error_saying_why(tmp_path):
    names = ("loop-a.pdf", "chain/0", "large.pdf", "large-unannounced.pdf", "bomb.pdf", "moved.pdf", "bounce.pdf",
             "good.pdf")
    links = "".join(f'<p><a href="/files/{name}">附件：{name}</a></p>' for name in names)
    with fault_server(routes(report_column(links, ("/gknb/loop.html",)), bad_attachments)) as server:
        summary = run_crawl([portal(server)], tmp_path, {"NIANBAO_MAX_DOCUMENT_BYTES": 100_000,
                                                        "NIANBAO_MAX_REDIRECTS": 4})
    assert len(BOMB) < 30_000
    why = {e["url"].rsplit("/", 1)[1]: e for e in errors(tmp_path)}
    assert why["loop-a.pdf"]["kind"] == "redirect_limit" and "redirect loop" in why["loop-a.pdf"]["message"]
    assert asked(server, "/files/loop-") == ["/files/loop-a.pdf", "/files/loop-b.pdf"] * 2  # not round a third time
    assert why["loop.html"]["kind"] == "redirect_limit" and "redirect loop" in why["loop.html"]["message"]
    assert why["0"]["kind"] == "redirect_limit" and "NIANBAO_MAX_REDIRECTS (4)" in why["0"]["message"]
    assert why["0"]["message"].endswith("the last was " + server.url + "/files/chain/4")
    assert len(asked(server, "/files/chain/")) == 5  # the request and four redirects
    for name in ("large.pdf", "large-unannounced.pdf", "bomb.pdf"):
        assert why[name]["kind"] == "too_large", why[name]
        assert "NIANBAO_MAX_DOCUMENT_BYTES (100,000 bytes): " in why[name]["message"]
    assert why["large-unannounced.pdf"]["message"].endswith("the body grew past it as it arrived")
    assert why["moved.pdf"]["kind"] == "http_3xx"
    [report] = lines(tmp_path / "reports.jsonl")
    assert [d["url"].rsplit("/", 1)[1] for d in report["documents"]] == ["t1.html", "bounce.pdf", "good.pdf"]
    assert summary["status"] == "partial"


# --- Retry-After ---------------------------------------------------------------------------------------

def test_a_host_asking_for_an_hours_rest_is_given_up_and_not_asked_again(tmp_path):
    links = "".join(f'<p><a href="/files/{name}.pdf">附件：{name}.pdf</a></p>' for name in ("a", "b", "c"))

    def rate_limited(path, n):
        return (429, {"Retry-After": "3600"}, b"slow down") if path.startswith("/files/") else None

    with fault_server(routes(report_column(links), rate_limited)) as server:
        summary = run_crawl([portal(server)], tmp_path, {"RETRY_TIMES": 2})  # (within run_crawl's 120 s)
    assert asked(server, "/files/") == ["/files/a.pdf"]  # not retried, and b and c not asked at all
    gave_up = errors(tmp_path, "host_gave_up")
    assert [e["url"].rsplit("/", 1)[1] for e in gave_up] == ["a.pdf", "b.pdf", "c.pdf"]
    assert "Retry-After 3600 s, more than NIANBAO_MAX_RETRY_AFTER" in gave_up[0]["message"]
    assert [e["kind"] for e in errors(tmp_path) if e["url"].endswith("a.pdf")] == ["host_gave_up", "blocked"]
    assert summary["status"] == "partial"


def test_a_short_retry_after_is_waited_before_the_retry(tmp_path):
    def busy_once(path, n):
        if path == "/files/a.pdf":
            return (429, {"Retry-After": "1"}, b"busy") if n == 0 else (200, PDF, PDF_BODY)
        return None

    with fault_server(routes(report_column('<a href="/files/a.pdf">附件：a.pdf</a>'), busy_once)) as server:
        summary = run_crawl([portal(server)], tmp_path, {"RETRY_TIMES": 2})
    times = [t for t, path in server.requests if path == "/files/a.pdf"]
    assert len(times) == 2 and times[1] - times[0] >= 1.0, times
    [report] = lines(tmp_path / "reports.jsonl")
    assert len(report["documents"]) == 2 and summary["status"] == "ok", errors(tmp_path)


# --- a stuck crawl -----------------------------------------------------------------------------------

HOLD_LOCK = """
import fcntl, json, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, json.dumps({"pid": os.getpid(), "started": sys.argv[2], "state": "running"}).encode())
print("holding", flush=True)
time.sleep(60)
"""


@contextmanager
def lock_held_since(out: Path, started: datetime):
    """A live child process holding ``out``'s crawl lock, its record saying it started at ``started``."""
    out.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out / LOCK), f"{started:%Y-%m-%dT%H:%M:%SZ}"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "holding\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def nianbao_crawl(out: Path, *settings: str) -> subprocess.CompletedProcess:
    sets = [arg for setting in settings for arg in ("--set", setting)]
    return subprocess.run([sys.executable, "-m", "nianbao", "crawl", "--url", "http://127.0.0.1:9/", "--name", "甲",
                           "--out", str(out), *sets], capture_output=True, text=True, cwd=REPO, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_lock_older_than_the_longest_allowed_run_is_a_stuck_crawl_exit_5(tmp_path):
    two_days_ago = datetime.now(timezone.utc) - timedelta(days=2)
    with lock_held_since(tmp_path, two_days_ago) as holder:
        done = nianbao_crawl(tmp_path)
    assert done.returncode == 5, done.stderr
    [message] = [line for line in done.stderr.splitlines() if line.startswith("nianbao crawl:")]
    assert f"pid {holder.pid} since {two_days_ago:%Y-%m-%dT%H:%M:%SZ}" in message and "stuck crawl" in message
    assert "NIANBAO_STUCK_AFTER_SECONDS = 13.0 h" in message and done.stdout == ""


def test_the_longest_allowed_run_follows_the_portal_time_budget(tmp_path):
    an_hour_and_a_half_ago = datetime.now(timezone.utc) - timedelta(minutes=90)
    with lock_held_since(tmp_path, an_hour_and_a_half_ago):
        assert nianbao_crawl(tmp_path).returncode == 4  # 1.5 h: a slow run, by the defaults
        assert nianbao_crawl(tmp_path, "NIANBAO_PORTAL_MAX_SECONDS=600").returncode == 5  # 10 min + 1 h
    settings = build_settings(tmp_path, {"NIANBAO_PORTAL_MAX_SECONDS": "600", "NIANBAO_MAX_DOCUMENT_BYTES": "4000"})
    assert settings.getint("NIANBAO_STUCK_AFTER_SECONDS") == 4200
    assert (settings.getint("DOWNLOAD_MAXSIZE"), settings.getint("DOWNLOAD_WARNSIZE")) == (4000, 1000)


def cron_lines(doc: str) -> list[str]:
    """The commands of the weekly crontab printed in ``doc``: the crawl line, then the build line."""
    lines_ = [line for line in (REPO / doc).read_text(encoding="utf-8").splitlines()
              if re.match(r"^\d+ \d+ \* \* 1 ", line)]
    return [line.split(None, 5)[5] for line in lines_]


@pytest.mark.parametrize("doc", ["README.md", "docs/crawling.md"])
def test_the_crontab_mails_a_stuck_crawl_and_every_failed_build(tmp_path, doc):
    """Each printed cron line run by sh, with a ``nianbao`` that exits with each code and a ``mail``
    that notes its subject."""
    crawl_line, build_line = cron_lines(doc)
    (tmp_path / "bin").mkdir()
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / "data").mkdir()
    for path, script in ((tmp_path / "bin" / "mail", 'cat > /dev/null; echo "$2" >> "$MAILBOX"'),
                         (tmp_path / ".venv" / "bin" / "nianbao", 'exit "$EXIT_CODE"')):
        path.write_text(f"#!/bin/sh\n{script}\n")
        path.chmod(0o755)
    mailbox = tmp_path / "mailbox"
    for line in (crawl_line, build_line):
        for code in range(6):
            env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "EXIT_CODE": str(code), "MAILBOX": str(mailbox)}
            subprocess.run(["sh", "-c", line.replace("cd /srv/nianbao", f"cd {tmp_path}")], env=env, check=False)
    subjects = mailbox.read_text().splitlines()
    assert subjects == [f"nianbao crawl exit {code}" for code in (1, 2, 3, 5)] + \
        [f"nianbao build exit {code}" for code in (1, 2, 3, 4, 5)]


def test_retry_after_in_seconds_or_as_an_http_date():
    from scrapy.http import Response

    from crawler.middlewares import retry_after

    now = datetime(2026, 12, 2, 5, 0, tzinfo=timezone.utc)

    def answer(status, value):
        return Response("http://127.0.0.1:1/a.pdf", status=status, headers={"Retry-After": value} if value else {})

    assert retry_after(answer(429, "120"), now) == 120
    assert retry_after(answer(503, "Wed, 02 Dec 2026 06:00:00 GMT"), now) == 3600
    assert retry_after(answer(503, "Wed, 02 Dec 2026 04:00:00 GMT"), now) == 0  # already past: no wait
    assert retry_after(answer(429, "soon"), now) is None
    assert retry_after(answer(429, None), now) is None
    assert retry_after(answer(200, "120"), now) is None
