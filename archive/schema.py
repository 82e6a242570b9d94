"""The archive's tables, indexes and views, created idempotently with sqlite-utils.

Table and column meanings are documented for readers in ``metadata.yaml``
(shown by Datasette); this module holds the shapes. Figures are stored long
form, one row per report and canonical key, described from
``extract.standard_format`` so no key is written down twice.

``report_summary`` (one wide row per report, its figures as columns) is a table
the build fills from the SQL defined here (:func:`insert_summary_sql`), not a
view: computed at query time from long-form figures it took seconds at 100,000
reports, and so did the per-year views. Those views read only ``report_summary``,
which holds every figure they need (:func:`summary_figures`, :func:`detail_figures`),
and sum each year first: a scan of one row per report, not of the figures.
"""
from __future__ import annotations

from typing import NamedTuple

from archive import search
from extract import standard_format as fmt

SECTION_KEYS = tuple(key for key, _, _ in fmt.SECTIONS)


class Table(NamedTuple):
    columns: dict
    pk: str | tuple[str, ...]
    foreign_keys: tuple = ()


# In creation order (foreign keys point backwards).
TABLES = {
    # Every build: the bodies it saw first, the (body, year) it found missing (archive/coverage.py).
    "builds": Table({"id": int, "started": str, "crawl_dir": str, "bodies_new": int, "years_newly_missing": int},
                    "id"),
    # Publishing bodies (a portal's own body, or a unit it hosts) and the portal that hosts them; one
    # row per name_key (its spellings' one name: archive/agencies.py), named as first seen.
    "agencies": Table({"id": int, "name": str, "region": str, "province": str, "city": str, "county": str,
                       "township": str, "level": str, "portal": str, "portal_url": str, "first_build": int,
                       "name_key": str},
                      "id"),
    "reports": Table(
        {"id": int, "agency_id": int, "portal": str, "portal_url": str, "year": int, "title": str,
         "published": str, "format_version": str, "media_type": str, "source_url": str,
         "page_url": str, "listing_url": str, "primary_sha256": str, "figures_read": int,
         "figures_total": int, "checks_passed": int, "checks_failed": int, "checks_unknown": int,
         "prose_checks_failed": int, "text": str, "ocr": int, **{key: str for key in SECTION_KEYS}},
        "id", [("agency_id", "agencies", "id")]),
    # Every finding of a report: a report reached by two portals is one report row, two sources.
    "report_sources": Table(
        {"report_id": int, "portal": str, "portal_url": str, "page_url": str, "listing_url": str,
         "title": str, "year": int, "published": str, "fetched_at": str},
        ("report_id", "portal"), [("report_id", "reports", "id")]),
    "documents": Table(
        {"report_id": int, "sha256": str, "role": str, "url": str, "filename": str, "status": int,
         "content_type": str, "size": int, "fetched_at": str, "warc_file": str,
         "warc_record_id": str, "warc_offset": int, "warc_length": int, "blob": str, "media_type": str, "extract_errors": int,
         "extract_warnings": int, "read_in": str},
        ("report_id", "sha256"), [("report_id", "reports", "id")]),
    "figures": Table(
        # value is declared INTEGER: whole numbers stay integers, money like 2126.5 stays REAL.
        {"report_id": int, "key": str, "value": int, "printed": str, "null_reason": str,
         "unit": str, "table_number": int, "section": str, "group_label": str, "row_label": str,
         "column_label": str, "ocr": int, "ocr_confidence": float, "ocr_confirmed_by": str},
        ("report_id", "key"), [("report_id", "reports", "id")]),
    "checks": Table(
        {"report_id": int, "name": str, "rule": str, "passed": int, "lhs": int, "rhs": int,
         "keys": str, "missing": str},
        ("report_id", "name"), [("report_id", "reports", "id")]),
    "prose_checks": Table(
        {"report_id": int, "position": int, "phrase": str, "prose_value": int, "key": str,
         "table_value": int, "passed": int},
        ("report_id", "position"), [("report_id", "reports", "id")]),
    "crawl_runs": Table(
        {"run_id": str, "started": str, "finished": str, "portals": int, "pages": int,
         "reports": int, "new_reports": int, "errors": int},
        "run_id"),
    "portal_runs": Table(
        {"run_id": str, "portal": str, "url": str, "pages": int, "reports": int,
         "new_reports": int, "errors": int, "error_kinds": str},
        ("run_id", "portal"), [("run_id", "crawl_runs", "run_id")]),
    # The national format's cells, one row per canonical key (figure_key_rows): what a figure's key means.
    "figure_keys": Table(
        {"key": str, "position": int, "table_number": int, "section": str, "group_label": str,
         "row_label": str, "column_label": str, "label": str, "english": str, "unit": str, "versions": str},
        "key"),
    # Crawl directories the archive was built from: the plugin serves documents' blobs from them.
    "crawl_dirs": Table({"path": str}, "path"),
    # One row per distinct error; error_observations has one row per crawl run that hit it.
    "errors": Table(
        {"id": str, "source": str, "portal": str, "url": str, "kind": str, "stage": str,
         "message": str, "report_id": int, "document_sha256": str, "first_seen": str, "last_seen": str,
         "observations": int, "last_run_id": str},
        "id", [("report_id", "reports", "id")]),
    "error_observations": Table(
        {"error_id": str, "observed": str, "run_id": str, "time": str},
        ("error_id", "observed"), [("error_id", "errors", "id")]),
    # Documents that took an extraction worker past a limit (extract.workers): not read again
    # by later builds unless `nianbao build --retry-failed`.
    "failed_documents": Table({"sha256": str, "stage": str, "message": str, "failed_at": str}, "sha256"),
    # Per body, a row for each year from the first it is seen to the last due: found or missing
    # (archive/coverage.py), since the build that gave it that status.
    "coverage": Table(
        {"agency_id": int, "year": int, "status": str, "report_id": int, "reports": int, "due": str,
         "year_checks_failed": int, "since_build": int},
        ("agency_id", "year"), [("agency_id", "agencies", "id"), ("report_id", "reports", "id"),
                                ("since_build", "builds", "id")]),
    # A body's 上年结转 of year N against its 结转下年度 of year N−1, per column (archive/coverage.py).
    "year_checks": Table(
        {"agency_id": int, "year": int, "key": str, "previous_key": str, "passed": int, "carried_over": int,
         "carried_forward": int, "report_id": int, "previous_report_id": int, "undecided": str},
        ("agency_id", "year", "key"), [("agency_id", "agencies", "id"), ("report_id", "reports", "id"),
                                       ("previous_report_id", "reports", "id")]),
}
# What makes two error lines the same error (not when or in which run it was seen).
ERROR_IDENTITY = ("source", "portal", "url", "kind", "stage", "message", "document_sha256")

