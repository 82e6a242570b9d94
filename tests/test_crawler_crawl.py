"""End to end: crawl.run.crawl in a subprocess against local servers, then check the crawl
directory against docs/architecture.md (and, for the demo portal, against expected.json)."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import namedtuple
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from ports import free_ports
from tests.crawler_support import SITE, run_crawl, serve_site

WARCIO = str(Path(sys.executable).parent / "warcio")


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


Record = namedtuple("Record", "file type id uri concurrent_to status payload refers_to profile digest")


def warc_records(out):
    """Every record of every WARC file, in order, as :data:`Record` (file relative to out)."""
    found = []
    for warc in sorted((out / "warc").glob("*.warc.gz")):
        with open(warc, "rb") as f:
            for r in ArchiveIterator(f):
                h = r.rec_headers
                found.append(Record(f"warc/{warc.name}", r.rec_type, h.get_header("WARC-Record-ID"),
                                    h.get_header("WARC-Target-URI"), h.get_header("WARC-Concurrent-To"),
                                    r.http_headers.get_statuscode() if r.http_headers else None,
                                    r.content_stream().read(), h.get_header("WARC-Refers-To"),
                                    h.get_header("WARC-Profile"), h.get_header("WARC-Payload-Digest")))
    return found


def check_crawl_directory(out):
    """What every crawl directory must satisfy, whatever was crawled."""
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    subprocess.run([WARCIO, "check", *map(str, warcs)], check=True, capture_output=True)
    records = warc_records(out)
    responses = {rec.id: rec for rec in records if rec.type == "response"}
    revisits = {rec.id: rec for rec in records if rec.type == "revisit"}
    requests = [rec for rec in records if rec.type == "request"]
    # warcio index lists request/response pairs: one request per response or revisit, pointing at it
    assert sorted(rec.concurrent_to for rec in requests) == sorted([*responses, *revisits])
    index = subprocess.run([WARCIO, "index", "-f", "warc-type,warc-target-uri", *map(str, warcs)],
                           check=True, capture_output=True, text=True).stdout
    types = [json.loads(line).get("warc-type") for line in index.splitlines()]
    assert types.count("response") + types.count("revisit") == types.count("request") == len(requests)
    assert types.count("warcinfo") == len(warcs)
    # a revisit names an archived response of the same URL and payload, and carries no payload itself
    for revisit in revisits.values():
        original = responses[revisit.refers_to]
        assert (original.uri, original.digest, original.status) == (revisit.uri, revisit.digest, "200")
        assert revisit.payload == b"" and revisit.profile.rsplit("/", 1)[1] in (
            "identical-payload-digest", "server-not-modified")
    # every document: blob holds its bytes, and the WARC record it names holds the same payload
    for report in lines(out / "reports.jsonl"):
        for doc in report["documents"]:
            data = (out / doc["blob"]).read_bytes()
            assert doc["blob"] == f"blobs/{doc['sha256'][:2]}/{doc['sha256']}"
            assert hashlib.sha256(data).hexdigest() == doc["sha256"] and len(data) == doc["size"]
            record = responses[doc["warc_record_id"]]
            assert record.file == doc["warc_file"] and record.uri == doc["url"] and record.payload == data
    return records


REVISED_PAGE = "zwgk/xxgk/zfxxgknb/202201/t20220120_101.html"


@pytest.fixture(scope="module")
def fixture_crawl(tmp_path_factory):
    """A copy of the saved fixture site plus a portal nobody answers for, crawled three times into one
    directory: first, again unchanged, and once more after one report page was revised; with
    NIANBAO_RECHECK_DAYS=0, so known documents are asked for conditionally every run."""
    out, site = tmp_path_factory.mktemp("crawl"), tmp_path_factory.mktemp("site") / "site"
    shutil.copytree(SITE, site)
    with serve_site(site) as base:
        portals = [{"name": "示例县人民政府", "url": f"{base}/index.html"},
                   {"name": "无人应答", "url": f"http://127.0.0.1:{free_ports()[0]}/"}]
        always_ask = {"NIANBAO_RECHECK_DAYS": 0}
        first = run_crawl(portals, out, always_ask)
        reports_after_first = (out / "reports.jsonl").read_text(encoding="utf-8")
        warcs_after_first = set((out / "warc").glob("*.warc.gz"))
        second = run_crawl(portals, out, always_ask)
        warcs_after_second = set((out / "warc").glob("*.warc.gz"))
        page = site / REVISED_PAGE
        page.write_bytes(page.read_bytes().replace("年度报告".encode(), "年度报告（修订）".encode(), 1))
        later = time.time() + 60  # a newer Last-Modified than the one the crawler holds, to the second
        os.utime(page, (later, later))
        third = run_crawl(portals, out, always_ask)
    second_warcs = warcs_after_second - warcs_after_first
    return base, out, first, second, third, reports_after_first, second_warcs


def test_fixture_site_reports(fixture_crawl):
    base, out, first, *_ = fixture_crawl
    reports = {r["title"]: r for r in lines(out / "reports.jsonl")[:4]}
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
    base, out, first, *_ = fixture_crawl
    errors = {(e["portal"], path_of(e["url"]), e["kind"]) for e in lines(out / "errors.jsonl")
              if e["run_id"] == first["run_id"]}
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
    _, out, first, second, third, reports_after_first, _ = fixture_crawl
    assert (out / "reports.jsonl").read_text(encoding="utf-8").startswith(reports_after_first)
    assert second["portals"]["示例县人民政府"]["reports"] == 4
    assert second["portals"]["示例县人民政府"]["new_reports"] == second["portals"]["示例县人民政府"]["changed_reports"] == 0
    runs = lines(out / "runs.jsonl")
    assert [r["run_id"] for r in runs] == [first["run_id"], second["run_id"], third["run_id"]]
    assert set(runs[0]) == {"run_id", "started", "finished", "portals", "storage_error", "bodies_new",
                            "bodies_new_count", "years_newly_missing", "years_newly_missing_count"}
    assert runs[0]["storage_error"] is None
    # what the first run found is news once: the bodies, and the years they owe since their reports (2022 on)
    publishers = sorted({r["publisher"] for r in lines(out / "reports.jsonl")})
    assert runs[0]["bodies_new"] == publishers and len(publishers) == 2
    assert [body for body, year in runs[0]["years_newly_missing"] if year == 2022] == publishers
    assert runs[0]["bodies_new_count"] == 2 and runs[0]["years_newly_missing_count"] == len(runs[0]["years_newly_missing"])
    assert [(run["bodies_new"], run["years_newly_missing"]) for run in runs[1:]] == [([], [])] * 2
    assert len(list((out / "warc").glob("*.warc.gz"))) == 3  # each run archives into its own file
    # the same dead link in two runs: two error lines, told apart by run_id
    dead = [e["run_id"] for e in lines(out / "errors.jsonl") if e["kind"] == "http_404"]
    assert dead == [first["run_id"], second["run_id"], third["run_id"]]


def test_rerun_asks_for_known_documents_conditionally(fixture_crawl):
    """The fixture server knows Last-Modified only: every document is answered 304 on the re-run and
    archived as a revisit of the first run's record."""
    _, out, first, second, _, reports_after_first, second_warcs = fixture_crawl
    documents = {d["url"]: d["size"] for line in reports_after_first.splitlines()
                 for d in json.loads(line)["documents"]}
    records = check_crawl_directory(out)
    rerun = [rec for rec in records if f"{out}/{rec.file}" in map(str, second_warcs)]
    assert {rec.uri for rec in rerun if rec.type == "response" and rec.status == "200"} & set(documents) == set()
    not_modified = {rec.uri for rec in rerun if rec.type == "revisit" and rec.profile.endswith("/server-not-modified")}
    assert not_modified == set(documents)
    stats = second["portals"]["示例县人民政府"]
    assert stats["not_modified"] == len(documents) == 7
    # listing pages are fetched again in full; not one byte of a document
    assert stats["bytes"] == first["portals"]["示例县人民政府"]["bytes"] - sum(documents.values())


