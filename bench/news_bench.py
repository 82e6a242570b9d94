"""Benchmark a crawl run's news (crawler/coverage.py) for many bodies: the runs.jsonl line it makes,
the memory and the time it takes to work out.

    .venv/bin/python bench/news_bench.py --bodies 100000

A first crawl of that many departments, each with one report ten years before the last due year,
so each owes ten more: every body is new and every owed year newly missing. Printed: what the run
record holds (the first ``crawler.coverage.KEPT`` of each, and the counts), its size as a JSON line,
the peak memory (tracemalloc, in a second pass: it slows the first) and the time of
``coverage.news``; then the size the line would have listing everything.
"""
from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from datetime import date, datetime, timezone

from crawler import coverage
from extract.deadlines import last_year_due


def bodies(count: int, today: date) -> coverage.Bodies:
    found = coverage.Bodies()
    first = last_year_due("department", today) - 10
    for number in range(count):
        found.add({"publisher": f"青山县{number:06d}局", "publisher_level": "department", "year": first})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=100_000)
    count = parser.parse_args().bodies
    today = datetime.now(timezone.utc).date()
    after = bodies(count, today)
    start = time.perf_counter()
    news = coverage.news(coverage.Bodies(), None, after, today)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    coverage.news(coverage.Bodies(), None, after, today)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    line = json.dumps(news, ensure_ascii=False).encode()
    print(f"{news['bodies_new_count']:,} new bodies, {news['years_newly_missing_count']:,} (body, year) newly "
          f"missing; the record lists {len(news['bodies_new'])} and {len(news['years_newly_missing'])}")
    print(f"runs.jsonl news: {len(line):,} bytes; coverage.news {seconds:.2f} s, peak {peak / 1e6:.1f} MB")
    whole = {"bodies_new": sorted(after.names.values()),
             "years_newly_missing": [[after.names[key], year] for key in sorted(after.years)
                                     for year in after.missing(key, today)]}
    print(f"listing everything: {len(json.dumps(whole, ensure_ascii=False).encode()):,} bytes")


if __name__ == "__main__":
    main()
