"""One crawl at a time per crawl directory: ``DIR/crawl.lock``, held with ``fcntl.flock``.

The kernel releases a flock when its holder exits in any way, ``kill -9`` included, so
a lock is never left stuck. The file also says who holds it and whether the last
holder finished: a run that finds ``"state": "running"`` in a lock it could take
knows its predecessor died mid-crawl, and repairs the crawl directory first
(:mod:`crawler.recovery`).
"""
from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crawler.crawldir import utc_now

LOCK = "crawl.lock"


class CrawlLocked(RuntimeError):
    """Another process is crawling into this directory."""


@contextmanager
def crawl_lock(root: Path) -> Iterator[dict | None]:
    """Hold the directory's lock for the block; yield the lock record of a predecessor that
    never finished (``{"pid", "started", "state": "running"}``), else None.

    Raises :class:`CrawlLocked` at once, without waiting, if another process holds it."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd) or {}
            raise CrawlLocked(f"{root} is being crawled by another run (pid {holder.get('pid', '?')}, "
                              f"started {holder.get('started', '?')}); not starting a second one") from None
        previous = _read(fd)
        _write(fd, {"pid": os.getpid(), "started": utc_now(), "state": "running"})
        try:
            yield previous if previous and previous.get("state") == "running" else None
        finally:
            _write(fd, {"pid": os.getpid(), "finished": utc_now(), "state": "finished"})
    finally:
        os.close(fd)  # releases the flock


def _read(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = os.read(fd, 4096)
    try:
        return json.loads(data) if data.strip() else None
    except ValueError:
        return None


def _write(fd: int, record: dict) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode(), 0)
