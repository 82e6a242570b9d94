"""The archive's row for a publishing body: where it sits and its administrative level.

The archive has no name parser of its own: the report's record carries both
(``extract.region``, whose reader also serves when a declared name stands in). For the body an
item declares (``crawler.publisher.declared_body``, the crawl's rule too) — its ``publisher``
(the unit a portal hosts, with ``publisher_region`` and ``publisher_level``), or, in crawls
written before publishers, its portal's body (``portal``, ``portal_region``, ``portal_level``,
from the portal file) — the declared region and level win. One
vocabulary from portal file to Datasette: ``level`` is national, province, city, county,
township or department (archive/metadata.yaml gives the Chinese names).

A body is found by its key (``name_key``, ``crawler.publisher.body_key``), not its name: a
government spelled with or without 人民, or a street office as 街道办事处 or 街道, is one body, shown
under the first name a report gave it.
"""
from __future__ import annotations

from archive import schema
from crawler.publisher import body_key, declared_body
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


def key_bodies(db) -> None:
    """Key the bodies archived before bodies had keys (``name_key`` null). A body that is another
    spelling of one keyed before it (青山县政府 of 青山县人民政府, by id) hands that one its reports and goes."""
    for agency_id, name in db.execute("select id, name from agencies where name_key is null order by id").fetchall():
        key = body_key(name)
        kept = db.execute("select id from agencies where name_key = ?", [key]).fetchone()
        if kept:
            move_reports(db, agency_id, kept[0])
        else:
            db.execute("update agencies set name_key = ? where id = ?", [key, agency_id])


def move_reports(db, old: int | None, new: int, report_id: int | None = None) -> None:
    """Body ``old``'s reports (or only ``report_id``, of ``old`` or of no body) go to body ``new``,
    their summary rows with them.
    ``old`` left without a report is deleted with its coverage rows (a body is known by its reports:
    kept, it would be a body "missing" every year since; year_checks are recomputed by every build)."""
    which, params = ("id = ?", [report_id]) if report_id is not None else ("agency_id = ?", [old])
    db.execute(f"update reports set agency_id = ? where {which}", [new, *params])
    db.execute(f"update report_summary set agency_id = ? where {which}", [new, *params])
    db.execute(schema.refresh_summary_agency_sql(), [new, new])
    if old is not None and not db["reports"].count_where("agency_id = ?", [old]):
        for table in ("coverage", "year_checks"):
            db.execute(f"delete from {table} where agency_id = ?", [old])
        db["agencies"].delete(old)
