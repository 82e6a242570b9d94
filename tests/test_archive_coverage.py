"""archive/coverage.py through real builds: publishers apart from their portal, the coverage of
(body, year) and its newly missing years, the checks across a body's years, an older crawl
directory without publishers, an older archive upgraded, and the canned queries over HTTP.

A county portal (罗山县人民政府) hosting a department and a street office, its reports the seed
report's text with each body's name, year and 上年结转 / 结转下年度 rows:

    罗山县人民政府      2020 (an older crawl, no publisher fields), 2021, 2022, 2024   — 2023 missing
    罗山县教育体育局    2022, 2023 (its 上年结转 disagrees with 2022's 结转下年度)        — department
    罗山县龙山街道办事处 2025                                                          — township
"""
from __future__ import annotations

import json
import re
import shutil
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from archive.build import build
from crawler.coverage import Bodies, news
from archive_crawl import PORTAL, SEED, datasette, page, report, write_jsonl
from extract.deadlines import last_year_due
from test_archive_build import dump

COUNTY, DEPARTMENT, STREET = "罗山县人民政府", "罗山县教育体育局", "罗山县龙山街道办事处"
REGION = "河南省信阳市罗山县"
TODAY = date(2026, 11, 26)  # 2025's reports are due for every body
ZERO = (0,) * 7


def seed_report(body: str, year: int, carried_over=ZERO, carried_forward=ZERO) -> bytes:
    """The seed report as ``body``'s of ``year``, with these table 3 rows (7 columns: 自然人, five
    kinds of 法人或其他组织, 总计)."""
    text = SEED.decode().replace("罗山县人民政府", body).replace("2021", str(year))
    for label, values in (("二、上年结转政府信息公开申请数量", carried_over), ("四、结转下年度继续办理", carried_forward)):
        text = re.sub(f"^{label}.*$", f"{label}\t\t" + "\t".join(map(str, values)) + "\t", text, count=1, flags=re.M)
    return text.encode()


def item(crawl_dir: Path, body: str, year: int, publisher: tuple | None, **carried) -> dict:
    """A reports.jsonl item of the county portal; ``publisher`` is (level) for a crawl that
    declares publishers, None for an older crawl."""
    title = f"{body}{year}年政府信息公开工作年度报告"
    found = report(crawl_dir, COUNTY, title, year, f"art_{abs(hash((body, year)))}",
                   page(title, links=("report.txt",)), [("report.txt", "text/plain", seed_report(body, year, **carried))])
    found |= {"portal_region": "河南省信阳市", "portal_level": "county"}
    if publisher:
        found |= {"publisher": body, "publisher_region": REGION, "publisher_level": publisher}
    return found


def older_crawl(crawl_dir: Path) -> list[dict]:
    """A crawl directory written before publishers: the portal's body is the publisher."""
    crawl_dir.mkdir(parents=True)
    items = [item(crawl_dir, COUNTY, 2020, None, carried_forward=(2, 0, 0, 0, 0, 1, 3))]
    write_jsonl(crawl_dir / "reports.jsonl", items)
    return items


def hosting_crawl(crawl_dir: Path) -> list[dict]:
    crawl_dir.mkdir(parents=True)
    items = [
        item(crawl_dir, COUNTY, 2021, "county", carried_over=(2, 0, 0, 0, 0, 1, 3), carried_forward=(5, 0, 0, 0, 0, 0, 5)),
        item(crawl_dir, COUNTY, 2022, "county", carried_over=(5, 0, 0, 0, 0, 0, 5)),
        item(crawl_dir, COUNTY, 2024, "county", carried_over=(1, 0, 0, 0, 0, 0, 1)),
        item(crawl_dir, DEPARTMENT, 2022, "department", carried_forward=(4, 0, 0, 0, 0, 0, 4)),
        item(crawl_dir, DEPARTMENT, 2023, "department", carried_over=(3, 0, 0, 0, 0, 0, 3)),  # 2022 printed 4
        item(crawl_dir, STREET, 2025, "township"),
    ]
    write_jsonl(crawl_dir / "reports.jsonl", items)
    return items


def build_both(directory: Path, today: date = TODAY) -> tuple[Path, list[dict], list[str]]:
    """The older crawl built, then the hosting portal's: (db path, both summaries, progress lines of the second)."""
    db_path, messages = directory / "nianbao.db", []
    older_crawl(directory / "older")
    hosting_crawl(directory / "hosting")
    first = build(directory / "older", db_path, today=today)
    second = build(directory / "hosting", db_path, today=today, messages=messages.append)
    return db_path, [first, second], messages


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_both(tmp_path_factory.mktemp("coverage"))


