"""archive.build: crawl directory → SQLite archive (tables, figures, versions, errors)."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections import defaultdict
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import sqlite_utils

import archive.build
from archive import schema
from archive.build import build
from archive_crawl import FIXTURES, PORTAL, SEED, TODAY, luoshan, make_archive, make_crawl, page, report, write_jsonl
from extract import standard_format

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """One archive shared by the tests that only read it."""
    _, db_path, summary, items = make_archive(tmp_path_factory.mktemp("archive"))
    return sqlite_utils.Database(db_path), summary, items


@pytest.fixture
def crawl(tmp_path):
    """A fresh archive for tests that add to it: (crawl dir, db path, items)."""
    crawl_dir, db_path, _, items = make_archive(tmp_path)
    return crawl_dir, db_path, items


def report_id(db, item) -> int:
    (row,) = db.query("select id from reports where page_url = ?", [item["page_url"]])
    return row["id"]


# Which build first saw a body or gave a (body, year) its status: a build killed part-way and
# finished by the next differs there from one uninterrupted build (compared with_builds=False).
BUILD_COLUMNS = {("agencies", "first_build"), ("coverage", "since_build")}


def dump(db_path, with_builds: bool = True) -> dict:
    """The schema and every row of every stored table (FTS index included), order-independent;
    not ``builds``, one row per build, which a build that changes nothing adds too."""
    db = sqlite_utils.Database(db_path)
    tables = [t for t in db.table_names() if db[t].virtual_table_using is None and t != "builds"]
    rows = {}
    for t in tables:
        columns = [c for c in db[t].columns_dict if with_builds or (t, c) not in BUILD_COLUMNS]
        rows[t] = sorted(map(repr, db.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{t}]").fetchall()))
    return {"schema": sorted(map(repr, db.execute("select * from sqlite_master").fetchall())), **rows}


def assert_summary_is_right(db) -> None:
    """Every ``report_summary`` row as worked out here from ``reports``, ``agencies`` and ``figures``:
    its figures summed by their key globs (null if a cell is null), version and latest
    by page, the body's columns as its row has them now."""
    figures = defaultdict(dict)
    for rid, key, value in db.execute("select report_id, key, value from figures"):
        figures[rid][key] = value
    versions = defaultdict(list)
    for rid, page_url in db.execute("select id, page_url from reports order by id"):
        versions[page_url].append(rid)
    expected = {}
    for found in db.query("select r.*, a.name as agency, a.region, a.province, a.city, a.county, a.level "
                          "from reports r left join agencies a on a.id = r.agency_id"):
        same_page = versions[found["page_url"]]
        row = {"version": same_page.index(found["id"]) + 1, "latest": int(same_page[-1] == found["id"])}
        for column, pattern in (*schema.summary_figures(), *schema.detail_figures()):
            values = [v for k, v in figures[found["id"]].items() if fnmatchcase(k, pattern)]
            row[column] = None if not values or None in values else sum(values)
        expected[found["id"]] = {**{c: found.get(c) for c, _, _ in schema.summary_columns()}, **row}
    assert {row["id"]: row for row in db["report_summary"].rows} == expected


def test_schema_keys_and_foreign_keys(archived):
    db, _, _ = archived
    assert {"agencies", "reports", "report_sources", "report_summary", "documents", "figures", "checks",
            "prose_checks", "crawl_runs", "portal_runs", "errors", "reports_fts"} <= set(db.table_names())
    assert {"applications_by_year", "refusal_reasons_by_year", "appeal_outcomes_by_year"} <= set(db.view_names())
    assert db["figures"].pks == ["report_id", "key"]
    assert db["documents"].pks == ["report_id", "sha256"]
    assert db["report_summary"].pks == ["id"]
    assert db["report_sources"].pks == ["report_id", "portal"]
    assert {(fk.column, fk.other_table) for fk in db["reports"].foreign_keys} == {("agency_id", "agencies")}
    assert {(fk.column, fk.other_table) for fk in db["report_summary"].foreign_keys} == {
        ("id", "reports"), ("agency_id", "agencies")}
    for table in ("documents", "figures", "checks", "prose_checks", "errors", "report_sources"):
        assert ("report_id", "reports") in {(fk.column, fk.other_table) for fk in db[table].foreign_keys}
    indexed = {tuple(ix.columns) for ix in db["report_summary"].indexes}
    assert {("year",), ("province",), ("level",), ("agency_id",), ("format_version",), ("latest",)} <= indexed
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert any(ix.unique and ix.columns == ["page_url", "primary_sha256"] for ix in db["reports"].indexes)


