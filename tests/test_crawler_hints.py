"""Portal hints: the Hanweb jpage base (``cms: hanweb``) on saved pages, the templated report URLs
(``year_url_template``), and a hint's broken promise reported as ``hint_not_found`` — on saved pages,
then end to end against the fixture site."""
import asyncio
from datetime import date, datetime, timezone
from urllib.parse import parse_qs

import pytest
from scrapy import FormRequest

from crawler.portals import PortalFileError, due_year, validate_portal, year_url_template_errors
from crawler.spiders.hanweb import Jpage, jpage, record_links, total_records
from tests.crawler_support import file_response, generate_hanweb_portal, portal_spider, run_crawl, serve_site
from tests.test_crawler_crawl import check_crawl_directory, lines, path_of

BASE = "http://www.example.gov.cn"
COLUMN = f"{BASE}/hanweb/col/col26044/index.html"
PROXY = f"{BASE}/module/web/jpage/dataproxy.jsp"
HANWEB = {"name": "示例市人民政府", "url": f"{BASE}/hanweb/index.html", "hints": {"cms": "hanweb"}}


def spider(*portals, **settings):
    return portal_spider(*portals, **settings)


def column_page():
    return file_response("hanweb/col/col26044/index.html", COLUMN, portal=HANWEB["name"])


def proxy_answer():
    return file_response("module/web/jpage/dataproxy.jsp_startrecord5endrecord8perpage2",
                         f"{PROXY}?startrecord=5&endrecord=8&perpage=2", portal=HANWEB["name"],
                         headers={"Content-Type": "text/xml; charset=utf-8"})


def test_jpage_call_is_read_from_the_column_page():
    assert jpage(column_page()) == Jpage(
        proxy_url=PROXY, per_page=2, group_size=2, inline_records=4, total=6,
        form={"col": "1", "appid": "1", "webid": "3", "path": "/", "columnid": "26044", "sourceContentType": "1",
              "unitid": "68466", "webname": "示例市", "permissiontype": "0"})
    assert jpage(file_response("zwgk/xxgk/zfxxgknb/index.html", COLUMN)) is None  # a TRS page


def test_groups_start_after_the_inline_records():
    paging = jpage(column_page())
    assert paging.group_urls(6, limit=10) == [f"{PROXY}?startrecord=5&endrecord=8&perpage=2"]
    assert paging.group_urls(13, limit=10) == [f"{PROXY}?startrecord=5&endrecord=8&perpage=2",
                                     f"{PROXY}?startrecord=9&endrecord=12&perpage=2",
                                     f"{PROXY}?startrecord=13&endrecord=16&perpage=2"]
    assert paging.group_urls(4, limit=10) == []


def test_column_page_yields_inline_reports_and_the_proxy_request():
    results = list(spider(HANWEB).parse(column_page(), hops=1))
    reports = [(r.url, r.cb_kwargs["title"], r.cb_kwargs["published"]) for r in results
               if r.callback.__name__ == "parse_report"]
    # 图解 and 统计公报 records are look-alikes
    assert reports == [
        (f"{BASE}/hanweb/art/2023/1/30/art_26044_104.html", "示例市人民政府2022年政府信息公开工作年度报告", "2023-01-30"),
        (f"{BASE}/hanweb/art/2022/1/28/art_26044_103.html", "示例市人民政府2021年政府信息公开工作年度报告", "2022-01-28")]
    (proxy,) = [r for r in results if isinstance(r, FormRequest)]
    assert (proxy.method, proxy.url, proxy.callback.__name__) == (
        "POST", f"{PROXY}?startrecord=5&endrecord=8&perpage=2", "parse_hanweb")
    form = parse_qs(proxy.body.decode())
    assert form["columnid"] == ["26044"] and form["webname"] == ["示例市"] and form["path"] == ["/"]


def test_proxy_answer_yields_its_reports():
    response = proxy_answer()
    assert total_records(response.text) == 6
    assert [link.date for link in record_links(response, response.text)] == ["2021-01-20", "2020-01-15"]
    results = list(spider(HANWEB).parse_hanweb(response, paging=jpage(column_page()), hops=1))
    # the group it answers is the only one: nothing more to ask
    assert [(r.url, r.callback.__name__) for r in results] == [
        (f"{BASE}/hanweb/art/2021/1/20/art_26044_102.html", "parse_report"),
        (f"{BASE}/hanweb/art/2020/1/15/art_26044_101.html", "parse_report")]


