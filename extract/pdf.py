"""PDF documents: characters placed into table cells by their positions, not stream order.

A text extractor's plain output follows the content stream, which in WPS/Word exports runs
down each table column in turn. Here every character keeps its coordinates (``pdfpages``), and
``layout`` cuts each page into rows by the ruling lines drawn for the table borders, joining a
table row that Word, WPS or LibreOffice broke across two pages. A page with no usable text
layer is read by OCR when it draws something to read.
"""
from __future__ import annotations

import unicodedata

from .decode import uncommon_characters
from .grid import Parsed, ReadError, Row, rows_text
from .layout import add_page, page_rows
from .limits import LIMITS, ContentLimits, over
from .ocr import describe, read_pdf_page
from .pdfpages import Char, Page, pages

_BROKEN_SHARE = 0.1  # share of unmapped/garbage characters that marks a page's text layer broken
_RARE_SHARE = 0.2  # share of Chinese characters outside GB2312 that marks it broken
_RARE_FLOOR = 10  # fewer rare characters than this never do: a name on a page of figures
_SYMBOL_FONT = ("\uf020", "\uf0ff")  # where Word puts the glyphs of Symbol and Wingdings (bullets)
_BROKEN_LAYER = "text layer broken (unmapped glyphs or garbage)"
_OUTLINED = "text drawn as outlines (no text layer)"
_HIDDEN = "a scan with another program's OCR laid under it as invisible text"
_PICTURE = "a picture without a text layer (scanned?)"

__all__ = ["Char", "read_pdf"]


def read_pdf(data: bytes, engine: str = "pdfium", limits: ContentLimits = LIMITS, ocr: bool = True) -> Parsed:
    """Rows and text of a PDF; ``engine`` is "pdfium" (the default) or "pdfminer" (the reference).

    A page with no usable text layer that draws something OCR could read (``_unusable_layer``)
    is read by OCR (``extract.ocr``) when ``ocr`` is true. Its figures are checked as any
    others; the record says which pages were recognised. Past ``limits.ocr_pages`` pages read
    by OCR, the pages that need it are left out with a warning (the CPU time a document may take).

    A page that cannot be read (its content stream damaged; its text layer broken and OCR
    off) is left out with an error naming it, and the other pages are read; the cells it held
    are null with the reason, and no label or value is joined across it. A page over the content limits
    (``limits.pdf_content_bytes``, ``limits.pdf_font_bytes``) is left out the same way; a
    document over ``limits.pdf_pages`` is not read."""
    rows: list[Row] = []
    breaks: list[int] = []
    lost: dict[int, str] = {}  # page number → why it was not read
    image_pages: list[int] = []  # pages that need OCR, read with it off
    beyond: list[int] = []  # and those past the pages OCR may read (``limits.ocr_pages``)
    page_count = 0
    joinable = None  # the previous page's last ruled row, if it ends the page (``layout.add_page``)
    scanned: list = []  # (page number, ocr.OcrPage) of the pages read by OCR
    drawn_read: dict[str, list[int]] = {_BROKEN_LAYER: [], _OUTLINED: [], _HIDDEN: []}  # of those, why, if not a plain scan
    hidden_read: list[int] = []  # scans read from their invisible text, OCR off or past its limit
    for number, page in enumerate(pages(data, engine, limits), start=1):
        page_count = number
        broken = not page.damage and bool(page.chars) and _broken(page.chars)  # judged once: it is costly
        unusable = _unusable_layer(page, broken)
        if unusable == _HIDDEN and (not ocr or len(scanned) >= limits.ocr_pages):
            unusable = None  # the other program's reading is all there is: better than nothing
            hidden_read.append(number)
        over_ocr = ocr and unusable is not None and len(scanned) >= limits.ocr_pages
        recognised_page = ocr and unusable is not None and not over_ocr
        if recognised_page:
            scanned.append((number, read_pdf_page(data, number, page.scan_dpi())))
            if unusable in drawn_read:
                drawn_read[unusable].append(number)
            page = scanned[-1][1].page  # its figures' doubts are settled: not a text layer to judge
        if page.damage or (broken and not ocr):
            lost[number] = page.damage or _BROKEN_LAYER
        elif unusable and not recognised_page:
            (beyond if ocr else image_pages).append(number)
        else:
            lines = page_rows(page.chars, page.hlines, page.vlines)
            if lines:  # a blank page adds nothing
                joinable = add_page(rows, joinable, lines)
            continue
        joinable = None  # nothing is joined across a page left out
        if len(rows) not in breaks:
            breaks.append(len(rows))
    if page_count == 0:
        raise ReadError("pdf", "the PDF has no pages")
    unread = [f"page {n} not read ({why})" for n, why in lost.items()]
    if scanned and not rows:
        unread.append(f"page(s) {_list([n for n, _page in scanned])} are images without a text layer (scanned?), "
                      "text drawn as outlines, or pages with a broken text layer; OCR found no text in them")
    if image_pages:
        unread.append(f"page(s) {_list(image_pages)} are images without a text layer (scanned?) "
                      "or text drawn as outlines; not read by OCR (--no-ocr)")
    if beyond:
        unread.append(over(limits, "ocr_pages", f"page(s) {_list(beyond)} not read by OCR, "
                                                f"{limits.ocr_pages} pages having been read by it"))
    if not rows:
        raise ReadError("pdf", f"no readable text layer on any page: {'; '.join(unread)}" if unread
                        else "the PDF contains no text")
    errors = [{"stage": "pdf", "message": f"document incomplete: page {n} of {page_count} not read ({why}); "
                                          "its text and cells are missing"} for n, why in lost.items()]
    parsed = Parsed(rows=rows, text=rows_text(rows), errors=errors, breaks=breaks)
    if scanned:
        parsed.ocr = describe(scanned)
        parsed.warnings.append({"stage": "ocr", "message": parsed.ocr["summary"]})
    for why, numbers in drawn_read.items():
        if numbers:
            parsed.warnings.append({"stage": "pdf", "message": f"page(s) {_list(numbers)}: {why}; "
                                                               "read by OCR from the page as drawn"})
    if hidden_read:
        parsed.warnings.append({"stage": "pdf", "message": f"page(s) {_list(hidden_read)}: {_HIDDEN}; its text read "
                                                           "as the text layer, not by OCR (--no-ocr, or past "
                                                           "ContentLimits.ocr_pages): figures another program "
                                                           "recognised, not checked against the page"})
    if image_pages or beyond:
        parsed.warnings.append({"stage": "ocr" if beyond else "pdf", "message": unread[-1]})
    if unread:
        parsed.missing_reason = "not in the pages that could be read: " + "; ".join(unread)
    return parsed


