"""Word/WPS tables exported without their rules (borders off, or only some drawn): no wrong number.

Without rules a table is read line by line, and a label wrapped in a narrow cell leaves its
rest on the lines below its figures, where the next row's label may begin. A row is named
only by a whole label (its own, or joined with the lines above or below it), never by a near
match of leftovers of another row; what cannot be named is null with its reason.

The material: the official template filled with the seed's figures and the demo's DOCX reports,
each with its tables' borders removed or partly removed, its label column narrowed or widened
(labels wrapped over one to six lines) and its table font changed to a WPS-like one at another
size (LibreOffice substitutes the font it has, so glyph widths and wraps change), exported to PDF
by LibreOffice in one call. A seeded draw, so a failure names its case.
"""
from __future__ import annotations

import io
import random

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from demo_portal import render
from extract import extract_document
from test_extract_docx import filled_template
from test_extract_roundtrip import random_report
from test_extract_support import SEED_CELLS, docx_to_pdf
from test_extract_word_pdf import FONT, HEADER, figures

SEED_TITLE = "罗山县人民政府2021年政府信息公开工作年度报告"
SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")
BORDERS = {"none": (), "outer": ("top", "bottom"), "horizontal": ("top", "bottom", "insideH"),
           "vertical": ("left", "right", "insideV")}
FONTS = ("仿宋_GB2312", "方正小标宋简体", "宋体", "WenQuanYi Zen Hei Mono")
CASES = 8


def without_rules(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """The DOCX with each table's borders set by a draw: none, outer, horizontal or vertical
    rules only, or two sides at random; every cell's own borders removed; the label column
    scaled; the table text in another font and size. Returns the document and what was drawn."""
    document = docx.Document(io.BytesIO(data))
    scale = rng.choice((0.6, 0.8, 1.0, 1.4))
    font, size = rng.choice(FONTS), rng.choice((9, 10.5, 12))
    drawn = []
    for table in document.tables:
        mode = rng.choice(sorted(BORDERS) + ["two sides"])
        kept = set(rng.sample(SIDES, 2)) if mode == "two sides" else set(BORDERS[mode])
        drawn.append(mode)
        _set_borders(table._tbl, kept)
        _scale_first_column(table._tbl, scale)
        for paragraph in (p for row in table.rows for cell in row.cells for p in cell.paragraphs):
            for run in paragraph.runs:
                run.font.size = docx.shared.Pt(size)
                run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue(), f"tables {', '.join(drawn)}; label column ×{scale}; {font} {size} pt"


def _set_borders(tbl, kept: set[str]) -> None:
    properties = tbl.tblPr
    for old in properties.findall(qn("w:tblBorders")):
        properties.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in SIDES:
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if side in kept else "nil")
        if side in kept:
            edge.set(qn("w:sz"), "4")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    properties.append(borders)
    for cell in tbl.iter(qn("w:tc")):
        if cell.tcPr is not None:
            for old in cell.tcPr.findall(qn("w:tcBorders")):
                cell.tcPr.remove(old)


def _scale_first_column(tbl, scale: float) -> None:
    columns = tbl.tblGrid.findall(qn("w:gridCol"))
    if columns and columns[0].get(qn("w:w")):
        columns[0].set(qn("w:w"), str(int(int(columns[0].get(qn("w:w"))) * scale)))
    for row in tbl.findall(qn("w:tr")):
        first = row.find(qn("w:tc"))
        width = first.find(f"{qn('w:tcPr')}/{qn('w:tcW')}") if first is not None else None
        if width is not None and width.get(qn("w:w")):
            width.set(qn("w:w"), str(int(int(width.get(qn("w:w"))) * scale)))


@pytest.fixture(scope="module")
def exported():
    """[(what was drawn, the printed cells, the PDF)] for the seeded cases, in one LibreOffice call."""
    drawn = []
    for case in range(CASES):
        rng = random.Random(case)
        if case % 4 == 0:
            cells, source = SEED_CELLS, filled_template(SEED_CELLS, SEED_TITLE)
        else:
            report = random_report(200 + case)
            cells, source = report.cells, render.render_docx(report)
        data, what = without_rules(source, rng)
        drawn.append((f"case {case}: {'template' if case % 4 == 0 else 'demo'}; {what}", cells, data))
    pdfs = docx_to_pdf([data for _what, _cells, data in drawn])
    return [(what, cells, pdf) for (what, cells, _data), pdf in zip(drawn, pdfs)]


