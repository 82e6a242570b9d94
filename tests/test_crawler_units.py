"""Every unit a portal hosts, found from its home page: a generated county portal
(demo_portal/county.py) hosting 43 departments and 20 townships and area bureaus under three
directories (link list over two pages, ``<select>``, JavaScript array), in sub-folders, on
sub-domains, and Hanweb- or TRS-built with their columns outside their folder, crawled once (tests/county_crawl.py); and the directory and publisher rules on their own."""
from __future__ import annotations

import asyncio
import doctest

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.portals import PortalFileError, validate_portal
from crawler import publisher
from crawler.publisher import body_key, publisher_of, qualified, same_body
from crawler.spiders.pages import Link, article_report, page_links
from crawler.spiders.unit_first import UnitReportsFirst
from crawler.spiders.units import (UNIT_AWAY_HOPS, in_unit, is_directory_link, is_unit_name, listed_units,
                                  unit_reaches, unit_scope)
from county_crawl import PER_HOST
from demo_portal.county import PLACE, PORTAL_NAME, REPUBLISHED, TOWNSHIPS, own_report
from crawler_support import portal_spider
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.test import get_crawler


@pytest.fixture
def county(county_crawl):
    """The county portal crawled once (tests/county_crawl.py): (truth, reports.jsonl lines, summary, server)."""
    return county_crawl.truth, county_crawl.reports, county_crawl.summary, county_crawl.server


def test_every_hosted_report_is_found_once_with_its_publisher(county):
    truth, reports, summary, _ = county
    found = [(r["page_url"], r["publisher"], r["publisher_level"], r["publisher_region"], r["year"]) for r in reports]
    expected = [(r["page_url"], r["publisher"], r["publisher_level"], r["publisher_region"], r["year"])
                for r in truth["reports"]]
    assert len(found) == len(set(found))  # none twice
    assert sorted(found) == sorted(expected)
    assert summary["status"] == "ok", summary


def test_the_generated_county_is_what_the_issue_asks_for(county):
    truth = county[0]
    bodies = {(r["publisher"], r["publisher_level"]) for r in truth["reports"]}
    assert sum(level == "department" for _, level in bodies) >= 40
    assert sum(level == "township" for _, level in bodies) >= 15
    assert any(host != "www.qingshan.gov.cn" for host in truth["hosts"])  # units on sub-domains
    years = {}
    for report in truth["reports"]:
        years.setdefault(report["publisher"], set()).add(report["year"])
    assert sum(len(found) < 5 for found in years.values()) >= 5  # units missing a year


def test_cover_letter_titled_report_is_the_report(county):
    reports = county[1]
    (letter,) = [r for r in reports if r["publisher"] == "青山县财政局" and r["year"] == 2020]
    assert letter["title"] == "青山县财政局2020年度政府信息公开工作年度报告"


def test_a_report_a_township_republishes_is_the_countys_once_from_the_portals_column(county):
    truth, reports, _, server = county
    number, year = REPUBLISHED
    path = own_report(year)
    (report,) = [r for r in reports if r["page_url"].endswith(path)]
    assert (report["publisher"], report["publisher_level"], report["year"]) == (PORTAL_NAME, "county", year)
    assert report["listing_url"].endswith("/zwgk/gknb/index.html")  # the portal's column, not the township's
    assert [p for _, p, _ in server.requests].count(path) == 1
    township = TOWNSHIPS[number - 100][1]
    assert not any(r["publisher"] == PLACE + township and r["year"] == year and r["page_url"].endswith(path)
                   for r in reports)


def test_no_lookalike_is_archived(county):
    truth, reports, _, server = county
    archived = {doc["url"] for r in reports for doc in r["documents"]}
    assert not archived & set(truth["lookalikes"])
    # the notice behind a report-like yearless entry was fetched and judged by its page
    asked = {path for _, path, _ in server.requests}
    assert "/zwgk/gknb/tz2023.html" in asked