INDEXES = (
    ("agencies", ["name"], True),
    ("agencies", ["name_key"], True),
    ("agencies", ["level"], False),
    ("reports", ["page_url", "primary_sha256"], True),
    ("reports", ["agency_id"], False),
    ("reports", ["year"], False),
    ("reports", ["format_version"], False),
    ("documents", ["sha256"], False),
    ("figures", ["key"], False),
    ("checks", ["rule", "passed"], False),
    ("errors", ["source", "kind"], False),
    ("errors", ["report_id"], False),
    ("coverage", ["status", "year"], False),
    ("year_checks", ["passed"], False),
    *((("report_summary", [column], False)
       for column in ("agency_id", "page_url", "year", "province", "level", "format_version", "latest"))),
)


# The report is the newest version of its page (a corrected re-issue supersedes the first).
_LATEST = "not exists (select 1 from reports v where v.page_url = r.page_url and v.id > r.id)"
# The views of one row per report and something else take the report's columns from the summary.
_REPORT_COLUMNS = "s.id as report_id, s.agency, s.region, s.level, s.year, s.latest"
_REFUSALS = ("requests.withheld", "requests.unavailable", "requests.not_processed")
# Reports whose tables were read: they have a figures row for every cell of their format.
_HAS_TABLES = f"format_version in ({', '.join(repr(v) for v in fmt.VERSIONS)})"


def summary_figures() -> tuple[tuple[str, str], ...]:
    """(column, key glob) of the main figures shown per report in ``report_summary``.

    Each table 3 row gives its 总计 cell, except that the rows of a result group
    (不予公开, 无法提供, …) are summed into one column; each table 4 group gives its
    总计. The globs are read off the 2021 format and match the 2019 keys too.
    """
    columns = {}
    for row in fmt.TABLE3_ROWS["2021"]:
        stem = next((g for g in fmt.RESULT_GROUPS if row.key.startswith(g + ".")), row.key)
        columns[stem.removeprefix("requests.")] = f"{stem}.*total"
    for stem, _ in fmt.APPEAL_GROUPS:
        columns[_appeal_column(stem, "total")] = f"{stem}.total"
    return tuple(columns.items())


