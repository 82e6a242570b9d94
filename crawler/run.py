"""Run a crawl from Python: ``crawl(portals, out_dir)`` is what ``nianbao crawl`` calls.

The Twisted reactor cannot be restarted, so :func:`crawl` can run once per process;
tests and long-lived callers run it in a subprocess.

Status, for the CLI's exit code (0 / 1 / 3), per portal and overall:

``ok``       reports found, and nothing failed beyond dead links (http_404), robots.txt
             refusals and URLs the address rule refused (refused_url: crawler.addresses), which
             are recorded but normal on a live site;
``partial``  reports found, but something failed that may have hidden others (dns, refused,
             timeout, network, blocked, column_gone, http_3xx/4xx/5xx, parse, hint_not_found,
             redirect_limit, budget_exhausted, too_large, host_gave_up), or a report's own
             document was refused (refused_documents);
             overall: some portals ok or partial, some failed;
``failed``   no report found (no_reports, or broken_portal if earlier runs found some);
             overall: every portal failed.

A storage error (the crawl directory could not be written: a full disk, an I/O error) stops
the crawl (:mod:`crawler.extensions`): every portal is then ``failed`` (its crawl was cut short,
or what it found could not all be kept), and overall the run is ``partial`` if it stored a new or changed report before it stopped,
else ``failed``; the summary says which file could not be written and why.

A crawl holds the crawl directory's lock (:mod:`crawler.lock`) from start to end;
:func:`crawl` raises :class:`crawler.lock.CrawlLocked` at once if another run holds it, and
:class:`crawler.lock.CrawlStuck` if that run is older than ``NIANBAO_STUCK_AFTER_SECONDS``.
Before crawling, it repairs what an earlier run left damaged (:mod:`crawler.recovery`: after a
kill, or a storage error) and logs what was repaired as an ``interrupted`` error of this run.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings, default_settings

from crawler.coverage import news_lines
from crawler.extensions import BENIGN_ERRORS, COUNTERS
from crawler.lock import crawl_lock
from crawler.portals import validate_portals
from crawler.recovery import repair
from crawler.settings import derived_settings, user_agent
from crawler.spiders.portal import PortalSpider

logger = logging.getLogger(__name__)


class SettingError(ValueError):
    """A setting override that names no setting, or whose value is not of the setting's type."""


def crawl(portals: list[dict], out_dir: Path, settings: dict[str, Any] | None = None, progress=None) -> dict:
    """Crawl every portal into ``out_dir`` in one Scrapy process; return the run summary.

    ``portals`` are portal dicts (see :mod:`crawler.portals`); ``settings`` overrides
    Scrapy/nianbao settings (e.g. ``{"DOWNLOAD_DELAY": 0}`` for a local demo; checked by
    :func:`check_overrides`); ``progress``, if given, is called with the crawl's figures as it
    runs (:mod:`crawler.progress`). The summary is the runs.jsonl record of this run plus
    ``status`` overall and per portal.
    """
    portals = validate_portals(portals)
    out_dir = Path(out_dir)
    scrapy_settings = build_settings(out_dir, check_overrides(settings or {}))
    if progress is not None:
        scrapy_settings.set("NIANBAO_PROGRESS", progress, priority="cmdline")
    with crawl_lock(out_dir, stuck_after=scrapy_settings.getfloat("NIANBAO_STUCK_AFTER_SECONDS")) as interrupted:
        recovered = recovery_notes(interrupted, repair(out_dir))
        scrapy_settings.set("NIANBAO_RECOVERED", recovered, priority="cmdline")
        process = CrawlerProcess(scrapy_settings)
        crawler = process.create_crawler(PortalSpider)
        process.crawl(crawler, portals=portals)
        process.start()
    return summarize(crawler.stats.get_value("nianbao/run"), portals)