def test_per_host_concurrency_never_above_its_limit(county):
    peaks = county[3].peaks
    assert len(peaks) > 1 and max(peaks.values()) <= PER_HOST
    assert peaks[f"www.qingshan.gov.cn:{county[0]['portal']['url'].rsplit(':', 1)[1].strip('/')}"] == PER_HOST


def response(body: str, url: str = "http://www.qingshan.gov.cn/zwgk/bm/index.html") -> HtmlResponse:
    return HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8")


@pytest.mark.parametrize("text, directory", [
    ("县直部门", True), ("部门和片区", True), ("镇街", True), ("乡镇", True), ("市直单位", True),
    ("部门预算", False), ("2021年部门", False), ("政府信息公开指南", False), ("东城街道", False),
])
def test_directory_links(text, directory):
    assert is_directory_link(text) is directory


@pytest.mark.parametrize("text, unit", [
    ("教育局", True), ("青山县发展和改革委员会", True), ("东城街道", True), ("城关镇", True),
    ("青山县东湖片区管理局", True), ("青山县人民政府办公室", True), ("青山县统计局", True),
    ("政府信息公开", False), ("请选择乡镇", False), ("2021年教育局", False),
    ("县教育局召开会议", False), ("首页", False),
])
def test_unit_names(text, unit):
    assert is_unit_name(text) is unit


def test_units_in_three_shapes_and_a_chance_mention_is_no_directory():
    links = "".join(f'<a href="/bm/{n}/index.html">{name}</a>' for n, name in enumerate(("教育局", "民政局", "财政局")))
    options = '<select><option value="">请选择</option><option value="/xz/cgz/">城关镇</option></select>'
    script = '<script>var units = [{"name": "水利局", "url": "/bm/slj/"}, {name: \'林业局\', href: "/bm/lyj/"}];</script>'
    page = response(links + options + script)
    assert [(u.name, u.url.rsplit(".cn", 1)[1]) for u in listed_units(page, page_links(page), minimum=1)] == [
        ("教育局", "/bm/0/index.html"), ("民政局", "/bm/1/index.html"), ("财政局", "/bm/2/index.html"),
        ("城关镇", "/xz/cgz/"), ("水利局", "/bm/slj/"), ("林业局", "/bm/lyj/")]
    assert [u.name for u in listed_units(page, page_links(page))] == ["教育局", "民政局", "财政局"]  # 3 links only
    one = response('<a href="/bm/jyj/">教育局</a>')
    assert listed_units(one, page_links(one)) == []


def test_units_of_a_json_list_with_escaped_slashes_and_ideographs():
    # PHP's json_encode by default: [{"name":"\u6c34\u5229\u5c40","url":"\/bm\/slj\/"}, …]
    units = ",".join('{"name":"%s","url":"\\/bm\\/%s\\/"}' % ("".join(f"\\u{ord(c):04x}" for c in name), slug)
                     for slug, name in (("slj", "水利局"), ("lyj", "林业局"), ("jyj", "教育局")))
    page = response(f"<script>var units = [{units}];</script>")
    assert [(u.name, u.url.rsplit(".cn", 1)[1]) for u in listed_units(page, page_links(page))] == [
        ("水利局", "/bm/slj/"), ("林业局", "/bm/lyj/"), ("教育局", "/bm/jyj/")]


def test_a_units_pages_are_under_its_home():
    folder, domain = unit_scope("http://www.x.gov.cn/bm/jyj/index.html"), unit_scope("http://jyj.x.gov.cn/")
    assert in_unit("http://www.x.gov.cn/bm/jyj/xxgk/gknb/", folder) and not in_unit("http://www.x.gov.cn/zwgk/", folder)
    assert in_unit("http://jyj.x.gov.cn/xxgk/", domain) and not in_unit("http://www.x.gov.cn/bm/jyj/", domain)


