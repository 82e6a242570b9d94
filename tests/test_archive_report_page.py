"""The archive as people read it: the report page, the landing page, documents and WARC records.

A real Datasette serves the test archive (tests/archive_crawl.py) with a WARC file written
for its documents, and a report whose page prints a captured picture. Page content is checked
over HTTP against the database; layout (what is on screen, what prints) in headless Chromium
driven over the DevTools protocol (tests/chromium.py).
"""
from __future__ import annotations

import sqlite3
import struct
import urllib.error
import urllib.request
import zlib
from io import BytesIO
import urllib.parse
from urllib.parse import urljoin, urlsplit

import lxml.html
import pypdfium2
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import report_layout, schema
from archive.build import build
from archive_crawl import SEED, datasette, make_archive, page, report, write_jsonl
from chromium import browser
from crawler_support import site_server
from extract import standard_format as fmt


def png() -> bytes:
    """A 1×1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def write_warc(crawl_dir, items) -> None:
    """The WARC file the items cite, a response record per document under the record id cited."""
    (crawl_dir / "warc").mkdir(exist_ok=True)
    with open(crawl_dir / items[0]["documents"][0]["warc_file"], "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for doc in (d for item in items for d in item["documents"] if (crawl_dir / d["blob"]).exists()):
            body = (crawl_dir / doc["blob"]).read_bytes()
            headers = StatusAndHeaders("200 OK", [("Content-Type", doc["content_type"])], protocol="HTTP/1.1")
            record = writer.create_warc_record(doc["url"], "response", payload=BytesIO(body), length=len(body),
                                               http_headers=headers)
            record.rec_headers.replace_header("WARC-Record-ID", doc["warc_record_id"])
            writer.write_record(record)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    """A site standing for the live portal, noting what it is asked: an archived page must ask nothing."""
    with site_server(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="module")
def archive(tmp_path_factory, live_site):
    """(base URL, database URL, db path, items)."""
    directory = tmp_path_factory.mktemp("reading")
    crawl_dir, db_path, _, items = make_archive(directory)
    title = "息县人民政府2021年政府信息公开工作年度报告"
    items["xixian"] = report(crawl_dir, "息县人民政府", title, 2021, "art_xixian",
                             page(title, f'<link rel="stylesheet" href="{live_site.url}/style.css">'
                                         '<p>统计表见下图：</p><p><img src="files/table.png"></p>'
                                         '<p><img src="/banner.png"></p>'
                                         f'<p><img src={live_site.url}/unquoted.png></p>'
                                         '<p><a href="art_2021.html">罗山县年报</a> '
                                         '<a href="files/table.png">原图</a> <a href="#top">顶部</a> '
                                         f'<a href="{live_site.url}/other.html">其他</a> '
                                         f'<a href={live_site.url}/unquoted.html>旧式链接</a></p>'),
                             [("table.png", "image/png", png())])
    write_jsonl(crawl_dir / "reports.jsonl", [items["xixian"]], mode="a")
    build(crawl_dir, db_path)
    write_warc(crawl_dir, list(items.values()))
    with datasette(db_path) as base:
        yield base, f"{base}/{db_path.stem}", db_path, items


def fetch(url: str):
    """(status, headers, body bytes), errors included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def query(db_path, sql: str, *params):
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    return db.execute(sql, params).fetchall()


def report_id(db_path, item) -> int:
    return query(db_path, "select id from reports where page_url = ?", item["page_url"])[0]["id"]


def test_table_3_as_printed_with_the_archived_numbers(archive):
    _, database, db_path, items = archive
    rid = report_id(db_path, items["hongze"])
    dom = lxml.html.fromstring(fetch(f"{database}/reports/{rid}")[2].decode())
    rows = dom.cssselect("#table-3 tr.figures")
    assert [r.cssselect("th.label")[0].text_content() for r in rows] == [r.label for r in fmt.TABLE3_ROWS["2021"]]
    shown = {td.get("data-key"): td.text_content() for td in dom.cssselect("#table-3 td.num")}
    figures = query(db_path, "select key, value, printed from figures where report_id = ? and table_number = 3", rid)
    assert len(shown) == len(figures) == len(fmt.TABLE3_ROWS["2021"]) * len(fmt.APPLICANT_COLUMNS)
    for f in figures:  # the number with separators; where none was read, the text as printed
        assert shown[f["key"]].startswith(f"{f['value']:,}" if f["value"] is not None else f["printed"] or ""), f["key"]
    assert shown["requests.new_received.total"] == "21" and shown["requests.handled_total.total"] == "21"
    assert not dom.cssselect("td.ocr, .ocr-note")  # read from a text layer: no OCR mark (test_extract_ocr.py has one)


