"""DOCX documents: paragraphs and tables in body order; merged table cells unmerged; pictures
pasted where the tables should be read by OCR and put where they sit.

The package is checked against the content limits (``packages.checked_package``) before
python-docx opens it. A merged cell (horizontal gridSpan or vertical vMerge) is repeated at every
grid position it covers, the repeats marked as copies so a value is counted once. The grid is laid
out here from the row elements, not by python-docx's ``row.cells``: that finds each vMerge
continuation's cell by walking up the rows recursively (a cell merged down 2,000 rows took 100 s,
then overflowed the stack) and repeats a gridSpan of 99,999,999 before anything could count it.
Here each row's positions are counted against ``ContentLimits.grid_cells`` before they are made.

A report whose tables were pasted into Word as screenshots prints them as pictures in paragraphs
of their own: with OCR each is read (``scan.read_pictures``, as an HTML page's pictures are, a
table cut across two pictures joined) and its rows go where it sits; without, the cells the
pictures hide are null as "table printed as an image" (``pictures.say_what_pictures_hide``).
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
from .pictures import Placed, say_what_pictures_hide

# A picture's relationship id: DrawingML's <a:blip r:embed>, or VML's <v:imagedata r:id> (older
# documents, and what LibreOffice keeps of a DOC's pictures).
_PICTURES = ".//*[local-name()='blip']/@r:embed | .//*[local-name()='imagedata']/@r:id"


def read_docx(data: bytes, limits: ContentLimits = LIMITS, ocr: bool = True) -> Parsed:
    package = checked_package(data, "docx", limits)
    try:
        document = docx.Document(io.BytesIO(package))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReadError("docx", f"not a readable DOCX package ({type(e).__name__}: {e})") from e
    except Exception as e:  # lxml and python-docx raise many types for damaged parts
        raise ReadError("docx", f"damaged DOCX ({type(e).__name__}: {e})") from e
    try:
        rows, placed, tables = _rows(document, limits.grid_cells)
    except OverflowError:
        raise ReadError("docx", over(limits, "grid_cells", "the document's tables lay out to too many cells, merged "
                                                           "cells counted at every position they cover")) from None
    reading = None
    if ocr and placed:
        from .scan import read_pictures
        reading = read_pictures(rows, [(index, rid) for index, rid, _table in placed], _picture_parts(document), limits)
        rows = reading.rows
    if not any(c.text for row in rows for c in row):
        raise ReadError("docx", "the document has no text")
    parsed = Parsed(rows=rows, text=rows_text(rows), title=_title(document))
    if reading is None:
        say_what_pictures_hide(parsed, placed, [], tables, offered=False, stage="docx")
    else:
        parsed.ocr, parsed.breaks = reading.ocr, reading.breaks
        parsed.warnings += reading.warnings
        named = [(index, _part_name(document, rid), table) for index, rid, table in placed]
        say_what_pictures_hide(parsed, [named[n] for n in reading.not_given] if reading.ocr is None else [],
                               [named[n] for n in reading.failed], tables, offered=True, stage="docx")
    return parsed


def _rows(document, max_cells: int) -> tuple[list[Row], list[Placed], int]:
    """Paragraphs and table rows in body order, the pictures pasted in paragraphs (the row they
    stand before, their relationship id), and the number of tables; OverflowError when the
    tables lay out more than ``max_cells`` positions."""
    rows: list[Row] = []
    placed: list[Placed] = []
    tables = 0
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                rows.append([Cell(block.text.strip())])
            placed.extend((len(rows), rid, None) for rid in block._p.xpath(_PICTURES))
        elif isinstance(block, Table):
            grid = _table_rows(block, max_cells)
            max_cells -= sum(map(len, grid))
            rows.extend(grid)
            tables += 1
    return rows, placed, tables


def _picture_parts(document):
    """A picture's name in the package and its bytes, by relationship id; None for a picture
    linked from outside the document (not given) or a relationship to no picture."""
    def picture(rid: str):
        part = document.part.related_parts.get(rid)
        return None if part is None or not part.content_type.startswith("image/") else (_part_name(document, rid), part.blob)
    return picture


def _part_name(document, rid: str) -> str:
    """The name in the package of the part ``rid`` relates to ("word/media/image1.png"); the id
    itself for a picture linked from outside."""
    part = document.part.related_parts.get(rid)
    return rid if part is None else str(part.partname).lstrip("/")


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
