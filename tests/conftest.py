"""Shared fixtures.

``demo_portal``: the bundled demo portal, built into a temporary directory and
served by ``python -m demo_portal serve`` in a subprocess for the whole test
session (stopped by its PID at the end). Use ``demo_portal.portals`` (the
portal-file list: name, url, level, region), ``.portals_file`` (that YAML),
``.expected`` (the ground truth, expected.json), ``.site_dir``, and
``.url(portal_name, path)`` for an absolute URL.

``county_crawl``: the generated county portal crawled once (tests/county_crawl.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest

from demo_portal.running import DemoServer
from demo_portal.sites import build_sites
from county_crawl import county_crawl  # noqa: F401 (a session fixture: one crawl for every module using it)


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
    with open(work / "serve.log", "wb") as log, DemoServer(site_dir, portals_file, log=log) as server:
        expected = json.loads((site_dir / "expected.json").read_text(encoding="utf-8"))
        yield DemoPortal(server.portals, portals_file, expected, site_dir)
