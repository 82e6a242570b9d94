"""PDFs damaged part-way: the readable pages are read, the unreadable ones are named in the
record's errors, and every cell they held is null with the reason; nothing is taken across
a page left out. A page whose text layer is broken but drawn right is read by OCR."""
from __future__ import annotations

import io
import re

import pytest

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from demo_portal.render import font_path
from extract import extract_document
from extract.grid import text_rows
from extract import pdf as pdf_module
from extract.pdf import read_pdf
from extract.tables import read_tables
from ocr_support import assert_read_well, pages_of, without_character_maps
from test_extract_support import FIXTURES, HUAIAN_2024_CELLS

HUAIAN = (FIXTURES / "huaian-city-gov-2024.pdf").read_bytes()
HONGZE = (FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes()


def damage_page(data: bytes, page: int) -> bytes:
    """A copy with 16 bytes in the middle of page ``page``'s compressed content stream zeroed
    (same length, so the cross-reference offsets stay right: only that stream is broken)."""
    pages = list(PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(data)))))
    objid = pages[page - 1].contents[0].objid
    header = re.search(rb"(?<![0-9])%d 0 obj" % objid, data)
    start = data.index(b"stream", header.end()) + len(b"stream")
    start += 2 if data[start:start + 2] == b"\r\n" else 1
    middle = (start + data.index(b"endstream", start)) // 2
    return data[:middle] + bytes(16) + data[middle + 16:]


PAGE_4 = ("page 4 not read (its content stream (object 49) is damaged: "
          "Error -3 while decompressing data: invalid distance too far back)")
NOT_READ = "not in the pages that could be read: " + PAGE_4
# huaian-city-gov-2024.pdf without its page 4: table 2 from 行政处罚 on and table 3 down to
# （四）无法提供 1.本机关不掌握相关政府信息 were printed there; every other cell reads as in the whole file.
PAGE_4_ROWS = ("active.penalties", "active.coercion", "active.fees", "requests.new_received",
               "requests.carried_over", "requests.disclosed", "requests.partially_disclosed", "requests.withheld",
               "requests.unavailable.not_held")
HUAIAN_WITHOUT_PAGE_4 = {key: None if key.startswith(tuple(row + "." for row in PAGE_4_ROWS)) else cell
                         for key, cell in HUAIAN_2024_CELLS.items()}


def test_a_damaged_page_is_named_and_the_other_pages_are_read():
    record = extract_document(damage_page(HUAIAN, 4), filename="huaian.pdf")
    assert record["errors"] == [{"stage": "pdf", "message": "document incomplete: page 4 of 6 not read (its content "
                                 "stream (object 49) is damaged: Error -3 while decompressing data: invalid distance "
                                 "too far back); its text and cells are missing"}]
    assert record["warnings"] == []
    assert record["cells"] == HUAIAN_WITHOUT_PAGE_4
    assert record["null_reasons"] == {k: NOT_READ for k, v in HUAIAN_WITHOUT_PAGE_4.items() if v is None}
    assert (record["title"], record["year"], record["format_version"]) == (
        "淮安市人民政府2024年政府信息公开工作年度报告", 2024, "2021")
    # the table 3 heading was on page 4: the rows of page 5 are known by their own labels
    assert record["figures"]["requests.unavailable.needs_creation.total"] == 11
    assert "行政处罚" not in record["text"] and "规章\t1\t0\t11" in record["text"].splitlines()


def test_checks_on_a_table_cut_by_a_damaged_page_are_undecided_not_guessed():
    record = extract_document(damage_page(HUAIAN, 4))
    checks = {c["name"]: c for c in record["checks"]}
    balance = checks["balance.total"]
    assert (balance["passed"], balance["lhs"], balance["rhs"]) == (None, None, 3153)
    assert balance["missing"] == ["requests.new_received.total", "requests.carried_over.total"]
    results = checks["results_sum.total"]
    assert (results["passed"], results["lhs"], results["rhs"]) == (None, 3050, None)
    undecided = sorted(name for name, c in checks.items() if c["passed"] is None)
    assert undecided == sorted(
        [f"{rule}.{column}" for rule in ("balance", "results_sum") for column in (
            "natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")]
        + [f"applicants_sum.{row}" for row in (
            "new_received", "carried_over", "disclosed", "partially_disclosed", "withheld.state_secret",
            "withheld.prohibited_by_law", "withheld.security_stability", "withheld.third_party_rights",
            "withheld.internal_affairs", "withheld.process_information", "withheld.enforcement_files",
            "withheld.inquiry_matters", "unavailable.not_held")])
    assert all(c["passed"] for c in checks.values() if c["passed"] is not None)
    prose = {p["key"]: (p["prose_value"], p["table_value"], p["passed"]) for p in record["prose_checks"]}
    assert prose["requests.new_received.total"] == (3119, None, None)
    assert prose["requests.handled_total.total"] == (3050, 3050, True)


