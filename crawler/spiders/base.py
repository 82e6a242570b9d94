"""Shared rules and the base spider: when an article page is a report its listing title could
not prove, which links lead to the 年报 column or to attachments, and how a report page becomes
a ReportItem.

The rules are plain functions of text so they can be tested from a table; spiders
only decide where to look. What a report title looks like, its year, a date and whether a
text is a report are the extractor's rules (``extract.rules``, pure), imported here so the
crawler and the extractor judge a report alike. Every request carries ``meta["portal"]`` (the portal
name) so middlewares and the crawl log can attribute pages and errors.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from email.utils import collapse_rfc2231_value
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.http.request import NO_CALLBACK

from crawler.addresses import portal_sites, site_of
from crawler.extensions import YEAR_ANSWERS, portal_stat
from crawler.items import ReportItem
from crawler.portals import load_portals, template_years, validate_portals
from crawler.signals import error_found, not_a_report
from extract.rules import (LOOKALIKE_WORDS, TRUNCATED, body_year, cover_letter, find_date, is_candidate_title,
                           is_lookalike, is_report_like, is_report_text, is_report_title, labelled_date,
                           report_year)

# Link texts naming a column on the way to the reports (政务公开 → 政府信息公开 → 年报),
# and href fragments CMSs use for that column.
COLUMN_WORDS = ("政务公开", "信息公开", "年报", "年度报告")
COLUMN_NOT = ("指南", "制度", "申请", "规定")
COLUMN_HREFS = ("zfxxgknb", "xxgknb", "gknb")
COLUMN_TEXT_MAX = 12  # nav labels are short; news titles mentioning 政务公开 are not
# Reports are published as documents, or as pictures: scanned pages, tables printed as images.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", *IMAGE_EXTENSIONS)

ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*\s*[:：]?\s*")  # "附件1：" before a file name
# Ids and classes of a page's own parts, whose pictures are not a report's (see printed_images).
PAGE_CHROME = re.compile(r"header|footer|bottom|nav|menu|banner|logo|copyright|share", re.IGNORECASE)
ICON_PIXELS = 100


def is_column_link(text: str, url: str) -> bool:
    """A link worth following towards the 年报 column: a short, undated text naming the column,
    or a short text linking to a column address (``…/zfxxgknb/``). Article titles are long, and
    articles live under their column's folder, so for an address only the file's own name
    counts — or its folder's, for an index page."""
    text = text.strip()
    if not 0 < len(text) <= COLUMN_TEXT_MAX or report_year(text):
        return False
    if any(word in text for word in COLUMN_NOT + LOOKALIKE_WORDS):
        return False
    folder, _, page = urlsplit(url).path.lower().rpartition("/")
    name = folder if page == "" or page.startswith("index") else page
    return any(part in name for part in COLUMN_HREFS) or any(word in text for word in COLUMN_WORDS)


def is_attachment_link(text: str, url: str) -> bool:
    """A downloadable document: an office/PDF extension in the URL or the link text, or a 附件 link."""
    path = unquote(urlsplit(url).path).lower()
    return path.endswith(ATTACHMENT_EXTENSIONS) or text.strip().lower().endswith(ATTACHMENT_EXTENSIONS) or "附件" in text


@dataclass(frozen=True)
class Link:
    url: str             # absolute
    text: str            # visible text, or the title attribute when that is longer or the text is cut short
    date: str | None     # a date in the same list item / table row, as YYYY-MM-DD


def page_links(response: HtmlResponse) -> list[Link]:
    """Every followable ``<a href>`` on a page, with its text and the date printed beside it."""
    links = []
    for a in response.xpath("//a[@href]"):
        href = a.attrib["href"].strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(" ".join(a.xpath(".//text()").getall()).split())
        title = " ".join(a.attrib.get("title", "").split())
        if title and (text.endswith(TRUNCATED) or len(title) > len(text)):
            text = title
        row = a.xpath("ancestor::*[self::li or self::tr or self::dd][1]//text()").getall()
        links.append(Link(response.urljoin(href), text, find_date(" ".join(row))))
    return links