def test_a_unit_leaves_its_pages_for_its_columns_only_near_its_page_and_never_for_its_directorys_links():
    unit = {"scope": unit_scope("http://www.x.gov.cn/col/col100/index.html"),
            "nav": frozenset({"http://www.x.gov.cn/zwgk/gknb/index.html", "http://www.x.gov.cn/col/col200/index.html"})}

    def reaches(url: str, hops: int, text: str = "信息公开") -> bool:
        return unit_reaches(unit, Link(url, text, None), hops)
    assert reaches("http://www.x.gov.cn/col/col100/list.html", hops=9)  # its own pages: always
    assert reaches("http://www.x.gov.cn/col/col101/index.html", hops=UNIT_AWAY_HOPS - 1)
    assert not reaches("http://www.x.gov.cn/col/col101/index.html", hops=UNIT_AWAY_HOPS)
    assert not reaches("http://www.x.gov.cn/zwgk/gknb/index.html", hops=0)  # the portal's own column
    assert not reaches("http://www.x.gov.cn/col/col200/index.html", hops=0)  # another unit
    assert not reaches("http://www.x.gov.cn/zwgk/index.html", hops=0, text="政务公开")  # the portal's section


def hanweb_unit_hops(hops: int) -> list[str]:
    """The column pages a Hanweb-built unit's page at ``hops`` leads its crawl to."""
    portal = {**PORTAL, "url": "http://www.qingshan.gov.cn/"}
    url = "http://www.qingshan.gov.cn/col/col3030/index.html"
    unit = {"name": "住房保障局", "scope": unit_scope(url),
            "nav": frozenset({"http://www.qingshan.gov.cn/zwgk/gknb/index.html", "http://www.qingshan.gov.cn/"})}
    body = ('<a href="/zwgk/gknb/index.html">政府信息公开年报</a><a href="/col/col3031/index.html">信息公开</a>'
            '<a href="/col/col3030/more.html">部门动态</a><a href="/col/col3030/gknb/">年报</a>')
    page = HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8",
                        request=Request(url, meta={"portal": portal["name"], "unit": unit}))
    return [r.url.removeprefix("http://www.qingshan.gov.cn") for r in portal_spider(portal).parse(page, hops=hops)]


def test_a_hanweb_units_columns_are_followed_out_of_its_folder_but_not_the_portals_menu():
    assert hanweb_unit_hops(0) == ["/col/col3031/index.html", "/col/col3030/gknb/"]
    assert hanweb_unit_hops(UNIT_AWAY_HOPS) == ["/col/col3030/gknb/"]


def unit_first() -> tuple[UnitReportsFirst, list[tuple[str, str]]]:
    """The middleware of a spider crawling the county portal, and the (report, listing) it releases."""
    crawler = get_crawler(settings_dict={})
    crawler.spider = portal_spider({**PORTAL, "url": "http://www.qingshan.gov.cn/"})
    scheduled = []
    crawler.engine = type("Engine", (), {"crawl": lambda self, request: scheduled.append(
        (name(request.url), name(request.cb_kwargs["listing_url"])))})()
    return UnitReportsFirst(crawler), scheduled


def name(url: str) -> str:
    return url.removeprefix("http://www.qingshan.gov.cn/")


def passed(middleware: UnitReportsFirst, unit: str | None, listing: str, *reports: tuple[str, str]) -> list[str]:
    """What goes on at once of the requests for ``reports`` (page, title) a listing page yields (in the
    pages of ``unit``, None for the portal's own), and a request for a page on the way."""
    meta = {"portal": PORTAL["name"], **({"unit": {"name": unit}} if unit else {})}
    listing = f"http://www.qingshan.gov.cn/{listing}"
    response = HtmlResponse(listing, body=b"", request=Request(listing, meta=meta))
    requests = [response.follow("/" + page, meta={**meta, "report_document": True},
                                cb_kwargs={"title": title, "listing_url": listing}) for page, title in reports]
    requests.append(Request("http://www.qingshan.gov.cn/next.html", meta=meta))
    return [name(r.url) for r in middleware.process_spider_output(response, requests)]


