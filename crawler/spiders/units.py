"""Directories of the units a portal hosts: which links lead to one, and the units a page lists.

A county's portal hosts the reports of its departments and townships, each in its own 年报
column under a directory page (部门信息公开, 部门和片区, 乡镇（街道）信息公开, 县直部门, 镇街信息公开,
a 政府信息公开平台 with a unit list). A directory lists its units in one of three shapes, all read
here: links, a ``<select>`` whose options' values are the units' addresses, or a JavaScript
array / JSON of ``{name, url}`` objects in an inline script. A unit is an entry whose text is a
body's name (``extract.rules.BODY_NAME``: …局, …委, …办, …镇, …乡, …街道, …片区管理局).
Functions of a response and its links, no crawl state; ``crawler.spiders.portal`` decides when to
read them; where a unit's pages end and how far its crawl may leave them (:func:`unit_reaches`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from crawler.spiders.links import COLUMN_NOT, COLUMN_TEXT_MAX
from crawler.spiders.pages import Link, inline_scripts
from extract.rules import BODY_NAME, REPORT_KINDS, find_date, is_lookalike, report_year

# Link texts naming a directory of hosted units (besides those naming 信息公开, which are column
# links); not 街道 or 片区, which end units' own names.
DIRECTORY_WORDS = ("部门", "乡镇", "镇街", "县直", "市直", "区直")
UNIT_NAME_MAX = 30
# Words of a column or a page, not of a body's own name ("政务公开办", "信息公开办" are no units).
NOT_UNIT_WORDS = ("信息公开", "政务公开", "首页", "网站", *REPORT_KINDS)
# An object literal of a unit list in a script: {name: "教育局", url: "/bm/jyj/"} (JSON keys quoted too).
JS_OBJECT = re.compile(r"\{([^{}]*)\}")
JS_STRING_PAIR = re.compile(r"""["']?(\w+)["']?\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")
URL_KEYS = ("url", "href", "link", "path", "src", "value")
# An escape in a script's string: JSON as PHP's json_encode writes it by default has "\/" and "\u6559" in it.
JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
ADDRESS = re.compile(r"^(?:https?://|/|\./|\.\./)|\.s?html?(?:[?#]|$)|/$")
MIN_UNITS = 3  # a list of fewer body names is a page's chance mention, not a directory
# Column hops a unit's crawl may take out of its own pages, from its page: to its 信息公开 column,
# then to its 年报 column (Hanweb: both /col/colN/ pages of the portal's host); its listing's pages
# are read by the listing readers wherever they are.
UNIT_AWAY_HOPS = 2
NOT_AWAY_WORDS = ("政务公开",)  # the portal's section over every body's columns, no unit's own


@dataclass(frozen=True)
class Unit:
    name: str   # as the directory writes it (link text, option text, the script's name)
    url: str    # absolute: the unit's home page or its 信息公开 / 年报 column


def is_directory_link(text: str) -> bool:
    """A short, undated link text naming a directory of units (县直部门, 部门和片区, 镇街)."""
    text = text.strip()
    return (0 < len(text) <= COLUMN_TEXT_MAX and not report_year(text) and not is_lookalike(text)
            and any(word in text for word in DIRECTORY_WORDS) and not any(word in text for word in COLUMN_NOT))


def is_unit_name(text: str) -> bool:
    """A body's name standing alone: no date or year, no column or report words, short."""
    text = "".join(text.split())
    return (0 < len(text) <= UNIT_NAME_MAX and BODY_NAME.fullmatch(text) is not None and not report_year(text)
            and not find_date(text) and not is_lookalike(text) and not any(w in text for w in NOT_UNIT_WORDS)
            and not is_directory_link(text))


def listed_units(response: TextResponse, links: list[Link], minimum: int = MIN_UNITS) -> list[Unit]:
    """The units a page lists, in each shape that names at least ``minimum`` of them: links, options
    of a ``<select>``, objects of a script's array; each address once, first name kept."""
    shapes = ([Unit(" ".join(link.text.split()), link.url) for link in links if is_unit_name(link.text)],
              option_units(response), script_units(response))
    found = {}
    for units in shapes:
        if len({unit.url for unit in units}) >= minimum:
            for unit in units:
                found.setdefault(unit.url, unit)
    return list(found.values())


def option_units(response: TextResponse) -> list[Unit]:
    """``<option value="/bm/jyj/">示例县教育局</option>``: an option whose value is an address."""
    units = []
    for option in response.xpath("//select/option"):
        name = " ".join(option.xpath("string()").get().split())
        value = (option.attrib.get("value") or "").strip()
        if is_unit_name(name) and ADDRESS.search(value):
            units.append(Unit(name, response.urljoin(value)))
    return units


def script_units(response: TextResponse) -> list[Unit]:
    """``[{name: "教育局", url: "/bm/jyj/"}, …]`` in an inline script (a JS array or JSON): each
    object with a value that is a body's name and one that is an address (under a URL-like key,
    else the first address)."""
    units = []
    for script in inline_scripts(response):
        for body in JS_OBJECT.findall(script):
            pairs = [(key.lower(), js_unescaped(single or double))
                     for key, single, double in JS_STRING_PAIR.findall(body)]
            name = next((value for _, value in pairs if is_unit_name(value)), None)
            addresses = [(key in URL_KEYS, value) for key, value in pairs if ADDRESS.search(value)]
            if name and addresses:
                units.append(Unit(name, response.urljoin(max(addresses, key=lambda a: a[0])[1])))
    return units


def js_unescaped(value: str) -> str:
    """A script's string literal as the script means it: ``\\/`` is ``/``, ``\\u6559`` is 教."""
    def character(match: re.Match) -> str:
        escape = match.group(1)
        return chr(int(escape[1:], 16)) if escape[0] in "ux" and len(escape) > 1 else escape
    return JS_ESCAPE.sub(character, value)


def unit_scope(url: str) -> tuple[str, str]:
    """Where a unit's pages are: its home page's host and folder (``/bm/jyj/`` for
    ``/bm/jyj/index.html``; the whole host for a unit on its own sub-domain)."""
    parts = urlsplit(url)
    return parts.netloc, parts.path.rsplit("/", 1)[0] + "/"


def in_unit(url: str, scope: tuple[str, str]) -> bool:
    parts = urlsplit(url)
    return parts.netloc == scope[0] and (parts.path or "/").startswith(scope[1])


def unit_reaches(unit: dict, link: Link, hops: int) -> bool:
    """Whether a unit's crawl, on a page ``hops`` column hops from the unit's page, follows a column
    link: always into its own pages (``unit["scope"]``); elsewhere (on the portal's sites, which the
    caller checks) only within :data:`UNIT_AWAY_HOPS`, never to a page its directory links too
    (``unit["nav"]``: the portal's menus and its other units), nor under a text naming the portal's
    whole section (:data:`NOT_AWAY_WORDS`), which a menu the directory lacks may still link."""
    return in_unit(link.url, unit["scope"]) or (
        hops < UNIT_AWAY_HOPS and link.url not in unit["nav"] and not any(w in link.text for w in NOT_AWAY_WORDS))
