"""When a body's annual report is due (../shared/standard-format.md): a department publishes the
report for year Y by 31 January of Y+1, a government (and its office) by 31 March of Y+1.

Pure dates, no network and no database: the one rule of which years a body owes
(:func:`years_owed`), read by both the archive's ``coverage`` table (archive/coverage.py) and the
crawl run's news of what is newly missing (crawler/coverage.py).
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date

DEPARTMENT_DUE = (1, 31)  # (month, day) of the year after the report's
GOVERNMENT_DUE = (3, 31)


def due_date(year: int, level: str | None) -> date:
    """The last day to publish the report for ``year`` of a body of ``level`` (the record's vocabulary).

    A body whose level is unknown gets the later, government date: no year is called missing early.

    >>> due_date(2024, "department"), due_date(2024, "county"), due_date(2024, None)
    (datetime.date(2025, 1, 31), datetime.date(2025, 3, 31), datetime.date(2025, 3, 31))
    """
    month, day = DEPARTMENT_DUE if level == "department" else GOVERNMENT_DUE
    return date(year + 1, month, day)


def last_year_due(level: str | None, today: date) -> int:
    """The latest report year whose due date has passed on ``today`` (a report published on its
    due date is on time).

    >>> last_year_due("department", date(2026, 1, 31)), last_year_due("department", date(2026, 2, 1))
    (2024, 2025)
    >>> last_year_due("city", date(2026, 3, 31)), last_year_due("city", date(2026, 4, 1))
    (2024, 2025)
    """
    year = today.year - 1
    return year if due_date(year, level) < today else year - 1


def years_owed(found: Collection[int], level: str | None, today: date) -> range:
    """The years a body owes a report, given the years it has one for: from its first report to the
    last year due on ``today``, or to its latest report if that is later (published early). A body
    is known by its reports, so one without any owes nothing.

    >>> years_owed({2021, 2023}, "department", date(2026, 2, 1))
    range(2021, 2026)
    >>> years_owed({2025}, "county", date(2026, 1, 5)), years_owed((), "county", date(2026, 1, 5))
    (range(2025, 2026), range(0, 0))
    """
    if not found:
        return range(0)
    return range(min(found), max(max(found), last_year_due(level, today)) + 1)


def missing_years(found: Collection[int], level: str | None, today: date) -> list[int]:
    """The years owed (:func:`years_owed`) that have no report.

    >>> missing_years({2021, 2023}, "department", date(2026, 2, 1))
    [2022, 2024, 2025]
    """
    return [year for year in years_owed(found, level, today) if year not in found]
