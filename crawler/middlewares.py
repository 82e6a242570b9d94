"""Downloader middleware classifying failed fetches into errors.jsonl kinds.

It sees every request — scheduled ones and the attachment downloads a spider makes
directly — so failures are classified in one place. Placed below RetryMiddleware,
it sees only the outcome after the last retry.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response

from crawler.addresses import RefusedURL
from crawler.signals import error_found

EXCEPTION_KINDS = (
    (CannotResolveHostError, "dns"),
    (DownloadConnectionRefusedError, "refused"),
    (DownloadTimeoutError, "timeout"),
)


BLOCKED = (403, 412, 429)  # refused, failed an anti-bot challenge (412 is common on gov.cn WAFs), rate-limited


def status_kind(status: int, column_hint: bool = False) -> str | None:
    """The error kind of a response status, None for a success or redirect: ``blocked``,
    ``column_gone`` (the portal file's column URL answers 404), ``http_404``, ``http_4xx``, ``http_5xx``."""
    if status in BLOCKED:
        return "blocked"
    if status == 404:
        return "column_gone" if column_hint else "http_404"
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    return None


def exception_kind(exc: Exception) -> str | None:
    """The error kind of a download exception; None for requests deliberately skipped."""
    if isinstance(exc, RefusedURL):
        return "refused_url"
    if isinstance(exc, IgnoreRequest):
        return "robots" if "robots.txt" in str(exc) else None
    for cls, kind in EXCEPTION_KINDS:
        if isinstance(exc, cls):
            return kind
    return "network"


class ErrorMiddleware:
    """Sends :data:`crawler.signals.error_found` for every failed fetch except robots.txt itself
    (a missing robots.txt is normal and means "allowed")."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        kind = status_kind(response.status, column_hint=request.meta.get("column_hint", False))
        if kind:
            self._send(request, kind, f"HTTP {response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        kind = exception_kind(exception)
        if kind:
            self._send(request, kind, str(exception) or type(exception).__name__)

    def _send(self, request: Request, kind: str, message: str) -> None:
        if urlsplit(request.url).path == "/robots.txt":
            return
        self.crawler.signals.send_catch_log(
            error_found, portal=request.meta.get("portal"), url=request.url, kind=kind, message=message
        )
