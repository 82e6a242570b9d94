"""The common intermediate every reader produces: rows of cell strings, plus plain text.

A ``Cell`` marked ``copy`` is a grid position covered by a row- or column-span of an
earlier cell: the table reader skips copies when it takes a row's values, so a value
printed once across three columns counts once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .limits import LIMITS
from .numbers import is_value_like


@dataclass
class Cell:
    text: str
    copy: bool = False


Row = list[Cell]


@dataclass
class Parsed:
    """What a format reader hands to the table reader and the metadata reader."""

    rows: list[Row]
    text: str
    title: str | None = None  # a title the container states (HTML heading or <title>, DOCX properties)
    published: str | None = None  # a date the container states, if any
    warnings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # parts of the document that could not be read
    missing_reason: str | None = None  # why cells may be missing (e.g. pages without a text layer)
    breaks: list[int] = field(default_factory=list)  # row indices where unread text (a page) was left out
    # a second way of cutting the same text into rows (text documents: line by line); the
    # table reader keeps whichever reading finds more cells
    alternative_rows: list[Row] | None = None
    ocr: dict | None = None  # which pages or pictures were read by OCR, and how surely (extract/ocr.py)
    pictures: list[str] = field(default_factory=list)  # an HTML page's pictures read with it (extract/scan.py)


class ReadError(Exception):
    """A document that cannot be read at all; ``stage`` names the reader."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.message = message


@dataclass
class Span:
    """A source cell with its spans, before unmerging."""

    text: str
    rowspan: int = 1
    colspan: int = 1


_MAX_COLSPAN = 1_000  # what browsers honour (HTML: colspan is clamped to 1000)


def unmerge(rows: list[list[Span]], max_cells: int = LIMITS.grid_cells) -> list[Row]:
    """Lay spanned cells out on a full grid, filling covered positions with copies.

    A span reaches at most to the table's last row and 1,000 columns, as browsers lay it out;
    OverflowError when the grid would hold more than ``max_cells`` positions, raised before they
    are made (a cell spanning 99,999 rows and columns is 10 billion positions)."""
    out: list[Row] = []
    pending: dict[tuple[int, int], Cell] = {}  # (row, col) -> copy placed by a rowspan above
    placed = 0
    for r, spans in enumerate(rows):
        row: Row = []
        col = 0
        for span in spans:
            while (r, col) in pending:
                row.append(pending.pop((r, col)))
                col += 1
            rowspan, colspan = min(max(span.rowspan, 1), len(rows) - r), min(max(span.colspan, 1), _MAX_COLSPAN)
            placed += rowspan * colspan
            if placed > max_cells:
                raise OverflowError(f"more than {max_cells:,} grid positions")
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr == 0:
                        row.append(Cell(span.text, copy=dc > 0))
                    else:
                        pending[(r + dr, col + dc)] = Cell(span.text, copy=True)
            col += colspan
        while (r, col) in pending:
            row.append(pending.pop((r, col)))
            col += 1
        out.append(row)
    return out


def text_rows(text: str) -> list[Row]:
    """Split flattened text into rows: lines, cells on tabs or wide spaces.

    A line like "规章 0 0 0" (single spaces, as pdftotext prints a table row) also has its
    trailing figures split off, so the label keeps its inner spaces ("(一) 予以公开").
    """
    rows = []
    for line in text.splitlines():
        cells: list[str] = []
        for part in line.split("\t"):
            cells.extend(re.split(r"\s{2,}|\u3000+", part) if part.strip() else [part])
        if len(cells) == 1:
            cells = _split_trailing_values(cells[0])
        rows.append([Cell(c.strip()) for c in cells])
    return rows


def _split_trailing_values(line: str) -> list[str]:
    tokens = line.split(" ")
    tail = []
    while len(tokens) > 1 and tokens[-1] and is_value_like(tokens[-1]):
        tail.insert(0, tokens.pop())
    return [" ".join(tokens)] + tail if tail else [line]


def rows_text(rows: list[Row]) -> str:
    """Plain text of rows: one line per row, cells (not copies) joined by tabs."""
    return "\n".join("\t".join(c.text for c in row if not c.copy).rstrip() for row in rows)
