"""Repairs after a crawl was killed (``kill -9``, OOM, power cut of the process).

What a killed run can leave behind, and what happens to it:

* **The WARC file it was writing** may end in a torn record, or in a response whose
  request record never got written. Every record is its own gzip member, so the file
  is cut back to its last whole exchange (request/response pair, or the ``warcinfo``);
  the cut-off bytes are kept in ``DIR/warc/torn/<file>.<offset>.tail`` (not a WARC,
  so WARC tools skip it), and a file with not even a whole ``warcinfo`` is moved there
  entirely. Only the newest file can be torn: files are closed before the next is
  started, and runs never overlap (:mod:`crawler.lock`). The next run writes to new files.
* **A JSONL file** could only end in a partial line if a single ``write`` were cut
  short (e.g. disk full); a line without its newline is cut off the same way.
* **The state file** is SQLite: an unfinished transaction is rolled back on opening.

Nothing else needs repair: a state row is written only after the WARC record and
blob it points to (:mod:`crawler.state`), blobs are renamed into place whole, and
reports are appended only once their blobs exist. The next run re-walks the portal;
documents already archived come back as 304 revisits and any report whose line was
lost is appended then — no report lost, none twice (reports.jsonl is deduplicated).
"""
from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from crawler.crawldir import ERRORS, REPORTS, RUNS, WARC

TORN = "torn"
CHUNK = 1 << 16
WARC_TYPE = re.compile(rb"\r\nWARC-Type: *(\w+)")
EXCHANGE_ENDS = (b"warcinfo", b"request")  # a response or revisit is followed by its request


def repair(root: Path) -> list[str]:
    """Repair what a killed run left in crawl directory ``root``; return what was done, for the log."""
    done = []
    warcs = sorted((root / WARC).glob("*.warc.gz"))
    if warcs:
        done += repair_warc(warcs[-1], root)
    for name in (REPORTS, ERRORS, RUNS):
        done += repair_jsonl(root / name)
    return done


def repair_warc(path: Path, root: Path) -> list[str]:
    """Cut ``path`` back to its last whole exchange; keep what was cut off under warc/torn/."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        end = whole_exchanges_end(f)
        if end == size:
            return []
        f.seek(end)
        tail = f.read()
    torn = root / WARC / TORN
    torn.mkdir(exist_ok=True)
    kept = torn / f"{path.name}.{end}.tail"
    kept.write_bytes(tail)
    relative = path.relative_to(root)
    if end == 0:
        path.unlink()
        return [f"{relative}: no whole record; its {size} bytes moved to {kept.relative_to(root)}"]
    with open(path, "r+b") as f:
        f.truncate(end)
    return [f"{relative}: cut at byte {end} of {size} after its last whole exchange; "
            f"the torn tail is kept in {kept.relative_to(root)}"]


def whole_exchanges_end(f: BinaryIO) -> int:
    """Offset just after the last gzip member that completes an exchange (a request or the
    warcinfo), reading members in order until the first torn one."""
    good = 0
    for end, head in gzip_members(f):
        match = WARC_TYPE.search(head)
        if match and match.group(1) in EXCHANGE_ENDS:
            good = end
    return good


def gzip_members(f: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(end offset, first decompressed bytes) of each whole gzip member from the start of ``f``,
    stopping at the first member that is cut short or corrupt. Streams: memory stays O(CHUNK)."""
    pos = 0
    while True:
        f.seek(pos)
        member = zlib.decompressobj(wbits=31)
        head = b""
        while not member.eof:
            chunk = f.read(CHUNK)
            if not chunk:
                return
            try:
                out = member.decompress(chunk)
            except zlib.error:
                return
            if len(head) < 1024:
                head += out[:1024]
        pos = f.tell() - len(member.unused_data)
        yield pos, head


def repair_jsonl(path: Path) -> list[str]:
    """Cut a trailing partial line (one without its newline)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    with open(path, "r+b") as f:
        size = f.seek(0, 2)
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return []
        cut, pos = 0, size
        while pos > 0:  # back to the last newline, however long the partial line
            start = max(0, pos - CHUNK)
            f.seek(start)
            newline = f.read(pos - start).rfind(b"\n")
            if newline >= 0:
                cut = start + newline + 1
                break
            pos = start
        f.truncate(cut)
    return [f"{path.name}: cut a partial last line ({size - cut} bytes)"]
