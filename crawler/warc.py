"""Archival before parsing: every HTTP exchange goes to WARC 1.1 files.

:class:`WarcMiddleware` sits next to the network in the downloader middleware chain,
so it sees each response as received — redirects, 404s, robots.txt, JSON and
attachments included — before Scrapy decompresses, follows or discards it, and
before any spider code runs. It records where the bytes went in
``request.meta["warc"]`` (``warc_file``, ``warc_record_id``, ``fetched_at``), which is
how report items carry provenance, with the response record's ``warc_offset`` and
``warc_length`` (its gzip member; null for a payload archived by a run before they were kept).

What is stored is what Scrapy hands over: the status line is rebuilt from the
status code and protocol, header names come Scrapy-normalised, and a
``Transfer-Encoding`` header is renamed ``X-Crawler-Transfer-Encoding`` because the
body has already been de-chunked (keeping it would make readers de-chunk again).

Re-crawls (see :mod:`crawler.state`): a ``304 Not Modified`` to a conditional
request is written as a ``revisit`` record with profile ``server-not-modified``, a 200
whose payload digest equals the one archived for that URL as a ``revisit`` with
profile ``identical-payload-digest``; both name the archived record in
``WARC-Refers-To`` / ``-Target-URI`` / ``-Date``, and ``request.meta["warc"]`` then
points at that record, the one that holds the payload.

An exchange is composed in memory and appended whole or not at all
(:func:`crawler.crawldir.append_whole`), so a full disk never tears a WARC file. A response
that cannot be archived (a storage error: WARC file or state) is sent as
:data:`crawler.signals.storage_failed`, which stops the crawl, and goes no further
(``IgnoreRequest``): nothing is parsed that is not archived.
"""
from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
import zlib
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import GzippingWrapper, WARCWriter

from crawler.crawldir import STORAGE_ERRORS, WARC, append_whole, crawl_dir, describe_storage_error
from crawler.extensions import portal_stat
from crawler.signals import storage_failed
from crawler.state import STATE, CrawlState, Known

WARC_VERSION = "1.1"
SOFTWARE = "nianbao/0.1 (Scrapy, warcio)"
PROFILES = {
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}
# Each record is its own gzip member (so a reader can seek to it), compressed at zlib's default level,
# not at warcio's 9: on the county bench's pages and PDFs (bench/crawl_bench.py --units) level 6 takes
# 13% less time than 9 for 0.8% more bytes; level 1 half the time but 9% more bytes, kept forever.
GZIP_LEVEL = 6
# Headers that describe the bytes on the wire, not the body a spider parses.
WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "x-crawler-transfer-encoding"}


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio would compute: base32 SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class LevelledGzip(GzippingWrapper):
    """warcio's gzip member for one record, at :data:`GZIP_LEVEL` (warcio's own is fixed at 9)."""

    def __init__(self, out):  # not super(): it would build a level-9 compressor to throw away
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out


class LevelledWARCWriter(WARCWriter):
    """A gzipped WARC writer whose records are :class:`LevelledGzip` members."""

    def __init__(self, filebuf, **kwargs):
        super().__init__(filebuf, gzip=False, **kwargs)  # the members are made here, not by warcio

    def _write_warc_record(self, out, record):
        super()._write_warc_record(LevelledGzip(out), record)


