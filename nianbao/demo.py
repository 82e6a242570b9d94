"""`nianbao demo`: the whole pipeline on the bundled demo portal.

Serve the demo sites on 127.0.0.1 → crawl them → stop the server → build the
archive → print what was found, checked against the demo's ground truth
(``expected.json``, written by ``demo_portal`` beside the sites).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

# Localhost only, so no politeness delay is needed and the demo stays fast.
DEMO_CRAWL_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}


def run_demo(workdir: Path, db_path: Path, echo=print) -> int:
    """Run the demo end to end; return the exit code (0 when every expectation holds)."""
    from archive.build import build
    from crawler.run import crawl

    workdir.mkdir(parents=True, exist_ok=True)
    site_dir, crawl_dir = workdir / "sites", workdir / "crawl"
    with DemoServer(site_dir, workdir / "portals.yaml") as server:
        echo(f"demo portal: {len(server.portals)} sites on 127.0.0.1")
        for portal in server.portals:
            echo(f"  {portal['name']}: {portal['url']}")
        crawl_summary = crawl(server.portals, crawl_dir, settings=DEMO_CRAWL_SETTINGS)
    echo(f"crawl: {crawl_summary['status']}")
    build(crawl_dir, db_path, progress=echo)
    expected = json.loads((site_dir / "expected.json").read_text(encoding="utf-8"))
    problems = summarise(db_path, expected, echo)
    echo(f"\nBrowse the archive: make serve   (or: nianbao serve --db {db_path})")
    return 0 if not problems else 1


class DemoServer:
    """The demo portal as a subprocess, stopped by its own PID."""

    def __init__(self, site_dir: Path, portals_file: Path, timeout: float = 30):
        self.site_dir, self.portals_file, self.timeout = site_dir, portals_file, timeout
        self.process = None
        self.portals = []

    def __enter__(self):
        self.portals_file.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "demo_portal", "serve", "--dir", str(self.site_dir),
             "--portals-out", str(self.portals_file)],
            stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + self.timeout
        while not self.portals_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("the demo portal did not start")
            time.sleep(0.1)
        self.portals = yaml.safe_load(self.portals_file.read_text(encoding="utf-8"))["portals"]
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
