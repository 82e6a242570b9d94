"""Reading a fetched page: its links with their dates, its headings and title, its text, whether
an article is a report, its attachments and pictures, and a fetched document as a ReportItem's
document entry.

Functions of a Scrapy response, no crawl state: the spiders (``crawler.spiders.base`` and the CMS
readers) decide where to look, these say what a page holds.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value
from functools import wraps
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit
from weakref import WeakKeyDictionary

from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.spiders.links import ATTACHMENT_EXTENSIONS, is_attachment_link
from extract.rules import (TRUNCATED, body_year, cover_letter, find_date, is_lookalike, is_report_like,
                           is_report_text, is_report_title, labelled_date, report_year)

ATTACHMENT_LABEL = re.compile(r"^附件\s*\d*\s*[:：]?\s*")  # "附件1：" before a file name
# Ids and classes of a page's own parts, whose pictures are not a report's (see printed_images).
PAGE_CHROME = re.compile(r"header|footer|bottom|nav|menu|banner|logo|copyright|share", re.IGNORECASE)
ICON_PIXELS = 100


@dataclass(frozen=True)
class Link:
    url: str             # absolute
    text: str            # visible text, or the title attribute when that is longer or the text is cut short
    date: str | None     # a date in the same list item / table row, as YYYY-MM-DD


def page_links(response: HtmlResponse) -> list[Link]:
    """Every followable ``<a href>`` on a page, with its text and the date printed beside it.

    The links, their texts and rows are read from the parsed tree, with no XPath query (``itertext``
    gives the text nodes ``.//text()`` would, comments left out), a row's date once for all its links:
    two XPath queries per link made this a crawl's largest cost after archiving, and walking the tree
    takes two thirds of the time of the one query ``//a[@href]`` (bench/crawl_bench.py --units)."""
    links, row_dates = [], {}
    for element in page_elements(response, "a"):
        href = (element.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join(" ".join(element.itertext()).split())
        title = " ".join(element.get("title", "").split())
        if title and (text.endswith(TRUNCATED) or len(title) > len(text)):
            text = title
        row = next(element.iterancestors("li", "tr", "dd"), None)
        if row not in row_dates:
            row_dates[row] = find_date(" ".join(row.itertext())) if row is not None else None
        links.append(Link(response.urljoin(href), text, row_dates[row]))
    return links


def page_elements(response: TextResponse, tag: str):
    """The page's ``tag`` elements in document order, as the XPath ``//tag`` finds them, by walking the
    parsed tree (faster than the query): also those of a second document glued after the first, which
    lxml makes a sibling of the root element."""
    root = response.selector.root
    for top in (*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()):
        yield from top.iter(tag)


def once_per_response(read):
    """``read(response)``, computed once per response and kept while the response lives: for what
    several readers of one page look at."""
    results: WeakKeyDictionary[Response, object] = WeakKeyDictionary()

    @wraps(read)
    def once(response: Response):
        if response not in results:
            results[response] = read(response)
        return results[response]
    return once


@once_per_response
def inline_scripts(response: TextResponse) -> list[str]:
    """The texts of a page's inline scripts (``<script>`` without ``src``), in page order: redirect
    shells, list endpoints, Hanweb's jpage call and data islands are all looked for in them (an XPath
    query in each took some 40 ms of the county bench's 2.3 CPU seconds, bench/crawl_bench.py --units)."""
    return [script.text for script in page_elements(response, "script")
            if script.text is not None and script.get("src") is None]


@once_per_response
def page_text(response: HtmlResponse) -> str:
    """The text nodes of the page's body joined by spaces: a candidate's article is judged on it, and
    its date read from it (lxml's text nodes, not parsel's selectors of them: half the time)."""
    return " ".join(response.selector.root.xpath("//body//text()"))


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
    return "".join(page_text(response).split())


def article_report(response: HtmlResponse, link_text: str) -> tuple[str, int | None] | None:
    """(title, year or None) if a candidate's article page is an annual report, else None.

    The page's own title — its first heading that speaks of a report (报告/年报; a ``.title``
    block label like 通知公告 does not) — must not be a look-alike, unless it is a cover letter
    carrying the report (…关于报送…年度报告的函: the report's title stands for it), and its body
    must carry the report format's headings or table labels (a 政府工作报告 page has none) — or,
    for such a cover letter, its attachments must (the letter's page is a few lines, the report is
    attached; the extractor reads the attachment and records what it is). The
    title is the first report title among its headings, else the first report-like one, else the
    link text; the year is the title's, else the one the body states (``extract.rules.body_year``)."""
    headings = page_headings(response)
    own_title = next((h for h in headings if "报告" in h or "年报" in h), "")
    carried = cover_letter(own_title)
    if is_lookalike(own_title) and not carried:
        return None
    text = body_text(response)
    if not is_report_text(text) and not (carried and attachment_links(response)):
        return None
    titles = ([carried[1]] if carried else []) + headings + [link_text]
    title = next((t for t in titles if is_report_title(t)), None) or next((t for t in titles if is_report_like(t)),
                                                                        link_text)
    return title, report_year(title) or body_year(text)


def page_date(response: HtmlResponse) -> str | None:
    """The publication date a report page shows (TRS ``PubDate`` meta, or a 发布日期 label)."""
    meta = response.xpath('//meta[@name="PubDate" or @name="pubdate" or @name="publishdate"]/@content').get()
    return find_date(meta) or labelled_date(page_text(response))


def listing_of(response: Response) -> str:
    """The first page of the listing ``response`` belongs to: a later page's request carries it as
    ``meta["listing"]``; any other page may start a listing of its own."""
    return response.meta.get("listing", response.url)


@once_per_response
def attachment_links(response: HtmlResponse) -> list[Link]:
    """A report page's attachments — its attachment links, then the pictures printed in its text —
    first occurrence of each URL, in page order. (Asked twice of a cover letter: to judge it, then
    to download them.)"""
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
    images = response.xpath("//body//img")
    if not images:  # most report pages: no need to look for the title among every text (each table cell)
        return []
    holders = response.xpath("//body//*[text()][not(self::script or ancestor-or-self::a)]")
    title = next((node for node in holders if is_report_title("".join(node.xpath("text()").getall()))), None)
    images = title.xpath("following::img") if title else images
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
        # Where the record starts and its length (unknown for a payload archived before they were kept).
        "warc_offset": archived.get("warc_offset"),
        "warc_length": archived.get("warc_length"),
        "body": body,
    }
