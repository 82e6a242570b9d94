"""Where a publishing body sits: its region and administrative level.

:func:`for_report` prefers what the portal file says about the portal's own body;
otherwise both are read from the name by :func:`describe`.

Names of Chinese public bodies begin with the place they serve
(``淮安市洪泽区人民政府``, ``罗山县教育体育局``). :func:`describe` reads that
chain of place names; the last one gives the level. It is a heuristic from the
name alone: a county-level city named without its prefecture (``义乌市``) reads as
市级, and bodies named without a place (``教育部``) are taken as 国家级.
"""
from __future__ import annotations

import re

# Suffix of a place name → level of a body serving that place, most specific first.
_LEVELS = (
    (("特别行政区", "自治区", "省"), "省级"),
    (("自治州", "地区", "州", "盟", "市"), "市级"),
    (("自治县", "自治旗", "新区", "县", "区", "旗"), "县级"),
    (("街道", "镇", "乡"), "乡级"),
)
_SUFFIXES = "|".join(s for suffixes, _ in _LEVELS for s in suffixes)
_PLACE = re.compile(rf"[\u4e00-\u9fff]{{1,7}}?(?:{_SUFFIXES})")
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_NOT_PLACES = ("人民", "政府", "办公", "委员", "管理", "监督", "市场", "城市")


# Levels as a portal file may write them (crawler/portals.py) → the archive's names.
PORTAL_LEVELS = {"national": "国家级", "province": "省级", "city": "市级", "county": "县级", "township": "乡级"}


def for_report(name: str, item: dict) -> dict:
    """``{"region", "level"}`` of the body ``name`` that published a reports.jsonl ``item``.

    When the body is the item's portal, the item's ``region``/``level`` (the portal
    file's, when the crawl passes them on) win over the guess from the name.

    >>> for_report("罗山县人民政府", {"portal": "罗山县人民政府", "region": "河南省信阳市罗山县", "level": "county"})
    {'region': '河南省信阳市罗山县', 'level': '县级'}
    >>> for_report("罗山县教育体育局", {"portal": "罗山县人民政府", "level": "county"})
    {'region': '罗山县', 'level': '县级'}
    """
    described = describe(name)
    if name == item.get("portal"):
        level = item.get("level")
        declared = {"region": item.get("region"), "level": PORTAL_LEVELS.get(level, level)}
        described.update({key: value for key, value in declared.items() if value})
    return described


def describe(name: str | None) -> dict:
    """``{"region", "level"}`` of the body called ``name``.

    >>> describe("淮安市洪泽区人民政府")
    {'region': '淮安市洪泽区', 'level': '县级'}
    >>> describe("罗山县教育体育局")
    {'region': '罗山县', 'level': '县级'}
    >>> describe("河南省人民政府办公厅")
    {'region': '河南省', 'level': '省级'}
    >>> describe("上海市人民政府")
    {'region': '上海市', 'level': '省级'}
    >>> describe("教育部")
    {'region': None, 'level': '国家级'}
    """
    places = _places(name or "")
    if not places:
        return {"region": None, "level": "国家级" if name else None}
    return {"region": "".join(places), "level": _level(places)}


def _places(name: str) -> list[str]:
    places, rest = [], name
    while match := _PLACE.match(rest):
        place = match.group()
        if any(place.startswith(word) for word in _NOT_PLACES):
            break
        places.append(place)
        rest = rest[len(place):]
    return places


def _level(places: list[str]) -> str:
    last = places[-1]
    if len(places) == 1 and last in _MUNICIPALITIES:
        return "省级"
    if len(places) > 1 and last.endswith("市") and places[-2].endswith(("市", "州", "盟", "地区")):
        return "县级"  # a county-level city under its prefecture
    return next(level for suffixes, level in _LEVELS if last.endswith(suffixes))
