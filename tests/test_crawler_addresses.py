"""The address rule (crawler/addresses.py): rule tables, the pinned resolver, JS redirects that run,
and crawls of hostile portals whose pages name local files, metadata and private addresses, another
service on this host and hosts off the portal's domain.

Nothing in these tests can reach the addresses they name, even if the rule breaks: every host name
resolves to 127.0.0.1 through ``NIANBAO_HOSTS`` (``NIANBAO_HOSTS_ONLY``: no DNS at all), and every
request for any other host (``169.254.169.254``, ``10.1.2.3``, ``www.example.com``) goes through a
local recording proxy (``http_proxy``), whose log must stay empty.
"""
import gzip
import ipaddress
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from twisted.internet import defer
from warcio.archiveiterator import ArchiveIterator
from twisted.internet.task import Clock

import crawler.addresses as addresses
from crawler.addresses import (PinnedResolver, address_kind, address_refusal, host_refusal, literal_address,
                               url_refusal)
from crawler.portals import validate_portal
from crawler.run import portal_status
from crawler.settings import EXTENSIONS
from crawler.spiders.portal import script_redirects
from tests.crawler_support import FAST, REPO, generate_portal, local_server, run_crawl, site_server

PORTAL = validate_portal({"name": "罗山县人民政府", "url": "http://www.luoshan.gov.cn/",
                          "hints": {"column_url": "http://xxgk.luoshan.gov.cn/gknb/"},
                          "allow_hosts": ["files.henan-cdn.com"]})


# ------------------------------------------------------------------------------------------- rules
@pytest.mark.parametrize("url, refused", [
    ("http://www.luoshan.gov.cn/a.pdf", False),
    ("https://www.luoshan.gov.cn/a.pdf", False),
    ("file:///etc/passwd", True),
    ("FILE:///dev/zero", True),
    ("data:text/html,<h1>x</h1>", True),
    ("ftp://ftp.luoshan.gov.cn/a.pdf", True),
    ("s3://bucket/key", True),
    ("gopher://127.0.0.1:6379/_FLUSHALL", True),
    ("//www.luoshan.gov.cn/a.pdf", True),  # no scheme: only absolute http(s) URLs are requested
    ("http://[::1]:8001/", False),          # an address: the address rule decides
    ("http://www.luoshan.gov.cn@10.1.2.3/", True),            # Twisted would read the host differently
    ("http://a.luoshan.gov.cn:80@10.1.2.3:80/", True),
    ("http://www.luoshan.gov.cn%2F@10.1.2.3/", True),
    ("http://10.1.2.3%23.luoshan.gov.cn/", True),
])
def test_url_rule(url, refused):
    assert (url_refusal(url) is not None) is refused


@pytest.mark.parametrize("url, refused", [
    ("http://www.luoshan.gov.cn/gknb/2021.html", False),
    ("http://xxgk.luoshan.gov.cn:8080/gknb/", False),           # a sub-domain, any port (the address rule checks it)
    ("http://files.henan-cdn.com/r.pdf", False),                 # allow_hosts
    ("http://cdn1.files.henan-cdn.com/r.pdf", False),            # … and its sub-domains
    ("http://henan-cdn.com/r.pdf", True),                        # not its parent domain
    ("http://evilfiles.henan-cdn.com.example.org/r.pdf", True),
    ("http://www.xinyang.gov.cn/", True),                        # another government's domain
    ("http://luoshan.gov.cn.evil.com/", True),
    ("http://169.254.169.254/latest/meta-data/", True),
    ("http://10.1.2.3/", True),
    ("http://127.0.0.1:8001/", True),
    ("http://localhost/", True),
])
def test_host_rule(url, refused):
    assert (host_refusal(url, PORTAL) is not None) is refused


def test_host_rule_names_the_sites_and_allow_hosts():
    message = host_refusal("http://www.example.com/a.pdf", PORTAL)
    assert message == "host www.example.com is off the portal's site (luoshan.gov.cn; allow_hosts: files.henan-cdn.com)"


def test_portal_on_an_address_is_its_address_and_port():
    portal = validate_portal({"name": "内网", "url": "http://10.20.0.5:8080/"})
    assert host_refusal("http://10.20.0.5:8080/gknb/", portal) is None
    assert host_refusal("http://10.20.0.5:8081/", portal) is not None