def test_cms_hint_selects_the_listing_readers():
    trs_column = file_response("zwgk/xxgk/zfxxgknb/index.html", f"{BASE}/zwgk/xxgk/zfxxgknb/index.html",
                               portal=HANWEB["name"])
    assert not [r for r in spider(HANWEB).parse(trs_column, hops=9)]  # hanweb: no TRS paging, no TRS reports
    generic = {**HANWEB, "hints": {}}
    assert [r.callback.__name__ for r in spider(generic).parse(column_page(), hops=9)].count("parse_report") == 2


def test_year_url_template_requests_each_year():
    portal = {"name": "示例区", "url": f"{BASE}/nb/index.html",
              "hints": {"year_url_template": f"{BASE}/nb/{{year}}nb.html", "years": "2021-2023"}}
    default = {"name": "乙", "url": f"{BASE}/b/", "hints": {"year_url_template": f"{BASE}/b/{{year}}.pdf"}}
    s = spider(validate_portal(portal), validate_portal(default), NIANBAO_FIRST_YEAR=2020)

    async def collect():
        return [r async for r in s.start()]

    started = asyncio.run(collect())
    hinted = [(r.url, r.cb_kwargs["year"]) for r in started if r.callback.__name__ == "parse_hinted_report"]
    assert hinted[:3] == [(f"{BASE}/nb/{y}nb.html", y) for y in (2021, 2022, 2023)]
    assert hinted[3] == (f"{BASE}/b/2020.pdf", 2020) and hinted[-1][1] < 2100  # up to last year
    assert all(r.errback.__name__ == "hinted_report_missing" for r in started[1:4])


@pytest.mark.parametrize("today, due", [
    (date(2026, 3, 31), 2024),   # 2025's reports may be published until 31 March 2026 (条例 art. 50)
    (date(2026, 4, 1), 2025),
    (date(2026, 12, 31), 2025),
])
def test_due_year(today, due):
    assert due_year(today) == due


TEMPLATE = "http://a/{year}nb.html"
GONE = "HTTP 404"


@pytest.mark.parametrize("hints, answers, broken", [
    # a list: every listed year is promised
    ({"years": [2019, 2020, 2021]}, {2019: GONE, 2020: "", 2021: GONE}, [2019, 2021]),
    # no list: from the first year found (the site may be younger than NIANBAO_FIRST_YEAR) to the last due
    ({}, {2016: GONE, 2017: "", 2018: "not an annual report", 2019: "", 2020: GONE}, [2018, 2020]),
    ({}, {2016: GONE, 2017: "", 2018: "", 2019: GONE}, [2019]),
    # (2021's report is not due before 31 March 2022)
    ({}, {2016: "", 2017: GONE, 2018: "", 2019: "", 2020: "", 2021: GONE}, [2017]),
    ({}, {2016: "", 2017: "", 2018: ""}, []),
])
def test_which_template_years_are_promised(hints, answers, broken):
    errors = year_url_template_errors({"year_url_template": TEMPLATE, **hints}, answers, date(2021, 4, 1))
    assert errors == [(TEMPLATE.format(year=year), f"year_url_template: no report for {year} ({answers[year]})")
                      for year in broken]
    # before 31 March, last year's report is not due yet: its absence is not an error
    early = year_url_template_errors({"year_url_template": TEMPLATE, **hints}, answers, date(2021, 3, 1))
    assert [url for url, _ in early] == [TEMPLATE.format(year=y) for y in broken if y < 2020 or hints]


def test_a_template_that_gives_no_report_at_all_is_one_error():
    answers = dict.fromkeys(range(2008, 2021), GONE)
    assert year_url_template_errors({"year_url_template": TEMPLATE}, answers, date(2021, 6, 1)) == [
        (TEMPLATE, "year_url_template: no report for any year 2008–2020")]