def check_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` if each names a Scrapy or nianbao setting and has a value of its type (text as
    given on a command line is read as Scrapy reads it: ``0``/``1``/``True``/``False``, a number,
    JSON for a dict, commas for a list); else :class:`SettingError` saying which and why."""
    known = Settings()
    known.setmodule("crawler.settings", priority="project")
    for name, value in overrides.items():
        if not hasattr(default_settings, name) and name not in known:
            raise SettingError(f"{name} is not a Scrapy or nianbao setting")
        default = known.get(name)
        given = Settings({name: value})
        reader = {bool: given.getbool, int: given.getint, float: given.getfloat, dict: given.getdict,
                  list: given.getlist}.get(type(default))
        try:
            if reader:
                reader(name)
            if name == "LOG_LEVEL" and not isinstance(logging.getLevelName(str(value)), int):
                raise ValueError("not a log level (DEBUG, INFO, WARNING, ERROR, CRITICAL)")
        except (ValueError, TypeError) as error:
            kind = type(default).__name__ if reader else "log level"
            raise SettingError(f"{name}={value!r} is not a valid {kind}: {error}") from None
    return overrides


def recovery_notes(interrupted: dict | None, repairs: list[str]) -> list[str]:
    """The ``interrupted`` error of this run (none if the directory was whole after a finished run)."""
    if interrupted:
        return [f"the previous run (pid {interrupted['pid']}, started {interrupted['started']}) did not finish; "
                + ("; ".join(repairs) or "nothing needed repair")]
    return [f"an earlier run left the crawl directory damaged; {'; '.join(repairs)}"] if repairs else []


def build_settings(out_dir: Path, overrides: dict[str, Any]) -> Settings:
    """Project settings, then the caller's overrides (and what follows from them, unless given too:
    crawler.settings.derived_settings), then the output directory."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(overrides, priority="cmdline")
    for name, value in derived_settings(settings.getint).items():
        if name not in overrides:
            settings.set(name, value, priority="cmdline")
    if "NIANBAO_CONTACT" in overrides and "USER_AGENT" not in overrides:
        settings.set("USER_AGENT", user_agent(overrides["NIANBAO_CONTACT"]), priority="cmdline")
    elif "NIANBAO_CONTACT" not in overrides and "USER_AGENT" not in overrides:
        logger.warning("NIANBAO_CONTACT is not set: site operators cannot tell who runs this crawl "
                       "(set it with --set NIANBAO_CONTACT=mailto:you@example.org)")
    settings.set("NIANBAO_OUT_DIR", str(out_dir), priority="cmdline")
    return settings


def portal_status(stats: dict, stopped: bool = False) -> str:
    """A portal's status; every portal of a crawl ``stopped`` by a storage error is failed."""
    if stopped or not stats["reports"]:
        return "failed"
    return "partial" if set(stats["error_kinds"]) - BENIGN_ERRORS or stats.get("refused_documents") else "ok"


def summarize(run: dict | None, portals: list[dict]) -> dict:
    """The run record with statuses; a crawl that never finished counts as failed for every portal,
    one stopped by a storage error as partial if it stored a report first (module docstring)."""
    if run is None:
        run = {"run_id": None, "started": None, "finished": None, "storage_error": None, "bodies_new": [],
               "bodies_new_count": 0, "years_newly_missing": [], "years_newly_missing_count": 0,
               "portals": {p["name"]: {"url": p["url"], **dict.fromkeys(COUNTERS, 0), "errors": 0, "error_kinds": {}}
                           for p in portals}}
    stopped = bool(run.get("storage_error"))
    entries = {name: {**stats, "status": portal_status(stats, stopped)} for name, stats in run["portals"].items()}
    statuses = {entry["status"] for entry in entries.values()}
    overall = "ok" if statuses == {"ok"} else "failed" if statuses <= {"failed"} else "partial"
    if stopped and any(stats["new_reports"] or stats["changed_reports"] for stats in entries.values()):
        overall = "partial"
    return {**run, "portals": entries, "status": overall}


def format_summary(summary: dict) -> str:
    """The run for a human (and a cron mail): one line per portal, its errors by kind, the bodies first
    seen and the (body, year) newly missing (a few named: crawler.coverage.news_lines), the status."""
    lines = []
    for name, stats in summary["portals"].items():
        lines.append(f"{name}: {stats['status']}: {stats['pages']} pages ({stats['bytes']:,} bytes), "
                     f"{stats['reports']} reports ({stats['new_reports']} new, {stats['changed_reports']} changed), "
                     f"documents: {stats['not_modified']} not modified, {stats['reused']} reused")
        if stats["error_kinds"]:
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(stats["error_kinds"].items()))
            lines.append(f"  errors: {kinds}")
    lines += news_lines(summary)
    if summary.get("storage_error"):
        lines.append(f"storage error: {summary['storage_error']}; the crawl stopped, as nothing more could be kept "
                     "(free space and run again: it goes on from what is stored)")
    lines.append(f"status: {summary['status']} (run {summary['run_id']})")
    return "\n".join(lines)
