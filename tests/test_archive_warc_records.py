"""``/-/record/<id>`` on WARC files the crawler wrote: each record is found where the crawl
recorded it (``documents.warc_offset``/``warc_length``), and is what warcio reads there.

A real crawl of a generated local portal (tests/crawler_support.py), built, then served.
"""
from __future__ import annotations

import sqlite3
import urllib.request
from io import BytesIO

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.build import build
from archive.plugins import nianbao_record
from archive_crawl import datasette
from crawler_support import generate_portal, run_crawl, site_server


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """(crawl dir, db path, the documents' rows) of a 3-report portal crawled and built."""
    directory = tmp_path_factory.mktemp("records")
    generate_portal(directory / "site", reports=3)
    with site_server(directory / "site") as server:
        run_crawl([{"name": "示例县人民政府", "url": server.url + "/"}], directory / "crawl")
    build(directory / "crawl", directory / "nianbao.db")
    db = sqlite3.connect(directory / "nianbao.db")
    db.row_factory = sqlite3.Row
    documents = [dict(row) for row in db.execute(
        "select warc_file, warc_record_id, warc_offset, warc_length from documents order by url")]
    db.close()
    return directory / "crawl", directory / "nianbao.db", documents


def warcio_records(path) -> dict:
    """Every record of a WARC file as warcio reads it: id → (offset, length, headers, http headers, payload)."""
    records = {}
    with open(path, "rb") as f:
        iterator = ArchiveIterator(f)
        for record in iterator:
            seen = (record.rec_headers.headers, record.http_headers and record.http_headers.headers,
                    record.content_stream().read())
            records[record.rec_headers.get_header("WARC-Record-ID")] = (
                iterator.get_record_offset(), iterator.get_record_length(), *seen)
    return records


def test_a_crawled_record_is_served_from_where_the_crawler_wrote_it(crawled):
    crawl_dir, db_path, documents = crawled
    assert len(documents) == 6  # 3 report pages, 3 PDFs
    with datasette(db_path) as base:
        for doc in documents:
            offset, length, headers, http_headers, payload = warcio_records(crawl_dir / doc["warc_file"])[
                doc["warc_record_id"]]
            assert (doc["warc_offset"], doc["warc_length"]) == (offset, length)
            with urllib.request.urlopen(f"{base}/-/record/{doc['warc_record_id'].strip('<>')}", timeout=10) as r:
                served = r.read()
            [record] = [(x.rec_headers.headers, x.http_headers.headers, x.content_stream().read())
                        for x in ArchiveIterator(BytesIO(served))]
            assert record == (headers, http_headers, payload)


def test_the_recorded_offset_is_read_without_reading_the_file(crawled, tmp_path):
    crawl_dir, _, documents = crawled
    doc = documents[-1]
    warc = tmp_path / "copy.warc.gz"
    # A torn tail after the records (a run killed mid-write): the file cannot be read to its end.
    warc.write_bytes((crawl_dir / doc["warc_file"]).read_bytes() + b"\x1f\x8b\x08\x00torn")
    located = nianbao_record.read_record(warc, doc["warc_record_id"], doc["warc_offset"], doc["warc_length"])
    assert located.startswith(b"WARC/1.1\r\n") and doc["warc_record_id"].encode() in located.split(b"\r\n\r\n")[0]
    assert str(warc) not in nianbao_record._OFFSETS  # one seek: the file was not read


@pytest.mark.parametrize("where", ["none", "wrong"])
def test_without_a_right_offset_the_file_is_read_to_find_the_record(crawled, where):
    """An archive built before offsets were recorded (null), or an offset that holds another record."""
    crawl_dir, _, documents = crawled
    doc, other = documents[-1], documents[0]
    path = crawl_dir / doc["warc_file"]
    offset, length = (None, None) if where == "none" else (other["warc_offset"], other["warc_length"])
    found = nianbao_record.read_record(path, doc["warc_record_id"], offset, length)
    located = nianbao_record.read_record(path, doc["warc_record_id"], doc["warc_offset"], doc["warc_length"])
    assert found == located and doc["warc_record_id"].encode() in found.split(b"\r\n\r\n")[0]
