"""The archive in a real Datasette (``archive.serve``), queried over HTTP on 127.0.0.1."""
from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from archive.build import build
from archive.search import fts_query
from archive.serve import serve_command
from archive_crawl import SEED, TODAY, datasette, make_archive, page, report, write_jsonl


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """(db path, items), the database deliberately not called nianbao.db.

    The test crawl plus a second crawl with 罗山县's 2022 report (the 2021 text, re-dated),
    so one body has consecutive years.
    """
    directory = tmp_path_factory.mktemp("served")
    crawl_dir, built_path, _, items = make_archive(directory)
    title = "罗山县人民政府2022年政府信息公开工作年度报告"
    items["luoshan_2022"] = report(crawl_dir, "罗山县人民政府", title, 2022, "art_2022",
                                   page(title, links=("report2022.txt",)),
                                   [("report2022.txt", "text/plain", SEED.decode().replace("2021", "2022").encode())])
    write_jsonl(crawl_dir / "reports.jsonl", [items["luoshan_2022"]], mode="a")
    build(crawl_dir, built_path, today=TODAY)
    db_path = built_path.rename(directory / "archive.db")
    return db_path, items


@pytest.fixture(scope="module")
def server(archive):
    db_path, _ = archive
    with datasette(db_path) as base:
        yield base


def get(server, path, **params):
    with urllib.request.urlopen(f"{server}{path}?{urlencode(params)}", timeout=10) as response:
        body = response.read().decode()
    return json.loads(body) if ".json" in path else body


def ids_containing(db_path, term) -> set[int]:
    rows = sqlite3.connect(db_path).execute("select id, title, text from reports")
    return {id for id, title, text in rows if term in (title or "") + (text or "")}


def test_no_suggested_facets_but_the_declared_ones(server):
    """Suggesting facets tries every column on each page (9 s at 100,000 reports); the useful
    facets are declared in metadata.yaml and still computed."""
    data = get(server, "/archive/report_summary.json")
    assert data["suggested_facets"] == []
    assert {"year", "province", "level", "format_version"} <= set(data["facet_results"])


SEARCH_TERMS = ("县", "复议", "罗山县", "行政复议", "依申请公开", "政府信息公开")  # 1 to 6 characters


@pytest.mark.parametrize("term", SEARCH_TERMS)
@pytest.mark.parametrize("table", ("reports", "report_summary"))
def test_search_box(server, archive, table, term):
    db_path, _ = archive
    rows = get(server, f"/archive/{table}.json", _search=term, _shape="array", _size="max")
    assert {r["id"] for r in rows} == ids_containing(db_path, term) and rows


@pytest.mark.parametrize("term", SEARCH_TERMS)
def test_search_box_page_gives_ranked_results(server, archive, term):
    db_path, _ = archive
    with urllib.request.urlopen(f"{server}/archive/reports?{urlencode({'_search': term})}", timeout=10) as response:
        assert response.url == f"{server}/archive/search?{urlencode({'q': term})}"
        assert term in response.read().decode()
    rows = get(server, "/archive/search.json", q=term, _shape="array")
    rank = dict(sqlite3.connect(db_path).execute(
        "select rowid, rank from reports_fts where reports_fts match ?", [fts_query(term)]).fetchall())
    assert [rank[r["id"]] for r in rows] == sorted(rank.values())  # best (lowest bm25) first
    assert {r["id"] for r in rows} == ids_containing(db_path, term)


def test_search_box_form_as_the_browser_sends_it(server):
    form = {"_search": "复议", "_filter_column": "", "_filter_op": "exact", "_filter_value": "", "_sort": "id",
            "_sort_by_desc": "on"}
    with urllib.request.urlopen(f"{server}/archive/reports?{urlencode(form)}", timeout=10) as response:
        assert response.url == f"{server}/archive/search?{urlencode({'q': '复议'})}"


def test_search_with_a_sort_stays_the_table(server):
    html = get(server, "/archive/reports", _search="复议", _sort="published")
    assert 'name="_search" value="复议"' in html and "facet-results" in html


def test_search_finds_the_right_report(server, archive):
    _, items = archive
    rows = get(server, "/archive/reports.json", _search="洪泽区", _shape="array", _col="page_url")
    assert [r["page_url"] for r in rows] == [items["hongze"]["page_url"]]
    assert "光山县" not in json.dumps(get(server, "/archive/reports.json", _search="复议", _shape="array",
                                           _col="title"), ensure_ascii=False)


def test_raw_search_mode(server, archive):
    db_path, _ = archive
    query = f"{fts_query('行政复议')} OR {fts_query('罗山县')}"
    rows = get(server, "/archive/reports.json", _search=query, _searchmode="raw", _shape="array", _col="title")
    assert {r["id"] for r in rows} == ids_containing(db_path, "行政复议") | ids_containing(db_path, "罗山县")


