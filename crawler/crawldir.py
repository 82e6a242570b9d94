"""The crawl directory layout (docs/architecture.md), written down once for every component,
and the two ways its files grow: :func:`append_whole` (WARC exchanges, JSONL lines) and blobs
renamed into place (:func:`crawler.pipelines.store_blob`)."""
from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

WARC = "warc"
BLOBS = "blobs"
REPORTS = "reports.jsonl"
ERRORS = "errors.jsonl"
RUNS = "runs.jsonl"
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"  # UTC, the timestamp format of every crawl file
TMP_PREFIX = ".tmp-"  # a blob being written (crawler.pipelines.store_blob)

#: What writing the crawl directory can raise: the file system's errors (ENOSPC, EDQUOT, EIO …)
#: and SQLite's for the state file ("database or disk is full"). Each is an error of the run.
STORAGE_ERRORS = (OSError, sqlite3.OperationalError)

logger = logging.getLogger(__name__)


def crawl_dir(settings) -> Path:
    """The ``NIANBAO_OUT_DIR`` of these Scrapy settings, created if missing."""
    root = settings.get("NIANBAO_OUT_DIR")
    if not root:
        raise ValueError("NIANBAO_OUT_DIR is not set: call crawler.run.crawl(portals, out_dir) "
                         "or pass -s NIANBAO_OUT_DIR=DIR to scrapy")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    return root


def blob_path(sha256: str) -> str:
    """Where a document with this digest is stored, relative to the crawl directory."""
    return f"{BLOBS}/{sha256[:2]}/{sha256}"


def append_jsonl(path: Path, record: dict) -> None:
    """Append ``record`` as one whole line, or nothing (:func:`append_whole`)."""
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        append_whole(fd, data)
    finally:
        os.close(fd)


def append_whole(fd: int, data: bytes) -> None:
    """Append ``data`` to the ``O_APPEND`` file ``fd`` whole or not at all.

    ``os.write`` may write less than asked (a disk filling up writes what fits, then fails): the rest
    is written in further calls, and if one fails the file is cut back to its size before, then the
    error raised. So a full disk leaves no partial line or record behind; a ``kill -9`` part-way
    can, which the next run repairs (:mod:`crawler.recovery`)."""
    start = os.lseek(fd, 0, os.SEEK_END)
    rest = memoryview(data)
    try:
        while rest:
            written = os.write(fd, rest)
            if not written:  # no progress and no error: a file system out of space that does not say so
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            rest = rest[written:]
    except OSError as error:
        try:
            os.ftruncate(fd, start)
        except OSError as cut:
            error.add_note(f"cutting the file back to {start} bytes failed too: {cut.strerror}")
        raise


def read_jsonl(path: Path, problem=None, skipped=None) -> Iterator[dict]:
    """The JSON objects of a JSONL file; a line that is not one, or of which ``problem(record)`` says
    what is wrong (text, or None when it is right), is skipped and said, so one bad line (an edit by
    hand, a damaged disk) does not stop every later crawl or build. It is said to
    ``skipped(line number, why)`` if given (the archive's build records it), else logged."""
    if not path.exists():
        return
    if skipped is None:
        def skipped(number, why):
            logger.warning("%s line %d is %s, skipped", path, number, why)
    with path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as error:  # not JSON, or not UTF-8
                skipped(number, f"not JSON ({error})")
                continue
            why = "not a JSON object" if not isinstance(record, dict) else problem(record) if problem else None
            if why is None:
                yield record
            else:
                skipped(number, why)


def describe_storage_error(path: Path | str, error: Exception) -> str:
    """``path: reason`` of a failed write, for errors.jsonl and the log (``strerror`` without the
    errno number when the error has one)."""
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return f"{path}: {reason}"


def utc_now() -> str:
    """Current time as ``2026-11-25T22:00:00Z``, the timestamp format of every crawl file."""
    return datetime.now(timezone.utc).strftime(TIMESTAMP)