def page_headings(response: HtmlResponse) -> list[str]:
    """The titles an article page gives itself: the TRS/Hanweb ``ArticleTitle`` meta, ``<h1>``, a
    ``.title`` element, ``<title>`` — in this order, as <title> often appends the site's name
    ("…年度报告_某某县人民政府")."""
    found = response.xpath('//meta[@name="ArticleTitle"]/@content').getall()
    for query in ("//h1", '//*[contains(concat(" ", @class, " "), " title ")]', "//title"):
        found += [node.xpath("string()").get() for node in response.xpath(query)]
    return [text for text in (" ".join(t.split()) for t in found) if text]


def page_title(link_text: str, response: HtmlResponse) -> str:
    """The listing's link text unless it was cut short ("…") or there was none, then the page's own heading."""
    if link_text and not link_text.endswith(TRUNCATED):
        return link_text
    return next((t for t in page_headings(response) if is_report_title(t)), link_text)


def body_text(response: HtmlResponse) -> str:
    """The page's text with all whitespace removed, so labels split across table cells or lines still match."""
    return "".join(" ".join(response.xpath("//body//text()").getall()).split())


def article_report(response: HtmlResponse, link_text: str) -> tuple[str, int | None] | None:
    """(title, year or None) if a candidate's article page is an annual report, else None.

    The page's own title — its first heading that speaks of a report (报告/年报; a ``.title``
    block label like 通知公告 does not) — must not be a look-alike, unless it is a cover letter
    carrying the report (…关于报送…年度报告的函: the report's title stands for it), and its body
    must carry the report format's headings or table labels (a 政府工作报告 page has none). The
    title is the first report title among its headings, else the first report-like one, else the
    link text; the year is the title's, else the one the body states (``extract.rules.body_year``)."""
    headings = page_headings(response)
    own_title = next((h for h in headings if "报告" in h or "年报" in h), "")
    carried = cover_letter(own_title)
    if is_lookalike(own_title) and not carried:
        return None
    text = body_text(response)
    if not is_report_text(text):
        return None
    titles = ([carried[1]] if carried else []) + headings + [link_text]
    title = next((t for t in titles if is_report_title(t)), None) or next((t for t in titles if is_report_like(t)),
                                                                        link_text)
    return title, report_year(title) or body_year(text)


def page_date(response: HtmlResponse) -> str | None:
    """The publication date a report page shows (TRS ``PubDate`` meta, or a 发布日期 label)."""
    meta = response.xpath('//meta[@name="PubDate" or @name="pubdate" or @name="publishdate"]/@content').get()
    return find_date(meta) or labelled_date(" ".join(response.xpath("//body//text()").getall()))


def listing_of(response: Response) -> str:
    """The first page of the listing ``response`` belongs to: a later page's request carries it as
    ``meta["listing"]``; any other page may start a listing of its own."""
    return response.meta.get("listing", response.url)


def attachment_links(response: HtmlResponse) -> list[Link]:
    """A report page's attachments — its attachment links, then the pictures printed in its text —
    first occurrence of each URL, in page order."""
    links = [link for link in page_links(response) if is_attachment_link(link.text, link.url)]
    seen, found = set(), []
    for link in links + printed_images(response):
        if link.url not in seen and link.url != response.url:
            seen.add(link.url)
            found.append(link)
    return found


def printed_images(response: HtmlResponse) -> list[Link]:
    """Pictures in a report's text (a paragraph or a table cell): a report printed as scanned pages
    or with its tables as images has its content there.

    The site's own pictures are left out: those before the report's title in the body (banners,
    breadcrumb arrows; a page not showing its title keeps them), inside links (logos, badges),
    inside the page's header, footer, menus or banners (by their id or class), and icons (a
    declared width or height under ``ICON_PIXELS``). Old portals lay out the whole page with
    tables, so being in a table cell alone says nothing."""
    holders = response.xpath("//body//*[text()][not(self::script or ancestor-or-self::a)]")
    title = next((node for node in holders if is_report_title("".join(node.xpath("text()").getall()))), None)
    images = title.xpath("following::img") if title else response.xpath("//body//img")
    sources = [image.attrib.get("src", "").strip() for image in images if _is_printed(image)]
    return [Link(response.urljoin(src), "", None) for src in sources if src and not src.startswith("data:")]


