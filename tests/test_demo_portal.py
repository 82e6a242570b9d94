"""The demo portal: served sites behave like real portals, documents are valid,
and expected.json is a truthful ground truth."""
from __future__ import annotations

import email.utils
import http.client
import io
import json
import re
import urllib.robotparser
from urllib.parse import urljoin, urlsplit

import docx
import pytest
from bs4 import BeautifulSoup
from pdfminer.high_level import extract_text
from PIL import Image

from demo_portal import render
from demo_portal.figures import make_report
from demo_portal.sites import build_sites
from extract import standard_format as sf

LUOSHAN, XYJY, HNFGW = "罗山县人民政府", "信阳市教育局", "河南省发展和改革委员会"


def get(url, headers=None):
    """GET without following redirects: (status, headers, body)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def reports_of(demo, portal):
    """The portal's own reports (not those of the units it hosts)."""
    return [r for r in demo.expected["reports"] if r.get("publisher", r["portal"]) == portal]


# ---------------------------------------------------------------- serving
def test_every_portal_answers_on_localhost(demo_portal):
    names = [p["name"] for p in demo_portal.portals]
    assert names == [LUOSHAN, XYJY, HNFGW]
    for portal in demo_portal.portals:
        assert set(portal) == {"name", "url", "level", "region"}
        assert urlsplit(portal["url"]).hostname == "127.0.0.1"
        status, headers, body = get(portal["url"])
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        for chrome in ("无障碍", "长者模式", "网站标识码", "ICP备", "政府网站找错", "分享到"):
            assert chrome in body.decode(headers.get_content_charset())


def test_gbk_portal_bytes_decode_only_as_gbk(demo_portal):
    for path in ("/", "/zwgk/ndbg/list.html", "/zwgk/ndbg/list.html?page=2"):
        status, headers, body = get(demo_portal.url(HNFGW, path))
        assert status == 200 and headers["Content-Type"] == "text/html; charset=gbk"
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("gbk")
        assert '<meta charset="gbk">' in text and HNFGW in text


def test_gbk_column_is_reached_through_a_redirect_shell_and_query_paging(demo_portal):
    status, _, body = get(demo_portal.url(HNFGW, "/zwgk/ndbg/"))
    shell = body.decode("gbk")
    assert status == 200
    assert 'location.replace("/zwgk/ndbg/list.html")' in shell and 'http-equiv="refresh"' in shell
    hrefs = set()
    for page in (1, 2):
        _, _, body = get(demo_portal.url(HNFGW, f"/zwgk/ndbg/list.html?page={page}"))
        hrefs |= set(re.findall(r'href="(/zwgk/ndbg/\d{4}/[^"]+)"', body.decode("gbk")))
    assert get(demo_portal.url(HNFGW, "/zwgk/ndbg/list.html?page=9"))[0] == 404
    assert {r["page_path"] for r in reports_of(demo_portal, HNFGW)} <= hrefs


def test_json_listing_pages_return_every_item(demo_portal):
    _, _, column = get(demo_portal.url(XYJY, "/xxgk/gknb/index.html"))
    column = column.decode("utf-8")
    assert 'var listUrl = "/api/column/gknb/list?page=";' in column and "$.getJSON(listUrl + page" in column
    reports = reports_of(demo_portal, XYJY)
    assert not any(r["page_path"] in column for r in reports)  # nothing static to follow
    items, page, page_count = [], 1, None
    while page_count is None or page <= page_count:
        status, headers, body = get(demo_portal.url(XYJY, f"/api/column/gknb/list?page={page}"))
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        data = json.loads(body)
        assert data["page"] == page
        page_count = data["pageCount"]
        items += data["items"]
        page += 1
    assert page_count >= 2 and len(items) == data["total"]
    assert {r["page_path"] for r in reports} <= {i["url"] for i in items}


def test_trs_listing_pages_by_script_and_links(demo_portal):
    base = demo_portal.url(LUOSHAN, "/zwgk/zfxxgknb/")
    hrefs = set()
    for i, name in enumerate(("index.html", "index_1.html", "index_2.html")):
        status, _, body = get(urljoin(base, name))
        text = body.decode("utf-8")
        assert status == 200 and f'createPageHTML(3, {i}, "index", "html");' in text
        assert ("下一页" in text) == (i < 2)
        hrefs |= {urlsplit(urljoin(urljoin(base, name), h)).path
                  for h in re.findall(r'<li><a href="([^"]+)"', text)}
    assert {r["link_path"] for r in reports_of(demo_portal, LUOSHAN)} <= hrefs
    _, _, body = get(demo_portal.url(LUOSHAN, reports_of(demo_portal, LUOSHAN)[0]["page_path"]))
    assert '<div class="TRS_Editor">' in body.decode("utf-8")


