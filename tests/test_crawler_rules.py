"""The shared text rules: which titles are annual open-information reports, their year,
which links lead to the 年报 column or are attachments, and dates."""
import pytest

from crawler.addresses import site_of
from crawler.spiders.links import is_attachment_link, is_column_link
from extract.rules import find_date, is_report_title, report_year

TITLES = [
    # (title, is a report, year)
    ("罗山县人民政府2021年政府信息公开工作年度报告", True, 2021),
    ("罗山县人民政府2023年度政府信息公开工作年度报告", True, 2023),
    ("2023年信阳市教育局政府信息公开工作年度报告", True, 2023),
    ("河南省发展和改革委员会 2020 年政府信息公开年度报告", True, 2020),
    ("示例县2019年信息公开年报", True, 2019),
    ("示例县教育局关于2021年度政府信息公开工作的年度报告", True, 2021),
    ("二〇二一年政府信息公开工作年度报告", True, 2021),
    ("政府信息公开工作年度报告（2022年）", True, 2022),
    ("罗山县统计局2021年政府信息公开工作年度报告", True, 2021),  # 统计 in a body's name
    ("罗山县统计局2021年政府信息公开统计数据", False, 2021),
    ("罗山县2021年政府信息公开工作年度报告统计表", False, 2021),  # 统计 outside a body's name
    # look-alikes
    ("2022年罗山县政府工作报告", False, 2022),
    ("罗山县2021年统计年报", False, 2021),
    ("罗山县2021年国民经济和社会发展统计公报", False, 2021),
    ("罗山县教育局2021年部门决算", False, 2021),
    ("罗山县教育局2022年部门预算公开", False, 2022),
    ("2021年度部门整体支出绩效自评报告", False, 2021),
    ("罗山县2021年度绩效报告", False, 2021),
    ("关于罗山县人民政府2021年政府信息公开工作年度报告的解读", False, 2021),
    ("图解：罗山县2021年政府信息公开工作年度报告", False, 2021),
    ("关于报送2021年政府信息公开工作年度报告的通知", False, 2021),
    ("关于做好2022年政府信息公开工作年度报告编制发布工作的通知", False, 2022),
    ("2021年政务公开工作要点", False, 2021),
    # column names: the report words without a year
    ("政府信息公开年报", False, None),
    ("政府信息公开工作年度报告", False, None),
]


@pytest.mark.parametrize("title, accepted, year", TITLES)
def test_report_titles(title, accepted, year):
    assert is_report_title(title) is accepted
    assert report_year(title) == year


@pytest.mark.parametrize("text, url, followed", [
    ("政务公开", "http://a/zwgk/index.html", True),
    ("政府信息公开", "http://a/zwgk/xxgk/", True),
    ("政府信息公开年报", "http://a/zwgk/gknb.html", True),
    ("年度报告", "http://a/col/col123/index.html", True),
    ("年报", "http://a/zfxxgknb/", True),
    ("更多", "http://a/zwgk/zfxxgknb/index.html", True),
    ("更多", "http://a/xxgknb.html", True),
    ("政府信息公开指南", "http://a/zwgk/zn/", False),
    ("依申请公开", "http://a/zwgk/ysq/", False),
    ("统计年报", "http://a/tjnb/", False),
    ("财政预决算", "http://a/czyjs/", False),
    ("新闻中心", "http://a/xwzx/", False),
    # an article under the column's folder is not the column
    ("工作动态", "http://a/zwgk/zfxxgknb/202201/t20220120_101.html", False),
    # news and documents that mention the words are not columns
    ("罗山县人民政府关于进一步加强和改进政府信息公开工作的实施意见", "http://a/zwgk/xxgk/1.html", False),
    ("全市教育系统政务公开培训会召开", "http://a/jydt/202405/t1.html", False),
    ("2024年政务公开工作", "http://a/xwzx/202404/t2.html", False),
])
def test_column_links(text, url, followed):
    assert is_column_link(text, url) is followed


@pytest.mark.parametrize("text, url, attachment", [
    ("报告全文", "http://a/files/P020220120.pdf", True),
    ("下载", "http://a/u/2021年报.DOCX", True),
    ("表格", "http://a/u/b.xlsx", True),
    ("文件", "http://a/u/b.wps", True),
    ("文件", "http://a/u/b.xls", True),
    ("文件", "http://a/u/b.doc", True),
    ("附件1：统计表", "http://a/download?id=7", True),
    ("2021年报告.pdf", "http://a/download?id=8", True),
    ("第1页", "http://a/u/nb1.JPG", True),                # a report published as scanned pages
    ("返回首页", "http://a/index.html", False),
    ("下一篇", "http://a/zwgk/t2.html", False),
])
def test_attachment_links(text, url, attachment):
    assert is_attachment_link(text, url) is attachment


@pytest.mark.parametrize("text, date", [
    ("2022-01-20", "2022-01-20"),
    ("发布时间：2022/1/5 10:00", "2022-01-05"),
    ("2022.01.20", "2022-01-20"),
    ("2022年1月20日", "2022-01-20"),
    ("[2022-13-01] 2022-02-01", "2022-02-01"),
    ("罗山县2021年政府信息公开工作年度报告", None),
    ("", None),
])
def test_find_date(text, date):
    assert find_date(text) == date


@pytest.mark.parametrize("a, b, same", [
    ("http://www.luoshan.gov.cn/", "http://xxgk.luoshan.gov.cn/zfxxgknb/", True),
    ("http://www.luoshan.gov.cn/", "https://www.luoshan.gov.cn:8443/", True),
    ("http://www.luoshan.gov.cn/", "http://www.xinyang.gov.cn/", False),
    ("http://jyj.example.com/", "http://www.example.com/", True),
    ("http://127.0.0.1:8001/", "http://127.0.0.1:8001/zwgk/", True),
    ("http://127.0.0.1:8001/", "http://127.0.0.1:8002/", False),
    ("http://localhost:8001/", "http://localhost:8002/", False),
])
def test_sites(a, b, same):
    assert (site_of(a) == site_of(b)) is same
