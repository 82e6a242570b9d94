"""End to end: crawl.run.crawl in a subprocess against local servers, then check the crawl
directory against docs/architecture.md (and, for the demo portal, against expected.json)."""
import hashlib
import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.crawler_support import run_crawl, serve_site

WARCIO = str(Path(sys.executable).parent / "warcio")


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def warc_records(out):
    """Every record of every WARC file: (file relative to out, type, id, target, concurrent-to, status, payload)."""
    found = []
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as f:
            for r in ArchiveIterator(f):
                h = r.rec_headers
                found.append((f"warc/{warc.name}", r.rec_type, h.get_header("WARC-Record-ID"),
                              h.get_header("WARC-Target-URI"), h.get_header("WARC-Concurrent-To"),
                              r.http_headers.get_statuscode() if r.http_headers else None, r.content_stream().read()))
    return found


def check_crawl_directory(out):
    """What every crawl directory must satisfy, whatever was crawled."""
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    subprocess.run([WARCIO, "check", *map(str, warcs)], check=True, capture_output=True)
    records = warc_records(out)
    responses = {rid: rec for rec in records if rec[1] == "response" for rid in [rec[2]]}
    requests = [rec for rec in records if rec[1] == "request"]
    # warcio index lists request/response pairs: one request per response, pointing at it
    assert sorted(rec[4] for rec in requests) == sorted(responses)
    index = subprocess.run([WARCIO, "index", "-f", "warc-type,warc-target-uri", *map(str, warcs)],
                           check=True, capture_output=True, text=True).stdout
    types = [json.loads(line).get("warc-type") for line in index.splitlines()]
    assert types.count("response") == types.count("request") == len(responses)
    assert types.count("warcinfo") == len(warcs)
    # every document: blob holds its bytes, and the WARC record it names holds the same payload
    for report in lines(out / "reports.jsonl"):
        for doc in report["documents"]:
            data = (out / doc["blob"]).read_bytes()
            assert doc["blob"] == f"blobs/{doc['sha256'][:2]}/{doc['sha256']}"
            assert hashlib.sha256(data).hexdigest() == doc["sha256"] and len(data) == doc["size"]
            record = responses[doc["warc_record_id"]]
            assert record[0] == doc["warc_file"] and record[3] == doc["url"] and record[6] == data
    return records


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fixture_crawl(tmp_path_factory):
    """The saved fixture site plus a portal nobody answers for, crawled twice into one directory."""
    out = tmp_path_factory.mktemp("crawl")
    with serve_site() as base:
        portals = [{"name": "示例县人民政府", "url": f"{base}/index.html"},
                   {"name": "无人应答", "url": f"http://127.0.0.1:{free_port()}/"}]
        first = run_crawl(portals, out)
        reports_after_first = (out / "reports.jsonl").read_text(encoding="utf-8")
        second = run_crawl(portals, out)
    return base, out, first, second, reports_after_first


def test_fixture_site_reports(fixture_crawl):
    base, out, first, _, _ = fixture_crawl
    reports = {r["title"]: r for r in lines(out / "reports.jsonl")}
    assert {(t, r["year"], r["published"]) for t, r in reports.items()} == {
        ("示例县人民政府2021年政府信息公开工作年度报告", 2021, "2022-01-20"),
        ("示例县人民政府2020年度政府信息公开工作年度报告", 2020, "2021-01-15"),   # GBK page
        ("示例县教育局2021年政府信息公开工作年度报告", 2021, "2022-01-28"),      # JSON list → PDF
        ("示例县教育局2020年政府信息公开年报", 2020, "2021-01-20"),              # JSON page 2
    }
    report = reports["示例县人民政府2021年政府信息公开工作年度报告"]
    assert [(d["role"], path_of(d["url"]), d["filename"]) for d in report["documents"]] == [
        ("page", "/zwgk/xxgk/zfxxgknb/202201/t20220120_101.html", None),
        ("attachment", "/files/2021report.pdf", "示例县2021年政府信息公开工作年度报告.pdf"),
        ("attachment", "/files/download?id=7", "统计表.pdf"),  # name from Content-Disposition
    ]
    assert report["portal_url"] == f"{base}/index.html"
    assert path_of(report["listing_url"]) == "/zwgk/xxgk/zfxxgknb/index.html"


