"""HTML pages: find the article among the portal chrome, lay its tables out as grids.

Leaf tables (tables without tables inside: old portals lay pages out with tables) become
grid rows with row/column spans unmerged; all other text becomes one-cell rows, in
document order.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from .grid import Cell, Parsed, ReadError, Row, Span, rows_text, unmerge
from .metadata import labelled_date

_CHROME = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "select", "button")
_BLOCKS = ("p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "table")
_CONTENT_SHARE = 0.8  # the article holds at least this share of the page's non-link text


def read_html(markup: str) -> Parsed:
    soup = BeautifulSoup(markup, "lxml")
    if soup.body is None and soup.find() is None:
        raise ReadError("html", "no HTML elements found")
    for tag in soup.find_all(_CHROME):
        tag.decompose()
    page_title = _page_title(soup)
    body = soup.body or soup
    rows = _rows(_content_block(body))
    if not any(c.text for row in rows for c in row):
        raise ReadError("html", "the page has no text")
    return Parsed(rows=rows, text=rows_text(rows), title=_heading(body) or page_title,
                  published=_meta_date(soup) or labelled_date(body.get_text("\n")))


def _content_block(body: Tag) -> Tag:
    """The deepest element holding most of the page's non-link text: the article."""
    total = _own_text_length(body)
    best = body
    for tag in body.find_all(("div", "td", "article", "section", "main")):
        if _own_text_length(tag) >= _CONTENT_SHARE * total and _depth(tag) > _depth(best):
            best = tag
    return best


def _own_text_length(tag: Tag) -> int:
    text = len(re.sub(r"\s+", "", tag.get_text()))
    links = sum(len(re.sub(r"\s+", "", a.get_text())) for a in tag.find_all("a"))
    return text - links


def _depth(tag: Tag) -> int:
    return len(list(tag.parents))


def _rows(root: Tag) -> list[Row]:
    """Walk the block in document order: leaf tables as grids, other text as lines."""
    rows: list[Row] = []
    line: list[str] = []

    def flush():
        text = re.sub(r"[ \t\r\n\u00a0]+", " ", "".join(line)).strip()
        if text:
            rows.append([Cell(text)])
        line.clear()

    def walk(node):
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:
                    line.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "table" and child.find("table") is None:
                    flush()
                    rows.extend(_table_rows(child))
                elif child.name in _BLOCKS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(root)
    flush()
    return rows


def _table_rows(table: Tag) -> list[Row]:
    spans = []
    for tr in table.find_all("tr"):
        cells = tr.find_all(("td", "th"), recursive=False)
        spans.append([Span(_cell_text(td), _int(td.get("rowspan")), _int(td.get("colspan"))) for td in cells])
    return unmerge(spans)


def _cell_text(td: Tag) -> str:
    """A cell's text with its internal line breaks removed: labels are split over lines."""
    return re.sub(r"\s+", " ", td.get_text(" ")).strip()


def _int(value) -> int:
    try:
        return max(int(str(value).strip()), 1)
    except (TypeError, ValueError):
        return 1


def _page_title(soup: BeautifulSoup) -> str | None:
    """The <title> without the site name portals append ("…年度报告_罗山县人民政府")."""
    if soup.title is None:
        return None
    parts = re.split(r"\s*[_|｜]\s*|\s+[-－—]+\s+", soup.title.get_text(" ", strip=True))
    return next((p for p in parts if "年度报告" in p or "年报" in p), parts[0] or None)


def _heading(body: Tag) -> str | None:
    """A heading naming a report of a year (a bare "年度报告" is a navigation column)."""
    for tag in body.find_all(("h1", "h2", "h3")) + body.find_all(class_=re.compile("title", re.I)):
        text = tag.get_text(" ", strip=True)
        if ("年度报告" in text or "年报" in text) and re.search(r"(19|20)\d{2}", text) and len(text) <= 80:
            return text
    return None


_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "date", "dc.date", "article:published_time")


def _meta_date(soup: BeautifulSoup) -> str | None:
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in _DATE_META and meta.get("content"):
            return meta["content"]
    return None
