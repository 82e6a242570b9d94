"""The generic discovery spider: from a portal's home page to every annual report.

It walks column links (政务公开 → 政府信息公开 → 年报, at most ``NIANBAO_MAX_HOPS``),
and on every page it reaches it reads listings — report links and the listing's other
pages (TRS ``createPageHTML``, ``index_N.html``, ``?page=N``, 下一页), a JSON list endpoint
named in an inline script, a Hanweb jpage data island and proxy (:mod:`crawler.spiders.hanweb`)
— and follows a JavaScript redirect shell. Meta-refresh shells are followed by Scrapy's
MetaRefreshMiddleware. A listing's entries whose title cannot prove a report (no year, cut
short) are fetched as candidates and judged by their article (:mod:`crawler.spiders.base`);
at most ``NIANBAO_MAX_LISTING_PAGES`` pages of one listing are read. A portal's ``hints.cms`` narrows the listing readers to its CMS's
(:data:`CMS_LISTINGS`). The finders are module functions so each is tested on its own.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.spiders.base import Link, find_date, is_candidate_title, is_column_link, listing_of, page_links
from crawler.spiders.hanweb import HanwebSpider

TRS_PAGER = re.compile(r"createPageHTML\(([^)]*)\)")
PAGE_PARAM = re.compile(r"([?&](?:page|pageNo|pageIndex|pageNum|curPage)=)(\d*)(?=&|$)", re.IGNORECASE)
TRS_PAGE_FILE = re.compile(r"^index(?:_\d+)?\.s?html?$")
PAGING_WORDS = ("下一页", "下页", "上一页", "上页", "首页", "尾页", "末页", "最后一页", ">", ">>", "»")
JS_REDIRECT = re.compile(
    r"""location\.replace\(\s*["']([^"']+)["']\s*\)"""
    r"""|location(?:\.href)?\s*=\s*["']([^"']+)["']\s*(?:;|$|\n)""",
    re.MULTILINE,
)
QUOTED_URL = re.compile(r"""["']((?:https?://|/|\.\.?/)[^"'\s<>]+)["']""")


def trs_pages(response: TextResponse) -> list[str]:
    """Listing pages announced by TRS's ``createPageHTML(total, current, "index", "html")``
    (also the newer ``createPageHTML("div_id", total, current, "index", "html", records)``):
    ``index.html``, ``index_1.html`` … ``index_{total-1}.html`` next to the current page."""
    urls = []
    for args in TRS_PAGER.findall(response.text):
        values = [v.strip().strip("'\"") for v in args.split(",")]
        numbers = [int(v) for v in values if v.isdigit()]
        names = [v for v in values if v and not v.isdigit()]
        if not numbers or len(names) < 2:
            continue
        prefix, ext = names[-2], names[-1]
        urls += [response.urljoin(f"{prefix}.{ext}")]
        urls += [response.urljoin(f"{prefix}_{n}.{ext}") for n in range(1, numbers[0])]
    return urls


def is_paging_link(current_url: str, link: Link) -> bool:
    """Another page of the same listing: a pager word or number linking into the same folder,
    the same path with a different page parameter, or a sibling ``index_N.html``."""
    here, there = urlsplit(current_url), urlsplit(link.url)
    if here.netloc != there.netloc:
        return False
    same_folder = here.path.rsplit("/", 1)[0] == there.path.rsplit("/", 1)[0]
    pager_text = link.text in PAGING_WORDS or link.text.isdigit()
    page_param = there.path == here.path and PAGE_PARAM.search("?" + there.query) is not None
    sibling_page = same_folder and TRS_PAGE_FILE.match(there.path.rsplit("/", 1)[1]) is not None
    return (pager_text and same_folder) or page_param or sibling_page


def inline_scripts(response: TextResponse) -> str:
    return "\n".join(response.xpath("//script[not(@src)]/text()").getall())


def json_endpoints(response: TextResponse) -> list[str]:
    """List endpoints named in inline scripts, e.g. ``var listUrl = "/api/column/gknb/list?page=";``:
    a quoted URL with an (often empty) page parameter; page 1 is requested when none is given."""
    return [
        response.urljoin(PAGE_PARAM.sub(lambda m: m.group(1) + (m.group(2) or "1"), url))
        for url in QUOTED_URL.findall(inline_scripts(response))
        if PAGE_PARAM.search(url)
    ]


def json_pages(url: str, data: dict) -> list[str]:
    """The other pages of a JSON listing that reports ``pageCount``."""
    count = data.get("pageCount") or 1
    return [PAGE_PARAM.sub(lambda m: f"{m.group(1)}{n}", url) for n in range(2, int(count) + 1)]


def json_links(response: TextResponse, data: dict) -> list[Link]:
    """``items: [{"title", "url", "date"}]`` of a JSON listing as links."""
    return [
        Link(response.urljoin(item["url"]), item.get("title") or "", find_date(item.get("date") or ""))
        for item in data.get("items") or []
        if item.get("url")
    ]


def redirect_targets(response: TextResponse) -> list[str]:
    """Targets of ``location.replace("…")`` / ``location.href = "…"`` in inline scripts (redirect shells).
    Only whole string literals count, so search boxes building URLs are not followed."""
    return [response.urljoin(a or b) for a, b in JS_REDIRECT.findall(inline_scripts(response))]


#: The listing readers (PortalSpider methods) a ``hints.cms`` allows; without the hint, all of them.
CMS_LISTINGS = {"trs": ("static_listing",), "hanweb": ("hanweb_listing",)}
ALL_LISTINGS = ("static_listing", "json_listing", "hanweb_listing")


class PortalSpider(HanwebSpider):
    """One spider for every portal; see the module docstring for what it follows."""

    name = "portal"

    def parse(self, response: Response, hops: int = 0):
        """Any page on the way: listings, then redirect shells, then columns further in."""
        if not isinstance(response, HtmlResponse):
            return
        links = page_links(response)
        cms = self.portal_of(response)["hints"].get("cms")
        for listing in CMS_LISTINGS.get(cms, ALL_LISTINGS):
            yield from getattr(self, listing)(response, links, hops)
        for url in redirect_targets(response):
            yield self.follow_page(response, url, self.parse, hops)
        if hops < self.settings.getint("NIANBAO_MAX_HOPS"):
            for link in links:
                if self.is_column_hop(response, link):
                    yield self.follow_page(response, link.url, self.parse, hops + 1)

    def is_column_hop(self, response: HtmlResponse, link: Link) -> bool:
        """A column link on the portal's site that no listing reader owns: a listing's other pages
        (under …/gknb/ they look like columns) are paged by the readers, within
        NIANBAO_MAX_LISTING_PAGES, and a dated report-like entry ("本机关政府信息公开年报") is a
        candidate report."""
        return (is_column_link(link.text, link.url) and self.on_site(link.url, response)
                and not is_paging_link(response.url, link) and not (link.date and is_candidate_title(link.text)))

    def static_listing(self, response: HtmlResponse, links: list[Link], hops: int):
        """Report links on the page and the listing's other pages (TRS pager, paging links)."""
        trs = trs_pages(response)
        if trs:
            self.count_listing(response, "trs")
        pages = trs + [link.url for link in links if is_paging_link(response.url, link)]
        yield from self.reports_and_pages(response, links, pages, self.parse, hops)

    def json_listing(self, response: HtmlResponse, links: list[Link], hops: int):
        for url in json_endpoints(response):
            yield self.follow_page(response, url, self.parse_json, hops)

    def parse_json(self, response: TextResponse, hops: int = 0):
        """A JSON listing page: ``{"page", "pageCount", "items": [{"title", "url", "date"}]}``."""
        data = response.json()
        links, pages = json_links(response, data), json_pages(response.url, data)
        yield from self.reports_and_pages(response, links, pages, self.parse_json, hops)

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
        meta = {"portal": response.meta["portal"], **({"listing": listing} if listing else {})}
        return response.follow(url, callback, meta=meta, cb_kwargs={"hops": hops})
