"""Hanweb (大汉) jpage columns: the thin CMS base for portals built on Hanweb's jcms.

A Hanweb column page carries its first records inline, as an XML data island::

    <div id="26044"><script type="text/xml"><datastore><recordset>
      <record><![CDATA[<li><a href="/art/2022/1/28/art_26044_1.html" title="…">…</a><span>2022-01-28</span></li>]]></record>
    </recordset></datastore></script></div>

and a ``$('#26044').jpage({totalRecord: 38, perPage: 15, groupSize: 3, proxyUrl:
'/module/web/jpage/dataproxy.jsp', ajaxParam: {columnid: 26044, unitid: '68466', …}})``
call that POSTs ``ajaxParam`` to ``proxyUrl?startrecord=46&endrecord=90&perpage=15`` for
the following groups of ``perPage × groupSize`` records. The proxy answers the same
``<datastore>`` with ``<totalrecord>``. Records are HTML list items, so report links are
read from them with the same rules as any listing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.selector import Selector

from crawler.spiders.base import ReportSpider
from crawler.spiders.pages import Link, inline_scripts, listing_of, page_links

JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.DOTALL)
AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{(.*?)\}", re.DOTALL)
JS_PAIR = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w.]+))""")
DEFAULT_GROUP_SIZE = 3  # jpage's default


@dataclass(frozen=True)
class Jpage:
    """A jpage listing's paging: the proxy to POST to and what to send."""

    proxy_url: str           # absolute
    per_page: int
    group_size: int
    form: dict[str, str]     # ajaxParam, POSTed with every group request
    inline_records: int      # records already on the column page
    total: int | None        # totalRecord, if the page states it

    def group_urls(self, total: int, limit: int) -> list[str]:
        """The proxy URL of every group after the inline records, up to ``total`` records and at most
        ``limit`` groups (a ``totalRecord`` of billions makes no list of millions)."""
        step = self.per_page * self.group_size
        starts = range(self.inline_records + 1, total + 1, step)[:limit]
        return [f"{self.proxy_url}?startrecord={start}&endrecord={start + step - 1}&perpage={self.per_page}"
                for start in starts]


@lru_cache(maxsize=1)
def datastore(text: str) -> Selector:
    """A ``<datastore>`` document (a proxy's answer, a column page's data island) read as XML, with
    lxml's recovering parser (a record cut short loses itself, not the rest). The last one read is
    kept: its records and its count (a proxy answer's), its records for their number and for their
    links (a column page's) are asked of one document one after the other."""
    return Selector(text=text.lstrip("\ufeff \t\r\n"), type="xml")


def records(text: str) -> list[str]:
    """The HTML snippets of a ``<datastore>``'s records (CDATA, or escaped HTML)."""
    return datastore(text).xpath("//record/text()").getall()


def data_islands(response: TextResponse) -> str:
    """The column page's ``<datastore>`` data islands (inline scripts holding XML, not code) as one
    XML document."""
    islands = [script.strip() for script in inline_scripts(response) if script.lstrip().startswith("<")]
    return "<islands>{}</islands>".format("".join(islands))


def record_links(response: TextResponse, text: str) -> list[Link]:
    """Links in the records of ``text``, read like any listing's (dates from their list item)."""
    snippets = records(text)
    if not snippets:
        return []
    html = HtmlResponse(response.url, body="<ul>{}</ul>".format("".join(snippets)).encode("utf-8"), encoding="utf-8")
    return page_links(html)


def jpage(response: TextResponse) -> Jpage | None:
    """The jpage call on a column page, or None if the page has none."""
    scripts = "\n".join(inline_scripts(response))
    call = JPAGE.search(scripts)
    if not call:
        return None
    params = AJAX_PARAM.search(call.group(1))
    config, form = (js_object(text) for text in (AJAX_PARAM.sub("", call.group(1)), params.group(1) if params else ""))
    if "proxyUrl" not in config:
        return None
    return Jpage(proxy_url=response.urljoin(config["proxyUrl"]), per_page=int(config.get("perPage", 15)),
                 group_size=int(config.get("groupSize", DEFAULT_GROUP_SIZE)), form=form,
                 inline_records=len(records(data_islands(response))),
                 total=int(config["totalRecord"]) if config.get("totalRecord", "").isdigit() else None)


def js_object(text: str) -> dict[str, str]:
    """``key: 'v', key: 2`` pairs of a JavaScript object literal's body, as strings."""
    return {key: next((v for v in values if v), "") for key, *values in JS_PAIR.findall(text)}


def datastore_count(text: str, element: str) -> int | None:
    """The number a ``<datastore>`` states in ``element`` (``totalrecord``, a list endpoint's ``totalpage``)."""
    count = datastore(text).xpath(f"normalize-space(//{element})").get()
    return int(count) if count.isdigit() else None


def total_records(text: str) -> int | None:
    return datastore_count(text, "totalrecord")


class HanwebSpider(ReportSpider):
    """Thin base for Hanweb jpage columns: :meth:`hanweb_listing` on a column page,
    :meth:`parse_hanweb` on the proxy's answers. Used on its own, it expects each
    portal's ``hints.column_url``."""

    name = "hanweb"

    def parse(self, response: Response, hops: int = 0):
        if isinstance(response, HtmlResponse):
            yield from self.hanweb_listing(response, [], hops)

    def hanweb_listing(self, response: HtmlResponse, links: list[Link], hops: int):
        """Reports in the inline records, then a request for every further group of records.
        (The page's own ``links`` are not used: a Hanweb listing is in its XML data island.)"""
        paging = jpage(response)
        if paging is None:
            return
        self.count_listing(response, "hanweb")
        yield from self.follow_reports(response, record_links(response, data_islands(response)))
        # Without a stated total, ask for the next group: its <totalrecord> tells the rest.
        total = paging.total or paging.inline_records + 1
        for url in self.listing_pages(response, paging.group_urls(total, self.listing_limit())):
            yield self.hanweb_group(response, url, paging, hops)

    def parse_hanweb(self, response: Response, paging: Jpage, hops: int = 0):
        """A proxy answer: its reports, and any group the column page's count did not announce."""
        text = response.body.decode(getattr(response, "encoding", None) or "utf-8", errors="replace")
        yield from self.follow_reports(response, record_links(response, text))
        for url in self.listing_pages(response, paging.group_urls(total_records(text) or 0, self.listing_limit())):
            yield self.hanweb_group(response, url, paging, hops)

    def hanweb_group(self, response: Response, url: str, paging: Jpage, hops: int) -> scrapy.FormRequest:
        # A group announced twice (by the page and by another group's answer) is asked for once:
        # listing_pages knows the groups requested for the column page named in meta["listing"].
        return scrapy.FormRequest(url, formdata=paging.form, callback=self.parse_hanweb,
                                  meta={**self.context(response), "listing": listing_of(response)},
                                  cb_kwargs={"paging": paging, "hops": hops})