def test_failed_checks_highlighted_on_their_cells_with_the_numbers(archive):
    _, database, db_path, items = archive
    rid = report_id(db_path, items["hongze"])
    dom = lxml.html.fromstring(fetch(f"{database}/reports/{rid}")[2].decode())
    failed = query(db_path, "select name, lhs, rhs, keys from checks where report_id = ? and passed = 0", rid)
    assert failed  # the 洪泽区 report's table 4 does not add up as printed
    highlighted = {td.get("data-key"): td for td in dom.cssselect("td.failed")}
    for check in failed:
        for key in check["keys"].strip("[]").replace('"', "").split(", "):
            assert f"{check['lhs']:,} ≠ {check['rhs']:,}" in highlighted.pop(key).text_content()
    assert highlighted == {}  # no cell of a check that holds
    listed = dom.cssselect(".failed-checks li")
    assert len(listed) == len(failed)


def test_heading_links_and_other_years(archive):
    base, database, db_path, items = archive
    rid = report_id(db_path, items["hongze"])
    html = fetch(f"{database}/reports/{rid}")[2].decode()
    dom = lxml.html.fromstring(html)
    assert dom.cssselect("h1")[0].text_content() == items["hongze"]["title"]
    facts = dom.cssselect("dl.facts")[0].text_content()
    assert all(text in facts for text in ("淮安市洪泽区人民政府", "2023", "淮安市洪泽区", "county", "2022-01-20"))
    attachment = items["hongze"]["documents"][1]
    links = {a.text_content(): a.get("href") for a in dom.cssselect(".links a")}
    assert links["原始地址 Original"] == attachment["url"]
    assert links["存档副本 Archived copy"] == f"/-/document/{attachment['sha256']}"
    assert links["WARC 记录 WARC record"] == f"/-/record/{attachment['warc_record_id'].strip('<>')}"
    # The documents' table links each document's record.
    records = {a.get("href") for a in dom.cssselect("a") if a.text_content() == "WARC"}
    assert records == {f"/-/record/{d['warc_record_id'].strip('<>')}" for d in items["hongze"]["documents"]}
    for href in (h for h in links.values() if not urlsplit(h).netloc):  # the archive's own, not the portal's
        assert fetch(urljoin(base, href))[0] == 200, href
    # The sections fold away; a pre-2019 report says it has no tables.
    assert len(dom.cssselect(".sections details")) >= 6 and not dom.cssselect(".sections details[open]")
    old = fetch(f"{database}/reports/{report_id(db_path, items['guangshan'])}")[2].decode()
    assert 'class="no-tables"' in old and "national" not in old.split('class="no-tables"')[0].split("</h1>")[1]


def test_a_body_page_lists_its_years(archive):
    _, database, db_path, items = archive
    agency = query(db_path, "select agency_id from reports where page_url = ?", items["luoshan"]["page_url"])[0][0]
    dom = lxml.html.fromstring(fetch(f"{database}/agencies/{agency}")[2].decode())
    years = [a.text_content() for a in dom.cssselect("table.body-years td:first-child a")]
    assert years == [str(r["year"]) for r in query(
        db_path, "select year from reports where agency_id = ? order by year desc, id desc", agency)]


def test_landing_page_links_resolve(archive):
    base, database, db_path, _ = archive
    dom = lxml.html.fromstring(fetch(base + "/")[2].decode())
    content = dom.cssselect("section.content")[0]
    hrefs = {a.get("href") for a in content.cssselect("a")}
    assert {"/-/charts", f"{urlsplit(database).path}/agencies?_sort=name"} <= hrefs
    assert content.cssselect("form.landing-search input[name=_search]")
    local = sorted(h for h in hrefs if not urlsplit(h).netloc)
    assert len(local) > 20
    assert [h for h in local if fetch(urljoin(base, h))[0] != 200] == []
    reports, = query(db_path, "select count(*) from reports")[0]
    assert f"<strong>{reports}</strong> 份报告" in lxml.html.tostring(content, encoding="unicode")


def test_pdf_opens_in_the_viewer_html_stays_sandboxed(archive):
    base, _, _, items = archive
    pdf = items["huaian"]["documents"][1]
    status, headers, body = fetch(f"{base}/-/document/{pdf['sha256']}")
    assert (status, headers["content-type"], body[:5]) == (200, "application/pdf", b"%PDF-")
    assert "content-security-policy" not in headers and headers["x-content-type-options"] == "nosniff"
    status, headers, _ = fetch(f"{base}/-/document/{items['huaian']['documents'][0]['sha256']}")
    assert headers["content-security-policy"] == "sandbox" and headers["x-content-type-options"] == "nosniff"