def coverage_rows(db) -> dict:
    return {(row["agency"], row["year"]): row["status"] for row in db.query(
        "select a.name as agency, c.year, c.status from coverage c join agencies a on a.id = c.agency_id")}


def test_publishers_are_kept_apart_from_their_portal(archive):
    db = sqlite_utils.Database(archive[0])
    bodies = {row["name"]: row for row in db["agencies"].rows}
    assert set(bodies) == {COUNTY, DEPARTMENT, STREET}
    assert {name: (row["level"], row["region"], row["portal"], row["portal_url"]) for name, row in bodies.items()} == {
        COUNTY: ("county", REGION, COUNTY, PORTAL), DEPARTMENT: ("department", REGION, COUNTY, PORTAL),
        STREET: ("township", REGION + "龙山街道", COUNTY, PORTAL)}  # the report reads its 街道
    # Every report of the portal is a finding of that portal, each under its own body.
    assert db.execute("select count(*), count(distinct portal) from report_sources").fetchone() == (7, 1)
    by_body = db.execute("select a.name, count(*) from reports r join agencies a on a.id = r.agency_id "
                         "group by a.name").fetchall()
    assert dict(by_body) == {COUNTY: 4, DEPARTMENT: 2, STREET: 1}


def test_coverage_from_the_first_year_to_the_last_due(archive):
    db = sqlite_utils.Database(archive[0])
    assert coverage_rows(db) == {
        **{(COUNTY, y): "found" for y in (2020, 2021, 2022, 2024)}, (COUNTY, 2023): "missing", (COUNTY, 2025): "missing",
        (DEPARTMENT, 2022): "found", (DEPARTMENT, 2023): "found", (DEPARTMENT, 2024): "missing",
        (DEPARTMENT, 2025): "missing", (STREET, 2025): "found"}
    (row,) = db.query("select c.* from coverage c join agencies a on a.id = c.agency_id where a.name = ? and year = 2023",
                      [DEPARTMENT])
    assert (row["due"], row["reports"], row["year_checks_failed"]) == ("2024-01-31", 1, 2)
    assert db["reports"].get(row["report_id"])["year"] == 2023


def test_the_build_says_what_is_new_and_newly_missing(archive):
    _, (first, second), messages = archive
    assert (first["bodies_new"], first["years_newly_missing"]) == (1, 5)  # 罗山县人民政府 2021–2025
    # The hosting crawl: two new bodies; 2023 and 2025 were missing before, 2021, 2022 and 2024 are found.
    assert (second["bodies_new"], second["years_newly_missing"]) == (2, 2)
    assert [m for m in messages if m.startswith(("new body", "warning"))] == [
        f"new body: {DEPARTMENT}", f"new body: {STREET}",
        f"warning: {DEPARTMENT}: 2024 missing", f"warning: {DEPARTMENT}: 2025 missing"]


def test_bodies_of_a_build_killed_before_its_end_are_new_to_the_next(tmp_path):
    db_path = tmp_path / "nianbao.db"
    hosting_crawl(tmp_path / "hosting")

    def interrupt(done, total, current):
        if done == 5:  # the department's reports are committed, the street's are not
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        build(tmp_path / "hosting", db_path, today=TODAY, progress=interrupt, batch_items=4)
    db = sqlite_utils.Database(db_path)
    assert db["agencies"].count == 2 and db["coverage"].count == 0
    messages = []
    summary = build(tmp_path / "hosting", db_path, today=TODAY, messages=messages.append)
    assert summary["bodies_new"] == 3 and [m for m in messages if m.startswith("new body")] == [
        f"new body: {COUNTY}", f"new body: {DEPARTMENT}", f"new body: {STREET}"]
    assert {row["first_build"] for row in db["agencies"].rows} == {2}
    assert build(tmp_path / "hosting", db_path, today=TODAY)["bodies_new"] == 0


