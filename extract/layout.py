"""A page's layout: its positioned characters and ruling segments cut into rows, and a table row
cut across two pages joined. One layout for a PDF page's text layer (``pdf.py``) and for what OCR
recognised on a scanned page or a picture (``ocr.py``, ``scan.py``), so the one table reader sees
both alike.

The ruling lines drawn for the table borders cut the page into row bands and cells, and
characters outside ruled areas are grouped into text lines (split into cells at wide gaps, which
is also how a table drawn without borders is read). Rules may be drawn as lines, as thin filled
rectangles (Word's export) or as paths; cell shading's edges count as rules too.

Word, WPS and LibreOffice let a table row break across pages: the part of a wrapped label that
did not fit goes on at the top of the next page, in the same columns. Such a row is joined back
into one as the pages are added (``add_page``), so the label is whole beside its figures;
pictures of a table cut between screenshots are joined the same way. A line of a row-spanned
cell that a cut between the rows beside it splits is kept whole (``_keep_lines_whole``).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from .grid import Cell, Row
from .labels import core, starts_enumerated
from .numbers import is_value_like
from .ocr import recognised
from .pdfpages import Char
from . import standard_format as sf

_SNAP = 2.0  # points: ruling lines this close are the same line
_MIN_CELL = 4.0  # points: a narrower column is the gap between a double rule, not a cell
_CELL_GAP = 1.5  # characters: a wider gap in a line without ruling separates two cells


def page_number_forms(blank: str) -> str:
    """A regex of the ways a page's number is printed in words or as a fraction ("第3页",
    "第3页 共6页", "3/12"), ``blank`` standing for what may stand between their parts. One for
    the layout's cells (any whitespace) and for linear text read line by line (``linear.py``)."""
    return rf"第{blank}*\d+{blank}*页(?:{blank}*[,，/]?{blank}*共{blank}*\d+{blank}*页)?|\d+{blank}*/{blank}*\d+"


# A cell holding a page number alone: the forms above, or a bare number with or without dashes ("- 3 -")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:\d+|" + page_number_forms(r"\s") + r")[-—–－\s]*$")


Lines = list[tuple[Row, list[float] | None]]  # a page's rows, each with its band's columns (None: a free line)
Joinable = tuple[int, list[float]] | None  # (index in the rows, columns) of a page's last ruled row if it ends the page


def add_page(rows: list[Row], joinable: Joinable, lines: Lines) -> Joinable:
    """Add a page's lines (``page_rows``) to the document's ``rows``, its first ruled row joined
    into the previous page's last (``joinable``) when it is that row going on; the last ruled row
    of this page, for the next page to go on from."""
    lines = _join_split_row(rows, joinable, lines)
    joinable = _last_ruled(len(rows), lines)
    rows.extend(row for row, _columns in lines)
    return joinable


def _join_split_row(rows: list[Row], joinable: Joinable, lines: Lines) -> Lines:
    """This page's lines, its first ruled row joined into ``rows[index]`` (``joinable``: the
    previous page's last ruled row and its columns, as ``_last_ruled`` gave them) when it is that
    row going on: same columns, only page numbers between them, no column with text on both sides
    unless both are words (a wrapped label), and no label of its own that starts a row (an
    enumerator, or a whole label of the format), unless the label above is no whole label
    without it. A row with its own label is a new row, even when its figures are blank: joining
    it would give it the previous row's figures."""
    if joinable is None:
        return lines
    index, columns = joinable
    first = next((n for n, (_row, cols) in enumerate(lines) if cols is not None), None)
    if first is None or any(not _page_number(row) for row, _cols in lines[:first]):
        return lines
    row, cols = lines[first]
    previous = rows[index]
    if len(cols) != len(columns) or any(abs(a - b) > _MIN_CELL for a, b in zip(cols, columns)):
        return lines
    pairs = list(zip(previous, row))
    if not any(a.text and b.text for a, b in pairs) or any(
            a.text and b.text and (is_value_like(a.text) or is_value_like(b.text)) for a, b in pairs):
        return lines
    if any(b.text and not is_value_like(b.text) and _starts_row(b.text) and not _label_goes_on(a.text, b.text)
           for a, b in pairs):
        return lines
    rows[index] = [Cell(a.text + b.text, a.copy) for a, b in pairs]
    return lines[:first] + lines[first + 1:]


def _starts_row(text: str) -> bool:
    """Whether a cell's text begins a table row: an enumerator (一、 （二） 3.) or a whole label."""
    return starts_enumerated(text) or core(text) in _label_cores()


