"""The publishing body's region and level, from its name and what the report's text prints."""
from __future__ import annotations

import pytest

from extract import extract_document, extract_file
from extract.region import read_region, split_region
from test_extract_support import FIXTURES, SEED

TEXT = "本报告由淮安市洪泽区人民政府办公室根据《条例》编制。\n江苏省淮安市人民政府\n"


def region(province=None, city=None, county=None, township=None) -> dict:
    return {"province": province, "city": city, "county": county, "township": township}


@pytest.mark.parametrize("agency, expected_region, level", [
    ("罗山县人民政府", region(county="罗山县"), "county"),
    ("淮安市人民政府", region("江苏省", "淮安市"), "city"),  # province from "江苏省淮安市人民政府" in the text
    ("洪泽区人民政府", region(city="淮安市", county="洪泽区"), "county"),  # city from "由淮安市洪泽区…"
    ("江苏省人民政府", region("江苏省"), "province"),
    ("广西壮族自治区人民政府办公厅", region("广西壮族自治区"), "province"),
    ("北京市人民政府", region("北京市"), "province"),
    ("北京市海淀区人民政府", region("北京市", county="海淀区"), "county"),
    ("信阳市罗山县龙山街道办事处", region(city="信阳市", county="罗山县", township="龙山街道"), "township"),
    ("洪泽区岔河镇人民政府", region(city="淮安市", county="洪泽区", township="岔河镇"), "township"),
    ("河南省发展和改革委员会", region("河南省"), "department"),
    ("罗山县市场监督管理局", region(county="罗山县"), "department"),  # 罗山县 + 市场…, not a city 罗山县市
    ("郑州市人民政府", region(city="郑州市"), "city"),  # 州 inside a city's name
    ("镇江市人民政府", region(city="镇江市"), "city"),  # 镇 inside a city's name
    ("新乡市卫辉市人民政府", region(city="新乡市", county="卫辉市"), "county"),  # a county-level city
    ("河南省新乡市获嘉县史庄镇人民政府", region("河南省", "新乡市", "获嘉县", "史庄镇"), "township"),
    ("淮安市市场监督管理局", region("江苏省", "淮安市"), "department"),  # province from the text
    ("重庆市武隆区人民政府", region("重庆市", county="武隆区"), "county"),
    ("延边朝鲜族自治州人民政府", region(city="延边朝鲜族自治州"), "city"),
    ("内蒙古自治区阿拉善盟阿拉善左旗人民政府", region("内蒙古自治区", "阿拉善盟", "阿拉善左旗"), "county"),
    ("锡林郭勒盟行政公署办公室", region(city="锡林郭勒盟"), "city"),  # 行政公署: a 盟 or 地区's government
    # a zone's 管委会 is the zone's government, of the zone's tier; its area bureaus (片区管理局),
    # street offices, 乡 and 镇 are township level
    ("平潭综合实验区管委会", region(county="平潭综合实验区"), "county"),
    ("平潭综合实验区党工委管委会办公室", region(county="平潭综合实验区"), "county"),
    ("郑州高新技术产业开发区管理委员会", region(county="郑州高新技术产业开发区"), "county"),
    ("河南省信阳市羊山新区管理委员会", region("河南省", "信阳市", "羊山新区"), "county"),
    ("平潭综合实验区海坛片区管理局", region(county="平潭综合实验区", township="海坛片区"), "township"),
    ("平潭综合实验区财政金融局", region(county="平潭综合实验区"), "department"),
    ("海坛片区管理局", region(township="海坛片区"), "township"),  # an area bureau named without its zone
    # words of a department's name that end like a place: 城乡 (住房和城乡建设局), 城市 (城市管理局)
    ("罗山县住房和城乡建设局", region(county="罗山县"), "department"),
    ("住房和城乡建设局", region(), None),
    ("罗山县古城乡人民政府", region(county="罗山县", township="古城乡"), "township"),  # a township named …城乡
    ("城市管理局", region(), None),
    ("金华市义乌市城市管理局", region(city="金华市", county="义乌市"), "department"),
    ("阳泉市城区人民政府", region(city="阳泉市", county="城区"), "county"),  # a district named 城区
    ("罗山县龙山街道办事处", region(county="罗山县", township="龙山街道"), "township"),
    ("罗山县周党镇人民政府", region(county="罗山县", township="周党镇"), "township"),
    ("罗山县铁铺乡人民政府", region(county="罗山县", township="铁铺乡"), "township"),
    ("罗山县周党镇农业服务中心", region(county="罗山县", township="周党镇"), "department"),
    ("教育部", region(), "national"),  # central bodies are named without a place
    ("国家统计局", region(), "national"),
    ("人力资源和社会保障部", region(), "national"),
    ("海关总署", region(), "national"),
    ("国务院办公厅", region(), "national"),
    ("某局", region(), None),
    (None, region(), None),
])
def test_region_and_level(agency, expected_region, level):
    assert read_region(agency, TEXT) == (expected_region, level)


@pytest.mark.parametrize("places, expected", [
    ("河南省信阳市", region("河南省", "信阳市")),
    ("河南省信阳市罗山县", region("河南省", "信阳市", "罗山县")),
    ("北京市 海淀区", region("北京市", county="海淀区")),
    ("信阳一带", region()),  # not only place names: not split
    (None, region()),
])
def test_split_region(places, expected):
    assert split_region(places) == expected


def test_a_name_run_into_prose_is_not_taken():
    """A name is taken back to the nearest word break (我, 由, punctuation …); 14 characters
    of running text with no break before it are not trusted to start with the name."""
    assert read_region("洪泽区人民政府", "工作人员认真学习贯彻落实淮安市洪泽区的部署")[0]["city"] is None
    assert read_region("洪泽区人民政府", "我淮安市洪泽区")[0]["city"] == "淮安市"


@pytest.mark.parametrize("path, agency, expected_region, level", [
    (SEED, "罗山县人民政府", region(county="罗山县"), "county"),
    (FIXTURES / "huaian-city-gov-2024.pdf", "淮安市人民政府", region(city="淮安市"), "city"),
    (FIXTURES / "huaian-hongze-district-gov-2023.pdf", "洪泽区人民政府", region(city="淮安市", county="洪泽区"), "county"),
    (FIXTURES / "huaian-hongze-district-gov-2024.pdf", "淮安市洪泽区人民政府", region(city="淮安市", county="洪泽区"),
     "county"),
])
def test_region_of_real_reports(path, agency, expected_region, level):
    record = extract_file(path)
    assert (record["agency"], record["region"], record["level"]) == (agency, expected_region, level)


def test_record_without_agency_has_empty_region():
    record = extract_document(b"")
    assert record["region"] == region() and record["level"] is None
