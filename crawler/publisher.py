"""The body that published a report, its place names and its level: a ReportItem's ``publisher``,
``publisher_region`` and ``publisher_level``.

The publisher of a report found in a hosted unit's pages is that unit, by its name in the portal's
directory — one name for all its years, where its titles vary ("教育局", "示例县教育体育局"); a
directory's "教育局" under 示例县人民政府 is taken as a body of the portal's place, "示例县教育局". A
report found in the portal's own pages was published by the body its title names
(``extract.rules``: the name before its year, or a cover letter's sender; a portal's column often
lists its departments' reports too), else by the portal's own body. Its level is
``extract.region``'s rule (docs/architecture.md): a 局/委/办 is a department, a 乡/镇/街道 or a
片区管理局 a township; a unit named by its place alone (a directory's "城关镇") is that place's
government. The portal's own body keeps the portal file's level. Its region is the portal's
(the portal file's ``region`` and the places of the portal's name), completed by the places of the
publisher's name, largest first. Pure functions of text.
"""
from __future__ import annotations

from extract.region import REGION_KEYS, read_region, split_region
from extract.rules import BODY_NAME, agency_of, cover_letter


def publisher_of(title: str, unit: str | None, portal: dict) -> dict:
    """``{"publisher", "publisher_region", "publisher_level"}`` of a report titled ``title``, found in
    the pages of ``unit`` (its directory name; None for the portal's own pages) of ``portal``."""
    name = qualified(unit, portal) if unit else titled_body(title) or portal["name"]
    places = portal_places(portal)
    if name == portal["name"]:
        return {"publisher": name, "publisher_region": joined(places), "publisher_level": portal["level"]}
    units, level = read_region(name, "")
    if level is None and any(units.values()):  # only places: that place's government
        level = next(key for key in reversed(REGION_KEYS) if units[key])
    places.update({key: value for key, value in units.items() if value})
    return {"publisher": name, "publisher_region": joined(places), "publisher_level": level}


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
