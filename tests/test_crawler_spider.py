"""The discovery spider on saved pages (tests/fixtures/crawler/site), offline."""
import asyncio
import json

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import ReportItem
from crawler.spiders.pages import attachment_filename, attachment_links, document, page_links
from crawler.spiders.portal import PortalSpider, list_endpoints, redirect_targets
from crawler.spiders.trs import TrsSpider, trs_pages
from tests.crawler_support import file_response, portal_spider

BASE = "http://www.example.gov.cn"
PORTAL = {"name": "示例县人民政府", "url": f"{BASE}/index.html"}


@pytest.fixture
def spider():
    return portal_spider(PORTAL, NIANBAO_MAX_HOPS=4)


def requests(results):
    """(url, callback name, cb_kwargs) of the requests a callback yields."""
    return [(r.url, r.callback.__name__, r.cb_kwargs) for r in results]


def urls(results, callback):
    return [url for url, name, _ in requests(results) if name == callback]


def test_start_uses_column_hint_before_home_page():
    crawler = get_crawler(PortalSpider)
    hinted = {"name": "B", "url": f"{BASE}/", "hints": {"column_url": f"{BASE}/zwgk/gknb/"}}
    spider = PortalSpider.from_crawler(crawler, portals=[PORTAL, hinted])

    async def collect():
        return [r async for r in spider.start()]

    started = asyncio.run(collect())
    assert [(r.url, r.meta["portal"], r.meta["column_hint"]) for r in started] == [
        (PORTAL["url"], PORTAL["name"], False), (f"{BASE}/zwgk/gknb/", "B", True)]


def test_home_page_leads_to_the_open_government_column(spider):
    results = list(spider.parse(file_response("index.html", f"{BASE}/index.html")))
    # 政务公开 only: not 首页/新闻中心, not the 政府工作报告 look-alike, not javascript: links
    assert requests(results) == [(f"{BASE}/zwgk/index.html", "parse", {"hops": 1})]
    assert results[0].meta["portal"] == PORTAL["name"]


def test_column_page_follows_open_information_columns_only(spider):
    results = spider.parse(file_response("zwgk/index.html", f"{BASE}/zwgk/index.html"), hops=1)
    # 政府信息公开 and 部门年报 (its title attribute names the column); not 首页, 指南, 财政预决算, nor
    # the nav's 政务公开, this very page
    assert urls(results, "parse") == [f"{BASE}/zwgk/xxgk/index.html", f"{BASE}/bmnb/index.html"]


def test_column_following_stops_at_max_hops(spider):
    assert list(spider.parse(file_response("zwgk/index.html", f"{BASE}/zwgk/index.html"), hops=4)) == []


def test_redirect_shell_is_followed_without_a_hop(spider):
    response = file_response("zwgk/gknb.html", f"{BASE}/zwgk/gknb.html")
    assert redirect_targets(response) == [f"{BASE}/zwgk/xxgk/zfxxgknb/index.html"]
    assert requests(spider.parse(response, hops=3)) == [(f"{BASE}/zwgk/xxgk/zfxxgknb/index.html", "parse", {"hops": 3})]


def test_a_page_glued_after_another_is_read_too():
    # a server that glues a second document (or a script) after </html>: lxml makes it a sibling of the
    # root element, and its links and scripts count as the first's
    glued = ('<html><body><a href="/a.html">甲</a></body></html>'
             '<html><body><a href="/b.html">乙</a><script>location.replace("/c.html");</script></body></html>')
    response = HtmlResponse(f"{BASE}/x.html", body=glued.encode("utf-8"), encoding="utf-8")
    assert [link.url for link in page_links(response)] == [f"{BASE}/a.html", f"{BASE}/b.html"]
    assert redirect_targets(response) == [f"{BASE}/c.html"]


def test_trs_listing_yields_reports_and_every_page(spider):
    url = f"{BASE}/zwgk/xxgk/zfxxgknb/index.html"
    response = file_response("zwgk/xxgk/zfxxgknb/index.html", url)
    assert trs_pages(response, limit=10) == [url, f"{BASE}/zwgk/xxgk/zfxxgknb/index_1.html"]
    results = list(spider.parse(response, hops=3))
    # the truncated link text is replaced by its title attribute; the 解读 and 统计年报 are skipped
    assert [r for r in requests(results) if r[1] == "parse_report"] == [(
        f"{BASE}/zwgk/xxgk/zfxxgknb/202201/t20220120_101.html", "parse_report",
        {"listing_url": url, "title": "示例县人民政府2021年政府信息公开工作年度报告", "published": "2022-01-20"})]
    # the pager's own page (index.html, this one) is not asked for again
    assert urls(results, "parse") == [f"{BASE}/zwgk/xxgk/zfxxgknb/index_1.html"]
    assert results[-1].meta["listing"] == url  # page 2 counts towards this listing's NIANBAO_MAX_LISTING_PAGES


