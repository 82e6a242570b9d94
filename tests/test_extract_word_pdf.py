"""Reports written in Word or WPS and published as the PDF they export, read with every cell exact.

LibreOffice's PDF export is the stand-in for Word's and WPS's (``docx_to_pdf``): the official
blank template filled with the seed's figures, and the demo's DOCX reports. What such exports
do that the reader must follow: table rows that break across pages (the rest of a wrapped
label goes on at the top of the next page), rules drawn as filled rectangles or paths, labels
and headers wrapped over several lines, and text objects that hold only a space.
"""
from __future__ import annotations

import dataclasses
import functools
import io
from contextlib import contextmanager

import pypdfium2 as pdfium
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.pdfgen.canvas import Canvas

from demo_portal import render
from demo_portal.figures import make_report
import extract.pdf
from extract import extract_document
from extract import pdfpages
from extract.pdf import read_pdf
from test_extract_docx import filled_template
from test_extract_roundtrip import assert_read_back, random_report
from test_extract_support import SEED_CELLS, assert_cells, docx_to_pdf

SEED_TITLE = "罗山县人民政府2021年政府信息公开工作年度报告"
DEMO_CASES = (0, 1, 2, 5)  # 2019, 2021, 2021, 2019 format
UNPAID_FEES = "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"


@pytest.fixture(scope="module")
def exported():
    """(the filled template's PDF, [(demo report, its PDF)]), exported in one LibreOffice call."""
    reports = [random_report(case) for case in DEMO_CASES]
    pdfs = docx_to_pdf([filled_template(SEED_CELLS, SEED_TITLE)] + [render.render_docx(r) for r in reports])
    return pdfs[0], list(zip(reports, pdfs[1:]))


def no_broken_page(record):
    return not any("text layer" in m["message"] for m in record["errors"] + record["warnings"])


@pytest.mark.parametrize("engine", ["pdfium", "pdfminer"])
def test_filled_template_exported_every_cell_exact(exported, engine, monkeypatch):
    """The official template (its wrapped header (本列数据的勾稽关系为：…) over three lines, its
    shaded item rows, its labels wrapped in narrow cells) as Word would export it, read by
    either engine. (Their character boxes differ by up to 2 points in height here, so a line
    of a row-spanned group label next to a cut may sit one row apart: the cells are the same.)"""
    data, _demo = exported
    monkeypatch.setattr(extract.pdf, "read_pdf", functools.partial(read_pdf, engine=engine))
    record = extract_document(data, filename="luoshan-2021.pdf")
    assert record["media_type"] == "pdf" and record["format_version"] == "2021"
    assert_cells(record, SEED_CELLS)
    assert (record["title"], record["agency"], record["year"]) == (SEED_TITLE, "罗山县人民政府", 2021)
    assert all(c["passed"] for c in record["checks"])
    assert no_broken_page(record)
    # the header's first line whole, not cut between two rows ("本 据的勾稽关系为 第 加第 之和 等")
    assert any(line.startswith("（本列数据的勾稽关系为：第一项加第二项之和，等") for line in record["text"].splitlines())


def test_demo_reports_exported_read_back_exactly(exported):
    """Tables laid out by LibreOffice in narrow columns: labels wrapped over two to six lines,
    headers over two or three, a row broken across pages in the 2021 reports."""
    _template, demo = exported
    for case, (report, data) in zip(DEMO_CASES, demo):
        record = extract_document(data, source=f"case-{case}.pdf")
        assert_read_back(record, report, f"case {case} ({report.version}) exported to PDF")
        assert no_broken_page(record), case


