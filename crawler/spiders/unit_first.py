"""A report both a portal's own pages and a hosted unit's lead to gets one publisher, and one listing,
whatever the order pages come back in.

Scrapy's duplicate filter keeps the first request for a URL (per portal: crawler/fingerprint.py), and
its meta decides the report's publisher (``meta["unit"]``, crawler.publisher) and its ``listing_url``.
A portal's listing may list its units' reports too (a 年报 column gathering every department's), often
under titles without the unit's name; and a unit's listing may republish another body's report (a
township's column listing the county government's) under a title naming that body. Which request came
first would then depend on the network. So this spider middleware holds back two kinds of report
requests (those marked ``report_document`` by ``ReportSpider.follow_report``) until the crawl is
otherwise done: a portal's own pages' (from a response outside every unit), and a unit's under a
title naming another body (``crawler.publisher.republished``). Then it lets through a held unit's
request no other request went for (of two units republishing one report, the one listed at the first
URL in sorting order), and a held portal's request no unit asked for: a unit's own requests always come
first, and a republished report is fetched from the listing of the body it names when the portal's pages
list it. Only a report listed on the portal's pages under a title naming the portal's own body goes at
once (no unit's it can be). The held reports are fetched last, which costs no time on a portal whose
reports and units share one host and its politeness limit — but a portal that spends its page or time
budget (crawler/budget.py) loses those first.
"""
from __future__ import annotations

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider

from crawler.publisher import republished, titled_body


class UnitReportsFirst:
    """Spider middleware: a portal's own report requests and units' requests for other bodies' reports
    wait for the spider's first idle moment; then those another request went for are dropped."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.held: dict[tuple[str, str], Request] = {}  # (portal, URL) → the portal's own report request
        self.republished: dict[tuple[str, str], Request] = {}  # (portal, URL) → a unit's, of another body
        self.passed: set[tuple[str, str]] = set()  # (portal, URL) of every report request let through
        crawler.signals.connect(self.release, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_output(self, response, result):
        return (output for output in result if self.passes(response, output))

    async def process_spider_output_async(self, response, result):
        async for output in result:
            if self.passes(response, output):
                yield output

    def passes(self, response, output) -> bool:
        """Whether ``output`` goes on now: anything but a held report request."""
        if not (isinstance(output, Request) and output.meta.get("report_document")):
            return True
        key = (output.meta.get("portal"), output.url)
        portal = self.hosting_portal(key[0])
        unit = response.meta.get("unit")
        if unit and portal and republished(self.title(output), unit["name"], portal):
            if key not in self.republished or self.listing(output) < self.listing(self.republished[key]):
                self.republished[key] = output
            return False
        if unit or not portal or titled_body(self.title(output)) == key[0]:
            self.passed.add(key)
            return True
        self.held.setdefault(key, output)
        return False

    def hosting_portal(self, name: str | None) -> dict | None:
        """The portal file entry of ``name`` when it hosts units (else nothing is held for it)."""
        entry = getattr(self.crawler.spider, "portals_by_name", {}).get(name)
        return entry if entry and entry.get("units") else None

    @staticmethod
    def title(request: Request) -> str:
        return request.cb_kwargs.get("title") or ""

    @staticmethod
    def listing(request: Request) -> str:
        return request.cb_kwargs.get("listing_url") or ""

    def release(self) -> None:
        """On idle: schedule the held requests nobody else made — a portal's own after the units'
        republished ones; the crawl goes on until they are done."""
        held, self.held = self.held, {}
        republished, self.republished = self.republished, {}
        released = [request for key, request in {**held, **republished}.items() if key not in self.passed]
        self.passed.update((request.meta.get("portal"), request.url) for request in released)
        for request in released:
            self.crawler.engine.crawl(request)
        if released:
            raise DontCloseSpider