@pytest.mark.parametrize("address, kind", [
    ("8.8.8.8", None),
    ("2001:4860:4860::8888", None),
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("100.64.0.1", "not globally reachable"),                   # carrier-grade NAT
    ("192.0.2.1", "private"),                                   # documentation
    ("::ffff:127.0.0.1", "loopback (as 127.0.0.1)"),            # IPv4-mapped
    ("::ffff:a9fe:a9fe", "link-local (as 169.254.169.254)"),
    ("::ffff:8.8.8.8", None),
    ("2002:a00:1::", "private (as 10.0.0.1)"),                  # 6to4
    ("64:ff9b::a9fe:a9fe", "link-local (as 169.254.169.254)"),  # NAT64
    ("64:ff9b::808:808", None),
])
def test_address_kinds(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind


def test_address_rule_allows_only_the_portal_address_and_port():
    own = {("127.0.0.1", 8001)}
    assert address_refusal("127.0.0.1", 8001, own) is None
    assert address_refusal("127.0.0.1", 8002, own) == (
        "address 127.0.0.1 is loopback (port 8002; portal addresses allowed: 127.0.0.1:8001)")
    assert address_refusal("10.1.2.3", 8001, own) is not None
    assert address_refusal("8.8.8.8", 443, own) is None


@pytest.mark.parametrize("host, address", [
    ("10.1.2.3", "10.1.2.3"),
    ("::ffff:7f00:1", "::ffff:7f00:1"),
    ("127.1", "127.0.0.1"),                 # read as addresses by the C library, so here too
    ("0x7f.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("www.luoshan.gov.cn", None),
    ("cafe.be", None),
    ("1.2.3.4.5", None),
])
def test_literal_addresses(host, address):
    found = literal_address(host)
    assert (str(found) if found else None) == address


@pytest.mark.parametrize("stats, status", [
    ({"reports": 3, "error_kinds": {"refused_url": 4}, "refused_documents": 0}, "ok"),
    ({"reports": 3, "error_kinds": {"refused_url": 4}, "refused_documents": 1}, "partial"),
    ({"reports": 0, "error_kinds": {"refused_url": 4}, "refused_documents": 1}, "failed"),
])
def test_refused_report_documents_make_a_run_partial(stats, status):
    assert portal_status(stats) == status


# ----------------------------------------------------------------------------------- JS redirects
@pytest.mark.parametrize("script, targets", [
    ('location.replace("/zwgk/ndbg/list.html");', ["/zwgk/ndbg/list.html"]),
    ("<!--\n  window.location.href = '/b/'\n//-->", ["/b/"]),
    ('var a = 1\nlocation.replace("/c/")', ["/c/"]),
    ('document.location = "http:\\/\\/www.luoshan.gov.cn\\/d\\/"', ["http://www.luoshan.gov.cn/d/"]),
    ('var o = {a: "}"}; top.location.assign("/e/")', ["/e/"]),
    ('if (0) { location.replace("http://169.254.169.254/"); }', []),
    ('if (false) location.replace("/x");', []),
    ('if (0)\n  location.replace("/x");', []),
    ('if (a) {} else location.replace("/x")', []),
    ('while (0) location.replace("/x")', []),
    ('0 && location.replace("/x")', []),
    ('function go() { location.href = "/x"; }', []),
    ('window.onload = function () { location.replace("/x"); };', []),
    ('// location.replace("/x")\n/* location.replace("/y") */', []),
    ('var s = "location.replace(\'/x\')";', []),
    ('`${location.replace("/x")}`', []),
    ('function search(q) { window.location.href = "/search?q=" + q; }', []),
    ('location.href = "/search?q=" + q;', []),
])
def test_js_redirects_only_from_code_that_runs(script, targets):
    assert script_redirects(script) == targets


# -------------------------------------------------------------------------------------- resolver
class Receiver:
    def __init__(self):
        self.addresses, self.complete = [], False

    def resolutionBegan(self, resolution):
        pass

    def addressResolved(self, address):
        self.addresses.append((type(address).__name__, address.host, address.port))

    def resolutionComplete(self):
        self.complete = True


def resolver(hosts=None, hosts_only=False):
    clock = Clock()
    clock.getThreadPool = lambda: None
    return PinnedResolver(clock, hosts or {}, hosts_only, timeout=5)


def results(deferred):
    found = []
    deferred.addBoth(found.append)
    return found[0]


def test_resolver_reads_hosts_table_and_literals_without_dns(monkeypatch):
    monkeypatch.setattr(addresses, "system_addresses", lambda name: pytest.fail(f"DNS asked for {name}"))
    pinned = resolver({"www.luoshan.gov.cn": "127.0.0.1", "Dual.Luoshan.gov.cn.": ["127.0.0.1", "::1"]})
    assert results(pinned.lookup("WWW.luoshan.gov.cn.")) == ["127.0.0.1"]
    assert results(pinned.lookup("169.254.169.254")) == ["169.254.169.254"]
    assert results(pinned.lookup("[::1]")) == ["::1"]
    assert results(pinned.lookup("2130706433")) == ["127.0.0.1"]
    receiver = Receiver()
    pinned.resolveHostName(receiver, "dual.luoshan.gov.cn", 8001)
    assert receiver.complete and receiver.addresses == [("IPv4Address", "127.0.0.1", 8001),
                                                        ("IPv6Address", "::1", 8001)]


def test_resolver_with_hosts_only_resolves_nothing_else(monkeypatch):
    monkeypatch.setattr(addresses, "system_addresses", lambda name: pytest.fail(f"DNS asked for {name}"))
    failure = results(resolver({"www.luoshan.gov.cn": "127.0.0.1"}, hosts_only=True).lookup("www.example.com"))
    assert "not in NIANBAO_HOSTS" in failure.getErrorMessage()
    receiver = Receiver()
    resolver(hosts_only=True).resolveHostName(receiver, "www.example.com", 80)
    assert receiver.complete and receiver.addresses == []  # the connection fails as a DNS error


def test_resolver_pins_the_first_answer_for_the_check_and_the_connection(monkeypatch):
    """DNS rebinding: a name answering a public address, then 127.0.0.1. The check and the connection
    both get the first answer."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    monkeypatch.setattr(addresses, "system_addresses", lambda name: next(answers))
    monkeypatch.setattr(addresses, "deferToThreadPool", lambda reactor, pool, f, *args: defer.maybeDeferred(f, *args))
    pinned = resolver()
    assert results(pinned.lookup("rebind.example.com")) == ["93.184.216.34"]
    receiver = Receiver()
    pinned.resolveHostName(receiver, "rebind.example.com", 80)
    assert receiver.addresses == [("IPv4Address", "93.184.216.34", 80)]


# --------------------------------------------------------------------------- hostile portal crawls
PASSWD = b"root:x:0:0:root:/root:/bin/bash"
SECRET = b"OTHER-SERVICE-SECRET-7f3a"
REPORT_PDF = b"%PDF-1.4\nLUOSHAN-2021-REPORT\n%%EOF\n"
TABLES_XLSX = b"PK\x03\x04LUOSHAN-2021-TABLES"


class RoutesHandler(BaseHTTPRequestHandler):
    """Answers ``server.routes`` (path → (status, headers, body)), 404 otherwise; notes every request
    (method, path or absolute URI, Host) in ``server.requests``."""

    protocol_version = "HTTP/1.1"

    def answer(self):
        self.server.requests.append((self.command, self.path, self.headers.get("Host")))
        status, headers, body = self.server.routes.get(self.path, (404, {}, b"not here"))
        self.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_CONNECT = answer

    def log_message(self, *args):
        pass


@contextmanager
def routes_server(routes):
    with local_server(RoutesHandler, routes=routes, requests=[]) as server:
        server.port = server.server_address[1]
        yield server


def html(body):
    return (200, {"Content-Type": "text/html; charset=utf-8"},
            f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode())


def hostile_routes(port, other):
    """罗山县 (www.luoshan.gov.cn) and 信阳市 (www.xinyang.gov.cn, whose portal file allows two private
    addresses), both served by one server on ``port``; ``other`` is another service's port."""
    title = "罗山县人民政府{}年政府信息公开工作年度报告"
    intranet = f"http://intranet.luoshan.gov.cn:{other}"
    listing = (
        f'<ul><li><a href="/gknb/t2021.html">{title.format(2021)}</a><span>2022-01-20</span></li>'
        f'<li><a href="file:///etc/passwd">{title.format(2020)}</a><span>2021-01-20</span></li>'
        f'<li><a href="/gknb/t2019.html">{title.format(2019)}</a><span>2020-01-20</span></li></ul>'
        '<script>var listUrl = "http://www.example.com/api/gknb/list?page=";</script>'
        '<script>if (0) { location.replace("http://169.254.169.254/latest/meta-data/iam/security-credentials/"); }</script>'
        '<script>location.replace("http://10.1.2.3/zwgk/");</script>'
    )
    report = (
        f"<h1>{title.format(2021)}</h1><p>本报告依据《中华人民共和国政府信息公开条例》编制。</p>"
        f'<p><img src="{intranet}/scan2021.png"></p>'
        f'<p><a href="http://xxgk.luoshan.gov.cn:{port}/files/report2021.pdf">附件1：报告全文.pdf</a></p>'
        f'<p><a href="http://files.henan-cdn.com:{port}/tables2021.xlsx">附件2：统计表.xlsx</a></p>'
        '<p><a href="file:///etc/passwd">附件3：passwd.pdf</a></p>'
        '<p><a href="file:///dev/zero">附件4：zero.pdf</a></p>'
        '<p><a href="http://169.254.169.254/latest/meta-data/iam/security-credentials/">附件5：凭证.pdf</a></p>'
        '<p><a href="http://10.1.2.3/report.pdf">附件6.pdf</a></p>'
        f'<p><a href="http://127.0.0.1:{other}/secret.pdf">附件7.pdf</a></p>'
        f'<p><a href="{intranet}/secret.pdf">附件8.pdf</a></p>'
        '<p><a href="/files/moved.pdf">附件9.pdf</a></p>'
        '<p><a href="/files/moved-meta.pdf">附件10.pdf</a></p>'
        '<p><a href="http://www.example.com/report2021.pdf">附件11.pdf</a></p>'
    )
    xinyang = "信阳市人民政府2021年政府信息公开工作年度报告"
    return {
        "/gknb/index.html": html(listing),
        "/gknb/t2021.html": html(report),
        "/gknb/t2019.html": (200, {"Content-Type": "text/html"}, f'<html><head><meta http-equiv="refresh" '
                             f'content="0;url={intranet}/t2019.html"></head><body></body></html>'.encode()),
        "/files/report2021.pdf": (200, {"Content-Type": "application/pdf"}, REPORT_PDF),
        "/tables2021.xlsx": (200, {"Content-Type": "application/vnd.ms-excel"}, TABLES_XLSX),
        "/files/moved.pdf": (302, {"Location": f"{intranet}/moved.pdf"}, b""),
        "/files/moved-meta.pdf": (301, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
        "/xy/index.html": html(f'<ul><li><a href="/xy/t2021.html">{xinyang}</a><span>2022-01-21</span></li></ul>'),
        "/xy/t2021.html": html(f"<h1>{xinyang}</h1>"
                               '<p><a href="http://169.254.169.254/latest/meta-data/">附件1.pdf</a></p>'
                               '<p><a href="http://10.1.2.3/xy.pdf">附件2.pdf</a></p>'),
    }


def expected_refusals(port, other):
    """(portal, url) → (how many lines, a word of the rule) of every refusal the hostile crawl must log."""
    luoshan, xinyang, intranet = "罗山县人民政府", "信阳市人民政府", f"http://intranet.luoshan.gov.cn:{other}"
    return {
        (luoshan, "file:///etc/passwd"): (2, "scheme"),  # a report link on the listing, an attachment
        (luoshan, "file:///dev/zero"): (1, "scheme"),
        (luoshan, "http://www.example.com/api/gknb/list?page=1"): (1, "host"),
        (luoshan, "http://10.1.2.3/zwgk/"): (1, "host"),
        (luoshan, "http://169.254.169.254/latest/meta-data/iam/security-credentials/"): (1, "host"),
        (luoshan, "http://10.1.2.3/report.pdf"): (1, "host"),
        (luoshan, f"http://127.0.0.1:{other}/secret.pdf"): (1, "host"),
        (luoshan, f"{intranet}/secret.pdf"): (1, "address 127.0.0.1 is loopback"),
        (luoshan, f"{intranet}/scan2021.png"): (1, "address 127.0.0.1 is loopback"),
        (luoshan, f"{intranet}/moved.pdf"): (1, "address 127.0.0.1 is loopback"),   # an HTTP redirect's target
        (luoshan, f"{intranet}/t2019.html"): (1, "address 127.0.0.1 is loopback"),  # a meta refresh's
        (luoshan, "http://169.254.169.254/latest/meta-data/"): (1, "host"),         # another one's
        (luoshan, "http://www.example.com/report2021.pdf"): (1, "host"),
        (xinyang, "http://169.254.169.254/latest/meta-data/"): (1, "address 169.254.169.254 is link-local"),
        (xinyang, "http://10.1.2.3/xy.pdf"): (1, "address 10.1.2.3 is private"),
    }


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    with routes_server({"/secret.pdf": (200, {}, SECRET), "/moved.pdf": (200, {}, SECRET),
                        "/scan2021.png": (200, {}, SECRET)}) as other, \
            routes_server({}) as proxy, routes_server({}) as portal_server:
        port = portal_server.port
        portal_server.routes.update(hostile_routes(port, other.port))
        portals = [
            {"name": "罗山县人民政府", "url": f"http://www.luoshan.gov.cn:{port}/",
             "hints": {"column_url": f"http://www.luoshan.gov.cn:{port}/gknb/index.html"},
             "allow_hosts": ["files.henan-cdn.com"]},
            {"name": "信阳市人民政府", "url": f"http://www.xinyang.gov.cn:{port}/",
             "hints": {"column_url": f"http://www.xinyang.gov.cn:{port}/xy/index.html"},
             "allow_hosts": ["169.254.169.254", "10.1.2.3"]},  # a hostile portal file: still the address rule
        ]
        hosts = {name: "127.0.0.1" for name in ("www.luoshan.gov.cn", "xxgk.luoshan.gov.cn", "intranet.luoshan.gov.cn",
                                                "files.henan-cdn.com", "www.xinyang.gov.cn")}
        with pytest.MonkeyPatch.context() as env:  # the crawl's subprocess inherits these
            env.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
            env.setenv("https_proxy", f"http://127.0.0.1:{proxy.port}")
            env.setenv("no_proxy", "luoshan.gov.cn,xinyang.gov.cn,files.henan-cdn.com,127.0.0.1")
            summary = run_crawl(portals, out, {"NIANBAO_HOSTS": hosts, "NIANBAO_HOSTS_ONLY": True})
    return out, summary, port, other, proxy, portal_server


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_hostile_crawl_fetches_nothing_it_should_not(hostile_crawl):
    out, summary, port, other, proxy, portal_server = hostile_crawl
    assert other.requests == []       # the other service on this host was never asked
    assert proxy.requests == []       # nothing was sent towards 169.254.169.254, 10.1.2.3 or www.example.com
    blobs = [path.read_bytes() for path in (out / "blobs").rglob("*") if path.is_file()]
    warcs = [gzip.decompress(path.read_bytes()) for path in (out / "warc").glob("*.warc.gz")]
    assert blobs and warcs and not any(PASSWD in data or SECRET in data for data in blobs + warcs)
    allowed = {f"http://{host}:{port}" for host in ("www.luoshan.gov.cn", "xxgk.luoshan.gov.cn", "files.henan-cdn.com",
                                                    "www.xinyang.gov.cn")}
    assert {"/".join(uri.split("/", 3)[:3]) for uri in warc_uris(out)} == allowed


def warc_uris(out):
    uris = set()
    for path in (out / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            uris |= {record.rec_headers.get_header("WARC-Target-URI") for record in ArchiveIterator(f)
                     if record.rec_type in ("request", "response")}
    return uris


def test_each_refusal_is_one_error_line_naming_its_rule(hostile_crawl):
    out, summary, port, other, *_ = hostile_crawl
    errors = lines(out / "errors.jsonl")
    refused = [e for e in errors if e["kind"] == "refused_url"]
    expected = expected_refusals(port, other.port)
    assert Counter((e["portal"], e["url"]) for e in refused) == {key: n for key, (n, _) in expected.items()}
    for error in refused:
        rule = expected[error["portal"], error["url"]][1]
        assert error["message"].startswith(f"refused: {rule}"), error
    assert {e["kind"] for e in errors} == {"refused_url"}  # nothing else failed


def test_hostile_crawl_keeps_what_is_allowed(hostile_crawl):
    out, summary, port, other, proxy, portal_server = hostile_crawl
    reports = {r["title"]: r for r in lines(out / "reports.jsonl")}
    luoshan = reports["罗山县人民政府2021年政府信息公开工作年度报告"]
    assert [(d["url"], (out / d["blob"]).read_bytes()[:8]) for d in luoshan["documents"][1:]] == [
        (f"http://xxgk.luoshan.gov.cn:{port}/files/report2021.pdf", REPORT_PDF[:8]),   # a sub-domain
        (f"http://files.henan-cdn.com:{port}/tables2021.xlsx", TABLES_XLSX[:8]),        # allow_hosts
    ]
    assert ("GET", "/tables2021.xlsx", f"files.henan-cdn.com:{port}") in portal_server.requests
    assert [d["role"] for d in reports["信阳市人民政府2021年政府信息公开工作年度报告"]["documents"]] == ["page"]
    # each run is partial: documents of a report were refused, so they are missing
    assert {name: (p["status"], p["refused_documents"]) for name, p in summary["portals"].items()} == {
        "罗山县人民政府": ("partial", 12), "信阳市人民政府": ("partial", 2)}  # 10 attachments, 2 report pages


# ------------------------------------------------------------------------- no way in to a crawl
def listening_ports(pid: int) -> set[int]:
    """TCP ports a process listens on (its socket inodes in the kernel's tables of LISTEN sockets)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def killed_crawl(tmp_path: Path, name: str, settings: dict) -> tuple[set[int], list[Path]]:
    """A crawl of a slow portal, killed with SIGKILL once it is fetching: the ports it listened on
    meanwhile, and the files left in its Scrapy state directory (XDG_STATE_HOME)."""
    state = tmp_path / name / "state"
    portal = generate_portal(tmp_path / name / "site", reports=6)
    with site_server(portal, delay=0.2) as server:
        code = ("import json, sys; from pathlib import Path; from crawler.run import crawl; "
                "a = json.load(sys.stdin); crawl(a['portals'], Path(a['out']), a['settings'])")
        args = json.dumps({"portals": [{"name": "示例县人民政府", "url": f"{server.url}/index.html"}],
                           "out": str(tmp_path / name / "out"), "settings": {**FAST, **settings}})
        env = {**os.environ, "XDG_STATE_HOME": str(state), "HOME": str(tmp_path / name)}
        child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, cwd=REPO, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        child.stdin.write(args)
        child.stdin.close()
        ports, deadline = set(), time.monotonic() + 60
        try:
            while len(server.requests) < 3 and child.poll() is None and time.monotonic() < deadline:
                ports |= listening_ports(child.pid)
                time.sleep(0.05)
            ports |= listening_ports(child.pid)
            assert child.poll() is None, "the crawl ended before it could be killed"
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
    return ports, [path for path in state.rglob("*") if path.is_file()] if state.exists() else []


def test_a_killed_crawl_listened_on_no_port_and_leaves_no_job_file(tmp_path):
    # Scrapy's defaults (its remote-control extension, which nianbao does not load, put back), as a
    # check that this test sees what it looks for: a telnet console and a remote-control server
    # listening, and a job file with the access token left by the killed run
    ports, files = killed_crawl(tmp_path, "scrapy-defaults", {
        "TELNETCONSOLE_ENABLED": True, "REMOTE_CONTROL_ENABLED": True,
        "EXTENSIONS": {**EXTENSIONS, "scrapy.extensions.remote_control.RemoteControl": 0}})
    assert len(ports) == 2 and [path.parent.name for path in files] == ["job_files"]
    assert '"token"' in files[0].read_text()
    # nianbao's settings
    assert killed_crawl(tmp_path, "nianbao", {}) == (set(), [])
