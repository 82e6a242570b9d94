"""HTML pages: find the article among the portal chrome, lay its tables out as grids.

Leaf tables (tables without tables inside: old portals lay pages out with tables) become
grid rows with row/column spans unmerged; all other text becomes one-cell rows, in
document order. The article's pictures are placed among those rows: a page given its pictures
has each read by OCR and its rows put where it sits (``scan.read_pictures``, docs/ocr.md); a
page not given them says where its cells went (a ``<table>`` of pictures only, or pictures in
an article whose table sections print no table: tables printed as images).

lxml's plain HTML parser is used directly (not BeautifulSoup over it, nor lxml.html,
whose element classes cost a lookup per node): a report page is read in a few
milliseconds, which is what the batch needs (bench/extract_bench.py).

libxml2 reads elements at most 256 deep and silently drops what lies deeper (a broken CMS
template repeated, or a hostile page: the report's text lost without a word). A page nested
deeper than that, or than ``ContentLimits.html_depth``, is parsed again with its layout
elements removed (``div``, ``span``, ``font`` …, block ones turned into line breaks), which keeps
its text and tables; a page still too deep (tables nested in tables) is refused by that limit.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import etree

from .grid import Cell, Parsed, ReadError, Row, Span, rows_text, unmerge
from .limits import LIMITS, ContentLimits, over
from .pictures import say_what_pictures_hide
from .rules import labelled_date, stated_title

if TYPE_CHECKING:  # the OCR readers are imported only for a page given its pictures
    from .scan import PictureSource

_CHROME = ("script", "style", "noscript", "nav", "header", "footer", "iframe", "form", "select", "button")
_BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "table"}
_CANDIDATES = {"div", "td", "article", "section", "main"}
_CONTENT_SHARE = 0.8  # the article holds at least this share of the page's non-link text
# What a flattened page keeps: structure the reader needs, and the chrome it drops with its text.
_STRUCTURE = {"html", "head", "title", "meta", "body", "p", "br", "img", "table", "caption", "thead", "tbody",
              "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", *_CHROME}
_NAME_END = r"(?![\w:.-])"
# A run of layout blocks (<div><div>…, </div></div>…) is one line break; any other layout tag, nothing.
_LAYOUT_BLOCKS = re.compile(r"(?:\s*</?(?:%s)%s[^<>]*>)+" % ("|".join(sorted(_BLOCKS - _STRUCTURE)), _NAME_END), re.I)
_LAYOUT_TAG = re.compile(r"</?(?!(?:%s)%s)[A-Za-z][\w:.-]*[^<>]*>" % ("|".join(sorted(_STRUCTURE)), _NAME_END), re.I)


def read_html(markup: str, limits: ContentLimits = LIMITS, pictures: PictureSource | None = None,
              url: str | None = None) -> Parsed:
    """Rows and text of a page. ``pictures``, when given, supplies the pictures the article prints
    by their URL (``src`` resolved against ``<base>`` and the page's own ``url``): each is read by
    OCR and its rows put where it sits (``scan.read_pictures``). Without it, pictures are not read."""
    root, too_deep = _parse(markup, limits)
    warnings = []
    if too_deep:
        root, too_deep = _parse(_flatten(markup), limits)
        if too_deep:
            raise ReadError("html", over(limits, "html_depth", "elements nested too deep, tables within tables"))
        warnings.append({"stage": "html", "message": "elements nested deeper than the parser reads: the page was "
                                                     "read with its layout elements (div, span …) removed"})
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for tag in list(root.iter(*_CHROME)):
        _drop(tag)
    page_title = _page_title(root)
    body = root.find("body")
    body = root if body is None else body
    content = _content_block(body)
    try:
        rows, placed, tables = _rows(content, limits.grid_cells)
    except OverflowError:
        raise ReadError("html", over(limits, "grid_cells", "the page's tables lay out to too many cells, merged "
                                                           "cells counted at every position they cover")) from None
    reading = None
    if pictures is not None and placed:
        from .scan import read_pictures
        base = urljoin(url or "", _base_href(root))
        reading = read_pictures(rows, [(index, urljoin(base, src)) for index, src, _table in placed], pictures, limits)
        rows = reading.rows
        warnings += reading.warnings
    if not any(c.text for row in rows for c in row):
        raise ReadError("html", "the page has no text")
    parsed = Parsed(rows=rows, text=rows_text(rows), title=_heading(body) or page_title,
                    published=_meta_date(root) or labelled_date("\n".join(body.itertext())), warnings=warnings)
    if reading is None:
        say_what_pictures_hide(parsed, placed, [], tables, offered=False, stage="html")
    else:  # pictures not given hide nothing when those given held the text (icons the crawler left out)
        parsed.ocr, parsed.breaks, parsed.pictures = reading.ocr, reading.breaks, reading.given
        say_what_pictures_hide(parsed, [placed[n] for n in reading.not_given] if reading.ocr is None else [],
                               [placed[n] for n in reading.failed], tables, offered=True, stage="html")
    return parsed


def _base_href(root) -> str:
    """The page's ``<base href>``, if it states one."""
    base = root.find(".//base[@href]")
    return "" if base is None else base.get("href").strip()




LIBXML2_DEPTH = 256  # element nesting libxml2's HTML parser reads without huge_tree

def _parse(markup: str, limits: ContentLimits):
    """(the document tree, whether elements nest deeper than libxml2 reads or ``limits.html_depth``).
    The text is already decoded, so any charset it declares is ignored."""
    parser = etree.HTMLParser(encoding="utf-8")
    try:
        root = etree.fromstring(markup.encode("utf-8"), parser)
    except (etree.ParserError, ValueError) as e:
        raise ReadError("html", f"no HTML elements found ({e})") from e
    if root is None:
        raise ReadError("html", "no HTML elements found")
    cut = any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in parser.error_log)
    # libxml2 reads LIBXML2_DEPTH levels and logs the cut; only a lower limit needs the tree walked.
    return root, cut or (limits.html_depth < LIBXML2_DEPTH and _depth(root) > limits.html_depth)


