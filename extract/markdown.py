"""Markdown and pipe tables as PDF converters and OCR tools write them, read as grids.

A line ``| 1.属于国家秘密 | 0 | 0 |`` is a row of cells; header separator rows
(``|---|:---:|``) are skipped; ``<br>`` inside a cell is a line break of its label. A
converter breaks a long label over two table rows, one of which holds only blanks: that
half is joined to the neighbour whose label it completes (the format's labels decide
which), so the table reader sees the label whole.
"""
from __future__ import annotations

import re

from .grid import Cell, Row
from .linear import known_label
from .numbers import is_value_like

_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
_BREAK = re.compile(r"<br\s*/?>", re.I)


def is_table_line(line: str) -> bool:
    """A line that may be a pipe-table row: it starts with a pipe and has another."""
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def is_table(lines: list[str]) -> bool:
    """Pipe-table lines with a header separator row (``|---|---|``) are a markdown table;
    without one they are `` | ``-separated text whose first cell is blank."""
    return any(_cells(line) is None for line in lines)


def markdown_rows(lines: list[str]) -> list[Row]:
    """The rows of consecutive pipe-table lines, broken labels rejoined."""
    rows = [cells for cells in map(_cells, lines) if cells is not None]
    return [[Cell(text) for text in cells] for cells in _rejoin_broken_labels(rows)]


def _cells(line: str) -> list[str] | None:
    """The cells of one line; None for a header separator row."""
    inner = line.strip()[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    cells = [_BREAK.sub("", c).replace("&nbsp;", " ").strip() for c in inner.split("|")]
    if all(_SEPARATOR_CELL.match(c.replace(" ", "")) for c in cells if c) and any(cells):
        return None
    return cells


def _label_only(cells: list[str]) -> bool:
    """Labels and blanks only: maybe half of a label broken over two rows."""
    texts = [c for c in cells if c]
    return bool(texts) and not any(is_value_like(t) for t in texts)


def _has_values(cells: list[str]) -> bool:
    return any(c and is_value_like(c) for c in cells)


def _label_of(cells: list[str]) -> str:
    return "".join(c for c in cells if c and not is_value_like(c))


def _rejoin_broken_labels(rows: list[list[str]]) -> list[list[str]]:
    """Join a label-only row to the value row above it when that row's label is incomplete
    (its end is below), else to the value row below it when that one's is (its start is above)."""
    out: list[list[str]] = []
    i = 0
    while i < len(rows):
        cells = rows[i]
        if _label_only(cells):
            half = _label_of(cells)
            above = out[-1] if out else None
            below = rows[i + 1] if i + 1 < len(rows) else None
            if above and _has_values(above) and _label_of(above) and not known_label(_label_of(above)) \
                    and known_label(_label_of(above) + half):
                out[-1] = _with_label(above, _label_of(above) + half)
                i += 1
                continue
            if below and _has_values(below) and _label_of(below) and not known_label(_label_of(below)) \
                    and known_label(half + _label_of(below)):
                out.append(_with_label(below, half + _label_of(below)))
                i += 2
                continue
        out.append(cells)
        i += 1
    return out


def _with_label(cells: list[str], label: str) -> list[str]:
    """The row with its label cells replaced by one cell holding ``label`` (value cells,
    blanks included, stay where they are)."""
    labels = [i for i, c in enumerate(cells) if c and not is_value_like(c)]
    return cells[: labels[0]] + [label] + cells[labels[-1] + 1:]
