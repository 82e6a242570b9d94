"""The three standard tables laid out as the official template prints them.

Every renderer (HTML, PDF, DOCX, text) draws from the same layout, built here
from ``extract.standard_format`` for either format version: a table is a list
of rows, each a list of ``Cell``s in the HTML sense (a cell with ``rowspan`` or
``colspan`` covers the positions to its right/below, which later rows skip).
``grid`` turns that into absolute positions for renderers that need them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from extract import standard_format as sf

CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_LABEL = "三、本年度办理结果"


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


def standard_tables(version: str, cells: dict[str, str],
                    labels: dict[str, str] | None = None) -> dict[int, list[list[Cell]]]:
    """Tables 2, 3 and 4 of ``version`` filled with the printed ``cells``; ``labels``
    swaps standard labels for the variants a report prints instead."""
    out = {2: table2(version, cells), 3: table3(version, cells), 4: table4(cells)}
    if labels:
        out = {n: [[replace(c, text=labels.get(c.text, c.text)) for c in row] for row in rows]
               for n, rows in out.items()}
    return out


def table2(version, cells):
    """主动公开: one block per 条例 item, each with its own header row.

    The table is as wide as the widest block; a block with fewer columns lets its
    last column span the rest, as the template does for 本年处理决定数量.
    """
    width = 1 + max(len(cols) for _, _, cols in sf.TABLE2[version])
    rows = []
    for item, item_rows, cols in sf.TABLE2[version]:
        last_span = width - len(cols)
        rows.append([Cell(item, colspan=width, header=True)])
        rows.append([Cell("信息内容", header=True)] + _spread(
            [Cell(c.label, header=True) for c in cols], last_span))
        for row in item_rows:
            rows.append([Cell(row.label)] + _spread(
                [Cell(cells[f"{row.key}.{c.suffix}"]) for c in cols], last_span))
    return rows


def _spread(cells, last_span):
    """Let the last cell of a block cover the columns the block does not use."""
    last = cells[-1]
    return cells[:-1] + [Cell(last.text, colspan=last_span, header=last.header)]


def table3(version, cells):
    """依申请: three label columns (the vertical 三、本年度办理结果, the result
    group, the item), then the six applicant columns and 总计."""
    applicants = sf.APPLICANT_COLUMNS
    legal = [c for c in applicants if c.suffix not in ("natural_person", "total")]
    rows = [
        [Cell(CORNER, rowspan=3, colspan=3, header=True),
         Cell("申请人情况", colspan=len(applicants), header=True)],
        [Cell(applicants[0].label, rowspan=2, header=True),
         Cell("法人或其他组织", colspan=len(legal), header=True),
         Cell(applicants[-1].label, rowspan=2, header=True)],
        [Cell(c.label, header=True) for c in legal],
    ]

    def values(row_key):
        return [Cell(cells[f"{row_key}.{c.suffix}"]) for c in applicants]

    results = sf.RESULT_ROWS[version]
    table_rows = sf.TABLE3_ROWS[version]
    first, last = table_rows.index(results[0]), table_rows.index(results[-1])
    for row in table_rows[:first]:
        rows.append([Cell(row.label, colspan=3)] + values(row.key))
    # 三、本年度办理结果 spans every result row and （七）总计.
    result_block = list(results) + [table_rows[last + 1]]
    seen_groups = set()
    for i, row in enumerate(result_block):
        lead = [Cell(RESULTS_LABEL, rowspan=len(result_block))] if i == 0 else []
        group = _group_of(row.key)
        if group is None:
            rows.append(lead + [Cell(row.label, colspan=2)] + values(row.key))
            continue
        if group not in seen_groups:
            seen_groups.add(group)
            size = sum(1 for r in result_block if _group_of(r.key) == group)
            lead.append(Cell(sf.RESULT_GROUPS[group], rowspan=size))
        rows.append(lead + [Cell(row.label)] + values(row.key))
    for row in table_rows[last + 2:]:
        rows.append([Cell(row.label, colspan=3)] + values(row.key))
    return rows


def _group_of(row_key):
    """The result group a row sits under, or None for a row of its own
    (（一）, （二）, （七）, and 2019's single （六）其他处理 row)."""
    group = row_key.rsplit(".", 1)[0]
    return group if group in sf.RESULT_GROUPS and group != row_key else None


def table4(cells):
    """复议/诉讼: 行政复议 over five outcome columns, 行政诉讼 over two groups of five."""
    outcomes = sf.APPEAL_OUTCOMES
    review, *litigation = sf.APPEAL_GROUPS
    top = litigation[0][1].split("·")[0]  # 行政诉讼
    rows = [
        [Cell(review[1], colspan=len(outcomes), header=True),
         Cell(top, colspan=len(outcomes) * len(litigation), header=True)],
        [Cell(o.label, rowspan=2, header=True) for o in outcomes]
        + [Cell(label.split("·")[1], colspan=len(outcomes), header=True) for _, label in litigation],
        [Cell(o.label, header=True) for _ in litigation for o in outcomes],
    ]
    rows.append([Cell(cells[f"{stem}.{o.suffix}"]) for stem, _ in sf.APPEAL_GROUPS for o in outcomes])
    return rows


def grid(rows: list[list[Cell]]) -> tuple[int, list[tuple[int, int, Cell]]]:
    """Place each cell at its (row, column); returns the width and the placements."""
    taken = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    width = max(c for _, c in taken) + 1
    return width, placed
