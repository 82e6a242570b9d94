"""Discovery gaps closed: listing entries whose title cannot prove a report (no year, cut short) are
decided by their article; a cap on the pages read of one listing; portals sharing URLs each crawled
whole. Saved pages first (tests/fixtures/crawler/site/yearless is 示例镇人民政府, a column whose
titles name no year), then end to end against the fixture site."""
import asyncio
from collections import Counter

import pytest
from scrapy import FormRequest, Request
from scrapy.utils.request import RequestFingerprinter

from crawler.fingerprint import PortalRequestFingerprinter
from crawler.signals import error_found
from crawler.spiders.pages import article_report
from extract.rules import is_candidate_title
from tests.crawler_support import file_response, portal_spider, run_crawl, serve_site
from tests.test_crawler_crawl import check_crawl_directory, lines, path_of

BASE = "http://www.example.gov.cn"
TOWN = {"name": "示例镇人民政府", "url": f"{BASE}/yearless/index.html"}
COLUMN = f"{BASE}/yearless/gknb/index.html"


@pytest.mark.parametrize("title, candidate", [
    ("本机关政府信息公开年报", True),                          # no year
    ("政府信息公开工作年度报告", True),
    ("示例镇人民政府2021年政府信息公开工...", True),            # cut short before 年度报告
    ("示例镇人民政府2021年政府信息公开工作年度报告", False),     # a report by its title alone
    ("政府工作报告", False),
    ("关于做好政府信息公开年报工作的通知", False),               # look-alike words are enough
    ("示例镇2021年统计...", False),
    ("示例镇2021年度部门决...", False),                         # cut short, but nothing of a report left
    ("新闻中心", False),
])
def test_candidate_titles(title, candidate):
    assert is_candidate_title(title) is candidate


def article(name):
    return file_response(f"yearless/gknb/{name}", f"{BASE}/yearless/gknb/{name}", portal=TOWN["name"])


@pytest.mark.parametrize("page, link_text, found", [
    # heading without a year: the year from the 统计期限 sentence
    ("t1.html", "本机关政府信息公开年报", ("本机关政府信息公开年报", 2022)),
    # a cut-short link: the whole title from the ArticleTitle meta (also in a .title element)
    ("t2.html", "示例镇人民政府2021年政府信息公开工...", ("示例镇人民政府2021年政府信息公开工作年度报告", 2021)),
    # the format's headings, and no year anywhere: left to the publication date (the sidebar's
    # .title 通知公告 is a look-alike word, but not the page's title)
    ("t3.html", "政府信息公开工作年度报告", ("政府信息公开工作年度报告", None)),
    # a 政府工作报告 behind a report-like link: none of the format's headings
    ("t4.html", "政府信息公开工作年度报告", None),
    # a 图解 quoting the headings: its own title is a look-alike
    ("t5.html", "政府信息公开工作年度报告", None),
])
def test_the_article_decides(page, link_text, found):
    assert article_report(article(page), link_text) == found


def candidate_items(spider, response, title, published):
    async def run():
        return [item async for item in spider.parse_candidate(response, listing_url=COLUMN, title=title,
                                                               published=published)]
    return asyncio.run(run())


def test_candidate_reports_and_their_years():
    spider = portal_spider(TOWN)
    (stated,) = candidate_items(spider, article("t1.html"), "本机关政府信息公开年报", "2023-01-18")
    assert (stated.title, stated.year, stated.year_inferred, stated.listing_url) == (
        "本机关政府信息公开年报", 2022, False, COLUMN)
    (inferred,) = candidate_items(spider, article("t3.html"), "政府信息公开工作年度报告", "2021-01-26")
    assert (inferred.year, inferred.year_inferred, inferred.published) == (2020, True, "2021-01-26")
    assert candidate_items(spider, article("t4.html"), "政府信息公开工作年度报告", "2023-02-10") == []
    pdf = file_response("yearless/files/nb.pdf", f"{BASE}/yearless/files/nb.pdf", portal=TOWN["name"],
                        headers={"Content-Type": "application/pdf"})
    (file_report,) = candidate_items(spider, pdf, "政府信息公开年报", "2020-01-15")
    assert (file_report.year, file_report.year_inferred, file_report.documents[0]["filename"]) == (2019, True, "nb.pdf")
    # a file has no article to tell what a cut-short title was going to say (…年度报告? …通知?)
    assert candidate_items(spider, pdf, "示例镇人民政府2021年政府信息公开工...", "2022-01-15") == []