def _label_goes_on(above: str, below: str) -> bool:
    """The label at the foot of the page is no label yet, and with the text at the top of the next
    one it is a whole label: "（一" / "）予以公开" is one row broken over the pages, though
    "予以公开" alone would start a row."""
    return (bool(above) and not is_value_like(above) and core(above) not in _label_cores()
            and core(above + below) in _label_cores())


@lru_cache(maxsize=1)
def _label_cores() -> frozenset[str]:
    """The cores of every row and column label the format prints, in both versions."""
    labels = [c.row_label for v in sf.VERSIONS for c in sf.cells(v)] + [
        c.column_label for v in sf.VERSIONS for c in sf.cells(v)] + [
        a for v in sf.VERSIONS for r in sf.TABLE3_ROWS[v] for a in r.aliases] + [
        a for v in sf.VERSIONS for _i, rows, _c in sf.TABLE2[v] for r in rows for a in r.aliases]
    return frozenset(filter(None, map(core, labels)))


def _page_number(row: Row) -> bool:
    """A line holding a page number alone ("- 3 -", "第3页 共6页"), not a row of figures."""
    texts = [c.text for c in row if c.text]
    return len(texts) == 1 and _PAGE_NUMBER.match(texts[0]) is not None


def _last_ruled(offset: int, lines: Lines) -> Joinable:
    """(index in the document's rows, columns) of the page's last ruled row when only page numbers follow it."""
    for n in range(len(lines) - 1, -1, -1):
        row, cols = lines[n]
        if cols is not None:
            return offset + n, cols
        if not _page_number(row):
            return None
    return None


def page_rows(chars: list[Char], hlines, vlines) -> Lines:
    """Rows of one page, top to bottom: ruled table bands and free text lines interleaved, each
    with the column boundaries of its band (None for a free text line)."""
    placed: list[tuple[float, Row, list[float] | None]] = []
    free = []
    bands = ruled_bands(hlines, vlines)
    band_cells = [[[] for _ in range(len(xs) - 1)] for _top, _bottom, xs in bands]
    below = [-bottom for _top, bottom, _xs in bands]  # ascending, for bisect
    placed_in: list[tuple[Char, int]] = []  # (character, its band)
    on_cuts: dict[int, int] = {}  # id(character) → its band, for those reaching over an edge no rule is drawn on
    for ch in chars:
        n = _band_of(bands, below, ch)
        if n is None:
            free.append(ch)
            continue
        top, bottom, _xs = bands[n]
        if (n and top - ch.cy < ch.size / 2 and _unruled_cut(bands[n - 1], top, ch, hlines)) or (
                n + 1 < len(bands) and ch.cy - bottom < ch.size / 2 and _unruled_cut(bands[n + 1], bottom, ch, hlines)):
            on_cuts[id(ch)] = n
        placed_in.append((ch, n))
    if on_cuts:
        _keep_lines_whole([ch for ch, _n in placed_in if id(ch) in on_cuts], on_cuts)
    for ch, n in placed_in:
        n = on_cuts.get(id(ch), n) if on_cuts else n
        xs = bands[n][2]
        band_cells[n][min(bisect_right(xs, ch.cx), len(xs) - 1) - 1].append(ch)
    for (top, _bottom, xs), cells in zip(bands, band_cells):
        if any(cells):
            placed.extend((y, row, xs) for y, row in _band_rows(top, cells))
    for line in _lines(free):
        placed.append((max(c.y1 for c in line), [Cell(t) for t in _figures_off_labels(_split_gaps(line))], None))
    placed.sort(key=lambda p: -p[0])
    return [(row, xs) for _y, row, xs in placed]


def _keep_lines_whole(on_cuts: list[Char], band_of: dict) -> None:
    """A cell spanning several rows (a header wrapped over three lines, a group label) is cut by
    the bands of the rows beside it, though no rule crosses it. A line of its text that such a
    cut splits (its characters' boxes differ a little in height) goes whole to the band above.
    Only a split line moves: pdfminer gives a line's characters one height, so it never splits
    one, and the band it puts the line in is the one above when pdfium, whose boxes sit up to
    2 points lower, splits it."""
    for line in _lines(on_cuts):
        found = {band_of[id(ch)] for ch in line}
        if len(found) > 1:
            for ch in line:
                band_of[id(ch)] = min(found)


def _unruled_cut(other, edge: float, ch: Char, hlines) -> bool:
    """Whether the band ``other`` meets the character's band at ``edge`` and no rule is drawn
    there at the character."""
    meets = abs(other[1] - edge) <= _SNAP or abs(other[0] - edge) <= _SNAP
    return (meets and other[2][0] <= ch.cx <= other[2][-1]
            and not any(abs(y - edge) <= _SNAP and x0 - _SNAP <= ch.cx <= x1 + _SNAP for y, x0, x1 in hlines))


