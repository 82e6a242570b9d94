"""The archive in a real Datasette (``archive.serve``), queried over HTTP on 127.0.0.1."""
from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from archive.serve import serve_command
from archive_crawl import make_archive


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """(db path, items), the database deliberately not called nianbao.db."""
    directory = tmp_path_factory.mktemp("served")
    _, built_path, _, items = make_archive(directory)
    db_path = built_path.rename(directory / "archive.db")
    return db_path, items


@pytest.fixture(scope="module")
def server(archive):
    db_path, _ = archive
    port = free_port()
    process = subprocess.Popen(serve_command(db_path, port=port), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_up(base, process, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"datasette exited: {process.stderr.read().decode()}")
        try:
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError("datasette did not start")


def get(server, path, **params):
    with urllib.request.urlopen(f"{server}{path}?{urlencode(params)}", timeout=10) as response:
        body = response.read().decode()
    return json.loads(body) if ".json" in path else body


def ids_containing(db_path, term) -> set[int]:
    rows = sqlite3.connect(db_path).execute("select id, title, text from reports")
    return {id for id, title, text in rows if term in (title or "") + (text or "")}


@pytest.mark.parametrize("term", ("复议", "行政复议", "依申请公开", "罗山县", "县"))
@pytest.mark.parametrize("table", ("reports", "report_summary"))
def test_search_box(server, archive, table, term):
    db_path, _ = archive
    rows = get(server, f"/archive/{table}.json", _search=term, _shape="array", _size="max")
    assert {r["id"] for r in rows} == ids_containing(db_path, term) and rows


def test_search_finds_the_right_report(server, archive):
    _, items = archive
    rows = get(server, "/archive/reports.json", _search="罗山县", _shape="array", _col="page_url")
    assert [r["page_url"] for r in rows] == [items["luoshan"]["page_url"]]
    assert "光山县" not in json.dumps(get(server, "/archive/reports.json", _search="复议", _shape="array",
                                           _col="title"), ensure_ascii=False)


def test_raw_search_mode(server, archive):
    db_path, _ = archive
    rows = get(server, "/archive/reports.json", _search="行政复议 OR 罗山县", _searchmode="raw",
               _shape="array", _col="title")
    assert {r["id"] for r in rows} == ids_containing(db_path, "行政复议") | ids_containing(db_path, "罗山县")


def test_table_page_has_search_box_and_metadata(server):
    html = get(server, "/archive/reports")
    assert 'name="_search"' in html and "每份年度报告一行" in html
    metadata = get(server, "/-/metadata.json")
    assert metadata["title"].startswith("政府信息公开工作年度报告档案")
    assert set(metadata["databases"]["archive"]["queries"]) >= {"reports_by_body", "reports_failing_checks"}


def test_facets(server):
    data = get(server, "/archive/report_summary.json", _size=0)
    facets = {name: {r["value"]: r["count"] for r in f["results"]} for name, f in data["facet_results"].items()}
    assert facets["year"] == {2017: 1, 2021: 1, 2022: 1, 2023: 1, 2024: 1}
    assert facets["format_version"] == {"2021": 3, "pre2019": 1}
    assert facets["level"] == {"县级": 3, "市级": 2}


def test_canned_queries(server, archive):
    db_path, _ = archive
    rows = get(server, "/archive/reports_by_body.json", body="罗山", _shape="array")
    assert [(r["agency"], r["year"]) for r in rows] == [("罗山县人民政府", 2021)]
    failing = get(server, "/archive/reports_failing_checks.json", _shape="array")
    expected = sqlite3.connect(db_path).execute("select count(*) from checks where passed = 0").fetchone()[0]
    assert len(failing) == expected and all(r["lhs"] != r["rhs"] for r in failing)
    figure = get(server, "/archive/figure_by_key.json", key="requests.new_received.total", _shape="array")
    assert ("罗山县人民政府", 2021, 48) in {(r["agency"], r["year"], r["value"]) for r in figure}


def test_row_page(server, archive):
    _, items = archive
    (row,) = get(server, "/archive/reports.json", page_url=items["luoshan"]["page_url"], _shape="array")
    data = get(server, f"/archive/reports/{row['id']}.json", _shape="array")
    assert data[0]["title"] == "罗山县人民政府2021年政府信息公开工作年度报告"
    html = get(server, f"/archive/reports/{row['id']}")
    assert "罗山县人民政府2021年政府信息公开工作年度报告" in html and "figures" in html  # links to related rows


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