class WarcFiles:
    """Rolling ``DIR/warc/nianbao-<timestamp>-<serial>.warc.gz`` files.

    Each file starts with a ``warcinfo`` record; a new file is started once the
    current one reaches ``max_size`` bytes (checked between exchanges, so a
    request/response pair is never split across files). Records are composed in
    ``buffer`` and appended to the file whole (:meth:`_append`).
    """

    def __init__(self, root: Path, max_size: int, info: dict[str, str]):
        self.root = root
        self.max_size = max_size
        self.info = info
        self.stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.serial = 0
        self.fd: int | None = None
        self.size = 0
        self.name = None  # relative to the crawl directory, as items cite it
        self.buffer = BytesIO()
        self.writer = LevelledWARCWriter(self.buffer, warc_version=WARC_VERSION)

    def write_exchange(self, request: StatusAndHeaders, response: StatusAndHeaders,
                       url: str, body: bytes, request_body: bytes, ip: str | None, digest: str) -> dict[str, str]:
        """Write a request/response pair linked by WARC-Concurrent-To; return the response's location."""
        # The digest is passed in (the caller needed it anyway), so warcio does not hash the body again.
        extra = {"WARC-Payload-Digest": digest, **({"WARC-IP-Address": ip} if ip else {})}
        # Known lengths let warcio digest the in-memory bodies instead of spooling them to temp files.
        resp = self.writer_for_next().create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                                         http_headers=response, warc_headers_dict=extra)
        return self._write_pair(resp, request, url, request_body)

    def write_revisit(self, request: StatusAndHeaders, response: StatusAndHeaders, url: str,
                      request_body: bytes, profile: str, original: Known) -> dict[str, str]:
        """Write a revisit record (HTTP headers only) naming ``original``, and its request."""
        revisit = self.writer_for_next().create_revisit_record(
            url, original.payload_digest, original.url, original.warc_date, http_headers=response,
            warc_headers_dict={"WARC-Refers-To": original.record_id})
        revisit.rec_headers.replace_header("WARC-Profile", PROFILES[profile])
        return self._write_pair(revisit, request, url, request_body)

    def writer_for_next(self) -> WARCWriter:
        """The writer for the next exchange, after rolling over if the current file is full
        (checked between exchanges, so a request is never split from its response)."""
        if self.fd is None or self.size >= self.max_size:
            self._roll()
        return self.writer

    def _write_pair(self, resp, request: StatusAndHeaders, url: str, request_body: bytes) -> dict:
        """Write the response, then its request, as warcio's ``write_request_response_pair`` does, but
        one at a time to learn where the response's gzip member ends: the archive then serves the record
        by seeking to it (``warc_offset``, ``warc_length``) instead of reading the whole file."""
        req = self.writer.create_warc_record(url, "request", payload=BytesIO(request_body),
                                             length=len(request_body), http_headers=request)
        date, record_id = resp.rec_headers.get_header("WARC-Date"), resp.rec_headers.get_header("WARC-Record-ID")
        req.rec_headers.replace_header("WARC-Target-URI", resp.rec_headers.get_header("WARC-Target-URI"))
        req.rec_headers.replace_header("WARC-Date", date)
        req.rec_headers.replace_header("WARC-Concurrent-To", record_id)
        self.writer.write_record(resp)
        length = self.buffer.tell()
        self.writer.write_record(req)
        offset = self._append(self.fd)  # in the OS before anyone records where it is: survives kill -9
        return {
            "warc_file": self.name,
            "warc_record_id": record_id,
            "warc_offset": offset,
            "warc_length": length,
            "fetched_at": date[:19] + "Z",
            "warc_date": date,
        }

    def _append(self, fd: int) -> int:
        """Append the records composed in ``buffer`` to ``fd`` whole, or nothing; empty the buffer.
        Return the offset they start at (this process is the file's only writer)."""
        try:
            data = self.buffer.getvalue()
            append_whole(fd, data)
            self.size = os.lseek(fd, 0, os.SEEK_END)
            return self.size - len(data)
        finally:
            self.buffer.seek(0)
            self.buffer.truncate()

    def path(self) -> Path:
        """The file being written (or about to be), for error messages."""
        return self.root / (self.name or WARC)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def _roll(self) -> None:
        """Close the current file and open the next free serial (never overwrite an earlier run). A file
        whose ``warcinfo`` could not be written is removed: no file is left without one."""
        self.close()
        (self.root / WARC).mkdir(parents=True, exist_ok=True)
        while True:
            self.serial += 1
            self.name = f"{WARC}/nianbao-{self.stamp}-{self.serial:05d}.warc.gz"
            try:
                fd = os.open(self.root / self.name, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o644)
                break
            except FileExistsError:
                continue
        try:
            self.writer.write_record(self.writer.create_warcinfo_record(Path(self.name).name, self.info))
            self._append(fd)
        except BaseException:
            os.close(fd)
            os.unlink(self.root / self.name)
            raise
        self.fd = fd


