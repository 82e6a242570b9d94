"""A running crawl's figures for a progress display: portals done of all, pages, reports.

:class:`CrawlProgress` (an extension, on only when ``NIANBAO_PROGRESS`` is a callable) calls it
with a :class:`CrawlFigures` at once, then every ``NIANBAO_PROGRESS_INTERVAL`` seconds and when
the crawl closes. The display itself is the caller's (``nianbao crawl`` draws a line on a
terminal: nianbao/progress.py); the crawler only counts.

A portal is *done* once it has begun and none of its requests waits in the scheduler
(:class:`PortalScheduler` counts them by portal) or is in the engine's hands (being downloaded,
or its response being parsed: a callback's new requests are queued before its own request
leaves, and an attachment is fetched inside its page's callback, so a portal is never done
between two of its steps).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from scrapy import signals
from scrapy.core.scheduler import Scheduler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.extensions import portal_stat


@dataclass(frozen=True)
class CrawlFigures:
    portals_done: int
    portals_total: int
    pages: int
    reports: int
    seconds: float  # since the crawl opened


class PortalScheduler(Scheduler):
    """Scrapy's scheduler, counting the requests it holds for each portal (``queued``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queued: Counter = Counter()

    def enqueue_request(self, request) -> bool:
        queued = super().enqueue_request(request)
        if queued:
            self.queued[request.meta.get("portal")] += 1
        return queued

    def next_request(self):
        request = super().next_request()
        if request is not None:
            self.queued[request.meta.get("portal")] -= 1
        return request


class CrawlProgress:
    """Feeds ``NIANBAO_PROGRESS`` (a callable taking :class:`CrawlFigures`) while the crawl runs."""

    def __init__(self, crawler, report, interval: float):
        self.crawler, self.report, self.interval = crawler, report, interval
        self.begun: set[str] = set()  # portals with a request scheduled
        self.portals: list[str] = []
        self.opened = time.monotonic()
        self.loop = task.LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler):
        report = crawler.settings.get("NIANBAO_PROGRESS")
        if not callable(report):
            raise NotConfigured  # without a message, which Scrapy would log as a warning
        progress = cls(crawler, report, crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL"))
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self, spider):
        self.portals = [portal["name"] for portal in spider.portals]
        self.opened = time.monotonic()
        self.loop.start(self.interval, now=True)  # something shows at once, not after the first page

    def request_scheduled(self, request, spider):
        self.begun.add(request.meta.get("portal"))

    def spider_closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        self.report(self.figures(done=len(self.portals)))

    def tick(self):
        self.report(self.figures(done=len(self.begun.intersection(self.portals) - self.busy_portals())))

    def busy_portals(self) -> set[str]:
        engine = self.crawler.engine
        scheduler = engine._slot.scheduler if engine and engine._slot else None
        if scheduler is None:
            return set(self.portals)
        # The engine's own set of requests in hand (private, but the one place that knows when a
        # response's callback is over): Scrapy 2.19's ExecutionEngine._slot.inprogress.
        in_hand = {request.meta.get("portal") for request in engine._slot.inprogress}
        if not isinstance(scheduler, PortalScheduler):  # another SCHEDULER: it does not say whose requests wait
            return set(self.portals) if scheduler.has_pending_requests() else in_hand
        return in_hand | {portal for portal, n in scheduler.queued.items() if n > 0}

    def figures(self, done: int) -> CrawlFigures:
        stats = self.crawler.stats

        def total(counter):
            return sum(stats.get_value(portal_stat(name, counter), 0) for name in self.portals)

        return CrawlFigures(portals_done=done, portals_total=len(self.portals), pages=total("pages"),
                            reports=total("reports"), seconds=time.monotonic() - self.opened)
