"""`nianbao demo`: the whole pipeline on the bundled demo portal.

Serve the demo sites on 127.0.0.1 → crawl them → stop the server → build the
archive → print what was found, checked against the demo's ground truth
(``expected.json``, written by ``demo_portal`` beside the sites).

Crawl and build run as ``nianbao crawl`` and ``nianbao build`` do without ``--verbose``
(``nianbao.progress``): a progress line on a terminal, warnings one line each, so the output is
the demo's summary. The build's messages are counted on the ``archive:`` line instead of printed
one by one: every problem among them is also an ``errors`` row, printed with the others.
"""
from __future__ import annotations

import json
from pathlib import Path

from demo_portal.running import DemoServer
from nianbao.progress import quiet_build, quiet_crawl

# Localhost only, so no politeness delay is needed and the demo stays fast.
DEMO_CRAWL_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                       "NIANBAO_CONTACT": "nianbao demo on 127.0.0.1"}
# Fixed ports keep the report URLs the same from one demo run to the next, so a
# re-run finds the reports it already archived instead of "new" ones.
DEMO_PORTS = (8701, 8702, 8703)


def run_demo(workdir: Path, db_path: Path, ports=DEMO_PORTS, echo=print) -> int:
    """Run the demo end to end; return the exit code (0 when every expectation holds)."""
    from crawler.run import format_summary

    workdir.mkdir(parents=True, exist_ok=True)
    site_dir, crawl_dir = workdir / "sites", workdir / "crawl"
    with DemoServer(site_dir, workdir / "portals.yaml", ports) as server:
        echo(f"demo portal: {len(server.portals)} sites on 127.0.0.1")
        for portal in server.portals:
            echo(f"  {portal['name']}: {portal['url']}")
        crawl_summary = quiet_crawl(server.portals, crawl_dir, DEMO_CRAWL_SETTINGS)
    echo(format_summary(crawl_summary))
    build_summary = quiet_build(crawl_dir, db_path, show_messages=False)
    echo(f"archive: {build_summary['reports_added']} reports added, {build_summary['reports_total']} in {db_path}; "
         f"{build_summary['bodies_new']} new bodies, {build_summary['years_newly_missing']} years newly missing")
    expected = json.loads((site_dir / "expected.json").read_text(encoding="utf-8"))
    problems = summarise(db_path, expected, echo)
    echo(f"\nBrowse the archive: make serve   (or: nianbao serve --db {db_path})")
    return 0 if not problems else 1


def summarise(db_path: Path, expected: dict, echo=print) -> list[str]:
    """Print what the archive holds against the demo's ground truth; return the problems."""
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    # Keyed by the publishing body: a portal's hosted units publish under their own names.
    found = {(r["body"], r["year"]): r for r in db.query(
        "select reports.id, agencies.name as body, year, format_version, page_url, media_type, checks_failed, "
        "prose_checks_failed from reports join agencies on agencies.id = reports.agency_id order by body, year")}
    problems = []
    echo("\nreports found (body, year, format, document, figures, failed checks):")
    for want in expected["reports"]:
        body = want.get("publisher", want["portal"])
        got = found.pop((body, want["year"]), None)
        if got is None:
            problems.append(f"missing: {body} {want['year']} ({want['page_path']})")
            echo(f"  {body} {want['year']}: NOT FOUND")
            continue
        wrong = _wrong_figures(db, got["id"], want["figures"])
        if wrong:
            problems.append(f"{body} {want['year']}: {len(wrong)} figures differ, e.g. {wrong[0]}")
        if got["format_version"] != want["format_version"]:
            problems.append(f"{body} {want['year']}: format {got['format_version']}, "
                            f"expected {want['format_version']}")
        exact = "figures exact" if not wrong else f"{len(wrong)} figures WRONG"
        flagged = "" if not got["checks_failed"] else f", {got['checks_failed']} failed checks"
        expect_flag = " (deliberate)" if not want["consistent"] else ""
        echo(f"  {body} {want['year']}: format {got['format_version']}, "
             f"{got['media_type']}, {exact}{flagged}{expect_flag if flagged else ''}")
        if bool(got["checks_failed"]) == want["consistent"]:
            problems.append(f"{body} {want['year']}: checks failed = {got['checks_failed']}, "
                            f"expected {'none' if want['consistent'] else 'some'}")
    for (body, year), extra in found.items():
        problems.append(f"not a demo report, but archived: {body} {year} {extra['page_url']}")
    problems += _wrong_places(db, expected["portals"])
    echo("\ndocuments and pages that failed:")
    for error in db.query("select source, portal, url, kind, stage, message from errors order by source, portal"):
        where = error["url"] or ""
        echo(f"  [{error['source']}/{error['kind'] or error['stage']}] {error['portal'] or ''} {where}: "
             f"{error['message']}")
    echo(f"\n{len(expected['reports']) - sum('missing' in p for p in problems)}/{len(expected['reports'])} "
         f"demo reports archived; {len(problems)} problems")
    for problem in problems:
        echo(f"  PROBLEM: {problem}")
    return problems


def _wrong_figures(db, report_id: int, want: dict) -> list[str]:
    got = {row["key"]: row["value"] for row in db.query(
        "select key, value from figures where report_id = ?", [report_id])}
    return [f"{key}: {got.get(key)!r} != {value!r}" for key, value in want.items()
            if key not in got or got[key] != value]


def _wrong_places(db, portals: list[dict]) -> list[str]:
    """Each portal's own body must be archived with its portal file's level, in its region."""
    agencies = {a["name"]: a for a in db["agencies"].rows}
    wrong = []
    for portal in portals:
        agency = agencies.get(portal["name"]) or {"level": None, "region": None}
        if agency["level"] != portal["level"] or not (agency["region"] or "").startswith(portal["region"]):
            wrong.append(f"{portal['name']}: archived as {agency['level']} in {agency['region']}, "
                         f"the portal file says {portal['level']} in {portal['region']}")
    return wrong