def test_a_report_both_the_portal_and_a_unit_request_is_the_units():
    middleware, scheduled = unit_first()
    nameless = "2021年度政府信息公开工作年度报告"
    own = ("c.html", "青山县人民政府2021年政府信息公开工作年度报告")
    assert passed(middleware, None, "l.html", ("a.html", nameless), ("b.html", nameless), own) == [
        "c.html", "next.html"]  # a, b wait
    assert passed(middleware, "教育局", "l.html", ("b.html", nameless)) == ["b.html", "next.html"]  # a unit's go at once
    with pytest.raises(DontCloseSpider):
        middleware.release()
    assert scheduled == [("a.html", "l.html")]  # b.html is the unit's
    middleware.release()  # nothing held: the crawl may close


def test_a_report_units_republish_is_fetched_once_from_one_listing_whatever_the_order():
    county = ("c.html", "青山县人民政府2021年政府信息公开工作年度报告")
    finance = ("f.html", "青山县财政局2021年政府信息公开工作年度报告")
    for order in (1, -1):
        # Two townships list the county's report, 教育局 lists 财政局's, which 财政局 lists too: each waits,
        # then goes from the first listing in sorting order unless its body's own listing asked for it.
        middleware, scheduled = unit_first()
        listings = [("西城街道", "xc/l.html", county, finance), ("东城街道", "dc/l.html", county),
                    ("教育局", "jy/l.html", finance)]
        for unit, listing, *reports in listings[::order]:
            assert passed(middleware, unit, listing, *reports) == ["next.html"]
        assert passed(middleware, "财政局", "cz/l.html", finance) == ["f.html", "next.html"]
        with pytest.raises(DontCloseSpider):
            middleware.release()
        assert scheduled == [("c.html", "dc/l.html")]
        # The portal's column lists the county's report under its title: it goes at once, the township's is dropped.
        middleware, scheduled = unit_first()
        listings = [(None, "gknb/l.html", county), ("东城街道", "dc/l.html", county)]
        assert [passed(middleware, *listing) for listing in listings[::order]] == (
            [["c.html", "next.html"], ["next.html"]][::order])
        middleware.release()  # nothing to fetch: the crawl may close
        assert scheduled == []


PORTAL = {"name": "青山县人民政府", "region": "河南省信阳市", "level": "county"}


