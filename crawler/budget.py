"""Per-portal budgets, so no portal keeps a run going forever.

Each portal may make ``NIANBAO_PORTAL_MAX_PAGES`` requests (attachments, retries and redirects
included; documents reused from the archive, which are answered before they get here, not) and
take ``NIANBAO_PORTAL_MAX_SECONDS`` from the start of the run. Requests are counted as they leave,
not as their responses come back: up to ``CONCURRENT_REQUESTS`` of them wait in the downloader at
any time, and those would all go out after the budget was spent. So the ``pages`` of the run
record stay within the budget. The time budget is checked at the same point, so the requests already
waiting in the downloader when it runs out (at most ``CONCURRENT_REQUESTS``) still go: seconds at
the end of hours. Every portal's clock starts with the
run, so the whole run ends within that time plus its last downloads, whatever the number of
portals: that is what makes a lock held longer than ``NIANBAO_STUCK_AFTER_SECONDS`` a stuck crawl
(crawler.lock). Once a portal's budget is spent, its further requests are dropped here, before
they reach a download slot (this middleware comes just after crawler.incremental's, so a
document reused without a request costs nothing), and one ``budget_exhausted`` error says which budget and how much was
read; its run is then partial. Other portals go on.
"""
from __future__ import annotations

import time

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawler.middlewares import send_error


class PortalBudgetExhausted(IgnoreRequest):
    """A request of a portal whose budget for this run is spent (reported once, not per request)."""


class PortalBudgetMiddleware:
    """Drops the requests of a portal over its page or time budget, counting those it lets through."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_pages = crawler.settings.getint("NIANBAO_PORTAL_MAX_PAGES")
        self.max_seconds = crawler.settings.getfloat("NIANBAO_PORTAL_MAX_SECONDS")
        self.started = time.monotonic()
        self.spent: dict[str, str] = {}  # portal → which budget it spent
        self.requests: dict[str, int] = {}  # portal → requests let through

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
                self.requests[portal] = self.requests.get(portal, 0) + 1
                return
            self.spent[portal] = why
            send_error(self.crawler, request, "budget_exhausted",
                       f"{why}: this portal's further requests are dropped in this run, from this one on")
        raise PortalBudgetExhausted(f"{portal}: {self.spent[portal]}")

    def overspent(self, portal: str) -> str | None:
        """Which budget ``portal`` has spent, as a sentence; None while it has both left."""
        requests = self.requests.get(portal, 0)
        if requests >= self.max_pages:
            return f"{requests} requests made, NIANBAO_PORTAL_MAX_PAGES is {self.max_pages}"
        elapsed = time.monotonic() - self.started
        if elapsed >= self.max_seconds:
            return f"{elapsed:.0f} s since the run started, NIANBAO_PORTAL_MAX_SECONDS is {self.max_seconds:.0f}"
        return None
