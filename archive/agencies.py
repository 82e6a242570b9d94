"""The archive's row for a publishing body: where it sits and its administrative level.

The archive has no name parser of its own: the report's record carries both
(``extract.region``, whose reader also serves when a declared name stands in). For the body an
item declares (``crawler.publisher.declared_body``, the crawl's rule too) — its ``publisher``
(the unit a portal hosts, with ``publisher_region`` and ``publisher_level``), or, in crawls
written before publishers, its portal's body (``portal``, ``portal_region``, ``portal_level``,
from the portal file) — the declared region and level win. One
vocabulary from portal file to Datasette: ``level`` is national, province, city, county,
township or department (archive/metadata.yaml gives the Chinese names).
"""
from __future__ import annotations

from crawler.publisher import declared_body
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
    declared_name, declared_region, declared_level = declared_body(item)
    if name == declared_name:
        declared_units = split_region(declared_region)
        units.update({key: unit for key, unit in declared_units.items() if unit})
        level = declared_level or level
        written = None if any(declared_units.values()) else declared_region
    return {"region": written or "".join(filter(None, units.values())) or None, **units, "level": level}
