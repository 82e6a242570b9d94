"""DOCX documents: paragraphs and tables in body order; merged table cells unmerged.

The package is checked against the content limits (``packages.checked_package``) before
python-docx opens it. python-docx repeats a merged cell (horizontal gridSpan or vertical vMerge)
at every grid position it covers; the repeats are marked as copies so a value is counted once. A row's
positions are counted against ``ContentLimits.grid_cells`` before python-docx makes them (a
gridSpan of 99,999,999 in a 2 KB document).
"""
from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .grid import Cell, Parsed, ReadError, Row, rows_text
from .limits import LIMITS, ContentLimits, over
from .packages import checked_package


def read_docx(data: bytes, limits: ContentLimits = LIMITS) -> Parsed:
    package = checked_package(data, "docx", limits)
    try:
        document = docx.Document(io.BytesIO(package))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReadError("docx", f"not a readable DOCX package ({type(e).__name__}: {e})") from e
    except Exception as e:  # lxml and python-docx raise many types for damaged parts
        raise ReadError("docx", f"damaged DOCX ({type(e).__name__}: {e})") from e
    try:
        rows = _rows(document, limits.grid_cells)
    except OverflowError:
        raise ReadError("docx", over(limits, "grid_cells", "the document's tables lay out to too many cells, merged "
                                                           "cells counted at every position they cover")) from None
    if not rows:
        raise ReadError("docx", "the document has no text")
    return Parsed(rows=rows, text=rows_text(rows), title=_title(document))


def _rows(document, max_cells: int) -> list[Row]:
    """Paragraphs and table rows in body order; OverflowError when the tables lay out more than
    ``max_cells`` positions."""
    rows: list[Row] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                rows.append([Cell(block.text.strip())])
        elif isinstance(block, Table):
            grid = _table_rows(block, max_cells)
            max_cells -= sum(map(len, grid))
            rows.extend(grid)
    return rows


def _title(document) -> str | None:
    """The title in the document's properties; None when there is none, or its part is damaged
    (the body is read all the same)."""
    try:
        return (document.core_properties.title or "").strip() or None
    except Exception:  # python-docx raises many types for a damaged core-properties part
        return None


def _table_rows(table: Table, max_cells: int) -> list[Row]:
    """The table's rows, each cell repeated at every grid position it covers (the first one
    itself, the rest copies); OverflowError, before they are made, when that is more than
    ``max_cells`` positions."""
    seen = set()  # the <w:tc> elements met so far (held, so lxml keeps their identity)
    out = []
    for row in table.rows:
        max_cells -= sum(max(tc.grid_span, 1) for tc in row._tr.tc_lst)
        if max_cells < 0:
            raise OverflowError("too many grid positions")
        cells = []
        for cell in row.cells:
            cells.append(Cell(" ".join(cell.text.split()), copy=cell._tc in seen))
            seen.add(cell._tc)
        out.append(cells)
    return out
