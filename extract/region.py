"""Where the publishing body sits and what kind of body it is, from its name and the text.

"淮安市洪泽区人民政府" → region {city: 淮安市, county: 洪泽区}, level "county";
"罗山县市场监督管理局" → region {county: 罗山县}, level "department"; a zone's 管委会 is the
zone's government (平潭综合实验区管委会: county, the tier the zone has in the name), a 片区管理局,
街道办事处, 乡 or 镇 government is township level; a central body named
without a place ("教育部", "国家统计局") is level "national". Only what the
name or the report's own text prints is recorded: a body named "洪泽区人民政府" gets its
city when the text calls it "淮安市洪泽区人民政府" somewhere, never from a gazetteer.
"""
from __future__ import annotations

import re

REGION_KEYS = ("province", "city", "county", "township")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")  # province-level cities
# Zones governed by a 管理委员会 (管委会) as their government: 平潭综合实验区, 郑州高新技术产业开发区 …
_ZONES = ("开发区", "园区", "新区", "实验区", "试验区", "示范区", "合作区", "保税区")


def _name(also: str = "") -> str:
    """A unit's own name: it never holds the suffix of a unit at or above it ("罗山县市场…"
    is 罗山县 + 市场…), though it may hold a lower one's (新乡市, 镇江市, 郑州市)."""
    return rf"[^省市县区旗{also}\s（）()]"


_UNITS = re.compile(
    rf"^(?P<province>{'|'.join(_MUNICIPALITIES)}|{_name()}{{2,7}}?(?:省|自治区))?"
    rf"(?P<city>{_name()}{{2,7}}?(?:市|自治州|地区|盟))?"
    # 市 after a city: a county-level city, whose name has two characters at least (not the 城市
    # of 城市管理局); a 片区 is a zone's area, not a district (区)
    rf"(?P<county>{_name()}{{1,9}}?(?:自治县|县|(?<!片)区|旗)|{_name()}{{2,9}}?市"
    rf"|{_name()}{{1,16}}?(?:{'|'.join(_ZONES)}))?"  # a zone with a long name
    # 片区: a zone's area; 城乡 ("urban and rural", 住房和城乡建设局) ends a township's name (古城乡,
    # 新城乡) only where the township's government follows it
    rf"(?P<township>{_name('镇乡')}{{1,7}}?(?:镇|(?<!城)乡|(?<=城)乡(?=(?:人民)?政府)|街道|片区))?")
# Bodies of the central government: named without a place, as 国务院's own bodies are.
_NATIONAL = re.compile(r"^(?:国务院|中华人民共和国|中共中央|国家)|^[^省市县区旗镇乡]{1,12}(?:部|总署|总局)$")
# What follows the units in the name of a government itself (not one of its departments);
# a 地区 or 盟 is governed by its 行政公署, a zone by its 管委会 (with the party's 党工委), a
# street by its 办事处, a zone's area (片区) by its 管理局.
_GOVERNMENT = re.compile(r"^(?:人民政府|政府|行政公署|(?:党工委)?(?:管理委员会|管委会))(?:办公室|办公厅)?$"
                         r"|^(?:街道)?办事处$")
_AREA_GOVERNMENT = re.compile(r"^管理局(?:办公室)?$")


def read_region(agency: str | None, text: str) -> tuple[dict, str | None]:
    """(region, level) of the body named ``agency``; region keys are province, city,
    county, township (None where neither the name nor the text gives one)."""
    region = dict.fromkeys(REGION_KEYS)
    if not agency:
        return region, None
    name = re.sub(r"\s+", "", agency)
    units, end = _units(name)
    if not any(units.values()):
        return region, "national" if _NATIONAL.match(name) else None
    region.update(units)
    _widen_from_text(region, text)
    return region, _level(units, name[end:])


def split_region(places: str | None) -> dict:
    """A region written as one string of place names ("河南省信阳市罗山县", as a portal
    file gives it) split into its units; None for units it does not name."""
    places = re.sub(r"\s+", "", places or "")
    units, end = _units(places)
    return units if end == len(places) else dict.fromkeys(REGION_KEYS)  # not only places: not split


def _units(name: str) -> tuple[dict, int]:
    """The units the name starts with, and where they end."""
    m = _UNITS.match(name)
    return {k: m.group(k) for k in REGION_KEYS}, m.end()


def _level(units: dict, rest: str) -> str | None:
    """The tier of the deepest unit for its government (a 管委会 has its zone's tier), else
    ``department``."""
    area = (units["township"] or "").endswith("片区") and _AREA_GOVERNMENT.match(rest)
    if not (_GOVERNMENT.match(rest) or area):
        return "department" if rest else None
    # a district of Beijing is a county-level unit directly under the province-level city
    return next((k for k in reversed(REGION_KEYS) if units[k]), None)


def _widen_from_text(region: dict, text: str) -> None:
    """Fill the units above the body's highest one from the fullest way the text names it
    ("洪泽区" printed as "淮安市洪泽区" gives the city).

    Chinese prints no space before a name, so the name is taken back only to the start of
    the line or the nearest word that cannot be part of it (由, 在, punctuation …)."""
    top = next(k for k in REGION_KEYS if region[k])
    if top == "province":
        return
    own = region[top]
    best: dict = {}
    for m in re.finditer(re.escape(own), text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        before = text[max(line_start, m.start() - _LOOK_BACK): m.start()]
        cut = max((before.rfind(c) for c in _BEFORE_NAMES), default=-1)
        if cut < 0 and len(before) == _LOOK_BACK:
            continue  # the name may begin further back: not taken
        prefix = before[cut + 1:]
        found, end = _units(prefix + own)
        if found[top] != own or end != len(prefix + own):
            continue
        above = {k: found[k] for k in REGION_KEYS[: REGION_KEYS.index(top)] if found[k]}
        if len(above) > len(best):
            best = above
    region.update(best)


_LOOK_BACK = 14  # characters: longer than any province and city name together
# Characters that end the word before a place name in running text.
_BEFORE_NAMES = set("由在于是对为向和与及据经将从全我、，。：:；;（(“\"《 \t")