def test_both_engines_leave_out_the_same_damaged_page():
    damaged = damage_page(HUAIAN, 4)
    pdfium, pdfminer = read_pdf(damaged, "pdfium"), read_pdf(damaged, "pdfminer")
    assert pdfium.text == pdfminer.text
    assert pdfium.errors == pdfminer.errors and pdfium.breaks == pdfminer.breaks
    assert pdfium.missing_reason == NOT_READ


def test_a_damaged_page_object_is_named_by_both_engines():
    """pdfminer alone would leave the page out of its page list and number the rest wrongly."""
    header = re.search(rb"(?<![0-9])48 0 obj", HUAIAN)  # page 4's page object
    damaged = HUAIAN[:header.start()] + b"x" * len(header.group(0)) + HUAIAN[header.end():]
    pdfium, pdfminer = read_pdf(damaged, "pdfium"), read_pdf(damaged, "pdfminer")
    assert pdfium.errors == pdfminer.errors == [{"stage": "pdf", "message": "document incomplete: page 4 of 6 not read "
                                                 "(its page object (object 48) is damaged); its text and cells are "
                                                 "missing"}]
    assert pdfium.text == pdfminer.text
    record = extract_document(damaged)
    assert record["cells"] == HUAIAN_WITHOUT_PAGE_4


def _table_pdf(pages: list[list[tuple[str, tuple[str, ...]]]], fonts: list[str]) -> bytes:
    """A PDF with one list of (label, values) lines per page, each page in its font."""
    buf = io.BytesIO()
    page = canvas.Canvas(buf, invariant=1)
    for lines, font in zip(pages, fonts):
        for n, (label, values) in enumerate(lines):
            page.setFont(font, 9)
            page.drawString(40, 780 - 20 * n, label)
            for i, value in enumerate(values):
                page.drawRightString(330 + 35 * i, 780 - 20 * n, value)
        page.showPage()
    page.save()
    return buf.getvalue()


def _fonts() -> tuple[str, str]:
    """An embedded TrueType font and the non-embedded CID font whose text layer is broken below."""
    pdfmetrics.registerFont(TTFont("WenQuanYiZenHei", str(font_path()), subfontIndex=0))
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "WenQuanYiZenHei", "STSong-Light"


TABLE_2 = [("某县人民政府2022年政府信息公开工作年度报告", ()), ("第二十条第（一）项", ()),
           ("信息内容", ("本年制发件数", "本年废止件数", "现行有效件数")), ("规章", ("2", "0", "9"))]
TABLE_3 = [("申请人情况", ()), ("一、本年新收政府信息公开申请数量", ("12", "1", "0", "0", "0", "0", "13")),
           ("（一）予以公开", ("10", "1", "0", "0", "0", "0", "11"))]


def test_a_broken_text_layer_is_read_by_ocr_from_the_page_as_drawn():
    """A real report's table page whose fonts lost their character maps (a WPS export without
    ToUnicode): its text layer is glyph ids, but the page draws the text right. After a page read
    from its text layer (table 2), it is read by OCR: its figures exact or null, none wrong, the
    record naming the page and saying why."""
    record = extract_document(without_character_maps(HONGZE, [2], [3]), filename="wps.pdf")
    truth = extract_document(pages_of(HONGZE, [2, 3]), filename="truth.pdf", ocr=False)
    found = assert_read_well(truth, record)
    assert len(found["exact"]) >= 105  # of 108: 7 on the text-layer page, 101 recognised
    assert record["errors"] == [] and record["ocr"]["pages"] == [2]
    assert {"stage": "pdf", "message": "page(s) 2: text layer broken (unmapped glyphs or garbage); read by OCR "
            "from the page as drawn"} in record["warnings"]
    assert any(w["stage"] == "ocr" and w["message"].startswith("page(s) 2 read by OCR") for w in record["warnings"])
    text_layer = {k for k, v in extract_document(pages_of(HONGZE, [2]), ocr=False)["cells"].items() if v}
    assert len(text_layer) >= 5 and not text_layer & set(record["ocr"]["cells"])  # page 1's are not OCR's
    assert len(record["ocr"]["cells"]) >= 98 and "requests.new_received.total" in record["ocr"]["cells"]


