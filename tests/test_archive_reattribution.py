"""A report archived from a crawl written before publishers goes to its publisher once a later crawl
names it (archive/build.py ``_give_to_publisher``): on rebuild, without a body left behind.

The crawl directory of 罗山县人民政府 as it grows: an older crawl's lines, then a newer crawl's lines
for the same documents, naming each publisher (crawler/items.py files a report again once named):

    罗山县人民政府 2021        the portal's own report: stays where it is
    罗山县教育局 2022          its text names it 罗山县教育体育局, a body of its own before
    罗山县龙山街道办事处 2022  its text names nobody: the portal's body stood in
"""
from __future__ import annotations

import sqlite_utils

from archive.build import build
from archive_crawl import TODAY, page, report, write_jsonl
from test_archive_coverage import COUNTY, REGION, STREET, seed_report

DEPARTMENT, READ_AS = "罗山县教育局", "罗山县教育体育局"


def found(crawl_dir, text_body: str, year: int, publisher: tuple[str, str] | None) -> dict:
    """A reports.jsonl line for the report whose text names ``text_body``; ``publisher`` is (name,
    level) as a newer crawl names it, None for an older crawl."""
    title = f"{text_body}{year}年政府信息公开工作年度报告"
    line = report(crawl_dir, COUNTY, title, year, f"art_{len(text_body)}_{year}", page(title, links=("report.txt",)),
                  [("report.txt", "text/plain", seed_report(text_body, year))])
    line |= {"portal_region": "河南省信阳市", "portal_level": "county"}
    if publisher:
        name, level = publisher
        line |= {"publisher": name, "publisher_region": REGION + ("龙山街道" if level == "township" else ""),
                 "publisher_level": level}
    return line


def crawl(crawl_dir, named: bool) -> list[dict]:
    return [found(crawl_dir, COUNTY, 2021, (COUNTY, "county") if named else None),
            found(crawl_dir, READ_AS, 2022, (DEPARTMENT, "department") if named else None),
            found(crawl_dir, "", 2022, (STREET, "township") if named else None)]


def bodies(db) -> dict:
    """Each body's (level, region) and report years, as the reports and their summary rows say."""
    rows = db.query("select a.name, a.level, a.region, group_concat(r.year) as years from agencies a "
                    "left join reports r on r.agency_id = a.id group by a.id")
    summary = dict(db.execute("select agency, group_concat(year) from report_summary group by agency").fetchall())
    return {row["name"]: (row["level"], row["region"], row["years"], summary.get(row["name"])) for row in rows}


def coverage(db) -> set:
    return set(db.execute("select a.name, c.year, c.status from coverage c join agencies a on a.id = c.agency_id"))


def test_a_later_crawl_naming_the_publisher_moves_the_report_on_rebuild(tmp_path):
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    crawl_dir.mkdir()
    write_jsonl(crawl_dir / "reports.jsonl", crawl(crawl_dir, named=False))
    first = build(crawl_dir, db_path, today=TODAY)
    db = sqlite_utils.Database(db_path)
    assert set(bodies(db)) == {COUNTY, READ_AS} and first["reports_added"] == 3
    assert bodies(db)[COUNTY][2:] == ("2021,2022", "2021,2022")  # the street's report under the portal's body

    write_jsonl(crawl_dir / "reports.jsonl", crawl(crawl_dir, named=True), mode="a")
    second = build(crawl_dir, db_path, today=TODAY)
    expected = {COUNTY: ("county", REGION, "2021", "2021"),
                DEPARTMENT: ("department", REGION, "2022", "2022"),
                STREET: ("township", REGION + "龙山街道", "2022", "2022")}
    assert bodies(db) == expected  # 罗山县教育体育局 is gone, not a body without reports
    assert (second["reports_added"], second["bodies_new"]) == (0, 2)
    assert db["report_sources"].count == 3
    years = range(2022, 2026)
    assert coverage(db) == {
        (COUNTY, 2021, "found"), *((COUNTY, y, "missing") for y in years),
        *((body, y, "found" if y == 2022 else "missing") for body in (DEPARTMENT, STREET) for y in years)}
    assert not db.execute("select count(*) from year_checks where agency_id not in (select id from agencies)"
                          ).fetchone()[0]

    # Built again, nothing moves; built afresh from the same directory, the same bodies.
    ids = {row["name"]: row["id"] for row in db["agencies"].rows}
    third = build(crawl_dir, db_path, today=TODAY)
    assert {row["name"]: row["id"] for row in db["agencies"].rows} == ids
    assert (third["bodies_new"], third["years_newly_missing"]) == (0, 0)
    afresh = tmp_path / "afresh.db"
    build(crawl_dir, afresh, today=TODAY)
    assert bodies(sqlite_utils.Database(afresh)) == expected


def test_the_first_line_naming_a_publisher_decides(tmp_path):
    """Two portals credit one report to different bodies: it stays with the first named, build after build."""
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    crawl_dir.mkdir()
    first, second = (found(crawl_dir, READ_AS, 2022, (name, "department")) for name in (DEPARTMENT, READ_AS))
    write_jsonl(crawl_dir / "reports.jsonl", [first, {**second, "portal": "信阳市人民政府"}])
    for _ in range(2):
        build(crawl_dir, db_path, today=TODAY)
        db = sqlite_utils.Database(db_path)
        assert set(bodies(db)) == {DEPARTMENT} and db["report_sources"].count == 2