def _band_of(bands, below: list[float], ch: Char) -> int | None:
    """Index of the first band (top to bottom) holding the character, if any. Bands do not
    overlap, so only the first whose bottom is below the character and the next (sharing
    that edge) can hold it."""
    first = bisect_left(below, -ch.cy)
    for n in range(first, min(first + 2, len(bands))):
        top, bottom, xs = bands[n]
        if bottom <= ch.cy <= top and xs[0] <= ch.cx <= xs[-1]:
            return n
    return None


def _band_rows(top: float, cells: list[list[Char]]) -> list[tuple[float, Row]]:
    """One row for a ruled strip; one row per text line when the strip holds several rows of
    figures (a table ruled only between columns), so "12" over "0" never reads as "120"."""
    stacked = any(sum(any(ch.text.isdigit() for ch in line) for line in _lines(c)) > 1 for c in cells)
    if not stacked:
        return [(top, [Cell(_cell_text(c)) for c in cells])]
    rows = []
    for line in _lines([ch for c in cells for ch in c]):
        members = {id(ch) for ch in line}
        rows.append((max(ch.y1 for ch in line), [Cell(_cell_text([ch for ch in c if id(ch) in members]))
                                                  for c in cells]))
    return rows


def ruled_bands(hlines, vlines) -> list[tuple[float, float, list[float]]]:
    """(top, bottom, column boundaries) for each strip between ruling lines cut into cells, top
    to bottom (OCR also looks in these cells for figures its detector missed).

    A strip with a single cell (a box around prose, a full-width header) is left to the
    text-line grouping, which keeps its wrapped lines apart."""
    ys = _snap(sorted((y for y, _a, _b in hlines), reverse=True), _SNAP)
    out = []
    for top, bottom in zip(ys, ys[1:]):
        if top - bottom < _MIN_CELL:
            continue
        mid = (top + bottom) / 2
        xs = _snap(sorted(x for x, y0, y1 in vlines if y0 - _SNAP <= mid <= y1 + _SNAP), _MIN_CELL)
        if len(xs) >= 3:
            out.append((top, bottom, xs))
    return out


def _snap(values: list[float], tolerance: float) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or abs(v - out[-1]) > tolerance:
            out.append(v)
    return out


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Group characters into text lines by vertical overlap, each line sorted left to right."""
    lines: list[list[Char]] = []
    total = 0.0  # sum of the current line's centres: its mean is the line's height
    for cy, ch in sorted(((c.cy, c) for c in chars), key=lambda p: -p[0]):
        if lines and abs(total / len(lines[-1]) - cy) < 0.5 * ch.size:
            lines[-1].append(ch)
            total += cy
        else:
            lines.append([ch])
            total = cy
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def _cell_text(chars: list[Char]) -> str:
    """A cell's text: its lines top to bottom joined (labels wrap; vertical labels stack)."""
    return recognised("".join(_join(line) for line in _lines(chars)).strip(), chars)


def _join(line: list[Char]) -> str:
    out = []
    for prev, ch in zip([None] + line[:-1], line):
        if prev is not None and ch.x0 - prev.x1 > 0.6 * ch.size:
            out.append(" ")
        out.append(ch.text)
    return "".join(out)


_FIGURES_IN_A_ROW = 3  # figures in cells of their own that make a free line a table row


def _figures_off_labels(cells: list[str]) -> list[str]:
    """In a row of a table drawn without rules (three figures or more in cells of their own), a
    figure that a narrow gap leaves joined to the label before it ("…重新出具已 0") is a cell
    of its own. Prose lines keep their words."""
    if sum(1 for text in cells if text and is_value_like(text)) < _FIGURES_IN_A_ROW:
        return cells
    out = []
    for text in cells:
        words = text.split(" ")
        figures = []
        while len(words) > 1 and words[-1] and is_value_like(words[-1]):
            figures.insert(0, words.pop())
        out.extend([" ".join(words)] + figures)
    return out


def _split_gaps(line: list[Char]) -> list[str]:
    """Split a free text line into cells where the gap is wider than one and a half characters
    (pdfium measures a substituted font's glyphs wider than pdfminer: gaps shrink a little)."""
    parts, current = [], [line[0]]
    for prev, ch in zip(line, line[1:]):
        if ch.x0 - prev.x1 > _CELL_GAP * max(ch.size, prev.size):
            parts.append(current)
            current = []
        current.append(ch)
    parts.append(current)
    return [_join(p) for p in parts]
