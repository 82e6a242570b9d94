"""A realistic crawl directory for the archive tests, laid out as docs/architecture.md says.

Documents are real report texts from ``tests/fixtures/extract``: the 罗山县 2021
seed (as a text attachment) and two published 淮安 PDFs, plus a short pre-2019 HTML report and a
broken item (missing blob, Word 97 attachment). :func:`datasette` serves an archive for a test.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from archive.build import build
from archive.serve import serve_command
from ports import free_ports

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
SEED = (FIXTURES / "seed-report-luoshan-2021.txt").read_bytes()
PORTAL = "http://127.0.0.1:8501/"
# The day the test crawl is built: which report years are due (archive/coverage.py) depends on it.
TODAY = date(2026, 11, 26)


def page(title: str, body: str = "", links: tuple[str, ...] = ()) -> bytes:
    anchors = "".join(f'<p><a href="{name}">{name}</a></p>' for name in links)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>发布日期：2022-01-20</p>{body}{anchors}</body></html>").encode()


def document(crawl_dir: Path, url: str, data: bytes, role: str, content_type: str,
             filename: str | None = None) -> dict:
    sha = hashlib.sha256(data).hexdigest()
    blob = Path("blobs") / sha[:2] / sha
    (crawl_dir / blob).parent.mkdir(parents=True, exist_ok=True)
    (crawl_dir / blob).write_bytes(data)
    return {"url": url, "role": role, "filename": filename, "status": 200,
            "content_type": content_type, "fetched_at": "2026-11-25T22:00:00Z", "size": len(data),
            "sha256": sha, "blob": blob.as_posix(), "warc_file": "warc/nianbao-20261125220000-00000.warc.gz",
            "warc_record_id": f"<urn:uuid:{sha[:8]}-0000-0000-0000-{sha[8:20]}>"}


def report(crawl_dir: Path, portal: str, title: str, year: int | None, article: str,
           page_data: bytes, attachments=()) -> dict:
    """A reports.jsonl item; ``attachments`` are (filename, content_type, bytes)."""
    page_url = f"{PORTAL}{article}.html"
    docs = [document(crawl_dir, page_url, page_data, "page", "text/html; charset=utf-8")]
    docs += [document(crawl_dir, f"{PORTAL}files/{name}", data, "attachment", ctype, name)
             for name, ctype, data in attachments]
    return {"portal": portal, "portal_url": PORTAL, "page_url": page_url,
            "listing_url": f"{PORTAL}xxgk/index_1.html", "title": title, "year": year,
            "published": "2022-01-20", "documents": docs}


def luoshan(crawl_dir: Path, seed: bytes = SEED) -> dict:
    title = "罗山县人民政府2021年政府信息公开工作年度报告"
    return report(crawl_dir, "罗山县人民政府", title, 2021, "art_2021",
                  page(title, "<p>现将本县年度报告全文发布如下，详见附件。</p>", ("report.txt",)),
                  [("report.txt", "text/plain", seed)])


def write_jsonl(path: Path, rows, mode: str = "w") -> None:
    with open(path, mode, encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def make_crawl(crawl_dir: Path) -> dict:
    """Write the crawl directory; returns the items by short name."""
    crawl_dir.mkdir(parents=True, exist_ok=True)
    items = {
        "luoshan": luoshan(crawl_dir),
        "huaian": report(
            crawl_dir, "淮安市人民政府", "淮安市人民政府2024年政府信息公开工作年度报告", 2024, "art_huaian",
            page("淮安市人民政府2024年政府信息公开工作年度报告", links=("szfgs2024.pdf",)),
            [("szfgs2024.pdf", "application/pdf", (FIXTURES / "huaian-city-gov-2024.pdf").read_bytes())]),
        "broken": report(
            crawl_dir, "淮安市人民政府", "淮安市某局2022年政府信息公开工作年度报告", 2022, "art_broken",
            page("淮安市某局2022年政府信息公开工作年度报告", links=("report.doc",)),
            [("report.doc", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))]),
        "hongze": report(
            crawl_dir, "淮安市洪泽区人民政府", "洪泽区人民政府2023年政府信息公开工作年度报告", 2023, "art_hongze",
            page("洪泽区人民政府2023年政府信息公开工作年度报告", links=("hzq2023.pdf",)),
            [("hzq2023.pdf", "application/pdf", (FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes())]),
        "guangshan": report(
            crawl_dir, "光山县人民政府", "光山县人民政府2017年政府信息公开工作年度报告", 2017, "art_2017",
            page("光山县人民政府2017年政府信息公开工作年度报告",
                 "<h2>一、概述</h2><p>2017年，我县主动公开政府信息1200条，网站访问量稳步增长。</p>"
                 "<h2>二、存在的主要问题</h2><p>信息更新不够及时。</p>")),
    }
    # The broken item's page blob is lost: a read error, and the batch goes on.
    (crawl_dir / items["broken"]["documents"][0]["blob"]).unlink()
    write_jsonl(crawl_dir / "reports.jsonl", items.values())
    write_jsonl(crawl_dir / "errors.jsonl", [
        {"portal": "光山县人民政府", "url": "http://127.0.0.1:8502/xxgk/", "kind": "timeout",
         "message": "read timed out after 30 s", "time": "2026-11-25T22:01:00Z"},
        {"portal": "罗山县人民政府", "url": f"{PORTAL}missing.html", "kind": "http_404",
         "message": "404 Not Found", "time": "2026-11-25T22:02:00Z"}])
    write_jsonl(crawl_dir / "runs.jsonl", [
        {"run_id": "20261125T220000Z", "started": "2026-11-25T22:00:00Z", "finished": "2026-11-25T22:05:00Z",
         "portals": {"罗山县人民政府": {"url": PORTAL, "pages": 12, "reports": 1, "new_reports": 1, "errors": 1},
                     "淮安市人民政府": {"url": PORTAL, "pages": 20, "reports": 3, "new_reports": 3, "errors": 0},
                     "光山县人民政府": {"url": "http://127.0.0.1:8502/", "pages": 3, "reports": 1,
                                 "new_reports": 1, "errors": 1}}}])
    return items


def make_archive(directory: Path):
    """(crawl dir, db path, build summary, items) of a fresh crawl built in ``directory`` on ``TODAY``."""
    crawl_dir, db_path = directory / "crawl", directory / "nianbao.db"
    items = make_crawl(crawl_dir)
    return crawl_dir, db_path, build(crawl_dir, db_path, today=TODAY), items


@contextmanager
def datasette(db_path: Path, seconds: float = 20, command=None):
    """Datasette serving ``db_path`` as ``nianbao serve`` does, on a free 127.0.0.1 port.

    ``command(port)`` gives the command line (default: ``archive.serve.serve_command``).
    Yields the base URL once the server answers; stops the server (by its PID) afterwards.
    """
    (port,) = free_ports()
    command = command(port) if command else serve_command(db_path, port=port)
    log = tempfile.TemporaryFile()  # not a pipe: a full pipe would stall the server
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"datasette exited: {log.read().decode()}")
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise RuntimeError("datasette did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