@pytest.mark.parametrize("title, unit, publisher, level, region", [
    ("青山县人民政府2021年政府信息公开工作年度报告", None, "青山县人民政府", "county", "河南省信阳市青山县"),
    ("青山县2021年政府信息公开工作年度报告", None, "青山县人民政府", "county", "河南省信阳市青山县"),  # a place only
    ("县人民政府2021年政府信息公开工作年度报告", None, "青山县人民政府", "county", "河南省信阳市青山县"),  # no place
    ("县人民政府2021年政府信息公开工作年度报告", "城关镇", "青山县人民政府", "county", "河南省信阳市青山县"),
    ("青山县政府2021年政府信息公开工作年度报告", None, "青山县人民政府", "county", "河南省信阳市青山县"),  # spelt short
    ("青山县政府2021年政府信息公开工作年度报告", "城关镇", "青山县人民政府", "county", "河南省信阳市青山县"),
    ("青山县城关镇政府2021年政府信息公开工作年度报告", "城关镇", "青山县城关镇", "township", "河南省信阳市青山县城关镇"),
    ("2021年政府信息公开工作年度报告", "东城街道办", "青山县东城街道办", "township", "河南省信阳市青山县东城街道"),
    # a place below the portal's is the portal's place's, as a directory's unit name is
    ("城关镇人民政府2021年政府信息公开工作年度报告", None, "青山县城关镇人民政府", "township", "河南省信阳市青山县城关镇"),
    ("东城街道办2021年政府信息公开工作年度报告", "教育局", "青山县东城街道办", "township", "河南省信阳市青山县东城街道"),
    ("财政局2021年政府信息公开工作年度报告", None, "青山县财政局", "department", "河南省信阳市青山县"),
    ("财政局2021年政府信息公开工作年度报告", "教育局", "青山县财政局", "department", "河南省信阳市青山县"),
    ("罗山县教育局2021年政府信息公开工作年度报告", None, "罗山县教育局", "department", "河南省信阳市罗山县"),
    ("青山县教育局2021年政府信息公开工作年度报告", None, "青山县教育局", "department", "河南省信阳市青山县"),
    ("2021年政府信息公开工作年度报告", "教育局", "青山县教育局", "department", "河南省信阳市青山县"),
    ("青山县教育体育局2021年政府信息公开工作年度报告", "教育局", "青山县教育局", "department", "河南省信阳市青山县"),
    ("2021年政府信息公开工作年度报告", "城关镇", "青山县城关镇", "township", "河南省信阳市青山县城关镇"),
    ("青山县城关镇人民政府2021年政府信息公开工作年度报告", "城关镇", "青山县城关镇", "township",
     "河南省信阳市青山县城关镇"),  # a unit named by its place is its government
    ("青山县发展改革委2021年政府信息公开工作年度报告", "发展和改革委员会", "青山县发展和改革委员会", "department",
     "河南省信阳市青山县"),  # the same body under a shorter name
    # republished: a title naming another body than the unit whose pages list it is that body's
    ("青山县人民政府2021年政府信息公开工作年度报告", "城关镇", "青山县人民政府", "county", "河南省信阳市青山县"),
    ("青山县财政局2021年政府信息公开工作年度报告", "教育局", "青山县财政局", "department", "河南省信阳市青山县"),
    ("青山县东城街道办事处2021年政府信息公开工作年度报告", "西城街道", "青山县东城街道办事处", "township",
     "河南省信阳市青山县东城街道"),
    ("青山县城关镇关于报送2021年度政府信息公开工作年度报告的函", "教育局", "青山县城关镇", "township",
     "河南省信阳市青山县城关镇"),  # a cover letter's sender
    ("2021年政府信息公开工作年度报告", "东城街道办事处", "青山县东城街道办事处", "township", "河南省信阳市青山县东城街道"),
    ("2021年政府信息公开工作年度报告", "青山县东湖片区管理局", "青山县东湖片区管理局", "township",
     "河南省信阳市青山县东湖片区"),
])
def test_publisher(title, unit, publisher, level, region):
    assert publisher_of(title, unit, PORTAL) == {"publisher": publisher, "publisher_level": level,
                                                 "publisher_region": region}


@pytest.mark.parametrize("one, other, same", [
    ("青山县政府", "青山县人民政府", True),
    ("城关镇政府", "城关镇人民政府", True), ("城关镇", "青山县城关镇人民政府", True),
    ("东城街道办", "东城街道办事处", True), ("东城街道", "青山县东城街道办事处", True),
    ("东湖片区", "东湖片区管理局", True),
    ("城关镇人民政府", "青山县人民政府", False), ("东城街道办事处", "西城街道办事处", False),
    ("青山县城关镇人民政府", "青山县城关乡人民政府", False),
])
def test_a_governments_spellings_are_one_body(one, other, same):
    assert same_body(one, other, PORTAL) is same and same_body(other, one, PORTAL) is same
    assert (body_key(qualified(one, PORTAL)) == body_key(qualified(other, PORTAL))) is same


def test_portal_file_units_and_units_url():
    base = {"name": "甲", "url": "http://www.a.gov.cn/"}
    assert validate_portal(base)["units"] is True
    assert validate_portal({**base, "units": False})["units"] is False
    assert validate_portal({**base, "hints": {"units_url": "http://www.a.gov.cn/bm/"}})["hints"]["units_url"]
    with pytest.raises(PortalFileError, match="'units' must be true or false"):
        validate_portal({**base, "units": "no"})
    with pytest.raises(PortalFileError, match="units_url"):
        validate_portal({**base, "hints": {"units_url": "bm/"}})