def _unusable_layer(page: Page, broken: bool) -> str | None:
    """Why the page has no usable text layer though it draws ink OCR could read, or None (it has
    one, or draws nothing to read): its text layer ``broken`` (a font without its character map
    draws the text right though its codes say nothing), a picture and no characters (a scan), or
    text drawn as outlines. A page with no characters and none of these is blank or only ruled
    (an empty table): nothing to render. A scan whose only text is invisible is read by OCR as
    any scan: its text is another program's reading, whose figures nothing checked."""
    if page.damage:
        return None
    if broken:
        return _BROKEN_LAYER
    if page.chars and page.has_image and page.hides_its_text():
        return _HIDDEN
    if page.chars:
        return None
    if page.has_image:
        return _PICTURE
    return _OUTLINED if page.draws_outlined_text() else None


def _list(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers))


def _broken(chars: list[Char]) -> bool:
    """Unmapped glyphs ((cid:N), U+FFFD, private use), Latin-1 gibberish instead of Chinese,
    or Chinese gibberish: glyph ids read through the wrong character map give rare
    characters (醟嶜䌼㩾…), where a report's text keeps almost wholly to GB2312.

    Not broken for what a sound page holds: bullets of a symbol font (Word maps them to
    U+F020–U+F0FF), or a few rare characters (a person's or place's name) on a page of
    figures where they are a large share of little Chinese text."""
    text = "".join(c.text for c in chars)
    unmapped = text.count("(cid:") * 5 + text.count("\ufffd") + sum(
        1 for ch in text if unicodedata.category(ch) in ("Co", "Cc") and not _SYMBOL_FONT[0] <= ch <= _SYMBOL_FONT[1])
    cjk = [ch for ch in text if "\u3400" <= ch <= "\u9fff"]
    rare = uncommon_characters("".join(cjk))
    latin_ext = sum(1 for ch in text if "\u0080" <= ch <= "\u024f")
    return (unmapped > _BROKEN_SHARE * len(text) or rare > max(_RARE_SHARE * len(cjk), _RARE_FLOOR)
            or (len(text) >= 50 and len(cjk) < 0.05 * len(text) and latin_ext > 0.2 * len(text)))
