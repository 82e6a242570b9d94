"""Spreadsheets (XLSX by openpyxl, XLS by xlrd): the tables published alone as a workbook.

Every sheet's rows become grid rows; a merged range's value sits in its top-left cell and
the other positions it covers are copies, as for HTML and DOCX spans. Numbers come back
as the sheet stores them (2126.0 is printed 2126; 7730.28 stays 7730.28).

A sheet is read as the cells it holds, streaming (openpyxl's sheet parser, xlrd's ragged
rows), never as the rectangle its ``<dimension>`` declares or its far cells imply: the grid
the rows become is laid out only once the rectangle the cells with content span is known to be
within ``ContentLimits.grid_cells``; a sheet beyond it (cells A1 and XFD1048576: 17 billion
positions) is refused by that name as soon as its far cell is read. An XLSX package is
checked against the package limits first (``packages.checked_package``).
"""
from __future__ import annotations

import io
import zipfile

from .grid import Cell, Parsed, ReadError, Row, rows_text
from .limits import LIMITS, ContentLimits, over
from .packages import checked_package


def read_sheets(data: bytes, kind: str, limits: ContentLimits = LIMITS) -> Parsed:
    try:
        sheets = list(_xlsx(data, limits) if kind == "xlsx" else _xls(data, limits))
    except ReadError:
        raise
    except Exception as e:  # both libraries raise many types for damaged workbooks
        raise ReadError(kind, f"not a readable {kind.upper()} workbook ({type(e).__name__}: {e})") from e
    rows: list[Row] = []
    for name, grid, merged in sheets:
        rows.append([Cell(name)])  # the sheet's name often says which table it holds
        rows.extend(_rows(grid, merged))
    if not any(c.text for row in rows[1:] for c in row):
        raise ReadError(kind, "the workbook has no cells with text")
    return Parsed(rows=rows, text=rows_text(rows))


def _rows(grid: list[list[str]], merged: list[tuple[int, int, int, int]]) -> list[Row]:
    """Grid rows with each merged range (first row, last row, first col, last col; inclusive)
    holding its top-left text at every position, all but the first marked copies."""
    out = [[Cell(text) for text in row] for row in grid]
    for r0, r1, c0, c1 in merged:
        text = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(out) - 1) + 1):
            for c in range(c0, min(c1, len(out[r]) - 1) + 1):
                if (r, c) != (r0, c0):
                    out[r][c] = Cell(text, copy=True)
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _grid(cells, sheet: str, kind: str, limits: ContentLimits) -> list[list[str]]:
    """The rows of a sheet from its cells ``(row, column, value)`` (1-based, any order), from A1 to
    the last row and column with text; ReadError once that rectangle exceeds ``grid_cells``."""
    texts: dict[tuple[int, int], str] = {}
    rows = columns = 0
    for row, column, value in cells:
        text = _text(value)
        if not text:
            continue  # an empty or styled-only cell widens nothing
        texts[row - 1, column - 1] = text
        rows, columns = max(rows, row), max(columns, column)
        if rows * columns > limits.grid_cells:
            raise ReadError(kind, over(limits, "grid_cells", f"sheet {sheet} spans {rows:,} rows × {columns:,} "
                                                             f"columns ({rows * columns:,} cells)"))
    return [[texts.get((r, c), "") for c in range(columns)] for r in range(rows)]


def _xlsx(data: bytes, limits: ContentLimits):
    import openpyxl
    from openpyxl.worksheet.cell_range import CellRange
    # openpyxl's own streaming sheet parser (what its read-only sheets use), called directly:
    # read-only sheets pad every row to the declared width and give no merged ranges.
    from openpyxl.worksheet._reader import WorkSheetParser

    package = checked_package(data, "xlsx", limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(package), read_only=True, data_only=True)
    except zipfile.BadZipFile as e:
        raise ReadError("xlsx", f"not a readable XLSX package ({e})") from e
    try:
        for sheet in book.worksheets:
            with sheet._get_source() as source:
                parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                                         date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
                cells = ((r, cell["column"], cell["value"]) for r, row in parser.parse() for cell in row)
                grid = _grid(cells, sheet.title, "xlsx", limits)
            ranges = parser.merged_cells.mergeCell if parser.merged_cells else []
            merged = [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1)
                      for m in (CellRange(r.ref) for r in ranges)]
            yield sheet.title, grid, merged
    finally:
        book.close()


def _xls(data: bytes, limits: ContentLimits):
    import xlrd

    # xlrd writes its warnings about damaged files to stdout unless given a log file
    book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True, logfile=io.StringIO())
    for sheet in book.sheets():
        cells = ((r + 1, c + 1, value) for r in range(sheet.nrows) for c, value in enumerate(sheet.row_values(r)))
        merged = [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        yield sheet.name, _grid(cells, sheet.name, "xls", limits), merged