LETTER = "青山县财政局关于报送2020年度政府信息公开工作年度报告的函"
TABLES = "".join(f"<p>{marker}</p>" for marker in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"))


def article_page(heading: str, body: str, url: str = "http://www.qingshan.gov.cn/bm/czj/t1.html") -> HtmlResponse:
    request = Request(url, meta={"portal": PORTAL["name"], "warc": {
        "warc_file": "warc/t.warc.gz", "warc_record_id": "<urn:uuid:t>", "fetched_at": "2026-01-01T00:00:00Z"}})
    return HtmlResponse(url, body=f"<html><body><h1>{heading}</h1>{body}</body></html>".encode(), encoding="utf-8",
                        request=request)


@pytest.mark.parametrize("heading, body, found", [
    (LETTER, TABLES, ("青山县财政局2020年度政府信息公开工作年度报告", 2020)),  # the tables on the page
    (LETTER, '<p>现将报告报送如下。</p><a href="/files/nb2020.pdf">附件：年度报告.pdf</a>',
     ("青山县财政局2020年度政府信息公开工作年度报告", 2020)),  # the report attached
    (LETTER, "<p>现将报告报送如下。</p>", None),  # neither
    ("关于做好2020年度政府信息公开工作年度报告编制工作的通知", TABLES + '<a href="/files/tz.doc">附件.doc</a>', None),
    ("青山县财政局2020年政府信息公开工作年度报告解读", TABLES, None),
])
def test_a_cover_letter_carrying_the_report_is_the_report(heading, body, found):
    assert article_report(article_page(heading, body), "") == found


def test_a_templated_year_that_is_a_cover_letter_is_the_report():
    portal = {**PORTAL, "url": "http://www.qingshan.gov.cn/",
              "hints": {"year_url_template": "http://www.qingshan.gov.cn/bm/czj/{year}.html"}}
    spider = portal_spider(portal)

    async def items():
        return [item async for item in spider.parse_hinted_report(article_page(LETTER, TABLES), year=2020)]
    (item,) = asyncio.run(items())
    assert (item.title, item.year, item.publisher) == ("青山县财政局2020年度政府信息公开工作年度报告", 2020, "青山县财政局")


def unit_requests(portal: dict, body: str, **meta) -> list:
    spider = portal_spider(portal)
    url = "http://www.qingshan.gov.cn/zwgk/bm/index.html"
    page = HtmlResponse(url, body=f"<html><body>{body}</body></html>".encode(), encoding="utf-8",
                        request=Request(url, meta={"portal": portal["name"], **meta}))
    return [r.meta["unit"]["name"] for r in spider.parse(page) if "unit" in r.meta]


def test_units_false_and_units_url():
    portal = {**PORTAL, "url": "http://www.qingshan.gov.cn/"}
    three = "".join(f'<a href="/bm/{n}/">{name}</a>' for n, name in enumerate(("教育局", "民政局", "财政局")))
    assert unit_requests(portal, three) == ["教育局", "民政局", "财政局"]
    assert unit_requests({**portal, "units": False}, three) == []
    one = '<a href="/bm/jyj/">教育局</a>'
    assert unit_requests(portal, one) == []
    hinted = {**portal, "hints": {"units_url": "http://www.qingshan.gov.cn/zwgk/bm/"}}
    assert unit_requests(hinted, one, units_hint=True) == ["教育局"]

    async def started(entry):
        return [(r.url, r.meta.get("units_hint")) async for r in portal_spider(entry).start()]
    assert asyncio.run(started(hinted)) == [("http://www.qingshan.gov.cn/", None),
                                            ("http://www.qingshan.gov.cn/zwgk/bm/", True)]
    assert asyncio.run(started({**hinted, "units": False})) == [("http://www.qingshan.gov.cn/", None)]


def test_publisher_examples():
    """crawler.publisher's examples: the body an item declares, the crawl's and the archive's one rule."""
    assert doctest.testmod(publisher).failed == 0
