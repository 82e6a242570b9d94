"""The demo's reports in every text shape real reports reach nianbao in, read back exactly.

Shapes (``demo_portal.textshapes``): the page dump on one line, cells spaced or glued; one
cell per line; cells between `` | ``; markdown as converters write it (merged cells blank,
labels broken over two table rows, ``<br>`` in cells, tables as HTML inside the markdown);
and ``pdftotext -layout`` of the demo's PDFs. Property tests over random reports (both
format versions, cells printed as stand-ins for no figure, an identity broken by one
printed cell). Every shape is also read by the label reader alone
(``text.text_document_rows``), so the line reader it competes with cannot hide a miss.
A glued dump can be read only where the sums allow one split: there the test asks that no
number is wrong and that every cell left null says why.
"""
from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from demo_portal import render, textshapes
from demo_portal.figures import check_results, make_report
from extract import extract_document
from extract import standard_format as sf
from extract.tables import detect_version, read_tables
from extract.text import html_tables, text_document_rows

CASES = 10
FIXTURES = Path(__file__).parent / "fixtures" / "extract"
VISIBLE_BLANKS = ("—", "/", "无", "－")  # what a text without cell borders can still show
ANY_BLANKS = VISIBLE_BLANKS + ("",)


def random_report(case: int, blanks=ANY_BLANKS, perturb: bool = True):
    rng = random.Random(f"text-shapes-{case}")
    version = sf.VERSIONS[case % 2]
    year = rng.randint(2019, 2020) if version == "2019" else rng.randint(2021, 2025)
    keys = sf.keys(version)
    drawn = {k: rng.choice(blanks) for k in rng.sample(keys, rng.randint(0, 5))} if blanks else {}
    broken = {rng.choice([k for k in keys if k.startswith("requests.") and k not in drawn]): 1} if perturb else {}
    return make_report("测试县人民政府", "县", rng.choice(["county", "city"]), year, version, seed=str(case),
                       blanks=drawn, perturb=broken)


def assert_exact(data: str, report, context: str) -> None:
    record = extract_document(data.encode("utf-8"), filename="report.txt")
    assert record["errors"] == [] and record["format_version"] == report.version, context
    assert record["cells"] == report.cells, context
    assert record["figures"] == report.figures, context
    assert set(record["null_reasons"]) == {k for k, v in report.figures.items() if v is None}, context
    assert {c["name"]: c["passed"] for c in record["checks"]} == check_results(report.figures, report.version)
    rows = text_document_rows(data)
    assert detect_version(rows) == report.version, context
    assert read_tables(rows, report.version).cells == report.cells, f"{context}, label reader alone"


