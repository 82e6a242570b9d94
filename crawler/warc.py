"""Archival before parsing: every HTTP exchange goes to WARC 1.1 files.

:class:`WarcMiddleware` sits next to the network in the downloader middleware chain,
so it sees each response as received — redirects, 404s, robots.txt, JSON and
attachments included — before Scrapy decompresses, follows or discards it, and
before any spider code runs. It records where the bytes went in
``request.meta["warc"]`` (``warc_file``, ``warc_record_id``, ``fetched_at``), which is
how report items carry provenance.

What is stored is what Scrapy hands over: the status line is rebuilt from the
status code and protocol, header names come Scrapy-normalised, and a
``Transfer-Encoding`` header is renamed ``X-Crawler-Transfer-Encoding`` because the
body has already been de-chunked (keeping it would make readers de-chunk again).
"""
from __future__ import annotations

from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.crawldir import WARC, crawl_dir

WARC_VERSION = "1.1"
SOFTWARE = "nianbao/0.1 (Scrapy, warcio)"


class WarcFiles:
    """Rolling ``DIR/warc/nianbao-<timestamp>-<serial>.warc.gz`` files.

    Each file starts with a ``warcinfo`` record; a new file is started once the
    current one reaches ``max_size`` bytes (checked between exchanges, so a
    request/response pair is never split across files).
    """

    def __init__(self, root: Path, max_size: int, info: dict[str, str]):
        self.root = root
        self.max_size = max_size
        self.info = info
        self.stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        self.serial = 0
        self.file = None
        self.name = None  # relative to the crawl directory, as items cite it
        self.writer: WARCWriter | None = None

    def write_exchange(self, request: StatusAndHeaders, response: StatusAndHeaders,
                       url: str, body: bytes, request_body: bytes, ip: str | None) -> dict[str, str]:
        """Write a request/response pair linked by WARC-Concurrent-To; return the response's location."""
        if self.file is None or self.file.tell() >= self.max_size:
            self._roll()
        extra = {"WARC-IP-Address": ip} if ip else {}
        # Known lengths let warcio digest the in-memory bodies instead of spooling them to temp files.
        resp = self.writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                              http_headers=response, warc_headers_dict=extra)
        req = self.writer.create_warc_record(url, "request", payload=BytesIO(request_body),
                                             length=len(request_body), http_headers=request)
        self.writer.write_request_response_pair(req, resp)
        self.file.flush()
        date = resp.rec_headers.get_header("WARC-Date")
        return {
            "warc_file": self.name,
            "warc_record_id": resp.rec_headers.get_header("WARC-Record-ID"),
            "fetched_at": date[:19] + "Z",
        }

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def _roll(self) -> None:
        """Close the current file and open the next free serial (never overwrite an earlier run)."""
        self.close()
        (self.root / WARC).mkdir(parents=True, exist_ok=True)
        while True:
            self.serial += 1
            self.name = f"{WARC}/nianbao-{self.stamp}-{self.serial:05d}.warc.gz"
            try:
                self.file = open(self.root / self.name, "xb")
                break
            except FileExistsError:
                continue
        self.writer = WARCWriter(self.file, gzip=True, warc_version=WARC_VERSION)
        self.writer.write_record(self.writer.create_warcinfo_record(Path(self.name).name, self.info))


class WarcMiddleware:
    """Downloader middleware writing every response (and its request) to :class:`WarcFiles`."""

    def __init__(self, files: WarcFiles):
        self.files = files

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
        middleware = cls(files)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta["warc"] = self.files.write_exchange(
            request_headers(request), response_headers(response),
            url=response.url, body=response.body, request_body=request.body, ip=_ip(response),
        )
        return response

    def spider_closed(self) -> None:
        self.files.close()


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
