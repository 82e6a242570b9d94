"""Title, agency, year, level and region as the report itself states them, on real material:
the 13 real page dumps (unmodified copies of /work/shared/real-reports/page-dumps, described in
its SOURCES.md), the real PDFs' first pages, the seed, and the demo's report pages — as served
(with the portal's chrome, breadcrumb and ``<title>`` suffixes) and printed to PDF by headless
Chromium (Debian package ``chromium``, installed by ``make test``). Also the six sections of a
report flattened onto one line, as the dumps are."""
from __future__ import annotations

import json
import shutil
import subprocess

import pypdfium2
import pytest

from demo_portal import pages, render
from demo_portal.figures import make_report
from demo_portal.sites import HNFGW, LUOSHAN, XYJY
from extract import extract_document, extract_file
from extract.metadata import read_metadata
from extract.sections import split_sections
from test_extract_support import FIXTURES, SEED

DUMPS = FIXTURES / "page-dumps"
CHROMIUM = shutil.which("chromium") or "chromium (Debian package not installed: run `make test`)"
PINGTAN = "平潭综合实验区"


def region(province=None, city=None, county=None, township=None) -> dict:
    return {"province": province, "city": city, "county": county, "township": township}


# file: (title, agency, year, level, region, published). The dumps' first lines are the
# archive's header (标题: … / 发布机构: …): none of these values may come from it.
DUMP_METADATA = {
    # no heading in the body: the title is null; the agency signs the report; the year is the 统计期限's
    "pingtan-caijin-2023.txt": (None, f"{PINGTAN}财政金融局", 2023, "department", region(county=PINGTAN),
                                "2024-01-31"),
    # the heading after the breadcrumb, the name and the year apart
    "pingtan-guozi-2020.txt": (f"{PINGTAN}国有资产管理局2020年度政府信息公开工作年度报告", f"{PINGTAN}国有资产管理局",
                               2020, "department", region(county=PINGTAN), "2021-01-28"),
    # the title only in a sentence, after the body's own name ("特向社会公布…年度报告。"); a 片区管理局
    "pingtan-haitan-2025.txt": (f"{PINGTAN}海坛片区管理局2025年度政府信息公开工作年度报告", f"{PINGTAN}海坛片区管理局",
                                2025, "township", region(county=PINGTAN, township="海坛片区"), "2026-01-27"),
    "pingtan-jingfa-2019.txt": (f"{PINGTAN}经济发展局2019年政府信息公开工作年度报告", f"{PINGTAN}经济发展局", 2019,
                                "department", region(county=PINGTAN), "2020-01-02"),
    "pingtan-jinjing-2022.txt": (None, f"{PINGTAN}金井片区管理局", 2022, "township",
                                 region(county=PINGTAN, township="金井片区"), "2023-01-04"),
    "pingtan-junshan-2019.txt": (f"{PINGTAN}君山片区管理局2019年政府信息公开工作年度报告", f"{PINGTAN}君山片区管理局",
                                 2019, "township", region(county=PINGTAN, township="君山片区"), "2020-01-08"),
    # its opening says "编制完成2023年度…年度报告" (the wrong year, no name): no title; the 统计期限
    # says 2022. It signs nothing and gives no contact: the agency is the 局 (it says 我局) whose
    # own web site publishes it ("…可在平潭综合实验区门户网站…及平潭综合实验区旅游与文化体育局门户网站下载")
    "pingtan-lvwenti-2022.txt": (None, f"{PINGTAN}旅游与文化体育局", 2022, "department", region(county=PINGTAN),
                                 "2023-01-21"),
    # no signature: the agency from "请与…办公室联系"
    "pingtan-nongye-2025.txt": (None, f"{PINGTAN}农业农村局", 2025, "department", region(county=PINGTAN),
                                "2026-01-30"),
    "pingtan-shehui-2020.txt": (f"{PINGTAN}社会事业局2020年度政府信息公开工作年度报告", f"{PINGTAN}社会事业局", 2020,
                                "department", region(county=PINGTAN), "2021-01-27"),
    # a cover letter carrying the report: the report's title, the letter's sender
    "pingtan-suping-2020.txt": (f"{PINGTAN}苏平片区管理局2020年度政府信息公开工作年度报告", f"{PINGTAN}苏平片区管理局",
                                2020, "township", region(county=PINGTAN, township="苏平片区"), "2021-01-27"),
    # "现将…投资促进局2025年度政府信息公开工作的有关情况…" names no report: no title
    "pingtan-touzi-2025.txt": (None, f"{PINGTAN}投资促进局", 2025, "department", region(county=PINGTAN),
                               "2026-04-17"),
    "pingtan-zongzhi-2019.txt": (f"{PINGTAN}综合执法与应急管理局2019年政府信息公开工作年度报告",
                                 f"{PINGTAN}综合执法与应急管理局", 2019, "department", region(county=PINGTAN),
                                 "2020-01-03"),
    # the title quoted in the opening sentence (特向社会公布《…》)
    "pingtan-zongzhi-2022.txt": (f"{PINGTAN}综合执法与应急管理局2022年政府信息公开工作年度报告",
                                 f"{PINGTAN}综合执法与应急管理局", 2022, "department", region(county=PINGTAN),
                                 "2023-01-09"),
}


