"""Known report documents on a re-crawl: reused, or asked for conditionally.

A document (report page or attachment) whose body an earlier run stored as a blob
(see :mod:`crawler.state`):

* confirmed by its server less than ``NIANBAO_RECHECK_DAYS`` ago, is not requested at
  all: the stored document is handed on, flagged ``reused``, and neither archived again
  nor counted as a page (annual reports hardly ever change once published, and on a
  real portal every request costs a politeness delay);
* otherwise is requested with ``If-None-Match`` / ``If-Modified-Since``. A ``304 Not
  Modified`` — archived as a revisit by :mod:`crawler.warc` first — is handed on as the
  200 response it stands for, flagged ``not_modified``. A server that ignores the
  validators answers 200 and costs a download; the WARC middleware still notices an
  identical payload.

Either way the spider parses a known report exactly as the first time, from the stored
headers and blob, so a report whose item was lost to a crash is still produced.

A page fetched only to be judged (``meta["judge"]``: a candidate's article, a templated
year's page) that a spider found not to be an annual report (the :data:`not_a_report`
signal, kept in the state) is treated the same way, except that there is nothing to hand
on: within ``NIANBAO_RECHECK_DAYS`` it is not requested, later a ``304`` confirms the
verdict; either way the request is dropped (``IgnoreRequest``, so a request with an errback
learns why). A changed page is judged again, as the state forgets the verdict with the payload.
"""
from __future__ import annotations

import time
from pathlib import Path

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.crawldir import STORAGE_ERRORS, crawl_dir
from crawler.extensions import portal_stat
from crawler.signals import not_a_report, storage_failed
from crawler.state import STATE, CrawlState, Known

CONDITIONAL = (b"If-None-Match", b"If-Modified-Since")


class ConditionalRequestMiddleware:
    """Downloader middleware just inside :class:`crawler.warc.WarcMiddleware`."""

    def __init__(self, root: Path, state: CrawlState, stats, recheck_after: float, signals):
        self.root = root
        self.state = state
        self.stats = stats
        self.recheck_after = recheck_after  # seconds
        self.signals = signals

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawl_dir(crawler.settings), CrawlState.of(crawler), crawler.stats,
                         crawler.settings.getfloat("NIANBAO_RECHECK_DAYS") * 86400, crawler.signals)
        crawler.signals.connect(middleware.keep_verdict, signal=not_a_report)
        return middleware

    def keep_verdict(self, url: str) -> None:
        """Note in the state that ``url`` is not a report; a state file that cannot be written is a
        storage error of the run (:data:`crawler.signals.storage_failed`)."""
        try:
            self.state.not_a_report(url)
        except STORAGE_ERRORS as error:
            self.signals.send_catch_log(storage_failed, path=self.root / STATE, error=error, url=url)

    def process_request(self, request: Request) -> Response | None:
        # A redirect copies the previous hop's headers: validators are always set afresh for this URL.
        for name in CONDITIONAL:
            request.headers.pop(name, None)
        request.meta.pop("conditional", None)
        known = self.state.known(request.url)
        judged = known is not None and self.judged_not_a_report(request, known)
        if not (judged or known and known.blob and (self.root / known.blob).exists()):
            return None
        if time.time() - known.checked_at < self.recheck_after:
            if judged:
                raise IgnoreRequest(not_a_report_message(known))
            self._count(request, "reused")
            return self.stored_response(request, known, flags=["reused"])
        if not (known.etag or known.last_modified):
            return None
        if known.etag:
            request.headers[b"If-None-Match"] = known.etag
        if known.last_modified:
            request.headers[b"If-Modified-Since"] = known.last_modified
        request.meta["conditional"] = True
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status != 304 or not request.meta.get("conditional"):
            return response
        self._count(request, "not_modified")
        known = self.state.known(response.url)
        if self.judged_not_a_report(request, known):
            raise IgnoreRequest(not_a_report_message(known))
        return self.stored_response(request, known, flags=["not_modified"],
                                    protocol=response.protocol, ip_address=response.ip_address)

    @staticmethod
    def judged_not_a_report(request: Request, known: Known) -> bool:
        """A page to be judged whose archived payload was judged not to be a report. (Only such
        requests: the same URL reached any other way, say as a column, is fetched as usual.)"""
        return request.meta.get("judge", False) and known.not_report

    def stored_response(self, request: Request, known: Known, **kwargs) -> Response:
        """The 200 response a document's blob and stored headers stand for."""
        headers = Headers(known.headers)
        # From the stored headers and the URL: sniffing the body costs a millisecond per document.
        cls = responsetypes.from_args(headers=headers, url=known.url)
        return cls(url=known.url, status=200, headers=headers, body=(self.root / known.blob).read_bytes(),
                   request=request, **kwargs)

    def _count(self, request: Request, counter: str) -> None:
        if request.meta.get("portal"):
            self.stats.inc_value(portal_stat(request.meta["portal"], counter))


def not_a_report_message(known: Known) -> str:
    return f"not an annual report (judged on the copy archived {known.warc_date[:10]}; unchanged since)"
