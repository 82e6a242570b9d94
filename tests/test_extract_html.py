"""HTML pages: a hand-written official table markup of the seed, GBK, inside portal chrome."""
from __future__ import annotations

from extract import extract_document
from test_extract_support import FIXTURES, SEED_CELLS, assert_cells

PAGE = FIXTURES / "luoshan-2021-gbk.html"


def page_record():
    return extract_document(PAGE.read_bytes(), filename=PAGE.name, source="http://example.gov.cn/art_1.html")


def test_gbk_page_every_cell_exact():
    record = page_record()
    assert_cells(record, SEED_CELLS)
    assert record["media_type"] == "html"
    assert record["source"] == "http://example.gov.cn/art_1.html"


def test_gbk_page_metadata_and_checks():
    record = page_record()
    assert record["title"] == "罗山县人民政府 2021 年政府信息公开工作年度报告"
    assert (record["agency"], record["year"], record["format_version"]) == ("罗山县人民政府", 2021, "2021")
    assert record["published"] == "2022-01-20"
    assert all(c["passed"] for c in record["checks"])
    assert [(p["prose_value"], p["table_value"], p["passed"]) for p in record["prose_checks"]] == [(46, 48, False)]


def test_portal_chrome_is_left_out():
    record = page_record()
    for chrome in ("无障碍", "主办单位", "政府信息公开指南", "打印本页", "document.write"):
        assert chrome not in record["text"]
    assert record["sections"]["other"] == "没有"
    assert record["sections"]["overview"].startswith("2021 年，信息公开办")


def test_vertical_label_in_rowspan_cell():
    """三、本年度办理结果 printed one character per line (<br/>) in a rowspan="22" cell."""
    assert "三 、 本 年 度 办 理 结 果\t（一）予以公开\t42" in page_record()["text"]


def test_broken_markup_still_reads():
    markup = PAGE.read_bytes().decode("gbk").replace("</td>", "", 40).replace("</tr>", "", 5)
    markup = markup[: markup.index("四、政府信息公开行政复议")]  # truncated download
    record = extract_document(markup.encode("utf-8"), filename="broken.html")
    assert record["errors"] == []
    assert record["figures"]["requests.new_received.total"] == 48
    assert record["figures"]["appeals.review.total"] is None
    assert record["null_reasons"]["appeals.review.total"] == "row not found in the document's tables"


def test_page_without_text_is_an_error():
    record = extract_document(b"<html><head><title>x</title></head><body><img src=a.png></body></html>")
    assert record["errors"] == [{"stage": "html", "message": "the page has no text"}]
    assert record["figures"] == {}


def test_2019_table_with_dash_and_blank_cells():
    rows = "".join(
        f"<tr><td>{label}</td><td>{a}</td><td>{b}</td><td>{c}</td></tr>"
        for label, a, b, c in (("规章", "0", "0", "0"), ("规范性文件", "３", "—", "")))
    markup = (f"<html><body><h1>某局2019年政府信息公开工作年度报告</h1><table>"
              f"<tr><td colspan=4>第二十条第（一）项</td></tr>"
              f"<tr><td>信息内容</td><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>"
              f"{rows}</table></body></html>")
    record = extract_document(markup.encode())
    assert record["format_version"] == "2019"
    assert record["agency"] == "某局" and record["year"] == 2019
    figures, cells, reasons = record["figures"], record["cells"], record["null_reasons"]
    assert figures["active.normative_documents.made"] == 3  # full-width digit
    assert (figures["active.normative_documents.published"], cells["active.normative_documents.published"]) == (None, "—")
    assert (figures["active.normative_documents.total_public"], cells["active.normative_documents.total_public"]) == (None, "")
    assert reasons["active.normative_documents.total_public"] == "blank cell"
    assert "not a number" in reasons["active.normative_documents.published"]
    assert reasons["active.procurement.projects"] == "row not found in the document's tables"
