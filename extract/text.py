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

from .grid import Parsed, ReadError, Row, text_rows
from .html import read_html
from .linear import linear_rows
from .markdown import is_table_line, markdown_rows


def read_text(text: str) -> Parsed:
    """The text, its rows cut at labels, and its rows line by line as the alternative reading."""
    return Parsed(rows=text_document_rows(text), text=text, alternative_rows=text_rows(text))

_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.I | re.S)


def text_document_rows(text: str) -> list[Row]:
    """Rows of a text document of any shape: HTML tables embedded in it (read by the HTML
    reader), pipe-table lines (read as grids), and everything else cut at the labels."""
    rows: list[Row] = []
    at = 0
    for m in _HTML_TABLE.finditer(text):
        rows += _plain_rows(text[at: m.start()]) + _html_rows(m.group())
        at = m.end()
    return rows + _plain_rows(text[at:])


def _html_rows(markup: str) -> list[Row]:
    try:
        return read_html(markup).rows
    except ReadError:
        return []


def _plain_rows(text: str) -> list[Row]:
    """Pipe-table lines as grids, the runs of other lines cut at the labels, in order."""
    rows: list[Row] = []
    block: list[str] = []
    in_table = False
    for line in text.splitlines():
        if is_table_line(line) != in_table and block:
            rows += markdown_rows(block) if in_table else linear_rows("\n".join(block))
            block = []
        in_table = is_table_line(line)
        block.append(line)
    if block:
        rows += markdown_rows(block) if in_table else linear_rows("\n".join(block))
    return rows
