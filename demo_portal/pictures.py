"""A report's tables printed as pictures, as portals paste screenshots of them into a page.

The tables are drawn as the demo's PDF draws them (``render._pdf_table``: same font, rules and
spans), each on a page of its own size, rendered at ``DPI`` (a screenshot's size) by pypdfium2
and saved as PNG: table 2 whole, table 3 cut in two between rows (a second screenshot after
scrolling), table 4 whole. The logo is a drawn emblem with no text. Same report in, same bytes out.
"""
from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image, ImageDraw
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from . import render, tables
from .figures import Report

DPI = 180  # a screenshot's size (a Word page at 100 % on a high-DPI screen is about 190; docs/ocr.md)
_MARGIN = 6  # points of white round a table, as a screenshot's crop leaves
_CUT = 0.55  # share of table 3's height in its first screenshot


def table_pictures(report: Report, dpi: float = DPI) -> list[bytes]:
    """PNGs of tables 2, 3 (in two pictures) and 4, in page order, at ``dpi`` (a screenshot's
    resolution is whatever the screen and zoom gave: tests read them finer too)."""
    grids = tables.standard_tables(report.version, report.cells, report.labels)
    style = render._pdf_styles()["cell"]
    width = render.PAGE_WIDTH_MM * mm
    pictures = []
    for number in (2, 3, 4):
        table = render._pdf_table(number, grids[number], style)
        _w, height = table.wrap(width, 10_000)
        parts = table.split(width, height * _CUT) if number == 3 else [table]
        pictures.extend(_png(part, width, dpi) for part in parts)
    return pictures


def _png(table, width: float, dpi: float) -> bytes:
    """One table drawn alone on a page its size, as a grey PNG at ``dpi``."""
    _w, height = table.wrap(width, 10_000)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width + 2 * _MARGIN, height + 2 * _MARGIN), invariant=True)
    table.drawOn(page, _MARGIN, _MARGIN)
    page.save()
    document = pdfium.PdfDocument(out.getvalue())
    try:
        image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    return _save(image, dpi)


def logo() -> bytes:
    """A round red emblem with a star, no text: a picture that is no table."""
    image = Image.new("RGB", (160, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 152, 152), fill=(200, 16, 32))
    draw.ellipse((24, 24, 136, 136), outline=(255, 215, 0), width=6)
    draw.polygon([(80, 40), (91, 70), (122, 70), (97, 89), (106, 120), (80, 101), (54, 120), (63, 89),
                  (38, 70), (69, 70)], fill=(255, 215, 0))
    return _save(image)


def _save(image: Image.Image, dpi: float = DPI) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True, dpi=(dpi, dpi))
    return out.getvalue()