@pytest.mark.parametrize("hints, message", [
    ({"cms": "dede"}, "'hints.cms' must be one of trs, hanweb"),
    ({"year_url_template": "http://a/nb.html"}, "must contain {year}"),
    ({"year_url_template": "/nb/{year}.html"}, "'hints.year_url_template' must be an absolute"),
    ({"years": [2020]}, "only used with"),
    ({"year_url_template": "http://a/{year}.html", "years": "2024-2019"}, "a list of years or a range"),
    ({"colum_url": "http://a/"}, "unknown hint(s) colum_url"),
])
def test_bad_hints_are_named(hints, message):
    with pytest.raises(PortalFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_portal({"name": "A", "url": "http://a/", "hints": hints})


def test_hints_end_to_end(tmp_path):
    """A Hanweb portal read through its POST proxy; a portal whose reports are only reachable through
    the year template, where one year's page is a look-alike and one is missing; a ``cms`` hint that
    does not match the site."""
    with serve_site() as base:
        portals = [
            {"name": "示例市人民政府", "url": f"{base}/hanweb/index.html", "hints": {"cms": "hanweb"}},
            {"name": "示例区人民政府", "url": f"{base}/nb/index.html",
             "hints": {"year_url_template": f"{base}/nb/{{year}}nb.html", "years": "2021-2023"}},
            {"name": "示例县教育局", "url": f"{base}/bmnb/index.html", "hints": {"cms": "trs"}},
            # the same template without a year list: tried from NIANBAO_FIRST_YEAR, promised from 2021 on
            {"name": "示例区人民政府（全部年份）", "url": f"{base}/nb/index.html",
             "hints": {"year_url_template": f"{base}/nb/{{year}}nb.html"}},
        ]
        summary = run_crawl(portals, tmp_path, {"NIANBAO_FIRST_YEAR": 2019})
    reports = {(r["portal"], r["year"], path_of(r["page_url"])): r for r in lines(tmp_path / "reports.jsonl")}
    assert set(reports) == {
        ("示例市人民政府", 2022, "/hanweb/art/2023/1/30/art_26044_104.html"),
        ("示例市人民政府", 2021, "/hanweb/art/2022/1/28/art_26044_103.html"),
        ("示例市人民政府", 2020, "/hanweb/art/2021/1/20/art_26044_102.html"),   # from the POST proxy
        ("示例市人民政府", 2019, "/hanweb/art/2020/1/15/art_26044_101.html"),
        ("示例区人民政府", 2021, "/nb/2021nb.html"),
        ("示例区人民政府（全部年份）", 2021, "/nb/2021nb.html"),
    }
    report = reports[("示例区人民政府", 2021, "/nb/2021nb.html")]
    assert (report["title"], report["listing_url"], report["published"]) == (
        "示例区人民政府2021年政府信息公开工作年度报告", None, "2022-01-25")
    # its attachments: the linked PDF, and the table printed as an image (not the linked logo)
    assert [(d["role"], path_of(d["url"]), d["content_type"]) for d in report["documents"]] == [
        ("page", "/nb/2021nb.html", "text/html"), ("attachment", "/nb/2021nb.pdf", "application/pdf"),
        ("attachment", "/nb/2021nb-table.png", "image/png")]
    errors = {(e["portal"], e["kind"], path_of(e["url"])) for e in lines(tmp_path / "errors.jsonl")}
    assert {e for e in errors if e[1] == "hint_not_found"} == {
        ("示例区人民政府", "hint_not_found", "/nb/2022nb.html"),   # 政府工作报告, not an annual report
        ("示例区人民政府", "hint_not_found", "/nb/2023nb.html"),   # 404
        ("示例县教育局", "hint_not_found", "/bmnb/index.html"),    # cms: trs, but a JSON listing
        # 2019 and 2020 are missing too, but before the first year the template gave
        *(("示例区人民政府（全部年份）", "hint_not_found", f"/nb/{year}nb.html")
          for year in range(2022, due_year(datetime.now(timezone.utc).date()) + 1)),
    }
    assert {name: p["status"] for name, p in summary["portals"].items()} == {
        "示例市人民政府": "ok", "示例区人民政府": "partial", "示例县教育局": "failed", "示例区人民政府（全部年份）": "partial"}
    check_crawl_directory(tmp_path)


def test_a_hanweb_portal_is_found_from_its_home_page_and_read_through_its_data_proxy(tmp_path):
    """No hint: the generic spider finds the column, reads the records on its page, then POSTs the
    jpage form for each further group of perPage × groupSize records and reads the proxy's XML."""
    site = generate_hanweb_portal(tmp_path / "site", reports=23, per_page=3, group_size=2)
    with serve_site(site) as base:
        summary = run_crawl([{"name": "示例市人民政府", "url": f"{base}/index.html"}], tmp_path / "crawl")
    found = {path_of(r["page_url"]) for r in lines(tmp_path / "crawl" / "reports.jsonl")}
    assert found == {f"/art/{2009 + i % 16}/1/5/art_100_{i}.html" for i in range(23) if i % 10 != 9}
    assert summary["status"] == "ok"
    records = check_crawl_directory(tmp_path / "crawl")
    proxy = [rec for rec in records if "dataproxy.jsp" in (rec.uri or "")]
    responses = [path_of(rec.uri) for rec in proxy if rec.type == "response"]  # each group once
    assert sorted(responses) == sorted(f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={start + 5}"
                                       "&perpage=3" for start in (7, 13, 19))
    # the request records hold the POSTed jpage form
    assert {parse_qs(rec.payload.decode())["columnid"][0] for rec in proxy if rec.type == "request"} == {"100"}