def test_the_trs_base_alone_reads_static_listings_only():
    """The thin CMS base, as a spider of its own (``scrapy crawl trs``), on the column hint: the same
    reports and pages as the generic spider, and no hops to other columns."""
    url = f"{BASE}/zwgk/xxgk/zfxxgknb/index.html"
    trs = TrsSpider.from_crawler(get_crawler(TrsSpider, {"NIANBAO_MAX_LISTING_PAGES": 200}),
                                 portals=[{**PORTAL, "hints": {"column_url": url}}])
    results = requests(trs.parse(file_response("zwgk/xxgk/zfxxgknb/index.html", url), hops=0))
    assert [(u, name) for u, name, _ in results] == [
        (f"{BASE}/zwgk/xxgk/zfxxgknb/202201/t20220120_101.html", "parse_report"),
        (f"{BASE}/zwgk/xxgk/zfxxgknb/index_1.html", "parse")]
    assert list(trs.parse(file_response("zwgk/index.html", f"{BASE}/zwgk/index.html"))) == []


def test_newer_trs_pager_signature():
    response = file_response("zwgk/xxgk/zfxxgknb/index.html", f"{BASE}/col/")
    response = response.replace(body=b'<script>createPageHTML("page_div", 3, 1, "index", "shtml", 41);</script>')
    assert trs_pages(response, limit=10) == [f"{BASE}/col/index.shtml", f"{BASE}/col/index_1.shtml", f"{BASE}/col/index_2.shtml"]


def test_query_and_next_page_links_are_paging():
    html = ('<ul><li><a href="/a/t1.html">2021年政府信息公开工作年度报告</a></li></ul>'
            '<a href="list.html?page=2">2</a><a href="list.html?page=3">下一页</a><a href="/other/x.html">3</a>'
            '<a href="?page=4">尾页</a>').encode()
    spider = portal_spider(PORTAL, NIANBAO_MAX_HOPS=0)
    response = file_response("index.html", f"{BASE}/a/list.html").replace(body=html)
    assert urls(spider.parse(response), "parse") == [f"{BASE}/a/list.html?page=2", f"{BASE}/a/list.html?page=3",
                                                    f"{BASE}/a/list.html?page=4"]


def test_listing_without_reports_is_not_paged(spider):
    response = file_response("zwgk/xxgk/zfxxgknb/index.html", f"{BASE}/xwzx/index.html")
    response = response.replace(body=b'<a href="/xwzx/t1.html">news</a><script>createPageHTML(50, 0, "index", "html")</script>')
    assert list(spider.parse(response, hops=4)) == []


def test_list_endpoint_found_in_inline_script(spider):
    response = file_response("bmnb/index.html", f"{BASE}/bmnb/index.html")
    # the list URL with its page number filled in; not the search box's URL, not the script src
    assert list_endpoints(response) == [f"{BASE}/api/bmnb/list?page=1"]
    assert requests(spider.parse(response, hops=2)) == [(f"{BASE}/api/bmnb/list?page=1", "parse_endpoint", {"hops": 2})]


def test_json_listing_yields_reports_and_other_pages(spider):
    url = f"{BASE}/api/bmnb/list?page=1"
    response = file_response("api/bmnb/list_page1", url, headers={"Content-Type": "application/json"})
    results = requests(spider.parse_endpoint(response, hops=2))
    assert results == [
        (f"{BASE}/bmnb/jyj2021.pdf", "parse_report",
         {"listing_url": url, "title": "示例县教育局2021年政府信息公开工作年度报告", "published": "2022-01-28"}),
        (f"{BASE}/api/bmnb/list?page=2", "parse_endpoint", {"hops": 2}),
    ]


