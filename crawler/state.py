"""Crawl state: what earlier runs archived, per URL, in ``DIR/state.sqlite``.

One row per URL that answered 200: where its payload sits in the WARC files
(``warc_file``, ``record_id``, ``warc_date``, ``payload_digest``, and the record's
``warc_offset``/``warc_length``, null in rows written before they were kept), the validators
the server gave (``etag``, ``last_modified``), the response headers a spider needs
to parse it again (``headers``), when a server last confirmed it (``checked_at``: a 200,
a 304, or the same payload again), once a pipeline has stored it as a blob,
``sha256``/``blob``, and whether a spider judged this payload not to be an annual report
(``not_report``: a candidate whose article or a templated year whose page is something else).

It lets a re-run

* write a WARC ``revisit`` record instead of a second copy when a payload is
  unchanged (:mod:`crawler.warc`), and
* send conditional requests for report documents, which have a blob to stand in
  for the body a ``304 Not Modified`` does not carry, and for pages judged not to be
  reports, which need no body — or, for those confirmed within ``NIANBAO_RECHECK_DAYS``,
  no request at all (:mod:`crawler.incremental`).

SQLite in WAL mode. Writes are committed in batches — after each report's documents are
stored (:class:`crawler.pipelines.BlobStorePipeline`), every :data:`BATCH` writes, and when
the crawl closes — because a commit per row costs more than the rest of the bookkeeping.
A row is written only after the bytes it points to (WARC record, blob) are on disk, so it
never points at something missing; a ``kill -9`` loses only rows not yet committed: pages
and documents of reports not yet on file, which the next run then downloads again.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

STATE = "state.sqlite"
BATCH = 200  # writes per commit

SCHEMA = """
create table if not exists urls (
    url text primary key,
    payload_digest text not null,   -- WARC-Payload-Digest of the body as received
    warc_file text not null,        -- relative to the crawl directory
    record_id text not null,
    warc_date text not null,
    etag text,
    last_modified text,
    headers text not null,          -- JSON [[name, value], ...] of the 200 response
    sha256 text,                    -- of the body as the spider saw it, once stored as a blob
    blob text,
    checked_at real not null,       -- unix time of the last 200 or 304 for this URL
    not_report integer not null default 0,  -- 1: this payload was judged not to be an annual report
    warc_offset integer,            -- where the response record starts in warc_file
    warc_length integer             -- and its length as stored (one gzip member)
)
"""
# Columns added since the first state files were written: (name, definition) for ALTER TABLE.
ADDED_COLUMNS = (("not_report", "integer not null default 0"), ("warc_offset", "integer"),
                 ("warc_length", "integer"))


@dataclass(frozen=True)
class Known:
    """One URL's row."""

    url: str
    payload_digest: str
    warc_file: str
    record_id: str
    warc_date: str
    etag: str | None
    last_modified: str | None
    headers: list
    sha256: str | None
    blob: str | None
    checked_at: float
    not_report: bool
    warc_offset: int | None
    warc_length: int | None


class CrawlState:
    """The state file of one crawl directory, shared by the components of one crawl
    (:meth:`of` keeps one instance per Scrapy crawler)."""

    def __init__(self, root: Path):
        self.db = sqlite3.connect(root / STATE, isolation_level=None)
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")
        self.db.execute(SCHEMA)
        have = {row[1] for row in self.db.execute("pragma table_info(urls)")}
        for name, definition in ADDED_COLUMNS:
            if name not in have:  # a state file from an earlier version: keep it, add the column
                self.db.execute(f"alter table urls add column {name} {definition}")
        self.pending = 0  # writes since the last commit

    @classmethod
    def of(cls, crawler) -> CrawlState:
        """The crawl's one instance, closed (and committed) when the spider closes."""
        from scrapy import signals

        from crawler.crawldir import crawl_dir

        if not hasattr(crawler, "nianbao_state"):
            crawler.nianbao_state = cls(crawl_dir(crawler.settings))
            crawler.signals.connect(crawler.nianbao_state.close, signal=signals.spider_closed)
        return crawler.nianbao_state

    def known(self, url: str) -> Known | None:
        row = self.db.execute(f"select {', '.join(Known.__dataclass_fields__)} from urls where url = ?",
                              (url,)).fetchone()
        if row is None:
            return None
        fields = dict(zip(Known.__dataclass_fields__, row))
        return Known(**{**fields, "headers": json.loads(fields["headers"]), "not_report": bool(fields["not_report"])})

    def archived(self, url: str, payload_digest: str, where: dict,
                 etag: str | None, last_modified: str | None, headers: list) -> None:
        """A full 200 response was written to the WARC. A new payload forgets the old blob, so a
        conditional request is sent again only once the new version is stored, and the old verdict,
        so the new version is judged again. ``where`` is the record's location (:mod:`crawler.warc`)."""
        self._write(
            "insert into urls (url, payload_digest, warc_file, record_id, warc_date, etag, last_modified, headers, "
            "checked_at, warc_offset, warc_length) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict(url) do "
            "update set payload_digest = excluded.payload_digest, warc_file = excluded.warc_file, "
            "record_id = excluded.record_id, warc_date = excluded.warc_date, warc_offset = excluded.warc_offset, "
            "warc_length = excluded.warc_length, etag = excluded.etag, "
            "last_modified = excluded.last_modified, headers = excluded.headers, "
            "sha256 = null, blob = null, checked_at = excluded.checked_at, not_report = 0 "
            "where urls.payload_digest != excluded.payload_digest",
            (url, payload_digest, where["warc_file"], where["warc_record_id"], where["warc_date"], etag,
             last_modified, json.dumps(headers), time.time(), where["warc_offset"], where["warc_length"]))

    def confirmed(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """A server confirmed the archived payload (a 304, or the same payload again): it counts as
        checked now, and its latest validators are kept for the next conditional request."""
        self._write("update urls set etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
                    "checked_at = ? where url = ?", (etag, last_modified, time.time(), url))

    def not_a_report(self, url: str) -> None:
        """A spider judged this URL's archived payload not to be an annual report."""
        self._write("update urls set not_report = 1 where url = ?", (url,))

    def stored(self, url: str, record_id: str, sha256: str, blob: str) -> None:
        """The body of this URL's record is stored as a blob (only if that record is still the latest;
        a row with a blob already has this one, as a new record clears it)."""
        self._write("update urls set sha256 = ?, blob = ? where url = ? and record_id = ? and blob is null",
                    (sha256, blob, url, record_id))

    def _write(self, sql: str, params: tuple) -> None:
        if not self.db.in_transaction:
            self.db.execute("begin")
        self.db.execute(sql, params)
        self.pending += 1
        if self.pending >= BATCH:
            self.commit()

    def commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("commit")
        self.pending = 0

    def close(self) -> None:
        self.commit()
        self.db.close()