def test_table_page_has_search_box_and_metadata(server):
    html = get(server, "/archive/reports")
    assert 'name="_search"' in html and "每份年度报告一行" in html
    metadata = get(server, "/-/metadata.json")
    assert metadata["title"].startswith("政府信息公开工作年度报告档案")
    for note in ("source", "license"):  # shown in every page's footer
        assert re.search(r"[\u4e00-\u9fff].* · [A-Z]", metadata[note]) and metadata[note] in html
    assert set(metadata["databases"]["archive"]["queries"]) >= {"search", "reports_by_body", "reports_failing_checks"}


def test_facets(server):
    data = get(server, "/archive/report_summary.json", _size=0)
    facets = {name: {r["value"]: r["count"] for r in f["results"]} for name, f in data["facet_results"].items()}
    assert set(facets) == {"year", "format_version", "level", "province", "latest", "checks_failed"}
    assert facets["year"] == {2017: 1, 2021: 1, 2022: 2, 2023: 1, 2024: 1}
    assert facets["format_version"] == {"2021": 4, "pre2019": 1}
    assert facets["level"] == {"county": 4, "city": 2}
    assert facets["latest"] == {1: 6}
    assert sum(facets["checks_failed"].values()) == 6
    reports = get(server, "/archive/reports.json", _size=0)["facet_results"]
    assert {"year", "format_version", "checks_failed"} <= set(reports)
    units = get(server, "/archive/figures.json", _size=0)["facet_results"]["unit"]["results"]
    assert {"件", "万元"} <= {r["value"] for r in units}


@pytest.mark.parametrize("table, column", [("report_summary", c) for c in (
    "year", "agency", "province", "level", "format_version", "new_received", "checks_failed")] + [
    ("reports", c) for c in ("year", "format_version", "checks_failed")] + [("agencies", c) for c in (
        "province", "level")])
def test_sortable_columns(server, table, column):
    data = get(server, f"/archive/{table}.json", _sort=column, _shape="objects", _size="max")
    values = [r[column] for r in data["rows"] if r[column] is not None]
    assert f"sorted by {column}" in data["human_description_en"] and values == sorted(values)


def test_every_table_and_column_is_described_in_chinese_and_english(server, archive):
    db_path, _ = archive
    tables = get(server, "/-/metadata.json")["databases"]["archive"]["tables"]
    db = sqlite3.connect(db_path)
    names = [name for (name,) in db.execute(
        "select name from sqlite_master where type in ('table', 'view') and name not like 'reports_fts%'")]
    assert {"report_summary", "report_sources", "applications_by_year"} <= set(names)
    chinese_and_english = re.compile(r"[\u4e00-\u9fff].*[A-Za-z]{3}", re.S)
    for name in names:
        assert chinese_and_english.search(tables[name]["description"]), name
        columns = [column for _, column, *_ in db.execute(f"pragma table_info([{name}])")]
        described = tables[name].get("columns", {})
        assert set(columns) == set(described), name
        assert [c for c in columns if not chinese_and_english.search(described[c])] == [], name


def report_id(server, item) -> int:
    (row,) = get(server, "/archive/reports.json", page_url=item["page_url"], _shape="array", _col="id")
    return row["id"]


def test_refusal_reasons(server, archive):
    _, items = archive
    luoshan = report_id(server, items["luoshan"])
    rows = get(server, "/archive/refusal_reasons.json", report_id=luoshan, _shape="array", _size="max")
    assert len(rows) == 8 + 3 + 5  # reasons for 不予公开, 无法提供, 不予处理 in the 2021 format
    assert {r["reason"]: r["requests"] for r in rows}["2.其他法律行政法规禁止公开"] == 6
    assert {r["result"] for r in rows} == {"（三）不予公开", "（四）无法提供", "（五）不予处理"}
    by_year = get(server, "/archive/refusal_reasons_by_year.json", year=2021, _shape="array", _size="max")
    assert [r["reason"] for r in by_year][:2] == ["1.属于国家秘密", "2.其他法律行政法规禁止公开"]
    assert sum(r["requests"] for r in by_year) == sum(r["requests"] for r in rows) == 6


def test_appeal_outcomes(server, archive):
    _, items = archive
    rows = get(server, "/archive/appeal_outcomes.json", report_id=report_id(server, items["luoshan"]),
               _shape="array")
    outcomes = {r["appeal"]: (r["upheld"], r["corrected"], r["other"], r["pending"], r["total"]) for r in rows}
    assert outcomes == {"行政复议": (0, 0, 0, 0, 0), "行政诉讼·未经复议直接起诉": (3, 0, 0, 0, 3),
                        "行政诉讼·复议后起诉": (0, 0, 0, 0, 0)}
    by_year = get(server, "/archive/appeal_outcomes_by_year.json", year=2021, _shape="array")
    assert {r["appeal"]: r["total"] for r in by_year}["行政诉讼·未经复议直接起诉"] == 3


