"""Helpers for the crawler tests: saved pages as Scrapy responses, a tiny local site server,
and running a crawl in a subprocess (the Twisted reactor cannot restart within one process)."""
from __future__ import annotations

import json
import mimetypes
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

from scrapy.http import Request
from scrapy.http.response import Response
from scrapy.responsetypes import responsetypes

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


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves tests/fixtures/crawler/site. ``/p?k=v`` is served from the file ``p_kv`` (so one
    static tree can hold paged and query-string URLs); such files get a JSON or PDF type from
    their first bytes and a UTF-8 Content-Disposition name like a CMS download script."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(SITE), **kwargs)

    def translate_path(self, path):
        parts = urlsplit(path)
        query = "".join(k + v for k, v in parse_qsl(parts.query))
        self.file_path = super().translate_path(parts.path + (f"_{query}" if query else ""))
        return self.file_path

    def guess_type(self, path):
        if Path(path).suffix:
            return mimetypes.guess_type(path)[0] or "application/octet-stream"
        head = Path(path).read_bytes()[:4] if Path(path).is_file() else b""
        return "application/json" if head.startswith(b"{") else "application/pdf"

    def end_headers(self):
        if Path(getattr(self, "file_path", "")).name.startswith("download_"):
            self.send_header("Content-Disposition", "attachment; filename*=UTF-8''" + quote("统计表.pdf"))
        super().end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def serve_site():
    """The fixture site on 127.0.0.1 (a free port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


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