def test_summary_counts(archived):
    db, summary, _ = archived
    figures_read = db.execute("select count(value) from figures").fetchone()[0]
    checks_failed = db.execute("select count(*) from checks where passed = 0").fetchone()[0]
    assert summary == {"reports_seen": 5, "reports_added": 5, "documents_added": 9,
                       "figures_added": figures_read, "checks_failed": checks_failed,
                       "document_errors": 2, "documents_failed": 0, "crawl_errors": 2, "runs_added": 1,
                       "bad_lines": 0, "reports_total": 5,
                       # 4 bodies; missing: 罗山 2022–2025, 淮安 2023 and 2025, 洪泽 2024–2025, 光山 2018–2025
                       "bodies_new": 4, "years_newly_missing": 16}
    assert figures_read >= 400


def test_luoshan_report_row(archived):
    db, _, items = archived
    row = db["reports"].get(report_id(db, items["luoshan"]))
    attachment = items["luoshan"]["documents"][1]
    assert row["primary_sha256"] == attachment["sha256"]  # the document with the figures
    assert row["source_url"] == attachment["url"]
    assert (row["year"], row["format_version"], row["media_type"]) == (2021, "2021", "text")
    assert (row["checks_failed"], row["checks_unknown"], row["prose_checks_failed"]) == (0, 0, 1)
    assert "依申请公开" in row["text"]
    assert row["problems"].startswith("2021年，政务公开工作取得了一定成效")
    assert row["overview"].startswith("2021 年，信息公开办")
    agency = db["agencies"].get(row["agency_id"])
    assert (agency["name"], agency["region"], agency["county"], agency["level"]) == (
        "罗山县人民政府", "罗山县", "罗山县", "county")


def test_figures_exact_and_described_by_the_format(archived):
    db, _, items = archived
    rid = report_id(db, items["luoshan"])
    figures = {r["key"]: r for r in db["figures"].rows_where("report_id = ?", [rid])}
    cells = standard_format.cells("2021")
    assert set(figures) == {c.key for c in cells}
    expected = {"requests.new_received.natural_person": 48, "requests.new_received.total": 48,
                "requests.disclosed.total": 42, "requests.withheld.prohibited_by_law.total": 6,
                "requests.carried_forward.total": 0, "active.normative_documents.in_force": 23,
                "active.licensing.decisions": 9827, "active.penalties.decisions": 1252,
                "active.fees.amount_10k_yuan": 2126, "appeals.litigation_direct.upheld": 3,
                "appeals.litigation_direct.total": 3, "appeals.review.total": 0}
    assert {k: figures[k]["value"] for k in expected} == expected
    assert figures["requests.new_received.total"]["printed"] == "48"
    for cell in cells:
        row = figures[cell.key]
        assert (row["table_number"], row["section"], row["row_label"], row["column_label"], row["unit"]) == (
            cell.table, cell.section, cell.row_label, cell.column_label, cell.unit)
    (prose,) = db["prose_checks"].rows_where("report_id = ?", [rid])
    assert (prose["prose_value"], prose["table_value"], prose["passed"]) == (46, 48, 0)


