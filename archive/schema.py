"""The archive's tables, indexes and views, created idempotently with sqlite-utils.

Table and column meanings are documented for readers in ``metadata.yaml``
(shown by Datasette); this module holds the shapes. Figures are stored long
form, one row per report and canonical key, described from
``extract.standard_format`` so no key is written down twice.
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
    "agencies": Table({"id": int, "name": str, "region": str, "province": str, "city": str, "county": str,
                       "township": str, "level": str}, "id"),
    "reports": Table(
        {"id": int, "agency_id": int, "portal": str, "portal_url": str, "year": int, "title": str,
         "published": str, "format_version": str, "media_type": str, "source_url": str,
         "page_url": str, "listing_url": str, "primary_sha256": str, "figures_read": int,
         "figures_total": int, "checks_passed": int, "checks_failed": int, "checks_unknown": int,
         "prose_checks_failed": int, "text": str, **{key: str for key in SECTION_KEYS}},
        "id", [("agency_id", "agencies", "id")]),
    "documents": Table(
        {"report_id": int, "sha256": str, "role": str, "url": str, "filename": str, "status": int,
         "content_type": str, "size": int, "fetched_at": str, "warc_file": str,
         "warc_record_id": str, "blob": str, "media_type": str, "extract_errors": int,
         "extract_warnings": int},
        ("report_id", "sha256"), [("report_id", "reports", "id")]),
    "figures": Table(
        # value is declared INTEGER: whole numbers stay integers, money like 2126.5 stays REAL.
        {"report_id": int, "key": str, "value": int, "printed": str, "null_reason": str,
         "unit": str, "table_number": int, "section": str, "group_label": str, "row_label": str,
         "column_label": str},
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
}
# What makes two error lines the same error (not when or in which run it was seen).
ERROR_IDENTITY = ("source", "portal", "url", "kind", "stage", "message", "document_sha256")

INDEXES = (
    ("agencies", ["name"], True),
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
)


# The report is the newest version of its page (a corrected re-issue supersedes the first).
_LATEST = "not exists (select 1 from reports v where v.page_url = r.page_url and v.id > r.id)"
_REPORT_COLUMNS = "r.id as report_id, a.name as agency, a.region, a.level, r.year"
_REFUSALS = ("requests.withheld", "requests.unavailable", "requests.not_processed")


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
        columns[stem.removeprefix("appeals.") + "_total"] = f"{stem}.total"
    return tuple(columns.items())


def _figure_sql(pattern: str) -> str:
    """One report's figure(s) matching ``pattern``: their sum, or null if any is null."""
    where = "f.report_id = r.id and f.key glob '{}'".format(pattern)
    return (f"(select case when count(*) = count(f.value) then sum(f.value) end "
            f"from figures f where {where})")


def report_summary_sql() -> str:
    figures = ",\n  ".join(f"{_figure_sql(p)} as [{c}]" for c, p in summary_figures())
    return f"""select
  r.id, a.name as agency, a.region, a.province, a.city, a.county, a.level, r.year, r.title, r.published,
  r.format_version,
  (select count(*) from reports v where v.page_url = r.page_url and v.id <= r.id) as version,
  {_LATEST} as latest,
  {figures},
  r.checks_passed, r.checks_failed, r.checks_unknown, r.prose_checks_failed, r.page_url, r.source_url,
  r.primary_sha256
from reports r left join agencies a on a.id = r.agency_id"""


def applications_by_year_sql() -> str:
    sums = ",\n  ".join(f"sum([{c}]) as [{c}]" for c, _ in summary_figures())
    return f"""select
  year, count(*) as reports, count(distinct agency) as agencies,
  count(new_received) as reports_with_figures,
  {sums}
from report_summary where latest and year is not null
group by year order by year"""


def refusal_reasons_sql() -> str:
    """Table 3's reasons for not giving the information: 不予公开, 无法提供, 不予处理 rows."""
    group = " ".join(f"when f.key glob '{stem}.*' then '{fmt.RESULT_GROUPS[stem]}'" for stem in _REFUSALS)
    keys = " or ".join(f"f.key glob '{stem}.*.total'" for stem in _REFUSALS)
    return f"""select
  {_REPORT_COLUMNS}, {_LATEST} as latest,
  case {group} end as result, f.row_label as reason, substr(f.key, 1, length(f.key) - 6) as reason_key,
  f.value as requests
from figures f join reports r on r.id = f.report_id left join agencies a on a.id = r.agency_id
where {keys}"""


def refusal_reasons_by_year_sql() -> str:
    in_format_order = " ".join(f"when reason_key glob '{stem}.*' then {n}" for n, stem in enumerate(_REFUSALS))
    return f"""select
  year, result, reason, reason_key, count(requests) as reports, sum(requests) as requests
from refusal_reasons where latest and year is not null
group by year, reason_key order by year, case {in_format_order} end, reason"""


def appeal_outcomes_sql() -> str:
    """Table 4 as rows: one per report and appeal (复议, two kinds of 诉讼), outcomes as columns."""
    def branch(stem, label):
        outcomes = ", ".join(
            f"(select value from figures f where f.report_id = r.id and f.key = '{stem}.{o.suffix}') as [{o.suffix}]"
            for o in fmt.APPEAL_OUTCOMES)
        return (f"select {_REPORT_COLUMNS}, {_LATEST} as latest, '{label}' as appeal, {outcomes}\n"
                f"from reports r left join agencies a on a.id = r.agency_id\n"
                f"where exists (select 1 from figures f where f.report_id = r.id and f.key = '{stem}.total')")
    return "\nunion all\n".join(branch(stem, label) for stem, label in fmt.APPEAL_GROUPS)


def appeal_outcomes_by_year_sql() -> str:
    sums = ", ".join(f"sum([{o.suffix}]) as [{o.suffix}]" for o in fmt.APPEAL_OUTCOMES)
    return f"""select
  year, appeal, count(*) as reports, {sums},
  round(100.0 * sum(corrected) / nullif(sum(upheld) + sum(corrected) + sum(other), 0), 1) as corrected_percent
from appeal_outcomes where latest and year is not null
group by year, appeal order by year, appeal"""


VIEWS = {"report_summary": report_summary_sql, "applications_by_year": applications_by_year_sql,
         "refusal_reasons": refusal_reasons_sql, "refusal_reasons_by_year": refusal_reasons_by_year_sql,
         "appeal_outcomes": appeal_outcomes_sql, "appeal_outcomes_by_year": appeal_outcomes_by_year_sql}


def create(db) -> None:
    """Create every table, index, view and the search index that is missing."""
    for name, table in TABLES.items():  # transform: an older archive gains new columns
        db[name].create(table.columns, pk=table.pk, foreign_keys=table.foreign_keys, transform=True)
    for table, columns, unique in INDEXES:
        db[table].create_index(columns, unique=unique, if_not_exists=True)
    for name, sql in VIEWS.items():
        db.create_view(name, sql(), replace=True)
    search.create_index(db)