def detail_figures() -> tuple[tuple[str, str], ...]:
    """(column, key) of ``report_summary``'s other figures, those the per-year views sum:
    the 总计 of each reason for 不予公开, 无法提供 and 不予处理 (``withheld_state_secret`` …),
    and table 4's outcomes (``review_upheld`` …; the totals are main figures)."""
    reasons = tuple((_reason_column(row), f"{row.key}.total") for row in _refusal_rows())
    outcomes = tuple((_appeal_column(stem, o.suffix), f"{stem}.{o.suffix}")
                     for stem, _ in fmt.APPEAL_GROUPS for o in fmt.APPEAL_OUTCOMES if o.suffix != "total")
    return reasons + outcomes


def _refusal_rows():
    """Table 3's rows giving a reason for 不予公开, 无法提供 or 不予处理 (the same in both formats)."""
    return [row for row in fmt.TABLE3_ROWS["2021"] if row.key.startswith(tuple(s + "." for s in _REFUSALS))]


def _reason_column(row) -> str:
    return row.key.removeprefix("requests.").replace(".", "_")


def _appeal_column(stem: str, suffix: str) -> str:
    return f"{stem.removeprefix('appeals.')}_{suffix}"


def _figure_sql(pattern: str) -> str:
    """One report's figure(s) matching ``pattern``: their sum, or null if any is null."""
    where = "f.report_id = r.id and f.key glob '{}'".format(pattern)
    return (f"(select case when count(*) = count(f.value) then sum(f.value) end "
            f"from figures f where {where})")


# report_summary's columns from the body's row (agencies a): copied, so refreshed when the row changes.
AGENCY_COLUMNS = {"agency": "a.name", "region": "a.region", "province": "a.province", "city": "a.city",
                  "county": "a.county", "level": "a.level"}


def summary_columns() -> tuple[tuple[str, type, str], ...]:
    """(column, type, SQL over ``reports r left join agencies a``) of a ``report_summary`` row."""
    return (
        ("id", int, "r.id"), ("agency_id", int, "r.agency_id"),
        *((column, str, sql) for column, sql in AGENCY_COLUMNS.items()),
        *_copied(int, "year"), *_copied(str, "title", "published", "format_version"),
        ("version", int, "(select count(*) from reports v where v.page_url = r.page_url and v.id <= r.id)"),
        ("latest", int, _LATEST),
        *((column, int, _figure_sql(pattern)) for column, pattern in summary_figures()),
        *_copied(int, "checks_passed", "checks_failed", "checks_unknown", "prose_checks_failed"),
        *_copied(str, "page_url", "source_url", "primary_sha256"),
        *((column, int, _figure_sql(key)) for column, key in detail_figures()),
    )


def _copied(type: type, *names: str) -> tuple:
    return tuple((name, type, f"r.{name}") for name in names)


def insert_summary_sql(where: str) -> str:
    """Insert the ``report_summary`` rows of the reports matching ``where`` (a condition on ``r``).

    A row is right when inserted; afterwards only ``latest`` (a newer version of the page
    arrives) and the body's columns (its row is filled in) change, see ``archive/build.py``.
    """
    columns = summary_columns()
    return (f"insert into report_summary ({', '.join(f'[{c}]' for c, _, _ in columns)})\n"
            f"select {', '.join(sql for _, _, sql in columns)}\n"
            f"from reports r left join agencies a on a.id = r.agency_id\nwhere {where}")


def refresh_summary_agency_sql() -> str:
    """Copy body ``?``'s row into its reports' ``report_summary`` rows."""
    return (f"update report_summary set ({', '.join(AGENCY_COLUMNS)}) = "
            f"(select {', '.join(AGENCY_COLUMNS.values())} from agencies a where a.id = ?) where agency_id = ?")


def _latest_by_year(aggregates: str, where: str = "true") -> str:
    """``aggregates`` of the latest report versions, one row per year.

    NOT INDEXED: nearly every row is read, and reading the table in order is twice as fast
    as fetching the rows one by one through the ``year`` index the planner would choose.
    """
    return (f"select year, {aggregates}\nfrom report_summary not indexed\n"
            f"where latest and year is not null and {where}\ngroup by year")


def applications_by_year_sql(where: str = "true") -> str:
    """The view ``applications_by_year``; ``where``, a condition on ``report_summary``, narrows it
    (the charts of one body, region or level)."""
    sums = ",\n  ".join(f"sum([{c}]) as [{c}]" for c, _ in summary_figures())
    return _latest_by_year(f"count(*) as reports, count(distinct agency_id) as agencies,\n"
                           f"  count(new_received) as reports_with_figures,\n  {sums}", where) + "\norder by year"


