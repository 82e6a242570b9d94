"""DOCX documents: paragraphs and tables in body order; merged table cells unmerged.

The package is checked against the content limits (``packages.checked_package``) before
python-docx opens it. python-docx repeats a merged cell (horizontal gridSpan or vertical vMerge) at every grid
position it covers; the repeats are marked as copies so a value is counted once.
"""
from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .grid import Cell, Parsed, ReadError, Row, rows_text
from .limits import LIMITS, ContentLimits
from .packages import checked_package


def read_docx(data: bytes, limits: ContentLimits = LIMITS) -> Parsed:
    package = checked_package(data, "docx", limits)
    try:
        document = docx.Document(io.BytesIO(package))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReadError("docx", f"not a readable DOCX package ({type(e).__name__}: {e})") from e
    except Exception as e:  # lxml and python-docx raise many types for damaged parts
        raise ReadError("docx", f"damaged DOCX ({type(e).__name__}: {e})") from e
    rows: list[Row] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                rows.append([Cell(block.text.strip())])
        elif isinstance(block, Table):
            rows.extend(_table_rows(block))
    if not rows:
        raise ReadError("docx", "the document has no text")
    return Parsed(rows=rows, text=rows_text(rows), title=_title(document))


def _title(document) -> str | None:
    """The title in the document's properties; None when there is none, or its part is damaged
    (the body is read all the same)."""
    try:
        return (document.core_properties.title or "").strip() or None
    except Exception:  # python-docx raises many types for a damaged core-properties part
        return None


def _table_rows(table: Table) -> list[Row]:
    seen = set()  # the <w:tc> elements met so far (held, so lxml keeps their identity)
    out = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            cells.append(Cell(" ".join(cell.text.split()), copy=cell._tc in seen))
            seen.add(cell._tc)
        out.append(cells)
    return out
