"""Benchmark the build's worker pool: documents/second of ``nianbao build`` with 1 and 2
workers, against reading the same documents in the build's own process (as builds did
before ``extract.workers``).

    .venv/bin/python bench/build_pool_bench.py --reports 60 [--jobs 1,2]

Corpus: ``--reports`` report items of a page and an attachment each, the attachment
taking turns among the real fixtures (the 罗山县 seed as text, two 淮安 PDFs, the 2021
tables as XLSX and Word 97 .doc), each made distinct (a trailing comment for the PDFs, a
changed body name in the text) so every one is read. Printed: the in-process reading time
of every document (``extract_document`` one after the other, no database), then for each
``--jobs`` a fresh build's wall time and documents/second; the difference to the first is
the pool's cost (process start-up, pickling) plus the database writes, less what workers
run in parallel.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from archive.build import build  # noqa: E402
from archive_crawl import FIXTURES, SEED, page, report, write_jsonl  # noqa: E402
from extract import extract_document  # noqa: E402

ATTACHMENTS = (
    ("report.txt", "text/plain", lambda n: SEED.replace("罗山县".encode(), f"第{n}县".encode())),
    ("report.pdf", "application/pdf", lambda n: (FIXTURES / "huaian-city-gov-2024.pdf").read_bytes() + b"%%%d\n" % n),
    ("report.pdf", "application/pdf",
     lambda n: (FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes() + b"%%%d\n" % n),
    ("report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     lambda n: (FIXTURES / "luoshan-2021-tables.xlsx").read_bytes() + bytes(n + 1)),
    ("report.doc", "application/msword",
     lambda n: (FIXTURES / "luoshan-2021-filled-template.doc").read_bytes() + bytes(n + 1)),
)


def make_crawl(crawl_dir: Path, reports: int) -> list[dict]:
    crawl_dir.mkdir(parents=True)
    items = []
    for n in range(reports):
        name, content_type, data = ATTACHMENTS[n % len(ATTACHMENTS)]
        title = f"第{n}县人民政府2021年政府信息公开工作年度报告"
        items.append(report(crawl_dir, f"第{n}县人民政府", title, 2021, f"art_{n}", page(title, links=(name,)),
                            [(name, content_type, data(n))]))
    write_jsonl(crawl_dir / "reports.jsonl", items)
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--jobs", default="1,2", help="comma-separated worker counts to build with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-pool-bench-") as tmp:
        crawl_dir = Path(tmp) / "crawl"
        items = make_crawl(crawl_dir, args.reports)
        documents = [doc for item in items for doc in item["documents"]]
        started = time.monotonic()
        for doc in documents:
            extract_document((crawl_dir / doc["blob"]).read_bytes(), filename=doc.get("filename"),
                             media_type=doc["content_type"], source=doc["url"])
        alone = time.monotonic() - started
        print(f"{len(documents)} documents of {len(items)} reports")
        print(f"in-process extraction only:  {alone:7.1f} s  {len(documents) / alone:6.1f} documents/s")
        for jobs in (int(j) for j in args.jobs.split(",")):
            started = time.monotonic()
            summary = build(crawl_dir, Path(tmp) / f"jobs{jobs}.db", jobs=jobs)
            seconds = time.monotonic() - started
            assert summary["reports_added"] == len(items), summary
            print(f"build, {jobs} worker{'s' if jobs > 1 else ' '}:           {seconds:7.1f} s  "
                  f"{len(documents) / seconds:6.1f} documents/s")


if __name__ == "__main__":
    main()