SHAPES = {  # shape → the blank cells it can show
    "dump_spaced": VISIBLE_BLANKS,
    "cell_per_line": VISIBLE_BLANKS,
    "piped": ANY_BLANKS,
    "markdown": ANY_BLANKS,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_random_reports_in_each_text_shape_read_back_exactly(shape):
    for case in range(CASES):
        report = random_report(case, SHAPES[shape])
        assert_exact(textshapes.SHAPES[shape](report), report, f"case {case} ({report.version}) as {shape}")


@pytest.mark.parametrize("shape", ["piped", "markdown"])
def test_blank_cells_at_the_ends_of_a_row_and_of_table_4_kept_in_place(shape):
    """A line of figures whose first cell is blank (" | 0 | 0 …") is not a markdown row."""
    for version in sf.VERSIONS:
        blanks = {"appeals.review.upheld": "", "appeals.litigation_after_review.total": "",
                  "requests.disclosed.natural_person": "", "requests.carried_forward.total": ""}
        report = make_report("测试县人民政府", "县", "county", 2022, version, seed="ends", blanks=blanks)
        assert_exact(textshapes.SHAPES[shape](report), report, f"{version} as {shape}")


def test_markdown_with_its_tables_as_html_read_back_exactly():
    """A converter that cannot draw merged cells in markdown writes the table as HTML."""
    for case in range(4):
        report = random_report(case)
        markdown = textshapes.markdown(report)
        grids = {n: rows for _kind, n, rows in (b for b in render.outline(report) if b[0] == "table")}
        first, last = markdown.index("| （本列数据"), markdown.index("\n\n", markdown.index("| （本列数据"))
        html_table3 = render._html_table(grids[3])
        assert_exact(markdown[:first] + html_table3 + markdown[last:], report, f"case {case} with table 3 as HTML")


def test_glued_dump_never_a_wrong_number_and_every_null_with_its_reason():
    read = 0
    for case in range(CASES):
        report = random_report(case, blanks=(), perturb=False)
        record = extract_document(textshapes.dump_glued(report).encode("utf-8"), filename="dump.txt")
        assert record["format_version"] == report.version
        for key, value in record["figures"].items():
            if value is None:  # glued figures split more than one way, or glued to a signed one (-2)
                reason = record["null_reasons"][key]
                assert "not guessed" in reason or "cannot tell which cell" in reason, key
            else:
                assert value == report.figures[key], (case, key)
                read += 1
        assert not [c for c in record["checks"] if c["passed"] is False]
    assert read >= 0.8 * sum(len(sf.keys(sf.VERSIONS[c % 2])) for c in range(CASES))


def test_glued_dump_of_small_figures_read_exactly():
    """Single-digit cells with a two-digit total: the sums leave one split of every row."""
    version = "2021"
    lines = ["第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件102",
             "第二十条第（五）项信息内容本年处理决定数量行政许可3第二十条第（六）项信息内容本年处理决定数量行政处罚0行政强制0",
             "第二十条第（八）项信息内容本年收费金额（单位：万元）行政事业性收费0",
             "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"]
    for row in sf.TABLE3_ROWS[version]:
        lines.append(row.label + "75000012")
    lines.append("行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
                 + "结果维持结果纠正其他结果尚未审结总计" * 2 + "100121000100011")
    record = extract_document(("标题: 某局2022年报告\n" + "".join(lines)).encode("utf-8"), filename="d.txt")
    assert record["format_version"] == version
    for row in sf.TABLE3_ROWS[version]:
        assert [record["figures"][f"{row.key}.{c.suffix}"] for c in sf.APPLICANT_COLUMNS] == [7, 5, 0, 0, 0, 0, 12]
    appeals = [record["figures"][f"{stem}.{o.suffix}"] for stem, _l in sf.APPEAL_GROUPS for o in sf.APPEAL_OUTCOMES]
    assert appeals == [1, 0, 0, 1, 2, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1]
    # table 2 has no total: "102" is 1|0|2, or 10|2 with a blank cell (printed as nothing)
    assert [record["figures"][f"active.normative_documents.{s}"] for s in ("issued", "repealed", "in_force")] \
        == [None, None, None]
    assert "a cell may be blank" in record["null_reasons"]["active.normative_documents.issued"]
    assert record["figures"]["active.licensing.decisions"] == 3


def test_table4_as_one_run_of_fifteen_with_its_header_lines_in_between():
    """pdfplumber-like text: the fifteen figures on lines under and between header lines."""
    header = ("二、主动公开政府信息情况\n第二十条第（一）项\n信息内容 本年制发件数 本年废止件数 现行有效件数\n规章 0 0 0\n"
              "四、政府信息公开行政复议、行政诉讼情况\n行政复议 行政诉讼\n")
    for text in (header + "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉\n"
                 "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计\n"
                 "2 1 0 0 3 1 0 1 0 2 0 0 0 1 1\n",
                 header + "结果维持 结果纠正 其他结果 尚未审结 总计\n2 1 0 0 3\n未经复议直接起诉 复议后起诉\n"
                 "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计\n"
                 "1 0 1 0 2 0 0 0 1 1\n"):
        record = extract_document(text.encode("utf-8"), filename="t.txt")
        appeals = [record["figures"][f"{s}.{o.suffix}"] for s, _l in sf.APPEAL_GROUPS for o in sf.APPEAL_OUTCOMES]
        assert appeals == [2, 1, 0, 0, 3, 1, 0, 1, 0, 2, 0, 0, 0, 1, 1], text


@pytest.mark.parametrize("version,words", [("2019", "本年新制作数量 本年新公开数量 对外公开总数量"),
                                           ("2021", "本年制发件数 本年废止件数 现行有效件数")])
def test_format_version_from_the_header_words_not_the_year(version, words):
    """A 2023 report printed in the 2019 layout is read as 2019, and the other way round."""
    year = 2023 if version == "2019" else 2020
    text = f"某局{year}年政府信息公开工作年度报告。第二十条第（一）项信息内容{words.replace(' ', '')}规章000规范性文件1 2 3"
    record = extract_document(text.encode("utf-8"), filename="t.txt")
    assert record["format_version"] == version
    stems = [c.suffix for c in sf.TABLE2[version][0][2]]
    assert [record["figures"][f"active.normative_documents.{s}"] for s in stems] == [1, 2, 3]


def test_prose_figures_around_the_tables_are_not_cells():
    """Labels in prose (行政许可2023年…, 规章5条) are not rows; the table's own rows are."""
    text = ("一、总体情况 2023年办理行政许可2023件，制定规章5条，收到行政复议3件。 二、主动公开政府信息情况 "
            "第二十条第（五）项 信息内容 本年处理决定数量 行政许可 17 第二十条第（六）项 信息内容 本年处理决定数量 "
            "行政处罚 4 行政强制 0 第二十条第（八）项 信息内容 本年收费金额（单位：万元） 行政事业性收费 1.5 "
            "三、收到和处理政府信息公开申请情况 本年行政处罚8件，规章2件。")
    record = extract_document(("第二十条第（一）项 本年制发件数 本年废止件数 现行有效件数 " + text).encode("utf-8"),
                              filename="t.txt")
    assert record["format_version"] == "2021"
    assert [record["figures"][k] for k in ("active.licensing.decisions", "active.penalties.decisions",
                                           "active.coercion.decisions", "active.fees.amount_10k_yuan")] == [17, 4, 0, 1.5]
    assert record["figures"]["active.rules.issued"] is None and record["cells"]["active.rules.issued"] is None
    without_coercion = text.replace("行政强制 0 ", "").replace("规章2件", "行政强制 2 件")
    record = extract_document(("第二十条第（一）项 本年制发件数 " + without_coercion).encode("utf-8"), filename="t.txt")
    assert record["figures"]["active.penalties.decisions"] == 4
    assert record["figures"]["active.coercion.decisions"] is None  # the prose's "行政强制 2 件" is not the row


def test_pdftotext_layout_of_the_demo_pdfs_read_back_exactly(tmp_path):
    """pdftotext comes with poppler-utils (the Makefile's TEST_PACKAGES)."""
    for case in range(4):
        report = random_report(case, VISIBLE_BLANKS)
        pdf = tmp_path / f"case-{case}.pdf"
        pdf.write_bytes(render.render_pdf(report))
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert_exact(text, report, f"case {case} ({report.version}) as pdftotext -layout")


def test_label_reader_alone_never_a_wrong_number_on_tab_separated_text():
    """Tab text with an empty field for every merged position (as render_text prints it):
    the label reader has no grid columns, so a row with more fields than columns and blanks
    at both ends stays null; the line reader, which has them, reads it (``extract`` keeps
    the better reading). Not a single figure of the label reader may be wrong."""
    for case in range(CASES):
        report = random_report(case)
        rows = text_document_rows(render.render_text(report))
        tables = read_tables(rows, report.version)
        wrong = {k: v for k, v in tables.figures.items() if v is not None and v != report.figures[k]}
        assert wrong == {}, case
        assert all(tables.null_reasons[k] for k, v in tables.figures.items() if v is None)


def test_text_of_more_labels_than_grid_cells_is_refused_naming_the_limit():
    from extract.limits import ContentLimits
    limits = ContentLimits(grid_cells=1_000)
    for text in ("规章1 " * 1_200, "| 规章 | 1 | 2 |\n" * 400):
        record = extract_document(text.encode("utf-8"), filename="t.txt", limits=limits)
        assert [e["stage"] for e in record["errors"]] == ["text"]
        assert "ContentLimits.grid_cells = 1,000" in record["errors"][0]["message"]
    report = random_report(1)
    assert extract_document(textshapes.dump_spaced(report).encode("utf-8"), filename="t.txt",
                            limits=limits)["cells"] == report.cells  # a report is well inside it


def test_rows_numbered_as_items_and_glued_to_the_figures_before():
    """"第七项总计" and "（七）总计" are the 总计 row; bare 总计 is a column header; the numbering
    "2." glued after a row's figures is not one of them."""
    head = "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他"
    rows = "（一）予以公开1000001第七项总计1000001四、结转下年度继续办理0000000"
    withheld = "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开1000001"
    record = extract_document(("第二十条第（一）项本年制发件数" + head + rows + withheld).encode("utf-8"), filename="t.txt")
    stems = ("requests.disclosed", "requests.handled_total", "requests.withheld.prohibited_by_law")
    for stem in stems:
        assert [record["figures"][f"{stem}.{c.suffix}"] for c in sf.APPLICANT_COLUMNS] == [1, 0, 0, 0, 0, 0, 1], stem
    assert [record["figures"][f"requests.withheld.state_secret.{c.suffix}"] for c in sf.APPLICANT_COLUMNS] == [0] * 7


@pytest.mark.parametrize("shape", ["dump_spaced", "cell_per_line"])
def test_a_blank_cell_in_a_row_without_a_total_is_not_taken_for_glued_figures(shape):
    """"规范性文件 1 46" under 本年制发 | 本年废止 | 现行有效, its first cell left blank: 1|4|6 would be a
    wrong number (found by bench/extract_bench.py); with no total to check a split, the row is null."""
    report = make_report("测试县人民政府", "县", "county", 2022, "2021", seed="blank",
                         blanks={"active.normative_documents.issued": ""})
    printed = report.cells
    record = extract_document(textshapes.SHAPES[shape](report).encode(), filename="dump.txt")
    row = ("active.normative_documents.issued", "active.normative_documents.repealed",
           "active.normative_documents.in_force")
    assert all(record["figures"][key] is None for key in row)
    assert "a cell may be blank" in record["null_reasons"]["active.normative_documents.in_force"]
    others = {key: value for key, value in printed.items() if key not in row and value.strip()}
    assert all(record["cells"][key] == value for key, value in others.items())


def test_a_stand_in_glued_between_figures_is_a_cell_of_its_own():
    """A page dump prints 行政许可 | 379 | — | 4557 as "行政许可379—4557": three cells, not "379" split
    into 3|7|9 (found by bench/extract_bench.py)."""
    cells = {"active.licensing.items_last_year": "379", "active.licensing.items_change": "—",
             "active.licensing.decisions": "4557"}
    report = make_report("测试县人民政府", "县", "county", 2020, "2019", seed="stand-in", blanks=cells)
    record = extract_document(textshapes.SHAPES["dump_glued"](report).encode(), filename="dump.txt")
    assert {key: record["cells"][key] for key in cells} == cells
    assert [record["figures"][key] for key in cells] == [379, None, 4557]


@pytest.mark.parametrize("name", ["huaian-city-gov-2024", "huaian-hongze-district-gov-2023",
                                  "huaian-hongze-district-gov-2024"])
def test_pdftotext_without_layout_of_the_real_pdfs_gives_no_wrong_number(name):
    """pdftotext's default text prints each cell on its own line, a figure under its label: a bare
    figure line is not the start of the next label's row ("8" / 第二十条第（五）项 / 行政许可 gave
    行政许可 the 8 of the row above). Cells it cannot place are null; none is another's."""
    pdf = FIXTURES / f"{name}.pdf"
    truth = extract_document(pdf.read_bytes(), filename=pdf.name)["figures"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    record = extract_document(text, filename=f"{name}.txt")
    read = {key: value for key, value in record["figures"].items() if value is not None}
    assert read and all(truth[key] == value for key, value in read.items())


def test_many_table_tags_that_never_close_are_read_in_one_pass():
    """Text with 100,000 ``<table`` tags and no ``</table>``: each tag once made the search scan the
    rest of the text (80 KB took 6.7 s); now the first unclosed tag ends it, and the text is read."""
    text = "某县人民政府2021年政府信息公开工作年度报告\n" + "<table x" * 100_000
    assert list(html_tables(text)) == []
    assert list(html_tables("a<TABLE><tr><td>1</td></tr></table >b<table>")) == [(1, 36)]
    record = extract_document(text.encode(), filename="report.txt")
    assert record["media_type"] == "text" and record["year"] == 2021
