"""archive.build under hostile documents, kills and bad crawl files (issue 10, §2, §4, §5)."""
from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pypdfium2
import sqlite_utils
from click.testing import CliRunner

from archive.build import build
from archive_crawl import FIXTURES, SEED, luoshan, make_crawl, page, report, write_jsonl
from extract.limits import WorkerLimits
from hostile_documents import deep_html, docx_huge_xml, random_bytes, xlsx_sheet_corners
from nianbao.cli import cli
from test_archive_build import dump

ROOT = Path(__file__).resolve().parent.parent
HONGZE = (FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes()


def attachment_report(crawl_dir: Path, name: str, content_type: str, data: bytes, year: int = 2021) -> dict:
    title = f"某县{name}{year}年政府信息公开工作年度报告"
    return report(crawl_dir, "某县人民政府", title, year, f"art_{name}", page(title, links=(name,)),
                  [(name, content_type, data)])


def hostile_crawl(crawl_dir: Path) -> dict:
    """Good reports (make_crawl's), hostile documents, and a 300-page report PDF (within every
    reader's limits, some 300 MiB to read), each attached to its own report."""
    items = make_crawl(crawl_dir)
    hostile = {
        "corners.xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_sheet_corners()),
        "huge.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      docx_huge_xml(256 << 20)),
        "random.doc": ("application/msword", random_bytes()),
        "long.pdf": ("application/pdf", many_page_pdf(300)),
    }
    for name, (content_type, data) in hostile.items():
        items[name] = attachment_report(crawl_dir, name, content_type, data)
    # A report page nested 100,000 elements deep: the page is the report.
    items["deep"] = report(crawl_dir, "某县人民政府", "某县人民政府2021年政府信息公开工作年度报告", 2021, "art_deep",
                           deep_html())
    write_jsonl(crawl_dir / "reports.jsonl", [items[name] for name in (*hostile, "deep")], mode="a")
    return items


MEASURED_BUILD = """
import json, resource, sys
from archive.build import build
summary = build(sys.argv[1], sys.argv[2])
print(json.dumps({"summary": summary,
                  "self_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "children_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def test_a_build_over_hostile_documents_finishes_under_1_gb_with_an_error_for_each(tmp_path):
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    items = hostile_crawl(crawl_dir)
    # The memory cap lowered from 768 to 160 MiB, so that what the readers let through (the long
    # PDF) reaches it, in seconds.
    result = subprocess.run([sys.executable, "-c", MEASURED_BUILD, crawl_dir, db_path], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "NIANBAO_WORKER_MEMORY_MB": "160"})
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    # One worker at a time: the tree's peak is at most the build's plus the largest worker's.
    assert measured["children_mib"] <= 160 and measured["self_mib"] + measured["children_mib"] < 1000, measured
    db = sqlite_utils.Database(db_path)
    assert db["reports"].count == len(items) and measured["summary"]["reports_total"] == len(items)
    errors = {row["url"].rsplit("/", 1)[1]: row for row in db["errors"].rows_where("source = 'extract'")}
    assert errors["long.pdf"]["stage"] == "limit" and "160 MiB memory limit per document" in errors["long.pdf"]["message"]
    for name in ("corners.xlsx", "huge.docx", "random.doc"):
        assert name in errors, name  # refused by its reader or by a limit, never silently read as nothing
    (deep,) = db["reports"].rows_where("page_url = ?", [items["deep"]["page_url"]])
    assert "art_deep.html" in errors or "本报告由某县人民政府办公室编制" in deep["text"]  # its text read, or an error
    failed = {row["sha256"] for row in db["failed_documents"].rows}
    sha = {name: items[name]["documents"][1]["sha256"] for name in ("long.pdf", "corners.xlsx", "huge.docx")}
    # The XLSX and DOCX: refused by their readers' limits, or stopped by this one.
    assert sha["long.pdf"] in failed and failed <= set(sha.values())
    # The good reports are all there, read in full.
    hongze = db.execute("select figures_read from reports where page_url = ?",
                        [items["hongze"]["page_url"]]).fetchone()
    luoshan_figures = db.execute("select figures_read from reports where page_url = ?",
                                 [items["luoshan"]["page_url"]]).fetchone()
    assert hongze[0] > 150 and luoshan_figures[0] == 200


def many_reports(crawl_dir: Path, count: int) -> list[dict]:
    """``count`` reports of the seed's text, each with its own figure, so each is a new report."""
    seed = SEED.decode()
    return [luoshan(crawl_dir, seed.replace("罗山县人民政府", f"第{n}县人民政府").encode())
            | {"page_url": f"http://127.0.0.1:8501/art_{n}.html"} for n in range(count)]


KILLED_BUILD = """
import os, signal, sys
from archive.build import build
def progress(done, total, current):
    if done == 17:  # item 18 is not written yet: its batch (16-20) is open
        os.kill(os.getpid(), signal.SIGKILL)
build(sys.argv[1], sys.argv[2], progress=progress, batch_items=5)
"""


def test_a_killed_build_keeps_its_batches_and_the_next_build_completes_it_without_duplicates(tmp_path):
    crawl_dir = tmp_path / "crawl"
    crawl_dir.mkdir()
    write_jsonl(crawl_dir / "reports.jsonl", many_reports(crawl_dir, 30))
    killed, whole = tmp_path / "killed.db", tmp_path / "whole.db"
    result = subprocess.run([sys.executable, "-c", KILLED_BUILD, crawl_dir, killed], cwd=ROOT, capture_output=True)
    assert result.returncode == -signal.SIGKILL, result.stderr
    db = sqlite3.connect(killed)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Three batches of five committed, whole: each report with its document, figures, checks,
    # summary row and search entry; nothing of the fourth batch.
    assert db.execute("select count(*) from reports").fetchone() == (15,)
    for table, key in (("documents", "report_id"), ("report_sources", "report_id"), ("report_summary", "id"),
                       ("reports_fts", "rowid")):
        assert db.execute(f"select count(distinct {key}) from {table}").fetchone() == (15,), table
    assert db.execute("select count(*) from figures").fetchone() == (15 * 200,)
    assert db.execute("select count(distinct report_id) from checks").fetchone() == (15,)
    db.close()
    summary = build(crawl_dir, killed)
    assert (summary["reports_added"], summary["reports_total"]) == (15, 30)
    build(crawl_dir, whole, jobs=2)  # two workers: the same archive
    assert logical_dump(killed) == logical_dump(whole)


def logical_dump(db_path: Path) -> dict:
    """``dump`` with the search index as its terms and their places, not FTS5's pages (which
    differ with the number of commits that wrote them)."""
    tables = {name: rows for name, rows in dump(db_path, with_builds=False).items()
              if not name.startswith("reports_fts_")}
    db = sqlite3.connect(db_path)
    db.execute("create virtual table temp.terms using fts5vocab(main, reports_fts, instance)")
    return {**tables, "terms": db.execute("select * from temp.terms order by 1, 2, 3, 4").fetchall()}


def many_page_pdf(pages: int) -> bytes:
    """A real report's pages repeated to ``pages`` pages: some seconds of CPU to read."""
    source, document = pypdfium2.PdfDocument(HONGZE), pypdfium2.PdfDocument.new()
    while len(document) < pages:
        document.import_pages(source)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_document_over_a_limit_is_not_read_again_unless_retry_failed(tmp_path):
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    crawl_dir.mkdir()
    pdf = many_page_pdf(400)
    item = attachment_report(crawl_dir, "long.pdf", "application/pdf", pdf, 2023)
    write_jsonl(crawl_dir / "reports.jsonl", [item])
    messages = []
    first = build(crawl_dir, db_path, limits=WorkerLimits(cpu_seconds=1), messages=messages.append)
    assert (first["documents_failed"], first["document_errors"]) == (1, 1)
    assert any("exceeded the 1 s CPU time limit per document (NIANBAO_WORKER_CPU_SECONDS)" in m for m in messages)
    db = sqlite_utils.Database(db_path)
    (error,) = db["errors"].rows_where("stage = 'limit'")
    assert error["document_sha256"] == item["documents"][1]["sha256"] and error["url"].endswith("long.pdf")
    # The same bytes in a new item are not read again: the known failure is its error.
    again = attachment_report(crawl_dir, "long.pdf", "application/pdf", pdf, 2023)
    again["page_url"] = again["page_url"].replace("art_", "art_copy_")
    write_jsonl(crawl_dir / "reports.jsonl", [again], mode="a")
    messages.clear()
    second = build(crawl_dir, db_path, limits=WorkerLimits(cpu_seconds=1), messages=messages.append)
    assert second["documents_failed"] == 0 and not any("exceeded" in m for m in messages)
    assert db["errors"].count_where("stage = 'limit'") == 1  # the same error: same URL and bytes
    (copy,) = db["reports"].rows_where("page_url = ?", [again["page_url"]])
    assert sorted(d["extract_errors"] for d in db["documents"].rows_where("report_id = ?", [copy["id"]])) == [0, 1]
    (report_row,) = db["reports"].rows_where("page_url = ?", [item["page_url"]])
    assert report_row["figures_read"] == 0
    # Asked to, the build reads it again (now under the default limits): its report gets its figures,
    # and the copy on the second page is that report (a re-hosted attachment, docs/archive.md).
    third = build(crawl_dir, db_path, retry_failed=True)
    assert third["documents_failed"] == 0 and db["failed_documents"].count == 0
    assert db["errors"].count_where("stage = 'limit'") == 0
    (row,) = db["reports"].rows
    assert row["figures_read"] > 150 and row["primary_sha256"] == item["documents"][1]["sha256"]
    assert {d["url"] for d in db["documents"].rows} == {item["page_url"], item["documents"][1]["url"]}  # pages: same bytes
    assert db["report_summary"].count == 1 and db.execute("select count(*) from reports_fts").fetchone()[0] == 1


def test_bad_lines_of_the_crawl_files_are_reported_and_skipped(tmp_path):
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    items = make_crawl(crawl_dir)
    good = json.dumps(many_reports(crawl_dir, 1)[0], ensure_ascii=False).encode()
    with open(crawl_dir / "reports.jsonl", "ab") as f:
        f.write(b'{"page_url": "http://127.0.0.1:8501/x.html"}\n')  # no documents
        f.write(b"[1, 2]\n")  # not an object
        f.write(good + b"\n")
        f.write(good[:-40])  # torn: the disk filled while it was written (a multibyte character cut, too)
        f.write(b"\n")
    with open(crawl_dir / "runs.jsonl", "ab") as f:
        f.write(b'{"started": "2026-11-26T22:00:00Z"}\n')
        f.write(b'{"run_id": "x", "portals": {"a": {"pages": "12"}}}\n')
    with open(crawl_dir / "errors.jsonl", "ab") as f:
        f.write(b"\xff\xfe not utf-8\n")
        f.write(b'{"run_id": ["20261126T220000Z"], "kind": "timeout"}\n')
    messages = []
    summary = build(crawl_dir, db_path, messages=messages.append)
    assert summary["bad_lines"] == 7 and summary["reports_added"] == len(items) + 1
    bad = {row["message"] for row in sqlite_utils.Database(db_path)["errors"].rows_where("kind = 'bad_line'")}
    assert bad == {"reports.jsonl line 6: no documents list; skipped",
                   "reports.jsonl line 7: not a JSON object; skipped",
                   next(m for m in bad if m.startswith("reports.jsonl line 9: not JSON")),
                   "runs.jsonl line 2: no run_id; skipped",
                   "runs.jsonl line 3: a portal's pages/reports/new_reports/errors is not a number; skipped",
                   next(m for m in bad if m.startswith("errors.jsonl line 3: not JSON")),
                   "errors.jsonl line 4: run_id not text; skipped"}
    assert bad <= set(messages)
    urls = {row["url"] for row in sqlite_utils.Database(db_path)["errors"].rows_where("kind = 'bad_line'")}
    assert urls == {str((crawl_dir / name).resolve()) for name in ("reports.jsonl", "runs.jsonl", "errors.jsonl")}
    # A re-build, even from the directory named another way, meets the same bad lines: it says so
    # again (so `nianbao build` does not exit 0), but they are the same errors, no second row.
    relative = Path(os.path.relpath(crawl_dir))
    again = build(relative, db_path)
    assert again["bad_lines"] == 7 and again["reports_added"] == 0
    assert sqlite_utils.Database(db_path)["errors"].count_where("kind = 'bad_line'") == 7


def test_a_build_that_cannot_run_exits_3_with_one_line_and_no_traceback(tmp_path):
    crawl_dir = tmp_path / "crawl"
    make_crawl(crawl_dir)
    (tmp_path / "a-file").write_text("not a directory")
    result = CliRunner().invoke(cli, ["build", "--from", str(crawl_dir), "--db", str(tmp_path / "a-file" / "nianbao.db")])
    assert result.exit_code == 3
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("nianbao build: could not build")
    (crawl_dir / "reports.jsonl").unlink()
    (crawl_dir / "reports.jsonl").mkdir()  # unreadable
    result = CliRunner().invoke(cli, ["build", "--from", str(crawl_dir), "--db", str(tmp_path / "nianbao.db")])
    assert result.exit_code == 3 and "IsADirectoryError" in result.output and "Traceback" not in result.output


def test_a_full_disk_exits_3_and_keeps_the_committed_batches(tmp_path):
    crawl_dir, disk = tmp_path / "crawl", tmp_path / "disk"
    crawl_dir.mkdir()
    disk.mkdir()
    write_jsonl(crawl_dir / "reports.jsonl", many_reports(crawl_dir, 40))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True, text=True)
    assert mounted.returncode == 0, f"cannot mount a 1 MB tmpfs for the full disk: {mounted.stderr}"
    try:
        result = subprocess.run([sys.executable, "-m", "nianbao", "build", "--from", crawl_dir,
                                 "--db", disk / "nianbao.db"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr and "disk is full" in result.stderr.splitlines()[-1]
        db = sqlite3.connect(disk / "nianbao.db")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        reports = db.execute("select count(*) from reports").fetchone()[0]
        assert reports == db.execute("select count(distinct report_id) from documents").fetchone()[0]
        assert reports < 40
        db.close()
    finally:
        subprocess.run(["umount", str(disk)], check=True)
