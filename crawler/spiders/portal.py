"""The generic discovery spider: from a portal's home page to every annual report.

It walks column links (政务公开 → 政府信息公开 → 年报, at most ``NIANBAO_MAX_HOPS``),
and on every page it reaches it reads listings with the readers of both CMS bases — static
pages (TRS ``createPageHTML``, ``index_N.html``, ``?page=N``, 下一页; :mod:`crawler.spiders.trs`)
and a Hanweb jpage data island and proxy (:mod:`crawler.spiders.hanweb`) — and its own: a list
endpoint named in an inline script, paged by number, answering JSON or Hanweb-style XML. It follows a JavaScript redirect shell (only a redirect its script makes when it runs, :func:`redirect_targets`); meta-refresh
shells are followed by Scrapy's MetaRefreshMiddleware. A listing's entries whose title cannot
prove a report (no year, cut short) are fetched as candidates and judged by their article
(:mod:`crawler.spiders.pages`); at most ``NIANBAO_MAX_LISTING_PAGES`` pages of one listing are
read. A portal's ``hints.cms`` narrows the listing readers to its CMS's (:data:`CMS_LISTINGS`).
The finders are module functions so each is tested on its own.
"""
from __future__ import annotations

import re

from scrapy.http import HtmlResponse, Response, TextResponse

from crawler.spiders.links import is_column_link
from crawler.spiders.pages import Link, inline_scripts, listing_of, page_links
from crawler.spiders.hanweb import HanwebSpider, datastore_count, record_links
from crawler.spiders.trs import PAGE_PARAM, TrsSpider, is_paging_link, trs_pages
from crawler.spiders.units import MIN_UNITS, is_directory_link, listed_units, unit_reaches, unit_scope
from extract.rules import find_date, is_candidate_title

# JavaScript as tokens: comments (also the <!-- --> hiding old scripts), string literals, words (names, numbers), newlines, other characters.
JS_TOKEN = re.compile(r"""(?P<comment>//[^\n]*|/\*.*?(?:\*/|$)|<!--[^\n]*|-->[^\n]*)
                         |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)
                         |(?P<word>[\w$]+)|(?P<newline>\n)|(?P<other>\S)""", re.DOTALL | re.VERBOSE)
LOCATION_OWNERS = ("window", "document", "self", "top")
NOT_A_STATEMENT_END = ("if", "else", "do", "while", "for", "return", "typeof", "new", "in", "of", "void", "case")
STRING = "<string>"
REDIRECT_STATEMENTS = (
    ["location", ".", "replace", "(", STRING, ")"], ["location", ".", "assign", "(", STRING, ")"],
    ["location", ".", "href", "=", STRING], ["location", "=", STRING],
)
QUOTED_URL = re.compile(r"""["']((?:https?://|/|\.\.?/)[^"'\s<>]+)["']""")


def list_endpoints(response: TextResponse) -> list[str]:
    """List endpoints named in inline scripts, e.g. ``var listUrl = "/api/column/gknb/list?page=";``:
    a quoted URL with an (often empty) page parameter; page 1 is requested when none is given."""
    return [
        response.urljoin(PAGE_PARAM.sub(lambda m: m.group(1) + (m.group(2) or "1"), url))
        for url in QUOTED_URL.findall("\n".join(inline_scripts(response)))
        if PAGE_PARAM.search(url)
    ]


def endpoint_pages(url: str, count: int, limit: int) -> list[str]:
    """The other pages of a list endpoint that says it has ``count`` pages, at most ``limit`` of them."""
    return [PAGE_PARAM.sub(lambda m: f"{m.group(1)}{n}", url) for n in range(2, min(count, limit + 1) + 1)]


def endpoint_page(response: TextResponse) -> tuple[list[Link], int]:
    """The links on one page of a list endpoint and its page count: JSON ``{"pageCount", "items":
    [{"title", "url", "date"}]}``, or XML as a Hanweb data proxy writes it, ``<datastore>`` with
    ``<totalpage>`` and HTML list items in ``<record>``s."""
    if response.body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<datastore")):
        text = response.text
        return record_links(response, text), datastore_count(text, "totalpage") or 1
    data = response.json()
    return json_links(response, data), int(data.get("pageCount") or 1)