def _is_printed(image) -> bool:
    if not image.xpath("ancestor::p or ancestor::table") or image.xpath("ancestor::a"):
        return False
    if any(PAGE_CHROME.search(f"{node.attrib.get('id', '')} {node.attrib.get('class', '')}")
           for node in image.xpath("ancestor::*")):
        return False
    sizes = [image.attrib.get(side, "").strip().removesuffix("px") for side in ("width", "height")]
    return not any(size.isdigit() and int(size) < ICON_PIXELS for size in sizes)


def attachment_filename(response: Response, link_text: str) -> str | None:
    """The name a server or page gives a file: Content-Disposition, else link text naming a file, else the URL."""
    disposition = response.headers.get("Content-Disposition")
    if disposition:
        message = Message()
        message["Content-Disposition"] = _header_text(disposition)
        names = [value for key, value in message.get_params(header="Content-Disposition") if key == "filename"]
        # RFC 6266: the UTF-8 ``filename*`` beats the ASCII fallback ``filename``.
        names.sort(key=lambda value: not isinstance(value, tuple))
        if names:
            return collapse_rfc2231_value(names[0])
    if link_text.lower().endswith(ATTACHMENT_EXTENSIONS):
        return ATTACHMENT_LABEL.sub("", link_text)
    name = unquote(PurePosixPath(urlsplit(response.url).path).name)
    return name or None


def _header_text(value: bytes) -> str:
    # Chinese servers send raw UTF-8 or GBK file names in Content-Disposition.
    for encoding in ("utf-8", "gb18030"):
        try:
            return value.decode(encoding)
        except UnicodeDecodeError:
            continue
    return value.decode("latin-1")


def document(response: Response, role: str, filename: str | None = None) -> dict:
    """A document entry of a ReportItem, with provenance from the WARC middleware and the raw body."""
    body = response.body
    archived = response.meta["warc"]
    return {
        "url": response.url,
        "role": role,
        "filename": filename,
        "status": response.status,
        "content_type": _header_text(response.headers.get("Content-Type", b"")) or None,
        "fetched_at": archived["fetched_at"],
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "blob": None,
        "warc_file": archived["warc_file"],
        "warc_record_id": archived["warc_record_id"],
        "body": body,
    }


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

    async def start(self):
        for portal in self.portals:
            column = portal["hints"].get("column_url")
            # column_hint: a 404 there means the column moved (column_gone), not a dead link
            yield scrapy.Request(column or portal["url"], self.parse,
                                 meta={"portal": portal["name"], "column_hint": bool(column)})
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
        file's name). Whether each year gave a report is noted for the crawl log, which reports the
        years the hint promised and did not give (crawler.portals.year_url_template_errors)."""
        if isinstance(response, HtmlResponse):
            title = page_title("", response)
            if not is_report_title(title):
                self.judged_not_a_report(response, title)
                self.year_answered(response.meta["portal"], year, f"not an annual report: {title!r}")
                return
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

    def on_site(self, url: str, response: Response) -> bool:
        """Navigation stays on the sites of the portal's home page, its column hint, and the current
        page (which differs only when a redirect moved the portal elsewhere)."""
        return site_of(url) in portal_sites(self.portal_of(response)) | {site_of(response.url)}

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
            link.url, callback, meta={"portal": response.meta["portal"], "judge": judge, "report_document": True},
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
        meta = {"portal": response.meta["portal"], **({"listing": listing} if listing else {})}
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
        yield ReportItem(
            portal=portal["name"], portal_url=portal["url"], portal_region=portal["region"],
            portal_level=portal["level"], page_url=response.url, listing_url=listing_url,
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
