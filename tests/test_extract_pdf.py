"""Real text PDFs (WPS exports): cells placed by their positions on the page, read exactly."""
from __future__ import annotations

import dataclasses
from functools import lru_cache

import pytest

from demo_portal import render
from demo_portal.figures import make_report
from extract import extract_document, extract_file
from extract.pdf import read_pdf
from test_extract_support import (FIXTURES, HONGZE_2023_CELLS, HONGZE_2024_CELLS, HUAIAN_2024_CELLS, SEED_CELLS,
                                  assert_cells)

REAL = {
    "huaian-hongze-district-gov-2023.pdf": ("洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府", 2023,
                                            HONGZE_2023_CELLS),
    "huaian-hongze-district-gov-2024.pdf": ("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "淮安市洪泽区人民政府", 2024,
                                            HONGZE_2024_CELLS),
    "huaian-city-gov-2024.pdf": ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", 2024, HUAIAN_2024_CELLS),
}


@lru_cache(maxsize=None)
def extracted(name: str) -> dict:
    return extract_file(FIXTURES / name)


@pytest.fixture(params=sorted(REAL))
def real(request):
    return request.param, extracted(request.param)


def test_seed_tables_in_a_pdf_every_cell_exact():
    """The seed's tables in a PDF drawn by the demo renderer (its font embedded as a subset,
    as published reports have theirs), read alike by both engines."""
    title = "罗山县人民政府2021年政府信息公开工作年度报告"
    report = dataclasses.replace(make_report("罗山县人民政府", "县", "county", 2021, "2021", title=title),
                                 cells=SEED_CELLS)
    data = render.render_pdf(report)
    record = extract_document(data, filename="seed.pdf")
    assert_cells(record, SEED_CELLS)
    assert (record["title"], record["agency"], record["year"]) == (title, "罗山县人民政府", 2021)
    assert read_pdf(data, "pdfium").text == read_pdf(data, "pdfminer").text


def test_real_pdf_every_cell_exact(real):
    name, record = real
    assert_cells(record, REAL[name][3])


def test_real_pdf_metadata(real):
    name, record = real
    title, agency, year, _cells = REAL[name]
    assert (record["title"], record["agency"], record["year"]) == (title, agency, year)
    assert record["media_type"] == "pdf"
    assert record["format_version"] == "2021"
    assert all(record["sections"].values()), "every section found"


def test_real_pdf_sections_end_where_the_next_begins(real):
    _name, record = real
    sections = record["sections"]
    # "（一）主动公开情况" inside 总体情况 is a sub-heading, not the start of section two
    assert "（一）主动公开情况" in sections["overview"] or "（一）主动公开" in sections["overview"]
    assert sections["active_disclosure"].startswith("第二十条第（一）项")
    assert "信息处理费" in sections["other"]


def test_hongze_2023_single_other_handling_row_is_null_with_reason():
    record = extracted("huaian-hongze-district-gov-2023.pdf")
    reason = record["null_reasons"]["requests.other_handling.other.total"]
    assert "（六）其他处理" in reason
    results = next(c for c in record["checks"] if c["name"] == "results_sum.total")
    assert results["passed"] is None and "requests.other_handling.other.total" in results["missing"]
    # a real inconsistency in the report, recorded, not repaired
    review = next(c for c in record["checks"] if c["name"] == "appeals_sum.review")
    assert (review["passed"], review["lhs"], review["rhs"]) == (False, 0, 11)


