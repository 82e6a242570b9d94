"""The crawl log: errors.jsonl, runs.jsonl and per-portal counters.

Counters live in the Scrapy stats under ``nianbao/<portal>/<counter>`` (pages,
reports, new_reports, errors/<kind>), so they also appear in Scrapy's closing stats
dump. A portal that yields no report is an error of kind ``no_reports``: silence
is the failure that would otherwise go unnoticed.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from scrapy import signals

from crawler.crawldir import ERRORS, RUNS, append_jsonl, crawl_dir, utc_now
from crawler.signals import error_found


def portal_stat(portal: str, counter: str) -> str:
    """The stats key of one per-portal counter."""
    return f"nianbao/{portal}/{counter}"


class CrawlLog:
    """Single writer of errors.jsonl and runs.jsonl."""

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.root = crawl_dir(crawler.settings)
        self.started = None

    @classmethod
    def from_crawler(cls, crawler):
        log = cls(crawler)
        for handler, signal in (
            (log.spider_opened, signals.spider_opened),
            (log.response_received, signals.response_received),
            (log.item_scraped, signals.item_scraped),
            (log.spider_error, signals.spider_error),
            (log.error_found, error_found),
            (log.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)
        return log

    def spider_opened(self, spider):
        self.started = datetime.now(timezone.utc)

    def response_received(self, response, request, spider):
        if request.meta.get("portal"):
            self.stats.inc_value(portal_stat(request.meta["portal"], "pages"))

    def item_scraped(self, item, response, spider):
        self.stats.inc_value(portal_stat(item.portal, "reports"))

    def spider_error(self, failure, response, spider):
        """An exception in a spider callback: the page could not be understood."""
        self.error_found(response.meta.get("portal"), response.url, "parse", failure.getErrorMessage())

    def error_found(self, portal, url, kind, message):
        append_jsonl(self.root / ERRORS,
                     {"portal": portal, "url": url, "kind": kind, "message": message, "time": utc_now()})
        if portal:
            self.stats.inc_value(portal_stat(portal, f"errors/{kind}"))

    def spider_closed(self, spider, reason):
        for portal in spider.portals:
            if not self.stats.get_value(portal_stat(portal["name"], "reports")):
                self.error_found(portal["name"], portal["url"], "no_reports",
                                 f"no annual report found (crawl finished: {reason})")
        run = {
            "run_id": f"{self.started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
            "started": f"{self.started:%Y-%m-%dT%H:%M:%SZ}",
            "finished": utc_now(),
            "portals": {p["name"]: self.portal_summary(p) for p in spider.portals},
        }
        append_jsonl(self.root / RUNS, run)
        self.stats.set_value("nianbao/run", run)

    def portal_summary(self, portal: dict) -> dict:
        def count(counter):
            return self.stats.get_value(portal_stat(portal["name"], counter), 0)

        prefix = portal_stat(portal["name"], "errors/")
        kinds = {key[len(prefix):]: n for key, n in self.stats.get_stats().items() if key.startswith(prefix)}
        return {"url": portal["url"], "pages": count("pages"), "reports": count("reports"),
                "new_reports": count("new_reports"), "errors": sum(kinds.values()), "error_kinds": kinds}
