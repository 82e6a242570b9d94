"""The report rules kept once in ``extract.rules`` (title, year, date, cover letters, "is this a
report"), on real strings: the heads of the 13 real page dumps, the real PDFs' first lines, the
seed. The crawler judges with the same functions (its own tables: tests/test_crawler_rules.py)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.spiders import base, links, pages
from extract import rules
from test_extract_support import FIXTURES

DUMPS = FIXTURES / "page-dumps"
ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: str) -> dict[str, set[str]]:
    """Source file → the absolute modules it imports (relative imports stay inside the package)."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        modules = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module)
        found[str(path.relative_to(ROOT))] = modules
    return found


def test_extract_imports_nothing_of_crawler_or_archive_and_crawler_only_its_rules():
    for path, modules in imported_modules("extract").items():
        assert not {m for m in modules if m.split(".")[0] in ("crawler", "archive")}, path
    for path, modules in imported_modules("crawler").items():
        # the report rules, the level rule for a report's publisher (crawler/publisher.py), and the
        # years a body owes (crawler/coverage.py)
        assert {m for m in modules if m.split(".")[0] in ("extract", "archive")} <= {
            "extract.rules", "extract.region", "extract.deadlines"}, path


def test_the_crawler_judges_with_the_extractors_rules():
    for name in ("is_report_title", "is_report_like", "is_lookalike", "is_candidate_title", "report_year",
                 "find_date", "body_year"):
        users = [module for module in (base, links, pages) if hasattr(module, name)]
        assert users and all(getattr(module, name) is getattr(rules, name) for module in users), name


