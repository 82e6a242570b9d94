"""Pre-2019 reports' own statistics tables (统计表), kept as printed rows.

Before the national format each province had its own 统计表 (指标名称 | 计量单位 | 本年度 | 累计 …),
so their rows cannot be mapped onto canonical keys; they are kept as they were printed:
each run of at least two grid rows (rows of two or more cells, such as a table row or a
tab-separated line, even when only its label is filled) holding a figure is a table.
"""
from __future__ import annotations

from .grid import Row
from .numbers import is_value_like

_MIN_ROWS = 2


def raw_tables(rows: list[Row]) -> list[dict]:
    """[{"rows": [[cell text, …], …]}] in document order; spanned cells are given once."""
    tables: list[list[list[str]]] = []
    run: list[list[str]] = []
    for row in rows + [[]]:  # the empty sentinel closes the last run
        if len(row) >= 2 and any(c.text.strip() for c in row):
            run.append([c.text for c in row if not c.copy])
            continue
        if len(run) >= _MIN_ROWS and any(is_value_like(t) and t.strip() for r in run for t in r):
            tables.append(run)
        run = []
    return [{"rows": table} for table in tables]
