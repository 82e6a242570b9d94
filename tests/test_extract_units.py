"""The pieces one by one: numbers, labels, grids, type and encoding sniffing, sections, and
the table reader's tolerance of the label and layout variants real reports print."""
from __future__ import annotations

import sys
import unicodedata

import pytest

from extract import extract_document
from extract import standard_format as sf
from extract.decode import decode
from extract.detect import sniff
from extract.grid import Span, text_rows, unmerge
from extract.labels import _IDEOGRAPH_SOURCES, core, flat, flat_holds, has_ideograph_outside, more_ideographs_than
from extract.numbers import is_value_like, parse_number
from extract.pdf import Char, _broken
from extract.sections import split_sections
from extract.tables import detect_version, is_first_value_header, read_tables


@pytest.mark.parametrize("text, value", [
    ("0", 0), ("48", 48), ("１２３", 123), ("1,234", 1234), ("7730.28", 7730.28), ("96171.6", 96171.6),
    (" 42 ", 42), ("5件", 5), ("12.5万元", 12.5), ("-3", -3)])
def test_numbers(text, value):
    assert parse_number(text) == (value, None)


@pytest.mark.parametrize("text, reason", [
    ("", "blank cell"), ("  ", "blank cell"), ("—", "printed '—', not a number"), ("/", "printed '/', not a number"),
    ("无", "printed '无', not a number"), ("约40", "unreadable cell text '约40'"), ("1,23", "unreadable cell text '1,23'"),
    (None, "cell not found")])
def test_not_numbers(text, reason):
    assert parse_number(text) == (None, reason)


def test_label_cores_ignore_numbering_punctuation_and_spaces():
    assert core("（三）不予公开 1. 属于国家秘密") == core("(三)不予公开1、属于国家秘密") == "不予公开属于国家秘密"
    assert core("总 计") == core("（七）总计") == "总计"
    assert core("3.危及“三安全一稳定”") == "危及三安全一稳定"
    assert core("三\n、\n本\n年\n度\n办\n理\n结\n果") == "本年度办理结果"


def test_cjk_ideographs_are_left_as_they_are_by_nfkc():
    """What the ideograph shortcuts rest on, against the running Python's Unicode tables: no CJK
    unified ideograph changes under NFKC, and none is part of a canonical decomposition into two
    characters (so none composes with a neighbour; the compatibility ideographs' one-character
    decompositions are never composed back)."""
    ideographs = range(0x4E00, 0xA000)
    assert all(unicodedata.normalize("NFKC", chr(cp)) == chr(cp) for cp in ideographs)
    pairs = [d.split() for cp in range(sys.maxunicode + 1) if (d := unicodedata.decomposition(chr(cp)))
             and not d.startswith("<")]
    assert not [p for p in pairs if len(p) > 1 and any(int(x, 16) in ideographs for x in p)]


def test_only_the_listed_characters_turn_into_ideographs_or_whitespace_under_nfkc():
    """What ``flat_holds`` rests on, against the running Python's Unicode tables."""
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        normal = unicodedata.normalize("NFKC", ch)
        if normal != ch:
            assert any("\u4e00" <= x <= "\u9fff" for x in normal) <= bool(_IDEOGRAPH_SOURCES.match(ch)), hex(cp)
            assert ch.isspace() == all(x.isspace() for x in normal), hex(cp)


@pytest.mark.parametrize("text", ["采购总金额（万元）", "采 购 总\u3000金\n额", "采购总金額", "㊎额", "采购总⾦额(万元)",
                                  "采购总金\u0301额", "采购总金额 万\u00a0元", "政府集中采购 采购总金额 5844447994 " * 30])
def test_flat_holds_as_flat_does(text):
    for word in ("采购总金额", "万元", "金额"):
        assert flat_holds(text, word) == (word in flat(text))


@pytest.mark.parametrize("text", ["12件", "无", "１２万元", "约40", "⾏政许可", "㊎额", "（一）本年制发件数", "自 然 人",
                                  "一、总计", "标题: 某县人民政府2023年政府信息公开工作年度报告 一、总体情况 " * 20])