def test_huaian_2024_all_identities_pass_and_prose_agrees():
    """The report's prose repeats fourteen table figures (lines wrap inside words: "尚\n未审结"),
    行政诉讼 as the sum of both kinds of suit; every one agrees with the table."""
    record = extracted("huaian-city-gov-2024.pdf")
    assert all(c["passed"] for c in record["checks"])

    def suits(outcome):
        return f"appeals.litigation_direct.{outcome} + appeals.litigation_after_review.{outcome}"

    assert [(p["key"], p["prose_value"], p["table_value"], p["passed"]) for p in record["prose_checks"]] == [
        ("requests.new_received.total", 3119, 3119, True), ("requests.carried_over.total", 34, 34, True),
        ("requests.handled_total.total", 3050, 3050, True), ("requests.carried_forward.total", 103, 103, True),
        ("appeals.review.total", 351, 351, True), ("appeals.review.upheld", 72, 72, True),
        ("appeals.review.corrected", 64, 64, True), ("appeals.review.other", 178, 178, True),
        ("appeals.review.pending", 37, 37, True), (suits("total"), 46, 46, True),
        (suits("upheld"), 25, 25, True), (suits("corrected"), 5, 5, True),
        (suits("other"), 9, 9, True), (suits("pending"), 7, 7, True)]
    assert record["prose_checks"][4]["phrase"] == ("行政复议351件，其中结果维持72件，结果纠正64件，其他结果178件，"
                                                   "尚未审结37件")


def test_hongze_2024_prose_count_of_the_office_disagrees_with_the_table():
    """"区政府办代表区政府受理政府信息公开申请 17 件" against 95 in the table: recorded, not judged."""
    record = extracted("huaian-hongze-district-gov-2024.pdf")
    assert [(p["phrase"], p["prose_value"], p["table_value"], p["passed"]) for p in record["prose_checks"]] == [
        ("受理政府信息公开申请17件", 17, 95, False)]


def test_stream_order_is_not_used():
    """pdfminer's extract_text runs down the table's columns; the rows here stay rows."""
    lines = extracted("huaian-hongze-district-gov-2023.pdf")["text"].splitlines()
    assert "一、本年新收政府信息公开申请数量\t21\t0\t0\t0\t0\t0\t21" in lines


