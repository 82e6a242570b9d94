"""What a crawl run changed in who published which year: the bodies first seen, and the (body, year)
newly missing — what a cron user reads in the run's summary (crawler/run.py) and its runs.jsonl record.

The crawler does not read the archive: it computes from the crawl directory's own reports.jsonl
(all runs so far) with the archive's rule of which years a body owes (``extract.deadlines``), so the
crawl's news and the archive's ``coverage`` table agree. A body is the one the item declares
(``crawler.publisher.declared_body``, the archive's rule too): its ``publisher`` with its
``publisher_level``, or in crawls written before publishers its portal's. "Newly missing" is missing
now (on the run's day) and not missing as of the previous run's day with the reports found before
this run: a year found earlier, or not yet due then, or of a body not seen yet. With no earlier run
on record, every missing year is news.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from crawler.crawldir import RUNS, TIMESTAMP, read_jsonl
from crawler.publisher import body_key, declared_body
from extract.deadlines import missing_years

#: Names shown in the run's summary before "… and N more": a cron mail stays a few lines.
SHOWN = 10


class Bodies:
    """The report years of each body seen in a crawl directory's report items, and its level, by the
    body's key (``crawler.publisher.body_key``: 青山县政府 and 青山县人民政府 are one body), with the
    name it was first seen under (the archive's name for it too: it reads reports.jsonl in order)."""

    def __init__(self):
        self.years: dict[str, set[int]] = {}
        self.levels: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def add(self, item: Mapping) -> None:
        """Note one report item (a reports.jsonl line, or a report item of this run)."""
        name, _, level = declared_body(item)
        if not name:
            return
        key = body_key(name)
        self.names.setdefault(key, name)
        years = self.years.setdefault(key, set())
        if isinstance(item.get("year"), int):
            years.add(item["year"])
        if level and key not in self.levels:
            self.levels[key] = level

    def copy(self) -> Bodies:
        other = Bodies()
        other.years = {key: set(years) for key, years in self.years.items()}
        other.levels, other.names = dict(self.levels), dict(self.names)
        return other

    def missing(self, today: date) -> set[tuple[str, int]]:
        """Every (body's key, year) owed on ``today`` that has no report."""
        return {(key, year) for key, years in self.years.items()
                for year in missing_years(years, self.levels.get(key), today)}


def last_run_day(runs: Iterable[Mapping]) -> date | None:
    """The day the latest finished run of runs.jsonl's records ended (None: no run on record)."""
    days = []
    for run in runs:
        try:
            days.append(datetime.strptime(run.get("finished") or "", TIMESTAMP).date())
        except (TypeError, ValueError):  # a run that never finished, or a hand-edited line
            continue
    return max(days, default=None)


def previous_run_day(root) -> date | None:
    """:func:`last_run_day` of the crawl directory ``root``'s runs.jsonl."""
    return last_run_day(read_jsonl(root / RUNS))


def news(before: Bodies, before_day: date | None, after: Bodies, today: date) -> dict:
    """``{"bodies_new": [name, …], "years_newly_missing": [[name, year], …]}`` of a run that found
    ``after`` where earlier runs, the latest ending on ``before_day``, had found ``before``; in the
    order of names by code point (the crawl's order is not the same twice), a body's years in order.

    >>> before, after = Bodies(), Bodies()
    >>> before.add({"publisher": "甲局", "publisher_level": "department", "year": 2022})
    >>> after = before.copy()
    >>> after.add({"publisher": "乙镇", "publisher_level": "township", "year": 2023})
    >>> news(before, date(2025, 1, 20), after, date(2025, 4, 1))  # 2024 fell due for both since
    {'bodies_new': ['乙镇'], 'years_newly_missing': [['乙镇', 2024], ['甲局', 2024]]}
    >>> after.add({"publisher": "乙镇人民政府", "publisher_level": "township", "year": 2024})  # 乙镇 spelled in full
    >>> news(before, date(2025, 1, 20), after, date(2025, 4, 1))
    {'bodies_new': ['乙镇'], 'years_newly_missing': [['甲局', 2024]]}
    """
    old = before.missing(before_day) if before_day else set()
    return {"bodies_new": sorted(after.names[key] for key in after.years.keys() - before.years.keys()),
            "years_newly_missing": sorted([after.names[key], year] for key, year in after.missing(today) - old)}


def news_lines(run: Mapping) -> list[str]:
    """The run's news for its summary: the new bodies on one line, then a warning per newly missing
    (body, year), at most :data:`SHOWN` of each named and the rest counted.

    >>> print("\\n".join(news_lines({"bodies_new": ["乙镇"], "years_newly_missing": [["甲局", 2024]]})))
    new bodies: 1: 乙镇
    warning: 甲局: 2024 missing
    """
    lines = []
    bodies, missing = run.get("bodies_new") or [], run.get("years_newly_missing") or []
    if bodies:
        more = f", … and {len(bodies) - SHOWN} more" if len(bodies) > SHOWN else ""
        lines.append(f"new bodies: {len(bodies)}: {', '.join(bodies[:SHOWN])}{more}")
    lines += [f"warning: {name}: {year} missing" for name, year in missing[:SHOWN]]
    if len(missing) > SHOWN:
        lines.append(f"warning: … and {len(missing) - SHOWN} more (body, year) newly missing")
    return lines