def test_xml_list_endpoint_yields_reports_and_other_pages(spider):
    """The same reader on an endpoint answering a Hanweb-style XML datastore: records and <totalpage>."""
    url = f"{BASE}/api/xmllist/list?pageNo=1"
    response = file_response("api/xmllist/list_pageNo1", url, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert requests(spider.parse_endpoint(response, hops=2)) == [
        (f"{BASE}/xmllist/art/2023/t2022.html", "parse_report",
         {"listing_url": url, "title": "示例乡人民政府2022年政府信息公开工作年度报告", "published": "2023-01-16"}),
        (f"{BASE}/api/xmllist/list?pageNo=2", "parse_endpoint", {"hops": 2}),
        (f"{BASE}/api/xmllist/list?pageNo=3", "parse_endpoint", {"hops": 2}),
    ]


def test_malformed_json_raises_for_the_crawl_log(spider):
    response = file_response("api/bmnb/list_page1", f"{BASE}/api/x?page=1", headers={"Content-Type": "application/json"})
    with pytest.raises(json.JSONDecodeError):
        list(spider.parse_endpoint(response.replace(body=b"<html>busy</html>")))


def collect_report(spider, response, **kwargs):
    async def run():
        return [item async for item in spider.parse_report(response, **kwargs)]
    (item,) = asyncio.run(run())
    return item


def test_report_page_with_attachments(spider, monkeypatch):
    url = f"{BASE}/zwgk/xxgk/zfxxgknb/202201/t20220120_101.html"
    response = file_response("zwgk/xxgk/zfxxgknb/202201/t20220120_101.html", url)
    assert [(link.url, link.text) for link in attachment_links(response)] == [
        (f"{BASE}/files/2021report.pdf", "示例县2021年政府信息公开工作年度报告.pdf"),
        (f"{BASE}/files/download?id=7", "附件2：统计表"),
    ]

    async def fetched(link, portal):  # stands in for the engine download
        path = {"/files/2021report.pdf": "files/2021report.pdf", "/files/download?id=7": "files/download_id7"}
        attachment = file_response(path[link.url[len(BASE):]], link.url, headers={"Content-Type": "application/pdf"})
        return document(attachment, "attachment", attachment_filename(attachment, link.text))

    monkeypatch.setattr(spider, "fetch_attachment", fetched)
    item = collect_report(spider, response, listing_url="L", title="示例县人民政府2021年政府信息公开工作年度...", published=None)
    assert isinstance(item, ReportItem)
    assert (item.portal, item.portal_url, item.page_url, item.listing_url) == (PORTAL["name"], PORTAL["url"], url, "L")
    # a truncated listing title is completed from the page; the date comes from the page's PubDate
    assert (item.title, item.year, item.published) == ("示例县人民政府2021年政府信息公开工作年度报告", 2021, "2022-01-20")
    assert [(d["role"], d["url"], d["filename"]) for d in item.documents] == [
        ("page", url, None),
        ("attachment", f"{BASE}/files/2021report.pdf", "示例县2021年政府信息公开工作年度报告.pdf"),
        ("attachment", f"{BASE}/files/download?id=7", "download"),  # no name but the URL's
    ]
    page = item.documents[0]
    assert page["body"] == response.body and page["size"] == len(response.body)
    assert (page["warc_file"], page["warc_record_id"]) == ("warc/test.warc.gz", "<urn:uuid:test>")


def test_pictures_in_a_reports_text_are_attachments():
    url = f"{BASE}/nb/2021nb.html"
    page = ('<html><body><div class="logo"><a href="/"><img src="/images/logo.png"></a></div>'
            '<h1>示例区人民政府2021年政府信息公开工作年度报告</h1><p><img src="./W020220125_1.jpg"></p>'
            '<table><tr><td><img src="http://img.example.gov.cn/t2.png"></td></tr></table>'
            '<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><a href="./W020220125_1.jpg">看大图</a></p>'
            '<div class="footer"><img src="/images/police.png"></div></body></html>')
    response = file_response("nb/2021nb.html", url).replace(body=page.encode())
    assert [link.url for link in attachment_links(response)] == [
        f"{BASE}/nb/W020220125_1.jpg", "http://img.example.gov.cn/t2.png"]


def test_pictures_of_a_table_laid_out_portal_are_the_reports_only():
    """An old portal lays out the whole page with tables: its banner, menu bullets, icons and
    footer badges sit in table cells, as the report's own pictures do."""
    url = f"{BASE}/nb/2021nb.html"
    page = ('<html><head><title>示例县人民政府2021年政府信息公开工作年度报告_示例县人民政府</title></head><body>'
            '<table width="1000"><tr><td><img src="/images/banner.jpg" width="1000" height="150"></td></tr>'
            '<tr><td class="nav"><table><tr><td><img src="/images/dot.gif">首页</td></tr></table></td></tr>'
            '<tr><td><table><tr><td><img src="/images/arrow.gif"> 当前位置：首页 &gt; 年报</td></tr>'
            '<tr><td class="title">示例县人民政府2021年政府信息公开工作年度报告</td></tr>'
            '<tr><td><p>二、主动公开政府信息情况</p><p><img src="/uploads/t2.jpg" width="600"></p>'
            '<p><img src="/uploads/t3.jpg"></p></td></tr>'
            '<tr><td><img src="/images/print.gif" width="16" height="16">打印本页 '
            '<img src="/images/close.gif" width="16px" height="16px">关闭窗口</td></tr></table></td></tr>'
            '<tr><td class="bottom"><p><img src="/images/jiucuo.png">政府网站找错</p>'
            '<p><img src="/images/gongan.png">豫公网安备 41152102000001号</p></td></tr></table></body></html>')
    response = file_response("nb/2021nb.html", url).replace(body=page.encode())
    assert [link.url for link in attachment_links(response)] == [f"{BASE}/uploads/t2.jpg", f"{BASE}/uploads/t3.jpg"]
    # A page that shows its title only in <title>: every picture is considered, the chrome still left out.
    body_title = '<tr><td class="title">示例县人民政府2021年政府信息公开工作年度报告</td></tr>'
    untitled = response.replace(body=page.replace(body_title, "").encode())
    assert [link.url for link in attachment_links(untitled)] == [
        f"{BASE}/images/banner.jpg", f"{BASE}/images/arrow.gif", f"{BASE}/uploads/t2.jpg", f"{BASE}/uploads/t3.jpg"]


def test_gbk_report_page_is_decoded(spider):
    url = f"{BASE}/zwgk/xxgk/zfxxgknb/202101/t20210115_90.html"
    response = file_response("zwgk/xxgk/zfxxgknb/202101/t20210115_90.html", url, headers={"Content-Type": "text/html"})
    item = collect_report(spider, response, listing_url="L", title="示例县人民政府2020年度政府信息公开工作年度报告",
                          published=None)
    assert (item.year, item.published) == (2020, "2021-01-15")  # 发布日期 label in GBK text
    assert [d["role"] for d in item.documents] == ["page"]


def test_report_file_linked_straight_from_a_listing(spider):
    url = f"{BASE}/bmnb/jyj2021.pdf"
    response = file_response("bmnb/jyj2021.pdf", url, headers={"Content-Type": "application/pdf"})
    item = collect_report(spider, response, listing_url="L", title="示例县教育局2021年政府信息公开工作年度报告",
                          published="2022-01-28")
    assert item.page_url == url
    assert [(d["role"], d["filename"], d["content_type"]) for d in item.documents] == [
        ("attachment", "jyj2021.pdf", "application/pdf")]


@pytest.mark.parametrize("declared, region_level", [
    ({"region": "河南省信阳市示例县", "level": "county"}, ("河南省信阳市示例县", "county")),
    ({}, (None, None)),
])
def test_report_item_carries_the_portal_files_region_and_level(declared, region_level):
    response = file_response("bmnb/jyj2021.pdf", f"{BASE}/bmnb/jyj2021.pdf", headers={"Content-Type": "application/pdf"})
    item = collect_report(portal_spider({**PORTAL, **declared}), response, listing_url="L",
                          title="示例县教育局2021年政府信息公开工作年度报告", published=None)
    assert (item.portal_region, item.portal_level) == region_level


@pytest.mark.parametrize("disposition, link_text, name", [
    (b"attachment; filename=\"P0.pdf\"; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf", "x", "年报.pdf"),
    ('attachment; filename="年报.docx"'.encode("gbk"), "x", "年报.docx"),
    (None, "附件1：2021年报.pdf", "2021年报.pdf"),
    (None, "下载", "b.pdf"),
])
def test_attachment_filename(disposition, link_text, name):
    headers = {"Content-Disposition": disposition} if disposition else {}
    response = file_response("bmnb/jyj2021.pdf", f"{BASE}/u/b.pdf", headers=headers)
    assert attachment_filename(response, link_text) == name


def test_link_dates_come_from_their_list_row():
    response = file_response("zwgk/xxgk/zfxxgknb/index_1.html", f"{BASE}/zwgk/xxgk/zfxxgknb/index_1.html")
    assert [link.date for link in page_links(response)] == ["2021-01-15", "2020-01-10", "2019-01-10"]


def test_columns_are_followed_on_the_portal_site_only(spider):
    response = file_response("index.html", f"{BASE}/index.html").replace(body=(
        '<a href="http://xxgk.example.gov.cn/zfxxgk/">政府信息公开</a>'
        '<a href="http://www.gov.cn/zhengce/xxgk/">政府信息公开</a>').encode())
    assert urls(spider.parse(response), "parse") == ["http://xxgk.example.gov.cn/zfxxgk/"]
