"""A demo ``Report`` → the documents a portal publishes: HTML, PDF, DOCX, text.

All four walk the same outline (title, the six numbered sections, their prose
and the standard tables of ``tables.py``), so they print the same words and
numbers. The functions are pure (same report in, same bytes out — PDF and DOCX
carry no build timestamps), which lets tests round-trip them through the
extractor.
"""
from __future__ import annotations

import datetime
import html
import io
import zipfile
from functools import lru_cache
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from extract import standard_format as sf

from . import prose, tables
from .figures import Report

NUMERALS = "一二三四五六"
# Section key → the standard table printed in it.
SECTION_TABLE = {"active_disclosure": 2, "requests": 3, "appeals": 4}


def outline(report: Report) -> list[tuple]:
    """The document as blocks: ("title", text), ("heading", text), ("para", text), ("table", n, rows)."""
    texts = prose.sections(report.body, report.unit, report.year, report.prose_requests)
    grids = tables.standard_tables(report.version, report.cells, report.labels)
    blocks = [("title", report.title)]
    for numeral, (key, heading, _) in zip(NUMERALS, sf.SECTIONS):
        blocks.append(("heading", f"{numeral}、{heading}"))
        blocks.extend(("para", p) for p in texts.get(key, ()))
        if key in SECTION_TABLE:
            n = SECTION_TABLE[key]
            blocks.append(("table", n, grids[n]))
    return blocks


# ---------------------------------------------------------------- HTML
def render_html_body(report: Report, pictures: dict[int, list[str]] | None = None) -> str:
    """The article content as a CMS stores it: <p> paragraphs and bordered tables, or, for the
    tables ``pictures`` names (table number → the ``src`` of its pictures), those pictures."""
    out = []
    for block in outline(report):
        kind = block[0]
        if kind == "title":
            out.append(f'<p style="text-align: center;"><strong>{html.escape(block[1])}</strong></p>')
        elif kind == "heading":
            out.append(f'<p style="text-indent: 2em;"><strong>{html.escape(block[1])}</strong></p>')
        elif kind == "para":
            out.append(f'<p style="text-indent: 2em;">{html.escape(block[1])}</p>')
        elif pictures and block[1] in pictures:
            out.extend(f'<p style="text-align: center;"><img src="{html.escape(src)}" style="max-width: 100%;"></p>'
                       for src in pictures[block[1]])
        else:
            out.append(_html_table(block[2]))
    return "\n".join(out)


def _html_table(rows):
    lines = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse: collapse;">',
             "<tbody>"]
    for row in rows:
        tds = []
        for cell in row:
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + \
                   (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            text = html.escape(cell.text) if cell.text else "&nbsp;"
            tds.append(f'<td{span} style="text-align: center;"><p>{text}</p></td>')
        lines.append("<tr>" + "".join(tds) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def render_html(report: Report) -> str:
    """A standalone UTF-8 HTML document of the report (the portals wrap the body in their chrome)."""
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(report.title)}</title>\n</head>\n<body>\n"
            f"{render_html_body(report)}\n</body>\n</html>\n")


# ---------------------------------------------------------------- text
def render_text(report: Report) -> str:
    """Plain text as a PDF-to-text tool gives it: tables as tab-separated rows,
    with an empty field for every position a merged cell covers (like the seed)."""
    out = []
    for block in outline(report):
        if block[0] != "table":
            out.extend([block[1], ""])
            continue
        width, placed = tables.grid(block[2])
        matrix = [[""] * width for _ in range(max(r for r, _, _ in placed) + 1)]
        for r, c, cell in placed:
            matrix[r][c] = cell.text
        out.extend("\t".join(row) for row in matrix)
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- PDF
FONT = "WenQuanYiZenHei"
# Where Debian's fonts-wqy-zenhei (and Fedora's wqy-zenhei-fonts) put the font. It is embedded
# (subset) in every PDF, as published reports embed theirs: a CID font left to the reader
# (STSong-Light) has readers substitute glyphs, and pdfium then drops one-glyph text objects.
FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc")
FONT_PACKAGE = "fonts-wqy-zenhei"
# Widths (mm) of each table's label columns; value columns share the rest.
LABEL_WIDTHS = {2: (42,), 3: (9, 22, 50), 4: ()}
PAGE_WIDTH_MM = 160


