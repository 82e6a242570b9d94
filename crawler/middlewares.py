"""Downloader middlewares: classifying failed fetches into errors.jsonl kinds, and honouring
``Retry-After``.

:class:`ErrorMiddleware` sees every request — scheduled ones and the attachment downloads a
spider makes directly — so failures are classified in one place. Placed below RetryMiddleware,
it sees only the outcome after the last retry. A request Scrapy drops on purpose is an error
too when it loses something: a redirect chain longer than ``NIANBAO_MAX_REDIRECTS``
(``redirect_limit``), a body over ``NIANBAO_MAX_DOCUMENT_BYTES`` as sent or once decompressed
(``too_large``; a gzip bomb served as a PDF is cut off while it is inflated), a host given up.
Scrapy's redirect and decompression middlewares drop a response by raising in
``process_response``, which no ``process_exception`` sees: their subclasses here
(:class:`RedirectMiddleware`, :class:`MetaRefreshMiddleware`, :class:`HttpCompressionMiddleware`)
report such a drop themselves, in the same words.

:class:`RetryAfterMiddleware` reads the ``Retry-After`` of a 429 or 503 before RetryMiddleware
retries it: a wait up to ``NIANBAO_MAX_RETRY_AFTER`` seconds is slept (without blocking the
reactor; other downloads go on) before the retry; a longer one gives the host up for the run
(``host_gave_up``), so a server asking for an hour's rest is not asked again within 50 ms.
"""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares import httpcompression, redirect
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    DownloadCancelledError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.utils.asyncio import sleep

from crawler.addresses import RefusedURL
from crawler.signals import error_found


class HostGivenUp(IgnoreRequest):
    """A request to a host that asked, earlier in this run, to be left alone for too long."""


EXCEPTION_KINDS = (
    (CannotResolveHostError, "dns"),
    (DownloadConnectionRefusedError, "refused"),
    (DownloadTimeoutError, "timeout"),
    (HostGivenUp, "host_gave_up"),
    (RefusedURL, "refused_url"),  # crawler.addresses: the message says which rule refused it
    # DOWNLOAD_MAXSIZE: a Content-Length over it, or a body growing past it, cancels the download.
    (DownloadCancelledError, "too_large"),
)
#: Requests Scrapy drops on purpose (IgnoreRequest), by what its message says; others are no error
#: (a portal over its budget has said so once, crawler.budget).
IGNORED_KINDS = (
    ("robots.txt", "robots"),
    ("max redirections reached", "redirect_limit"),
    ("redirect loop", "redirect_limit"),
    ("DOWNLOAD_MAXSIZE", "too_large"),  # HttpCompressionMiddleware: too large once decompressed
)


BLOCKED = (403, 412, 429)  # refused, failed an anti-bot challenge (412 is common on gov.cn WAFs), rate-limited
NOT_MODIFIED = 304  # answered from the archive (crawler.incremental) before this middleware sees it


def status_kind(status: int, column_hint: bool = False) -> str | None:
    """The error kind of a response status, None for a success: ``blocked``, ``column_gone`` (the
    portal file's column URL answers 404), ``http_404``, ``http_4xx``, ``http_5xx``, and ``http_3xx``
    for a redirect that reached this middleware, below RedirectMiddleware: one it could not follow
    (no ``Location``), so the page or document is missing."""
    if 300 <= status < 400 and status != NOT_MODIFIED:
        return "http_3xx"
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
    """The error kind of a download exception; None for requests deliberately skipped at no loss."""
    for cls, kind in EXCEPTION_KINDS:
        if isinstance(exc, cls):
            return kind
    if isinstance(exc, IgnoreRequest):
        return next((kind for words, kind in IGNORED_KINDS if words in str(exc)), None)
    return "network"


def exception_message(kind: str, exc: Exception, request: Request, settings) -> str:
    """What the error line says: the exception, and for a limit the nianbao setting that set it."""
    message = str(exc)
    if kind == "too_large":
        return (f"larger than NIANBAO_MAX_DOCUMENT_BYTES ({settings.getint('DOWNLOAD_MAXSIZE'):,} bytes): "
                f"{message or 'the body grew past it as it arrived'}")
    message = message or type(exc).__name__
    if kind == "redirect_limit" and "redirect loop" not in message:
        return (f"more than NIANBAO_MAX_REDIRECTS ({settings.getint('REDIRECT_MAX_TIMES')}) redirects: {message}; "
                f"the last was {request.url}")
    return message


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
            self._send(request, kind, exception_message(kind, exception, request, self.crawler.settings))

    def _send(self, request: Request, kind: str, message: str) -> None:
        if urlsplit(request.url).path == "/robots.txt":
            return
        send_error(self.crawler, request, kind, message)


