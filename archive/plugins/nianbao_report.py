"""Datasette plugin: the pages people read — a report, a body, the landing page.

Datasette renders them from ``archive/templates`` (``row.html`` picks the report or body layout,
``index.html`` is the landing page); this plugin gives those templates what they show, through
``extra_template_vars``: a report's heading, documents, other years and tables 2–4 laid out by
``archive.report_layout``; a body's reports by year; the archive's counts and entry points. It
also serves the pages' style sheet, ``/-/nianbao.css``, linked from every page.
"""
from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from archive import report_layout, schema
from extract import standard_format as fmt

CSS = Path(__file__).resolve().parent.parent / "static" / "nianbao.css"
SECTION_HEADINGS = {key: heading for key, heading, _ in fmt.SECTIONS}
# The landing page names this many bodies and places (those with the most reports); the rest
# are a click away, in the tables.
LANDING_LIST = 60


@hookimpl
def register_routes():
    return [(r"^/-/nianbao\.css$", css)]


async def css():
    return Response(CSS.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8")


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/nianbao.css")]


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    if view_name == "index":
        return lambda: landing(datasette)
    if view_name != "row" or table not in ("reports", "agencies") or request is None:
        return None
    try:
        row_id = int(request.url_vars["pks"])
    except (KeyError, ValueError):
        return None
    db = datasette.get_database(database)
    if table == "reports":
        return lambda: _named("report_page", report_page(db, row_id))
    return lambda: _named("body_page", body_page(db, row_id))


async def _named(name, page):
    return {name: await page}


async def report_page(db, report_id: int) -> dict | None:
    """What the report page shows of report ``report_id``."""
    found = await db.execute(
        "select r.*, a.name as agency, a.region, a.level from reports r "
        "left join agencies a on a.id = r.agency_id where r.id = ?", [report_id])
    if not found.rows:
        return None
    report = dict(found.first())
    figures = {row["key"]: report_layout.Figure(row["value"], row["printed"], row["null_reason"], bool(row["ocr"]))
               for row in await db.execute(
                   "select key, value, printed, null_reason, ocr from figures where report_id = ?", [report_id])}
    failed = [report_layout.FailedCheck(c["name"], c["rule"], c["lhs"], c["rhs"], tuple(json.loads(c["keys"] or "[]")))
              for c in await db.execute(
                  "select name, rule, lhs, rhs, keys from checks where report_id = ? and passed = 0 order by rowid",
                  [report_id])]
    documents = [{**d, "record": _record_path(d["warc_record_id"])} for d in await db.execute(
        "select role, url, filename, sha256, content_type, size, fetched_at, warc_record_id, media_type "
        "from documents where report_id = ? order by role = 'attachment', rowid", [report_id])]
    years = [dict(r) for r in await db.execute(
        "select id, year, title from reports where agency_id = ? order by year, id", [report["agency_id"]])]
    prose = [dict(p) for p in await db.execute(
        "select phrase, prose_value, key, table_value, passed from prose_checks where report_id = ? order by position",
        [report_id])]
    return {"report": report, "documents": documents, "years": years, "prose_checks": prose,
            "failed_checks": failed,
            "tables": report_layout.tables(report["format_version"], figures, failed),
            "sections": [(key, SECTION_HEADINGS[key], report[key]) for key in schema.SECTION_KEYS if report[key]],
            "record_id": next((d["record"] for d in documents if d["sha256"] == report["primary_sha256"]), None)}


def _record_path(warc_record_id: str | None) -> str | None:
    """``urn:uuid:…`` of ``<urn:uuid:…>``, as ``/-/record/`` takes it."""
    return warc_record_id.strip("<>") if warc_record_id else None


async def body_page(db, agency_id: int) -> dict | None:
    """A body's reports, one line per report, by year."""
    found = await db.execute("select * from agencies where id = ?", [agency_id])
    if not found.rows:
        return None
    reports = [dict(r) for r in await db.execute(
        "select s.id, s.year, s.title, s.published, s.format_version, s.latest, s.new_received, s.handled_total, "
        "s.review_total, s.checks_failed from report_summary s where s.agency_id = ? order by s.year desc, s.id desc",
        [agency_id])]
    return {"body": dict(found.first()), "reports": reports}


async def landing(datasette) -> dict:
    """The landing page's counts and entry points, for the first archive served."""
    for name, db in datasette.databases.items():
        if name.startswith("_") or not await db.table_exists("reports"):
            continue
        counts = dict((await db.execute(
            "select (select count(*) from reports) as reports, (select count(*) from agencies) as bodies, "
            "(select count(*) from documents) as documents, "
            # Counted per report by the build: counting the figures rows would read millions.
            "(select sum(figures_read) from reports) as figures, "
            "(select max(finished) from crawl_runs) as last_crawl")).first())
        years = [dict(r) for r in await db.execute(
            "select year, count(*) as reports from report_summary where latest and year is not null "
            "group by year order by year desc")]
        levels = [dict(r) for r in await db.execute(
            "select level, count(*) as reports from report_summary where latest and level is not null "
            "group by level order by reports desc")]
        # Provinces, or where the archive names none, the regions as the bodies give them.
        places = [dict(r) for r in await db.execute(
            "select coalesce(province, region) as place, province is not null as is_province, count(*) as reports "
            "from report_summary where latest and coalesce(province, region) is not null "
            "group by place order by reports desc, place limit ?", [LANDING_LIST])]
        bodies = [dict(r) for r in await db.execute(
            "select agency_id as id, agency as name, count(*) as reports from report_summary "
            "where latest and agency_id is not null group by agency_id order by reports desc, agency limit ?",
            [LANDING_LIST])]
        queries = datasette.metadata("queries", database=name) or {}
        return {"archive": {"database": name, "counts": counts, "years": years, "levels": levels,
                            "places": places, "bodies": bodies, "has_coverage": await db.table_exists("coverage"),
                            "queries": [(key, q.get("title", key)) for key, q in queries.items()]}}
    return {"archive": None}
