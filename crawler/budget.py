"""Per-portal budgets, so no portal keeps a run going forever.

Each portal may take ``NIANBAO_PORTAL_MAX_PAGES`` responses (the ``pages`` counter of the run
record: attachments included, documents reused from the archive not) and
``NIANBAO_PORTAL_MAX_SECONDS`` from the start of the run. Every portal's clock starts with the
run, so the whole run ends within that time plus its last downloads, whatever the number of
portals: that is what makes a lock held longer than ``NIANBAO_STUCK_AFTER_SECONDS`` a stuck crawl
(crawler.lock). Once a portal's budget is spent, its further requests are dropped here, before
they reach a download slot, and one ``budget_exhausted`` error says which budget and how much was
read; its run is then partial. Other portals go on.
"""
from __future__ import annotations

import time

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawler.extensions import portal_stat
from crawler.middlewares import send_error


class PortalBudgetExhausted(IgnoreRequest):
    """A request of a portal whose budget for this run is spent (reported once, not per request)."""


class PortalBudgetMiddleware:
    """Drops the requests of a portal over its page or time budget (first downloader middleware)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_pages = crawler.settings.getint("NIANBAO_PORTAL_MAX_PAGES")
        self.max_seconds = crawler.settings.getfloat("NIANBAO_PORTAL_MAX_SECONDS")
        self.started = time.monotonic()
        self.spent: dict[str, str] = {}  # portal → which budget it spent

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        portal = request.meta.get("portal")
        if portal is None:
            return
        if portal not in self.spent:
            why = self.overspent(portal)
            if why is None:
                return
            self.spent[portal] = why
            send_error(self.crawler, request, "budget_exhausted",
                       f"{why}: this portal's further requests are dropped in this run, from this one on")
        raise PortalBudgetExhausted(f"{portal}: {self.spent[portal]}")

    def overspent(self, portal: str) -> str | None:
        """Which budget ``portal`` has spent, as a sentence; None while it has both left."""
        pages = self.crawler.stats.get_value(portal_stat(portal, "pages"), 0)
        if pages >= self.max_pages:
            return f"{pages} pages read, NIANBAO_PORTAL_MAX_PAGES is {self.max_pages}"
        elapsed = time.monotonic() - self.started
        if elapsed >= self.max_seconds:
            return f"{elapsed:.0f} s since the run started, NIANBAO_PORTAL_MAX_SECONDS is {self.max_seconds:.0f}"
        return None
