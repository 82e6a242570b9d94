"""Datasette plugin: ``/-/record/urn:uuid:<id>``, one WARC record as captured.

The record a document cites (``documents.warc_record_id``, in ``documents.warc_file``
under a crawl directory of ``crawl_dirs``) is sent whole — WARC headers, HTTP headers
and payload, as the crawler wrote them, uncompressed — as ``application/warc``: a
one-record WARC file any WARC reader opens (a browser offers it as a download).

The archive does not know where in its WARC file a record starts (the crawl log gives
file and record id only), so the first request for a record of a file reads that file
once with warcio and keeps every record's offset and length (a few hundred bytes a record
by estimate, not measured: some 5 MB for a full 1 GB file of 20,000 records); later requests
seek straight to the record. Reading a 1 GB file once takes as long as decompressing it.
"""
from __future__ import annotations

import asyncio
import gzip
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response
from warcio.archiveiterator import ArchiveIterator


@hookimpl
def register_routes():
    return [(r"^/-/record/(?P<record_id>urn:uuid:[0-9a-f-]{36})$", record)]


async def record(datasette, request):
    record_id = f"<{request.url_vars['record_id']}>"
    for database in datasette.databases.values():
        if database.name.startswith("_") or not await database.table_exists("crawl_dirs"):
            continue
        found = await database.execute(
            "select distinct d.warc_file, c.path from documents d, crawl_dirs c where d.warc_record_id = ?",
            [record_id])
        for warc_file, crawl_dir in found.rows:
            path = Path(crawl_dir, warc_file or "").resolve()
            if warc_file and path.is_relative_to(Path(crawl_dir).resolve()) and path.is_file():
                data = await asyncio.to_thread(read_record, path, record_id)
                if data is not None:
                    return Response(data, content_type="application/warc", headers={
                        "content-disposition": f'inline; filename="{record_id.strip("<>").replace(":", "-")}.warc"',
                        "content-security-policy": "sandbox", "x-content-type-options": "nosniff"})
    return Response.text("No archived WARC record with that id", status=404)


# path → ((size, mtime), {record id: (offset, length)}); read again when a crawl has added to the file.
_OFFSETS: dict[str, tuple[tuple, dict[str, tuple[int, int]]]] = {}


def read_record(path: Path, record_id: str) -> bytes | None:
    """The record ``record_id`` of the WARC file ``path``, uncompressed, or None."""
    stat = path.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    if _OFFSETS.get(str(path), (None,))[0] != stamp:
        _OFFSETS[str(path)] = (stamp, _offsets(path))
    offsets = _OFFSETS[str(path)][1]
    if record_id not in offsets:
        return None
    offset, length = offsets[record_id]
    with open(path, "rb") as f:
        f.seek(offset)
        raw = f.read(length)
    # Each record of a .warc.gz is its own gzip member; an uncompressed WARC is read as it is.
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def _offsets(path: Path) -> dict[str, tuple[int, int]]:
    offsets = {}
    with open(path, "rb") as f:
        records = ArchiveIterator(f)
        for warc_record in records:
            warc_record.raw_stream.read()  # to its end, so the iterator knows the record's length
            record_id = warc_record.rec_headers.get_header("WARC-Record-ID")
            offsets[record_id] = (records.get_record_offset(), records.get_record_length())
    return offsets