def test_a_page_with_a_broken_text_layer_is_an_error_when_ocr_is_off():
    """--no-ocr: the broken page is left out, named, and the other pages are read. (The font here
    is not embedded and its encoding misdeclared: the page draws the wrong glyphs too, "0" as "O",
    which OCR could only read as the nonsense it is.)"""
    embedded, cid = _fonts()
    data = _table_pdf([TABLE_2, TABLE_3], [embedded, cid])
    broken = data.replace(b"/UniGB-UCS2-H", b"/Identity-H  ")  # no character map: (cid:N) on page 2 only
    record = extract_document(broken, ocr=False)
    reason = "page 2 not read (text layer broken (unmapped glyphs or garbage))"
    assert record["errors"] == [{"stage": "pdf", "message": "document incomplete: page 2 of 2 not read (text layer "
                                 "broken (unmapped glyphs or garbage)); its text and cells are missing"}]
    assert record["ocr"] is None
    cells = record["cells"]
    assert [cells[f"active.rules.{c}"] for c in ("issued", "repealed", "in_force")] == ["2", "0", "9"]
    assert cells["requests.new_received.total"] is None and cells["requests.disclosed.total"] is None
    assert record["null_reasons"]["requests.new_received.total"] == f"not in the pages that could be read: {reason}"
    assert record["null_reasons"]["active.normative_documents.issued"] == (
        f"not in the pages that could be read: {reason}")


def test_a_blank_or_only_ruled_page_costs_no_ocr(monkeypatch):
    """OCR renders a page only when it has no usable text layer and draws a picture or glyphs:
    a blank page, or one of rules alone (an empty table), holds nothing it could read."""
    monkeypatch.setattr(pdf_module, "read_pdf_page", lambda *a: pytest.fail(f"page {a[1]} rendered for OCR"))
    embedded, _cid = _fonts()
    buf = io.BytesIO()
    page = canvas.Canvas(buf, invariant=1)
    page.setFont(embedded, 9)
    page.drawString(40, 780, "某县人民政府2022年政府信息公开工作年度报告")
    page.showPage()
    page.showPage()  # blank
    page.grid([40, 200, 300], [700, 720, 740])  # an empty ruled table
    page.showPage()
    page.save()
    parsed = read_pdf(buf.getvalue())
    assert parsed.ocr is None and parsed.errors == [] and "年度报告" in parsed.text


def test_a_label_is_not_joined_across_a_part_left_out():
    """Values under a label cut short ("5.要求行政机关确认或重新出") and a label end
    ("具已获取信息") on the next line join; with a page left out between them, where the
    label went on is unknown."""
    rows = text_rows("申请人情况\n5.要求行政机关确认或重新出\t1\t0\t0\t0\t0\t0\t1\n具已获取信息")
    key = "requests.not_processed.confirm_or_reissue.total"
    assert read_tables(rows, "2021").cells[key] == "1"
    reason = "not in the pages that could be read: page 2 not read (…)"
    cut = read_tables(rows, "2021", reason, [2])
    assert (cut.cells[key], cut.null_reasons[key]) == (None, reason)
    assert cut.warnings == [{"stage": "tables", "message": "row '5.要求行政机关确认或重新出' matches no standard row"}]


def test_procurement_unit_header_left_out_nulls_the_amount():
    """采购总金额 may be printed in 元 or 万元: with its header on a part left out, the unit is unknown."""
    rows = text_rows("第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额（万元）\n政府集中采购\t12\t35.5")
    reason = "not in the pages that could be read: page 3 not read (…)"
    assert read_tables(rows, "2019", reason, [1]).figures["active.procurement.amount_yuan"] == 355000
    cut = read_tables(rows, "2019", reason, [2])
    assert cut.figures["active.procurement.amount_yuan"] is None
    assert cut.cells["active.procurement.amount_yuan"] == "35.5"
    assert cut.null_reasons["active.procurement.amount_yuan"] == (
        f"unit (元 or 万元) unknown: the column header was not read; {reason}")
    assert cut.figures["active.procurement.projects"] == 12
