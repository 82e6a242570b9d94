"""PDF pages whose text is drawn as outlines (docs/ocr.md, "Where OCR is used"): printed with its
fonts turned to paths (Ghostscript's ``-dNoOutputFonts``, "print to PDF" with fonts as curves), a
page has no text layer and no picture. Such a page is read by OCR as a scan is; a page whose paths
draw a logo or a table's rules alone is not rendered.

The outlined pages are made here as such printers make them: every character of a real report's
page replaced by its glyph's outline from the page's own embedded font (pdfium's glyph paths),
its rules and shading kept."""
from __future__ import annotations

import ctypes
import io

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest

from archive_crawl import FIXTURES
from extract import extract_document, pdf as pdf_module
from extract.pdfpages import ENGINES, pages
from ocr_support import assert_read_well, pages_of

HONGZE = (FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes()
TABLE_PAGE = [3]  # most of table 3: 98 figures


def outlined(pdf: bytes) -> bytes:
    """The PDF with the text of every page drawn as filled paths, one a character, and no text left."""
    document = pdfium.PdfDocument(pdf)
    for page in document:
        textpage = page.get_textpage()
        glyphs = [_glyph(textpage.raw, i) for i in range(raw.FPDFText_CountChars(textpage.raw))]
        textpage.close()
        for n in reversed(range(raw.FPDFPage_CountObjects(page.raw))):
            obj = raw.FPDFPage_GetObject(page.raw, n)
            if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_TEXT:
                raw.FPDFPage_RemoveObject(page.raw, obj)
                raw.FPDFPageObj_Destroy(obj)
        for path in filter(None, glyphs):
            raw.FPDFPage_InsertObject(page.raw, path)
        raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _glyph(textpage, index: int):
    """A path object drawing character ``index`` of the text page as its font draws it, or None."""
    obj = raw.FPDFText_GetTextObject(textpage, index)
    if not obj or raw.FPDFText_IsGenerated(textpage, index):
        return None
    x0, y0, size, matrix = ctypes.c_double(), ctypes.c_double(), ctypes.c_float(), raw.FS_MATRIX()
    raw.FPDFText_GetCharOrigin(textpage, index, x0, y0)
    raw.FPDFTextObj_GetFontSize(obj, size)
    raw.FPDFPageObj_GetMatrix(obj, matrix)
    glyph = raw.FPDFFont_GetGlyphPath(raw.FPDFTextObj_GetFont(obj), raw.FPDFText_GetUnicode(textpage, index),
                                      size.value)
    count = raw.FPDFGlyphPath_CountGlyphSegments(glyph) if glyph else 0
    if count <= 0:
        return None  # a space
    path, curve, x, y = raw.FPDFPageObj_CreateNewPath(0, 0), [], ctypes.c_float(), ctypes.c_float()
    for j in range(count):
        segment = raw.FPDFGlyphPath_GetGlyphPathSegment(glyph, j)
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        gx, gy = x.value * size.value, y.value * size.value  # the glyph's points are in ems
        at = (x0.value + matrix.a * gx + matrix.c * gy, y0.value + matrix.b * gx + matrix.d * gy)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            raw.FPDFPath_MoveTo(path, *at)
        elif kind == raw.FPDF_SEGMENT_LINETO:
            raw.FPDFPath_LineTo(path, *at)
        else:  # a Bézier curve comes as its three points in turn
            curve.extend(at)
            if len(curve) == 6:
                raw.FPDFPath_BezierTo(path, *curve)
                curve = []
        if raw.FPDFPathSegment_GetClose(segment):
            raw.FPDFPath_Close(path)
    raw.FPDFPath_SetDrawMode(path, raw.FPDF_FILLMODE_WINDING, False)
    raw.FPDFPageObj_SetFillColor(path, 0, 0, 0, 255)
    return path


def logo_and_rules() -> bytes:
    """A letterhead's logo (a ring, a star, the body's initials) on one page, an empty table (rules
    alone) on the next; the initials to be outlined as a report's text is."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=(595, 842))
    page.setLineWidth(3)
    page.circle(297, 770, 30)
    star = page.beginPath()
    points = [(297, 790), (303, 776), (318, 776), (306, 767), (311, 752), (297, 761), (283, 752), (288, 767),
              (276, 776), (291, 776)]
    star.moveTo(*points[0])
    for point in points[1:]:
        star.lineTo(*point)
    star.close()
    page.drawPath(star, stroke=0, fill=1)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(272, 722, "HZGOV")
    page.showPage()
    page.setLineWidth(0.5)
    for n in range(13):
        page.line(60, 500 - 20 * n, 595, 500 - 20 * n)
    for x in (60, 200, 280, 360, 440, 535):
        page.line(x, 500, x, 260)
    page.save()
    return buf.getvalue()


def test_a_table_page_drawn_as_outlines_is_read_by_ocr_exact_or_null_never_wrong():
    table = pages_of(HONGZE, TABLE_PAGE)
    page = outlined(table)
    for engine in ENGINES:  # no characters, no picture: glyphs drawn as paths, seen alike by both engines
        [found] = pages(page, engine)
        assert not found.chars and not found.has_image and found.draws_outlined_text(), engine
    read = extract_document(page, filename="outlined.pdf")
    assert not read["errors"], read["errors"]
    assert read["ocr"]["pages"] == [1]
    assert "page(s) 1: text drawn as outlines (no text layer); read by OCR from the page as drawn" in [
        w["message"] for w in read["warnings"]]
    truth = extract_document(table, filename="truth.pdf", ocr=False)
    assert len(assert_read_well(truth, read)["exact"]) >= 95


def test_outlines_with_ocr_off_are_an_error_naming_them():
    record = extract_document(outlined(pages_of(HONGZE, TABLE_PAGE)), filename="outlined.pdf", ocr=False)
    assert record["ocr"] is None
    assert record["errors"][0]["message"] == ("no readable text layer on any page: page(s) 1 are images without "
                                              "a text layer (scanned?) or text drawn as outlines; not read by OCR "
                                              "(--no-ocr)")


def test_a_logo_or_an_empty_table_drawn_as_paths_is_not_rendered(monkeypatch):
    monkeypatch.setattr(pdf_module, "read_pdf_page", lambda *a: pytest.fail(f"page {a[1]} rendered for OCR"))
    document = outlined(logo_and_rules())
    for engine in ENGINES:
        logo, rules = pages(document, engine)
        assert not logo.chars and logo.outlines > 0 and not logo.draws_outlined_text(), (engine, logo.outlines)
        assert rules.hlines and rules.outlines == 0, engine
    record = extract_document(document, filename="letterhead.pdf")
    assert [e["message"] for e in record["errors"]] == ["the PDF contains no text"]