def metadata(record: dict) -> tuple:
    return tuple(record[k] for k in ("title", "agency", "year", "level", "region", "published"))


@pytest.mark.parametrize("name", sorted(DUMP_METADATA))
def test_page_dump_metadata(name):
    assert metadata(extract_file(DUMPS / name)) == DUMP_METADATA[name]


def test_every_dump_is_in_the_table_and_agrees_with_the_hand_read_truth():
    """The truth files (tests/test_extract_page_dumps_truth.py) were read by another hand."""
    assert sorted(p.name for p in DUMPS.glob("*.txt")) == sorted(DUMP_METADATA)
    for name, (title, agency, year, *_rest) in DUMP_METADATA.items():
        truth = json.loads((DUMPS / name).with_suffix(".json").read_text(encoding="utf-8"))
        assert (truth["title"], truth["agency"], truth["year"]) == (title, agency, year), name


@pytest.mark.parametrize("text, agency", [
    # the signature closing the report (pingtan-touzi-2025), with a note after the date (pingtan-haitan-2025)
    ("六、其他需要报告的事项2025年度我局无收取信息公开处理费。 平潭综合实验区投资促进局 2026年1月28日",
     f"{PINGTAN}投资促进局"),
    ("本年度未产生政府信息公开信息处理费用。 平潭综合实验区海坛片区管理局 2026年1月26日 （此件主动公开）",
     f"{PINGTAN}海坛片区管理局"),
    # the contact sentence, its office dropped (pingtan-nongye-2025, pingtan-jinjing-2022)
    ("如对本报告有任何疑问，请与平潭综合实验区农业农村局办公室联系，联系地址：", f"{PINGTAN}农业农村局"),
    ("如对本报告有任何疑问，请与平潭综合实验区金井片区管理局党政办公室联系", f"{PINGTAN}金井片区管理局"),
    # its own site, by the kind it calls itself (我局); not the government's portal
    ("结合我局实际。本年报的电子版可在平潭综合实验区门户网站（www.pingtan.gov.cn）及平潭综合实验区旅游与文化体育局门户网站下载。",
     f"{PINGTAN}旅游与文化体育局"),
    ("结合我局实际。本报告电子版在平潭综合实验区党工委管委会政府门户网站公布。", None),
    ("结合我局实际，现予公布。", None),
])
def test_agency_of_a_report_without_a_title(text, agency):
    assert read_metadata(text)["agency"] == agency


