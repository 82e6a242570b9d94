"""Figures printed with no separator between cells, as page dumps glue them: split by the
format's sums where exactly one split fits, null with the reason where several do."""
from __future__ import annotations

import re

from extract import extract_document
from extract import standard_format as sf
from extract.glued import Group, groups_for, is_glued, split
from test_extract_support import SEED, SEED_CELLS, assert_cells

TABLE3_ROW = groups_for([f"requests.new_received.{c}" for c in
                         ("natural_person", "commercial", "research", "social_welfare", "legal_services",
                          "other_org", "total")])


def glue(text: str) -> str:
    """Each table row's figures run together and onto its label ("规章000", "行政许可9827")."""
    out = []
    for line in text.splitlines():
        cells = line.split("\t")
        i = len(cells)
        while i > 0 and (re.fullmatch(r"\d+", cells[i - 1].strip()) or not cells[i - 1].strip()):
            i -= 1
        figures = [c.strip() for c in cells[i:] if c.strip()]
        out.append("\t".join(cells[:i]).rstrip("\t") + "".join(figures) if figures else line)
    return "\n".join(out)


def test_glue_helper_glues_as_page_dumps_do():
    lines = glue(SEED.read_text(encoding="utf-8")).splitlines()
    assert "规章000" in lines and "行政规范性文件5023" in lines and "行政许可9827" in lines
    assert "一、本年新收政府信息公开申请数量480000048" in lines
    assert "000003000300000" in lines  # table 4: one flat row of 15 figures


def test_seed_reglued_every_cell_exact_or_null_with_reason():
    record = extract_document(glue(SEED.read_text(encoding="utf-8")).encode("utf-8"))
    # 行政规范性文件 5 0 23 glued is "5023": 5|0|23 and 50|2|3 both fit (table 2 has no sum), and
    # so does 50|23 with a blank cell
    ambiguous = ("active.normative_documents.issued", "active.normative_documents.repealed",
                 "active.normative_documents.in_force")
    assert_cells(record, {**SEED_CELLS, **dict.fromkeys(ambiguous)})
    for key in ambiguous:
        assert record["null_reasons"][key] == ("figures printed together ('5023') split more than one way "
                                               "into 3 cells (5|0|23 or 50|23|(blank) …), and a cell may be blank "
                                               "(printed as nothing); not guessed")
    assert all(c["passed"] for c in record["checks"])
    assert {"stage": "tables", "message": "row '一、本年新收政府信息公开申请数量': figures printed together "
            "('480000048') split as 48|0|0|0|0|0|48, the only split the row's sums allow"} in record["warnings"]


def test_the_issue_example_is_ambiguous_without_a_sum():
    """"行政规范性文件693665" is 69|3|665 in the report, but 6|93|665 fits as well."""
    found = split(["693665"], [Group(3, False)])
    # any 2 of the 5 gaps between the digits (10), and with blank cells: 1 gap in 3 places (15), none in 3
    assert found.parts is None and found.count == 28
    assert found.cells == [None, None, None]
    # the reason shows the first split and the first with a blank cell
    assert found.examples == [["6", "9", "3665"], ["6", "93665", ""]]


def test_table3_row_split_by_its_total():
    assert split(["480000048"], TABLE3_ROW).parts == ["48", "0", "0", "0", "0", "0", "48"]
    # big numbers: 3001 53 0 0 61 4 3119 (淮安市 2024)
    assert split(["30015300614", "3119"], TABLE3_ROW).parts == ["3001", "53", "0", "0", "61", "4", "3119"]


def test_printed_borders_are_kept():
    # "48 00000 48": the first and last figures are printed apart from the zeros
    assert split(["48", "00000", "48"], TABLE3_ROW).parts == ["48", "0", "0", "0", "0", "0", "48"]


def test_two_splits_with_the_same_sum_are_not_guessed():
    # 3+2+20+0+5+0 = 30 and 3+22+0+0+5+0 = 30
    found = split(["322005030"], TABLE3_ROW)
    assert found.parts is None
    assert found.examples == [["3", "2", "20", "0", "5", "0", "30"], ["3", "22", "0", "0", "5", "0", "30"]]
    # the cells both splits print the same, at the same place, are known
    assert found.cells == ["3", None, None, "0", "5", "0", "30"]


def test_no_leading_zeros_and_no_split_against_the_sum():
    assert split(["1234567"], TABLE3_ROW).count == 0  # 1+2+3+4+5+6 ≠ 7
    # 1|0001, 10|001, 100|01 have leading zeros; 10001 with a blank cell beside it fits
    assert split(["10001"], [Group(2, False)]).options == [["1000", "1"], ["10001", ""], ["", "10001"]]


def test_a_blank_cell_hidden_in_a_run_without_a_total_is_not_split_away():
    """规范性文件 (blank) | 1 | 46 in a page dump is "146": 1|4|6 is the only split into three
    figures, but a blank cell prints nothing, so every cell is unknown (bench/extract_bench.py
    found 7 such wrong cells in 300 reports before)."""
    found = split(["146"], [Group(3, False)])
    assert found.parts is None and found.cells == [None, None, None]
    assert ["", "1", "46"] in found.options and ["1", "4", "6"] in found.options
    # zeros cannot hide a blank: every figure is one digit
    assert split(["000"], [Group(3, False)]).parts == ["0", "0", "0"]
    # printed apart, "1 46": 1|4|6, 1|46|(blank), 1|(blank)|46 or (blank)|1|46
    assert split(["1", "46"], [Group(3, False)]).cells == [None, None, None]
    text = ("某县人民政府2022年政府信息公开工作年度报告 第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
            "规章000行政规范性文件146")
    record = extract_document(text.encode("utf-8"), filename="dump.txt")
    assert [record["figures"][f"active.rules.{c}"] for c in ("issued", "repealed", "in_force")] == [0, 0, 0]
    for column in ("issued", "repealed", "in_force"):
        key = f"active.normative_documents.{column}"
        assert record["figures"][key] is None and record["cells"][key] is None
        assert record["null_reasons"][key] == (
            "figures printed together ('146') split more than one way into 3 cells (1|4|6 or 1|46|(blank) …), "
            "and a cell may be blank (printed as nothing); not guessed")