def test_a_revised_report_keeps_both_versions(fixture_crawl):
    base, out, _, _, third, reports_after_first, _ = fixture_crawl
    stats = third["portals"]["示例县人民政府"]
    assert (stats["reports"], stats["new_reports"], stats["changed_reports"]) == (4, 0, 1)
    versions = [r for r in lines(out / "reports.jsonl") if r["page_url"] == f"{base}/{REVISED_PAGE}"]
    assert len(versions) == 2
    old, new = (report["documents"] for report in versions)
    assert old[0]["sha256"] != new[0]["sha256"] and old[0]["warc_record_id"] != new[0]["warc_record_id"]
    assert [d["sha256"] for d in old[1:]] == [d["sha256"] for d in new[1:]]  # attachments unchanged (304)
    assert (out / old[0]["blob"]).exists() and "修订" in (out / new[0]["blob"]).read_text(encoding="utf-8")
    assert stats["not_modified"] == 6  # every document but the revised page


@pytest.fixture(scope="module")
def demo_crawl(demo_portal, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_crawl")
    first = run_crawl(demo_portal.portals, out)
    lines_after_first = (out / "reports.jsonl").read_text(encoding="utf-8")
    warcs_after_first = set((out / "warc").glob("*.warc.gz"))
    second = run_crawl(demo_portal.portals, out)
    return demo_portal, out, first, second, lines_after_first, warcs_after_first


def test_demo_portal_every_report_found(demo_crawl):
    demo, out, first, *_ = demo_crawl
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


def test_demo_portal_items_carry_the_portal_files_region_and_level(demo_crawl):
    demo, out, *_ = demo_crawl
    declared = {p["name"]: (p["region"], p["level"]) for p in demo.portals}
    assert {r["portal"]: (r["portal_region"], r["portal_level"]) for r in lines(out / "reports.jsonl")} == declared


def test_demo_portal_no_noise(demo_crawl):
    demo, out, *_ = demo_crawl
    reported = {(r["portal"], path_of(r["page_url"])) for r in lines(out / "reports.jsonl")}
    titles = {r["title"] for r in lines(out / "reports.jsonl")}
    for noise in demo.expected["noise"]:
        assert (noise["portal"], noise["path"]) not in reported and noise["title"] not in titles


def test_demo_portal_robots_dead_links_redirects(demo_crawl):
    demo, out, *_ = demo_crawl
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
    demo, out, first, second, lines_after_first, _ = demo_crawl
    assert (out / "reports.jsonl").read_text(encoding="utf-8") == lines_after_first
    for name, stats in second["portals"].items():
        expected = sum(r["portal"] == name for r in demo.expected["reports"])
        assert first["portals"][name]["new_reports"] == stats["reports"] == expected
        assert stats["new_reports"] == 0


def test_demo_portal_rerun_downloads_no_document_again(demo_crawl):
    """Within NIANBAO_RECHECK_DAYS of the first crawl, the re-run fetches the listings only: every report
    page and attachment is taken from the archive without a request (the fixture-site crawl above
    shows the conditional requests made once that time is up)."""
    demo, out, first, second, lines_after_first, warcs_after_first = demo_crawl
    reports = [json.loads(line) for line in lines_after_first.splitlines()]
    documents = {d["url"] for r in reports for d in r["documents"]}
    rerun = [rec for rec in warc_records(out) if (out / rec.file) not in warcs_after_first]
    assert not {rec.uri for rec in rerun} & documents
    for name, stats in second["portals"].items():
        docs = {d["url"]: d["size"] for r in reports if r["portal"] == name for d in r["documents"]}
        assert (stats["reused"], stats["not_modified"]) == (len(docs), 0)
        assert stats["pages"] <= first["portals"][name]["pages"] - len(docs)
        assert stats["bytes"] <= first["portals"][name]["bytes"] - sum(docs.values())
    before, after = (sum(p["bytes"] for p in run["portals"].values()) for run in (first, second))
    assert after < before / 5  # the documents are most of the bytes; bench/crawl_bench.py prints the figures


def test_a_moved_column_is_flagged_until_the_hint_follows_it(tmp_path):
    """Run 1 finds the reports through the column hint; the site then moves the column (and its redirect
    shell with it), so run 2 (old hint) meets a 404 there: column_gone, and broken_portal because earlier
    runs found reports; run 3, with the hint updated, finds them again. The same portal without a hint
    follows the move by itself."""
    site, out = tmp_path / "site", tmp_path / "crawl"
    shutil.copytree(SITE, site)
    with serve_site(site) as base:
        def portals(column):
            return [{"name": "示例县人民政府", "url": f"{base}/index.html",
                     "hints": {"column_url": f"{base}/zwgk/xxgk/{column}/index.html"}},
                    {"name": "示例县人民政府（无提示）", "url": f"{base}/index.html"}]

        first = run_crawl(portals("zfxxgknb"), out)
        (site / "zwgk/xxgk/zfxxgknb").rename(site / "zwgk/xxgk/gknb")
        shell = site / "zwgk/gknb.html"
        shell.write_text(shell.read_text(encoding="utf-8").replace("/zfxxgknb/", "/gknb/"), encoding="utf-8")
        moved = run_crawl(portals("zfxxgknb"), out)
        rehinted = run_crawl(portals("gknb"), out)
    hinted = [run["portals"]["示例县人民政府"] for run in (first, moved, rehinted)]
    discovered = [run["portals"]["示例县人民政府（无提示）"] for run in (first, moved, rehinted)]
    assert [(p["status"], p["reports"]) for p in hinted] == [("ok", 2), ("failed", 0), ("ok", 2)]
    assert moved["portals"]["示例县人民政府"]["error_kinds"] == {"column_gone": 1, "broken_portal": 1}
    assert [(p["status"], p["reports"]) for p in discovered] == [("ok", 4)] * 3
    assert discovered[1]["new_reports"] == 2  # the column's two reports, at their new addresses
    errors = {(e["run_id"], e["kind"], path_of(e["url"])) for e in lines(out / "errors.jsonl")}
    assert (moved["run_id"], "column_gone", "/zwgk/xxgk/zfxxgknb/index.html") in errors
    assert {kind for run_id, kind, _ in errors if run_id == rehinted["run_id"]} == {"http_404", "robots"}  # benign
    moved_reports = {path_of(r["page_url"]) for r in lines(out / "reports.jsonl") if r["portal"].endswith("（无提示）")}
    assert "/zwgk/xxgk/gknb/202201/t20220120_101.html" in moved_reports