def test_checks_and_summary_view(archived):
    db, _, items = archived
    rid = report_id(db, items["luoshan"])
    checks = list(db["checks"].rows_where("report_id = ?", [rid]))
    assert len(checks) == len(standard_format.identities("2021"))
    assert all(c["passed"] == 1 for c in checks)
    (summary,) = db.query("select * from report_summary where id = ?", [rid])
    assert {k: summary[k] for k in ("new_received", "disclosed", "withheld", "unavailable", "handled_total",
                                    "review_total", "litigation_direct_total", "version", "latest")} == {
        "new_received": 48, "disclosed": 42, "withheld": 6, "unavailable": 0, "handled_total": 48,
        "review_total": 0, "litigation_direct_total": 3, "version": 1, "latest": 1}
    failing = db.execute("select count(*) from checks where passed = 0").fetchone()[0]
    assert failing == db.execute("select sum(checks_failed) from reports").fetchone()[0]
    assert_summary_is_right(db)
    assert db.execute("select count(new_received) from report_summary").fetchone()[0] == 3  # 2021 format


def test_each_report_has_its_source(archived):
    db, _, items = archived
    sources = {row["report_id"]: row for row in db["report_sources"].rows}
    assert set(sources) == {row["id"] for row in db["reports"].rows}
    luoshan = sources[report_id(db, items["luoshan"])]
    assert {k: luoshan[k] for k in ("portal", "page_url", "listing_url", "year", "fetched_at")} == {
        "portal": "罗山县人民政府", "page_url": items["luoshan"]["page_url"],
        "listing_url": items["luoshan"]["listing_url"], "year": 2021, "fetched_at": "2026-11-25T22:00:00Z"}


def test_unreadable_documents_record_errors_and_the_batch_goes_on(archived):
    db, summary, items = archived
    rid = report_id(db, items["broken"])
    errors = {e["stage"]: e for e in db["errors"].rows_where("source = 'extract'")}
    assert set(errors) == {"read", "detect"}
    assert all(e["report_id"] == rid for e in errors.values())
    assert "No such file" in errors["read"]["message"]
    assert db["reports"].get(rid)["title"] == "淮安市某局2022年政府信息公开工作年度报告"
    assert [d["extract_errors"] for d in db["documents"].rows_where("report_id = ?", [rid])] == [1, 1]
    # items after the broken one were archived
    assert report_id(db, items["hongze"]) and report_id(db, items["guangshan"])
    crawl_errors = {e["kind"]: e["portal"] for e in db["errors"].rows_where("source = 'crawl'")}
    assert crawl_errors == {"timeout": "光山县人民政府", "http_404": "罗山县人民政府"}


def test_agency_named_in_full_from_the_portal(archived):
    db, _, items = archived
    agency = db["agencies"].get(db["reports"].get(report_id(db, items["hongze"]))["agency_id"])
    assert (agency["name"], agency["region"], agency["level"]) == ("淮安市洪泽区人民政府", "淮安市洪泽区", "county")


def test_pre2019_report_has_text_and_no_figures(archived):
    db, _, items = archived
    row = db["reports"].get(report_id(db, items["guangshan"]))
    assert row["format_version"] == "pre2019" and "1200条" in row["text"]
    assert db["figures"].count_where("report_id = ?", [row["id"]]) == 0


def test_crawl_runs(archived):
    db, _, _ = archived
    (run,) = db["crawl_runs"].rows
    assert (run["portals"], run["pages"], run["reports"], run["errors"]) == (3, 35, 5, 2)
    assert db["portal_runs"].count == 3


def test_second_build_changes_nothing(crawl):
    crawl_dir, db_path, _ = crawl
    before = dump(db_path)
    summary = build(crawl_dir, db_path, today=TODAY)
    assert summary["reports_added"] == summary["documents_added"] == summary["document_errors"] == 0
    assert summary["crawl_errors"] == summary["runs_added"] == 0
    assert dump(db_path) == before


def test_changed_primary_document_adds_a_version(crawl):
    crawl_dir, db_path, items = crawl
    corrected = SEED.replace("依申请公开事项 46 份".encode(), "依申请公开事项 48 份".encode())
    write_jsonl(crawl_dir / "reports.jsonl", [luoshan(crawl_dir, corrected)], mode="a")
    summary = build(crawl_dir, db_path, today=TODAY)
    assert (summary["reports_added"], summary["reports_total"]) == (1, 6)
    db = sqlite_utils.Database(db_path)
    versions = db.execute("select version, latest, prose_checks_failed from report_summary "
                          "where page_url = ? order by id", [items["luoshan"]["page_url"]]).fetchall()
    assert versions == [(1, 0, 1), (2, 1, 0)]
    (year,) = db.query("select * from applications_by_year where year = 2021")
    assert (year["reports"], year["new_received"]) == (1, 48)
    assert_summary_is_right(db)
    before = dump(db_path)
    build(crawl_dir, db_path, today=TODAY)
    assert dump(db_path) == before


