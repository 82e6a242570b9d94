"""The body that published a report, its place names and its level: a ReportItem's ``publisher``,
``publisher_region`` and ``publisher_level``.

The publisher of a report found in a hosted unit's pages is that unit, by its name in the portal's
directory — one name for all its years, where its titles vary ("教育局", "示例县教育体育局"); a
directory's "教育局" under 示例县人民政府 is taken as a body of the portal's place, "示例县教育局" —
unless its title (or cover letter) names another body: a township's page republishing the county
government's report does not make it the township's (:func:`same_body` tells a renamed unit from
another body). A report found in the portal's own pages was published by the body its title names
(``extract.rules``: the name before its year, or a cover letter's sender; a portal's column often
lists its departments' reports too; a title naming the portal's body without its place,
"县人民政府", or spelled otherwise, "青山县政府", names the portal's; one naming no place, "财政局",
or a place below the portal's, "城关镇人民政府", a body of the portal's place), else by the portal's
own body. Its level is
``extract.region``'s rule (docs/architecture.md): a 局/委/办 is a department, a 乡/镇/街道 or a
片区管理局 a township; a government named by its place alone (a directory's "城关镇") or spelled
short ("东城街道办") is that place's government. The portal's own body keeps the portal file's level.
A body spelled several ways is one body, keyed by :func:`body_key`. Its region is the portal's
(the portal file's ``region`` and the places of the portal's name), completed by the places of the
publisher's name, largest first. Pure functions of text.
"""
from __future__ import annotations

from collections.abc import Mapping

from extract.region import REGION_KEYS, read_region, split_region
from extract.rules import BODY_NAME, agency_of, cover_letter


def publisher_of(title: str, unit: str | None, portal: dict) -> dict:
    """``{"publisher", "publisher_region", "publisher_level"}`` of a report titled ``title``, found in
    the pages of ``unit`` (its directory name; None for the portal's own pages) of ``portal``."""
    name = publisher_name(title, unit, portal)
    places = portal_places(portal)
    if name == portal["name"]:
        return {"publisher": name, "publisher_region": joined(places), "publisher_level": portal["level"]}
    units, level = places_and_level(name)
    places.update({key: value for key, value in units.items() if value})
    return {"publisher": name, "publisher_region": joined(places), "publisher_level": level}


def declared_body(item: Mapping) -> tuple[str | None, str | None, str | None]:
    """(name, region, level) of the body a report item (a reports.jsonl line) says published it: its
    ``publisher``, or in crawls written before publishers its portal's body (:func:`declared_name`).
    The one rule of the crawl's news (crawler/coverage.py) and the archive's bodies (archive/agencies.py).

    >>> declared_body({"portal": "罗山县人民政府", "portal_region": "河南省信阳市", "portal_level": "county"})
    ('罗山县人民政府', '河南省信阳市', 'county')
    >>> declared_body({"portal": "罗山县人民政府", "publisher": "罗山县教育体育局",
    ...                "publisher_region": "河南省信阳市罗山县", "publisher_level": "department"})
    ('罗山县教育体育局', '河南省信阳市罗山县', 'department')
    """
    key = "publisher" if item.get("publisher") else "portal"
    return declared_name(item), item.get(f"{key}_region"), item.get(f"{key}_level")


def declared_name(item: Mapping, reported: str | None = None) -> str | None:
    """The name of the body that published a report item: its ``publisher``, in crawls written before
    publishers ``reported`` (the name the report prints, where the caller has read it: the archive);
    the portal's when that is the portal's body named short or spelled otherwise
    (:func:`names_portal_body`), or when neither names one.

    >>> declared_name({"portal": "淮安市洪泽区人民政府"}, reported="洪泽区人民政府")
    '淮安市洪泽区人民政府'
    >>> declared_name({"portal": "淮安市洪泽区人民政府", "publisher": "淮安市洪泽区教育局"}, "洪泽区人民政府")
    '淮安市洪泽区教育局'
    >>> declared_name({"portal": "淮安市洪泽区人民政府"}, reported="淮安市洪泽区政府")
    '淮安市洪泽区人民政府'
    """
    named, portal = item.get("publisher") or reported, item.get("portal")
    if named and portal and names_portal_body(named, portal):
        return portal
    return named or portal


def names_portal_body(name: str, portal_name: str) -> bool:
    """Whether ``name`` is the portal's own body: its name without its place (县人民政府, 洪泽区人民政府
    on 淮安市洪泽区人民政府's portal), or another spelling of it (:func:`body_key`: 青山县政府)."""
    return portal_name.endswith(name) or body_key(portal_name).endswith(body_key(name))


def publisher_name(title: str, unit: str | None, portal: dict) -> str:
    """Who published a report titled ``title`` found in ``unit``'s pages (None: the portal's own):
    the body the title names when it is not the unit, else the unit (or the portal's own body)."""
    titled = titled_body(title)
    if titled and names_portal_body(titled, portal["name"]):  # "县人民政府…", "青山县政府…": the portal's
        titled = portal["name"]                                # body, as declared_name reads it too
    elif titled and below_portal(titled, portal):  # "财政局…", "城关镇人民政府…": of the portal's place
        titled = qualified(titled, portal)
    if unit is None:
        return titled or portal["name"]
    own = qualified(unit, portal)
    return titled if titled and not same_body(titled, own, portal) else own


