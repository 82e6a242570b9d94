"""Serve built demo sites: one ThreadingHTTPServer per portal, on 127.0.0.1.

Files are served as a static web server would, plus what real portals do that
files cannot: 301/302 redirects, ``?page=N`` routes (list pages, the JSON
endpoint), the site's charset on HTML, Content-Disposition names for
attachments, Last-Modified/ETag with conditional GET (304), and 404s.
"""
from __future__ import annotations

import email.utils
import hashlib
import json
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

HOST = "127.0.0.1"
CONTENT_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css",
    ".js": "application/javascript",
    ".png": "image/png",
}


@dataclass
class Site:
    """One built site: its file tree and its ``<slug>.site.json`` settings."""

    root: Path
    config: dict

    @property
    def charset(self):
        return self.config["charset"]

    def content_type(self, path: Path) -> str:
        if path.suffix == ".html":
            return f"text/html; charset={self.charset}"
        return CONTENT_TYPES.get(path.suffix, "application/octet-stream")


def load_sites(site_dir: Path) -> list[Site]:
    """The sites ``build_sites`` wrote under ``site_dir``, in portal order."""
    configs = [json.loads(p.read_text(encoding="utf-8")) for p in Path(site_dir).glob("*.site.json")]
    return [Site(Path(site_dir) / c["slug"], c) for c in sorted(configs, key=lambda c: c["order"])]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "nginx"

    def do_GET(self):
        self.respond(send_body=True)

    def do_HEAD(self):
        self.respond(send_body=False)

    def respond(self, send_body):
        site: Site = self.server.site
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path in site.config["redirects"]:
            status, location = site.config["redirects"][path]
            return self.send(status, b"", {"Location": location}, send_body)
        if path in site.config["paged"]:
            page = parse_qs(url.query).get("page", ["1"])[0]
            if not page.isdigit():
                return self.not_found(send_body)
            file = site.root / site.config["paged"][path].format(page=int(page))
        else:
            if ".." in path.split("/"):
                return self.not_found(send_body)
            file = site.root / path.lstrip("/")
            if path.endswith("/"):
                file = file / "index.html"
            elif file.is_dir():  # as web servers do: /dir → /dir/
                return self.send(301, b"", {"Location": path + "/"}, send_body)
        if not file.is_file():
            return self.not_found(send_body)
        self.send_file(site, path, file, send_body)

    def send_file(self, site, path, file, send_body):
        mtime = file.stat().st_mtime
        data, etag = _read(file, mtime)
        headers = {"Content-Type": site.content_type(file), "ETag": etag,
                   "Last-Modified": email.utils.formatdate(mtime, usegmt=True)}
        if path in site.config["filenames"]:
            name = site.config["filenames"][path]
            headers["Content-Disposition"] = (f'attachment; filename="{file.name}"; '
                                              f"filename*=UTF-8''{quote(name)}")
        if _not_modified(self.headers, etag, mtime):
            return self.send(304, b"", {k: headers[k] for k in ("ETag", "Last-Modified")}, send_body)
        self.send(200, data, headers, send_body)

    def not_found(self, send_body):
        page = (f'<!DOCTYPE html><html><head><meta charset="{self.server.site.charset}">'
                "<title>404 页面不存在</title></head><body><h1>404</h1><p>您访问的页面不存在或已被删除。</p>"
                "</body></html>")
        self.send(404, page.encode(self.server.site.charset),
                  {"Content-Type": f"text/html; charset={self.server.site.charset}"}, send_body)

    def send(self, status, data, headers, send_body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if send_body and data:
            self.wfile.write(data)

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write(f"{self.server.site.config['name']} {self.address_string()} {format % args}\n")


@lru_cache(maxsize=512)
def _read(file: Path, mtime: float) -> tuple[bytes, str]:
    """A file's bytes and ETag (content hash), cached until the file changes."""
    data = file.read_bytes()
    return data, '"' + hashlib.sha1(data).hexdigest()[:16] + '"'


def _not_modified(headers, etag, mtime) -> bool:
    """Conditional GET: If-None-Match wins over If-Modified-Since (RFC 9110)."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match:
        return if_none_match.strip() == "*" or etag in [t.strip() for t in if_none_match.split(",")]
    since = headers.get("If-Modified-Since")
    if since:
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


class Servers:
    """The running demo portals; ``portals`` is the portal-file list."""

    def __init__(self, site_dir: Path, ports=None, verbose=False):
        self.servers, self.portals, self.threads = [], [], []
        sites = load_sites(site_dir)
        ports = list(ports or [0] * len(sites))
        if len(ports) != len(sites):
            raise ValueError(f"{len(sites)} sites need {len(sites)} ports, got {len(ports)}")
        for site, port in zip(sites, ports):
            server = ThreadingHTTPServer((HOST, port), Handler)
            server.daemon_threads = True
            server.site, server.verbose = site, verbose
            self.servers.append(server)
            self.portals.append({"name": site.config["name"], "url": f"http://{HOST}:{server.server_address[1]}/",
                                 "level": site.config["level"], "region": site.config["region"]})

    def start(self):
        for server in self.servers:
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self):
        for server in self.servers:
            if self.threads:  # shutdown() waits for serve_forever(), so only once started
                server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