def test_dated_candidates_are_fetched_as_articles_not_followed_as_columns():
    results = list(portal_spider(TOWN).parse(file_response("yearless/gknb/index.html", COLUMN,
                                                           portal=TOWN["name"]), hops=2))
    by_callback = {}
    for request in results:
        by_callback.setdefault(request.callback.__name__, []).append(path_of(request.url))
    assert by_callback["parse_candidate"] == [f"/yearless/gknb/t{n}.html" for n in range(1, 6)]
    # the listing is paged, as it lists candidates: page 2 is one of its pages, not a column (its
    # folder is …/gknb/), and the nav link back to this page is not followed again
    assert by_callback["parse"] == ["/yearless/gknb/index_1.html"]
    assert results[-1].meta["listing"] == COLUMN
    assert "parse_report" not in by_callback


def errors_of(spider):
    found = []
    spider.crawler.signals.connect(lambda **kw: found.append((kw["kind"], kw["url"])), signal=error_found, weak=False)
    return found


def test_listing_pages_are_capped_per_listing():
    spider = portal_spider({"name": "示例县人民政府", "url": f"{BASE}/index.html"}, NIANBAO_MAX_LISTING_PAGES=2)
    errors = errors_of(spider)
    url = f"{BASE}/zwgk/xxgk/zfxxgknb/index.html"
    pager = '<li><a href="t1.html">2021年政府信息公开年报</a></li><script>createPageHTML(500, 0, "index", "html");</script>'
    first = file_response("zwgk/xxgk/zfxxgknb/index.html", url).replace(body=pager.encode())
    pages = [r for r in spider.parse(first, hops=3) if r.callback.__name__ == "parse"]
    assert [(r.url, r.meta["listing"]) for r in pages] == [(f"{BASE}/zwgk/xxgk/zfxxgknb/index_1.html", url)]
    # the next page announces the same 500: nothing more is asked for, and the cap is reported once
    second = first.replace(url=pages[0].url, request=pages[0])
    assert [r for r in spider.parse(second, hops=3) if r.callback.__name__ == "parse"] == []
    assert errors == [("listing_truncated", url)]


def test_hanweb_record_groups_count_as_listing_pages():
    hanweb = {"name": "示例市人民政府", "url": f"{BASE}/hanweb/index.html", "hints": {"cms": "hanweb"}}
    column = f"{BASE}/hanweb/col/col26044/index.html"
    spider = portal_spider(hanweb, NIANBAO_MAX_LISTING_PAGES=1)
    errors = errors_of(spider)
    results = list(spider.parse(file_response("hanweb/col/col26044/index.html", column, portal=hanweb["name"])))
    assert not [r for r in results if isinstance(r, FormRequest)] and errors == [("listing_truncated", column)]


def test_fingerprints_are_per_portal():
    fingerprint = PortalRequestFingerprinter().fingerprint
    url = f"{BASE}/zwgk/index.html"
    city, department = (Request(url, meta={"portal": name}) for name in ("示例市人民政府", "示例市教育局"))
    assert fingerprint(city) != fingerprint(department)
    assert fingerprint(city) == fingerprint(Request(url, meta={"portal": "示例市人民政府"}))
    assert fingerprint(Request(url)) == RequestFingerprinter().fingerprint(Request(url))  # robots.txt has no portal


def reports_by_portal(out):
    found = {}
    for r in lines(out / "reports.jsonl"):
        found.setdefault(r["portal"], set()).add((path_of(r["page_url"]), r["title"], r["year"], r["year_inferred"]))
    return found