def test_tables_without_rules_every_cell_exact_or_null_with_reason(exported):
    exact = total = 0
    for what, cells, pdf in exported:
        record = extract_document(pdf, filename="report.pdf")
        assert record["errors"] == [], what
        wrong = {k: (record["cells"][k], v) for k, v in cells.items() if record["cells"][k] not in (None, v)}
        assert wrong == {}, f"{what}: wrong cells (read, printed): {wrong}"
        unexplained = [k for k in cells if record["cells"][k] is None and not record["null_reasons"].get(k)]
        assert unexplained == [], what
        exact += sum(record["cells"][k] == v for k, v in cells.items())
        total += len(cells)
    # nulls are allowed, but the reader must still read the tables: most cells exact
    assert exact / total > 0.9, f"{exact} of {total} cells exact"


# ------------------------------------------------------------------ the two shapes, drawn alone
def borderless_table(lines: list[tuple[str, ...]]) -> bytes:
    """A table 3 drawn without rules, one line per entry: a label (or nothing) and its figures
    in the columns of HEADER."""
    pdfmetrics.registerFont(TTFont(FONT, str(render.font_path()), subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont(FONT, 9)
    page.drawString(40, 780, "第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数")
    for n, cells in enumerate([HEADER] + lines):
        y = 750 - 16 * n
        page.drawString(40, y, cells[0])
        for x, text in zip(range(250, 600, 45), cells[1:]):
            page.drawString(x, y, text)
    page.save()
    return buf.getvalue()


@pytest.mark.parametrize("start", ["2.其他", "果 2.其他"])  # with a character of 办理结果 printed vertically beside
def test_a_label_going_on_below_its_figures_is_not_the_next_rows(start):
    """"2.其他" is the start of 2.其他法律行政法规禁止公开, wrapped below its figures, not the row
    （六）3.其他; "法律行政…禁止公开" + "3.危" is no row's label (a near match of 其他法律行政法规禁止公开
    gave the next row's zeros to it before)."""
    data = borderless_table([
        ("1.属于国家秘密",) + ("0",) * 7,
        (start, "6", "1", "0", "0", "0", "0", "7"), ("法律行政",), ("法规禁止公开",),
        ("3.危",) + ("0",) * 7, ("及“三安全一稳定”",),
        ("4.保护第三方合法权益", "2", "0", "0", "0", "0", "0", "2"),
        ("3.其他", "1", "0", "0", "0", "0", "0", "1")])
    record = extract_document(data, filename="t.pdf")
    assert figures(record, "withheld.state_secret") == ["0"] * 7
    assert figures(record, "withheld.prohibited_by_law") == ["6", "1", "0", "0", "0", "0", "7"]
    assert figures(record, "withheld.security_stability") == ["0"] * 7
    assert figures(record, "withheld.third_party_rights") == ["2", "0", "0", "0", "0", "0", "2"]
    assert figures(record, "other_handling.other") == ["1", "0", "0", "0", "0", "0", "1"]


def test_a_label_between_two_rows_of_bare_figures_is_not_guessed():
    """Figures printed a little above their label (a borderless table in a larger font): each
    label stands between two rows of figures, and either could be its own. Read as figures
    below their label, 1.属于国家秘密 would take the 6s of the row after it."""
    data = borderless_table([
        ("",) + ("0",) * 7, ("1.属于国家秘密",),
        ("", "6", "0", "0", "0", "0", "0", "6"), ("2.其他法律行政法规禁止公开",),
        ("", "0", "0", "0", "0", "0", "0", "0"), ("3.危及“三安全一稳定”",)])
    record = extract_document(data, filename="t.pdf")
    for stem in ("withheld.state_secret", "withheld.prohibited_by_law"):
        assert figures(record, stem) == [None] * 7, stem
        assert "stands between two rows of figures" in record["null_reasons"][f"requests.{stem}.total"]
    assert figures(record, "withheld.security_stability") == [None] * 7  # no figures after it
    # the header's last word (总计) begins no row: the first figures are not the 总计 row's
    assert figures(record, "handled_total") == [None] * 7
