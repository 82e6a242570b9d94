"""Shapes Word and WPS give a report's tables, exported to PDF, read with every cell exact.

The official template, filled with the figures of the seed and of a real report (淮安市人民政府
2024, whose PDF tests/test_extract_pdf.py reads), is reshaped with python-docx the way real
reports are written, and exported by LibreOffice (the stand-in for Word's and WPS's export):

* cells holding several paragraphs (a label typed over three, a figure with an empty one below);
* label columns so narrow that labels wrap over three lines or more;
* table 3 broken over two pages with its header rows repeated on the second;
* table 4 on a landscape page of its own;
* table 4 printed as two tables stacked (行政复议 above 行政诉讼).
"""
from __future__ import annotations

import io

import docx
import pypdfium2 as pdfium
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from extract import extract_document
from extract import standard_format as sf
from test_extract_docx import filled_template
from test_extract_support import HUAIAN_2024_CELLS, SEED_CELLS, assert_cells, docx_to_pdf

REPORTS = {"seed": (SEED_CELLS, "罗山县人民政府2021年政府信息公开工作年度报告"),
           "huaian-2024": (HUAIAN_2024_CELLS, "淮安市人民政府2024年政府信息公开工作年度报告")}


def edited(data: bytes, change) -> bytes:
    document = docx.Document(io.BytesIO(data))
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def several_paragraphs(document) -> None:
    """Each label cell typed as three paragraphs; each figure followed by an empty paragraph."""
    for table in document.tables:
        for row in table.rows:
            seen = []
            for cell in row.cells:
                if any(cell._tc is tc for tc in seen):
                    continue  # a merged cell, once
                seen.append(cell._tc)
                text = cell.text
                if text.strip() and text.strip().replace(".", "").isdigit():
                    cell.add_paragraph("")
                elif len(text) > 6:
                    third = len(text) // 3
                    cell.text = text[:third]
                    cell.add_paragraph(text[third: 2 * third])
                    cell.add_paragraph(text[2 * third:])


def narrow_labels(document) -> None:
    """Tables 2 and 3's label columns at 45% of their width: labels over three lines or more."""
    for table in document.tables[:2]:
        columns = table._tbl.tblGrid.findall(qn("w:gridCol"))
        for column in columns[: 1 if len(columns) == 4 else 3]:
            column.set(qn("w:w"), str(int(int(column.get(qn("w:w"))) * 0.45)))
        for width in list(table._tbl.iter(qn("w:tcW"))):
            width.getparent().remove(width)  # the grid decides


def repeated_header(document) -> None:
    """Table 3's three header rows repeated on every page, the table pushed down to break over two."""
    table = document.tables[1]
    for row in table.rows[:3]:
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(repeat)
    for _ in range(18):
        table._tbl.addprevious(OxmlElement("w:p"))


def landscape_table4(document) -> None:
    """Table 4 in a section of its own on a landscape page (a section ends at the paragraph
    holding its properties)."""
    table = document.tables[2]._tbl
    table.addprevious(_section_end(landscape=False))
    table.addnext(_section_end(landscape=True))


def _section_end(landscape: bool):
    size = OxmlElement("w:pgSz")
    width, height = (16838, 11906) if landscape else (11906, 16838)
    size.set(qn("w:w"), str(width))
    size.set(qn("w:h"), str(height))
    if landscape:
        size.set(qn("w:orient"), "landscape")
    section, properties, paragraph = OxmlElement("w:sectPr"), OxmlElement("w:pPr"), OxmlElement("w:p")
    section.append(size)
    properties.append(section)
    paragraph.append(properties)
    return paragraph


def stacked_table4(document) -> None:
    """Table 4 as two tables: 行政复议's five columns, then 行政诉讼's ten under their two groups."""
    old = document.tables[2]
    figures = [cell.text for cell in old.rows[3].cells]
    outcomes = [o.label for o in sf.APPEAL_OUTCOMES]
    review = document.add_table(rows=3, cols=5)
    review.cell(0, 0).merge(review.cell(0, 4)).text = "行政复议"
    litigation = document.add_table(rows=4, cols=10)
    litigation.cell(0, 0).merge(litigation.cell(0, 9)).text = "行政诉讼"
    litigation.cell(1, 0).merge(litigation.cell(1, 4)).text = "未经复议直接起诉"
    litigation.cell(1, 5).merge(litigation.cell(1, 9)).text = "复议后起诉"
    for table, header_row, first in ((review, 1, 0), (litigation, 2, 5)):
        for i in range(len(table.columns)):
            table.cell(header_row, i).text = outcomes[i % 5]
            table.cell(header_row + 1, i).text = figures[first + i]
        _ruled(table)
        old._tbl.addprevious(table._tbl)
        old._tbl.addprevious(OxmlElement("w:p"))
    old._tbl.getparent().remove(old._tbl)


def _ruled(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        borders.append(edge)
    table._tbl.tblPr.append(borders)


SHAPES = {"several paragraphs": several_paragraphs, "labels in three lines": narrow_labels,
          "repeated header": repeated_header, "landscape table 4": landscape_table4,
          "table 4 as two tables": stacked_table4}


@pytest.fixture(scope="module")
def exported():
    """{(report, shape): (printed cells, title, PDF)}, exported in one LibreOffice call."""
    cases = [(name, shape) for name in REPORTS for shape in SHAPES]
    sources = [edited(filled_template(*REPORTS[name]), SHAPES[shape]) for name, shape in cases]
    return {case: (*REPORTS[case[0]], pdf) for case, pdf in zip(cases, docx_to_pdf(sources))}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", REPORTS)
def test_word_shapes_every_cell_exact(exported, name, shape):
    cells, title, data = exported[name, shape]
    record = extract_document(data, filename=f"{name}.pdf")
    assert record["format_version"] == "2021"
    assert_cells(record, cells)
    assert record["title"] == title
    assert all(c["passed"] for c in record["checks"]), [c for c in record["checks"] if not c["passed"]]


def page_texts(data: bytes) -> list[tuple[str, float, float]]:
    document = pdfium.PdfDocument(data)
    try:
        return [("".join(page.get_textpage().get_text_range().split()), *page.get_size()) for page in document]
    finally:
        document.close()


def test_the_material_has_the_shapes(exported):
    """Each shape is in the exported PDF, so that the reading test is about it."""
    pages = page_texts(exported["seed", "repeated header"][2])
    assert sum("申请人情况" in text for text, _w, _h in pages) == 2, "table 3's header on two pages"
    pages = page_texts(exported["seed", "landscape table 4"][2])
    assert [w > h for text, w, h in pages if "结果维持" in text] == [True]
    assert all(h > w for text, w, h in pages if "结果维持" not in text)
    document = pdfium.PdfDocument(exported["seed", "labels in three lines"][2])
    lines = [line for page in document for line in page.get_textpage().get_text_range().splitlines()]
    document.close()
    at = next(n for n, line in enumerate(lines) if line.startswith("5.要求行政机关"))
    assert "".join(lines[at: at + 3]) == "5.要求行政机关确认或重新出具已获取信息", "a label in three lines"
    assert "行政复议结果维持" in "".join(t for t, _w, _h in page_texts(exported["seed", "table 4 as two tables"][2]))