TOWN_REPORTS = {
    ("/yearless/gknb/t1.html", "本机关政府信息公开年报", 2022, False),
    ("/yearless/gknb/t2.html", "示例镇人民政府2021年政府信息公开工作年度报告", 2021, False),
    ("/yearless/gknb/t3.html", "政府信息公开工作年度报告", 2020, True),
    ("/yearless/files/nb.pdf", "政府信息公开年报", 2019, True),   # on the listing's second page
}


def test_portals_sharing_urls_each_get_their_whole_crawl(tmp_path):
    """A county and its department on one host (the county's crawl passes through the department's
    column), and one portal listed twice under two names. With NIANBAO_RECHECK_DAYS=0 every request
    leaves one WARC record (a response, or a revisit for a 304), so records count fetches."""
    with serve_site() as base:
        portals = [{"name": "示例县人民政府", "url": f"{base}/index.html"},
                   {"name": "示例县教育局", "url": f"{base}/bmnb/index.html"},
                   {"name": "示例镇人民政府", "url": f"{base}/yearless/index.html"},
                   {"name": "示例镇人民政府（重复）", "url": f"{base}/yearless/index.html"}]
        summary = run_crawl(portals, tmp_path, {"NIANBAO_RECHECK_DAYS": 0})
    department = {("/bmnb/jyj2021.pdf", "示例县教育局2021年政府信息公开工作年度报告", 2021, False),
                  ("/bmnb/jyj2020.html", "示例县教育局2020年政府信息公开年报", 2020, False)}
    found = reports_by_portal(tmp_path)
    assert found["示例县教育局"] == department and department < found["示例县人民政府"]
    assert len(found["示例县人民政府"]) == 4
    assert found["示例镇人民政府"] == found["示例镇人民政府（重复）"] == TOWN_REPORTS
    assert summary["status"] == "ok"
    fetches = Counter(path_of(rec.uri) for rec in check_crawl_directory(tmp_path)
                      if rec.type in ("response", "revisit") and not rec.uri.endswith("/robots.txt"))
    shared = ("/yearless/", "/bmnb/", "/api/bmnb/")  # paths two portals visit: fetched once for each
    assert {path: n for path, n in fetches.items() if n != (2 if path.startswith(shared) else 1)} == {}
    assert fetches["/yearless/gknb/t4.html"] == 2  # a candidate that is no report, too


def test_a_capped_listing_is_reported(tmp_path):
    with serve_site() as base:
        summary = run_crawl([{"name": "示例镇人民政府", "url": f"{base}/yearless/index.html"}], tmp_path,
                            {"NIANBAO_MAX_LISTING_PAGES": 1})
    assert reports_by_portal(tmp_path)["示例镇人民政府"] == TOWN_REPORTS - {("/yearless/files/nb.pdf", "政府信息公开年报",
                                                                           2019, True)}
    errors = [(e["kind"], path_of(e["url"])) for e in lines(tmp_path / "errors.jsonl")]
    assert errors == [("listing_truncated", "/yearless/gknb/index.html")]
    assert summary["status"] == "partial"


def test_an_xml_list_endpoint_paged_by_number(tmp_path):
    """示例乡人民政府's column page is empty HTML whose script names ``/api/xmllist/list?pageNo=``; the
    endpoint answers a Hanweb-style XML datastore with <totalpage>: every page is read, the 统计公报
    on page 1 is left alone."""
    with serve_site() as base:
        summary = run_crawl([{"name": "示例乡人民政府", "url": f"{base}/xmllist/index.html"}], tmp_path)
    assert {(path_of(r["page_url"]), r["year"], path_of(r["listing_url"])) for r in lines(tmp_path / "reports.jsonl")} == {
        ("/xmllist/art/2023/t2022.html", 2022, "/api/xmllist/list?pageNo=1"),
        ("/xmllist/art/2022/t2021.html", 2021, "/api/xmllist/list?pageNo=2"),
        ("/xmllist/art/2021/t2020.html", 2020, "/api/xmllist/list?pageNo=3"),
    }
    assert summary["status"] == "ok"
    fetched = {path_of(rec.uri) for rec in check_crawl_directory(tmp_path) if rec.type == "response"}
    assert "/xmllist/art/2023/tjgb.html" not in fetched
