"""Property tests: random consistent reports rendered by the demo portal in every format
(text, HTML inside portal chrome in UTF-8 and GBK, DOCX, PDF, and the DOCX saved as Word
97–2003 .doc by LibreOffice), and their tables alone as an XLSX workbook, are read back exactly.

A seeded loop rather than hypothesis (not installed): each case draws a format version,
cells printed as "—", "/", "无" or blank, a perturbed cell that breaks an identity, and a
prose figure that disagrees with the table.
"""
from __future__ import annotations

import io
import random

import openpyxl
import pytest

from demo_portal import pages, render, tables
from demo_portal.figures import check_results, make_report
from demo_portal.sites import LUOSHAN, HNFGW

from extract import extract_document
from extract import standard_format as sf
from extract.pdf import read_pdf
from test_extract_support import docx_to_doc

CASES = 8
DOC_CASES = 3  # reading each .doc back starts LibreOffice (1.5–5 s); cases 0–2 cover both versions


def random_report(case: int):
    rng = random.Random(case)
    version = rng.choice(sf.VERSIONS)
    year = rng.randint(2019, 2024)
    keys = sf.keys(version)
    blanks = {k: rng.choice(["—", "/", "", "无", "－"]) for k in rng.sample(keys, rng.randint(0, 6))}
    perturb = {rng.choice([k for k in keys if k.startswith("requests.") and k not in blanks]): rng.choice([-1, 1])}
    return make_report("测试县人民政府", "县", "county", year, version,
                       title=f"测试县人民政府{year}年政府信息公开工作年度报告", published=f"{year + 1}-01-2{case % 9}",
                       seed=str(case), blanks=blanks, perturb=perturb, prose_offset=rng.choice([0, 0, 2]))


def in_portal(report, body) -> bytes:
    """The report's HTML body inside the demo portal's chrome, encoded in the portal's charset."""
    main = pages.article(body, report.title, report.published, render.render_html_body(report))
    return pages.page(body, report.title, main).encode(body.charset)


FORMATS = {
    "text": lambda r: render.render_text(r).encode("utf-8"),
    "html": lambda r: render.render_html(r).encode("utf-8"),
    "html-portal-utf8": lambda r: in_portal(r, LUOSHAN),
    "html-portal-gbk": lambda r: in_portal(r, HNFGW),
    "docx": render.render_docx,
    "pdf": render.render_pdf,
}


def assert_read_back(record, report, context):
    """The whole document read back: tables, checks, title, year and the prose figure."""
    assert record["errors"] == [], context
    assert record["format_version"] == report.version, context
    assert record["cells"] == report.cells, context
    assert record["figures"] == report.figures, context
    assert set(record["null_reasons"]) == {k for k, v in report.figures.items() if v is None}, context
    assert {c["name"]: c["passed"] for c in record["checks"]} == check_results(report.figures, report.version)
    assert (record["title"], record["year"]) == (report.title, report.year), context
    assert [p["prose_value"] for p in record["prose_checks"]] == [report.prose_requests], context


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rendered_reports_read_back_exactly(fmt):
    for case in range(CASES):
        report = random_report(case)
        record = extract_document(FORMATS[fmt](report), source=f"case-{case}.{fmt}")
        context = f"case {case} ({report.version}) as {fmt}"
        assert_read_back(record, report, context)
        if fmt.startswith("html-portal"):
            assert record["published"] == report.published, context


def test_rendered_reports_as_doc_read_back_exactly():
    """Word 97–2003: the DOCX rendering saved as .doc, then read through extract's own
    LibreOffice conversion back to DOCX. The .doc files are written in one LibreOffice call."""
    reports = [random_report(case) for case in range(DOC_CASES)]
    docs = docx_to_doc([render.render_docx(report) for report in reports])
    for case, (report, data) in enumerate(zip(reports, docs)):
        record = extract_document(data, source=f"case-{case}.doc")
        context = f"case {case} ({report.version}) as doc"
        assert record["media_type"] == "doc", context
        assert_read_back(record, report, context)


def test_rendered_pdfs_read_alike_by_both_engines():
    """The demo's PDFs embed their font, so pdfium reads every page itself; pdfminer.six,
    the reference engine, gives the same rows."""
    for case in range(CASES):
        data = render.render_pdf(random_report(case))
        assert read_pdf(data, "pdfium").text == read_pdf(data, "pdfminer").text, f"case {case}"


def workbook(report) -> bytes:
    """The report's three tables alone, one sheet each, spanned cells merged, text as printed."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, rows in tables.standard_tables(report.version, report.cells, report.labels).items():
        sheet = book.create_sheet(f"表{number}")
        for r, c, cell in tables.grid(rows)[1]:
            sheet.cell(r + 1, c + 1, cell.text or None)
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(start_row=r + 1, start_column=c + 1,
                                  end_row=r + cell.rowspan, end_column=c + cell.colspan)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_rendered_tables_as_workbooks_read_back_exactly():
    for case in range(CASES):
        report = random_report(case)
        record = extract_document(workbook(report), source=f"case-{case}.xlsx")
        context = f"case {case} ({report.version}) as xlsx"
        assert record["errors"] == [] and record["media_type"] == "xlsx", context
        assert record["format_version"] == report.version, context
        assert record["cells"] == report.cells, context
        assert record["figures"] == report.figures, context
        assert set(record["null_reasons"]) == {k for k, v in report.figures.items() if v is None}, context
        assert {c["name"]: c["passed"] for c in record["checks"]} == check_results(report.figures, report.version)
