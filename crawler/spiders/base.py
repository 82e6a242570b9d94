"""The base spider: starts each portal, fetches its templated reports, follows a listing's
reports and candidates and pages through it, and turns a report page (or a directly linked file)
plus its attachments into a ReportItem.

What a link is (``crawler.spiders.links``) and what a page holds (``crawler.spiders.pages``) are
decided elsewhere; this module holds the crawl state. Every request carries ``meta["portal"]`` (the
portal name) so middlewares and the crawl log can attribute pages and errors, and inside a hosted
unit's pages ``meta["unit"]`` (its name in the portal's directory, and where its pages are): the
report's publisher (``crawler.publisher``).
"""
from __future__ import annotations

from datetime import datetime, timezone

import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.http.request import NO_CALLBACK

from crawler.addresses import portal_sites, site_of
from crawler.extensions import YEAR_ANSWERS, portal_stat
from crawler.items import ReportItem
from crawler.portals import load_portals, template_years, validate_portals
from crawler.publisher import publisher_of
from crawler.signals import error_found, not_a_report
from crawler.spiders.pages import (Link, article_report, attachment_filename, attachment_links, document,
                                   listing_of, page_date, page_title)
from extract.rules import is_candidate_title, is_report_like, is_report_title, report_year


class ReportSpider(scrapy.Spider):
    """Base for report-discovery spiders.

    Holds the portals (a list of dicts, or ``portals_file=PATH`` from the scrapy
    command line), starts each portal at its ``hints.column_url`` or home page with
    :meth:`parse`, fetches the reports ``hints.year_url_template`` names, and turns a
    report page (or a directly linked file) plus its attachments into a
    :class:`ReportItem` in :meth:`parse_report`. Subclasses implement :meth:`parse`:
    find a listing's entries and call :meth:`follow_reports` (reports, and candidates judged
    by their article in :meth:`parse_candidate`), and page through it with :meth:`listing_pages`.
    """

    def __init__(self, portals: list[dict] | None = None, portals_file: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.portals = load_portals(portals_file) if portals_file else validate_portals(portals)
        self.portals_by_name = {p["name"]: p for p in self.portals}
        self.listings: dict[tuple[str, str], set[str]] = {}  # (portal, listing's first page) → pages requested
        self.truncated: set[tuple[str, str]] = set()  # listings that hit the cap (reported once each)
        self.sites: dict[str, set[str]] = {}  # portal → its sites (on_site)

    async def start(self):
        for portal in self.portals:
            column = portal["hints"].get("column_url")
            # column_hint: a 404 there means the column moved (column_gone), not a dead link
            yield scrapy.Request(column or portal["url"], self.parse,
                                 meta={"portal": portal["name"], "column_hint": bool(column)})
            if portal["units"] and portal["hints"].get("units_url"):
                yield scrapy.Request(portal["hints"]["units_url"], self.parse,
                                     meta={"portal": portal["name"], "units_hint": True})
            for year, url in self.hinted_reports(portal):
                yield scrapy.Request(url, self.parse_hinted_report, errback=self.hinted_report_missing,
                                     meta={"portal": portal["name"], "judge": True}, cb_kwargs={"year": year})

    def hinted_reports(self, portal: dict) -> list[tuple[int, str]]:
        """(year, URL) of each report ``hints.year_url_template`` may give (:func:`template_years`)."""
        template = portal["hints"].get("year_url_template")
        if not template:
            return []
        years = template_years(portal["hints"], self.settings.getint("NIANBAO_FIRST_YEAR"),
                               datetime.now(timezone.utc).date())
        return [(year, template.format(year=year)) for year in years]

    async def parse_hinted_report(self, response: Response, year: int):
        """A report at a templated URL: it has no listing, so its title is the page's heading (or the
        file's name), or a cover letter's that carries the report (:func:`article_report`). Whether each
        year gave a report is noted for the crawl log, which reports the years the hint promised and did
        not give (crawler.portals.year_url_template_errors)."""
        if isinstance(response, HtmlResponse):
            title = page_title("", response)
            carried = None if is_report_title(title) else article_report(response, title)
            if not is_report_title(title) and carried is None:
                self.judged_not_a_report(response, title)
                self.year_answered(response.meta["portal"], year, f"not an annual report: {title!r}")
                return
            title = carried[0] if carried else title
        else:
            title = attachment_filename(response, "") or ""
        self.year_answered(response.meta["portal"], year, "")
        async for item in self.parse_report(response, listing_url=None, title=title, published=None, year=year):
            yield item

    def hinted_report_missing(self, failure):
        request = failure.request
        self.year_answered(request.meta["portal"], request.cb_kwargs["year"], failure.getErrorMessage())

    def year_answered(self, portal: str, year: int, why_not: str) -> None:
        """A templated year's outcome, for the crawl log: "" for a report, else why not."""
        self.crawler.stats.set_value(portal_stat(portal, f"{YEAR_ANSWERS}{year}"), why_not)

    def report_error(self, portal: str, url: str, kind: str, message: str) -> None:
        self.crawler.signals.send_catch_log(error_found, portal=portal, url=url, kind=kind, message=message)

    def count_listing(self, response: Response, cms: str) -> None:
        """Note that a listing of this CMS was read, so a ``hints.cms`` no listing matched is reported."""
        self.crawler.stats.inc_value(portal_stat(response.meta["portal"], f"listings/{cms}"))

    def portal_of(self, response: Response) -> dict:
        return self.portals_by_name[response.meta["portal"]]

    @staticmethod
    def context(response: Response) -> dict:
        """The meta every request made from ``response`` carries on: its portal, and the hosted unit
        whose pages it is in."""
        return {key: response.meta[key] for key in ("portal", "unit") if key in response.meta}

    def on_site(self, url: str, response: Response) -> bool:
        """Navigation stays on the sites of the portal's home page, its column hint, and the current
        page (which differs only when a redirect moved the portal elsewhere)."""
        portal = response.meta["portal"]
        if portal not in self.sites:  # a portal's sites do not change; site_of is a suffix-list look-up
            self.sites[portal] = portal_sites(self.portals_by_name[portal])
        site = site_of(url)
        return site in self.sites[portal] or site == site_of(response.url)

    def follow_reports(self, response: Response, links: list[Link]) -> list[scrapy.Request]:
        """Requests for a listing's reports, and for its candidates: dated entries (listing items,
        not navigation) whose title may name a report but cannot show it (:func:`is_candidate_title`)."""
        return ([self.follow_report(response, link, self.parse_report) for link in links
                 if is_report_title(link.text)]
                + [self.follow_report(response, link, self.parse_candidate, judge=True) for link in links
                   if link.date and is_candidate_title(link.text)])

    def follow_report(self, response: Response, link: Link, callback, judge: bool = False) -> scrapy.Request:
        """``judge``: the page is fetched to be judged, so a verdict of an earlier run may stand
        in for it (crawler.incremental). ``report_document``: refusing it loses a document (crawler.addresses)."""
        return response.follow(
            link.url, callback, meta={**self.context(response), "judge": judge, "report_document": True},
            cb_kwargs={"listing_url": response.url, "title": link.text, "published": link.date},
        )

    def judged_not_a_report(self, response: Response, why: str) -> None:
        """Remember that this page is no annual report, so the next run need not fetch it again."""
        self.logger.debug("not an annual report: %s (%s)", response.url, why)
        self.crawler.signals.send_catch_log(not_a_report, url=response.url)

    def listing_pages(self, response: Response, urls: list[str]) -> list[str]:
        """The pages of ``response``'s listing not requested yet, up to ``NIANBAO_MAX_LISTING_PAGES``
        per listing (its first page included, :func:`listing_of`); beyond, one ``listing_truncated`` error."""
        portal, first = response.meta["portal"], listing_of(response)
        requested = self.listings.setdefault((portal, first), {first})
        new = [url for url in dict.fromkeys(urls) if url not in requested]
        cap = self.settings.getint("NIANBAO_MAX_LISTING_PAGES")
        room = max(cap - len(requested), 0)
        if len(new) > room and (portal, first) not in self.truncated:
            self.truncated.add((portal, first))
            self.report_error(portal, first, "listing_truncated",
                              f"more than {cap} pages (NIANBAO_MAX_LISTING_PAGES); the rest were not read")
        requested.update(new[:room])
        return new[:room]

    def listing_limit(self) -> int:
        """How many page URLs a listing's declared page count is expanded to (TRS ``createPageHTML``,
        ``pageCount``, ``<totalpage>``, Hanweb ``totalRecord``): one past ``NIANBAO_MAX_LISTING_PAGES``,
        enough for every page that may be read and for :meth:`listing_pages` to see that the listing
        goes on — not the 20,000,000 a server may claim."""
        return self.settings.getint("NIANBAO_MAX_LISTING_PAGES") + 1

    def reports_and_pages(self, response: Response, links: list[Link], pages: list[str], callback, hops: int):
        """Follow report (and candidate) links; page through the listing only if it lists some, so
        news columns passed on the way are not paged through."""
        reports = self.follow_reports(response, links)
        yield from reports
        if reports:
            for url in self.listing_pages(response, pages):
                yield self.follow_page(response, url, callback, hops, listing=listing_of(response))

    def follow_page(self, response: Response, url: str, callback, hops: int, listing: str | None = None):
        """A request for a page on the way; ``listing``: the first page of the listing it pages through."""
        meta = {**self.context(response), **({"listing": listing} if listing else {})}
        return response.follow(url, callback, meta=meta, cb_kwargs={"hops": hops})

    async def parse_candidate(self, response: Response, listing_url: str, title: str, published: str | None):
        """A candidate listing entry (:meth:`follow_reports`): a report if its article says so
        (:func:`article_report`). A file has no article: only a whole report-like title stands for
        it (a cut-short one might have ended in 解读). Without a year in title or body, the report
        year is the publication year − 1 (a year's report comes out early the next year),
        recorded as ``year_inferred``."""
        year = None
        if isinstance(response, HtmlResponse):
            found = article_report(response, title)
            if found is None:
                self.judged_not_a_report(response, title)
                return
            title, year = found
            published = published or page_date(response)
        elif not is_report_like(title):
            self.judged_not_a_report(response, f"a file under a cut-short title: {title}")
            return
        inferred = year is None and published is not None
        if inferred:
            year = int(published[:4]) - 1
        async for item in self.parse_report(response, listing_url, title, published, year, inferred):
            yield item

    async def parse_report(self, response: Response, listing_url: str | None, title: str, published: str | None,
                           year: int | None = None, year_inferred: bool = False):
        """A report page with its attachments, or a report file linked straight from a listing;
        ``year`` for a report whose title does not say it (a templated file, a candidate)."""
        if isinstance(response, HtmlResponse):
            title = page_title(title, response)
            published = published or page_date(response)
            documents = [document(response, "page")]
            for link in attachment_links(response):
                attachment = await self.fetch_attachment(link, response.meta["portal"])
                if attachment:
                    documents.append(attachment)
        else:
            documents = [document(response, "attachment", attachment_filename(response, title))]
        portal = self.portal_of(response)
        unit = response.meta.get("unit")
        yield ReportItem(
            portal=portal["name"], portal_url=portal["url"], portal_region=portal["region"],
            portal_level=portal["level"], **publisher_of(title, unit and unit["name"], portal),
            page_url=response.url, listing_url=listing_url,
            title=title, year=report_year(title) or year, year_inferred=year_inferred and not report_year(title),
            published=published, documents=documents,
        )

    async def fetch_attachment(self, link: Link, portal: str) -> dict | None:
        """Download one attachment now (through the downloader middlewares, so it is archived and
        failures are logged); a failed attachment leaves the rest of the report intact. Every way it can
        fail is an error line written on the way (crawler.middlewares: a status, a transport error, a
        redirect loop or chain too long, a body too large, a host given up; crawler.budget: the
        portal's budget spent), so None here is never silent."""
        request = scrapy.Request(link.url, callback=NO_CALLBACK, meta={"portal": portal, "report_document": True})
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception:  # noqa: BLE001 - any download failure; ErrorMiddleware has recorded it
            return None
        if not 200 <= response.status < 300:
            return None
        return document(response, "attachment", attachment_filename(response, link.text))
