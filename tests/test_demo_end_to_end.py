"""`nianbao demo` end to end, as `make demo` runs it, then the archive in Datasette.

The demo serves the bundled portal, crawls it, builds the archive and compares
it with the demo's ground truth; its exit code is 0 only when every demo report
is archived with every figure exact and none of the look-alikes is.
"""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from urllib.parse import quote

import pytest

from archive_crawl import datasette
from ports import free_ports


def run_demo(workdir, db, ports):
    return subprocess.run(
        [sys.executable, "-m", "nianbao", "demo", "--workdir", str(workdir), "--db", str(db),
         "--ports", ",".join(map(str, ports))],
        capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    ports = free_ports(3)
    first = run_demo(work / "work", work / "nianbao.db", ports)
    second = run_demo(work / "work", work / "nianbao.db", ports)
    return work / "nianbao.db", first, second


def test_demo_archives_every_report_exactly(demo_runs):
    _, first, _ = demo_runs
    assert first.returncode == 0, first.stdout + first.stderr
    assert "22/22 demo reports archived; 0 problems" in first.stdout
    assert "archive: 22 reports added" in first.stdout
    # Deliberately inconsistent reports are reported as failing their checks.
    assert first.stdout.count("(deliberate)") == 3
    # The dead link and the robots-blocked page are reported against their portal.
    assert "[crawl/http_404] 罗山县人民政府" in first.stdout
    assert "[crawl/robots] 罗山县人民政府" in first.stdout
    # The units 罗山县人民政府 hosts, each under its own name.
    for unit in ("罗山县教育体育局 2023", "罗山县教育体育局 2024", "罗山县财政局 2024", "罗山县城关镇人民政府 2024"):
        assert f"  {unit}: format 2021, html, figures exact" in first.stdout


def test_demo_rerun_adds_nothing(demo_runs):
    _, _, second = demo_runs
    assert second.returncode == 0, second.stdout + second.stderr
    assert "archive: 0 reports added, 22 in" in second.stdout
    assert second.stdout.count("(0 new, 0 changed)") == 3


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
