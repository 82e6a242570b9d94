"""The generated county portal (demo_portal/county.py) crawled once per test session, for the
crawler's tests of unit discovery (tests/test_crawler_units.py) and the end-to-end test that
builds its archive (tests/test_county_end_to_end.py): the crawl is the slow part of both."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler_support import HostsHandler, run_crawl, site_server
from demo_portal.county import build_county

PER_HOST = 2  # CONCURRENT_REQUESTS_PER_DOMAIN of the crawl


@dataclass
class CountyCrawl:
    truth: dict  # build_county's: the portal entry, hosts, reports with their publishers, look-alikes
    reports: list[dict]  # the crawl's reports.jsonl lines
    summary: dict  # crawler.run.crawl's summary
    server: object  # the site server, stopped: what it was asked (requests, peaks)
    out: Path  # the crawl directory
    settings: dict  # the crawl's settings, for a test that crawls the portal again


@pytest.fixture(scope="session")
def county_crawl(tmp_path_factory) -> CountyCrawl:
    root, out = tmp_path_factory.mktemp("county"), tmp_path_factory.mktemp("county_out")
    with site_server(root, delay=0.005, handler=HostsHandler) as server:
        truth = build_county(root, int(server.url.rsplit(":", 1)[1]))
        settings = {"NIANBAO_HOSTS": {host: "127.0.0.1" for host in truth["hosts"]}, "NIANBAO_HOSTS_ONLY": True,
                    "CONCURRENT_REQUESTS_PER_DOMAIN": PER_HOST}
        summary = run_crawl([truth["portal"]], out, settings)
    reports = [json.loads(line) for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    return CountyCrawl(truth, reports, summary, server, out, settings)