class ReportsDrops:
    """Mixin for a Scrapy middleware that drops a response by raising IgnoreRequest in
    ``process_response``: the drop is an error line, classified like :class:`ErrorMiddleware`'s."""

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.errors = ErrorMiddleware(crawler)
        return middleware

    def process_response(self, request: Request, response: Response, spider=None):
        try:
            return super().process_response(request, response)
        except IgnoreRequest as dropped:
            self.errors.process_exception(request, dropped)
            raise


class StopsLoops:
    """Mixin for Scrapy's redirect middlewares: a redirect to a URL its chain has visited twice is a
    loop, dropped at once. One return is let through, the duplicate filter included (a cookie
    bounce: ``A → set cookie → A``), which Scrapy's filter would drop without a word for a scheduled
    request, as it would a loop; a download the spider awaits Scrapy would follow round a loop until
    ``REDIRECT_MAX_TIMES``."""

    def _redirect(self, redirected: Request, request: Request, reason):
        visits = [*request.meta.get("redirect_urls", ()), request.url].count(redirected.url)
        if visits >= 2:
            raise IgnoreRequest(f"redirect loop: {request.url} leads back to {redirected.url} once more")
        redirected = super()._redirect(redirected, request, reason)
        redirected.dont_filter = redirected.dont_filter or visits == 1
        return redirected


class RedirectMiddleware(ReportsDrops, StopsLoops, redirect.RedirectMiddleware):
    """Scrapy's, reporting a loop or a chain cut off at ``REDIRECT_MAX_TIMES`` (``redirect_limit``)."""


class MetaRefreshMiddleware(ReportsDrops, StopsLoops, redirect.MetaRefreshMiddleware):
    """Scrapy's, reporting a loop or a chain cut off at ``REDIRECT_MAX_TIMES`` (``redirect_limit``)."""


class HttpCompressionMiddleware(ReportsDrops, httpcompression.HttpCompressionMiddleware):
    """Scrapy's, reporting a body that grew past ``DOWNLOAD_MAXSIZE`` while inflated (``too_large``)."""


def send_error(crawler, request: Request, kind: str, message: str) -> None:
    """An errors.jsonl line about ``request`` (crawler.extensions.CrawlLog writes it). A redirect chain
    cut off is named by the URL it started from — the link followed, the document a report names."""
    url = request.meta.get("redirect_urls", [request.url])[0] if kind == "redirect_limit" else request.url
    crawler.signals.send_catch_log(error_found, portal=request.meta.get("portal"), url=url, kind=kind,
                                   message=message)


RETRY_AFTER_STATUSES = (429, 503)


def retry_after(response: Response, now: datetime | None = None) -> float | None:
    """Seconds a 429 or 503 asks to wait (``Retry-After: 120`` or an HTTP date), None if it does not say."""
    value = response.headers.get("Retry-After")
    if response.status not in RETRY_AFTER_STATUSES or not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)


class RetryAfterMiddleware:
    """Waits out a short ``Retry-After`` before RetryMiddleware retries; gives up a host asking for
    longer than ``NIANBAO_MAX_RETRY_AFTER`` (see the module docstring)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("NIANBAO_MAX_RETRY_AFTER")
        self.given_up: dict[str, str] = {}  # host:port → why

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).netloc
        if host in self.given_up:
            raise HostGivenUp(f"not requested: {host} was given up for this run ({self.given_up[host]})")

    async def process_response(self, request: Request, response: Response) -> Response:
        wait = retry_after(response)
        if wait is None:
            return response
        if wait > self.max_wait:
            host = urlsplit(request.url).netloc
            self.given_up[host] = (f"HTTP {response.status} with Retry-After {wait:.0f} s, more than "
                                   f"NIANBAO_MAX_RETRY_AFTER ({self.max_wait:.0f} s)")
            request.meta["dont_retry"] = True
            send_error(self.crawler, request, "host_gave_up",
                       f"{self.given_up[host]}: no further request to {host} in this run")
            return response
        if self.will_retry(request):
            await sleep(wait)
        return response

    def will_retry(self, request: Request) -> bool:
        """Whether RetryMiddleware would retry this request (nothing to wait for otherwise)."""
        settings = self.crawler.settings
        retries = request.meta.get("max_retry_times", settings.getint("RETRY_TIMES"))
        return (settings.getbool("RETRY_ENABLED") and not request.meta.get("dont_retry")
                and request.meta.get("retry_times", 0) < retries)
