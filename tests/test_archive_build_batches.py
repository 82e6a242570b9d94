"""archive.build across batches and crawl directories: a document repeated in a batch is read once,
and ``--retry-failed`` replaces only the reports the crawl directory being built leads to."""
from __future__ import annotations

from pathlib import Path

import sqlite_utils

from archive.build import build
from archive_crawl import FIXTURES, page, report, write_jsonl
from extract.limits import WorkerLimits

HONGZE = (FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes()
# Below the time any PDF takes to read: every document read under it fails at the limit.
TOO_SHORT = WorkerLimits(wall_seconds=0.01)


def hosting(crawl_dir: Path, article: str, year: int, attachments, portal: str = "淮安市洪泽区人民政府") -> dict:
    """A report item of 洪泽区 on its own page, with ``attachments`` (filename, content type, bytes)."""
    title = f"洪泽区人民政府{year}年政府信息公开工作年度报告"
    return report(crawl_dir, portal, title, year, article,
                  page(title, f"<p>{article}</p>", tuple(name for name, _, _ in attachments)), attachments)


def test_a_document_repeated_in_a_batch_is_read_once(tmp_path):
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    crawl_dir.mkdir()
    pdf = ("hzq2023.pdf", "application/pdf", HONGZE)
    first, second = hosting(crawl_dir, "art_a", 2023, [pdf]), hosting(crawl_dir, "art_b", 2023, [pdf])
    write_jsonl(crawl_dir / "reports.jsonl", [first, second])
    messages = []
    summary = build(crawl_dir, db_path, progress=messages.append)
    # Two pages and the one PDF: three documents read, not four.
    assert [m for m in messages if m.startswith("reading")] == ["reading 3 documents of items 1-2"]
    db = sqlite_utils.Database(db_path)
    # The PDF is the primary document of both items: one report (a re-hosted attachment) with both pages.
    assert summary["reports_added"] == 1 and db["documents"].count == 3
    (row,) = db["reports"].rows
    assert row["primary_sha256"] == first["documents"][1]["sha256"] and row["figures_read"] > 150


def test_retry_failed_replaces_only_the_reports_of_the_crawl_being_built(tmp_path):
    """A document over a limit held by reports of two crawl directories: building the first with
    --retry-failed reads it again for its report and leaves the second directory's report whole;
    that one is read again when its own directory is built with --retry-failed."""
    first_dir, second_dir, db_path = tmp_path / "first", tmp_path / "second", tmp_path / "nianbao.db"
    pdf = ("hzq2023.pdf", "application/pdf", HONGZE)
    first = hosting(first_dir, "art_2023", 2023, [pdf])
    # The second directory's report, found by another portal, is another one while the PDF is unread
    # (its page is its main document), holding the PDF too.
    second = hosting(second_dir, "art_other", 2023, [pdf], portal="淮安市人民政府")
    write_jsonl(first_dir / "reports.jsonl", [first])
    write_jsonl(second_dir / "reports.jsonl", [second])
    assert build(first_dir, db_path, limits=TOO_SHORT)["documents_failed"] >= 1
    build(second_dir, db_path, limits=TOO_SHORT)
    db = sqlite_utils.Database(db_path)
    sha = first["documents"][1]["sha256"]
    assert db["failed_documents"].count_where("sha256 = ?", [sha]) == 1
    assert db["reports"].count == 2
    other = db.execute("select id from reports where page_url = ?", [second["page_url"]]).fetchone()[0]

    build(first_dir, db_path, retry_failed=True)
    assert db["reports"].count == 2  # the second directory's report was not dropped
    (read,) = db["reports"].rows_where("page_url = ?", [first["page_url"]])
    assert read["figures_read"] > 150 and read["primary_sha256"] == sha
    kept = db["reports"].get(other)
    assert db["report_sources"].count_where("report_id = ?", [other]) == 1
    assert [d["media_type"] for d in db["documents"].rows_where("report_id = ? and sha256 = ?", [other, sha])] == [None]
    # Its report still holds the PDF unread: it stays known to fail, for that directory's retry.
    assert db["failed_documents"].count_where("sha256 = ?", [sha]) == 1

    build(second_dir, db_path, retry_failed=True)
    # Read, the PDF is its main document: the first directory's report re-hosted, one report, two findings.
    assert db["failed_documents"].count == 0 and db["reports"].count == 1
    assert {(s["portal"], s["page_url"]) for s in db["report_sources"].rows_where("report_id = ?", [read["id"]])} == {
        ("淮安市洪泽区人民政府", first["page_url"]), ("淮安市人民政府", second["page_url"])}
    assert not db["reports"].count_where("id = ?", [kept["id"]])
    assert db.execute("select count(*) from documents where media_type is null").fetchone()[0] == 0
    assert db.execute("select count(*) from reports_fts").fetchone()[0] == 1
