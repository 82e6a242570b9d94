"""Portal hints: the Hanweb jpage base (``cms: hanweb``) on saved pages, the templated report URLs
(``year_url_template``), and a hint's broken promise reported as ``hint_not_found`` — on saved pages,
then end to end against the fixture site."""
import asyncio
from urllib.parse import parse_qs

import pytest
from scrapy import FormRequest

from crawler.portals import PortalFileError, validate_portal
from crawler.spiders.hanweb import Jpage, jpage, record_links, total_records
from tests.crawler_support import file_response, portal_spider, run_crawl, serve_site
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
    assert paging.group_urls(6) == [f"{PROXY}?startrecord=5&endrecord=8&perpage=2"]
    assert paging.group_urls(13) == [f"{PROXY}?startrecord=5&endrecord=8&perpage=2",
                                     f"{PROXY}?startrecord=9&endrecord=12&perpage=2",
                                     f"{PROXY}?startrecord=13&endrecord=16&perpage=2"]
    assert paging.group_urls(4) == []


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
        ]
        summary = run_crawl(portals, tmp_path)
    reports = {(r["portal"], r["year"], path_of(r["page_url"])): r for r in lines(tmp_path / "reports.jsonl")}
    assert set(reports) == {
        ("示例市人民政府", 2022, "/hanweb/art/2023/1/30/art_26044_104.html"),
        ("示例市人民政府", 2021, "/hanweb/art/2022/1/28/art_26044_103.html"),
        ("示例市人民政府", 2020, "/hanweb/art/2021/1/20/art_26044_102.html"),   # from the POST proxy
        ("示例市人民政府", 2019, "/hanweb/art/2020/1/15/art_26044_101.html"),
        ("示例区人民政府", 2021, "/nb/2021nb.html"),
    }
    report = reports[("示例区人民政府", 2021, "/nb/2021nb.html")]
    assert (report["title"], report["listing_url"], report["published"]) == (
        "示例区人民政府2021年政府信息公开工作年度报告", None, "2022-01-25")
    assert [d["role"] for d in report["documents"]] == ["page", "attachment"]
    errors = {(e["portal"], e["kind"], path_of(e["url"])) for e in lines(tmp_path / "errors.jsonl")}
    assert {e for e in errors if e[1] == "hint_not_found"} == {
        ("示例区人民政府", "hint_not_found", "/nb/2022nb.html"),   # 政府工作报告, not an annual report
        ("示例区人民政府", "hint_not_found", "/nb/2023nb.html"),   # 404
        ("示例县教育局", "hint_not_found", "/bmnb/index.html"),    # cms: trs, but a JSON listing
    }
    assert {name: p["status"] for name, p in summary["portals"].items()} == {
        "示例市人民政府": "ok", "示例区人民政府": "partial", "示例县教育局": "failed"}
    check_crawl_directory(tmp_path)
