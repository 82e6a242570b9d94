"""A full disk is an error of the run (issue 10, part 4): appends are whole lines or nothing, a crawl
into a real 5 MB tmpfs stops with a non-zero exit saying why and leaves a crawl directory the next run
goes on from; a directory damaged the way earlier versions left it is repaired whatever the lock says.

The tmpfs tests mount one (tests run as root here and in CI); a refused mount fails the test."""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from crawler import crawldir
from crawler.crawldir import append_jsonl, read_jsonl
from crawler.incremental import ConditionalRequestMiddleware
from crawler.lock import LOCK
from crawler.pipelines import ReportsJsonLinesPipeline
from crawler.recovery import ends_with_whole_exchange, gzip_members
from crawler.signals import storage_failed
from tests.crawler_support import FAST, REPO, generate_portal, run_crawl, serve_site
from tests.test_crawler_crawl import check_crawl_directory, lines

PORTAL = "示例县人民政府"
FULL = "(No space left on device|database or disk is full)"  # the file system's words, or SQLite's
RECORD = {"portal": PORTAL, "title": "示例县2021年政府信息公开工作年度报告", "text": "本单位依照条例编制本报告。" * 50}


# ------------------------------------------------------------------ appends: whole lines or nothing
def test_short_writes_are_continued_until_the_line_is_whole(tmp_path, monkeypatch):
    path, real_write, calls = tmp_path / "reports.jsonl", os.write, []

    def short_write(fd, data):  # a file system that takes at most 7 bytes a call
        calls.append(len(data))
        return real_write(fd, bytes(data[:7]))

    monkeypatch.setattr(crawldir.os, "write", short_write)
    append_jsonl(path, RECORD)
    append_jsonl(path, {"portal": "乙"})
    assert [json.loads(line) for line in path.read_bytes().splitlines()] == [RECORD, {"portal": "乙"}]
    assert len(calls) > 100