def test_ideograph_shortcuts_only_rule_out_what_the_normal_forms_rule_out(text):
    kept = {ch for ch in unicodedata.normalize("NFKC", text) if "\u4e00" <= ch <= "\u9fff"}
    for allowed in ("无空件项个份条万元", "本年制发件数自然人一二三"):
        if has_ideograph_outside(text, allowed):
            assert kept - set(allowed)
    for n in (2, 5, 40):
        if more_ideographs_than(text, n):
            assert len(flat(text)) > n


def test_a_page_dump_line_is_neither_a_figure_nor_a_header_word():
    line = "规章000规范性文件1156第二十条第（五）项信息内容上一年项目数量本年增/减本年处理决定数量行政许可309-29851"
    assert not is_value_like(line) and not is_first_value_header(line)
    assert is_value_like("１２件") and is_value_like("无") and is_value_like("—")
    assert is_first_value_header("自 然 人") and is_first_value_header("本年制发件数")


def test_unmerge_lays_spans_on_a_grid():
    rows = unmerge([[Span("A", rowspan=2), Span("B", colspan=2)], [Span("C"), Span("D")]])
    assert [[(c.text, c.copy) for c in row] for row in rows] == [
        [("A", False), ("B", False), ("B", True)],
        [("A", True), ("C", False), ("D", False)]]


def test_text_rows_split_tabs_wide_spaces_and_trailing_figures():
    assert [[c.text for c in r] for r in text_rows("规章\t0\t0\n行政许可    9827\n(一) 予以公开 42 0 0")] == [
        ["规章", "0", "0"], ["行政许可", "9827"], ["(一) 予以公开", "42", "0", "0"]]


@pytest.mark.parametrize("data, filename, kind", [
    (b"%PDF-1.7\n", "a.html", "pdf"), (b"<!DOCTYPE html><html></html>", None, "html"),
    (b"<p>\xc4\xea\xb1\xa8</p>", "x.txt", "html"),
    (b"\xd0\xcf\x11\xe0" + bytes(60), "a.doc", "ole"),  # named .doc, but no WordDocument stream
    (b"\xd0\xcf\x11\xe0" + "WordDocument".encode("utf-16-le"), "a.wps", "wps"),
    (b"\xd0\xcf\x11\xe0" + bytes(60), None, "ole"), ("年度报告".encode("gbk"), None, "text"), (b"", "a.pdf", None)])
def test_sniff(data, filename, kind):
    assert sniff(data, filename) == kind


def test_decode_trusts_bytes_over_declared_charset():
    gbk = '<meta charset="utf-8"><p>政府信息公开</p>'.encode("gbk")
    utf8 = '<meta charset="gbk"><p>政府信息公开</p>'.encode("utf-8")
    assert "政府信息公开" in decode(gbk)[0] and decode(gbk)[1] == "gb18030"
    assert "政府信息公开" in decode(utf8)[0] and decode(utf8)[1] == "utf-8"
    assert decode("\ufeff年报".encode("utf-8"))[0] == "年报"


def test_sections_tolerate_variants_and_shifted_numbering():
    text = "\n".join([
        "某局2020年政府信息公开工作年度报告", "一、总体情况", "概况。", "（一）主动公开情况", "细节。",
        "二、主动公开政府信息情况", "表二", "三、收到和处理政府信息公开申请情况", "表三",
        "四、政府信息公开行政复议和行政诉讼情况", "表四", "五、特色工作", "亮点。",
        "六、政府信息公开工作存在的主要问题及整改措施", "问题。", "七、其他需要报告的事项", "无。"])
    sections = split_sections(text)
    assert sections == {"overview": "概况。\n（一）主动公开情况\n细节。", "active_disclosure": "表二",
                        "requests": "表三", "appeals": "表四\n五、特色工作\n亮点。", "problems": "问题。",
                        "other": "无。"}


def test_broken_text_layer_detected():
    def chars(text):
        return [Char(ch, i * 10, 0, i * 10 + 9, 10) for i, ch in enumerate(text)]
    assert _broken(chars("(cid:12)(cid:13)(cid:14)" * 5))
    assert _broken(chars("¸ÃÎÄ¼þ±¨¸æ" * 10))
    assert not _broken(chars("罗山县人民政府2021年政府信息公开工作年度报告" * 3))