def page_texts(data: bytes) -> list[str]:
    """Each page's plain text by pypdfium2, without whitespace."""
    document = pdfium.PdfDocument(data)
    try:
        return ["".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


def test_row_broken_across_pages_is_joined(exported):
    """Case 1's 2.申请人逾期未按收费通知要求… row starts at the foot of a page with its figures and
    its label goes on at the top of the next: read as one row."""
    _template, demo = exported
    report, data = demo[DEMO_CASES.index(1)]
    pages = page_texts(data)
    assert not any(UNPAID_FEES in text for text in pages), "the material: the label is split over two pages"
    split = next(n for n, text in enumerate(pages) if "逾期未按收费通知" in text)
    assert "2.申请" in pages[split - 1][-200:]
    values = [report.cells[f"requests.other_handling.unpaid_fees.{c}"] for c in
              ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")]
    assert f"\t\t{UNPAID_FEES}\t" + "\t".join(values) in read_pdf(data).text.splitlines()


@contextmanager
def rules_drawn_as(kind: str):
    """reportlab's table rules drawn as Word draws them: each a thin filled rectangle ("rect"),
    or a filled path, closed or left open (the fill closes it)."""
    line = Canvas.line

    def filled(self, x1, y1, x2, y2):
        half = self._lineWidth / 2
        x0, y0, x3, y3 = min(x1, x2) - half, min(y1, y2) - half, max(x1, x2) + half, max(y1, y2) + half
        if kind == "rect":
            self.rect(x0, y0, x3 - x0, y3 - y0, stroke=0, fill=1)
            return
        path = self.beginPath()
        path.moveTo(x0, y0)
        path.lineTo(x3, y0)
        path.lineTo(x3, y3)
        path.lineTo(x0, y3)
        if kind == "closed path":
            path.close()
        self.drawPath(path, stroke=0, fill=1)

    Canvas.line = filled
    try:
        yield
    finally:
        Canvas.line = line


def stroked_paths(data: bytes) -> int:
    """How many path objects the document strokes (a rule drawn as a line is one)."""
    import ctypes

    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(data)
    fill, stroke, count = ctypes.c_int(), ctypes.c_int(), 0
    try:
        for page in document:
            for obj in page.get_objects():
                if obj.type == raw.FPDF_PAGEOBJ_PATH:
                    raw.FPDFPath_GetDrawMode(obj.raw, fill, stroke)
                    count += bool(stroke.value)
    finally:
        document.close()
    return count


@pytest.mark.parametrize("kind", ["rect", "closed path", "open path"])
def test_rules_drawn_as_filled_rectangles_or_paths(kind):
    report = dataclasses.replace(make_report("罗山县人民政府", "县", "county", 2021, "2021", title=SEED_TITLE),
                                 cells=SEED_CELLS)
    with rules_drawn_as(kind):
        data = render.render_pdf(report)
    assert stroked_paths(data) == 0, "the material: no rule is a stroked line"
    record = extract_document(data, filename="seed.pdf")
    assert_cells(record, SEED_CELLS)
    assert read_pdf(data, "pdfium").text == read_pdf(data, "pdfminer").text


# ------------------------------------------------------------------ a table drawn page by page
FONT = "WenQuanYiZenHei"
HEADER = ("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
COLUMNS = (30, 230, 278, 326, 374, 422, 470, 518)  # left edges; the table ends at RIGHT
RIGHT = 566
ROW = 30  # points
NEW_RECEIVED = ("一、本年新收政府信息公开申请数量", "5", "0", "0", "0", "0", "0", "5")
OVERDUE = ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "0", "0", "0", "0", "0", "0", "0")


def table_pages(pages: list[list[tuple[str, ...]]]) -> bytes:
    """A ruled table of the 2021 table 3 columns, its rows on the given pages, each page with
    a "- n -" footer: a table 3 broken over pages as Word or WPS prints it."""
    pdfmetrics.registerFont(TTFont(FONT, str(render.font_path()), subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    for number, rows in enumerate(pages, start=1):
        top = 780
        page.setFont(FONT, 7)
        for n, cells in enumerate(rows):
            y = top - ROW * n
            for x, right, text in zip(COLUMNS, COLUMNS[1:] + (RIGHT,), cells):
                page.drawString(x + 3, y - 18, text) if x == COLUMNS[0] else page.drawCentredString(
                    (x + right) / 2, y - 18, text)
            page.line(COLUMNS[0], y, RIGHT, y)
        bottom = top - ROW * len(rows)
        page.line(COLUMNS[0], bottom, RIGHT, bottom)
        for x in COLUMNS + (RIGHT,):
            page.line(x, top, x, bottom)
        page.drawCentredString(300, 40, f"- {number} -")
        page.showPage()
    page.save()
    return buf.getvalue()


def figures(record, stem):
    return [record["cells"][f"requests.{stem}.{c}"] for c in
            ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")]


def test_label_going_on_at_the_next_page_is_joined():
    data = table_pages([
        [HEADER, NEW_RECEIVED, OVERDUE, ("2.申请人逾期未按收费通知", "2", "0", "0", "1", "0", "0", "3")],
        [("要求缴纳费用、行政机关不再处理其政府信息公开申请",) + ("",) * 7,
         ("3.其他", "1", "0", "0", "0", "0", "0", "1")]])
    record = extract_document(data, filename="t.pdf")
    assert record["errors"] == []
    assert figures(record, "new_received") == ["5", "0", "0", "0", "0", "0", "5"]
    assert figures(record, "other_handling.unpaid_fees") == ["2", "0", "0", "1", "0", "0", "3"]
    assert figures(record, "other_handling.other") == ["1", "0", "0", "0", "0", "0", "1"]


def test_figures_below_the_label_at_the_next_page_are_joined():
    """A label vertically centred: its start alone at the foot of the page, the figures with its end."""
    data = table_pages([
        [HEADER, NEW_RECEIVED, ("1.信访举报投诉类申请", "4", "0", "0", "0", "0", "0", "4"),
         ("5.要求行政机关确认或重新",) + ("",) * 7],
        [("出具已获取信息", "1", "0", "0", "0", "0", "2", "3"), OVERDUE]])
    record = extract_document(data, filename="t.pdf")
    assert figures(record, "not_processed.petition_complaint") == ["4", "0", "0", "0", "0", "0", "4"]
    assert figures(record, "not_processed.confirm_or_reissue") == ["1", "0", "0", "0", "0", "2", "3"]


def test_row_with_its_own_label_at_the_top_of_a_page_is_a_row():
    """A blank row that starts the next page is its own row, not the end of the row above
    (joined, it would have taken that row's figures)."""
    data = table_pages([
        [HEADER, NEW_RECEIVED, ("1.信访举报投诉类申请", "4", "0", "0", "0", "0", "0", "4"),
         ("2.重复申请", "2", "0", "0", "0", "0", "0", "2")],
        [("3.要求提供公开出版物",) + ("",) * 7, ("4.无正当理由大量反复申请", "0", "0", "0", "0", "0", "1", "1")],
        [("行政许可",) + ("",) * 7, OVERDUE]])
    record = extract_document(data, filename="t.pdf")
    assert figures(record, "not_processed.duplicate") == ["2", "0", "0", "0", "0", "0", "2"]
    assert figures(record, "not_processed.publications") == [""] * 7
    assert {record["null_reasons"][f"requests.not_processed.publications.{c}"] for c in ("natural_person", "total")} \
        == {"blank cell"}
    assert figures(record, "not_processed.mass_repeated") == ["0", "0", "0", "0", "0", "1", "1"]
    assert "4.无正当理由大量反复申请行政许可" not in record["text"]


def test_text_objects_holding_only_a_space_leave_the_page_with_pdfium(monkeypatch):
    """Word and WPS draw some spaces as text objects of their own, which pdfium's text page
    leaves out; they draw nothing, so the page is not sent to the reference engine."""
    pdfmetrics.registerFont(TTFont(FONT, str(render.font_path()), subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont(FONT, 12)
    for n, (label, value) in enumerate([("行政许可", "9827"), ("行政处罚", "1252"), ("行政强制", "608")]):
        y = 700 - 20 * n
        for x, text in ((80, "\u3000\u3000"), (100, label), (200, " "), (300, value)):
            words = page.beginText(x, y)
            words.setFont(FONT, 12)
            words.textOut(text)
            page.drawText(words)
    page.save()
    data = buf.getvalue()

    def no_reference(*_args):
        raise AssertionError("the page was sent to pdfminer")

    monkeypatch.setattr(pdfpages, "_pdfminer_reader", no_reference)
    assert [[c.text for c in row] for row in read_pdf(data).rows] == [
        ["行政许可", "9827"], ["行政处罚", "1252"], ["行政强制", "608"]]


def test_page_of_figures_with_a_rare_name_is_not_broken():
    """Two characters outside GB2312 in a contact's name are most of this page's little Chinese
    text, not the gibberish of a wrong character map."""
    pdfmetrics.registerFont(TTFont(FONT, str(render.font_path()), subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont(FONT, 10)
    page.drawString(80, 700, "0    0    0    0    0    3    0    0    0    3    0    0    0    0    0")
    page.drawString(80, 680, "联系人：王喆堃")
    page.save()
    record = extract_document(buf.getvalue(), filename="t.pdf")
    assert record["errors"] == [] and "王喆堃" in record["text"]


def test_figure_close_to_its_label_in_a_table_without_rules():
    """A table without borders whose label column is full: a label ends less than a character
    before the first figure (read as one cell by the gap), the other figures far apart."""
    pdfmetrics.registerFont(TTFont(FONT, str(render.font_path()), subfontIndex=0))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont(FONT, 8)
    rows = [HEADER, NEW_RECEIVED, OVERDUE, ("5.要求行政机关确认或重新出具已获取信息", "12", "0", "0", "0", "0", "1", "13")]
    for n, cells in enumerate(rows):
        y = 700 - 20 * n
        label_end = 303 if n == 3 else 280  # 7 points (under a character) or 30 before the figures
        page.drawRightString(label_end, y, cells[0])
        for x, text in zip(range(310, 600, 40), cells[1:]):
            page.drawString(x, y, text)
    page.save()
    record = extract_document(buf.getvalue(), filename="t.pdf")
    assert figures(record, "not_processed.confirm_or_reissue") == ["12", "0", "0", "0", "0", "1", "13"]
    assert figures(record, "new_received") == ["5", "0", "0", "0", "0", "0", "5"]
    assert figures(record, "other_handling.overdue_correction") == ["0"] * 7
