"""Run a crawl from Python: ``crawl(portals, out_dir)`` is what ``nianbao crawl`` calls.

The Twisted reactor cannot be restarted, so :func:`crawl` can run once per process;
tests and long-lived callers run it in a subprocess.

Status, for the CLI's exit code (0 / 1 / 2):

``ok``       every portal yielded reports, and nothing failed beyond dead links (http_404)
             and robots.txt refusals, which are recorded but normal on a live site;
``partial``  some portal yielded no report, or a fetch failed in a way that may have hidden
             reports (dns, refused, timeout, network, http_403/4xx/5xx, parse);
``failed``   no portal yielded a report.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.portals import validate_portals
from crawler.settings import user_agent
from crawler.spiders.portal import PortalSpider

BENIGN_ERRORS = {"http_404", "robots"}


def crawl(portals: list[dict], out_dir: Path, settings: dict[str, Any] | None = None) -> dict:
    """Crawl every portal into ``out_dir`` in one Scrapy process; return the run summary.

    ``portals`` are portal dicts (see :mod:`crawler.portals`); ``settings`` overrides
    Scrapy/nianbao settings (e.g. ``{"DOWNLOAD_DELAY": 0}`` for a local demo). The
    summary is the runs.jsonl record of this run plus ``status`` overall and per portal.
    """
    portals = validate_portals(portals)
    process = CrawlerProcess(build_settings(out_dir, settings or {}))
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler, portals=portals)
    process.start()
    return summarize(crawler.stats.get_value("nianbao/run"), portals)


def build_settings(out_dir: Path, overrides: dict[str, Any]) -> Settings:
    """Project settings, then the caller's overrides, then the output directory."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    if "NIANBAO_CONTACT" in overrides and "USER_AGENT" not in overrides:
        settings.set("USER_AGENT", user_agent(overrides["NIANBAO_CONTACT"]), priority="cmdline")
    settings.set("NIANBAO_OUT_DIR", str(out_dir), priority="cmdline")
    return settings


def portal_status(stats: dict) -> str:
    if not stats["reports"]:
        return "failed"
    return "partial" if set(stats["error_kinds"]) - BENIGN_ERRORS else "ok"


def summarize(run: dict | None, portals: list[dict]) -> dict:
    """The run record with statuses; a crawl that never finished counts as failed for every portal."""
    if run is None:
        run = {"run_id": None, "started": None, "finished": None,
               "portals": {p["name"]: {"url": p["url"], "pages": 0, "reports": 0, "new_reports": 0,
                                       "errors": 0, "error_kinds": {}} for p in portals}}
    entries = {name: {**stats, "status": portal_status(stats)} for name, stats in run["portals"].items()}
    statuses = {entry["status"] for entry in entries.values()}
    overall = "ok" if statuses == {"ok"} else "failed" if statuses <= {"failed"} else "partial"
    return {**run, "portals": entries, "status": overall}