def table_text(*lines: str) -> list:
    return text_rows("\n".join(lines))


def test_version_from_header_labels_not_year():
    assert detect_version(table_text("信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量")) == "2019"
    assert detect_version(table_text("信息内容\t本年制发件数\t本年废止件数\t现行有效件数")) == "2021"
    assert detect_version(table_text("本年主动公开信息1200条。")) == "pre2019"


def test_row_label_variants_match():
    rows = table_text(
        "申请人情况",
        "一、本年新收政府信息公开申请数量\t５\t0\t0\t0\t0\t0\t５",
        "2、其他法律行政止公开\t1\t0\t0\t0\t0\t0\t1",  # 、 for ., a typo listed as alias
        "5．属于三类内容事务信息\t2\t0\t0\t0\t0\t0\t2",  # full-width ．, typo alias
        "（二）部分公开（区分处理的，只计这一情形，不",  # a label wrapped over two lines
        "计其他情形）\t3\t0\t0\t0\t0\t0\t3",
        "（七）总  计\t9\t0\t0\t0\t0\t0\t9",  # spaces inside the label
        "四、结转下年度继续办理\t—\t/\t无\t\t0\t0\t0")
    tables = read_tables(rows, "2021")
    f, c = tables.figures, tables.cells
    assert f["requests.new_received.natural_person"] == 5 and f["requests.new_received.total"] == 5
    assert f["requests.withheld.prohibited_by_law.total"] == 1
    assert f["requests.withheld.internal_affairs.natural_person"] == 2
    assert f["requests.partially_disclosed.natural_person"] == 3
    assert f["requests.handled_total.total"] == 9
    assert [c[f"requests.carried_forward.{col.suffix}"] for col in sf.APPLICANT_COLUMNS] == [
        "—", "/", "无", "", "0", "0", "0"]
    assert f["requests.carried_forward.natural_person"] is None
    assert tables.null_reasons["requests.carried_forward.social_welfare"] == "blank cell"


def test_vertical_label_one_char_per_line():
    rows = table_text("申请人情况", "三", "、", "本", "年", "度", "办", "理", "结", "果",
                      "（一）予以公开\t4\t0\t0\t0\t0\t0\t4")
    assert read_tables(rows, "2021").figures["requests.disclosed.total"] == 4


def test_table4_as_three_labelled_rows_and_note_row():
    rows = table_text("行政复议\t行政诉讼", "行政复议\t1\t0\t0\t0\t1", "未经复议直接起诉\t0\t0\t0\t2\t2",
                      "复议后起诉\t0\t0\t0\t0\t0", "注：含上年结转案件")
    figures = read_tables(rows, "2021").figures
    assert [figures[f"appeals.review.{o.suffix}"] for o in sf.APPEAL_OUTCOMES] == [1, 0, 0, 0, 1]
    assert figures["appeals.litigation_direct.pending"] == 2


def test_ambiguous_row_is_null_with_reason_not_shifted():
    """Blank value cells and spacer cells look alike in flattened text: never guess."""
    rows = table_text("申请人情况", "二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t")
    tables = read_tables(rows, "2021")
    assert tables.figures["requests.carried_over.natural_person"] is None
    assert "cannot tell which cell" in tables.null_reasons["requests.carried_over.total"]


def test_short_row_is_null_with_reason():
    tables = read_tables(table_text("信息内容\t本年制发件数\t本年废止件数\t现行有效件数", "规章\t1\t2"), "2021")
    assert tables.figures["active.rules.issued"] is None
    assert "2 value cells for 3 columns" in tables.null_reasons["active.rules.issued"]


def test_procurement_amount_in_10k_yuan_is_converted():
    rows = table_text("第二十条第（九）项", "信息内容\t采购项目数量\t采购总金额（万元）", "政府集中采购\t12\t35.5")
    tables = read_tables(rows, "2019")
    assert tables.figures["active.procurement.amount_yuan"] == 355000
    assert tables.cells["active.procurement.amount_yuan"] == "35.5"


