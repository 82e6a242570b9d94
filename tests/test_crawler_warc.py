"""Archival: WARC 1.1 files that warcio's own checker accepts, request/response pairs linked,
rolled over at the size limit; failures classified for errors.jsonl."""
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
                               IgnoreRequest)
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost
from warcio.archiveiterator import ArchiveIterator

from crawler.middlewares import exception_kind, status_kind
from crawler.warc import WarcMiddleware

WARCIO = str(Path(sys.executable).parent / "warcio")


def middleware(tmp_path, **settings):
    crawler = get_crawler(settings_dict={"NIANBAO_OUT_DIR": str(tmp_path), **settings})
    return WarcMiddleware.from_crawler(crawler)


def exchange(mw, url, status=200, body=b"<html>\xe5\xb9\xb4\xe6\x8a\xa5</html>", headers=None):
    request = Request(url, headers={"User-Agent": "nianbao-test"})
    response = HtmlResponse(url, status=status, body=body, request=request, protocol="HTTP/1.1",
                            headers=headers or {"Content-Type": "text/html; charset=utf-8"})
    assert mw.process_response(request, response) is response
    return request.meta["warc"]


def records(path):
    with open(path, "rb") as f:
        return [(r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
                for r in ArchiveIterator(f)]


def test_every_exchange_is_a_linked_request_response_pair(tmp_path):
    mw = middleware(tmp_path)
    where = exchange(mw, "http://127.0.0.1:1/list?page=2&x=1", status=404,
                     headers={"Content-Type": "text/html", "Transfer-Encoding": "chunked"})
    mw.spider_closed()

    assert where["warc_file"].startswith("warc/nianbao-") and where["warc_file"].endswith("-00001.warc.gz")
    assert where["fetched_at"].endswith("Z") and len(where["fetched_at"]) == 20
    (info, info_headers, _, info_body), (rtype, resp, http, body), (qtype, req, req_http, _) = records(
        tmp_path / where["warc_file"])
    assert info == "warcinfo" and info_headers.protocol == "WARC/1.1"
    assert b"software: nianbao" in info_body
    assert (rtype, qtype) == ("response", "request")
    assert resp.get_header("WARC-Record-ID") == where["warc_record_id"]
    assert req.get_header("WARC-Concurrent-To") == where["warc_record_id"]
    assert resp.get_header("WARC-Target-URI") == req.get_header("WARC-Target-URI") == "http://127.0.0.1:1/list?page=2&x=1"
    assert resp.protocol == "WARC/1.1" and resp.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert http.protocol == "HTTP/1.1" and http.statusline == "404 Not Found"
    assert http.get_header("Transfer-Encoding") is None and http.get_header("X-Crawler-Transfer-Encoding") == "chunked"
    assert body == "<html>年报</html>".encode()
    assert req_http.protocol == "GET" and req_http.statusline == "/list?page=2&x=1 HTTP/1.1"
    assert req_http.get_header("Host") == "127.0.0.1:1" and req_http.get_header("User-Agent") == "nianbao-test"
    subprocess.run([WARCIO, "check", str(tmp_path / where["warc_file"])], check=True)


def test_files_roll_over_at_the_size_limit(tmp_path):
    mw = middleware(tmp_path, NIANBAO_WARC_MAX_SIZE=1)
    files = [exchange(mw, f"http://127.0.0.1:1/{n}.pdf", body=bytes(1000))["warc_file"] for n in range(3)]
    mw.spider_closed()
    assert len(set(files)) == 3 and files == sorted(files)
    for name in files:
        kinds = [r[0] for r in records(tmp_path / name)]
        assert kinds == ["warcinfo", "response", "request"]
    subprocess.run([WARCIO, "check", *[str(tmp_path / f) for f in files]], check=True)


def test_a_second_run_never_overwrites_the_first(tmp_path):
    first, second = middleware(tmp_path), middleware(tmp_path)
    a, b = exchange(first, "http://127.0.0.1:1/"), exchange(second, "http://127.0.0.1:1/")
    first.spider_closed(), second.spider_closed()
    assert a["warc_file"] != b["warc_file"]


def test_binary_response_kept_byte_for_byte(tmp_path):
    mw = middleware(tmp_path)
    request = Request("http://127.0.0.1:1/a.pdf")
    pdf = b"%PDF-1.4\n\x00\xff binary"
    mw.process_response(request, Response(request.url, body=pdf, headers={"Content-Type": "application/pdf"},
                                          request=request))
    mw.spider_closed()
    assert records(tmp_path / request.meta["warc"]["warc_file"])[1][3] == pdf


@pytest.mark.parametrize("status, kind", [(200, None), (301, None), (403, "http_403"), (404, "http_404"),
                                          (410, "http_4xx"), (500, "http_5xx"), (503, "http_5xx")])
def test_status_kinds(status, kind):
    assert status_kind(status) == kind


@pytest.mark.parametrize("exc, kind", [
    (CannotResolveHostError("x"), "dns"),
    (DownloadConnectionRefusedError("x"), "refused"),
    (DownloadTimeoutError("x"), "timeout"),
    (ConnectionLost(), "network"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (IgnoreRequest("offsite"), None),
])
def test_exception_kinds(exc, kind):
    assert exception_kind(exc) == kind