def json_links(response: TextResponse, data: dict) -> list[Link]:
    """``items: [{"title", "url", "date"}]`` of a JSON listing as links."""
    return [
        Link(response.urljoin(item["url"]), item.get("title") or "", find_date(item.get("date") or ""))
        for item in data.get("items") or []
        if item.get("url")
    ]


def redirect_targets(response: TextResponse) -> list[str]:
    """Targets of the redirects inline scripts make when they run (redirect shells): a top-level
    statement ``location.replace("…")``, ``location.assign("…")`` or ``location.href = "…"``
    (also ``window.location = "…"`` …), :func:`script_redirects`."""
    return [response.urljoin(target) for script in inline_scripts(response) for target in script_redirects(script)]


def script_redirects(script: str) -> list[str]:
    """The target of each statement of the script's top level that is a redirect and nothing else.
    Code that may not run is left out: a ``{…}`` block (a function body, an ``if (0) {…}`` branch)
    ends a statement without being part of it, ``if (0) location.replace(…)`` or ``0 &&
    location.replace(…)`` is no bare redirect, comments and strings are no code, and a target must be
    one string literal (a search box's ``location.href = "/search?q=" + q`` builds a URL)."""
    targets = []
    for statement in top_level_statements(script):
        texts = [STRING if kind == "string" else text for kind, text in statement]
        if texts[:2] in ([owner, "."] for owner in LOCATION_OWNERS):
            texts, statement = texts[2:], statement[2:]
        if texts in REDIRECT_STATEMENTS:
            literal = statement[texts.index(STRING)][1]
            targets.append(re.sub(r"\\(.)", r"\1", literal[1:-1]))
    return targets


def top_level_statements(script: str) -> list[list[tuple[str, str]]]:
    """The script's top-level statements as (kind, text) tokens, without comments and ``{…}`` blocks:
    a statement ends at ``;``, at a block, and at a line end after a name, number or string that
    cannot continue it (not after ``)``: ``if (0)`` ⏎ ``location.replace(…)`` is one statement)."""
    statements, current, depth = [], [], 0
    for match in JS_TOKEN.finditer(script):
        kind, text = match.lastgroup, match.group()
        if kind == "comment" or (depth and text not in "{}"):
            continue
        ends_line = kind == "newline" and current and current[-1][0] in ("word", "string") \
            and current[-1][1] not in NOT_A_STATEMENT_END
        if text == "{":
            depth += 1
        elif text == "}":
            depth = max(depth - 1, 0)
        elif kind != "newline" and text != ";":
            current.append((kind, text))
        if text in (";", "}") and not depth or ends_line:
            statements.append(current)
            current = []
    return [statement for statement in statements + [current] if statement]


