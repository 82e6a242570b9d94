"""Static listing pages: the thin CMS base for columns paged as plain HTML pages, TRS (拓尔思 WCM)
first of all.

A TRS column is ``…/zfxxgknb/index.html``, ``index_1.html`` … with the page count in an inline
script, ``createPageHTML(5, 0, "index", "html");`` (or the newer ``createPageHTML("page_div", 5,
0, "index", "html", 98)``). Other CMSs link their pages — ``?page=2``, ``pageNo=``, 下一页, 尾页,
numbered links — which are read here too, as are sibling ``index_N.html`` links.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.spiders.base import ReportSpider
from crawler.spiders.pages import Link, page_links

TRS_PAGER = re.compile(r"createPageHTML\(([^)]*)\)")
PAGE_PARAM = re.compile(r"([?&](?:page|pageNo|pageIndex|pageNum|curPage)=)(\d*)(?=&|$)", re.IGNORECASE)
TRS_PAGE_FILE = re.compile(r"^index(?:_\d+)?\.s?html?$")
PAGING_WORDS = ("下一页", "下页", "上一页", "上页", "首页", "尾页", "末页", "最后一页", ">", ">>", "»")


def trs_pages(response: TextResponse, limit: int) -> list[str]:
    """Listing pages announced by TRS's ``createPageHTML(total, current, "index", "html")``
    (also the newer ``createPageHTML("div_id", total, current, "index", "html", records)``):
    ``index.html``, ``index_1.html`` … ``index_{total-1}.html`` next to the current page — at most
    ``limit`` of them, however many the script claims (``createPageHTML(20000000, …)``)."""
    urls = []
    for args in TRS_PAGER.findall(response.text):
        values = [v.strip().strip("'\"") for v in args.split(",")]
        numbers = [int(v) for v in values if v.isdigit()]
        names = [v for v in values if v and not v.isdigit()]
        if not numbers or len(names) < 2 or len(urls) >= limit:
            continue
        prefix, ext = names[-2], names[-1]
        urls += [response.urljoin(f"{prefix}.{ext}")]
        urls += [response.urljoin(f"{prefix}_{n}.{ext}") for n in range(1, min(numbers[0], limit - len(urls) + 1))]
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


class TrsSpider(ReportSpider):
    """Thin base for static listings: :meth:`static_listing` on a column page. Used on its own, it
    expects each portal's ``hints.column_url``."""

    name = "trs"

    def parse(self, response: Response, hops: int = 0):
        if isinstance(response, HtmlResponse):
            yield from self.static_listing(response, page_links(response), hops)

    def static_listing(self, response: HtmlResponse, links: list[Link], hops: int):
        """Report links on the page and the listing's other pages (TRS pager, paging links)."""
        trs = trs_pages(response, self.listing_limit())
        if trs:
            self.count_listing(response, "trs")
        pages = trs + [link.url for link in links if is_paging_link(response.url, link)]
        yield from self.reports_and_pages(response, links, pages, self.parse, hops)
