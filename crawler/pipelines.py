"""Item pipelines: store document bytes content-addressed, then append new reports to reports.jsonl."""
from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from itemadapter import ItemAdapter

from crawler.crawldir import REPORTS, append_jsonl, blob_path, crawl_dir, read_jsonl
from crawler.extensions import portal_stat
from crawler.items import ReportItem, report_key
from crawler.state import CrawlState


class BlobStorePipeline:
    """Writes each document's bytes to ``DIR/blobs/<aa>/<sha256>`` (once), swaps ``body`` for ``blob``,
    and tells the crawl state, so the next run may ask for the document conditionally."""

    def __init__(self, root: Path, state: CrawlState):
        self.root = root
        self.state = state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawl_dir(crawler.settings), CrawlState.of(crawler))

    async def process_item(self, item: ReportItem) -> ReportItem:
        for doc in item.documents:
            doc["blob"] = blob_path(doc["sha256"])
            path, body = self.root / doc["blob"], doc.pop("body")
            if not path.exists():  # a known document's blob mostly is
                # Creating files is slow on many file systems (about 1 ms on overlayfs): off the reactor's thread.
                await asyncio.to_thread(store_blob, path, body)
            self.state.stored(doc["url"], doc["warc_record_id"], doc["sha256"], doc["blob"])
        # Before the report is appended to reports.jsonl: a report on file always has its documents'
        # state committed, so after a crash the next run asks for them conditionally.
        self.state.commit()
        return item


def store_blob(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a blob that exists is always complete."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class ReportsJsonLinesPipeline:
    """Appends a report to reports.jsonl only if its (portal, page_url, document digests) is not there yet,
    so re-running into the same directory adds nothing it already has. An appended report is
    counted ``new_reports`` if its page is new, ``changed_reports`` if an earlier version is
    there (which stays: both versions are kept)."""

    def __init__(self, crawler, path: Path):
        self.stats = crawler.stats
        self.path = path
        self.seen = set()
        self.pages = set()
        for line in read_jsonl(path):
            self.seen.add(report_key(line))
            self.pages.add((line["portal"], line["page_url"]))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawl_dir(crawler.settings) / REPORTS)

    def process_item(self, item: ReportItem) -> ReportItem:
        key = report_key(ItemAdapter(item))
        if key not in self.seen:
            self.seen.add(key)
            append_jsonl(self.path, asdict(item))
            page = (item.portal, item.page_url)
            counter = "changed_reports" if page in self.pages else "new_reports"
            self.pages.add(page)
            self.stats.inc_value(portal_stat(item.portal, counter))
        return item
