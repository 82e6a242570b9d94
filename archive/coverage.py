"""A body across years: which (body, year) the archive has a report for, and the checks
between a body's consecutive reports. Refreshed by every build (``archive/build.py``), after its
reports are written.

* ``coverage``: one row per body and year, from the first year a body has a report in the
  archive to the last year due on the build's day (``extract.deadlines``: 31 January for a
  department, 31 March for a government), or to its latest report if that is later. A year is
  ``found`` (its newest report, and how many the body has for it) or ``missing``: no report of it
  is archived, which may mean the body published none or that no crawl found it. ``since_build``
  is the build that gave the row its status, so "newly missing" is one query.
* ``year_checks``: a body's 上年结转 of year N equals its 结转下年度 of year N−1, for every
  column of table 3 (``standard_format.carried_pairs``): passed, failed (both numbers kept) or
  undecided with the reason (no report for N−1, a cell not read, a report without table 3).
  Printed numbers are compared as printed; nothing is repaired.
"""
from __future__ import annotations

from datetime import date

from extract import standard_format
from extract.deadlines import due_date, years_owed

# Bodies refreshed per query: a chunk of the archive's bodies and their rows stays small in memory.
CHUNK = 2000
_VERSIONS = ", ".join(f"'{v}'" for v in standard_format.VERSIONS)


def refresh(db, build_id: int, today: date) -> list[tuple[str, int]]:
    """Recompute ``year_checks``, then bring ``coverage`` up to date for ``today``; returns the
    (body, year) that became missing in this build (new rows, or years found before), by name."""
    refresh_year_checks(db)
    newly_missing = []
    last = db.execute("select coalesce(max(id), 0) from agencies").fetchone()[0]
    for first in range(1, last + 1, CHUNK):
        newly_missing += _refresh_coverage(db, build_id, today, first, first + CHUNK - 1)
    return newly_missing


def _refresh_coverage(db, build_id: int, today: date, low: int, high: int) -> list[tuple[str, int]]:
    span = [low, high]
    found = {}  # agency id → {year: (report id, reports)}
    for agency_id, year, report_id, count in db.execute(
            "select agency_id, year, max(id), count(*) from report_summary where latest and year is not null "
            "and agency_id between ? and ? group by agency_id, year", span):
        found.setdefault(agency_id, {})[year] = (report_id, count)
    failed = {(a, y): n for a, y, n in db.execute(
        "select agency_id, year, count(*) from year_checks where passed = 0 and agency_id between ? and ? "
        "group by agency_id, year", span)}
    stored = {(row[0], row[1]): row for row in db.execute(
        "select agency_id, year, status, report_id, reports, due, year_checks_failed, since_build from coverage "
        "where agency_id between ? and ?", span)}
    wanted, newly_missing = {}, []
    for agency_id, name, level in db.execute("select id, name, level from agencies where id between ? and ?", span):
        years = found.get(agency_id)
        if not years:
            continue
        for year in years_owed(years, level, today):
            report_id, count = years.get(year, (None, 0))
            status = "found" if report_id else "missing"
            before = stored.get((agency_id, year))
            since = before[7] if before and before[2] == status else build_id
            if status == "missing" and since == build_id:
                newly_missing.append((name, year))
            wanted[agency_id, year] = (agency_id, year, status, report_id, count, due_date(year, level).isoformat(),
                                       failed.get((agency_id, year), 0), since)
    gone = [key for key in stored if key not in wanted]
    db.conn.executemany("delete from coverage where agency_id = ? and year = ?", gone)
    db.conn.executemany(
        "insert or replace into coverage (agency_id, year, status, report_id, reports, due, year_checks_failed, "
        "since_build) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [row for key, row in wanted.items() if stored.get(key) != row])
    return newly_missing


def refresh_year_checks(db) -> None:
    """``year_checks`` anew from the latest reports: a body's year N against its year N−1, for
    every year after its first whose report has table 3 (a pre-2019 report has no 上年结转)."""
    pairs = " union all ".join(f"select '{over}', '{forward}'" for over, forward in standard_format.carried_pairs())
    db.execute("delete from year_checks")
    db.execute(f"""insert into year_checks
  (agency_id, year, key, previous_key, passed, carried_over, carried_forward, report_id, previous_report_id, undecided)
with latest as (  -- a year's newest report; its format_version is that row's (SQLite's max() with a bare column)
  select agency_id, year, max(id) as report_id, format_version from report_summary
  where latest and year is not null and agency_id is not null group by agency_id, year),
firsts as (select agency_id, min(year) as year from latest group by agency_id),
pairs (over_key, forward_key) as ({pairs})
select cur.agency_id, cur.year, p.over_key, p.forward_key,
  case when o.value is not null and f.value is not null then o.value = f.value end,
  o.value, f.value, cur.report_id, prev.report_id,
  case when prev.report_id is null then 'no report for ' || (cur.year - 1) || ' in the archive'
       when f.report_id is null then 'the ' || (cur.year - 1) || ' report has no table 3 ('
            || coalesce(prev.format_version, 'tables not read') || ')'
       when f.value is null then 'the ' || (cur.year - 1) || ' report''s ' || p.forward_key || ' not read: '
            || coalesce(f.null_reason, 'no number')
       when o.value is null then 'this report''s ' || p.over_key || ' not read: '
            || coalesce(o.null_reason, 'no number') end
from latest cur
join firsts on firsts.agency_id = cur.agency_id and cur.year > firsts.year
join pairs p
left join figures o on o.report_id = cur.report_id and o.key = p.over_key
left join latest prev on prev.agency_id = cur.agency_id and prev.year = cur.year - 1
left join figures f on f.report_id = prev.report_id and f.key = p.forward_key
where cur.format_version in ({_VERSIONS})""")