def font_path() -> Path:
    """The TrueType collection holding WenQuanYi Zen Hei; an error naming the package if absent."""
    for path in map(Path, FONT_PATHS):
        if path.is_file():
            return path
    raise FileNotFoundError(f"the demo's PDFs embed the font WenQuanYi Zen Hei, not found at any of "
                            f"{', '.join(FONT_PATHS)}; install the Debian package {FONT_PACKAGE}")


@lru_cache(maxsize=1)
def _pdf_styles():
    """Registered once: registering the font is a process-wide side effect."""
    pdfmetrics.registerFont(TTFont(FONT, str(font_path()), subfontIndex=0))  # 0: the proportional face
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=20, firstLineIndent=22,
                          wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=26, alignment=TA_CENTER,
                                firstLineIndent=0, spaceAfter=12),
        "heading": ParagraphStyle("heading", parent=body, spaceBefore=6),
        "para": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=10, firstLineIndent=0,
                               alignment=TA_CENTER),
    }


def render_pdf(report: Report) -> bytes:
    """A text PDF (A4, an embedded CJK TrueType font) with grid tables and "- N -" page footers."""
    styles = _pdf_styles()
    story = []
    for block in outline(report):
        if block[0] == "table":
            story += [Spacer(1, 4), _pdf_table(block[1], block[2], styles["cell"]), Spacer(1, 8)]
        else:
            story.append(Paragraph(html.escape(block[1]), styles[block[0]]))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 10)
        canvas.drawCentredString(A4[0] / 2, 15 * mm, f"- {doc.page} -")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm,
                            topMargin=25 * mm, bottomMargin=25 * mm, title=report.title,
                            author=report.body, creator="", producer="", invariant=True)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _pdf_table(number, rows, cell_style):
    width, placed = tables.grid(rows)
    height = max(r + cell.rowspan for r, _, cell in placed)
    data = [[""] * width for _ in range(height)]
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for r, c, cell in placed:
        data[r][c] = Paragraph(html.escape(cell.text), cell_style)
        if cell.rowspan > 1 or cell.colspan > 1:
            style.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    labels = LABEL_WIDTHS[number]
    rest = (PAGE_WIDTH_MM - sum(labels)) / (width - len(labels))
    widths = [w * mm for w in labels] + [rest * mm] * (width - len(labels))
    return Table(data, colWidths=widths, style=TableStyle(style))


# ---------------------------------------------------------------- DOCX
def render_docx(report: Report, pictures: dict[int, list[bytes]] | None = None) -> bytes:
    """A Word document like the official template: plain paragraphs and real tables
    whose merged cells are true merges (gridSpan / vMerge); or, for the tables ``pictures``
    names (table number → PNGs), those pictures pasted in, each in a paragraph of its own."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "宋体"
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    normal.font.size = Pt(12)
    for block in outline(report):
        kind = block[0]
        if kind == "table" and pictures and block[1] in pictures:
            for picture in pictures[block[1]]:
                document.add_picture(io.BytesIO(picture))
            continue
        if kind == "table":
            _docx_table(document, block[2])
            continue
        paragraph = document.add_paragraph()
        run = paragraph.add_run(block[1])
        if kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run.bold, run.font.size = True, Pt(18)
        elif kind == "heading":
            run.bold = True
        else:
            paragraph.paragraph_format.first_line_indent = Pt(24)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = report.title, report.body, report.body
    published = _date_tuple(report.published)
    props.created = props.modified = datetime.datetime(*published)
    buf = io.BytesIO()
    document.save(buf)
    return _restamp_zip(buf.getvalue(), published)


def _docx_table(document, rows):
    width, placed = tables.grid(rows)
    height = max(r + cell.rowspan for r, _, cell in placed)
    table = document.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    grid_cells = [row.cells for row in table.rows]  # fetched once: table.cell() is slow
    for r, c, cell in placed:
        target = grid_cells[r][c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid_cells[r + cell.rowspan - 1][c + cell.colspan - 1])
        paragraph = target.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(cell.text).font.size = Pt(9)


def _date_tuple(iso_date):
    y, m, d = (int(x) for x in iso_date.split("-"))
    return (y, m, d, 9, 0, 0)


def _restamp_zip(data, date_time):
    """Rewrite a zip with fixed member timestamps, so the bytes do not depend on the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            stamped = zipfile.ZipInfo(info.filename, date_time)
            stamped.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(stamped, src.read(info.filename))
    return out.getvalue()
