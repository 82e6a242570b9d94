"""The archive's pages in headless Chromium (Debian package ``chromium``, installed by ``make test``).

Chromium loads each page from a real Datasette on 127.0.0.1, runs its scripts and
prints the DOM; ``--enable-logging=stderr`` writes every console message (a
``console.error``, an uncaught exception, a resource that failed to load) to
stderr as ``…:CONSOLE…] "message", source: url``. A page passes when the console
stayed silent and the elements it must have are in the DOM after load.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from archive_crawl import datasette, make_archive

# `make test` installs Chromium; without it these tests fail rather than pass unseen.
CHROMIUM = shutil.which("chromium") or "chromium (Debian package not installed: run `make test`)"
CONSOLE = re.compile(r":CONSOLE[^\]]*\] (.*)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, items, a scratch folder) of the test archive in Datasette."""
    directory = tmp_path_factory.mktemp("browser")
    _, db_path, _, items = make_archive(directory)
    with datasette(db_path) as base:
        yield f"{base}/{db_path.stem}", base, items, directory


def load(url: str, profile) -> str:
    """The DOM of ``url`` after load; fails on any console message."""
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--dump-dom", url],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    console = CONSOLE.findall(result.stderr)
    assert console == [], f"console output on {url}: {console}"
    assert "</html>" in result.stdout
    return result.stdout


def test_report_row_page(served):
    database, _, items, directory = served
    table = load(f"{database}/reports?_sort=id&page_url={items['luoshan']['page_url']}", directory / "profile")
    (row_path,) = set(re.findall(r'href="(/[^/"]+/reports/\d+)"', table))
    dom = load(database.rsplit("/", 1)[0] + row_path, directory / "profile")
    assert "罗山县人民政府2021年政府信息公开工作年度报告" in dom
    attachment = items["luoshan"]["documents"][1]
    assert f'href="/-/document/{attachment["sha256"]}"' in dom and f'href="{attachment["url"]}"' in dom
    assert '<table class="national">' in dom and "一、本年新收政府信息公开申请数量" in dom


def test_table_page_scripts_run(served):
    database, _, _, directory = served
    dom = load(f"{database}/reports?_search=复议&_sort=published", directory / "profile")
    assert 'class="dropdown-menu-icon"' in dom  # added by Datasette's table.js after load


def test_chart_page(served):
    _, base, _, directory = served
    dom = load(f"{base}/-/charts", directory / "profile")
    assert dom.count('<svg class="chart"') == 3
    assert re.search(r'<rect class="bar"[^>]*height="[1-9]', dom)
    assert 'class="share"' in dom
    assert dom.count('class="legend"') == 11 and "年度 · Report year" in dom and "维持 · Upheld" in dom


def test_a_script_error_is_caught(served):
    _, _, _, directory = served
    page = directory / "broken.html"
    page.write_text("<html><body><script>undefinedFunction()</script></body></html>")
    with pytest.raises(AssertionError, match="undefinedFunction is not defined"):
        load(page.as_uri(), directory / "profile")
