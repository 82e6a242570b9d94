"""Archival: WARC 1.1 files that warcio's own checker accepts, request/response pairs linked,
rolled over at the size limit, unchanged payloads as revisits; failures classified for errors.jsonl."""
import asyncio
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
                               IgnoreRequest)
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost
from warcio.archiveiterator import ArchiveIterator

from crawler.incremental import ConditionalRequestMiddleware
from crawler.middlewares import exception_kind, status_kind
from crawler.pipelines import BlobStorePipeline
from crawler.spiders.pages import document
from crawler.warc import WarcMiddleware

WARCIO = str(Path(sys.executable).parent / "warcio")


def settings(tmp_path, **overrides):
    return {"NIANBAO_OUT_DIR": str(tmp_path), "NIANBAO_WARC_MAX_SIZE": 10**9, **overrides}


def middleware(tmp_path, **overrides):
    return WarcMiddleware.from_crawler(get_crawler(settings_dict=settings(tmp_path, **overrides)))


def close(mw):
    """What the end of a crawl does: close the WARC file and commit the crawl state."""
    mw.spider_closed()
    mw.state.close()


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
    close(mw)

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
    close(mw)
    assert len(set(files)) == 3 and files == sorted(files)
    for name in files:
        kinds = [r[0] for r in records(tmp_path / name)]
        assert kinds == ["warcinfo", "response", "request"]
    subprocess.run([WARCIO, "check", *[str(tmp_path / f) for f in files]], check=True)


def test_a_second_run_never_overwrites_the_first(tmp_path):
    first = middleware(tmp_path)
    a = exchange(first, "http://127.0.0.1:1/a")
    close(first)
    second = middleware(tmp_path)  # within the same second: the next serial
    b = exchange(second, "http://127.0.0.1:1/b")
    close(second)
    assert a["warc_file"] != b["warc_file"]


def test_unchanged_payload_becomes_a_revisit_of_the_archived_record(tmp_path):
    url = "http://127.0.0.1:1/t1.html"
    first = middleware(tmp_path)
    original = exchange(first, url)
    close(first)
    second = middleware(tmp_path)  # the next run
    again = exchange(second, url)
    changed = exchange(second, url, body=b"<html>revised</html>")
    close(second)

    assert again == original  # the item cites the record that holds the payload
    (_, revisit, _, _), (_, request, _, _), (_, response, _, body), _ = records(tmp_path / changed["warc_file"])[1:]
    assert revisit.get_header("WARC-Type") == "revisit"
    assert revisit.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert revisit.get_header("WARC-Refers-To") == original["warc_record_id"]
    assert revisit.get_header("WARC-Refers-To-Target-URI") == url
    assert revisit.get_header("WARC-Refers-To-Date") == original["warc_date"]
    assert request.get_header("WARC-Concurrent-To") == revisit.get_header("WARC-Record-ID")
    assert response.get_header("WARC-Record-ID") == changed["warc_record_id"] and body == b"<html>revised</html>"
    subprocess.run([WARCIO, "check", str(tmp_path / changed["warc_file"])], check=True)


def test_not_modified_becomes_a_revisit_and_the_stored_document(tmp_path):
    url = "http://127.0.0.1:1/t1.html"
    body = "<html><h1>年报</h1></html>".encode("gbk")
    crawler = get_crawler(settings_dict=settings(tmp_path))
    warc, conditional = WarcMiddleware.from_crawler(crawler), ConditionalRequestMiddleware.from_crawler(crawler)
    request = Request(url)
    assert conditional.process_request(request) is None and b"If-None-Match" not in request.headers
    response = HtmlResponse(url, body=body, request=request, headers={
        "Content-Type": "text/html; charset=gbk", "ETag": '"v1"', "Last-Modified": "Wed, 20 Jan 2021 00:00:00 GMT"})
    warc.process_response(request, response)
    item = {"page_url": url, "documents": [document(response, "page")]}
    asyncio.run(BlobStorePipeline.from_crawler(crawler).process_item(SimpleNamespace(**item)))

    again = Request(url)
    conditional.process_request(again)
    assert again.headers[b"If-None-Match"] == b'"v1"'
    assert again.headers[b"If-Modified-Since"] == b"Wed, 20 Jan 2021 00:00:00 GMT"
    not_modified = Response(url, status=304, request=again, headers={"ETag": '"v1"'})
    restored = conditional.process_response(again, warc.process_response(again, not_modified))
    close(warc)

    assert isinstance(restored, HtmlResponse) and restored.status == 200 and "not_modified" in restored.flags
    assert restored.body == body and restored.css("h1::text").get() == "年报"  # stored headers: GBK decoded
    assert again.meta["warc"]["warc_record_id"] == request.meta["warc"]["warc_record_id"]
    revisit = records(tmp_path / request.meta["warc"]["warc_file"])[3][1]
    assert revisit.get_header("WARC-Profile").endswith("/server-not-modified")
    assert crawler.stats.get_value("nianbao/A/not_modified") is None  # no portal in meta, no counter


def test_binary_response_kept_byte_for_byte(tmp_path):
    mw = middleware(tmp_path)
    request = Request("http://127.0.0.1:1/a.pdf")
    pdf = b"%PDF-1.4\n\x00\xff binary"
    mw.process_response(request, Response(request.url, body=pdf, headers={"Content-Type": "application/pdf"},
                                          request=request))
    close(mw)
    assert records(tmp_path / request.meta["warc"]["warc_file"])[1][3] == pdf


@pytest.mark.parametrize("status, kind", [(200, None), (301, "http_3xx"), (304, None), (403, "blocked"), (412, "blocked"),
                                          (429, "blocked"), (404, "http_404"), (410, "http_4xx"), (500, "http_5xx"),
                                          (503, "http_5xx")])
def test_status_kinds(status, kind):
    assert status_kind(status) == kind


def test_a_missing_column_hint_is_a_column_gone():
    assert status_kind(404, column_hint=True) == "column_gone"


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


def test_a_recently_confirmed_document_is_reused_without_a_request(tmp_path):
    url = "http://127.0.0.1:1/a.pdf"
    crawler = get_crawler(settings_dict=settings(tmp_path, NIANBAO_RECHECK_DAYS=1))
    warc, conditional = WarcMiddleware.from_crawler(crawler), ConditionalRequestMiddleware.from_crawler(crawler)
    first = Request(url, meta={"portal": "A"})
    assert conditional.process_request(first) is None  # unknown: fetched
    fetched = Response(url, body=b"%PDF-1.4 report", request=first, headers={"Content-Type": "application/pdf"})
    warc.process_response(first, fetched)
    asyncio.run(BlobStorePipeline.from_crawler(crawler).process_item(
        SimpleNamespace(page_url=url, documents=[document(fetched, "attachment")])))
    archived = (tmp_path / first.meta["warc"]["warc_file"]).stat().st_size

    again = Request(url, meta={"portal": "A"})
    reused = conditional.process_request(again)  # confirmed a moment ago: no request
    assert reused.body == b"%PDF-1.4 report" and reused.flags == ["reused"] and type(reused) is Response
    assert warc.process_response(again, conditional.process_response(again, reused)) is reused
    close(warc)
    assert again.meta["warc"]["warc_record_id"] == first.meta["warc"]["warc_record_id"]
    assert (tmp_path / first.meta["warc"]["warc_file"]).stat().st_size == archived  # nothing archived
    assert crawler.stats.get_value("nianbao/A/reused") == 1 and crawler.stats.get_value("nianbao/A/bytes") == 15
