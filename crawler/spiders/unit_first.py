"""A report both a portal's own pages and a hosted unit's lead to is the unit's: one publisher, whatever
the order pages come back in.

Scrapy's duplicate filter keeps the first request for a URL (per portal: crawler/fingerprint.py), and
its meta decides the report's publisher (``meta["unit"]``, crawler.publisher). A portal's listing may
list its units' reports too (a 年报 column gathering every department's), often under titles without
the unit's name; whether the portal's request or the unit's came first would then depend on the
network. So this spider middleware holds back the report requests of a portal's own pages (those
marked ``report_document`` by ``ReportSpider.follow_report``, from a response outside every unit)
until the crawl is otherwise done, and then lets through only those no unit asked for: the units'
requests always come first. Only a report listed under a title naming the portal's own body goes at
once (no unit's it can be). The portal's other reports are fetched last, which costs no time on a
portal whose reports and units share one host and its politeness limit — but a portal that spends
its page or time budget (crawler/budget.py) loses those first.
"""
from __future__ import annotations

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider

from crawler.publisher import titled_body


class UnitReportsFirst:
    """Spider middleware: report requests of a portal's own pages wait for the spider's first idle
    moment; those a unit of the same portal requested meanwhile are dropped (the unit's stands)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.held: dict[tuple[str, str], Request] = {}  # (portal, URL) → the portal's own report request
        self.units_asked: set[tuple[str, str]] = set()  # (portal, URL) of every unit's report request
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
        """Whether ``output`` goes on now: anything but a portal's own report request (which is held)."""
        if not (isinstance(output, Request) and output.meta.get("report_document")):
            return True
        key = (output.meta.get("portal"), output.url)
        if "unit" in response.meta:
            self.units_asked.add(key)
            return True
        if not self.hosts_units(key[0]) or self.names_portal(key[0], output):
            return True
        self.held.setdefault(key, output)
        return False

    def hosts_units(self, portal: str | None) -> bool:
        spider = self.crawler.spider
        entry = getattr(spider, "portals_by_name", {}).get(portal)
        return bool(entry and entry.get("units"))

    def names_portal(self, portal: str, request: Request) -> bool:
        """A report listed under a title naming the portal's own body is the portal's, whoever else
        lists it: it goes at once (so a portal's budget running out takes its own reports last)."""
        return titled_body(request.cb_kwargs.get("title") or "") == portal

    def release(self) -> None:
        """On idle: schedule the held requests no unit made; the crawl goes on until they are done."""
        held, self.held = self.held, {}
        released = [request for key, request in held.items() if key not in self.units_asked]
        for request in released:
            self.crawler.engine.crawl(request)
        if released:
            raise DontCloseSpider
