"""``nianbao build`` stopped by Ctrl-C, and ``nianbao serve`` quiet unless ``--verbose``: each run as
a user runs it, in a fresh interpreter sent real signals."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from archive_crawl import write_jsonl
from ports import free_ports
from test_archive_build_limits import many_reports

ROOT = Path(__file__).resolve().parent.parent
REPORTS = 250  # batches of 100 (archive.build.BATCH_ITEMS): two committed, the third in the making
NIANBAO = [sys.executable, "-m", "nianbao"]


def reports_in(db_path: Path) -> int:
    try:
        with sqlite3.connect(db_path) as db:
            return db.execute("select count(*) from reports").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """(crawl dir, db path, exit code, stderr) of a build sent Ctrl-C once it committed a batch."""
    directory = tmp_path_factory.mktemp("interrupted")
    crawl_dir, db_path = directory / "crawl", directory / "nianbao.db"
    crawl_dir.mkdir()
    write_jsonl(crawl_dir / "reports.jsonl", many_reports(crawl_dir, REPORTS))
    # A session of its own, as a terminal's foreground job: Ctrl-C goes to the whole group, workers included.
    build = subprocess.Popen([*NIANBAO, "build", "--from", crawl_dir, "--db", db_path], cwd=ROOT, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while reports_in(db_path) < 100 and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before it could be interrupted"
    os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    return crawl_dir, db_path, build.returncode, stderr


def test_ctrl_c_stops_a_build_with_one_line_and_the_next_build_continues(interrupted):
    crawl_dir, db_path, code, stderr = interrupted
    assert code == 130
    assert stderr.splitlines()[-1] == (f"nianbao build: interrupted; {db_path} keeps the reports of the batches "
                                       "committed before, and the same command continues from there")
    assert "Traceback" not in stderr and "Aborted" not in stderr and "KeyboardInterrupt" not in stderr
    kept = reports_in(db_path)
    assert kept in (100, 200)  # whole batches only
    again = subprocess.run([*NIANBAO, "build", "--from", crawl_dir, "--db", db_path], cwd=ROOT, text=True,
                           capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["reports_added"] == REPORTS - kept
    with sqlite3.connect(db_path) as db:
        assert db.execute("select count(*), count(distinct page_url) from reports").fetchone() == (REPORTS, REPORTS)


def serve(db_path: Path, *options: str) -> tuple[int, str, str, str]:
    """(exit code, stdout, stderr, the landing page) of ``nianbao serve`` asked for one page, then sent Ctrl-C."""
    (port,) = free_ports()
    out, err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # files: a full pipe would stall it
    server = subprocess.Popen([*NIANBAO, "serve", "--db", db_path, "--port", str(port), *options], cwd=ROOT,
                              text=True, stdout=out, stderr=err)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "nianbao serve exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                    page = response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "nianbao serve did not answer"
                time.sleep(0.2)
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    out.seek(0)
    err.seek(0)
    return code, out.read(), err.read(), page


def test_serve_prints_its_address_and_then_only_what_goes_wrong(interrupted):
    db_path = interrupted[1]
    code, stdout, stderr, page = serve(db_path)
    assert "nianbao" in page
    assert code == 0 and stderr == ""
    [line] = stdout.splitlines()
    assert line.startswith(f"nianbao serve: {db_path} at http://127.0.0.1:") and line.endswith("(Ctrl-C stops it)")


def test_serve_verbose_shows_the_web_servers_log(interrupted):
    code, stdout, stderr, _ = serve(interrupted[1], "--verbose")
    assert code == 0 and len(stdout.splitlines()) == 1  # the address; the log is on stderr
    assert "Uvicorn running on http://127.0.0.1:" in stderr and '"GET / HTTP/1.1" 200' in stderr
