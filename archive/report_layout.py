"""Tables 2–4 of one report laid out as the national format prints them, for the report page.

Pure: the archived figures in, rows of cells out (no database, no HTML). Rows, columns and
labels come from ``extract.standard_format``; each cell says what to show — the number with
thousands separators, or, when no number was read, the text as printed (blank stays blank,
``—`` stays ``—``) — whether OCR recognised it from a picture of the page rather than read it
from a text layer, and which failed checks it takes part in, with their two sides.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extract import standard_format as fmt


@dataclass(frozen=True)
class Figure:
    value: int | float | None
    printed: str | None
    null_reason: str | None
    ocr: bool = False  # recognised by OCR (docs/ocr.md), not read from a text layer


@dataclass(frozen=True)
class FailedCheck:
    name: str
    rule: str
    lhs: int | float | None
    rhs: int | float | None
    keys: tuple[str, ...]

    @property
    def sides(self) -> str:
        return f"{number(self.lhs)} ≠ {number(self.rhs)}"


@dataclass
class ShownCell:
    key: str
    text: str  # what the page shows
    read: bool  # a number was read
    note: str = ""  # why no number, or the failed checks
    failed: list[FailedCheck] = field(default_factory=list)
    ocr: bool = False  # recognised by OCR: an archivist tells it from a number read


@dataclass
class ShownRow:
    label: str
    cells: list[ShownCell]  # empty for a heading row (三、本年度办理结果, （三）不予公开 …)
    indent: int = 0


@dataclass
class ShownTable:
    number: int
    title: str
    header: list[list[tuple[str, int, int]]]  # header rows of (label, colspan, rowspan)
    rows: list[ShownRow]
    width: int  # number cells in the widest row
    labelled: bool = True  # rows start with their label (table 4's single row has none)


TITLES = {2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
          4: "四、政府信息公开行政复议、行政诉讼情况"}


def number(value) -> str:
    """``12,345``; money keeps its decimals (``2,126.5``); no number is an empty string."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,}"
    return f"{int(value):,}"


def tables(version: str, figures: dict[str, Figure], failed: list[FailedCheck]) -> list[ShownTable]:
    """Tables 2, 3 and 4 of a report of ``version`` (none for a format without tables)."""
    if version not in fmt.VERSIONS:
        return []
    by_key: dict[str, list[FailedCheck]] = {}
    for check in failed:
        for key in check.keys:
            by_key.setdefault(key, []).append(check)

    def cell(key: str) -> ShownCell:
        figure = figures.get(key, Figure(None, None, "not in the archive"))
        checks = by_key.get(key, [])
        notes = [f"{c.name}: {c.sides}" for c in checks]
        if figure.value is None:
            notes.insert(0, figure.null_reason or "")
        if figure.ocr:
            notes.append("recognised by OCR")
        return ShownCell(key, number(figure.value) if figure.value is not None else (figure.printed or ""),
                         figure.value is not None, "; ".join(n for n in notes if n), checks, figure.ocr)

    return [_table2(version, cell), _table3(version, cell), _table4(cell)]


def _table2(version, cell) -> ShownTable:
    rows, width = [], max(len(columns) for _, _, columns in fmt.TABLE2[version])
    for item, item_rows, columns in fmt.TABLE2[version]:
        # Each 条例 item prints its own column headings: a heading row, then its rows.
        rows.append(ShownRow(item, [], 0))
        rows.append(ShownRow("", [ShownCell("", c.label, False) for c in columns]))
        rows += [ShownRow(r.label, [cell(f"{r.key}.{c.suffix}") for c in columns], 1) for r in item_rows]
    return ShownTable(2, TITLES[2], [], rows, width)


def _table3(version, cell) -> ShownTable:
    organisations = [c for c in fmt.APPLICANT_COLUMNS if c.suffix not in ("natural_person", "total")]
    header = [[("", 1, 3), ("申请人情况", len(fmt.APPLICANT_COLUMNS), 1)],
              [("自然人", 1, 2), ("法人或其他组织", len(organisations), 1), ("总计", 1, 2)],
              [(c.label, 1, 1) for c in organisations]]
    rows, headed = [], set()
    results = {r.key for r in fmt.RESULT_ROWS[version]}
    for row in fmt.TABLE3_ROWS[version]:
        if row.key in results and not headed:
            rows.append(ShownRow("三、本年度办理结果", []))
            headed.add("results")
        group = next((g for g in fmt.RESULT_GROUPS if row.key.startswith(g + ".")), None)
        if group and group not in headed:
            rows.append(ShownRow(fmt.RESULT_GROUPS[group], [], 1))
            headed.add(group)
        indent = 2 if group else 1 if row.key in results or row.key == "requests.handled_total" else 0
        rows.append(ShownRow(row.label, [cell(f"{row.key}.{c.suffix}") for c in fmt.APPLICANT_COLUMNS], indent))
    return ShownTable(3, TITLES[3], header, rows, len(fmt.APPLICANT_COLUMNS))


def _table4(cell) -> ShownTable:
    review, *litigation = fmt.APPEAL_GROUPS
    outcomes = fmt.APPEAL_OUTCOMES
    header = [[("行政复议", len(outcomes), 2), ("行政诉讼", len(outcomes) * len(litigation), 1)],
              [(label.split("·")[-1], len(outcomes), 1) for _, label in litigation],
              [(o.label, 1, 1) for _ in fmt.APPEAL_GROUPS for o in outcomes]]
    row = ShownRow("", [cell(f"{stem}.{o.suffix}") for stem, _ in fmt.APPEAL_GROUPS for o in outcomes])
    return ShownTable(4, TITLES[4], header, [row], len(row.cells), labelled=False)
