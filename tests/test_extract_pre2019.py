"""Pre-2019 reports: no national table, their own 统计表 kept as raw rows (``raw_tables``)."""
from __future__ import annotations

from extract import extract_document
from test_extract_support import SEED

STATISTICS = [
    ("指标名称", "计量单位", "本年度", "累计"),
    ("一、主动公开情况", "", "", ""),
    ("（一）主动公开政府信息数", "条", "1200", "8650"),
    ("其中：主动公开规范性文件数", "条", "12", "97"),
    ("二、依申请公开情况", "", "", ""),
    ("（一）收到申请数", "件", "23", "140"),
]
PROSE = ["某县人民政府2015年政府信息公开工作年度报告", "一、概述", "本年主动公开信息1200条。",
         "附表：某县政府信息公开情况统计表"]


def test_statistics_table_in_flattened_text_kept_as_printed():
    text = "\n".join(PROSE + ["\t".join(row) for row in STATISTICS] + ["二、主动公开政府信息情况", "略。"])
    record = extract_document(text.encode("gbk"))
    assert record["format_version"] == "pre2019"
    assert record["figures"] == {} and record["cells"] == {}
    assert record["raw_tables"] == [{"rows": [list(row) for row in STATISTICS]}]


def test_statistics_table_in_html_with_spanned_section_rows():
    def tr(row):
        if not any(row[1:]):
            return f'<tr><td colspan="4">{row[0]}</td></tr>'
        return "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"

    markup = ("<html><body>" + "".join(f"<p>{p}</p>" for p in PROSE)
              + "<table>" + "".join(tr(row) for row in STATISTICS) + "</table></body></html>")
    record = extract_document(markup.encode("utf-8"))
    assert record["format_version"] == "pre2019"
    # a section row spanning the table is printed once
    assert record["raw_tables"] == [{"rows": [list(row) if any(row[1:]) else [row[0]] for row in STATISTICS]}]


def test_prose_lines_and_table_era_reports_have_no_raw_tables():
    record = extract_document("\n".join(PROSE + ["二、主动公开政府信息情况", "略。"]).encode("utf-8"))
    assert record["raw_tables"] == []
    assert extract_document(SEED.read_bytes())["raw_tables"] == []  # 2021 tables go to the canonical keys


def test_pre2019_needs_evidence_a_text_with_no_table_of_any_format_has_no_version():
    """No national table is not enough: a shopping list with tab-separated numbers is no old report."""
    shopping = extract_document("周末采购清单\n鸡蛋\t12\n牛奶\t2\n".encode("utf-8"), filename="list.txt")
    assert shopping["format_version"] is None and shopping["raw_tables"] == []
    # an old report's own statistics table is evidence even where no title or year was read
    untitled = extract_document("\n".join("\t".join(row) for row in STATISTICS).encode("utf-8"))
    assert untitled["title"] is None and untitled["year"] is None
    assert untitled["format_version"] == "pre2019" and len(untitled["raw_tables"]) == 1
    # a report title from before 2019 is evidence too; the seed's tables are 2021's
    titled = extract_document("\n".join(PROSE[:3]).encode("utf-8"))
    assert titled["year"] == 2015 and titled["format_version"] == "pre2019"
    assert extract_document(SEED.read_bytes())["format_version"] == "2021"