class WarcMiddleware:
    """Downloader middleware writing every response (and its request) to :class:`WarcFiles`,
    as a revisit when :class:`crawler.state.CrawlState` shows the payload is already archived."""

    def __init__(self, files: WarcFiles, state: CrawlState, crawler):
        self.files = files
        self.state = state
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        info = {
            "software": SOFTWARE,
            "format": f"WARC File Format {WARC_VERSION}",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "operator": settings.get("NIANBAO_CONTACT"),
        }
        files = WarcFiles(crawl_dir(settings), settings.getint("NIANBAO_WARC_MAX_SIZE"), info)
        middleware = cls(files, CrawlState.of(crawler), crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        try:
            self.archive(request, response)
        except STORAGE_ERRORS as error:
            path = self.files.root / STATE if isinstance(error, sqlite3.Error) else self.files.path()
            self.crawler.signals.send_catch_log(storage_failed, path=path, error=error,
                                                portal=request.meta.get("portal"), url=request.url)
            raise IgnoreRequest(f"not archived: {describe_storage_error(path, error)}") from error
        return response

    def archive(self, request: Request, response: Response) -> None:
        """Write the exchange (or its revisit) and note it in the crawl state and ``request.meta``."""
        if "reused" in response.flags:  # not fetched (crawler.incremental): nothing to archive
            request.meta["warc"] = original_location(self.state.known(response.url))
            return
        self._count(request, "bytes", len(response.body))
        known = self.state.known(response.url)
        http_request, http_response = request_headers(request), response_headers(response)
        if response.status == 304 and known and request.meta.get("conditional"):
            request.meta["warc"] = self._revisit(request, http_request, http_response, "server-not-modified", known)
            return
        digest = payload_digest(response.body)
        if response.status == 200 and known and known.payload_digest == digest:
            request.meta["warc"] = self._revisit(request, http_request, http_response, "identical-payload-digest",
                                                 known)
            return
        where = self.files.write_exchange(http_request, http_response, url=response.url, body=response.body,
                                          request_body=request.body, ip=_ip(response), digest=digest)
        request.meta["warc"] = where
        if response.status == 200:
            self.state.archived(response.url, digest, where, _header(response, b"ETag"),
                                _header(response, b"Last-Modified"), parse_headers(http_response))

    def _revisit(self, request: Request, http_request, http_response, profile: str, known: Known) -> dict:
        """Archive the exchange as a revisit; the payload's location is the original record's."""
        self.files.write_revisit(http_request, http_response, known.url, request.body, profile, known)
        self.state.confirmed(known.url, http_response.get_header("ETag"), http_response.get_header("Last-Modified"))
        self._count(request, "revisits", 1)
        return original_location(known)

    def _count(self, request: Request, counter: str, n: int) -> None:
        if request.meta.get("portal"):
            self.stats.inc_value(portal_stat(request.meta["portal"], counter), n)

    def spider_closed(self) -> None:
        self.files.close()


def original_location(known: Known) -> dict[str, str]:
    """Where the payload of a document that was not downloaded again is archived."""
    return {"warc_file": known.warc_file, "warc_record_id": known.record_id, "warc_offset": known.warc_offset,
            "warc_length": known.warc_length, "fetched_at": known.warc_date[:19] + "Z", "warc_date": known.warc_date}


def parse_headers(http_response: StatusAndHeaders) -> list[list[str]]:
    """The headers a spider needs to parse the body again (type, disposition), minus the wire's."""
    return [[name, value] for name, value in http_response.headers if name.lower() not in WIRE_HEADERS]


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def request_headers(request: Request) -> StatusAndHeaders:
    """The request line and headers as sent. ``Host`` is added by the HTTP client, so it is restored here."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = [] if "Host" in request.headers else [("Host", parts.netloc)]
    headers = host + _header_list(request.headers)
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)


def response_headers(response: Response) -> StatusAndHeaders:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    headers = [
        ("X-Crawler-Transfer-Encoding" if name.lower() == "transfer-encoding" else name, value)
        for name, value in _header_list(response.headers)
    ]
    return StatusAndHeaders(f"{response.status} {reason}".strip(), headers, protocol=response.protocol or "HTTP/1.1")


def _header_list(headers) -> list[tuple[str, str]]:
    # latin-1 maps bytes to str losslessly; warcio then %-encodes any non-ASCII value (RFC 8187).
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


def _ip(response: Response) -> str | None:
    return str(response.ip_address) if response.ip_address else None