def test_a_report_found_by_two_portals_is_one_report_with_two_sources(crawl):
    """A city portal linking to a county's report: the same page and documents, found again."""
    crawl_dir, db_path, items = crawl
    county = items["luoshan"]
    city = {**county, "portal": "信阳市人民政府", "portal_url": "http://127.0.0.1:8503/",
            "listing_url": "http://127.0.0.1:8503/xxgk/xjnb/index.html", "portal_region": "河南省信阳市",
            "portal_level": "city",
            "documents": [{**doc, "fetched_at": "2026-11-26T03:00:00Z"} for doc in county["documents"]]}
    write_jsonl(crawl_dir / "reports.jsonl", [city], mode="a")
    summary = build(crawl_dir, db_path, today=TODAY)
    assert (summary["reports_added"], summary["documents_added"], summary["reports_total"]) == (0, 0, 5)
    db = sqlite_utils.Database(db_path)
    rid = report_id(db, county)
    sources = db.execute("select portal, portal_url, listing_url, fetched_at from report_sources "
                         "where report_id = ? order by fetched_at", [rid]).fetchall()
    assert sources == [("罗山县人民政府", county["portal_url"], county["listing_url"], "2026-11-25T22:00:00Z"),
                       ("信阳市人民政府", city["portal_url"], city["listing_url"], "2026-11-26T03:00:00Z")]
    assert db["reports"].get(rid)["portal"] == "罗山县人民政府"  # the first finding
    agency = db["agencies"].get(db["reports"].get(rid)["agency_id"])
    assert agency["level"] == "county"  # the city portal's file speaks of the city, not of this body
    before = dump(db_path)
    assert build(crawl_dir, db_path, today=TODAY)["reports_added"] == 0
    assert dump(db_path) == before


def test_a_report_attachment_rehosted_on_another_page_is_one_report(crawl):
    """A city portal's own page carrying the county's PDF (same bytes): one report, the city's page
    archived as one more of its documents, two sources; a rebuild skips the item."""
    crawl_dir, db_path, items = crawl
    county = items["huaian"]
    pdf = (FIXTURES / "huaian-city-gov-2024.pdf").read_bytes()
    city = report(crawl_dir, "江苏省人民政府", "淮安市人民政府2024年政府信息公开工作年度报告", 2024, "art_js_huaian",
                  page("淮安市人民政府2024年政府信息公开工作年度报告", links=("huaian2024.pdf",)),
                  [("huaian2024.pdf", "application/pdf", pdf)])
    write_jsonl(crawl_dir / "reports.jsonl", [city], mode="a")
    summary = build(crawl_dir, db_path, today=TODAY)
    assert (summary["reports_added"], summary["documents_added"], summary["reports_total"]) == (0, 1, 5)
    db = sqlite_utils.Database(db_path)
    rid = report_id(db, county)
    assert db.execute("select portal, page_url from report_sources where report_id = ? order by portal",
                      [rid]).fetchall() == [("江苏省人民政府", city["page_url"]), ("淮安市人民政府", county["page_url"])]
    assert db["documents"].count_where("report_id = ?", [rid]) == 3  # two pages, one PDF
    assert db["reports"].get(rid)["page_url"] == county["page_url"]
    before = dump(db_path)
    assert build(crawl_dir, db_path, today=TODAY)["documents_added"] == 0
    assert dump(db_path) == before


def new_reports(crawl_dir, years=(2018,)) -> list[dict]:
    return [report(crawl_dir, "光山县人民政府", f"光山县人民政府{year}年政府信息公开工作年度报告", year,
                   f"art_{year}", page(f"光山县人民政府{year}年政府信息公开工作年度报告", f"<p>{year}年。</p>"))
            for year in years]


