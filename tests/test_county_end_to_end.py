"""The generated county portal end to end (demo_portal/county.py): crawled once (tests/county_crawl.py),
its archive built, and the archive checked against the generator's truth — every report once with its
publisher and level, the coverage of each (body, year) on a fixed day, and the checks across a body's
years (one misprinted 上年结转, :data:`demo_portal.county.DISAGREES`); and the crawl run's own news
of new bodies and missing years, which must agree with the archive's coverage on the run's day."""
from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest
import sqlite_utils

from archive.build import build
from crawler.crawldir import TIMESTAMP
from crawler.run import format_summary
from demo_portal.county import DISAGREES, PORTAL_NAME

# 2024's department reports are due (31 January) but not the governments' (31 March): a township
# without a 2024 report is not missing yet, a department without one is.
TODAY = date(2025, 3, 1)
LAST_DUE = {"department": 2024, "township": 2023, "county": 2023}
COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total")


@pytest.fixture(scope="module")
def archive(county_crawl, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("county_archive") / "archive.db"
    summary = build(county_crawl.out, db_path, today=TODAY)
    db = sqlite_utils.Database(db_path)
    yield db, summary
    db.close()


def published_years(truth: dict) -> dict[str, set[int]]:
    years = {}
    for report in truth["reports"]:
        years.setdefault(report["publisher"], set()).add(report["year"])
    return years


def test_every_report_archived_once_with_its_publisher_and_level(county_crawl, archive):
    db, summary = archive
    truth = county_crawl.truth["reports"]
    rows = list(db.query("select r.page_url, r.year, a.name, a.level, a.region from reports r "
                         "join agencies a on a.id = r.agency_id"))
    assert sorted((r["page_url"], r["year"], r["name"], r["level"], r["region"]) for r in rows) == sorted(
        (t["page_url"], t["year"], t["publisher"], t["publisher_level"], t["publisher_region"]) for t in truth)
    bodies = {t["publisher"]: t["publisher_level"] for t in truth}
    assert {row["name"]: row["level"] for row in db["agencies"].rows} == bodies  # no body twice, none invented
    assert {row["portal"] for row in db["agencies"].rows} == {PORTAL_NAME}  # hosted units keep their portal
    assert summary["bodies_new"] == len(bodies) == 64
    assert db["reports"].count_where("format_version = '2021'") == len(truth)  # every report's tables read


def test_coverage_rows_are_the_years_each_body_owes(county_crawl, archive):
    db, _ = archive
    levels = {t["publisher"]: t["publisher_level"] for t in county_crawl.truth["reports"]}
    expected = set()
    for body, years in published_years(county_crawl.truth).items():
        for year in range(min(years), max(max(years), LAST_DUE[levels[body]]) + 1):
            expected.add((body, year, "found" if year in years else "missing"))
    rows = {(row["name"], row["year"], row["status"]) for row in db.query(
        "select a.name, c.year, c.status from coverage c join agencies a on a.id = c.agency_id")}
    assert rows == expected
    missing = {(body, year) for body, year, status in rows if status == "missing"}
    assert len(missing) >= 20  # the truth has gaps, and departments owe 2024 already
    assert ("青山县东城街道", 2024) not in missing and ("青山县城关镇", 2024) not in missing  # not due yet


def test_cross_year_checks_follow_the_truth_with_one_misprint(county_crawl, archive):
    db, _ = archive
    printed = {(t["publisher"], t["year"]): t["carried"] for t in county_crawl.truth["reports"]}
    expected = set()
    for body, years in published_years(county_crawl.truth).items():
        for year in sorted(years)[1:]:
            for column in COLUMNS:
                over = printed[body, year][f"requests.carried_over.{column}"]
                if year - 1 in years:
                    forward = printed[body, year - 1][f"requests.carried_forward.{column}"]
                    expected.add((body, year, column, over == forward, over, forward))
                else:
                    expected.add((body, year, column, None, over, None))
    rows = list(db.query("select a.name, y.year, y.key, y.passed, y.carried_over, y.carried_forward, y.undecided "
                         "from year_checks y join agencies a on a.id = y.agency_id"))
    assert {(r["name"], r["year"], r["key"].removeprefix("requests.carried_over."),
             None if r["passed"] is None else bool(r["passed"]), r["carried_over"], r["carried_forward"])
            for r in rows} == expected
    body, year, key = DISAGREES
    failed = [r for r in rows if r["passed"] == 0]
    assert [(r["name"], r["year"], r["key"]) for r in failed] == [(body, year, key)]
    column = key.removeprefix("requests.carried_over.")
    assert (failed[0]["carried_over"], failed[0]["carried_forward"]) == (
        printed[body, year][key], printed[body, year - 1][f"requests.carried_forward.{column}"])
    assert failed[0]["carried_over"] == failed[0]["carried_forward"] + 1
    undecided = [r for r in rows if r["passed"] is None]
    assert undecided and all(r["undecided"] == f"no report for {r['year'] - 1} in the archive" for r in undecided)
    assert db.execute("select year_checks_failed from coverage c join agencies a on a.id = c.agency_id "
                      "where a.name = ? and c.year = ?", [body, year]).fetchone() == (1,)


def test_the_crawl_says_what_is_new_and_missing_as_the_archive_does(county_crawl, archive, tmp_path):
    summary = county_crawl.summary
    assert set(summary["bodies_new"]) == set(published_years(county_crawl.truth))
    # A first run: every (body, year) missing on its day is news, and the archive built that day agrees.
    run_day = datetime.strptime(summary["finished"], TIMESTAMP).date()
    shutil.copy(archive[0].conn.execute("pragma database_list").fetchone()[2], tmp_path / "archive.db")
    build(county_crawl.out, tmp_path / "archive.db", today=run_day)  # nothing new to read: coverage on that day
    db = sqlite_utils.Database(tmp_path / "archive.db")
    archived = {(row["name"], row["year"]) for row in db.query(
        "select a.name, c.year from coverage c join agencies a on a.id = c.agency_id where c.status = 'missing'")}
    assert {tuple(pair) for pair in summary["years_newly_missing"]} == archived  # fewer than KEPT: all listed
    assert (summary["bodies_new_count"], summary["years_newly_missing_count"]) == (64, len(archived))
    lines = format_summary(summary).splitlines()
    assert lines[0].startswith(f"{PORTAL_NAME}: ok: ") and lines[-1].startswith("status: ok")
    first = ", ".join(sorted(summary["bodies_new"])[:10])
    assert lines[1] == f"new bodies: 64: {first}, … and 54 more"
    warnings = [line for line in lines if line.startswith("warning: ")]
    body, year = summary["years_newly_missing"][0]
    assert warnings[0] == f"warning: {body}: {year} missing"
    assert len(warnings) == 11 and warnings[-1] == (
        f"warning: … and {len(archived) - 10} more (body, year) newly missing")
