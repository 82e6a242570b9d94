"""Item pipelines: store document bytes content-addressed, then append new reports to reports.jsonl."""
from __future__ import annotations

import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from itemadapter import ItemAdapter

from crawler.crawldir import REPORTS, append_jsonl, blob_path, crawl_dir, read_jsonl
from crawler.extensions import portal_stat
from crawler.items import ReportItem, report_key


class BlobStorePipeline:
    """Writes each document's bytes to ``DIR/blobs/<aa>/<sha256>`` (once) and swaps ``body`` for ``blob``."""

    def __init__(self, root: Path):
        self.root = root

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawl_dir(crawler.settings))

    def process_item(self, item: ReportItem) -> ReportItem:
        for doc in item.documents:
            doc["blob"] = blob_path(doc["sha256"])
            store_blob(self.root / doc["blob"], doc.pop("body"))
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
    """Appends a report to reports.jsonl only if its (page_url, document digests) is not there yet,
    so re-running into the same directory adds nothing it already has."""

    def __init__(self, crawler, path: Path):
        self.stats = crawler.stats
        self.path = path
        self.seen = {report_key(line) for line in read_jsonl(path)}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawl_dir(crawler.settings) / REPORTS)

    def process_item(self, item: ReportItem) -> ReportItem:
        key = report_key(ItemAdapter(item))
        if key not in self.seen:
            self.seen.add(key)
            append_jsonl(self.path, asdict(item))
            self.stats.inc_value(portal_stat(item.portal, "new_reports"))
        return item