def test_vertical_label_and_wrapped_labels_are_matched():
    parsed = read_pdf((FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes())
    text = parsed.text
    # 三、本年度办理结果 is printed one character per line in the first column, beside table 3's rows
    table3 = parsed.rows[next(i for i, row in enumerate(parsed.rows) if row[-1].text == "总计"):]
    assert "".join(row[0].text for row in table3 if len(row) == 10)[:9] == "三、本年度办理结果"
    # "（二）部分公开（区分处理的，只计这一情 形，不 / 计其他情形）" wraps inside its cell
    assert "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t4\t0\t0\t0\t0\t0\t4" in text.splitlines()


def test_image_only_pdf_is_an_error_not_figures():
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    import io
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(picture, format="PNG")
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawImage(ImageReader(io.BytesIO(picture.getvalue())), 100, 100, 200, 200)
    page.save()
    record = extract_document(buf.getvalue(), filename="scan.pdf")
    assert record["figures"] == {} and record["format_version"] is None
    assert record["errors"][0]["stage"] == "pdf"
    assert "without a text layer" in record["errors"][0]["message"]


def test_table_without_ruling_lines_is_read_by_gaps():
    """No borders: words are grouped into rows by position and into cells at wide gaps."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    import io

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont("STSong-Light", 10)
    lines = [("某县人民政府2022年政府信息公开工作年度报告", ()), ("申请人情况", ()),
             ("一、本年新收政府信息公开申请数量", ("12", "1", "0", "0", "0", "0", "13")),
             ("（一）予以公开", ("10", "1", "0", "0", "0", "0", "11")),
             ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ("2", "0", "0", "0", "0", "0", "2"))]
    for n, (label, values) in enumerate(lines):
        y = 800 - 16 * n
        page.setFont("STSong-Light", 8)
        page.drawString(60, y, label)
        page.setFont("STSong-Light", 10)
        for i, value in enumerate(values):
            page.drawRightString(360 + 30 * i, y, value)
    page.save()
    record = extract_document(buf.getvalue())
    assert record["format_version"] == "2021"
    figures = record["figures"]
    assert [figures[f"requests.new_received.{c}"] for c in ("natural_person", "commercial", "total")] == [12, 1, 13]
    assert figures["requests.disclosed.total"] == 11
    assert figures["requests.other_handling.overdue_correction.total"] == 2
    assert record["null_reasons"]["requests.carried_over.total"] == "row not found in the document's tables"


def test_broken_text_layer_is_reported_not_read_without_ocr():
    """A CID font whose encoding is declared Identity-H without a ToUnicode map gives (cid:N);
    with OCR off the page is not read (with OCR on it is read as drawn: test_extract_damaged.py)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    import io

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont("STSong-Light", 12)
    for n in range(20):
        page.drawString(60, 780 - 20 * n, "一、本年新收政府信息公开申请数量　　48　0　0　0　0　0　48")
    page.save()
    assert extract_document(buf.getvalue())["errors"] == []
    broken = buf.getvalue().replace(b"/UniGB-UCS2-H", b"/Identity-H  ")
    record = extract_document(broken, ocr=False)
    assert record["errors"][0]["stage"] == "pdf"
    assert "text layer broken" in record["errors"][0]["message"]
    assert record["figures"] == {}


def test_table_ruled_only_between_columns_keeps_rows_apart():
    """Without rules between rows one strip holds every row: figures are split by line."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    import io

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont("STSong-Light", 9)
    page.drawString(60, 760, "信息内容　本年制发件数　本年废止件数　现行有效件数")
    xs = (50, 200, 280, 360, 440)
    page.line(xs[0], 750, xs[-1], 750)
    page.line(xs[0], 690, xs[-1], 690)
    for x in xs:
        page.line(x, 690, x, 750)
    for n, (label, values) in enumerate((("规章", ("12", "1", "30")), ("行政规范性文件", ("0", "2", "7")))):
        y = 730 - 25 * n
        page.drawString(60, y, label)
        for x, value in zip(xs[1:], values):
            page.drawString(x + 10, y, value)
    page.save()
    figures = extract_document(buf.getvalue())["figures"]
    assert [figures[f"active.rules.{c}"] for c in ("issued", "repealed", "in_force")] == [12, 1, 30]
    assert [figures[f"active.normative_documents.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 2, 7]


@pytest.mark.parametrize("name", sorted(REAL))
def test_both_engines_give_the_same_rows(name):
    """pdfium (fast, the default) against pdfminer.six (the reference), page layout and all."""
    data = (FIXTURES / name).read_bytes()
    assert read_pdf(data, "pdfium").text == read_pdf(data, "pdfminer").text


def test_single_character_cells_pdfium_leaves_out_are_read():
    """pdfium's text page drops a one-character text object in a non-embedded CID font
    (a "无" cell, the last character of a wrapped label); such a page is read by pdfminer."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    import io

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.setFont("STSong-Light", 10)
    page.drawString(60, 760, "信息内容　本年制发件数　本年废止件数　现行有效件数")
    for n, (label, values) in enumerate((("规章", ("无", "1", "无")), ("行政规范性文件", ("3", "无", "7")))):
        y = 730 - 25 * n
        page.drawString(60, y, label)
        for x, value in zip((200, 280, 360), values):
            page.drawString(x, y, value)
    page.save()
    parsed = read_pdf(buf.getvalue(), "pdfium")
    assert "规章\t无\t1\t无" in parsed.text.splitlines()
    cells = extract_document(buf.getvalue())["cells"]
    assert [cells[f"active.normative_documents.{c}"] for c in ("issued", "repealed", "in_force")] == ["3", "无", "7"]


def test_unknown_engine_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown PDF engine"):
        read_pdf(b"%PDF-1.4", "poppler")


def test_landscape_page_turned_by_rotate_reads_upright():
    """A table page drawn sideways and shown upright by /Rotate 90 (landscape tables)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    import io

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    page.setPageRotation(90)
    page.translate(A4[0], 0)
    page.rotate(90)
    page.setFont("STSong-Light", 10)
    for n, (label, values) in enumerate((("信息内容", ("本年制发件数", "本年废止件数", "现行有效件数")),
                                         ("规章", ("12", "1", "30")), ("行政规范性文件", ("0", "2", "7")))):
        page.drawString(60, 500 - 30 * n, label)
        for x, value in zip((250, 400, 550), values):
            page.drawString(x, 500 - 30 * n, value)
    page.save()
    expected = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t12\t1\t30\n行政规范性文件\t0\t2\t7"
    assert read_pdf(buf.getvalue(), "pdfium").text == read_pdf(buf.getvalue(), "pdfminer").text == expected