@pytest.mark.parametrize("written_before_failing", [0, 5, 1000])
def test_a_write_failing_part_way_leaves_the_file_as_it_was(tmp_path, monkeypatch, written_before_failing):
    path, real_write = tmp_path / "errors.jsonl", os.write
    append_jsonl(path, {"kind": "http_404"})
    before = path.read_bytes()
    budget = [written_before_failing]

    def filling_disk(fd, data):  # writes what fits, then the disk is full
        if not budget[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real_write(fd, bytes(data[:budget[0]]))
        budget[0] -= n
        return n

    monkeypatch.setattr(crawldir.os, "write", filling_disk)
    with pytest.raises(OSError, match="No space left on device"):
        append_jsonl(path, RECORD)
    assert path.read_bytes() == before


def test_a_write_that_makes_no_progress_is_a_full_disk(tmp_path, monkeypatch):
    path = tmp_path / "runs.jsonl"
    monkeypatch.setattr(crawldir.os, "write", lambda fd, data: 0)
    with pytest.raises(OSError) as raised:
        append_jsonl(path, RECORD)
    assert raised.value.errno == errno.ENOSPC and path.read_bytes() == b""


class FullStateFile:
    """A crawl state whose file has no room left (what SQLite says then)."""

    def not_a_report(self, url):
        raise sqlite3.OperationalError("database or disk is full")


def test_a_verdict_the_state_file_cannot_keep_is_a_storage_error(tmp_path):
    crawler, sent = get_crawler(), []
    crawler.signals.connect(lambda path, error, url: sent.append((path, str(error), url)), signal=storage_failed,
                            weak=False)
    middleware = ConditionalRequestMiddleware(tmp_path, FullStateFile(), crawler.stats, 0, crawler.signals)
    middleware.keep_verdict("http://127.0.0.1:1/news.html")
    assert sent == [(tmp_path / "state.sqlite", "database or disk is full", "http://127.0.0.1:1/news.html")]


# ------------------------------------------------------------------ readers skip a bad line
def test_the_crawls_readers_skip_a_bad_line_and_say_so(tmp_path, caplog):
    path = tmp_path / "reports.jsonl"
    good = {"portal": PORTAL, "page_url": "http://127.0.0.1:1/t1.html", "documents": [{"sha256": "ab" * 32}]}
    path.write_bytes(b"\n".join([json.dumps(good).encode(), b'{"portal": "\xe7\xa4', b"[1, 2]",
                                 b'{"portal": "x"}', json.dumps({**good, "page_url": "http://127.0.0.1:1/t2.html"})
                                 .encode()]) + b"\n")
    assert [r["page_url"] for r in read_jsonl(path) if "page_url" in r] == ["http://127.0.0.1:1/t1.html",
                                                                          "http://127.0.0.1:1/t2.html"]
    pipeline = ReportsJsonLinesPipeline(get_crawler(), path)  # what a crawl does on opening
    assert pipeline.pages == {(PORTAL, "http://127.0.0.1:1/t1.html"), (PORTAL, "http://127.0.0.1:1/t2.html")}
    warnings = [r.getMessage() for r in caplog.records]
    assert any("line 2 is not JSON" in w for w in warnings) and any("line 3 is not a JSON object" in w
                                                                    for w in warnings)
    assert any("without a report's fields" in w for w in warnings)


# ------------------------------------------------------------------ a real full disk
@contextmanager
def tmpfs(path: Path, size: str):
    """A tmpfs of ``size`` mounted at ``path`` for the block; a refused mount fails the test."""
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, f"cannot mount a {size} tmpfs at {path} (the test needs root): {done.stderr}"
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def cli_crawl(base: str, out: Path) -> subprocess.CompletedProcess:
    overrides = [arg for name, value in FAST.items() for arg in ("--set", f"{name}={value}")]
    return subprocess.run([sys.executable, "-m", "nianbao", "crawl", "--url", f"{base}/index.html", "--name", PORTAL,
                           "--out", str(out), *overrides], capture_output=True, text=True, cwd=REPO, timeout=300)


def check_whole(out: Path) -> None:
    """Every JSONL line whole, no blob left half-written, every WARC file whole exchanges."""
    for name in ("reports.jsonl", "errors.jsonl", "runs.jsonl"):
        data = (out / name).read_bytes() if (out / name).exists() else b""
        assert data == b"" or data.endswith(b"\n"), name
        [json.loads(line) for line in data.splitlines()]
    assert not list((out / "blobs").glob("*/.tmp-*"))
    for warc in (out / "warc").glob("*.warc.gz"):
        assert ends_with_whole_exchange(warc), warc


def test_a_full_disk_stops_the_crawl_with_an_error_and_the_next_run_goes_on(tmp_path):
    """80 reports with 128 KB attachments (10 MB of blobs) into a 5 MB tmpfs."""
    site = generate_portal(tmp_path / "site", reports=80, per_page=40, attachment_bytes=128_000)
    with serve_site(site) as base, tmpfs(tmp_path / "disk", "5m") as disk:
        out = disk / "crawl"
        full = cli_crawl(base, out)
        assert full.returncode == 1, full.stdout + full.stderr[-3000:]  # reports stored, then the disk was full
        assert f"{PORTAL}: failed:" in full.stdout and "status: partial" in full.stdout
        assert re.search(rf"^storage error: {out}/\S+: {FULL}; the crawl stopped", full.stdout, re.M)
        stored = lines(out / "reports.jsonl")
        assert 0 < len(stored) < 80
        check_whole(out)
        check_crawl_directory(out)  # warcio check; every report on file has its blobs and records
        # each failed write is a storage line where errors.jsonl still took one, and in the log anyway
        assert "cannot write the crawl directory: " in full.stderr
        assert all(re.fullmatch(rf"{out}/\S+: {FULL}", e["message"])
                   for e in lines(out / "errors.jsonl") if e["kind"] == "storage")

        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)  # space freed
        again = cli_crawl(base, out)
        assert again.returncode == 0, again.stdout + again.stderr[-3000:]
        assert "status: ok" in again.stdout and "storage error" not in again.stdout
        pages = [r["page_url"] for r in lines(out / "reports.jsonl")]
        assert sorted(pages) == sorted(f"{base}/zwgk/zfxxgknb/t{i}.html" for i in range(80))  # each once
        check_whole(out)
        check_crawl_directory(out)