class PortalSpider(TrsSpider, HanwebSpider):
    """One spider for every portal; see the module docstring for what it follows."""

    name = "portal"

    def parse(self, response: Response, hops: int = 0):
        """Any page on the way: listings, then redirect shells, then (on the portal's own pages) the
        units it lists, then columns further in."""
        if not isinstance(response, HtmlResponse):
            return
        links = page_links(response)
        portal = self.portal_of(response)
        for read_listing in listing_readers(portal["hints"].get("cms")):
            yield from read_listing(self, response, links, hops)
        for url in redirect_targets(response):
            yield from self.follow_redirect_shell(response, url, hops)
        if portal["units"] and "unit" not in response.meta:
            yield from self.follow_units(response, links, hops)
        if hops < self.settings.getint("NIANBAO_MAX_HOPS"):
            for link in links:
                if self.is_column_hop(response, link, hops):
                    yield self.follow_page(response, link.url, self.parse, hops + 1)

    def follow_units(self, response: HtmlResponse, links: list[Link], hops: int):
        """Each unit the page lists (:func:`listed_units`; on a ``hints.units_url`` page one is
        enough), from its own page as from a portal's home page: its pages carry ``meta["unit"]``,
        its name and where its pages are (:func:`unit_scope`). A directory's other pages are read alike."""
        minimum = 1 if response.meta.get("units_hint") else MIN_UNITS
        units = [unit for unit in listed_units(response, links, minimum)
                 if self.on_site(unit.url, response) and unit.url != self.portal_of(response)["url"]]
        nav = frozenset(link.url for link in links) | {self.portal_of(response)["url"]}
        for unit in units:
            yield response.follow(unit.url, self.parse, cb_kwargs={"hops": 0}, meta={
                "portal": response.meta["portal"],
                "unit": {"name": unit.name, "scope": unit_scope(unit.url), "nav": nav}})
        if units:
            pages = trs_pages(response, self.listing_limit()) + [
                link.url for link in links if is_paging_link(response.url, link)]
            for url in self.listing_pages(response, pages):
                request = self.follow_page(response, url, self.parse, hops, listing=listing_of(response))
                request.meta["units_hint"] = response.meta.get("units_hint", False)
                yield request

    def follow_redirect_shell(self, response: HtmlResponse, url: str, hops: int):
        """A JavaScript redirect is one more hop on Scrapy's redirect counter (``redirect_times``, which
        HTTP and meta-refresh redirects of the same chain advance too), so a ``location.replace`` chain
        of ever new URLs ends at ``REDIRECT_MAX_TIMES`` (NIANBAO_MAX_REDIRECTS): a ``redirect_limit``
        error naming where the chain started (``redirect_urls``, kept as Scrapy keeps it)."""
        redirects = response.meta.get("redirect_times", 0) + 1
        chain = [*response.meta.get("redirect_urls", []), response.url]
        limit = self.settings.getint("REDIRECT_MAX_TIMES")
        if redirects > limit:
            self.report_error(response.meta["portal"], chain[0], "redirect_limit",
                              f"more than NIANBAO_MAX_REDIRECTS ({limit}) redirects: the JavaScript redirect "
                              f"of {response.url} to {url} was not followed")
            return
        request = self.follow_page(response, url, self.parse, hops)
        request.meta.update(redirect_times=redirects, redirect_urls=chain)
        yield request

    def is_column_hop(self, response: HtmlResponse, link: Link, hops: int) -> bool:
        """A column link on the portal's site that no listing reader owns: a listing's other pages
        (under …/gknb/ they look like columns) are paged by the readers, within
        NIANBAO_MAX_LISTING_PAGES, and a dated report-like entry ("本机关政府信息公开年报") is a
        candidate report. On the portal's own pages a link to a directory of units (县直部门) is one
        too. Inside a unit's pages, a link to its own pages is (:func:`in_unit`), and — for the first
        :data:`UNIT_AWAY_HOPS` hops from its page — one elsewhere on the portal's sites, as a Hanweb
        unit's 信息公开 and 年报 columns are ``/col/colN/`` pages of the portal's host, unless its
        directory page has it too (``nav``: the portal's menus and the other units, whose reports are
        not the unit's) or it names the portal's 政务公开 (:func:`unit_reaches`)."""
        unit = response.meta.get("unit")
        column = is_column_link(link.text, link.url) or (
            not unit and self.portal_of(response)["units"] and is_directory_link(link.text))
        return (column and self.on_site(link.url, response) and (not unit or unit_reaches(unit, link, hops))
                and not is_paging_link(response.url, link) and not (link.date and is_candidate_title(link.text)))

    def endpoint_listing(self, response: HtmlResponse, links: list[Link], hops: int):
        for url in list_endpoints(response):
            yield self.follow_page(response, url, self.parse_endpoint, hops)

    def parse_endpoint(self, response: TextResponse, hops: int = 0):
        """A page of a list endpoint (:func:`endpoint_page`): its reports, and its other pages."""
        links, count = endpoint_page(response)
        pages = endpoint_pages(response.url, count, self.listing_limit())
        yield from self.reports_and_pages(response, links, pages, self.parse_endpoint, hops)


#: The listing readers by name: each reads one kind of listing on a page (response, its links, hops).
LISTING_READERS = {"static": PortalSpider.static_listing, "endpoint": PortalSpider.endpoint_listing,
                   "hanweb": PortalSpider.hanweb_listing}
#: The readers a ``hints.cms`` allows; without the hint, all of them.
CMS_LISTINGS = {"trs": ("static",), "hanweb": ("hanweb",)}


def listing_readers(cms: str | None) -> list:
    return [LISTING_READERS[name] for name in CMS_LISTINGS.get(cms, tuple(LISTING_READERS))]
