"""Spreadsheets (XLSX by openpyxl, XLS by xlrd): the tables published alone as a workbook.

Every sheet's rows become grid rows; a merged range's value sits in its top-left cell and
the other positions it covers are copies, as for HTML and DOCX spans. Numbers come back
as the sheet stores them (2126.0 is printed 2126; 7730.28 stays 7730.28).
"""
from __future__ import annotations

import io
import zipfile

from .grid import Cell, Parsed, ReadError, Row, rows_text


def read_sheets(data: bytes, kind: str) -> Parsed:
    try:
        sheets = list(_xlsx(data) if kind == "xlsx" else _xls(data))
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


def _xlsx(data: bytes):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except zipfile.BadZipFile as e:
        raise ReadError("xlsx", f"not a readable XLSX package ({e})") from e
    for sheet in book.worksheets:
        grid = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        merged = [(m.min_row - 1, m.max_row - 1, m.min_col - 1, m.max_col - 1) for m in sheet.merged_cells.ranges]
        yield sheet.title, grid, merged


def _xls(data: bytes):
    import xlrd

    book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    for sheet in book.sheets():
        grid = [[_text(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        merged = [(r0, r1 - 1, c0, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        yield sheet.name, grid, merged