def below_portal(name: str, portal: dict) -> bool:
    """Whether a body's name starts below the portal's deepest place: with no place ("财政局"), or with
    a lower one than the portal's ("城关镇人民政府" on a county's portal) — then its place is the
    portal's, as a directory's unit name is (:func:`qualified`): one body with the directory's
    "城关镇". ("罗山县教育局" on 青山县's portal names a county of its own.)"""
    units, own = places_and_level(name)[0], portal_places(portal)
    top, deepest_own = next((key for key in REGION_KEYS if units[key]), None), deepest(own)
    return top is None or (deepest_own is not None and REGION_KEYS.index(top) > REGION_KEYS.index(deepest_own))


def republished(title: str, unit: str, portal: dict) -> bool:
    """Whether a report ``unit``'s pages list under ``title`` is another body's (:func:`publisher_name`)."""
    return publisher_name(title, unit, portal) != qualified(unit, portal)


def same_body(titled: str, unit: str, portal: dict) -> bool:
    """Whether the body a title names is the unit whose pages list it. Both taken as bodies of the
    portal's place (:func:`qualified`), they are when their names are spellings of one
    (:func:`body_key`: 青山县政府 is 青山县人民政府), or when they have the same
    places and level and the words after their places begin alike (two characters: a unit renamed,
    教育局 → 教育体育局) or one has none (城关镇 is 城关镇人民政府). So 青山县人民政府 (a county) is
    not its township's, nor 青山县财政局 its 教育局's."""
    names = qualified(titled, portal), qualified(unit, portal)
    if body_key(names[0]) == body_key(names[1]):
        return True
    (places, level), (unit_places, unit_level) = places_and_level(names[0]), places_and_level(names[1])
    words, unit_words = own_words(names[0], places), own_words(names[1], unit_places)
    return (places == unit_places and level == unit_level
            and (not words or not unit_words or words[:2] == unit_words[:2]))


def places_and_level(name: str) -> tuple[dict, str | None]:
    """A body's places and level by ``extract.region``'s rule; a government named by one of its
    spellings (:func:`body_key`: a place alone, 县政府, 街道办) is its deepest place's government."""
    units, level = read_region(name, "")
    place = deepest(units)
    if place and own_words(name, units) in government_spellings(units[place])[0]:
        level = place
    return units, level


def body_key(name: str) -> str:
    """The one name of a body that its spellings share. A government is named with or without
    人民 (青山县人民政府, 青山县政府), or by its place alone (a directory's 城关镇), a street's office as
    街道办事处, 街道办 or 街道, a zone's area as 片区管理局 or 片区: each is keyed by its places and
    the fullest spelling. Any other name (a department, a government's 办公室) is its own key. The
    crawl's news (crawler/coverage.py) and the archive's bodies are keyed by it; the name shown is
    one a report gave.

    >>> [body_key(name) for name in ("青山县政府", "青山县城关镇", "青山县东城街道办", "青山县人民政府办公室")]
    ['青山县人民政府', '青山县城关镇人民政府', '青山县东城街道办事处', '青山县人民政府办公室']
    """
    units = read_region(name, "")[0]
    place = deepest(units)
    if place is None:
        return name
    spellings, fullest = government_spellings(units[place])
    return joined(units) + fullest if own_words(name, units) in spellings else name


def government_spellings(place: str) -> tuple[tuple[str, ...], str]:
    """The words after a place's name that name its government, and the fullest of them."""
    if place.endswith("街道"):
        return ("", "办", "办事处"), "办事处"
    if place.endswith("片区"):
        return ("", "管理局"), "管理局"
    return ("", "政府", "人民政府"), "人民政府"


def deepest(units: dict) -> str | None:
    """The key of the deepest place a name has (township, county, city or province), or None."""
    return next((key for key in reversed(REGION_KEYS) if units[key]), None)


def own_words(name: str, places: dict) -> str:
    """A body's name after its places ("青山县城关镇人民政府" → "人民政府")."""
    for key in REGION_KEYS:
        name = name.removeprefix(places[key] or "")
    return name


def titled_body(title: str) -> str | None:
    """The body a report title names, when what it names is a body's name (not only a place)."""
    letter = cover_letter(title)
    name = (letter and letter[0]) or agency_of(title)
    return name if name and BODY_NAME.fullmatch(name) else None


def qualified(name: str, portal: dict) -> str:
    """A unit's name as a body of the portal's place: the portal's deepest place before it unless it
    starts with one of the portal's places. (Not "unless it names a place": a directory's "城关镇" is
    the portal's 城关镇, and its name alone names no county.)"""
    places = [place for place in portal_places(portal).values() if place]
    if not places or name.startswith(tuple(places)):
        return name
    return places[-1] + name


def portal_places(portal: dict) -> dict:
    """The portal's units: its file's region completed by the places of its body's name."""
    places = split_region(portal.get("region"))
    own = read_region(portal["name"], "")[0]
    return {key: places[key] or own[key] for key in REGION_KEYS}


def joined(places: dict) -> str | None:
    return "".join(places[key] for key in REGION_KEYS if places[key]) or None