def test_dump_header_labels_are_not_the_report():
    """The archive's header alone (its 标题 names a report, its 发布机构 a body) gives no title or agency."""
    header = (DUMPS / "pingtan-lvwenti-2022.txt").read_text(encoding="utf-8").split("\n==")[0]
    assert header.startswith("标题: 平潭综合实验区旅游与文化体育局2022年度政府信息公开工作年度报告")
    assert "发布机构: 平潭综合实验区旅游与文化体育局" in header
    assert metadata(extract_document(header.encode())) == (None, None, None, None, region(), "2023-01-21")


@pytest.mark.parametrize("name, expected", [
    ("huaian-city-gov-2024.pdf",
     ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", 2024, "city", region(city="淮安市"))),
    ("huaian-hongze-district-gov-2023.pdf",
     ("洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府", 2023, "county",
      region(city="淮安市", county="洪泽区"))),  # the city from "淮安市洪泽区人民政府办公室" in the text
    ("huaian-hongze-district-gov-2024.pdf",
     ("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "淮安市洪泽区人民政府", 2024, "county",
      region(city="淮安市", county="洪泽区"))),
])
def test_real_pdf_first_page(name, expected):
    """pypdfium2's text of the first page: a page number line, the name, then year and report."""
    page = pypdfium2.PdfDocument(FIXTURES / name)[0]
    found = read_metadata(page.get_textpage().get_text_range())
    assert tuple(found[k] for k in ("title", "agency", "year", "level", "region")) == expected


def test_seed():
    assert metadata(extract_file(SEED))[:5] == ("罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府", 2021,
                                                "county", region(county="罗山县"))


CRUMBS = (("政务公开", "/zwgk/"), ("政府信息公开年报", "/zwgk/zfxxgknb/"))
DEMO = [  # (body, unit, level, year, version, expected level of the record)
    (LUOSHAN, "县", "county", 2022, "2021", "county"),
    (XYJY, "局", "city", 2020, "2019", "department"),
    (HNFGW, "委", "province", 2023, "2021", "department"),
]


def demo_page(body, unit, level, year, version) -> tuple[str, object]:
    """A demo report's page as its portal serves it: chrome, breadcrumb ending in the column's name,
    the article heading, the report; ``<title>`` "<report>_<body>"."""
    report = make_report(body.name, unit, level, year, version)
    main = pages.article(body, report.title, report.published, render.render_html_body(report), (), CRUMBS)
    return pages.page(body, report.title, main), report


@pytest.mark.parametrize("body, unit, level, year, version, record_level", DEMO)
def test_demo_report_page(body, unit, level, year, version, record_level):
    markup, report = demo_page(body, unit, level, year, version)
    record = extract_document(markup.encode(body.charset), media_type=f"text/html; charset={body.charset}")
    assert metadata(record)[:4] == (report.title, body.name, year, record_level)
    assert record["published"] == report.published


def test_demo_report_text():
    report = make_report(LUOSHAN.name, "县", "county", 2021, "2021")
    record = extract_document(render.render_text(report).encode())
    assert metadata(record)[:4] == (report.title, LUOSHAN.name, 2021, "county")


def test_page_title_suffix_and_column_name_are_not_the_title():
    """A page whose only report words are the column's (``<title>``, breadcrumb, a "title" block):
    no title, and the year from the body's 统计期限."""
    markup = ("<html><head><title>政府信息公开年报_政务公开_罗山县人民政府</title></head><body>"
              "<div class='crumb'>当前位置：首页 > 政务公开 > 政府信息公开年报</div>"
              "<div class='column-title'>政府信息公开年报</div><div class='content'><p>一、总体情况</p>"
              "<p>本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。</p><p>罗山县人民政府办公室</p>"
              "<p>2023年1月18日</p></div></body></html>")
    record = extract_document(markup.encode())
    assert metadata(record) == (None, "罗山县人民政府办公室", 2022, "county", region(county="罗山县"), "2023-01-18")


def print_to_pdf(markup: str, tmp_path, header_footer: bool) -> bytes:
    """The page printed by headless Chromium as a reader's browser prints it: with the browser's
    header and footer lines (date and ``<title>`` above, address and page count below), or without."""
    page = tmp_path / "page.html"
    page.write_text(markup, encoding="utf-8")
    out = tmp_path / "page.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", *([] if header_footer else ["--no-pdf-header-footer"]),
                    f"--print-to-pdf={out}", page.as_uri()], check=True, capture_output=True, timeout=120)
    return out.read_bytes()


