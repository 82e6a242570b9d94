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

import heapq
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from crawler.crawldir import RUNS, TIMESTAMP, read_jsonl
from crawler.publisher import body_key, declared_body
from extract.deadlines import missing_years

#: Names shown in the run's summary before "… and N more": a cron mail stays a few lines.
SHOWN = 10
#: New bodies, and (body, year) newly missing, that a run's record lists (and its log names), besides
#: how many there are: a runs.jsonl line stays some kilobytes however many bodies a crawl sees.
KEPT = 100


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

    def missing(self, key: str, day: date | None) -> list[int]:
        """The years body ``key`` owes on ``day`` without a report (none for a body not seen, or no day)."""
        if day is None or key not in self.years:
            return []
        return missing_years(self.years[key], self.levels.get(key), day)


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
    """``{"bodies_new": [name, …], "bodies_new_count": n, "years_newly_missing": [[name, year], …],
    "years_newly_missing_count": n}`` of a run that found ``after`` where earlier runs, the latest
    ending on ``before_day``, had found ``before``: the first :data:`KEPT` of each in the order of
    names by code point (the crawl's order is not the same twice), a body's years in order, and how
    many there are. A first crawl of 100,000 bodies has as many new bodies and more missing years:
    listed whole, one runs.jsonl line would be megabytes; every one of them is in the archive built
    from the same reports.jsonl (its ``agencies.first_build`` and ``coverage``).

    >>> before, after = Bodies(), Bodies()
    >>> before.add({"publisher": "甲局", "publisher_level": "department", "year": 2022})
    >>> after = before.copy()
    >>> after.add({"publisher": "乙镇", "publisher_level": "township", "year": 2023})
    >>> found = news(before, date(2025, 1, 20), after, date(2025, 4, 1))  # 2024 fell due for both since
    >>> found["bodies_new"], found["bodies_new_count"], found["years_newly_missing"], found["years_newly_missing_count"]
    (['乙镇'], 1, [['乙镇', 2024], ['甲局', 2024]], 2)
    >>> after.add({"publisher": "乙镇人民政府", "publisher_level": "township", "year": 2024})  # 乙镇 spelled in full
    >>> news(before, date(2025, 1, 20), after, date(2025, 4, 1))["years_newly_missing"]
    [['甲局', 2024]]
    """
    bodies, bodies_count = first_and_count((after.names[key] for key in after.years.keys() - before.years.keys()), KEPT)
    missing, missing_count = first_and_count(
        ([after.names[key], year] for key in after.years
         for year in sorted(set(after.missing(key, today)) - set(before.missing(key, before_day)))), KEPT)
    return {"bodies_new": bodies, "bodies_new_count": bodies_count,
            "years_newly_missing": missing, "years_newly_missing_count": missing_count}


def first_and_count(items: Iterable, n: int) -> tuple[list, int]:
    """The ``n`` smallest of ``items`` in order, and how many there are: one pass, ``n`` held.

    >>> first_and_count(iter([3, 1, 2]), 2)
    ([1, 2], 3)
    """
    count = 0

    def counted():
        nonlocal count
        for item in items:
            count += 1
            yield item

    first = heapq.nsmallest(n, counted())
    return first, count


def news_lines(run: Mapping) -> list[str]:
    """The run's news for its summary: the new bodies on one line, then a warning per newly missing
    (body, year), at most :data:`SHOWN` of each named and the rest counted.

    >>> print("\\n".join(news_lines({"bodies_new": ["乙镇"], "years_newly_missing": [["甲局", 2024]]})))
    new bodies: 1: 乙镇
    warning: 甲局: 2024 missing
    """
    lines = []
    bodies, missing = run.get("bodies_new") or [], run.get("years_newly_missing") or []
    bodies_count, missing_count = counts(run)
    if bodies:
        more = f", … and {bodies_count - SHOWN} more" if bodies_count > SHOWN else ""
        lines.append(f"new bodies: {bodies_count}: {', '.join(bodies[:SHOWN])}{more}")
    lines += [f"warning: {name}: {year} missing" for name, year in missing[:SHOWN]]
    if missing_count > SHOWN:
        lines.append(f"warning: … and {missing_count - SHOWN} more (body, year) newly missing")
    return lines


def counts(run: Mapping) -> tuple[int, int]:
    """How many bodies are new and (body, year) newly missing in a run record (one written before
    the counts were: as many as it lists)."""
    return (run.get("bodies_new_count", len(run.get("bodies_new") or [])),
            run.get("years_newly_missing_count", len(run.get("years_newly_missing") or [])))