def test_redirects_dead_links_and_robots(demo_portal):
    expected = demo_portal.expected
    for redirect in expected["redirects"]:
        if redirect["via"] == "http":
            status, headers, _ = get(demo_portal.url(redirect["portal"], redirect["path"]))
            assert (status, headers["Location"]) == (redirect["status"], redirect["location"])
            assert get(demo_portal.url(redirect["portal"], headers["Location"]))[0] == 200
    assert {r["status"] for r in expected["redirects"]} >= {301, 302}
    assert expected["dead_links"]
    for dead in expected["dead_links"]:
        assert get(demo_portal.url(dead["portal"], dead["path"]))[0] == 404
    assert expected["robots_blocked"]
    for blocked in expected["robots_blocked"]:
        status, _, robots = get(demo_portal.url(blocked["portal"], "/robots.txt"))
        assert status == 200 and b"Disallow:" in robots
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(robots.decode("utf-8").splitlines())
        assert not parser.can_fetch("*", demo_portal.url(blocked["portal"], blocked["path"]))
        for report in reports_of(demo_portal, blocked["portal"]):
            assert parser.can_fetch("*", demo_portal.url(report["portal"], report["link_path"]))


def test_conditional_get(demo_portal):
    url = demo_portal.url(LUOSHAN, "/zwgk/zfxxgknb/")
    status, headers, _ = get(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    earlier = email.utils.formatdate(email.utils.parsedate_to_datetime(headers["Last-Modified"]).timestamp() - 86400,
                                     usegmt=True)
    assert get(url, {"If-Modified-Since": earlier})[0] == 200


def test_noise_pages_are_served_and_not_reports(demo_portal):
    expected = demo_portal.expected
    report_paths = {r["page_path"] for r in expected["reports"]}
    kinds = {n["kind"] for n in expected["noise"]}
    assert kinds >= {"政府工作报告", "统计公报", "统计年报", "部门决算", "年度绩效报告", "解读"}
    for noise in expected["noise"]:
        assert noise["path"] not in report_paths
        assert get(demo_portal.url(noise["portal"], noise["path"]))[0] == 200


# ---------------------------------------------------------------- documents
CONTENT_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument"
                                                   ".wordprocessingml.document", "png": "image/png"}


def _printed(report, table):
    """Some non-trivial printed numbers of one table, to look for in a document."""
    keys = [c.key for c in sf.cells(report["format_version"]) if c.table == table]
    return [report["cells"][k] for k in keys if len(report["cells"][k]) >= 2][:5]


def test_report_documents_are_valid(demo_portal):
    for report in demo_portal.expected["reports"]:
        for document in report["documents"]:
            status, headers, body = get(demo_portal.url(report["portal"], document["path"]))
            assert status == 200, document
            if document["kind"] == "html":
                soup = BeautifulSoup(body.decode(headers.get_content_charset()), "lxml")
                assert report["title"] in soup.get_text()
                if not document["has_tables"]:
                    continue
                _check_html_tables(soup, report)
                compact = soup.get_text()
            elif document["kind"] == "pdf":
                assert headers["Content-Type"] == CONTENT_TYPES["pdf"]
                text = extract_text(io.BytesIO(body))
                assert report["title"] in text and "- 2 -" in text
                compact = text.replace("\n", "")
            elif document["kind"] == "png":  # a table's screenshot or a logo (read by OCR: tests/test_page_pictures.py)
                assert headers["Content-Type"] == CONTENT_TYPES["png"]
                with Image.open(io.BytesIO(body)) as picture:
                    assert picture.format == "PNG" and min(picture.size) >= 100
                continue
            else:
                assert headers["Content-Type"] == CONTENT_TYPES["docx"]
                word = docx.Document(io.BytesIO(body))
                assert len(word.tables) == 3 and word.paragraphs[0].text == report["title"]
                compact = "".join(c.text for t in word.tables for row in t.rows for c in row.cells)
            for text in _printed(report, 2) + _printed(report, 3) + list(report["label_variants"].values()):
                assert text in compact, (report["title"], document["kind"], text)