def test_canned_queries(server, archive):
    db_path, _ = archive
    rows = get(server, "/archive/reports_by_body.json", body="罗山", _shape="array")
    assert [(r["agency"], r["year"]) for r in rows] == [("罗山县人民政府", 2021), ("罗山县人民政府", 2022)]
    failing = get(server, "/archive/reports_failing_checks.json", _shape="array")
    expected = sqlite3.connect(db_path).execute("select count(*) from checks where passed = 0").fetchone()[0]
    assert len(failing) == expected and all(r["lhs"] != r["rhs"] for r in failing)
    figure = get(server, "/archive/figure_by_key.json", key="requests.new_received.total", _shape="array")
    assert ("罗山县人民政府", 2021, 48) in {(r["agency"], r["year"], r["value"]) for r in figure}
    years = get(server, "/archive/body_across_years.json", body="罗山", _shape="array")
    assert [(r["year"], r["new_received"], r["withheld"]) for r in years] == [(2021, 48, 6), (2022, 48, 6)]
    missing = get(server, "/archive/bodies_missing_year.json", year="2022", _shape="array")
    # 洪泽区 (first seen 2023) owes no 2022 report; 淮安市 has one (the unreadable item).
    assert {r["agency"]: r["years_found"] for r in missing} == {"光山县人民政府": "2017"}
    changes = get(server, "/archive/biggest_changes.json", key="requests.new_received.total", _shape="array")
    assert [(r["agency"], r["year"], r["previous_year_value"], r["value"], r["change"]) for r in changes] == [
        ("罗山县人民政府", 2022, 48, 48, 0)]


def test_row_page(server, archive):
    _, items = archive
    (row,) = get(server, "/archive/reports.json", page_url=items["luoshan"]["page_url"], _shape="array")
    data = get(server, f"/archive/reports/{row['id']}.json", _shape="array")
    assert data[0]["title"] == "罗山县人民政府2021年政府信息公开工作年度报告"
    html = get(server, f"/archive/reports/{row['id']}")
    assert "罗山县人民政府2021年政府信息公开工作年度报告" in html and "figures" in html  # links to related rows
    assert "report_sources" in html


def test_report_sources(server, archive):
    _, items = archive
    rows = get(server, "/archive/report_sources.json", report_id=report_id(server, items["luoshan"]),
               _shape="array")
    assert [(r["portal"], r["listing_url"]) for r in rows] == [("罗山县人民政府", items["luoshan"]["listing_url"])]
    html = get(server, "/archive/report_sources")
    assert "每次发现报告一行" in html and f'href="{items["luoshan"]["page_url"]}"' in html


def test_every_page_renders(server):
    metadata = get(server, "/-/metadata.json")["databases"]["archive"]
    pages = ["/", "/archive", *(f"/archive/{name}" for name in metadata["tables"]),
             *(f"/archive/{name}" for name in metadata["queries"])]
    for path in pages:
        assert "<html" in get(server, path), path


def test_serve_command():
    command = serve_command("x.db", port=9999)
    assert command[1:5] == ["-m", "datasette", "serve", "x.db"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "9999"


def fetch(server, path):
    """(status, headers, body bytes) of a GET, errors included."""
    try:
        with urllib.request.urlopen(f"{server}{path}", timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_archived_documents_are_served(server, archive):
    _, items = archive
    page, attachment = items["luoshan"]["documents"]
    status, headers, body = fetch(server, f"/-/document/{attachment['sha256']}")
    assert (status, body, headers["content-type"]) == (200, SEED, "text/plain")
    assert headers["content-disposition"] == (f'inline; filename="{attachment["sha256"]}.txt"; '
                                              "filename*=UTF-8''report.txt")
    status, headers, body = fetch(server, f"/-/document/{page['sha256']}")
    assert status == 200 and body.startswith(b"<!DOCTYPE html>")
    assert headers["content-security-policy"] == "sandbox" and headers["x-content-type-options"] == "nosniff"
    assert fetch(server, "/-/document/" + "0" * 64)[0] == 404


def test_report_row_links_to_its_document_and_source(server, archive):
    _, items = archive
    attachment = items["luoshan"]["documents"][1]
    html = get(server, f"/archive/reports/{report_id(server, items['luoshan'])}")
    assert f'href="/-/document/{attachment["sha256"]}"' in html
    assert f'href="{attachment["url"]}"' in html
    summary = get(server, "/archive/report_summary", _search="罗山县", _sort="year")
    assert f'href="/-/document/{attachment["sha256"]}"' in summary


def test_charts_page(server, archive):
    db_path, _ = archive
    html = get(server, "/-/charts")
    years = [year for (year,) in sqlite3.connect(db_path).execute(
        "select year from applications_by_year where new_received order by year")]
    assert years == [2021, 2022, 2023, 2024]
    assert html.count('<svg class="chart"') == 3 and html.count('class="bar"') == len(years)
    assert html.count('class="share"') >= len(years) * 6
    assert all(f"<title>{year}: " in html for year in years)
    # Legends, axis titles and the tables beneath in Chinese and English.
    assert html.count('class="legend"') == 1 + 6 + 4
    for label in ("本年新收 · New requests received", "予以公开 · Disclosed", "不予处理 · Not processed",
                  "纠正 · Corrected", "尚未审结 · Pending", "件 · Requests", "占比 · Share", "年度 · Report year"):
        assert f">{label}<" in html, label
    assert 'href="/-/charts"' in get(server, "/")  # in the menu
