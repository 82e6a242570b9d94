"""A report rendered as the text shapes real reports reach nianbao in, besides its documents.

A crawler or web archive saves a page's visible text (a page dump): the whole report on one
line, every cell glued to the next (``dump_glued``) or spaced (``dump_spaced``); a screen
reader or copy-paste gives one cell per line (``cell_per_line``) or cells between `` | ``
(``piped``); a PDF converter or OCR tool writes markdown pipe tables with merged cells left
blank, long labels broken over two table rows and ``<br>`` inside cells (``markdown``).
All are built from the same outline as the demo's documents (``render.outline``), tables
flattened row by row, cells in printed order, as a browser flattens them.
"""
from __future__ import annotations

from . import tables
from .figures import Report
from .render import outline


def _flattened(report: Report) -> list[list[str]]:
    """Blocks as lists of texts: a paragraph is one text, a table row its cells in order."""
    out = []
    for block in outline(report):
        if block[0] == "table":
            out.extend([c.text for c in row] for row in block[2])
        else:
            out.append([block[1]])
    return out


def dump_glued(report: Report) -> str:
    """Page-dump header, then the whole report on one line, cells glued together."""
    return _dump_header(report) + "".join("".join(texts) for texts in _flattened(report))


def dump_spaced(report: Report) -> str:
    """Page-dump header, then the whole report on one line, cells separated by a space."""
    return _dump_header(report) + " ".join(" ".join(texts) for texts in _flattened(report))


def _dump_header(report: Report) -> str:
    """The header a web archive writes above the page text (the page's chrome, not the report)."""
    return (f"标题: {report.title}\n发布时间: {report.published} 08:00\n发布机构: \n栏目: 政府信息公开年报\n"
            f"首页 > 政务公开 > 政府信息公开年报 分享到：微信 微博\n{'=' * 20} 正文 {'=' * 20}\n")


def cell_per_line(report: Report) -> str:
    """Every paragraph and every table cell on a line of its own."""
    return "\n".join(text for texts in _flattened(report) for text in texts) + "\n"


def piped(report: Report) -> str:
    """Visible text with a table row's cells separated by `` | ``, one row per line."""
    return "\n".join(" | ".join(texts) for texts in _flattened(report)) + "\n"


_BROKEN_ABOVE = 26  # labels at least this long: first half on a label-only row above the values
_BROKEN_BELOW = 14  # labels at least this long: the values' row holds the first half, the rest below


def markdown(report: Report) -> str:
    """Markdown as a PDF converter writes it: every table a pipe table with a header
    separator row, positions a merged cell covers left blank, long row labels broken over
    two table rows (the half without values on a row of blanks), ``<br>`` where a label
    wraps after 、."""
    out = []
    for block in outline(report):
        if block[0] == "title":
            out += [f"# {block[1]}", ""]
        elif block[0] == "heading":
            out += [f"## {block[1]}", ""]
        elif block[0] == "para":
            out += [block[1], ""]
        else:
            out += _markdown_table(block[2]) + [""]
    return "\n".join(out)


def _markdown_table(rows) -> list[str]:
    width, placed = tables.grid(rows)
    matrix = [[""] * width for _ in range(max(r for r, _, _ in placed) + 1)]
    for r, c, cell in placed:
        matrix[r][c] = cell.text
    lines = []
    for r, cells in enumerate(matrix):
        lines += _broken_rows(cells, header=any(cell.header for cell in rows[r]))
        if r == 0:
            lines.append("|" + "|".join(" --- " for _ in cells) + "|")
    return lines


def _broken_rows(cells: list[str], header: bool) -> list[str]:
    """One table row, or two when its label is long enough for a converter to break it."""
    label_at = max((i for i, t in enumerate(cells) if t and not _figure(t)), default=None)
    label = cells[label_at] if label_at is not None else ""
    if header or label_at is None or len(label) < _BROKEN_BELOW:
        return [_line(cells)]
    half = len(label) // 2
    blanks = [""] * len(cells)
    if len(label) >= _BROKEN_ABOVE:  # the cells left of the label (a group's heading) start on the top row
        first = cells[:label_at] + [label[:half]] + blanks[label_at + 1:]
        return [_line(first), _line(blanks[:label_at] + [label[half:]] + cells[label_at + 1:])]
    rest = blanks[:label_at] + [label[half:]] + blanks[label_at + 1:]
    head = label[:half].replace("、", "、<br>")
    return [_line(cells[:label_at] + [head] + cells[label_at + 1:]), _line(rest)]


def _figure(text: str) -> bool:
    return text.replace(".", "", 1).isdigit() or text in ("—", "/", "无", "－")


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


SHAPES = {"dump_glued": dump_glued, "dump_spaced": dump_spaced, "cell_per_line": cell_per_line,
          "piped": piped, "markdown": markdown}