@pytest.mark.parametrize("header_footer", [False, True])
def test_browser_printed_page_gives_the_reports_title_and_year(tmp_path, header_footer):
    """The printed page starts with the portal's chrome: welcome line, nav, the breadcrumb ending in
    the column's name (政府信息公开年报) — and, in the browser's header, the ``<title>`` with the
    column's and the site's names appended. None of it is the title."""
    report = make_report(LUOSHAN.name, "县", "county", 2022, "2021")
    main = pages.article(LUOSHAN, report.title, report.published, render.render_html_body(report), (), CRUMBS)
    markup = pages.page(LUOSHAN, f"{report.title}_政府信息公开年报", main)
    record = extract_document(print_to_pdf(markup, tmp_path, header_footer))
    assert record["text"].index("政府信息公开年报") < record["text"].index(f"{report.title}\n")
    assert (f"{report.title}_政府信息公开年报_{LUOSHAN.name}" in record["text"]) is header_footer
    assert metadata(record)[:4] == (report.title, LUOSHAN.name, 2022, "county")


def test_sections_of_a_report_flattened_onto_one_line():
    """Headings run on with their text; the opening sentence lists the sections' names (no number),
    and "（一）主动公开情况" is a sub-heading of 总体情况, not the section."""
    text = ("本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况等六个部分。一、总体情况2023年，我局"
            "坚持公开。（一）主动公开情况。全年公开12条。二、主动公开政府信息情况第二十条第（一）项 表二 三、收到和处理"
            "政府信息公开申请情况（本列数据的勾稽关系为：第一项加第二项之和）表三 四、因政府信息公开工作被申请行政复议、"
            "提起行政诉讼情况 表四 五、政府信息公开工作存在的主要问题及改进情况人员不足。六、其他需报告的事项无。 某局 2024年1月29日")
    assert split_sections(text) == {
        "overview": "2023年，我局坚持公开。（一）主动公开情况。全年公开12条。",
        "active_disclosure": "第二十条第（一）项 表二",
        "requests": "（本列数据的勾稽关系为：第一项加第二项之和）表三",
        "appeals": "表四",
        "problems": "人员不足。",
        "other": "无。 某局 2024年1月29日",
    }


@pytest.mark.parametrize("name", sorted(DUMP_METADATA))
def test_every_section_of_every_dump(name):
    sections = extract_file(DUMPS / name)["sections"]
    assert all(sections.values()), {key: bool(text) for key, text in sections.items()}
    # each section starts after its heading: no heading words left at its start
    assert not sections["overview"].startswith("总体情况") and not sections["other"].startswith("其他")


def test_sections_of_a_dump_written_out():
    """pingtan-caijin-2023.txt, each section's first and last characters as the dump prints them."""
    sections = extract_file(DUMPS / "pingtan-caijin-2023.txt")["sections"]
    assert {key: (text[:12], text[-12:]) for key, text in sections.items()} == {
        "overview": ("2023年，我局坚持以习", "23年政务公开工作要点。"),
        "active_disclosure": ("(一)主动公开政府信息的", "关的财政数据和各类公告。"),
        "requests": ("（本列数据的勾稽关系为：", "0 0 0 0 0 00"),
        "appeals": ("行政复议行政诉讼结果维持", " 00 0 0 0 00"),
        "problems": ("(一)存在问题。2023", "保政务信息公开工作质量。"),
        "other": ("2023年，无收取信息处", "局 2024年1月29日"),
    }