def _check_html_tables(soup, report):
    tables = soup.select("table")
    assert len(tables) == 3
    spans = {(td.get_text(strip=True), td.get("rowspan"), td.get("colspan")) for td in tables[1].select("td")}
    results = len(sf.RESULT_ROWS[report["format_version"]]) + 1
    assert ("三、本年度办理结果", str(results), None) in spans
    assert ("法人或其他组织", None, "5") in spans and ("申请人情况", None, "7") in spans
    header = [td.get_text(strip=True) for td in tables[0].select("tr")[1].select("td")]
    assert header[1:] == list(sf.VERSION_MARKERS[report["format_version"]])
    assert len(tables[2].select("tr")) == 4 and tables[2].select_one("td[colspan='10']")


def test_renderers_agree_on_the_2019_format():
    report = make_report("测试县人民政府", "县", "county", 2019, "2019", title="测试县人民政府2019年政府信息公开工作年度报告",
                         published="2020-03-01")
    text = render.render_text(report)
    assert "第二十条第（九）项" in text and "（六）其他处理" in text and "本年新制作数量" in text
    row = next(line for line in text.splitlines() if line.startswith("政府集中采购"))
    assert row.split("\t")[1:3] == [report.cells["active.procurement.projects"],
                                    report.cells["active.procurement.amount_yuan"]]
    html = render.render_html(report)
    assert html.count("<table") == 3 and "上一年项目数量" in html


# ---------------------------------------------------------------- ground truth
def _failed(figures, version):
    failed = []
    for ident in sf.identities(version):
        values = [figures[k] for k in ident.lhs + ident.rhs]
        if None not in values and sum(figures[k] for k in ident.lhs) != sum(figures[k] for k in ident.rhs):
            failed.append(ident.name)
    return sorted(failed)


def test_expected_figures_satisfy_identities_except_the_deliberate_ones(demo_portal):
    reports = demo_portal.expected["reports"]
    for report in reports:
        assert list(report["figures"]) == list(sf.keys(report["format_version"]))
        failed = _failed(report["figures"], report["format_version"])
        assert failed == report["failed_checks"]
        assert bool(failed) == bool(report["perturbed"]) == (not report["consistent"])
    assert 2 <= sum(1 for r in reports if r["failed_checks"]) <= 3
    assert any(r["null_keys"] for r in reports)


def test_luoshan_hosts_units_under_a_directory(demo_portal):
    """罗山县人民政府 lists three units under 县直部门和乡镇, each with its 年报 column in its sub-folder."""
    _, _, body = get(demo_portal.url(LUOSHAN, "/zwgk/bmxxgk/"))
    units = re.findall(r'<li><a href="(/bm/\w+/)"[^>]*>([^<]+)</a>', body.decode("utf-8"))
    assert [name for _, name in units] == ["罗山县教育体育局", "罗山县财政局", "罗山县城关镇人民政府"]
    hosted = [r for r in demo_portal.expected["reports"] if r.get("publisher")]
    assert {(r["publisher"], r["publisher_level"]) for r in hosted} == {
        ("罗山县教育体育局", "department"), ("罗山县财政局", "department"), ("罗山县城关镇人民政府", "township")}
    for report in hosted:
        folder = dict((name, path) for path, name in units)[report["publisher"]]
        assert report["portal"] == LUOSHAN and report["page_path"].startswith(folder)
        status, _, _ = get(demo_portal.url(LUOSHAN, report["page_path"]))
        assert status == 200


def test_expected_covers_the_publishing_variety(demo_portal):
    reports = demo_portal.expected["reports"]
    for portal in (LUOSHAN, XYJY, HNFGW):
        assert sorted(r["year"] for r in reports_of(demo_portal, portal)) == list(range(2019, 2025))
    attachments = [d["kind"] for r in reports for d in r["documents"] if d["role"] == "attachment"]
    assert attachments.count("pdf") >= 3 and attachments.count("docx") >= 2
    both = [r for r in reports if len(r["documents"]) > 1 and r["documents"][0]["has_tables"]]
    assert both
    assert any(r["year"] >= 2021 and r["format_version"] == "2019" for r in reports)
    assert any(r["label_variants"] for r in reports)
    mismatch = [r["prose"] for r in reports if not r["prose"]["passed"]]
    assert [(p["prose_value"], p["table_value"]) for p in mismatch] == [(46, 48)]


def test_build_is_deterministic(demo_portal, tmp_path):
    def files(root):
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and p.name != "portals.yaml"}

    assert files(build_sites(tmp_path / "again")) == files(demo_portal.site_dir)
