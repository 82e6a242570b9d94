"""DOCX documents: paragraphs and tables in body order; merged table cells unmerged.

The package is checked against the content limits (``packages.checked_package``) before
python-docx opens it. A merged cell (horizontal gridSpan or vertical vMerge) is repeated at every
grid position it covers, the repeats marked as copies so a value is counted once. The grid is laid
out here from the row elements, not by python-docx's ``row.cells``: that finds each vMerge
continuation's cell by walking up the rows recursively (a cell merged down 2,000 rows took 100 s,
then overflowed the stack) and repeats a gridSpan of 99,999,999 before anything could count it.
Here each row's positions are counted against ``ContentLimits.grid_cells`` before they are made.
"""
from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table, _Cell
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
    ``max_cells`` positions. A vMerge continuation shows the cell at its grid offset in the row above."""
    texts: dict = {}  # <w:tc> → its text, once per cell (held, so lxml keeps their identity)
    above: dict = {}  # grid offset → the <w:tc> the previous row shows there
    out = []
    for tr in table._tbl.tr_lst:
        spans = [max(tc.grid_span, 1) for tc in tr.tc_lst]
        max_cells -= sum(spans)
        if max_cells < 0:
            raise OverflowError("too many grid positions")
        row, shown, offset = [], {}, tr.grid_before
        for tc, span in zip(tr.tc_lst, spans):
            source = above.get(offset, tc) if tc.vMerge == "continue" else tc
            copy = source in texts
            if not copy:
                texts[source] = " ".join(_Cell(source, table).text.split())
            row += [Cell(texts[source], copy=copy or n > 0) for n in range(span)]
            shown.update(dict.fromkeys(range(offset, offset + span), source))
            offset += span
        above = shown
        out.append(row)
    return out
