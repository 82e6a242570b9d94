"""Datasette plugin: ``/-/record/urn:uuid:<id>``, one WARC record as captured.

The record a document cites (``documents.warc_record_id``, in ``documents.warc_file``
under a crawl directory of ``crawl_dirs``) is sent whole — WARC headers, HTTP headers
and payload, as the crawler wrote them, uncompressed — as ``application/warc``: a
one-record WARC file any WARC reader opens (a browser offers it as a download).

The crawler records where it wrote each record (``documents.warc_offset`` and
``warc_length``: its gzip member), so a request is one seek and one member, whatever
the file's size; the record read there must carry the id asked for, else it is not
served from there. A document without them — archived before offsets were recorded,
or a re-crawl's document whose payload an earlier run downloaded — falls back to reading
its file once with warcio, keeping every record's offset and length (a few hundred bytes
a record by estimate: some 5 MB for a full 1 GB file of 20,000 records) until the file
changes. Reading a 1 GB file once takes as long as decompressing it.
"""
from __future__ import annotations

import asyncio
import zlib
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
        located = "d.warc_offset, d.warc_length" if "warc_offset" in await database.table_columns("documents") \
            else "null, null"  # an archive built before offsets were recorded
        found = await database.execute(
            f"select distinct d.warc_file, c.path, {located} from documents d, crawl_dirs c "
            "where d.warc_record_id = ?", [record_id])
        for warc_file, crawl_dir, offset, length in found.rows:
            path = Path(crawl_dir, warc_file or "").resolve()
            if warc_file and path.is_relative_to(Path(crawl_dir).resolve()) and path.is_file():
                data = await asyncio.to_thread(read_record, path, record_id, offset, length)
                if data is not None:
                    return Response(data, content_type="application/warc", headers={
                        "content-disposition": f'inline; filename="{record_id.strip("<>").replace(":", "-")}.warc"',
                        "content-security-policy": "sandbox", "x-content-type-options": "nosniff"})
    return Response.text("No archived WARC record with that id", status=404)


def read_record(path: Path, record_id: str, offset=None, length=None) -> bytes | None:
    """The record ``record_id`` of the WARC file ``path``, uncompressed, or None: read at
    ``offset`` (``length`` bytes) when the crawl recorded where it is, else found by :func:`_offsets`."""
    if isinstance(offset, int) and isinstance(length, int) and offset >= 0 and length > 0:
        data = _read_at(path, offset, length)
        if data is not None and _record_id(data) == record_id:
            return data
    offsets = _file_offsets(path)
    return _read_at(path, *offsets[record_id]) if record_id in offsets else None


def _read_at(path: Path, offset: int, length: int) -> bytes | None:
    """The record stored at ``offset``, uncompressed; None if those bytes are not a whole record."""
    with open(path, "rb") as f:
        f.seek(offset)
        raw = f.read(length)
    # Each record of a .warc.gz is its own gzip member; an uncompressed WARC is read as it is.
    if raw[:2] != b"\x1f\x8b":
        return raw
    member = zlib.decompressobj(wbits=31)  # gzip
    try:
        data = member.decompress(raw)
    except zlib.error:  # not where a member starts
        return None
    return data if member.eof and not member.unused_data else None  # exactly one whole member


def _record_id(data: bytes) -> str | None:
    """The WARC-Record-ID in the headers at the start of ``data``."""
    headers = data.split(b"\r\n\r\n", 1)[0]
    for line in headers.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"warc-record-id":
            return value.strip().decode("latin-1")
    return None


# path → ((size, mtime), {record id: (offset, length)}); read again when a crawl has added to the file.
_OFFSETS: dict[str, tuple[tuple, dict[str, tuple[int, int]]]] = {}


def _file_offsets(path: Path) -> dict[str, tuple[int, int]]:
    """Every record's offset and length in ``path``, kept until the file changes."""
    stat = path.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    if _OFFSETS.get(str(path), (None,))[0] != stamp:
        _OFFSETS[str(path)] = (stamp, _offsets(path))
    return _OFFSETS[str(path)][1]


def _offsets(path: Path) -> dict[str, tuple[int, int]]:
    offsets = {}
    with open(path, "rb") as f:
        records = ArchiveIterator(f)
        for warc_record in records:
            warc_record.raw_stream.read()  # to its end, so the iterator knows the record's length
            record_id = warc_record.rec_headers.get_header("WARC-Record-ID")
            offsets[record_id] = (records.get_record_offset(), records.get_record_length())
    return offsets