def test_archived_html_under_a_capture_banner_with_its_captured_pictures(archive, live_site, tmp_path):
    base, _, _, items = archive
    page_doc, picture = items["xixian"]["documents"]
    banner = fetch(f"{base}/-/capture/{page_doc['sha256']}")[2].decode()
    for text in (page_doc["url"], page_doc["fetched_at"], f"/-/record/{page_doc['warc_record_id'].strip('<>')}",
                 '<iframe class="capture" sandbox="allow-top-navigation-by-user-activation"\n'
                 f'        src="/-/capture/{page_doc["sha256"]}/page"'):
        assert text in banner
    status, headers, body = fetch(f"{base}/-/capture/{page_doc['sha256']}/page")
    assert status == 200 and headers["content-security-policy"].startswith("sandbox; default-src 'self' data:;")
    assert f'<img src="/-/document/{picture["sha256"]}">'.encode() in body
    assert f'<a href="/-/document/{picture["sha256"]}">原图</a>'.encode() in body
    assert b'<a href="#top">' in body  # a place on the page stays
    luoshan_page = items["luoshan"]["documents"][0]["sha256"]  # another report's page: its capture
    assert f'<a target="_top" href="/-/capture/{luoshan_page}">罗山县年报</a>'.encode() in body
    # Not captured: inert, the URL kept.
    for inert in ('<img data-live-src="/banner.png">', f'<a data-live-href="{live_site.url}/other.html">',
                  f'<link rel="stylesheet" data-live-href="{live_site.url}/style.css">',
                  f'<img data-live-src={live_site.url}/unquoted.png>', f'<a data-live-href={live_site.url}/unquoted.html>'):
        assert inert.encode() in body
    assert fetch(f"{base}/-/document/{picture['sha256']}")[2] == png()
    # In a browser the captured picture shows and nothing is asked of the live site: the rewriting
    # made the others inert, and the response's policy allows the archive only (whatever it misses).
    with browser(tmp_path / "profile") as page:
        page.goto(f"{base}/-/capture/{page_doc['sha256']}/page")
        shown = page.evaluate("[...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
    assert [f"/-/document/{picture['sha256']}", 1] in shown
    assert live_site.requests == []


def test_warc_record_served_as_captured(archive):
    base, _, _, items = archive
    doc = items["luoshan"]["documents"][1]
    status, headers, body = fetch(f"{base}/-/record/{doc['warc_record_id'].strip('<>')}")
    assert status == 200 and headers["content-type"] == "application/warc"
    assert body.startswith(b"WARC/1.") and f"WARC-Record-ID: {doc['warc_record_id']}".encode() in body
    assert b"HTTP/1.1 200 OK\r\nContent-Type: text/plain" in body
    assert SEED in body  # the payload as archived
    assert fetch(f"{base}/-/record/urn:uuid:00000000-0000-0000-0000-000000000000")[0] == 404


def test_tables_for_reading(archive):
    _, database, db_path, items = archive
    rid = report_id(db_path, items["hongze"])
    figures = fetch(f"{database}/report_figures?report_id={rid}")[2].decode()
    assert ">4,119<" in figures  # 行政处罚 decisions, with a separator
    dom = lxml.html.fromstring(figures)
    keys = [td.text_content() for td in dom.cssselect("td.col-key")]
    assert keys == list(fmt.keys("2021"))[:len(keys)] and len(keys) > 50  # the format's order
    # Ids in a canned query link to the report page; the SQL is hidden.
    failing = fetch(f"{database}/reports_failing_checks")[2].decode()
    assert f'<a href="/{urlsplit(database).path.strip("/")}/reports/{rid}">{rid}</a>' in failing
    assert "<textarea" not in failing
    # A key is labelled in Chinese.
    assert "requests.withheld.state_secret.total <span class=\"key-label\">1.属于国家秘密 · 总计</span>" in fetch(
        f"{database}/figures?report_id={rid}&key=requests.withheld.state_secret.total")[2].decode()
    # A source URL has its archived copy beside it.
    pdf = items["hongze"]["documents"][1]
    summary = fetch(f"{database}/report_summary?id={rid}")[2].decode()
    assert f'<a href="{pdf["url"]}">{pdf["url"]}</a> <a href="/-/document/{pdf["sha256"]}"' in summary
    # report_list leaves the long text out.
    assert "text" not in {c for (_, c, *_) in sqlite3.connect(db_path).execute("pragma table_info(report_list)")}


def test_page_urls_have_their_archived_copy_beside(archive):
    base, database, db_path, items = archive
    page = items["hongze"]["documents"][0]
    rid = report_id(db_path, items["hongze"])
    beside = f'<a href="{page["url"]}">{page["url"]}</a> <a href="/-/capture/{page["sha256"]}"'
    for view in (f"reports?id={rid}", f"report_summary?id={rid}", f"report_sources?report_id={rid}"):
        assert beside in fetch(f"{database}/{view}")[2].decode(), view
    assert fetch(f"{base}/-/capture/{page['sha256']}")[0] == 200
    # A report linked straight to a file: its page_url is that file, archived as a document.
    pdf = {"url": f"{items['hongze']['documents'][1]['url']}", "sha256": items["hongze"]["documents"][1]["sha256"]}
    db = sqlite3.connect(db_path)
    db.execute("update reports set page_url = ? where id = ?", [pdf["url"], rid])
    db.commit()
    try:
        assert (f'<a href="{pdf["url"]}">{pdf["url"]}</a> <a href="/-/document/{pdf["sha256"]}"'
                in fetch(f"{database}/reports?id={rid}")[2].decode())
    finally:
        db.execute("update reports set page_url = ? where id = ?", [page["url"], rid])
        db.commit()
        db.close()


def test_figure_keys_in_each_format_s_order():
    rows = schema.figure_key_rows()
    position = {r["key"]: r["position"] for r in rows}
    assert len(rows) == len(set(fmt.keys("2021")) | set(fmt.keys("2019")))
    for version in fmt.VERSIONS:
        assert [position[k] for k in fmt.keys(version)] == sorted(position[k] for k in fmt.keys(version))
    by_key = {r["key"]: r for r in rows}
    assert by_key["requests.new_received.total"]["label"] == "一、本年新收政府信息公开申请数量 · 总计"
    assert by_key["active.fees.amount_10k_yuan"]["unit"] == "万元"


def test_blank_and_zero_shown_as_printed():
    figures = {"requests.new_received.total": report_layout.Figure(1234, "1234", None),
               "requests.carried_over.total": report_layout.Figure(0, "0", None),
               "requests.disclosed.total": report_layout.Figure(None, "", "blank cell"),
               "requests.partially_disclosed.total": report_layout.Figure(None, "—", "dash")}
    table3 = report_layout.tables("2021", figures, [])[1]
    shown = {c.key: (c.text, c.note) for row in table3.rows for c in row.cells}
    assert shown["requests.new_received.total"] == ("1,234", "")
    assert shown["requests.carried_over.total"] == ("0", "")
    assert shown["requests.disclosed.total"] == ("", "blank cell")
    assert shown["requests.partially_disclosed.total"] == ("—", "dash")
    assert report_layout.tables("pre2019", figures, []) == []


def test_in_a_browser_three_clicks_to_a_report_that_prints_on_four_pages(archive, tmp_path):
    """Landing → body → year at 1366×768: table 3's total within two screen heights; A4 ≤ 4 pages."""
    base, _, db_path, items = archive
    with browser(tmp_path / "profile", 1366, 768) as page:
        page.goto(base + "/")
        for css, text in (("section.bodies a", "淮安市洪泽区人民政府"), ("table.body-years a", "2023")):
            assert page.console_errors() == []
            page.click(css, text)
        assert page.evaluate("location.pathname").endswith(f"/reports/{report_id(db_path, items['hongze'])}")
        total = page.evaluate("""(() => {
            const row = [...document.querySelectorAll('#table-3 tr.figures')]
                .find(r => r.querySelector('th.label').textContent === '（七）总计');
            const cell = row.querySelector('td[data-key="requests.handled_total.total"]');
            return [cell.textContent, cell.getBoundingClientRect().bottom + scrollY, innerHeight]; })()""")
        assert total[0] == "21" and total[1] <= 2 * total[2] == 2 * 768
        assert page.evaluate("document.querySelector('td.failed') !== null")
        pages = [len(pypdfium2.PdfDocument(page.pdf()))]
        page.goto(f"{base}/{db_path.stem}/reports/{report_id(db_path, items['luoshan'])}")
        pages.append(len(pypdfium2.PdfDocument(page.pdf())))
        assert page.console_errors() == []
    assert max(pages) <= 4, pages


@pytest.mark.parametrize("name, value", [("body", "淮安市洪泽区人民政府"), ("region", "淮安市"), ("level", "county")])
def test_charts_narrowed_to_a_body_region_or_level(archive, name, value):
    base, _, db_path, _ = archive
    if name == "body":
        value = str(query(db_path, "select id from agencies where name = ?", value)[0][0])
    where = {"body": "agency_id = ?", "region": "? in (province, city, county, region)", "level": "level = ?"}[name]
    expected = query(db_path, f"select year, sum(new_received) as n from report_summary where latest and {where} "
                              "and new_received group by year order by year", value)
    everything = query(db_path, "select count(*) from applications_by_year where new_received")[0][0]
    assert 0 < len(expected) < everything  # the narrowing leaves some years out
    html = fetch(f"{base}/-/charts?{name}={urllib.parse.quote(value)}")[2].decode()
    assert html.count('class="bar"') == len(expected)
    assert all(f"<title>{r['year']}: {r['n']:,}</title>" in html for r in expected)