def _depth(root) -> int:
    """How deep elements nest below ``root``."""
    depth = deepest = 0
    for event, _el in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _flatten(markup: str) -> str:
    """The markup without its layout elements: runs of block ones become a line break, inline ones
    nothing."""
    return _LAYOUT_TAG.sub("", _LAYOUT_BLOCKS.sub("<br>", markup))


def _drop(el) -> None:
    """Remove an element but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# str.split's whitespace is re's \s (NBSP included), and splitting is several times faster than
# a regex substitution on the page's many short strings.
def _squeezed(text: str) -> str:
    """The text with each run of whitespace one space, none at its ends."""
    return " ".join(text.split())


def _ink(text: str | None) -> int:
    """Characters of ``text`` that are not whitespace."""
    return len("".join(text.split())) if text else 0


def _content_block(body):
    """The deepest element holding most of the page's non-link text: the article.

    One bottom-up pass counts each element's text and link text, so a page costs
    time linear in its size however deeply portals nest their layout."""
    counts: dict = {}

    def count(el) -> tuple[int, int]:
        text, links = _ink(el.text), 0
        for child in el:
            t, k = count(child)
            tail = _ink(child.tail)
            text, links = text + t + tail, links + k
        if el.tag == "a":
            links = text
        if el.tag in _CANDIDATES:
            counts[el] = text - links
        return text, links

    text, links = count(body)
    total = text - links
    best, best_depth = body, 0
    for el, own in counts.items():
        if own >= _CONTENT_SHARE * total:
            depth = sum(1 for _ in el.iterancestors())
            if depth > best_depth:
                best, best_depth = el, depth
    return best


def _rows(root, max_cells: int) -> tuple[list[Row], list[tuple[int, str, int | None]], int]:
    """Walk the block in document order: leaf tables as grids, other text as lines.
    Also gives the pictures printed (not those inside links: logos, badges) as (the index of the
    row they stand before, their ``src``, the number of the table of pictures holding them (a table
    printed as an image) or None), and counts the tables read. OverflowError when the tables lay
    out more than ``max_cells`` positions."""
    rows: list[Row] = []
    line: list[str] = []
    placed: list[tuple[int, str, int | None]] = []
    tables = cells = image_tables = 0

    def flush():
        text = _squeezed("".join(line))
        if text:
            rows.append([Cell(text)])
        line.clear()

    def walk(node, linked: bool = False):
        nonlocal tables, cells, image_tables
        if node.text:
            line.append(node.text)
        for child in node:
            if not isinstance(child.tag, str):
                pass  # an entity or other non-element node
            elif child.tag == "img" and not linked and (child.get("src") or "").strip():
                flush()
                placed.append((len(rows), child.get("src").strip(), None))
            elif child.tag == "table" and child.find(".//table") is None:
                flush()
                if _image_only(child):
                    image_tables += 1
                    placed.extend((len(rows), img.get("src").strip(), image_tables)
                                  for img in child.iter("img") if (img.get("src") or "").strip())
                else:
                    tables += 1
                    grid = _table_rows(child, max_cells - cells)
                    cells += sum(map(len, grid))
                    rows.extend(grid)
            elif child.tag in _BLOCKS:
                flush()
                walk(child, linked)
                flush()
            else:
                walk(child, linked or child.tag == "a")
            if child.tail:
                line.append(child.tail)

    walk(root)
    flush()
    return rows, placed, tables


def _image_only(table) -> bool:
    return table.find(".//img") is not None and not _ink("".join(table.itertext()))


def _table_rows(table, max_cells: int) -> list[Row]:
    spans = []
    for tr in table.iter("tr"):
        cells = [td for td in tr if td.tag in ("td", "th")]
        spans.append([Span(_cell_text(td), _int(td.get("rowspan")), _int(td.get("colspan"))) for td in cells])
    return unmerge(spans, max_cells)


def _cell_text(td) -> str:
    """A cell's text with its internal line breaks removed: labels are split over lines."""
    return _squeezed(" ".join(td.itertext()))


def _int(value) -> int:
    if value is None:
        return 1
    try:
        return max(int(str(value).strip()), 1)
    except (TypeError, ValueError):
        return 1


def _text(el) -> str:
    """The element's strings, each stripped, joined by spaces."""
    return " ".join(s.strip() for s in el.itertext() if s.strip())


def _page_title(root) -> str | None:
    """The part of the <title> that is a report's title, without the column's and site's names
    portals append ("…年度报告_政府信息公开年报_罗山县人民政府"); None when no part is one."""
    title = root.find(".//title")
    if title is None:
        return None
    parts = re.split(r"\s*[_|｜]\s*|\s+[-－—]+\s+", _text(title))
    return next((p for p in parts if stated_title(p)), None)


def _heading(body) -> str | None:
    """A heading naming a report of a year, or a cover letter carrying one (a bare "年度报告" is a
    navigation column): ``extract.rules.stated_title``."""
    headings = [el for el in body.iter("h1", "h2", "h3")]
    headings += [el for el in body.iter() if isinstance(el.tag, str) and "title" in (el.get("class") or "").lower()]
    return next((text for text in map(_text, headings) if stated_title(text)), None)


_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "date", "dc.date", "article:published_time")


def _meta_date(root) -> str | None:
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in _DATE_META and meta.get("content"):
            return meta.get("content")
    return None