@pytest.mark.parametrize("text, heading", [
    # a page dump: breadcrumb (column name, no year), then the heading between blanks, name apart
    ("当前位置： 首页政务公开政府信息公开平潭综合实验区国有资产管理局政府信息公开年报 平潭综合实验区国有资产管理局 "
     "2020年度政府信息公开工作年度报告 来源： 时间：2021-01-28 17:09 --> 微信 微博",
     ("平潭综合实验区国有资产管理局2020年度政府信息公开工作年度报告", "平潭综合实验区国有资产管理局")),
    ("当前位置： 首页政务公开政府信息公开平潭综合实验区经济发展局政府信息公开年报 平潭综合实验区经济发展局2019年"
     "政府信息公开工作年度报告 来源：",
     ("平潭综合实验区经济发展局2019年政府信息公开工作年度报告", "平潭综合实验区经济发展局")),
    # a document number before the name is not the name
    ("相关链接： 岚经发〔2020〕2号 平潭综合实验区经济发展局 2019年政府信息公开工作年度报告 根据《条例》",
     ("平潭综合实验区经济发展局2019年政府信息公开工作年度报告", "平潭综合实验区经济发展局")),
    # a cover letter at the head of the body: the report it carries, its sender
    ("平潭综合实验区苏平片区管理局关于报送2020年度政府信息公开工作年度报告的函区办公室：根据《中华人民共和国政府信息公开条例》要求",
     ("平潭综合实验区苏平片区管理局2020年度政府信息公开工作年度报告", "平潭综合实验区苏平片区管理局")),
    # the real PDFs: the name on one line, the year and report on the next
    ("淮安市人民政府\n2024年政府信息公开工作年度报告\n本报告由淮安市人民政府办公室根据《中华人民共和国政府\n",
     ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府")),
    ("洪泽区人民政府\n2023年政府信息公开工作年度报告\n本报告由淮安市洪泽区人民政府办公室",
     ("洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府")),
    # the seed: blanks inside the line
    ("\n\n罗山县人民政府 2021 年政府信息公开工作年度报告\n\n一、总体情况",
     ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府")),
    # a browser-printed portal page: the chrome's column name and breadcrumb come first
    ("欢迎访问罗山县人民政府门户网站无障碍长者模式加入收藏\n政务公开\n当前位置：首页>政务公开>政府信息公开年报\n"
     "罗山县人民政府2022年政府信息公开工作年度报告\n发布时间：2023-01-20",
     ("罗山县人民政府2022年政府信息公开工作年度报告", "罗山县人民政府")),
    ("政府信息公开工作年度报告（2022年）\n一、总体情况", ("政府信息公开工作年度报告（2022年）", None)),
    # a long title wrapped over two lines, anywhere
    ("平潭综合实验区综合执法与应急管理局2019年政府信息公开工作年\n度报告\n根据《条例》",
     ("平潭综合实验区综合执法与应急管理局2019年政府信息公开工作年度报告", "平潭综合实验区综合执法与应急管理局")),
    ("罗山县人民政府2021年政府信息公开工\n作年度报告\n一、总体情况",
     ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府")),
    ("河南省发展和改革委员会\n2020 年政府信息公开年度报告\n", ("河南省发展和改革委员会2020年政府信息公开年度报告", "河南省发展和改革委员会")),
    # markdown, as PDF converters write it
    ("# 罗山县人民政府2021年政府信息公开工作年度报告\n\n## 一、总体情况",
     ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府")),
    ("**罗山县人民政府2021年政府信息公开工作年度报告**\n\n一、总体情况",
     ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府")),
    # a date above a column name is no year of a title
    ("发布时间：\n2021年1月5日\n政府信息公开年报\n", None),
    # no heading: the report named inside sentences only (a notice's name, the body's own sentence)
    ("根据《福建省政府信息公开办法》(以下简称《办法》)及区管委会办公室关于做好2023年政府信息公开工作年度报告编制公布"
     "工作的要求，结合我局工作实际", None),
    ("结合我局实际，编制完成2023年度政府信息公开工作年度报告。报告全文由总体情况", None),
    ("特向社会公布平潭综合实验区海坛片区管理局2025年度政府信息公开工作年度报告。报告全文包括总体情况", None),
    ("首页 政务公开 政府信息公开年报 ", None),
])
def test_report_heading(text, heading):
    assert rules.report_heading(text) == heading


# Long real titles (the real dumps' bodies, the real PDFs' and the seed's), as a Word/WPS heading
# wraps them: every line full but the last, wherever the break falls (in the name, the year, 年度报告).
WRAPPED_TITLES = ("平潭综合实验区综合执法与应急管理局2019年政府信息公开工作年度报告",
                  "平潭综合实验区苏平片区管理局2020年度政府信息公开工作年度报告",
                  "中共平潭综合实验区工作委员会平潭综合实验区管理委员会办公室2022年政府信息公开工作年度报告",
                  "罗山县人民政府2021年政府信息公开工作年度报告", "淮安市洪泽区人民政府2023年政府信息公开年报")


def wrapped(title: str, width: int) -> list[str]:
    """The title's lines at ``width`` Chinese characters a line (a digit is half of one)."""
    lines, line = [], ""
    for ch in title:
        if sum(0.5 if c.isascii() else 1 for c in line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line]


@pytest.mark.parametrize("title", WRAPPED_TITLES)
@pytest.mark.parametrize("newline", ["\n", "\r\n", " \n", "\n\u3000\u3000"])
def test_a_title_wrapped_anywhere_is_read_whole(title, newline):
    for width in range(8, len(title) + 1):
        lines = wrapped(title, width)
        text = "当前位置：首页>政务公开>政府信息公开年报\n" + newline.join(lines) + "\n一、总体情况\n根据《条例》"
        assert rules.report_heading(text) == (title, rules.agency_of(title)), lines


@pytest.mark.parametrize("text, heading", [
    # a line shorter than the title's first line is no start of it: a column name, a portal's name
    ("政府信息公开年报\n罗山县人民政府2021年政府信息\n公开工作年度报告\n",
     ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府")),
    ("罗山县人民政府门户网站\n罗山县人民政府2021年政府信息公开工作年度报告\n",
     ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府")),
    # a line with punctuation or digits above the title is not part of its name
    ("发布日期：2022年1月20日\n罗山县人民政府2021年政府信息公开工作年度报告\n",
     ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府")),
])
def test_a_line_above_the_title_is_joined_only_when_it_is_the_wrapped_start(text, heading):
    assert rules.report_heading(text) == heading


@pytest.mark.parametrize("title, carried", [
    ("平潭综合实验区苏平片区管理局关于报送2020年度政府信息公开工作年度报告的函",
     ("平潭综合实验区苏平片区管理局", "平潭综合实验区苏平片区管理局2020年度政府信息公开工作年度报告")),
    ("罗山县人民政府办公室关于印发罗山县人民政府2021年政府信息公开工作年度报告的通知",
     ("罗山县人民政府办公室", "罗山县人民政府2021年政府信息公开工作年度报告")),
    ("关于报送2021年政府信息公开工作年度报告的通知", (None, "2021年政府信息公开工作年度报告")),
    # notices about reports, carrying none
    ("平潭综合实验区管委会办公室关于做好2019年政府信息公开工作年度报告编制公布工作的通知", None),
    ("关于报送2021年政务公开工作总结的函", None),
    ("平潭综合实验区苏平片区管理局2020年度政府信息公开工作年度报告", None),
])
def test_cover_letter(title, carried):
    assert rules.cover_letter(title) == carried


@pytest.mark.parametrize("title, candidate", [
    ("平潭综合实验区苏平片区管理局关于报送2020年度政府信息公开工作年度报告的函", True),  # its article decides
    ("关于做好2022年政府信息公开工作年度报告编制发布工作的通知", False),
    ("平潭综合实验区苏平片区管理局2020年度政府信息公开工作年度报告", False),  # a report already
])
def test_a_cover_letter_is_a_candidate(title, candidate):
    assert rules.is_candidate_title(title) is candidate


@pytest.mark.parametrize("title, agency", [
    ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府"),
    ("示例县教育局关于2021年度政府信息公开工作的年度报告", "示例县教育局"),
    ("《罗山县人民政府 2021 年政府信息公开工作年度报告", "罗山县人民政府"),
    ("2023年信阳市教育局政府信息公开工作年度报告", "信阳市教育局"),  # named after the year
    ("2022年度罗山县政府信息公开工作年度报告", "罗山县政府"),
    ("2021年政府信息公开工作年度报告", None),
    ("政府信息公开工作年度报告（2022年）", None),
    (None, None),
])
def test_agency_of(title, agency):
    assert rules.agency_of(title) == agency


@pytest.mark.parametrize("text, year", [
    # the real dumps' sentences that state the period of the figures
    ("本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。", 2023),
    ("本报告中所列数据的统计期限为2022年1月1日至2022年12月31日。", 2022),
    ("所列数据统计期限为2025年1月1日至2025年12月31日。", 2025),
    ("本报告的统计数据时间段为2025年1月1日至2025年12月31日。", 2025),
    ("涵盖2020年1月1日至2020年12月31日期间政府信息公开情况", 2020),
    # a report naming the wrong year in its opening, the right one in its 统计期限 (pingtan-lvwenti-2022)
    ("结合我局实际，编制完成2023年度政府信息公开工作年度报告。本报告中所列数据的统计期限为2022年1月1日至2022年12月31日。",
     2022),
    ("报告中所列数据统计期限自２０２３年１月１日\n起至2023年12月31日止。", 2023),  # full-width, broken line
    ("2021年，我县政务公开工作取得新进展。", None),
])
def test_body_year(text, year):
    assert rules.body_year(text) == year


@pytest.mark.parametrize("text, date", [
    ("发布时间: 2024-01-31 08:28", "2024-01-31"),
    ("来源： 时间：2021-01-28 17:09", None),  # 时间 alone labels no publication
    ("发布日期：２０２２年１月２０日", "2022-01-20"),
    ("成文日期：2022年13月1日 发布日期：2022年1月2日", "2022-01-02"),
    ("发布时间：", None),
])
def test_labelled_date(text, date):
    assert rules.labelled_date(text) == date


def test_every_real_dump_is_report_text():
    """Each dump's body carries the format's section headings: the crawler's proof of a report page."""
    for path in sorted(DUMPS.glob("*.txt")):
        assert rules.is_report_text(path.read_text(encoding="utf-8")), path.name
    assert not rules.is_report_text("罗山县2022年政府工作报告：一、2021年工作回顾。过去一年，全县主动公开政府信息……")


def test_a_cover_letter_page_carrying_the_report_is_a_report_for_the_crawler():
    body = (DUMPS / "pingtan-suping-2020.txt").read_text(encoding="utf-8").split("\n", 9)[-1]
    letter = "平潭综合实验区苏平片区管理局关于报送2020年度政府信息公开工作年度报告的函"
    page = f"<html><head><title>{letter}</title></head><body><h1>{letter}</h1><p>{body}</p></body></html>"
    response = HtmlResponse("http://127.0.0.1/t1.html", body=page.encode(), encoding="utf-8")
    assert pages.article_report(response, letter) == ("平潭综合实验区苏平片区管理局2020年度政府信息公开工作年度报告", 2020)
    notice = "关于做好2020年政府信息公开工作年度报告编制发布工作的通知"
    page = f"<html><body><h1>{notice}</h1><p>{body}</p></body></html>"
    response = HtmlResponse("http://127.0.0.1/t2.html", body=page.encode(), encoding="utf-8")
    assert pages.article_report(response, notice) is None
