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
    assert record["title"] == "罗山县人民政府2021年政府信息公开工作年度报告"
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


# ------------------------------------------------------------------ layout variants of the same page
def page_markup() -> str:
    return PAGE.read_bytes().decode("gbk")


def variant(markup: str) -> dict:
    return extract_document(markup.encode("utf-8"), filename="variant.html")


def test_tables_split_across_several_table_elements():
    """Table 2 as one <table> per 条例 item, table 3 broken after its 4th result row with a
    "续表" line between the halves (the row spans of the first half stop at the break)."""
    markup = page_markup()
    for item in ("（五）", "（六）", "（八）"):
        markup = markup.replace(f'<tr><td colspan="4"><p align="center">第二十条第{item}项',
                                f'</tbody></table>\n<table border="1"><tbody><tr><td colspan="4"><p align="center">第二十条第{item}项')
    markup = markup.replace("<tr><td><p>3.危及", '</tbody></table>\n<p>续表</p>\n<table border="1"><tbody><tr><td><p>3.危及')
    assert markup.count("<table") == PAGE.read_bytes().decode("gbk").count("<table") + 4
    assert_cells(variant(markup), SEED_CELLS)


def test_table4_as_rows_per_group():
    """Table 4 printed one row per group (行政复议 / 未经复议直接起诉 / 复议后起诉) instead of flat."""
    markup = page_markup()
    start = markup.index("<table", markup.index("四、政府信息公开行政复议"))
    end = markup.index("</table>", start) + len("</table>")
    rows = [("行政复议", "0 0 0 0 0"), ("行政诉讼 未经复议直接起诉", "3 0 0 0 3"), ("行政诉讼 复议后起诉", "0 0 0 0 0")]
    table = ('<table border="1"><tr><td>行政复议</td><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td>'
             '<td>总计</td></tr>' + "".join(f"<tr><td>{label}</td>" + "".join(f"<td>{v}</td>" for v in values.split())
                                           + "</tr>" for label, values in rows) + "</table>")
    assert_cells(variant(markup[:start] + table + markup[end:]), SEED_CELLS)


def test_tables_printed_as_images_leave_every_cell_null_with_the_reason():
    markup = page_markup()
    for n in (2, 3, 4):
        start = markup.index('<table border="1"')
        end = markup.index("</table>", start) + len("</table>")
        markup = markup[:start] + f'<p style="text-align:center"><img src="/picture/table{n}.png"></p>' + markup[end:]
    record = variant(markup)
    assert record["errors"] == []
    assert record["format_version"] == "2021"  # from the year: no table text to tell
    assert set(record["figures"]) == set(SEED_CELLS) and set(record["figures"].values()) == {None}
    assert set(record["null_reasons"].values()) == {"table printed as an image"}
    assert {c["passed"] for c in record["checks"]} == {None}
    messages = [w["message"] for w in record["warnings"]]
    assert "3 table(s) or picture(s) where the tables should be: tables printed as images are not read (no OCR)" in messages
    assert "no table text in a 2021 report; format version 2021 assumed from the year, every cell null" in messages


def test_one_table_printed_as_an_image_inside_a_table_element():
    markup = page_markup()
    start = markup.index("<table", markup.index("四、政府信息公开行政复议"))
    end = markup.index("</table>", start) + len("</table>")
    record = variant(markup[:start] + '<table border="1"><tr><td><img src="t4.jpg"></td></tr></table>' + markup[end:])
    assert_cells(record, {**SEED_CELLS, **{k: None for k in SEED_CELLS if k.startswith("appeals.")}})
    assert {record["null_reasons"][k] for k in SEED_CELLS if k.startswith("appeals.")} == {"table printed as an image"}


def test_announcement_page_with_a_picture_is_not_taken_for_image_tables():
    markup = ("<html><body><h1>某县人民政府2023年政府信息公开工作年度报告</h1><p><img src='logo.png'></p>"
              "<p>附件：<a href='report.pdf'>某县人民政府2023年政府信息公开工作年度报告.pdf</a></p></body></html>")
    record = variant(markup)
    assert record["format_version"] is None and record["figures"] == {}
    assert "no standard tables found in a 2023 report" in record["warnings"][0]["message"]
