"""Item pipelines: store document bytes content-addressed, then append new reports to reports.jsonl.

A write that fails (:data:`crawler.crawldir.STORAGE_ERRORS`, e.g. a full disk) drops the item
(its report is not on file, so the next run finds it again) and is sent as
:data:`crawler.signals.storage_failed`, which stops the crawl.
"""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.crawldir import (
    REPORTS,
    STORAGE_ERRORS,
    TMP_PREFIX,
    append_jsonl,
    blob_path,
    crawl_dir,
    describe_storage_error,
    read_jsonl,
)
from crawler.extensions import portal_stat
from crawler.items import ReportItem, report_key
from crawler.signals import storage_failed
from crawler.state import STATE, CrawlState

logger = logging.getLogger(__name__)


def not_stored(crawler, path: Path, error: Exception, item: ReportItem, url: str | None = None) -> DropItem:
    """Tell the crawl that ``path`` could not be written for ``item``; the DropItem to raise. (Bodies not
    yet stored are dropped too: Scrapy logs the dropped item, and a log is no place for a PDF.)"""
    for doc in item.documents:
        doc.pop("body", None)
    crawler.signals.send_catch_log(storage_failed, path=path, error=error, portal=item.portal,
                                   url=url or item.page_url)
    return DropItem(f"report not stored: {describe_storage_error(path, error)}")


class BlobStorePipeline:
    """Writes each document's bytes to ``DIR/blobs/<aa>/<sha256>`` (once), swaps ``body`` for ``blob``,
    and tells the crawl state, so the next run may ask for the document conditionally."""

    def __init__(self, crawler, root: Path, state: CrawlState):
        self.crawler = crawler
        self.root = root
        self.state = state

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawl_dir(crawler.settings), CrawlState.of(crawler))

    async def process_item(self, item: ReportItem) -> ReportItem:
        for doc in item.documents:
            doc["blob"] = blob_path(doc["sha256"])
            path, body = self.root / doc["blob"], doc.pop("body")
            if not path.exists():  # a known document's blob mostly is
                # Creating files is slow on many file systems (about 1 ms on overlayfs): off the reactor's thread.
                try:
                    await asyncio.to_thread(store_blob, path, body)
                except STORAGE_ERRORS as error:
                    raise not_stored(self.crawler, path, error, item, doc["url"]) from error
        # Before the report is appended to reports.jsonl: a report on file always has its documents'
        # state committed, so after a crash the next run asks for them conditionally.
        try:
            for doc in item.documents:
                self.state.stored(doc["url"], doc["warc_record_id"], doc["sha256"], doc["blob"])
            self.state.commit()
        except STORAGE_ERRORS as error:
            raise not_stored(self.crawler, self.root / STATE, error, item) from error
        return item

    def close_spider(self) -> None:
        """The crawl's last state commit, here because pipelines close before the ``spider_closed``
        signal: a failure is then in the run record. (Only rows of documents to fetch again are lost.)"""
        try:
            self.state.commit()
        except STORAGE_ERRORS as error:
            self.crawler.signals.send_catch_log(storage_failed, path=self.root / STATE, error=error)


def store_blob(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a blob that exists is always complete; a write that
    fails removes its temporary file (one left by a killed run is removed by :mod:`crawler.recovery`)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class ReportsJsonLinesPipeline:
    """Appends a report to reports.jsonl only if its (portal, page_url, document digests) is not there yet,
    so re-running into the same directory adds nothing it already has. An appended report is
    counted ``new_reports`` if its page is new, ``changed_reports`` if an earlier version is
    there (which stays: both versions are kept). Once a write to the crawl directory failed, no
    report is appended: one found since may lack a document that could not be archived, and a
    later complete version would then look like a change. The next run finds it again."""

    def __init__(self, crawler, path: Path):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.seen = set()
        self.pages = set()
        self.storage_failed = False
        crawler.signals.connect(self.stop_appending, signal=storage_failed)
        for line in read_jsonl(path):
            try:
                self.seen.add(report_key(line))
            except (KeyError, TypeError) as error:
                logger.warning("%s: a line without a report's fields, skipped (%r): %.200s", path, error, line)
                continue
            self.pages.add((line["portal"], line["page_url"]))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawl_dir(crawler.settings) / REPORTS)

    def stop_appending(self) -> None:
        self.storage_failed = True

    def process_item(self, item: ReportItem) -> ReportItem:
        if self.storage_failed:
            raise DropItem("report not appended: the crawl directory could not be written, so it may lack a document")
        key = report_key(ItemAdapter(item))
        if key not in self.seen:
            try:
                append_jsonl(self.path, asdict(item))
            except STORAGE_ERRORS as error:
                raise not_stored(self.crawler, self.path, error, item) from error
            self.seen.add(key)
            page = (item.portal, item.page_url)
            counter = "changed_reports" if page in self.pages else "new_reports"
            self.pages.add(page)
            self.stats.inc_value(portal_stat(item.portal, counter))
        return item
