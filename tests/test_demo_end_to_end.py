"""`nianbao demo` end to end, as `make demo` runs it, then the archive in Datasette.

The demo serves the bundled portal, crawls it, builds the archive and compares
it with the demo's ground truth; its exit code is 0 only when every demo report
is archived with every figure exact and none of the look-alikes is.
"""
from __future__ import annotations

import json
import re
import sys
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import sqlite_utils

from archive_crawl import datasette
from ports import free_ports
from tests.cli_support import run_nianbao


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_demo(workdir, db, ports, terminal=False):
    return Run(*run_nianbao("demo", "--workdir", workdir, "--db", db, "--ports", ",".join(map(str, ports)),
                            terminal=terminal, timeout=300))


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    """The demo run as cron or a pipe would (no terminal), then again on a terminal."""
    work = tmp_path_factory.mktemp("demo")
    ports = free_ports(3)
    first = run_demo(work / "work", work / "nianbao.db", ports)
    second = run_demo(work / "work", work / "nianbao.db", ports, terminal=True)
    return work / "nianbao.db", first, second


def test_demo_archives_every_report_exactly(demo_runs):
    _, first, _ = demo_runs
    assert first.returncode == 0, first.stdout + first.stderr
    assert "22/22 demo reports archived; 0 problems" in first.stdout
    assert "archive: 22 reports added, 22 in " in first.stdout
    # the build's messages as counts (the years missing depend on today: the demo has no 2025 report)
    assert re.search(r"archive: 22 reports added, 22 in .*; 6 new bodies, \d+ years newly missing\n", first.stdout)
    # Deliberately inconsistent reports are reported as failing their checks.
    assert first.stdout.count("(deliberate)") == 3
    # The dead link and the robots-blocked page are reported against their portal.
    assert "[crawl/http_404] 罗山县人民政府" in first.stdout
    assert "[crawl/robots] 罗山县人民政府" in first.stdout
    # The units 罗山县人民政府 hosts, each under its own name.
    for unit in ("罗山县教育体育局 2023", "罗山县教育体育局 2024", "罗山县财政局 2024", "罗山县城关镇人民政府 2024"):
        assert f"  {unit}: format 2021, html, figures exact" in first.stdout


def test_demo_without_a_terminal_prints_its_summary_only(demo_runs):
    """No log lines, no line per report item: the sites, the crawl's summary, the archive's, the findings."""
    _, first, _ = demo_runs
    assert first.stderr == ""
    lines = first.stdout.splitlines()
    # some 50 lines: one per build item (22) or per build message (12) would make it 70 or more
    assert len(lines) <= 55 and not any(re.match(r"\[\d+/\d+\] |reading \d+ documents|new body: ", line) for line in lines)


def test_demo_rerun_adds_nothing_and_shows_its_progress_on_a_terminal(demo_runs):
    _, _, second = demo_runs
    assert second.returncode == 0, second.stdout + second.stderr
    assert "archive: 0 reports added, 22 in" in second.stdout
    assert second.stdout.count("(0 new, 0 changed)") == 3
    redraws = second.stderr.split("\r")
    assert any(r.startswith("crawl: 3/3 portals | ") for r in redraws), redraws
    assert any(r.startswith("build: 22/22 reports | ") for r in redraws), redraws
    assert "Traceback" not in second.stderr and "INFO" not in second.stderr


def test_demo_archive_opens_in_datasette(demo_runs):
    db, _, _ = demo_runs
    serve = lambda port: [sys.executable, "-m", "nianbao", "serve", "--db", str(db), "--port", str(port)]
    with datasette(db, command=serve) as base:
        rows = get_json(f"{base}/{db.stem}/reports.json?_shape=array&_col=year&_col=portal")
        assert len(rows) == 22
        hits = get_json(f"{base}/{db.stem}/reports.json?_search={quote('行政复议')}&_shape=array&_col=title")
        assert len(hits) == 22


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_the_report_whose_tables_are_pictures_is_read_with_its_page(demo_runs):
    """河南省发展和改革委员会 2023 prints its tables as screenshots (demo_portal/pictures.py): the build
    reads the page with its pictures, once; the second run adds nothing."""
    db_path, first, second = demo_runs
    expected = json.loads((db_path.parent / "work" / "sites" / "expected.json").read_text(encoding="utf-8"))
    want = next(r for r in expected["reports"] if any(d["kind"] == "png" for d in r["documents"]))
    db = sqlite_utils.Database(db_path)
    (report,) = db.query("select * from reports where page_url like ?", ["%" + want["page_path"]])
    figures = {row["key"]: row for row in db["figures"].rows_where("report_id = ?", [report["id"]])}
    assert set(figures) == set(want["figures"])
    wrong = [key for key, value in want["figures"].items()
             if figures[key]["value"] != value and not (figures[key]["value"] is None and figures[key]["null_reason"])]
    assert not wrong  # exact, or null with a reason
    assert sum(row["value"] == want["figures"][key] for key, row in figures.items()) >= 0.97 * len(want["figures"])
    assert report["ocr"] == 1 and report["media_type"] == "html" and report["checks_failed"] == 0
    assert all(row["ocr"] == 1 for row in figures.values() if row["value"] is not None)
    documents = list(db["documents"].rows_where("report_id = ?", [report["id"]]))
    page = next(d for d in documents if d["role"] == "page")
    pictures = sorted(d["url"].rsplit("/", 1)[1] for d in documents if d["role"] == "attachment")
    assert pictures == sorted(d["path"].rsplit("/", 1)[1] for d in want["documents"] if d["kind"] == "png")
    assert {d["read_in"] for d in documents if d["role"] == "attachment"} == {page["sha256"]}
    assert {d["media_type"] for d in documents if d["role"] == "attachment"} == {"image"}
    assert page["read_in"] is None and not db["errors"].count_where("report_id = ?", [report["id"]])
    assert "archive: 0 reports added, 22 in" in second.stdout  # the second build adds nothing
    assert db["documents"].count_where("report_id = ?", [report["id"]]) == len(documents) == len(want["documents"])
