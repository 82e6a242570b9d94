"""A running crawl's figures for a progress display: portals done of all, pages, reports.

:class:`CrawlProgress` (an extension, on only when ``NIANBAO_PROGRESS`` is a callable) calls it
with a :class:`CrawlFigures` at once, then every ``NIANBAO_PROGRESS_INTERVAL`` seconds and when
the crawl closes. The display itself is the caller's (``nianbao crawl`` draws a line on a
terminal: nianbao/progress.py); the crawler only counts.

A portal is *done* once it has begun and none of its requests waits in the scheduler or is in
hand: from the moment the scheduler hands it out (being downloaded) until its callback's output
is all taken (a callback's new requests are queued before it ends, and an attachment is fetched
inside its page's callback, so a portal is never done between two of its steps), or its failure
is final, or a retry or redirect replaces it. Scrapy says none of this through its public API
(the engine's set of requests in hand is private), so it is told by nianbao's own parts, with
signals of this module: :class:`PortalScheduler` (what it queues and hands out),
:class:`CallbackDone` (a spider middleware, the innermost: a callback's output taken, or its
exception) and :class:`FailureFinal` (a downloader middleware, the outermost: a failure no
middleware turned into a retry), and Scrapy's public ``request_scheduled``, ``response_received``
and ``spider_idle``. Each request handed out carries a number in its ``meta`` (:data:`IN_HAND`),
which a retry or redirect copies: scheduled before any response to it, such a copy replaces it.
One end goes untold: a response a middleware drops by raising in ``process_response`` (a redirect
chain over its limit, a body too large once inflated; crawler/middlewares.py) reaches no
``process_exception``, so its portal stays busy until the crawl is next idle (when nothing is in
hand) or ends.
"""
from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass

from scrapy import signals
from scrapy.core.scheduler import Scheduler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.extensions import portal_stat

#: Sent with ``request`` by :class:`PortalScheduler`: the request entered its queue (Scrapy's
#: ``request_scheduled`` comes before the scheduler decides, and its dupefilter may refuse it).
request_queued = object()
#: Sent with ``request`` by :class:`PortalScheduler`: the request left its queue for the engine.
request_handed_out = object()
#: Sent with ``request`` by :class:`CallbackDone`: the callback of the response to it is over.
callback_over = object()
#: Sent with ``request`` by :class:`FailureFinal`: the request failed for good.
failure_final = object()
#: The ``meta`` key of a request's number while it is in hand.
IN_HAND = "nianbao_in_hand"


@dataclass(frozen=True)
class CrawlFigures:
    portals_done: int
    portals_total: int
    pages: int
    reports: int
    seconds: float  # since the crawl opened


class PortalScheduler(Scheduler):
    """Scrapy's scheduler, saying what it queues and what it hands out (:data:`request_queued`,
    :data:`request_handed_out`)."""

    def enqueue_request(self, request) -> bool:
        queued = super().enqueue_request(request)
        if queued:
            self.crawler.signals.send_catch_log(request_queued, request=request)
        return queued

    def next_request(self):
        request = super().next_request()
        if request is not None:
            self.crawler.signals.send_catch_log(request_handed_out, request=request)
        return request


class ProgressMiddleware:
    """A middleware telling :class:`PortalsInHand` what only it sees; off without a progress display."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not callable(crawler.settings.get("NIANBAO_PROGRESS")):
            raise NotConfigured
        return cls(crawler)


class CallbackDone(ProgressMiddleware):
    """Spider middleware (the innermost): a response's callback is over when its output is all
    taken, or when it raised (for a response no callback sees, an ``HttpError``, too)."""

    def process_spider_output(self, response, result):
        try:
            yield from result
        finally:
            self.over(response)

    async def process_spider_output_async(self, response, result):
        try:
            async for output in result:
                yield output
        finally:
            self.over(response)

    def process_spider_exception(self, response, exception):
        self.over(response)

    def over(self, response):
        self.crawler.signals.send_catch_log(callback_over, request=response.request)


class FailureFinal(ProgressMiddleware):
    """Downloader middleware (the outermost): a failure that reaches it is final (a retry or a
    redirect would have been returned by a middleware nearer the network); the request's errback
    (a templated year's answer) queues nothing."""

    def process_exception(self, request, exception):
        self.crawler.signals.send_catch_log(failure_final, request=request)


class PortalsInHand:
    """Which portals have requests queued or in hand, from the signals above (module docstring)."""

    def __init__(self):
        self.queued: Counter = Counter()
        self.in_hand: dict[int, tuple[str | None, object]] = {}  # number → (portal, the request handed out)
        self.answered: set[int] = set()  # numbers of requests in hand whose response came
        self.numbers = itertools.count()

    def connect(self, crawler) -> None:
        for handler, signal in (
            (self.request_queued, request_queued), (self.handed_out, request_handed_out),
            (self.scheduled, signals.request_scheduled), (self.response_received, signals.response_received),
            (self.callback_over, callback_over), (self.failure_final, failure_final), (self.idle, signals.spider_idle),
        ):
            crawler.signals.connect(handler, signal=signal)

    def request_queued(self, request):
        self.queued[request.meta.get("portal")] += 1

    def handed_out(self, request):
        self.queued[request.meta.get("portal")] -= 1
        number = next(self.numbers)
        request.meta[IN_HAND] = number
        self.in_hand[number] = (request.meta.get("portal"), request)

    def scheduled(self, request, spider):
        """A copy of a request in hand, scheduled before its response came, is its retry or redirect."""
        number = request.meta.get(IN_HAND)
        if number in self.in_hand and number not in self.answered:
            self.settle(number)

    def response_received(self, response, request, spider):
        if request.meta.get(IN_HAND) in self.in_hand:
            self.answered.add(request.meta[IN_HAND])

    def callback_over(self, request):
        self.settle(request.meta.get(IN_HAND))

    def failure_final(self, request):
        """A request in hand failed for good; not another one carrying its number in a copied ``meta``
        (an attachment fetched inside its page's callback, which goes on)."""
        number = request.meta.get(IN_HAND)
        if number in self.in_hand and self.in_hand[number][1] is request:
            self.settle(number)

    def idle(self, spider):
        """Nothing is in hand when the crawl is idle: a request whose end no signal told (a response
        a middleware dropped in ``process_response``, which no ``process_exception`` sees: a redirect
        chain over its limit, a body too large once inflated) is forgotten here."""
        self.in_hand.clear()
        self.answered.clear()

    def settle(self, number: int | None) -> None:
        self.in_hand.pop(number, None)
        self.answered.discard(number)

    def busy(self) -> set:
        return {portal for portal, n in self.queued.items() if n > 0} | {portal for portal, _ in self.in_hand.values()}


class CrawlProgress:
    """Feeds ``NIANBAO_PROGRESS`` (a callable taking :class:`CrawlFigures`) while the crawl runs."""

    def __init__(self, crawler, report, interval: float):
        self.crawler, self.report, self.interval = crawler, report, interval
        self.begun: set[str] = set()  # portals with a request scheduled
        self.portals: list[str] = []
        self.work = PortalsInHand()
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
        progress.work.connect(crawler)
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
        self.report(self.figures(done=len(self.begun.intersection(self.portals) - self.work.busy())))

    def figures(self, done: int) -> CrawlFigures:
        stats = self.crawler.stats

        def total(counter):
            return sum(stats.get_value(portal_stat(name, counter), 0) for name in self.portals)

        return CrawlFigures(portals_done=done, portals_total=len(self.portals), pages=total("pages"),
                            reports=total("reports"), seconds=time.monotonic() - self.opened)
