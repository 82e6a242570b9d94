"""The archive's row for a publishing body: where it sits and its administrative level.

The archive has no name parser of its own: the report's record carries both
(``extract.region``, whose reader also serves when a declared name stands in). For the body an
item declares — its ``publisher`` (the unit a portal hosts, with ``publisher_region`` and
``publisher_level``), or, in crawls written before publishers, its portal's body (``portal``,
``portal_region``, ``portal_level``, from the portal file) — the declared region and level win. One
vocabulary from portal file to Datasette: ``level`` is national, province, city, county,
township or department (archive/metadata.yaml gives the Chinese names).
"""
from __future__ import annotations

from extract.region import REGION_KEYS, read_region, split_region


def for_report(name: str, item: dict, record: dict) -> dict:
    """``{"region", "province", "city", "county", "township", "level"}`` of the body
    ``name`` that published the reports.jsonl ``item`` read as ``record``.

    A declared region may stop above the body itself (a portal file's 河南省信阳市 for
    罗山县人民政府): its units complete the record's, and ``region`` joins them all.

    >>> item = {"portal": "罗山县人民政府", "portal_region": "河南省信阳市", "portal_level": "county"}
    >>> for_report("罗山县人民政府", item, {"agency": "罗山县人民政府", "level": "county",
    ...            "region": {"county": "罗山县"}})["region"]
    '河南省信阳市罗山县'
    >>> for_report("罗山县教育体育局", item, {"agency": "罗山县教育体育局", "level": "department",
    ...            "region": {"county": "罗山县"}})
    {'region': '罗山县', 'province': None, 'city': None, 'county': '罗山县', 'township': None, 'level': 'department'}
    """
    if name == record.get("agency"):
        units, level = record.get("region") or {}, record.get("level")
    else:  # a declared name stands in for the report's, so the record's reading is not of it
        units, level = read_region(name, record.get("text") or "")
    units = {key: units.get(key) for key in REGION_KEYS}
    written = None  # a declared region that is not only place names, shown as written
    declared_name, declared_region, declared_level = declared(item)
    if name == declared_name:
        declared_units = split_region(declared_region)
        units.update({key: unit for key, unit in declared_units.items() if unit})
        level = declared_level or level
        written = None if any(declared_units.values()) else declared_region
    return {"region": written or "".join(filter(None, units.values())) or None, **units, "level": level}


def body_name(reported: str | None, item: dict) -> str | None:
    """The publishing body's name: the item's ``publisher``, in crawls written before publishers
    the report's own (``reported``); the portal's when that is the same body named in full, or
    when neither names one.

    >>> body_name("洪泽区人民政府", {"portal": "淮安市洪泽区人民政府"})
    '淮安市洪泽区人民政府'
    >>> body_name("洪泽区人民政府", {"portal": "淮安市洪泽区人民政府", "publisher": "淮安市洪泽区教育局"})
    '淮安市洪泽区教育局'
    """
    named, portal = item.get("publisher") or reported, item.get("portal")
    if named and portal and portal.endswith(named):
        return portal
    return named or portal


def declared(item: dict) -> tuple[str | None, str | None, str | None]:
    """(name, region, level) of the body the reports.jsonl ``item`` says published it: its
    ``publisher``, or in crawls written before publishers its portal's body.

    >>> declared({"portal": "罗山县人民政府", "portal_region": "河南省信阳市", "portal_level": "county"})
    ('罗山县人民政府', '河南省信阳市', 'county')
    >>> declared({"portal": "罗山县人民政府", "publisher": "罗山县教育体育局",
    ...           "publisher_region": "河南省信阳市罗山县", "publisher_level": "department"})
    ('罗山县教育体育局', '河南省信阳市罗山县', 'department')
    """
    key = "publisher" if item.get("publisher") else "portal"
    return body_name(None, item), item.get(f"{key}_region"), item.get(f"{key}_level")