def refusal_reasons_sql() -> str:
    """Table 3's reasons for not giving the information (不予公开, 无法提供, 不予处理 rows), one row per
    report and reason."""
    def branch(row):
        return (f"select {_REPORT_COLUMNS}, '{_result(row)}' as result, '{row.label}' as reason, "
                f"'{row.key}' as reason_key, [{_reason_column(row)}] as requests\n"
                f"from report_summary s where {_HAS_TABLES}")
    return "\nunion all\n".join(map(branch, _refusal_rows()))


def refusal_reasons_by_year_sql() -> str:
    rows = _refusal_rows()
    sums = ", ".join(f"count([{_reason_column(r)}]) as [{n}_reports], sum([{_reason_column(r)}]) as [{n}_requests]"
                     for n, r in enumerate(rows))
    reasons = "\nunion all\n".join(
        f"select year, {n} as position, '{_result(r)}' as result, '{r.label}' as reason, '{r.key}' as reason_key, "
        f"[{n}_reports] as reports, [{n}_requests] as requests from years" for n, r in enumerate(rows))
    return f"""with years as ({_latest_by_year(sums, _HAS_TABLES)})
select year, result, reason, reason_key, reports, requests from (
{reasons})
order by year, position"""


def _result(row) -> str:
    return next(label for stem, label in fmt.RESULT_GROUPS.items() if row.key.startswith(stem + "."))


def appeal_outcomes_sql() -> str:
    """Table 4 as rows: one per report and appeal (复议, two kinds of 诉讼), outcomes as columns."""
    def branch(stem, label):
        outcomes = ", ".join(f"[{_appeal_column(stem, o.suffix)}] as [{o.suffix}]" for o in fmt.APPEAL_OUTCOMES)
        return f"select {_REPORT_COLUMNS}, '{label}' as appeal, {outcomes}\nfrom report_summary s where {_HAS_TABLES}"
    return "\nunion all\n".join(branch(stem, label) for stem, label in fmt.APPEAL_GROUPS)


def appeal_outcomes_by_year_sql(where: str = "true") -> str:
    """The view ``appeal_outcomes_by_year``; ``where`` narrows it as for :func:`applications_by_year_sql`."""
    sums = ", ".join(f"sum([{_appeal_column(stem, o.suffix)}]) as [{_appeal_column(stem, o.suffix)}]"
                     for stem, _ in fmt.APPEAL_GROUPS for o in fmt.APPEAL_OUTCOMES)
    appeals = "\nunion all\n".join(
        f"select year, '{label}' as appeal, reports, "
        + ", ".join(f"[{_appeal_column(stem, o.suffix)}] as [{o.suffix}]" for o in fmt.APPEAL_OUTCOMES)
        + " from years" for stem, label in fmt.APPEAL_GROUPS)
    return f"""with years as ({_latest_by_year("count(*) as reports, " + sums, f"{_HAS_TABLES} and ({where})")})
select year, appeal, reports, {", ".join(o.suffix for o in fmt.APPEAL_OUTCOMES)},
  round(100.0 * corrected / nullif(upheld + corrected + other, 0), 1) as corrected_percent
from (
{appeals})
order by year, appeal"""


# Its columns are defined above, after TABLES; its foreign keys point backwards.
TABLES["report_summary"] = Table({column: type for column, type, _ in summary_columns()}, "id",
                                 [("id", "reports", "id"), ("agency_id", "agencies", "id")])

def report_list_sql() -> str:
    """``reports`` without its long text columns, the body named: the list to browse."""
    return ("select r.id, r.agency_id, a.name as agency, a.region, a.level, r.year, r.title, r.published,\n"
            "  r.format_version, r.media_type, r.figures_read, r.checks_failed, r.checks_unknown,\n"
            "  r.prose_checks_failed, r.primary_sha256\nfrom reports r left join agencies a on a.id = r.agency_id")


def report_figures_sql() -> str:
    """Each report's figures in the order the format prints them, the cell's Chinese label beside the key."""
    return ("select f.report_id, k.position, f.key, k.label, f.value, f.printed, f.null_reason, f.unit, f.table_number\n"
            "from figures f join figure_keys k on k.key = f.key\norder by f.report_id, k.position")