def test_fixture_site_errors_and_status(fixture_crawl):
    base, out, first, _, _ = fixture_crawl
    errors = {(e["portal"], path_of(e["url"]), e["kind"]) for e in lines(out / "errors.jsonl")}
    assert errors == {
        ("示例县人民政府", "/private/2018.html", "robots"),
        ("示例县人民政府", "/zwgk/xxgk/zfxxgknb/202001/t20200110_80.html", "http_404"),
        ("无人应答", "/", "refused"),
        ("无人应答", "/", "no_reports"),
    }
    assert first["status"] == "partial"
    assert {name: p["status"] for name, p in first["portals"].items()} == {"示例县人民政府": "ok", "无人应答": "failed"}
    assert first["portals"]["示例县人民政府"]["reports"] == first["portals"]["示例县人民政府"]["new_reports"] == 4
    records = check_crawl_directory(out)
    fetched = {path_of(rec[3]) for rec in records if rec[1] == "response"}
    assert "/private/2018.html" not in fetched and "/zwgk/xxgk/zn.html" not in fetched


def test_rerun_adds_no_duplicates(fixture_crawl):
    _, out, first, second, reports_after_first = fixture_crawl
    assert (out / "reports.jsonl").read_text(encoding="utf-8") == reports_after_first
    assert second["portals"]["示例县人民政府"]["reports"] == 4
    assert second["portals"]["示例县人民政府"]["new_reports"] == 0
    runs = lines(out / "runs.jsonl")
    assert [r["run_id"] for r in runs] == [first["run_id"], second["run_id"]]
    assert set(runs[0]) == {"run_id", "started", "finished", "portals"}
    assert len(list((out / "warc").glob("*.warc.gz"))) == 2  # each run archives into its own file


@pytest.fixture(scope="module")
def demo_crawl(demo_portal, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_crawl")
    first = run_crawl(demo_portal.portals, out)
    lines_after_first = (out / "reports.jsonl").read_text(encoding="utf-8")
    second = run_crawl(demo_portal.portals, out)
    return demo_portal, out, first, second, lines_after_first


def test_demo_portal_every_report_found(demo_crawl):
    demo, out, first, _, _ = demo_crawl
    got = {(r["portal"], path_of(r["page_url"])): r for r in lines(out / "reports.jsonl")}
    expected = {(r["portal"], r["page_path"]): r for r in demo.expected["reports"]}
    assert set(got) == set(expected)
    for key, want in expected.items():
        report = got[key]
        assert (report["title"], report["year"], report["published"]) == (want["title"], want["year"], want["published"])
        assert path_of(report["listing_url"]) == want["listing_path"]
        assert [(path_of(d["url"]), d["role"], d["filename"]) for d in report["documents"]] == [
            (d["path"], d["role"], d["filename"]) for d in want["documents"]]
    assert first["status"] == "ok"


def test_demo_portal_no_noise(demo_crawl):
    demo, out, _, _, _ = demo_crawl
    reported = {(r["portal"], path_of(r["page_url"])) for r in lines(out / "reports.jsonl")}
    titles = {r["title"] for r in lines(out / "reports.jsonl")}
    for noise in demo.expected["noise"]:
        assert (noise["portal"], noise["path"]) not in reported and noise["title"] not in titles


def test_demo_portal_robots_dead_links_redirects(demo_crawl):
    demo, out, _, _, _ = demo_crawl
    records = check_crawl_directory(out)
    fetched = {(urlsplit(rec[3]).netloc, path_of(rec[3])): rec[5] for rec in records if rec[1] == "response"}
    errors = {(e["portal"], path_of(e["url"]), e["kind"]) for e in lines(out / "errors.jsonl")}
    for blocked in demo.expected["robots_blocked"]:
        assert (urlsplit(demo.url(blocked["portal"])).netloc, blocked["path"]) not in fetched
    for dead in demo.expected["dead_links"]:
        assert (dead["portal"], dead["path"], "http_404") in errors
    for redirect in demo.expected["redirects"]:
        key = (urlsplit(demo.url(redirect["portal"])).netloc, redirect["path"])
        assert fetched.get(key) == str(redirect["status"] or 200)  # the redirect itself is archived


def test_demo_portal_rerun_adds_nothing(demo_crawl):
    demo, out, first, second, lines_after_first = demo_crawl
    assert (out / "reports.jsonl").read_text(encoding="utf-8") == lines_after_first
    for name, stats in second["portals"].items():
        expected = sum(r["portal"] == name for r in demo.expected["reports"])
        assert first["portals"][name]["new_reports"] == stats["reports"] == expected
        assert stats["new_reports"] == 0
