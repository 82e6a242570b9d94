"""The crawl directory layout (docs/architecture.md), written down once for every component."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

WARC = "warc"
BLOBS = "blobs"
REPORTS = "reports.jsonl"
ERRORS = "errors.jsonl"
RUNS = "runs.jsonl"
TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"  # UTC, the timestamp format of every crawl file


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
    """Append one line with a single write to an O_APPEND file, so a ``kill -9`` leaves whole lines
    only (a buffered text file may flush a long line in pieces)."""
    data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_jsonl(path: Path) -> Iterator[dict]:
    if path.exists():
        with path.open(encoding="utf-8") as f:
            yield from (json.loads(line) for line in f if line.strip())


def utc_now() -> str:
    """Current time as ``2026-11-25T22:00:00Z``, the timestamp format of every crawl file."""
    return datetime.now(timezone.utc).strftime(TIMESTAMP)