def test_new_crawl_adds_only_what_is_new(crawl):
    crawl_dir, db_path, items = crawl
    old = items["luoshan"]
    # The same report with only its page re-rendered, one new report, one unchanged.
    restyled = luoshan(crawl_dir)
    restyled["documents"][0] = report(
        crawl_dir, "罗山县人民政府", old["title"], 2021, "art_2021",
        page(old["title"], "<p>（本页访问次数：1024）</p>", ("report.txt",)))["documents"][0]
    write_jsonl(crawl_dir / "reports.jsonl", [restyled, *new_reports(crawl_dir), items["hongze"]], mode="a")
    summary = build(crawl_dir, db_path, today=TODAY)
    assert (summary["reports_added"], summary["documents_added"]) == (1, 2)
    db = sqlite_utils.Database(db_path)
    assert db["documents"].count_where("report_id = ?", [report_id(db, old)]) == 3


def test_interrupted_batch_keeps_the_previous_archive(crawl, monkeypatch):
    crawl_dir, db_path, _ = crawl
    before = dump(db_path)
    write_jsonl(crawl_dir / "reports.jsonl", new_reports(crawl_dir), mode="a")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(archive.build, "add_parsed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(crawl_dir, db_path, today=TODAY)
    assert dump(db_path) == before


def test_killed_batch_keeps_the_previous_archive(crawl):
    crawl_dir, db_path, _ = crawl
    before = dump(db_path)
    write_jsonl(crawl_dir / "reports.jsonl", new_reports(crawl_dir, (2018, 2019)), mode="a")
    # SIGKILL once the first new report is written, before the second.
    script = (
        "import os, signal\n"
        "from archive.build import build\n"
        "def progress(message):\n"
        "    if message.startswith('[7/'):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        f"build({str(crawl_dir)!r}, {str(db_path)!r}, progress=progress)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert dump(db_path) == before
    assert sqlite3.connect(db_path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_recrawl_hitting_the_same_error_is_one_error_seen_twice(crawl):
    crawl_dir, db_path, _ = crawl
    again = {"run_id": "20261126T220000Z-1a2b3c4d", "portal": "罗山县人民政府", "url": f"{PORTAL}missing.html",
             "kind": "http_404", "message": "404 Not Found", "time": "2026-11-26T22:02:00Z"}
    write_jsonl(crawl_dir / "errors.jsonl", [again, again], mode="a")
    assert build(crawl_dir, db_path, today=TODAY)["crawl_errors"] == 1
    assert build(crawl_dir, db_path, today=TODAY)["crawl_errors"] == 0
    db = sqlite_utils.Database(db_path)
    (row,) = db["errors"].rows_where("kind = 'http_404'")
    assert (row["first_seen"], row["last_seen"], row["observations"], row["last_run_id"]) == (
        "2026-11-25T22:02:00Z", "2026-11-26T22:02:00Z", 2, again["run_id"])
    assert db["error_observations"].count_where("error_id = ?", [row["id"]]) == 2


def test_an_archive_with_the_summary_view_is_upgraded_in_place(crawl):
    """Archives built before report_summary was a table have it as a view, and no report_sources."""
    crawl_dir, db_path, items = crawl
    db = sqlite_utils.Database(db_path)
    for table in ("report_summary", "report_sources"):
        db[table].drop()
    # The view of the previous code: the main figures only, no agency_id.
    details = dict(schema.detail_figures())
    old = {column: sql for column, _, sql in schema.summary_columns() if column != "agency_id" and column not in details}
    db.create_view("report_summary", "select " + ", ".join(f"{sql} as [{column}]" for column, sql in old.items())
                   + " from reports r left join agencies a on a.id = r.agency_id")
    computed = {row["id"]: row for row in db.query("select * from report_summary")}
    db.close()
    write_jsonl(crawl_dir / "reports.jsonl", new_reports(crawl_dir), mode="a")
    assert build(crawl_dir, db_path, today=TODAY)["reports_added"] == 1
    db = sqlite_utils.Database(db_path)
    assert "report_summary" in db.table_names() and "report_summary" not in db.view_names()
    stored = {row["id"]: row for row in db["report_summary"].rows}
    assert {id: {column: row[column] for column in old} for id, row in stored.items() if id in computed} == computed
    assert len(stored) == len(computed) + 1
    assert_summary_is_right(db)
    assert db.execute("select count(*), count(distinct report_id) from report_sources").fetchone() == (6, 6)
    (luoshan,) = db["report_sources"].rows_where("report_id = ?", [report_id(db, items["luoshan"])])
    assert (luoshan["portal"], luoshan["listing_url"], luoshan["fetched_at"]) == (
        "罗山县人民政府", items["luoshan"]["listing_url"], "2026-11-25T22:00:00Z")
    (year,) = db.query("select * from applications_by_year where year = 2021")
    assert (year["reports"], year["new_received"]) == (1, 48)


def test_a_summary_table_of_other_columns_is_rebuilt(crawl):
    crawl_dir, db_path, _ = crawl
    db = sqlite_utils.Database(db_path)
    for view in db.view_names():  # they read the column
        db[view].drop()
    db.execute("alter table report_summary drop column review_upheld")
    db.execute("update report_summary set new_received = -1")
    db.close()
    build(crawl_dir, db_path, today=TODAY)
    db = sqlite_utils.Database(db_path)
    assert "review_upheld" in db["report_summary"].columns_dict
    assert_summary_is_right(db)


def test_an_older_archive_gains_the_new_columns(tmp_path):
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "old.db"
    make_crawl(crawl_dir)
    sqlite_utils.Database(db_path)["errors"].create(
        {"id": str, "source": str, "portal": str, "url": str, "kind": str, "stage": str, "message": str,
         "time": str, "report_id": int, "document_sha256": str}, pk="id")
    assert build(crawl_dir, db_path, today=TODAY)["crawl_errors"] == 2
    columns = sqlite_utils.Database(db_path)["errors"].columns_dict
    assert "time" not in columns and {"first_seen", "last_seen", "observations"} <= set(columns)


def test_the_portal_files_region_and_level_win_for_the_portals_own_body(crawl):
    crawl_dir, db_path, _ = crawl
    (item,) = new_reports(crawl_dir)
    write_jsonl(crawl_dir / "reports.jsonl", [{**item, "portal_region": "河南省信阳市光山县", "portal_level": "county"}],
                mode="a")
    build(crawl_dir, db_path, today=TODAY)
    db = sqlite_utils.Database(db_path)
    (agency,) = db["agencies"].rows_where("name = '光山县人民政府'")
    assert {key: agency[key] for key in ("region", "province", "city", "county", "township", "level")} == {
        "region": "河南省信阳市光山县", "province": "河南省", "city": "信阳市", "county": "光山县", "township": None,
        "level": "county"}
    # The 2017 report archived before is in the body's province now too.
    assert [row["province"] for row in db["report_summary"].rows_where("agency_id = ?", [agency["id"]])] == [
        "河南省", "河南省"]
    assert_summary_is_right(db)


def test_another_bodys_report_on_a_portal_keeps_the_records_region(crawl):
    """The portal file speaks of the portal's own body, not of a department it lists."""
    crawl_dir, db_path, _ = crawl
    (item,) = new_reports(crawl_dir)
    title = "光山县教育体育局2018年政府信息公开工作年度报告"
    department = report(crawl_dir, "光山县人民政府", title, 2018, "art_jy", page(title, "<p>2018年。</p>"))
    write_jsonl(crawl_dir / "reports.jsonl", [{**department, "portal_region": "河南省信阳市光山县",
                                               "portal_level": "county"}], mode="a")
    build(crawl_dir, db_path, today=TODAY)
    (agency,) = sqlite_utils.Database(db_path)["agencies"].rows_where("name = '光山县教育体育局'")
    assert (agency["region"], agency["province"], agency["county"], agency["level"]) == (
        "光山县", None, "光山县", "department")
