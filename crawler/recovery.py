"""Repairs after a crawl was killed (``kill -9``, OOM, power cut of the process) or could not
write all it meant to (a full disk before appends were made whole or nothing, a file system error).

Every run checks the crawl directory, whatever the lock says, because a run that ended "finished"
may still have left damage; the checks are cheap (the last byte of each JSONL file, the last
64 KiB of the newest WARC file, the names in blobs/), and only what fails one is repaired.
What can be left behind, and what happens to it:

* **The WARC file it was writing** may end in a torn record, or in a response whose
  request record never got written. Every record is its own gzip member, so the file
  is cut back to its last whole exchange (request/response pair, or the ``warcinfo``);
  the cut-off bytes are kept in ``DIR/warc/torn/<file>.<offset>.tail`` (not a WARC,
  so WARC tools skip it), and a file with not even a whole ``warcinfo`` is moved there
  entirely. Only the newest file can be torn: files are closed before the next is
  started, and runs never overlap (:mod:`crawler.lock`). The next run writes to new files.
* **A JSONL file** may end in a partial line (a ``kill -9`` during an append, or a full
  disk under an earlier version); a line without its newline is cut off the same way.
* **blobs/**: a ``.tmp-*`` file is a blob whose write never finished; it is removed.
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

from crawler.crawldir import BLOBS, ERRORS, REPORTS, RUNS, TMP_PREFIX, WARC

TORN = "torn"
CHUNK = 1 << 16
TAIL = 1 << 16  # the end of a WARC file checked on every run: its last request record, mostly
WARC_TYPE = re.compile(rb"\r\nWARC-Type: *(\w+)")
GZIP_MAGIC = re.compile(rb"\x1f\x8b\x08")
EXCHANGE_ENDS = (b"warcinfo", b"request")  # a response or revisit is followed by its request


def repair(root: Path) -> list[str]:
    """Repair what an earlier run left damaged in crawl directory ``root``; return what was done, for the log."""
    done = []
    warcs = sorted((root / WARC).glob("*.warc.gz"))
    if warcs and not ends_with_whole_exchange(warcs[-1]):
        done += repair_warc(warcs[-1], root)
    for name in (REPORTS, ERRORS, RUNS):
        done += repair_jsonl(root / name)
    done += remove_temporary_blobs(root)
    return done


def ends_with_whole_exchange(path: Path) -> bool:
    """Whether the file ends with a whole gzip member that completes an exchange, judged from its last
    :data:`TAIL` bytes: from some gzip header there, whole members run to the end of the file. (A
    request bigger than that, or a torn file, says no; :func:`repair_warc` then reads it all.)"""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        start = max(0, size - TAIL)
        f.seek(start)
        for magic in GZIP_MAGIC.finditer(f.read()):
            members = list(gzip_members(f, start + magic.start()))
            if members and members[-1][0] == size:
                match = WARC_TYPE.search(members[-1][1])
                return bool(match) and match.group(1) in EXCHANGE_ENDS
    return False


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


def gzip_members(f: BinaryIO, pos: int = 0) -> Iterator[tuple[int, bytes]]:
    """(end offset, first decompressed bytes) of each whole gzip member from offset ``pos`` of ``f``,
    stopping at the first member that is cut short or corrupt. Streams: memory stays O(CHUNK)."""
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


def remove_temporary_blobs(root: Path) -> list[str]:
    """Remove blobs whose write never finished (``blobs/<aa>/.tmp-*``: a killed run's)."""
    leftovers = sorted((root / BLOBS).glob(f"*/{TMP_PREFIX}*"))
    for path in leftovers:
        path.unlink()
    return [f"removed {len(leftovers)} unfinished blob file(s) under {BLOBS}/"] if leftovers else []