def test_table4_groups_each_closed_by_their_total():
    groups = groups_for([f"appeals.{g}.{o}" for g in ("review", "litigation_direct", "litigation_after_review")
                         for o in ("upheld", "corrected", "other", "pending", "total")])
    assert groups == [Group(5, True)] * 3
    # 72 64 178 37 351 | 13 4 8 1 26 | 12 1 1 6 20 (淮安市 2024)
    printed = ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"]
    found = split(["".join(printed)], groups)
    # the third group also splits 1|2|1|16|20 and 1|2|11|6|20: only its total is certain
    assert found.parts is None and found.count == 3
    assert found.cells == printed[:10] + [None, None, None, None, "20"]


def test_glued_row_in_a_table_reads_through_the_record():
    text = "\n".join(["某县人民政府2022年政府信息公开工作年度报告", "申请人情况", "自然人\t商业企业",
                      "一、本年新收政府信息公开申请数量\t322005030", "（一）予以公开\t12\t0\t0\t0\t0\t1\t13"])
    record = extract_document(text.encode("utf-8"))
    figures, reasons = record["figures"], record["null_reasons"]
    assert [figures[f"requests.new_received.{c}"] for c in
            ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")
            ] == [3, None, None, 0, 5, 0, 30]
    assert reasons["requests.new_received.commercial"] == (
        "figures printed together ('322005030') split more than one way into 7 cells "
        "(3|2|20|0|5|0|30 or 3|22|0|0|5|0|30); not guessed")
    assert set(reasons) & {f"requests.new_received.{c}" for c in ("natural_person", "total")} == set()
    assert figures["requests.disclosed.commercial"] == 0


def test_ambiguous_row_settled_by_the_column_identities():
    """予以公开 "322005030" fits its row sum two ways (3|2|20|… and 3|22|0|…); only the first
    makes each column's results add up to its （七）总计, so it is the one."""
    zeros = "0 0 0 0 0 0 0"
    results = [(row.label, zeros) for row in sf.RESULT_ROWS["2021"][1:]]  # every other result row: 0
    rows = [("一、本年新收政府信息公开申请数量", "3 2 20 0 5 0 30"), ("二、上年结转政府信息公开申请数量", zeros),
            ("（一）予以公开", "322005030"), *results, ("（七）总计", "3 2 20 0 5 0 30"), ("四、结转下年度继续办理", zeros)]
    text = "\n".join(["某县人民政府2022年政府信息公开工作年度报告", "申请人情况", "自然人\t商业企业"]
                     + [label + "\t" + "\t".join(values.split()) for label, values in rows])
    record = extract_document(text.encode("utf-8"))
    columns = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")
    assert [record["cells"][f"requests.disclosed.{c}"] for c in columns] == ["3", "2", "20", "0", "5", "0", "30"]
    assert not any(k.startswith("requests.disclosed.") for k in record["null_reasons"])
    assert {"stage": "tables", "message": "row '（一）予以公开': split as 3|2|20|0|5|0|30, the only split its "
            "columns' identities allow"} in record["warnings"]


def test_a_run_of_digits_too_long_to_be_figures_is_not_searched():
    """A hostile or broken page gluing a million digits after a row label: no figure has more than
    FIGURE_DIGITS digits, so the run is no row of figures (the split search is quadratic in the
    digits and would run for hours); the row's cells are null with a reason, nothing invented."""
    assert split(["1" * 1_000_000], [Group(7, True)]).count == 0
    assert not is_glued(["1" * 1_000_000], 7)
    record = extract_document(("一、本年新收政府信息公开申请数量" + "1" * 1_000_000).encode(), filename="dump.txt")
    assert record["errors"] == []
    assert all(value is None for value in record["figures"].values())
    assert record["null_reasons"]["requests.new_received.natural_person"]


def test_a_blank_cell_hidden_in_a_row_with_a_total_is_not_split_away():
    """125 | 19 | (blank) | 1 | 0 | 6 | 151 printed glued is "12519106151": its sum alone allows only
    1|2|51|91|0|6|151 among readings of seven figures (a wrong row, found by a seeded run of demo
    reports with blank cells), but one blank cell fits it as well: only the 总计 is known."""
    found = split(["12519106151"], TABLE3_ROW)
    assert ["1", "2", "51", "91", "0", "6", "151"] in found.options
    assert ["125", "19", "", "1", "0", "6", "151"] in found.options
    assert found.cells == [None] * 6 + ["151"]
    # one blank cell cannot hide among zeros and one-digit figures whose sums hold
    assert split(["000003000300000"], [Group(5, True)] * 3).parts == list("000003000300000")
    assert split(["480000048"], TABLE3_ROW).parts == ["48", "0", "0", "0", "0", "0", "48"]
