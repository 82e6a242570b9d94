"""Shared fixtures.

``demo_portal``: the bundled demo portal, built into a temporary directory and
served by ``python -m demo_portal serve`` in a subprocess for the whole test
session (stopped by its PID at the end). Use ``demo_portal.portals`` (the
portal-file list: name, url, level, region), ``.portals_file`` (that YAML),
``.expected`` (the ground truth, expected.json), ``.site_dir``, and
``.url(portal_name, path)`` for an absolute URL.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from demo_portal.sites import build_sites

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class DemoPortal:
    portals: list[dict]
    portals_file: Path
    expected: dict
    site_dir: Path

    def url(self, portal: str, path: str = "/") -> str:
        base = next(p["url"] for p in self.portals if p["name"] == portal)
        return urljoin(base, path)


@pytest.fixture(scope="session")
def demo_portal(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo_portal")
    site_dir = build_sites(work / "sites")
    portals_file = work / "portals.yaml"
    with open(work / "serve.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "demo_portal", "serve", "--dir", str(site_dir),
             "--portals-out", str(portals_file)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            portals = _wait_until_served(process, portals_file)
            expected = json.loads((site_dir / "expected.json").read_text(encoding="utf-8"))
            yield DemoPortal(portals, portals_file, expected, site_dir)
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
                process.wait(timeout=10)


def _wait_until_served(process, portals_file, timeout=30.0):
    """The portal file appears once every server listens; then each home page must answer."""
    deadline = time.monotonic() + timeout
    while not portals_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"demo portal did not start (exit code {process.poll()})")
        time.sleep(0.05)
    portals = yaml.safe_load(portals_file.read_text(encoding="utf-8"))["portals"]
    for portal in portals:
        with urllib.request.urlopen(portal["url"], timeout=5) as response:
            assert response.status == 200
    return portals
