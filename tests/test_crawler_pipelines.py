"""Pipelines: blobs stored once by digest; reports.jsonl gains only reports it does not hold."""
import asyncio
import hashlib
import json

from scrapy.utils.test import get_crawler

from crawler.items import ReportItem
from crawler.pipelines import BlobStorePipeline, ReportsJsonLinesPipeline


def item(body=b"<html>report</html>", page_url="http://a/t1.html"):
    sha = hashlib.sha256(body).hexdigest()
    doc = {"url": page_url, "role": "page", "filename": None, "status": 200, "content_type": "text/html",
           "fetched_at": "2026-01-01T00:00:00Z", "size": len(body), "sha256": sha, "blob": None,
           "warc_file": "warc/x.warc.gz", "warc_record_id": "<urn:uuid:x>", "body": body}
    return ReportItem(portal="A", portal_url="http://a/", portal_region=None, portal_level=None,
                      publisher="A", publisher_region=None, publisher_level=None, page_url=page_url, listing_url="http://a/",
                      title="A2021年政府信息公开工作年度报告", year=2021, year_inferred=False, published=None,
                      documents=[doc])


def pipelines(tmp_path):
    crawler = get_crawler(settings_dict={"NIANBAO_OUT_DIR": str(tmp_path)})
    return crawler, BlobStorePipeline.from_crawler(crawler), ReportsJsonLinesPipeline.from_crawler(crawler)


def run(tmp_path, *items):
    """(new, changed) reports appended."""
    crawler, blobs, jsonl = pipelines(tmp_path)
    for report in items:
        jsonl.process_item(asyncio.run(blobs.process_item(report)))
    return tuple(crawler.stats.get_value(f"nianbao/A/{counter}", 0) for counter in ("new_reports", "changed_reports"))


def test_blob_is_stored_by_digest_and_body_dropped(tmp_path):
    report = item()
    run(tmp_path, report)
    doc = report.documents[0]
    assert "body" not in doc and doc["blob"] == f"blobs/{doc['sha256'][:2]}/{doc['sha256']}"
    assert (tmp_path / doc["blob"]).read_bytes() == b"<html>report</html>"
    line = json.loads((tmp_path / "reports.jsonl").read_text(encoding="utf-8"))
    assert list(line) == ["portal", "portal_url", "portal_region", "portal_level", "publisher", "publisher_region",
                          "publisher_level", "page_url", "listing_url", "title", "year", "year_inferred", "published",
                          "documents"]
    assert list(line["documents"][0]) == ["url", "role", "filename", "status", "content_type", "fetched_at",
                                          "size", "sha256", "blob", "warc_file", "warc_record_id"]


def test_only_new_reports_are_appended(tmp_path):
    assert run(tmp_path, item(), item()) == (1, 0)                     # found twice in one run
    assert run(tmp_path, item()) == (0, 0)                             # a re-run
    assert run(tmp_path, item(body=b"<html>revised</html>")) == (0, 1)  # same page, new content
    assert run(tmp_path, item(page_url="http://a/t2.html")) == (1, 0)   # same content, another page
    # both versions of the revised page are kept
    versions = [json.loads(line) for line in (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["page_url"], r["documents"][0]["size"]) for r in versions] == [
        ("http://a/t1.html", 19), ("http://a/t1.html", 20), ("http://a/t2.html", 19)]


def test_a_report_two_portals_find_is_on_file_for_each(tmp_path):
    """A city and its department both list one report: a line for each portal, once."""
    def found_by(portal):
        report = item()
        report.portal = portal
        return report

    run(tmp_path, found_by("A"), found_by("B"))
    run(tmp_path, found_by("B"), found_by("A"))  # a re-run
    on_file = [json.loads(line) for line in (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["portal"] for r in on_file] == ["A", "B"]


def test_a_report_on_file_without_its_publisher_is_filed_again_once_named(tmp_path):
    """A line of a crawl written before publishers: the same report, now named, is a change (the
    archive's rebuild then gives it to its publisher), and only once."""
    older = item()
    run(tmp_path, older)
    lines = [json.loads(line) for line in (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    for key in ("publisher", "publisher_region", "publisher_level"):
        del lines[0][key]
    (tmp_path / "reports.jsonl").write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(tmp_path, item()) == (0, 1)
    assert run(tmp_path, item()) == (0, 0)
    on_file = [json.loads(line) for line in (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r.get("publisher") for r in on_file] == [None, "A"]
