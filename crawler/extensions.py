"""The crawl log: errors.jsonl, runs.jsonl and per-portal counters.

Counters live in the Scrapy stats under ``nianbao/<portal>/<counter>`` (see
:data:`COUNTERS`, and ``errors/<kind>``), so they also appear in Scrapy's closing stats
dump. A portal that yields no report is an error of kind ``no_reports``, or
``broken_portal`` if reports.jsonl holds reports of it from earlier runs: silence is
the failure that would otherwise go unnoticed. Every error line carries the
``run_id``, so the same dead link found by two runs is two distinguishable lines.

Each run record also says what the run changed in who published which year (:mod:`crawler.coverage`):
``bodies_new`` and ``years_newly_missing`` (the first :data:`crawler.coverage.KEPT` of each, and
their ``…_count``), each also an INFO line of the log (the summary names the first few, as warnings).

A crawl directory that cannot be written (:data:`crawler.signals.storage_failed`: a full
disk, an I/O error) stops the crawl, since nothing more could be kept: each failure is a
``storage`` error line if errors.jsonl can still take one (else it is only logged), the
first one's ``path: reason`` is the run record's ``storage_error`` (null when none), and the
spider is closed with reason :data:`STORAGE_ERROR`.

Each error is also one log line, ``portal: kind URL: message`` (no traceback): WARNING, or INFO
for the :data:`BENIGN_ERRORS` a live site always has, so a quiet crawl (``nianbao crawl`` off a
terminal) shows the failures that need a look and nothing twice: Scrapy's own lines about a failed
download or callback are INFO (:class:`FailuresLoggedOnce`).
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.logformatter import LogFormatter
from scrapy.utils.defer import deferred_from_coro

from crawler import coverage
from crawler.crawldir import (
    ERRORS,
    REPORTS,
    RUNS,
    STORAGE_ERRORS,
    append_jsonl,
    crawl_dir,
    describe_storage_error,
    read_jsonl,
    utc_now,
)
from crawler.portals import year_url_template_errors
from crawler.signals import error_found, storage_failed

logger = logging.getLogger(__name__)

#: Per-portal counters of a run record: responses received (attachments included), raw bytes
#: received, reports found / appended as new / appended as a changed version, 304 answers to
#: conditional requests, responses archived as WARC revisits (304s and identical payloads),
#: documents reused without a request (confirmed within NIANBAO_RECHECK_DAYS), and report documents
#: the address rule refused (crawler.addresses; counted by its middleware).
COUNTERS = ("pages", "bytes", "reports", "new_reports", "changed_reports", "not_modified", "revisits", "reused",
            "refused_documents")
#: Errors every live site has, recorded but no sign of trouble: a dead link, a robots.txt refusal,
#: a URL the address rule refused (unless it was a report's own document: ``refused_documents``).
BENIGN_ERRORS = {"http_404", "robots", "refused_url"}
#: Stats key prefix (under a portal's) of each hints.year_url_template year's outcome: "" or why no report.
YEAR_ANSWERS = "year_url_template/"
#: The close reason of a crawl stopped because the crawl directory could not be written.
STORAGE_ERROR = "storage_error"


def portal_stat(portal: str, counter: str) -> str:
    """The stats key of one per-portal counter."""
    return f"nianbao/{portal}/{counter}"


class CrawlLog:
    """Single writer of errors.jsonl and runs.jsonl."""

    def __init__(self, crawler):
        logging.getLogger(ROBOTS_TXT_LOGGER).addFilter(ROBOTS_TXT_FAILURE_AT_INFO)  # once: the same filter
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = crawler.settings
        self.root = crawl_dir(crawler.settings)
        self.started = datetime.now(timezone.utc)
        self.run_id = f"{self.started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        self.had_reports = set()
        self.bodies_before, self.bodies, self.previous_run_day = coverage.Bodies(), coverage.Bodies(), None
        self.storage_error = None  # "path: reason" of the first write that failed
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler):
        log = cls(crawler)
        for handler, signal in (
            (log.spider_opened, signals.spider_opened),
            (log.response_received, signals.response_received),
            (log.item_scraped, signals.item_scraped),
            (log.spider_error, signals.spider_error),
            (log.error_found, error_found),
            (log.storage_failed, storage_failed),
            (log.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)
        return log

    def spider_opened(self, spider):
        self.started = datetime.now(timezone.utc)
        for report in read_jsonl(self.root / REPORTS):
            self.had_reports.add(report.get("portal"))
            self.bodies_before.add(report)
        self.bodies = self.bodies_before.copy()
        self.previous_run_day = coverage.previous_run_day(self.root)
        for note in self.settings.getlist("NIANBAO_RECOVERED"):
            self.error_found(None, None, "interrupted", note)

    def response_received(self, response, request, spider):
        if request.meta.get("portal") and "reused" not in response.flags:
            self.stats.inc_value(portal_stat(request.meta["portal"], "pages"))

    def item_scraped(self, item, response, spider):
        self.stats.inc_value(portal_stat(item.portal, "reports"))
        self.bodies.add(ItemAdapter(item))

    def spider_error(self, failure, response, spider):
        """An exception in a spider callback: the page could not be understood."""
        self.error_found(response.meta.get("portal"), response.url, "parse", failure.getErrorMessage())

    def error_found(self, portal, url, kind, message):
        where = " ".join(filter(None, (f"{portal}:" if portal else None, kind, url)))
        logger.log(logging.INFO if kind in BENIGN_ERRORS else logging.WARNING, "%s: %s", where,
                   " ".join(f"{message}".split()))
        self._count_error(portal, kind)
        try:
            self._append_error(portal, url, kind, message)
        except STORAGE_ERRORS as error:
            self.storage_failed(self.root / ERRORS, error)

    def storage_failed(self, path, error, portal=None, url=None):
        """The crawl directory could not be written: record it where possible, and stop the crawl
        (once; writes still in flight may fail too, and are recorded the same way)."""
        message = describe_storage_error(path, error)
        logger.error("cannot write the crawl directory: %s", message)
        if self.storage_error is None:
            self.storage_error = message
            if not self.closing:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason=STORAGE_ERROR))
        self._count_error(portal, "storage")
        try:
            self._append_error(portal, url, "storage", message)
        except STORAGE_ERRORS as again:
            logger.error("errors.jsonl cannot be written either: %s", describe_storage_error(self.root / ERRORS, again))

    def _count_error(self, portal, kind):
        if portal:
            self.stats.inc_value(portal_stat(portal, f"errors/{kind}"))

    def _append_error(self, portal, url, kind, message):
        append_jsonl(self.root / ERRORS, {"run_id": self.run_id, "portal": portal, "url": url, "kind": kind,
                                          "message": message, "time": utc_now()})

    def spider_closed(self, spider, reason):
        self.closing = True
        if self.storage_error is None:  # a crawl stopped early proves nothing about what it did not reach
            self.check_portals(spider, reason)
        run = {
            "run_id": self.run_id,
            "started": f"{self.started:%Y-%m-%dT%H:%M:%SZ}",
            "finished": utc_now(),
            "portals": {p["name"]: self.portal_summary(p) for p in spider.portals},
            "storage_error": self.storage_error,
            **self.coverage_news(),
        }
        self.stats.set_value("nianbao/run", run)
        try:
            append_jsonl(self.root / RUNS, run)
        except STORAGE_ERRORS as error:
            self.storage_failed(self.root / RUNS, error)
            run["storage_error"] = self.storage_error

    def coverage_news(self) -> dict:
        """The run's ``bodies_new`` and ``years_newly_missing`` (:mod:`crawler.coverage`), logged."""
        news = coverage.news(self.bodies_before, self.previous_run_day, self.bodies, datetime.now(timezone.utc).date())
        for name in news["bodies_new"]:
            logger.info("new body: %s", name)
        for name, year in news["years_newly_missing"]:
            logger.info("%s: %d missing", name, year)
        bodies, missing = coverage.counts(news)
        if bodies > len(news["bodies_new"]) or missing > len(news["years_newly_missing"]):
            logger.info("… %d new bodies and %d (body, year) newly missing in all (the archive lists each)",
                        bodies, missing)
        return news

    def check_portals(self, spider, reason):
        """A portal that gave no report, or broke a hint's promise, is an error of the run."""
        for portal in spider.portals:
            self.check_hints(portal)
            if not self.stats.get_value(portal_stat(portal["name"], "reports")):
                if portal["name"] in self.had_reports:
                    self.error_found(portal["name"], portal["url"], "broken_portal",
                                     f"no annual report found, but earlier runs found some (crawl finished: {reason})")
                else:
                    self.error_found(portal["name"], portal["url"], "no_reports",
                                     f"no annual report found (crawl finished: {reason})")

    def check_hints(self, portal: dict) -> None:
        """A hint's broken promises are hint_not_found errors: a ``cms`` no listing matched, the years
        a ``year_url_template`` should have given (answered by the spider under :data:`YEAR_ANSWERS`)."""
        hints, name = portal["hints"], portal["name"]
        if hints.get("cms") and not self.stats.get_value(portal_stat(name, f"listings/{hints['cms']}")):
            self.error_found(name, portal["url"], "hint_not_found",
                             f"hints.cms is {hints['cms']}, but no {hints['cms']} listing was found")
        if hints.get("year_url_template"):
            prefix = portal_stat(name, YEAR_ANSWERS)
            answers = {int(key[len(prefix):]): why for key, why in self.stats.get_stats().items()
                       if key.startswith(prefix)}
            for url, message in year_url_template_errors(hints, answers, datetime.now(timezone.utc).date()):
                self.error_found(name, url, "hint_not_found", message)

    def portal_summary(self, portal: dict) -> dict:
        def count(counter):
            return self.stats.get_value(portal_stat(portal["name"], counter), 0)

        prefix = portal_stat(portal["name"], "errors/")
        kinds = {key[len(prefix):]: n for key, n in self.stats.get_stats().items() if key.startswith(prefix)}
        return {"url": portal["url"], **{counter: count(counter) for counter in COUNTERS},
                "errors": sum(kinds.values()), "error_kinds": kinds}


class FailuresLoggedOnce(LogFormatter):
    """Scrapy's log formatter, with a failed download or spider callback at INFO: each is already
    a WARNING line of the crawl log (``CrawlLog.error_found``), so the traceback is for --verbose."""

    def download_error(self, *args, **kwargs):
        return {**super().download_error(*args, **kwargs), "level": logging.INFO}

    def spider_error(self, *args, **kwargs):
        return {**super().spider_error(*args, **kwargs), "level": logging.INFO}


class RobotsTxtFailureAtInfo(logging.Filter):
    """On Scrapy's robots.txt logger: a robots.txt that could not be fetched (logged as an ERROR with
    its traceback) is INFO. The crawl then goes on as allowed, and the host's failure, if it is one,
    is the crawl log's line about the portal's own page."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("Error downloading"):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


ROBOTS_TXT_LOGGER = "scrapy.downloadermiddlewares.robotstxt"
ROBOTS_TXT_FAILURE_AT_INFO = RobotsTxtFailureAtInfo()