def test_nothing_stored_before_the_disk_was_full_exits_3(tmp_path):
    """No 64 KB attachment fits in a 64 KB tmpfs."""
    site = generate_portal(tmp_path / "site", reports=20, per_page=20, attachment_bytes=64_000)
    with serve_site(site) as base, tmpfs(tmp_path / "disk", "64k") as disk:
        out = disk / "crawl"
        done = cli_crawl(base, out)
        assert done.returncode == 3, done.stdout + done.stderr[-3000:]
        assert "storage error: " in done.stdout and "status: failed" in done.stdout
        assert lines(out / "reports.jsonl") == []
        check_whole(out)


def damage_like_earlier_versions(out: Path) -> None:
    """What a full disk left before appends were whole: a partial last line in reports.jsonl and
    errors.jsonl, a torn exchange at the end of the newest WARC file, an empty ``.tmp-`` blob; and
    the lock says the run finished."""
    with open(out / "reports.jsonl", "ab") as f:
        f.write('{"portal": "示例县人民政府", "page_url": "http://127.0.0.1:1/t'.encode()[:-1])
    with open(out / "errors.jsonl", "ab") as f:
        f.write(b'{"run_id": "x", "kind": "net')
    newest = sorted((out / "warc").glob("*.warc.gz"))[-1]
    with open(newest, "rb") as f:
        ends = [end for end, _ in gzip_members(f)]
    data = newest.read_bytes()
    with open(newest, "ab") as f:
        f.write(data[ends[-3]:ends[-2]][:300])  # the start of a response record, cut off
    blob_dir = next((out / "blobs").iterdir())
    (blob_dir / ".tmp-k2j4x9q1").write_bytes(b"")
    assert json.loads((out / LOCK).read_text())["state"] == "finished"


def test_a_directory_damaged_by_a_full_disk_is_repaired_though_the_lock_says_finished(tmp_path):
    site, out = generate_portal(tmp_path / "site", reports=12, per_page=5), tmp_path / "crawl"
    with serve_site(site) as base:
        portals = [{"name": PORTAL, "url": f"{base}/index.html"}]
        run_crawl(portals, out)
        whole_warc = {p: p.read_bytes() for p in (out / "warc").glob("*.warc.gz")}
        damage_like_earlier_versions(out)
        repaired = run_crawl(portals, out)
    assert repaired["status"] == "ok"
    check_whole(out)
    check_crawl_directory(out)
    assert all(path.read_bytes() == data for path, data in whole_warc.items())  # cut back to what it was
    (note,) = [e["message"] for e in lines(out / "errors.jsonl") if e["kind"] == "interrupted"]
    assert note.startswith("an earlier run left the crawl directory damaged; ")
    for repair in ("reports.jsonl: cut a partial last line", "errors.jsonl: cut a partial last line",
                   "cut at byte", "removed 1 unfinished blob file(s) under blobs/"):
        assert repair in note
    assert len(lines(out / "reports.jsonl")) == 12


def test_a_whole_crawl_directory_needs_no_repair(tmp_path):
    site, out = generate_portal(tmp_path / "site", reports=3, per_page=5), tmp_path / "crawl"
    with serve_site(site) as base:
        portals = [{"name": PORTAL, "url": f"{base}/index.html"}]
        run_crawl(portals, out)
        shutil.copy(out / "reports.jsonl", tmp_path / "before.jsonl")
        run_crawl(portals, out)
    assert not [e for e in lines(out / "errors.jsonl") if e["kind"] == "interrupted"]
    assert (out / "reports.jsonl").read_bytes() == (tmp_path / "before.jsonl").read_bytes()