VIEWS = {"report_list": report_list_sql, "report_figures": report_figures_sql, "applications_by_year": applications_by_year_sql,
         "refusal_reasons": refusal_reasons_sql, "refusal_reasons_by_year": refusal_reasons_by_year_sql,
         "appeal_outcomes": appeal_outcomes_sql, "appeal_outcomes_by_year": appeal_outcomes_by_year_sql}


# What a table new to an older archive starts with, from the rows the archive holds.
FILL = {
    "report_summary": lambda: insert_summary_sql("true"),
    # The portal that found each report, as the report row records it.
    "report_sources": lambda: """insert into report_sources
  (report_id, portal, portal_url, page_url, listing_url, title, year, published, fetched_at)
select r.id, r.portal, r.portal_url, r.page_url, r.listing_url, r.title, r.year, r.published,
  (select min(d.fetched_at) from documents d where d.report_id = r.id)
from reports r""",
}


# What a column new to an older archive starts with. The portal hosting a body: the one of its
# reports found on the portal of the body's own name, else its first report's (as a build does,
# archive/build.py). first_build 0: seen before builds were recorded, not new to the next one.
FILL_COLUMNS = {
    ("agencies", "first_build"): "update agencies set first_build = 0",
    ("agencies", "portal"): """update agencies set (portal, portal_url) = (
  select r.portal, r.portal_url from reports r where r.id = coalesce(
    (select min(id) from reports where agency_id = agencies.id and portal = agencies.name),
    (select min(id) from reports where agency_id = agencies.id)))""",
}


def figure_key_rows() -> list[dict]:
    """``figure_keys``: every canonical key of the formats in printed order, from ``extract.standard_format``.

    A key of both formats is labelled as the 2021 format prints it; a key of the 2019 format
    only is placed after the key that precedes it there, so either format reads in order.
    """
    order, cells = [], {}
    for version in fmt.VERSIONS:
        previous = None
        for cell in fmt.cells(version):
            if cell.key not in cells:
                cells[cell.key] = (cell, [])
                order.insert(order.index(previous) + 1 if previous else 0, cell.key)
            cells[cell.key][1].append(version)
            previous = cell.key
    return [{"key": key, "position": position, "table_number": cell.table, "section": cell.section,
             "group_label": cell.group or None, "row_label": cell.row_label, "column_label": cell.column_label,
             "label": f"{cell.row_label} · {cell.column_label}", "english": _english(key), "unit": cell.unit,
             "versions": ", ".join(versions)}
            for position, key in enumerate(order, 1) for cell, versions in [cells[key]]]


def _english(key: str) -> str:
    """The key read as English words (``requests.withheld.state_secret.total`` → Requests: withheld,
    state secret, total): the format is printed in Chinese only, the key names are its translation."""
    first, *rest = key.replace("_", " ").split(".")
    return f"{first.capitalize()}: {', '.join(rest)}"


def create(db, progress=None) -> None:
    """Create every table, index, view and the search index that is missing; upgrade an older archive.

    ``progress``, if given, is told of upgrades that take long (:func:`search.create_index`).

    Tables gain new columns (sqlite-utils ``transform``); ``report_summary``, computed
    from the other tables, is rebuilt if it is the view of older archives or has other
    columns; a table new to the archive is filled as ``FILL`` says, a column as ``FILL_COLUMNS`` does.
    """
    _drop_views(db)
    new = [name for name in TABLES if not db[name].exists()]
    new_columns = [(table, column) for table, column in FILL_COLUMNS
                   if table not in new and column not in db[table].columns_dict]
    for name, table in TABLES.items():
        db[name].create(table.columns, pk=table.pk, foreign_keys=table.foreign_keys, transform=True)
    for table, columns, unique in INDEXES:
        db[table].create_index(columns, unique=unique, if_not_exists=True)
    for name in new:
        if name in FILL:
            db.execute(FILL[name]())
    for column in new_columns:
        db.execute(FILL_COLUMNS[column])
    db["figure_keys"].insert_all(figure_key_rows(), replace=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql(), replace=True)
    search.create_index(db, progress)


def _drop_views(db) -> None:
    """Drop the views (``create`` makes them anew, from the SQL of today), the view
    ``report_summary`` of older archives included, and a ``report_summary`` table of
    other columns: no view may refer to a table while ``transform`` rebuilds it."""
    for name in set(db.view_names()) & {*VIEWS, "report_summary"}:
        db.execute(f"drop view [{name}]")
    if db["report_summary"].exists() and db["report_summary"].columns_dict != TABLES["report_summary"].columns:
        db["report_summary"].drop()