def test_checks_across_years(archive):
    db = sqlite_utils.Database(archive[0])
    rows = {(row["agency"], row["year"], row["key"].removeprefix("requests.carried_over.")): row for row in db.query(
        "select a.name as agency, y.* from year_checks y join agencies a on a.id = y.agency_id")}
    # 罗山县人民政府 2021 against the older crawl's 2020, 2022 against 2021; 2024 has no 2023.
    assert {k[:2] for k in rows} == {(COUNTY, 2021), (COUNTY, 2022), (COUNTY, 2024), (DEPARTMENT, 2023)}
    assert all(rows[COUNTY, year, column]["passed"] == 1 for year in (2021, 2022)
               for column in ("natural_person", "other_org", "total"))
    assert (rows[COUNTY, 2021, "total"]["carried_over"], rows[COUNTY, 2021, "total"]["carried_forward"]) == (3, 3)
    undecided = rows[COUNTY, 2024, "total"]
    assert (undecided["passed"], undecided["undecided"], undecided["previous_report_id"]) == (
        None, "no report for 2023 in the archive", None)
    failed = {column for (body, year, column), row in rows.items() if row["passed"] == 0}
    assert failed == {"natural_person", "total"}
    wrong = rows[DEPARTMENT, 2023, "natural_person"]
    assert (wrong["carried_over"], wrong["carried_forward"], wrong["previous_key"]) == (
        3, 4, "requests.carried_forward.natural_person")
    assert db["reports"].get(wrong["previous_report_id"])["year"] == 2022
    assert rows[DEPARTMENT, 2023, "commercial"]["passed"] == 1


def test_a_department_is_missing_after_31_january_a_government_after_31_march(tmp_path):
    db_path, _, _ = build_both(tmp_path, today=date(2026, 1, 31))
    db = sqlite_utils.Database(db_path)
    assert (DEPARTMENT, 2025) not in coverage_rows(db) and (COUNTY, 2025) not in coverage_rows(db)
    messages = []
    hosting = tmp_path / "hosting"
    assert build(hosting, db_path, today=date(2026, 2, 1), messages=messages.append)["years_newly_missing"] == 1
    assert [m for m in messages if m.startswith("warning")] == [f"warning: {DEPARTMENT}: 2025 missing"]
    messages.clear()
    build(hosting, db_path, today=date(2026, 4, 1), messages=messages.append)
    assert [m for m in messages if m.startswith("warning")] == [f"warning: {COUNTY}: 2025 missing"]
    assert build(hosting, db_path, today=date(2026, 4, 1))["years_newly_missing"] == 0
    assert last_year_due("township", date(2026, 4, 1)) == 2025 and last_year_due(None, date(2026, 3, 31)) == 2024


def test_a_year_found_later_is_no_longer_missing(tmp_path):
    db_path, _, _ = build_both(tmp_path)
    later = tmp_path / "later"
    later.mkdir()
    write_jsonl(later / "reports.jsonl", [item(later, COUNTY, 2023, "county", carried_over=(5, 0, 0, 0, 0, 0, 5),
                                               carried_forward=(1, 0, 0, 0, 0, 0, 1))])
    summary = build(later, db_path, today=TODAY)
    db = sqlite_utils.Database(db_path)
    assert coverage_rows(db)[COUNTY, 2023] == "found" and summary["years_newly_missing"] == 0
    # 2023 now checks against 2022 (5 carried forward? 2022 printed 0) and 2024 against 2023: both decided.
    decided = dict(db.execute("select year, sum(passed) from year_checks y join agencies a on a.id = y.agency_id "
                              "where a.name = ? and key like '%.total' group by year", [COUNTY]).fetchall())
    assert decided == {2021: 1, 2022: 1, 2023: 0, 2024: 1}


def test_rebuilding_and_upgrading_an_older_archive_give_the_same_rows(tmp_path):
    db_path, _, _ = build_both(tmp_path)
    # The same archive as built before publishers, coverage and checks across years.
    older_path = tmp_path / "older.db"
    shutil.copyfile(db_path, older_path)
    older = sqlite_utils.Database(older_path)
    for table in ("coverage", "year_checks", "builds"):
        older[table].drop()
    older.execute("drop index idx_agencies_name_key")
    older["agencies"].transform(drop={"portal", "portal_url", "first_build", "name_key"})
    older.close()
    for directory in ("older", "hosting"):
        assert build(tmp_path / directory, older_path, today=TODAY)["reports_added"] == 0
    assert rows_of(older_path) == rows_of(db_path)
    # Rebuilding either adds nothing.
    before = dump(db_path)
    for directory in ("older", "hosting"):
        assert build(tmp_path / directory, db_path, today=TODAY)["reports_added"] == 0
    assert dump(db_path) == before


def spelled_crawl(crawl_dir: Path) -> list[dict]:
    """The county's government and its street office, each named three ways across its years, as a
    directory, a title and a cover letter may: 2024 is the county's one missing year."""
    crawl_dir.mkdir(parents=True)
    items = [item(crawl_dir, "罗山县政府", 2022, "county"), item(crawl_dir, COUNTY, 2023, "county"),
             item(crawl_dir, "罗山县", 2025, "county"),
             item(crawl_dir, "罗山县龙山街道", 2023, "township"), item(crawl_dir, "罗山县龙山街道办", 2024, "township"),
             item(crawl_dir, STREET, 2025, "township")]
    write_jsonl(crawl_dir / "reports.jsonl", items)
    return items


