"""Text documents of every shape read into rows of cells for the table reader.

A text may hold HTML tables (a converter's markdown often does: read by the HTML reader),
pipe-table lines (read as grids by ``markdown``) and anything else — a page dump on one
line, one cell per line, `` | `` text, pdftotext's layout — cut into rows at the format's
labels by ``linear``. Tab- and space-aligned lines are also read line by line
(``grid.text_rows``), which keeps the grid columns of blank cells; ``extract`` keeps the
reading that finds more cells (``read_text``).
"""
from __future__ import annotations

import re
from itertools import groupby

from .grid import Parsed, ReadError, Row, text_rows
from .html import read_html
from .limits import LIMITS, ContentLimits, over
from .linear import linear_rows
from .markdown import is_table, is_table_line, markdown_rows


def read_text(text: str, limits: ContentLimits = LIMITS) -> Parsed:
    """The text, its rows cut at labels, and its rows line by line as the alternative reading."""
    try:
        rows = text_document_rows(text, limits)
    except OverflowError:
        raise ReadError("text", over(limits, "grid_cells", "the text holds too many labels and figures "
                                                           "to be tables")) from None
    return Parsed(rows=rows, text=text, alternative_rows=text_rows(text))

_TABLE_OPEN = re.compile(r"<table\b", re.I)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.I)


def html_tables(text: str):
    """(start, end) of each ``<table>…</table>`` in the text, in one pass: an opening tag that no
    closing tag follows ends the search, as no later table can close either (a lazy ``.*?`` would
    scan to the end of the text again for every such tag)."""
    at = 0
    while (opening := _TABLE_OPEN.search(text, at)) and (closing := _TABLE_CLOSE.search(text, opening.end())):
        yield opening.start(), closing.end()
        at = closing.end()


def text_document_rows(text: str, limits: ContentLimits = LIMITS) -> list[Row]:
    """Rows of a text document of any shape: HTML tables embedded in it (read by the HTML
    reader), pipe-table lines (read as grids), and everything else cut at the labels.
    OverflowError past ``limits.grid_cells`` cells."""
    rows: list[Row] = []
    at = 0
    for start, end in html_tables(text):
        rows += _plain_rows(text[at: start], limits) + _html_rows(text[start: end], limits)
        at = end
        _within(rows, limits)
    return _within(rows + _plain_rows(text[at:], limits), limits)


def _within(rows: list[Row], limits: ContentLimits) -> list[Row]:
    if sum(map(len, rows)) > limits.grid_cells:
        raise OverflowError(f"more than {limits.grid_cells:,} cells")
    return rows


def _html_rows(markup: str, limits: ContentLimits) -> list[Row]:
    try:
        return read_html(markup, limits).rows
    except ReadError:
        return []


def _plain_rows(text: str, limits: ContentLimits) -> list[Row]:
    """Markdown tables as grids, the text between them cut at the labels, in order."""
    rows: list[Row] = []
    plain: list[str] = []
    for table_lines, lines in groupby(text.splitlines(), key=is_table_line):
        lines = list(lines)
        if not (table_lines and is_table(lines)):
            plain += lines  # pipe lines without a header separator are `` | `` text
            continue
        rows += linear_rows("\n".join(plain), limits.grid_cells) + _markdown_rows(lines, limits)
        plain = []
    return rows + linear_rows("\n".join(plain), limits.grid_cells)


def _markdown_rows(lines: list[str], limits: ContentLimits) -> list[Row]:
    if sum(line.count("|") for line in lines) > limits.grid_cells:  # counted before they are made
        raise OverflowError(f"more than {limits.grid_cells:,} table cells")
    return markdown_rows(lines)
