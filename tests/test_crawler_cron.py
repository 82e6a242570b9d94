"""Cron safety: one run per crawl directory (flock), exit codes, the human run summary, and
recovery after ``kill -9`` — unit tests, then a real crawl killed mid-way and resumed."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from crawler.lock import LOCK, CrawlLocked, crawl_lock
from crawler.recovery import gzip_members, repair, repair_jsonl, repair_warc
from crawler.run import format_summary
from tests.crawler_support import FAST, REPO, generate_portal, run_crawl, serve_site
from tests.test_crawler_crawl import WARCIO, check_crawl_directory, lines, warc_records
from tests.test_crawler_warc import close, exchange, middleware


def test_lock_is_exclusive_and_says_who_holds_it(tmp_path):
    with crawl_lock(tmp_path) as interrupted:
        assert interrupted is None
        holder = json.loads((tmp_path / LOCK).read_text())
        assert (holder["pid"], holder["state"]) == (os.getpid(), "running")
        with pytest.raises(CrawlLocked, match=rf"another run \(pid {os.getpid()}, started"):
            with crawl_lock(tmp_path):
                pass
    assert json.loads((tmp_path / LOCK).read_text())["state"] == "finished"
    with crawl_lock(tmp_path) as interrupted:  # released on exit
        assert interrupted is None


def test_a_holder_that_died_is_noticed(tmp_path):
    (tmp_path / LOCK).write_text(json.dumps({"pid": 12345, "started": "2026-01-01T00:00:00Z", "state": "running"}))
    with crawl_lock(tmp_path) as interrupted:  # nobody holds the flock: the holder died
        assert interrupted == {"pid": 12345, "started": "2026-01-01T00:00:00Z", "state": "running"}


def test_cli_exits_4_at_once_when_another_crawl_holds_the_directory(tmp_path):
    with crawl_lock(tmp_path):
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "nianbao", "crawl", "--url", "http://127.0.0.1:9/",
                               "--name", "甲", "--out", str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 4 and time.monotonic() - started < 20
    assert "is being crawled by another run" in done.stderr and done.stdout == ""


def warc_with_two_exchanges(tmp_path):
    mw = middleware(tmp_path)
    where = [exchange(mw, f"http://127.0.0.1:1/{n}.html", body=bytes(5000)) for n in range(2)]
    close(mw)
    path = tmp_path / where[0]["warc_file"]
    with open(path, "rb") as f:
        ends = [end for end, _ in gzip_members(f)]  # warcinfo, response, request, response, request
    assert len(ends) == 5 and ends[-1] == path.stat().st_size
    return path, ends


@pytest.mark.parametrize("cut, kept", [
    (lambda ends: ends[3] + 40, 2),   # killed while writing the second response
    (lambda ends: ends[3], 2),        # killed between a response and its request
    (lambda ends: ends[4] - 1, 2),    # the request's gzip trailer is missing
    (lambda ends: ends[0] - 10, 0),   # not even the warcinfo is whole
])
def test_a_torn_warc_is_cut_back_to_its_last_whole_exchange(tmp_path, cut, kept):
    path, ends = warc_with_two_exchanges(tmp_path)
    data = path.read_bytes()
    with open(path, "r+b") as f:
        f.truncate(cut(ends))
    notes = repair_warc(path, tmp_path)
    (tail,) = (tmp_path / "warc" / "torn").iterdir()
    assert len(notes) == 1 and tail.name in notes[0]
    if kept:
        assert path.read_bytes() == data[:ends[kept]]
        assert data[ends[kept]:cut(ends)] == tail.read_bytes()
        subprocess.run([WARCIO, "check", str(path)], check=True)
    else:
        assert not path.exists() and tail.read_bytes() == data[:cut(ends)]


def test_a_whole_warc_is_left_alone(tmp_path):
    path, _ = warc_with_two_exchanges(tmp_path)
    assert repair(tmp_path) == [] and not (tmp_path / "warc" / "torn").exists()


def test_a_partial_jsonl_line_is_cut(tmp_path):
    path = tmp_path / "reports.jsonl"
    path.write_text('{"a": 1}\n{"b": ' + "2" * 70000, encoding="utf-8")  # longer than one read
    assert repair_jsonl(path) == ["reports.jsonl: cut a partial last line (70006 bytes)"]
    assert path.read_text(encoding="utf-8") == '{"a": 1}\n'
    assert repair_jsonl(path) == []


def test_summary_for_humans():
    summary = {"run_id": "R1", "status": "partial", "portals": {
        "甲": {"status": "partial", "pages": 12, "bytes": 34567, "reports": 3, "new_reports": 1, "changed_reports": 1,
              "not_modified": 4, "reused": 0, "error_kinds": {"blocked": 2, "http_404": 1}},
        "乙": {"status": "ok", "pages": 5, "bytes": 0, "reports": 1, "new_reports": 0, "changed_reports": 0,
              "not_modified": 0, "reused": 2, "error_kinds": {}}}}
    assert format_summary(summary).splitlines() == [
        "甲: partial: 12 pages (34,567 bytes), 3 reports (1 new, 1 changed), documents: 4 not modified, 0 reused",
        "  errors: blocked 2, http_404 1",
        "乙: ok: 5 pages (0 bytes), 1 reports (0 new, 0 changed), documents: 0 not modified, 2 reused",
        "status: partial (run R1)",
    ]


CRAWL = ("import json, sys; from pathlib import Path; from crawler.run import crawl; "
         "a = json.loads(sys.argv[1]); crawl(a['portals'], Path(a['out']), a['settings'])")


def test_killed_mid_crawl_the_next_run_finishes_the_work(tmp_path):
    """A slow portal; the crawl is SIGKILLed once some reports are written; the re-run must end
    with every report exactly once, WARC files that pass `warcio check`, and no stuck lock."""
    site, out = generate_portal(tmp_path / "site", reports=40, per_page=10), tmp_path / "crawl"
    with serve_site(site, delay=0.03) as base:
        portals = [{"name": "示例县人民政府", "url": f"{base}/index.html"}]
        args = json.dumps({"portals": portals, "out": str(out),
                           "settings": {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}})
        victim = subprocess.Popen([sys.executable, "-c", CRAWL, args], cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(lines(out / "reports.jsonl")) < 8:
            assert victim.poll() is None and time.monotonic() < deadline, "the crawl ended before it was killed"
            time.sleep(0.02)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        before = len(lines(out / "reports.jsonl"))
        assert 8 <= before < 40 and not (out / "runs.jsonl").exists()
        resumed = run_crawl(portals, out)
    reports = [r["page_url"] for r in lines(out / "reports.jsonl")]
    assert sorted(reports) == sorted(f"{base}/zwgk/zfxxgknb/t{i}.html" for i in range(40))  # each once
    assert resumed["status"] == "ok" and resumed["portals"]["示例县人民政府"]["new_reports"] == 40 - before
    check_crawl_directory(out)  # warcio check, pairs, every document's record and blob
    (interrupted,) = [e for e in lines(out / "errors.jsonl") if e["kind"] == "interrupted"]
    assert interrupted["run_id"] == resumed["run_id"] and "did not finish" in interrupted["message"]
    # the documents of reports on file before the kill were not downloaded again (reused from the archive)
    done = {d["url"] for r in lines(out / "reports.jsonl")[:before] for d in r["documents"]}
    assert resumed["portals"]["示例县人民政府"]["reused"] >= len(done) == 2 * before
    downloads = [rec.uri for rec in warc_records(out) if rec.type == "response" and rec.uri in done]
    assert sorted(downloads) == sorted(done)