def test_a_body_spelled_several_ways_is_one_body_and_the_crawls_news_agrees(tmp_path):
    items = spelled_crawl(tmp_path / "crawl")
    db_path = tmp_path / "nianbao.db"
    summary = build(tmp_path / "crawl", db_path, today=TODAY)
    db = sqlite_utils.Database(db_path)
    # The portal's body keeps the portal file's name; the street the first name a report gave it.
    assert {row["name"]: row["level"] for row in db["agencies"].rows} == {COUNTY: "county", "罗山县龙山街道": "township"}
    assert coverage_rows(db) == {**{(COUNTY, y): "found" for y in (2022, 2023, 2025)}, (COUNTY, 2024): "missing",
                                 **{("罗山县龙山街道", y): "found" for y in (2023, 2024, 2025)}}
    assert (summary["bodies_new"], summary["years_newly_missing"]) == (2, 1)
    # The crawl's own news of the same reports names the same bodies and the same missing year.
    bodies = Bodies()
    for line in items:
        bodies.add(line)
    assert news(Bodies(), None, bodies, TODAY) == {
        "bodies_new": [COUNTY, "罗山县龙山街道"], "bodies_new_count": 2,
        "years_newly_missing": [[COUNTY, 2024]], "years_newly_missing_count": 1}


def test_an_archive_holding_two_spellings_of_a_body_is_given_one_on_its_next_build(tmp_path):
    spelled_crawl(tmp_path / "crawl")
    db_path, older_path = tmp_path / "nianbao.db", tmp_path / "older.db"
    build(tmp_path / "crawl", db_path, today=TODAY)
    shutil.copyfile(db_path, older_path)
    # As built before bodies had keys: the street's 2025 report under a body of that spelling.
    older = sqlite_utils.Database(older_path)
    older.execute("drop index idx_agencies_name_key")
    older["agencies"].transform(drop={"name_key"})
    street = older.execute("select * from agencies where name = '罗山县龙山街道'").fetchone()
    spelled = older["agencies"].insert({**dict(zip(older["agencies"].columns_dict, street)), "id": None,
                                        "name": STREET}).last_pk
    report_id = older.execute("select id from reports where year = 2025 and agency_id = ?", [street[0]]).fetchone()[0]
    older.execute("update reports set agency_id = ? where id = ?", [spelled, report_id])
    older.execute("update report_summary set agency_id = ?, agency = ? where id = ?", [spelled, STREET, report_id])
    older.conn.commit()
    older.close()
    assert build(tmp_path / "crawl", older_path, today=TODAY)["reports_added"] == 0
    assert rows_of(older_path) == rows_of(db_path)


def rows_of(db_path) -> dict:
    """Every row, without the build that first saw a body or gave a year its status."""
    return {name: rows for name, rows in dump(db_path, with_builds=False).items() if name != "schema"}


def get(base: str, path: str, **params):
    with urllib.request.urlopen(f"{base}{path}?{urllib.parse.urlencode({**params, '_shape': 'array'})}",
                                timeout=30) as answer:
        return json.load(answer)


def test_canned_queries_over_http(archive):
    db_path = archive[0]
    with datasette(db_path) as base:
        name = db_path.stem
        missing = get(base, f"/{name}/bodies_missing_year.json", year="")
        assert [(r["agency"], r["year"]) for r in missing] == [
            (COUNTY, 2023), (COUNTY, 2025), (DEPARTMENT, 2024), (DEPARTMENT, 2025)]
        assert [r["years_found"] for r in get(base, f"/{name}/bodies_missing_year.json", year="2023")] == [
            "2020, 2021, 2022, 2024"]
        first_seen = get(base, f"/{name}/bodies_first_seen.json")
        assert {r["agency"]: (r["years_found"], r["years_missing"]) for r in first_seen} == {
            DEPARTMENT: ("2022, 2023", "2024, 2025"), STREET: ("2025", None)}
        failing = get(base, f"/{name}/year_checks_failing.json")
        assert [(r["agency"], r["year"], r["key"], r["carried_over"], r["carried_forward"]) for r in failing] == [
            (DEPARTMENT, 2023, "requests.carried_over.natural_person", 3, 4),
            (DEPARTMENT, 2023, "requests.carried_over.total", 3, 4)]
        rows = get(base, f"/{name}/coverage.json", status="missing", _sort="year")
        assert len(rows) == 4