def test_identities_report_failures_and_missing_operands():
    text = "\n".join(["某县2021年政府信息公开工作年度报告", "信息内容\t本年制发件数", "申请人情况",
                      "一、本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t6",
                      "行政复议\t行政诉讼", "1\t0\t0\t0\t1\t0\t0\t0\t0\t—\t0\t0\t0\t0\t0"])
    record = extract_document(text.encode("utf-8"))
    checks = {c["name"]: c for c in record["checks"]}
    assert checks["applicants_sum.new_received"]["passed"] is False
    assert (checks["applicants_sum.new_received"]["lhs"], checks["applicants_sum.new_received"]["rhs"]) == (6, 5)
    assert checks["appeals_sum.review"]["passed"] is True
    direct = checks["appeals_sum.litigation_direct"]
    assert direct["passed"] is None and direct["missing"] == ["appeals.litigation_direct.total"]
    assert direct["lhs"] is None and direct["rhs"] == 0
    assert record["cells"]["appeals.litigation_direct.total"] == "—"


def test_title_from_page_title_without_site_name_and_signature_date():
    markup = ("<html><head><title>某县人民政府2022年政府信息公开工作年度报告_某县人民政府</title></head><body>"
              "<div><p>一、总体情况</p><p>统计期限自2022年1月1日起至2022年12月31日止。</p>"
              "<p>某县人民政府办公室</p><p>2023年1月18日</p></div></body></html>")
    record = extract_document(markup.encode("utf-8"))
    assert record["title"] == "某县人民政府2022年政府信息公开工作年度报告"
    assert (record["agency"], record["year"], record["published"]) == ("某县人民政府", 2022, "2023-01-18")


def test_gb18030_beyond_gbk_decodes():
    """GB18030 adds characters GBK lacks (䶮, and four-byte ones such as 𠮷), found in names."""
    text = "某县人民政府2021年政府信息公开工作年度报告\n刘䶮、𠮷林"
    assert decode(text.encode("gb18030")) == (text, "gb18030", [])


def test_decode_uses_charset_from_media_type():
    big5 = "政府信息公開".encode("big5")
    assert decode(big5, "text/html; charset=big5") == ("政府信息公開", "big5", [])


@pytest.mark.parametrize("text, value", [
    ("四十六", 46), ("十二", 12), ("十", 10), ("一百零二", 102), ("两千三百", 2300), ("一万二千", 12000),
    ("三〇五", 305), ("零", 0), ("九千九百九十九", 9999)])
def test_chinese_numerals(text, value):
    from extract.numbers import chinese_number
    assert chinese_number(text) == value


def test_prose_checks_read_chinese_numerals_full_width_digits_and_separators():
    from extract.checks import prose_checks
    figures = {"requests.new_received.total": 46, "requests.disclosed.total": 40, "appeals.review.total": 2,
               "appeals.litigation_direct.total": 1, "appeals.litigation_after_review.total": 2,
               "requests.carried_forward.total": 1234}
    text = ("全年共收到政府信息公开申请四十六件，其中予以公开４０件，1,234件结转至下年度办理。\n"
            "发生政府信息公开行政复议案件两起，行政诉讼三起。")
    assert [(p["key"], p["prose_value"], p["table_value"], p["passed"]) for p in prose_checks(text, figures)] == [
        ("requests.new_received.total", 46, 46, True), ("requests.disclosed.total", 40, 40, True),
        ("requests.carried_forward.total", 1234, 1234, True), ("appeals.review.total", 2, 2, True),
        ("appeals.litigation_direct.total + appeals.litigation_after_review.total", 3, 3, True)]


def test_prose_checks_ignore_table_rows_and_keys_of_other_formats():
    from extract.checks import prose_checks
    text = "（一）予以公开\t42\t0\t0\t0\t0\t0\t42\n行政复议\t\t\t\t\t行政诉讼"
    assert prose_checks(text, {"requests.disclosed.total": 42, "appeals.review.total": 0}) == []
    assert prose_checks("行政复议3件", {}) == []  # a pre-2019 record has no table keys
