"""One crawl at a time per crawl directory: ``DIR/crawl.lock``, held with ``fcntl.flock``.

The kernel releases a flock when its holder exits in any way, ``kill -9`` included, so
a lock is never left stuck. The file also says who holds it and whether the last
holder finished: a run that finds ``"state": "running"`` in a lock it could take
knows its predecessor died mid-crawl, and repairs the crawl directory first
(:mod:`crawler.recovery`).

A lock held longer than the longest allowed run (``NIANBAO_STUCK_AFTER_SECONDS``: every portal's
budget is spent by then, crawler.budget) is a stuck crawl, :class:`CrawlStuck`, which
``nianbao crawl`` reports with exit code 5 so cron mails it; a lock held for less is a slow run, left
alone (exit code 4).
"""
from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from crawler.crawldir import TIMESTAMP, utc_now

LOCK = "crawl.lock"


class CrawlLocked(RuntimeError):
    """Another process is crawling into this directory."""


class CrawlStuck(CrawlLocked):
    """Another process has held this directory's lock for longer than any run may take."""


@contextmanager
def crawl_lock(root: Path, stuck_after: float | None = None) -> Iterator[dict | None]:
    """Hold the directory's lock for the block; yield the lock record of a predecessor that
    never finished (``{"pid", "started", "state": "running"}``), else None.

    Raises :class:`CrawlLocked` at once, without waiting, if another process holds it;
    :class:`CrawlStuck` if that process started more than ``stuck_after`` seconds ago."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise held_by_another(root, _read(fd) or {}, stuck_after) from None
        previous = _read(fd)
        _write(fd, {"pid": os.getpid(), "started": utc_now(), "state": "running"})
        try:
            yield previous if previous and previous.get("state") == "running" else None
        finally:
            _write(fd, {"pid": os.getpid(), "finished": utc_now(), "state": "finished"})
    finally:
        os.close(fd)  # releases the flock


def held_by_another(root: Path, holder: dict, stuck_after: float | None) -> CrawlLocked:
    """The error for a lock another process holds: stuck if its start is older than ``stuck_after``."""
    pid, started = holder.get("pid", "?"), holder.get("started", "?")
    age = running_for(started)
    if stuck_after is not None and age is not None and age > stuck_after:
        return CrawlStuck(f"{root} has been crawled by pid {pid} since {started} ({age / 3600:.1f} h, longer than "
                          f"the longest allowed run, NIANBAO_STUCK_AFTER_SECONDS = {stuck_after / 3600:.1f} h): "
                          "a stuck crawl; see what that process is doing, or kill it")
    return CrawlLocked(f"{root} is being crawled by another run (pid {pid}, started {started}); "
                       "not starting a second one")


def running_for(started: str) -> float | None:
    """Seconds since a lock record's ``started`` time; None if it is missing or unreadable."""
    try:
        since = datetime.strptime(started, TIMESTAMP).replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None
    return (datetime.now(timezone.utc) - since).total_seconds()


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
