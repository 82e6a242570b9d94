"""The one table reader: finds tables 2, 3 and 4 in rows of cells, whatever the format.

Every reader (text, HTML, DOCX, PDF) produces rows of cells; this module decides the
format version from the header labels, matches each row's label to a row of
``standard_format`` and takes that row's values in column order. A row whose values
cannot be placed unambiguously yields nulls with a reason, never a guessed number.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from . import glued
from . import standard_format as sf
from .grid import Row
from .labels import core, flat, flat_holds, fold_lookalikes, has_ideograph_outside
from .numbers import is_value_like, parse_number

_FUZZY = 0.85  # similarity a label tail needs to count as a typo of a standard label
# and a label tail this long or longer with one character wrong is one (a soft scan read 属于国家秘密
# as 属于国家秘宝: 0.83 alike); no two standard labels are as near (tests/test_extract_ocr.py)
_ONE_WRONG = 5
_HEADER_LENGTH = 60  # a header cell is short; a sentence naming a header label is prose
_WRAP_LINES = 12  # label-only lines joined to the next row's label (a vertical label is one char each)
_WRAP_CHARS = 60  # a label's rest below its figures is no longer than the longest label


@dataclass
class Target:
    """A standard row as the reader looks for it: the keys its values go to, in order."""

    key: str
    keys: tuple[str, ...]
    cores: tuple[str, ...]


@dataclass
class Tables:
    """What the reader found: the record's figures, cells and null_reasons, and warnings."""

    figures: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)
    null_reasons: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    # glued rows the row's sums left ambiguous: (keys, the splits that fit, where, reason)
    ambiguous: list = field(default_factory=list)


def detect_version(rows: list[Row]) -> str:
    """"2021", "2019" or "pre2019", from the table header labels (not from the year)."""
    seen = [flat(c.text) for row in rows for c in row if len(c.text) < _HEADER_LENGTH]
    for version in sf.VERSIONS:
        if any(marker in text for marker in sf.VERSION_MARKERS[version] for text in seen):
            return version
    new_received = next(r for r in sf.TABLE3_ROWS["2021"] if r.key == "requests.new_received")
    if any(_match_score(core(_split(row)[0]), _cores(new_received)) for row in rows):
        return "2021" if any("逾期不补正" in flat(c.text) for row in rows for c in row) else "2019"
    return sf.PRE2019


def read_tables(rows: list[Row], version: str, missing_reason: str | None = None,
                breaks: Sequence[int] = ()) -> Tables:
    """Figures, printed cells and null reasons for every key of ``version``.

    ``missing_reason`` explains keys no row supplied when the reader knows part of the
    document was unreadable (a page without a text layer); ``breaks`` are the row indices
    where such a part was left out. Nothing read before a break is joined to what follows
    it, and after it the table is known again only from a heading or a row's own label."""
    if version not in sf.VERSIONS:
        return Tables()
    reader = _Reader(version, breaks)
    reader.read(rows)
    out = reader.out
    _fill_missing(out, version, reader.stray, missing_reason or "row not found in the document's tables")
    _settle_by_columns(out, version)
    _procurement_in_yuan(out, reader.procurement_scale, missing_reason)
    return out


class _Reader:
    """One pass down the rows; its state is what a person reading the tables keeps in mind:
    which table this is, the header's first value column, the 采购 unit, the start of a
    label wrapped above its values and a value row whose label may end below it."""

    def __init__(self, version: str, breaks: Sequence[int]):
        self.out = Tables()
        self.targets = _targets(version)
        self.table_of = _table_numbers(version)
        self.breaks = set(breaks)
        self.table = 0
        self.unsure = False  # after a break: the part left out may have opened the next table
        self.anchor: int | None = None  # grid column of the first value column, from the last header row
        self.found: set[str] = set()
        self.stray: list[str] = []  # labels of value rows that match no standard row
        self.procurement_in_10k: bool | None = False  # None: its header may have been in a part left out
        self.procurement_scale: bool | None = False  # the unit in force where the 采购 row was read
        self.wrapped: list[str] = []  # label-only lines just above: the start of a wrapped label
        self.pending: _Pending | None = None  # a value row whose label may end below it
        self.orphan = False  # the last value row had no label at all (its label may be the line below it)

    def read(self, rows: list[Row]) -> None:
        for index, row in enumerate(rows):
            if index in self.breaks:
                self.part_left_out()
            self.row(row)
        self.drop_pending()

    def part_left_out(self) -> None:
        self.drop_pending()
        self.wrapped, self.anchor, self.procurement_in_10k, self.unsure = [], None, None, True

    def drop_pending(self) -> None:
        """The row waiting for the rest of its label gets no more: its provisional row, or none."""
        pending, self.pending = self.pending, None
        if pending is None:
            return
        if pending.provisional is None:
            self.stray.append("".join(pending.lines))
            self.orphan = not pending.lines[-1].strip()  # figures left without a label of their own
            return
        wrapped = self.wrapped  # lines below it that did not go on with its label: the next row's start
        self.take(pending.provisional, "".join(pending.lines), pending.values)
        self.wrapped = wrapped

    def open_targets(self) -> list[Target]:
        return _open_targets(self.targets, self.table, self.unsure, self.found)

    def row(self, row: Row) -> None:
        start = _table_start(row)
        if start:
            self.table, self.unsure = start, False
        self.procurement_in_10k = _procurement_unit(row, self.procurement_in_10k)
        anchor = _anchor(row)
        if anchor is not None:  # column 0 holds labels: a first value header there means no grid columns
            self.anchor = anchor or None
        label, values = _split(row)
        if not (self.table or self.unsure) or (len(row) == 1 and not row[0].text.strip()):
            return  # before the tables, or an empty line (an empty grid row is a blank table row)
        label, values = _digits_off_label(label, values, self.open_targets())
        if (start or anchor is not None) and not values:
            self.drop_pending()
            # a header's words (…其他 总计) begin no row's label; table 4's name the groups below (table4_run)
            self.wrapped = [label] if start == 4 else []
            return
        if self.table == 4 and not label and self.table4_run(values):
            return
        if values:
            self.value_row(label, values)
        else:
            self.label_only(label)

    def table4_run(self, values: list[tuple[int, str]]) -> bool:
        """Table 4's fifteen figures in one row without a label (its usual print), or the figures of
        the groups the header just above names (table 4 printed as two tables: 行政复议's five
        figures under its header, then 行政诉讼's ten under theirs)."""
        if not self.found & _STEMS_4 and (_fit(values, 15, None) or glued.is_glued([t for _i, t in values], 15)):
            groups = self.targets[4]
        else:
            header = core("".join(self.wrapped))
            groups = [t for t in self.targets[4] if t.key not in self.found and any(c in header for c in t.cores)]
            if not groups or len(values) != len(groups) * len(sf.APPEAL_OUTCOMES):
                return False
        _assign(self.out, [k for t in groups for k in t.keys], values, "table 4 row", None)
        self.found |= {t.key for t in groups}
        self.wrapped = []
        return True

    def label_only(self, label: str) -> None:
        """The end of a label wrapped around its values (the row waiting below, its label going on
        over as many lines as its cell is narrow), or a start of the next row's label."""
        if not label:
            return
        pending = self.pending
        if pending:
            candidates = self.open_targets()
            below = pending.below + [label]
            found = _whole_label(pending.lines + below, candidates)
            if found and not _whole_label(below, [found[0]]):
                # the row's own words are needed: the lines below alone may be the next row's label
                self.pending = None
                self.take(found[0], found[1], pending.values)
                return
            if pending.provisional is not None and not _begins_longer(core("".join(pending.lines + below)),
                                                                      candidates):
                self.drop_pending()  # "（六）其他处理" whole: the line below starts the next row
            elif len("".join(below)) <= _WRAP_CHARS:
                pending.below = below
        self.wrapped.append(label)

    def value_row(self, label: str, values: list[tuple[int, str]]) -> None:
        """A row with value cells: its label alone, or joined to the lines above, names its row."""
        self.drop_pending()
        candidates = self.open_targets()
        blank = not any(text.strip() for _i, text in values)
        target = _best_target(core(label), candidates) if label else None
        lines = self.wrapped[-_WRAP_LINES:] + [label]
        orphan, self.orphan = self.orphan, False
        if target is None and not blank and self.wrapped:
            # the label began on the lines above ("（二）部分公开（…只计这一情" / "形，不计其他情形） 0 0 …").
            # Those lines may also end the row above (a borderless table prints a label's rest below its
            # figures), so only a whole label counts, never a near one: "…禁止公开" + "3.危" is no row.
            target, label = _whole_label(lines, candidates) or (None, label)
            if target is not None and orphan and not "".join(lines[-1:]).strip():
                # figures, a label, figures: the label is the first figures' (printed below them, as a
                # borderless table may) as much as these (printed above): not guessed
                self.wrapped = []
                self.found.add(target.key)
                _null_row(self.out, list(target.keys), f"row {label!r} stands between two rows of figures "
                                                       "without a label of their own; which is its own is not "
                                                       "known; not guessed")
                self.orphan = True  # these figures are left without a label too
                return
        if target is None:
            if self.table < 4 and not blank and "".join(lines):
                # maybe the label goes on below the values ("5.要求…重新出" / "1 0 …" / "具已获取信息").
                # Values with no label begun above them are not: one figure a line under its label
                # (pdftotext) would hand each row the figures of the row above.
                self.pending = _Pending(lines, values)
            self.orphan = not "".join(lines).strip()
            self.wrapped = []
            return
        if blank and not _only_row_label(core(label), target):
            self.wrapped = []
            return  # a header row ending in a column label such as 总计, not a blank data row
        if self.table < 4 and _begins_longer(core(label), candidates):
            # "2.其他" is the row 其他 (2021's （六）3.其他) or the start of "2.其他法律行政法规禁止公开"
            # wrapped in a narrow cell below its figures: the lines below tell
            self.wrapped = []
            self.pending = _Pending([label], values, provisional=target)
            return
        self.take(target, label, values)

    def take(self, target: Target, label: str, values: list[tuple[int, str]]) -> None:
        """The row's values go to the target's keys."""
        self.wrapped = []
        self.found.add(target.key)
        self.table, self.unsure = self.table_of[target.key], False
        if _PROCUREMENT_AMOUNT in target.keys:
            self.procurement_scale = self.procurement_in_10k
        _assign(self.out, list(target.keys), values, label, self.anchor)


@dataclass
class _Pending:
    """A value row whose label may go on below its figures (a narrow cell wraps it there)."""

    lines: list[str]  # its label as printed on the figures' line, after the label-only lines above it
    values: list
    below: list[str] = field(default_factory=list)  # the label-only lines read below it so far
    provisional: Target | None = None  # the row its label names if nothing follows


def _whole_label(lines: list[str], candidates: list[Target]) -> tuple[Target, str] | None:
    """(row, label) when the lines joined end with a whole label of a row (no near match); also
    with the words (cells) dropped that are pieces of a group heading printed in the column
    beside ("（六）其" / "2、申请人逾期未按收费通知要" / "他处理" / "求缴纳费用…"; "不予公 国家秘")."""
    for kept in (lines, [" ".join(w for w in line.split() if not _group_piece(w)) for line in lines]):
        label = "".join(kept)
        target = _best_target(core(label), candidates, fuzzy=False)
        if target is not None:
            return target, label
    return None


def _group_piece(line: str) -> bool:
    key = core(line)
    return bool(key) and any(key in group for group in _GROUP_CORES)


def _begins_longer(label: str, candidates: list[Target]) -> bool:
    """The label ends with the start of a longer label of a row still to find ("果2.其他": a
    vertical heading's character, then the start of 其他法律行政法规禁止公开)."""
    starts, longest = _label_starts()
    keys = {t.key for t in candidates}
    for n in range(2, min(len(label), longest) + 1):
        rows = starts.get(label[-n:])
        if rows and not keys.isdisjoint(rows):
            return True
    return False


@lru_cache(maxsize=1)
def _label_starts() -> tuple[dict[str, set[str]], int]:
    """Each proper start (two characters or more) of a row label's core → the rows it starts;
    and the longest start."""
    out: dict[str, set[str]] = {}
    for version in sf.VERSIONS:
        for targets in _targets(version).values():
            for target in targets:
                for c in target.cores:
                    for n in range(2, len(c)):
                        out.setdefault(c[:n], set()).add(target.key)
    return out, max(map(len, out))


def _open_targets(targets: dict[int, list[Target]], table: int, unsure: bool, found: set[str]) -> list[Target]:
    """The rows still to find in the current table; after a break, in it or any later table."""
    tables = range(max(table, 2), 5) if unsure else (table,)
    return [t for n in tables for t in targets.get(n, ()) if t.key not in found]


@lru_cache(maxsize=None)  # one per version, asked for by every document
def _table_numbers(version: str) -> dict[str, int]:
    """The table (2, 3, 4) of each standard row, by its key."""
    return {t.key: n for n, members in _targets(version).items() for t in members}


def _procurement_in_yuan(out: Tables, in_10k: bool | None, missing_reason: str | None) -> None:
    """采购总金额 in 元: × 10000 under a 万元 header; null when the header was in a part left out."""
    value = out.figures.get(_PROCUREMENT_AMOUNT)
    if value is None or in_10k is False:
        return
    if in_10k:
        out.figures[_PROCUREMENT_AMOUNT] = _times_10k(value)
        return
    out.figures[_PROCUREMENT_AMOUNT] = None
    out.null_reasons[_PROCUREMENT_AMOUNT] = (f"unit (元 or 万元) unknown: the column header was not read; "
                                             f"{missing_reason}")


# 2019 format: 采购总金额 is recorded in 元; a header printing it in 万元 is converted.
_PROCUREMENT_AMOUNT = "active.procurement.amount_yuan"


def _procurement_unit(row: Row, current: bool) -> bool:
    """Whether the 采购总金额 column is in 万元, updated from a header row that states it."""
    header = next((c.text for c in row if flat_holds(c.text, "采购总金额")), None)
    return current if header is None else flat_holds(header, "万元")


def _times_10k(value: int | float) -> int | float:
    scaled = round(value * 10000, 6)
    return int(scaled) if float(scaled).is_integer() else scaled


@lru_cache(maxsize=None)  # one per version, asked for by every document; never modified
def _targets(version: str) -> dict[int, list[Target]]:
    """Standard rows grouped by table, each with its value keys in printed column order."""
    out: dict[int, list[Target]] = {2: [], 3: [], 4: []}
    for _item, rows, columns in sf.TABLE2[version]:
        for row in rows:
            out[2].append(Target(row.key, tuple(f"{row.key}.{c.suffix}" for c in columns), _cores(row)))
    for row in sf.TABLE3_ROWS[version]:
        out[3].append(Target(row.key, tuple(f"{row.key}.{c.suffix}" for c in sf.APPLICANT_COLUMNS), _cores(row)))
    for stem, label in sf.APPEAL_GROUPS:
        out[4].append(Target(stem, tuple(f"{stem}.{o.suffix}" for o in sf.APPEAL_OUTCOMES),
                             (core(label.split("·")[-1]),)))
    return out


def _cores(row: sf.Row) -> tuple[str, ...]:
    return tuple(core(x) for x in (row.label,) + row.aliases)


def _table_start(row: Row) -> int:
    """2, 3 or 4 when the row is a header that opens that table, else 0."""
    texts = {flat(c.text) for c in row if len(c.text) < _HEADER_LENGTH}
    if any(t.startswith("第二十条") or any(m in t for m in _MARKERS) for t in texts):
        return 2
    if {fold_lookalikes(t) for t in texts} & _TABLE3_HEADERS:
        return 3
    if "行政复议" in texts and ("行政诉讼" in texts or texts & {"结果维持", "总计"} or len(texts) == 1):
        return 4  # (行政复议 alone: the heading of table 4 printed as two tables)
    return 0


_TABLE3_HEADERS = {fold_lookalikes(t) for t in ("申请人情况", "自然人")}  # as a scan may read them too
_STEMS_4 = {stem for stem, _label in sf.APPEAL_GROUPS}
_MARKERS = {m for markers in sf.VERSION_MARKERS.values() for m in markers}


def _split(row: Row) -> tuple[str, list[tuple[int, str]]]:
    """(label, [(grid column, text)] of value cells).

    The label is every cell up to the last one that is not a figure; copies of a spanned
    value cell are skipped so that a value is taken once."""
    last_label = max((i for i, c in enumerate(row) if not is_value_like(c.text)), default=-1)
    parts: list[str] = []
    for c in row[: last_label + 1]:
        if c.text and (not parts or parts[-1] != c.text):  # a column span repeats its text
            parts.append(c.text)
    label = " ".join(parts)
    values = [(i, c.text) for i, c in enumerate(row) if i > last_label and not c.copy]
    return label, values


# Headers of the first value column of a block (本年制发件数, 自然人 …): where a grid's values start.
FIRST_VALUE_HEADERS = {core(cols[0].label) for _v in sf.VERSIONS for _i, _r, cols in sf.TABLE2[_v]} | {
    core(sf.APPLICANT_COLUMNS[0].label)}


_TRAILING_DIGITS = re.compile(r"^(.*[^\d\s.,、])(\d+)$")


def _digits_off_label(label: str, values: list[tuple[int, str]], candidates: list[Target]):
    """"行政规范性文件693665" → ("行政规范性文件", ["693665", …]): figures glued to their label
    in a page dump. Only for a label that is a standard row's once the digits are off."""
    m = _TRAILING_DIGITS.match(label)
    if not m or _best_target(core(m.group(1)), candidates) is None:
        return label, values
    return m.group(1), [(-1, m.group(2))] + values


def _anchor(row: Row) -> int | None:
    """Grid column of a header row's first value column (自然人, 本年制发件数 …), if it has one."""
    return next((i for i, c in enumerate(row) if not c.copy and is_first_value_header(c.text)), None)


# Those headers as a scan may read them (白然人), the ideographs they are made of either way, and
# the numerals core() may drop.
_FOLDED_FIRST_VALUE_HEADERS = {fold_lookalikes(header) for header in FIRST_VALUE_HEADERS}
_FIRST_VALUE_IDEOGRAPHS = "".join(FIRST_VALUE_HEADERS | _FOLDED_FIRST_VALUE_HEADERS) + "一二三四五六七八九十"


def is_first_value_header(text: str) -> bool:
    """Whether the text's core is one of FIRST_VALUE_HEADERS (or as a scan may read it); a text
    with other ideographs (a label, a page dump's whole line) is known not to be without
    normalising it."""
    return (not has_ideograph_outside(text, _FIRST_VALUE_IDEOGRAPHS)
            and fold_lookalikes(core(text)) in _FOLDED_FIRST_VALUE_HEADERS)


def _fit(values: list[tuple[int, str]], n: int, anchor: int | None) -> list[str] | None:
    """The ``n`` value texts of a row, or None when they cannot be placed for certain.

    Flattened text pads rows with empty fields where merged cells were, so a row may have
    more cells than columns. Empty cells are dropped from the ends when only one way of
    dropping them is possible; otherwise the header's column position decides; otherwise
    the row is ambiguous (a blank value and a spacer look the same)."""
    texts = [t for _i, t in values]
    extra = len(texts) - n
    if extra < 0:
        return None
    if extra == 0:
        return texts
    leading = next((i for i, t in enumerate(texts) if t.strip()), len(texts))
    trailing = next((i for i, t in enumerate(reversed(texts)) if t.strip()), len(texts))
    options = {tuple(texts[i: i + n]) for i in range(max(0, extra - trailing), min(extra, leading) + 1)}
    if len(options) == 1:
        return list(options.pop())
    if anchor is not None:
        placed = [t for i, t in values if anchor <= i < anchor + n]
        rest = [t for i, t in values if not anchor <= i < anchor + n]
        if len(placed) == n and not any(t.strip() for t in rest):
            return placed
    return None


def _assign(out: Tables, keys: list[str], values: list[tuple[int, str]], where: str, anchor: int | None) -> None:
    texts: list[str | None] | None = _fit(values, len(keys), anchor)
    reason = None
    if texts is None and glued.is_glued([t for _i, t in values], len(keys)):
        texts, reason = _unglue(out, [t for _i, t in values], keys, where)
    if texts is None:
        _null_row(out, keys, reason or f"row {where!r} has {len(values)} value cells for {len(keys)} columns; "
                                       "cannot tell which cell belongs to which column")
        return
    for key, text in zip(keys, texts):
        value, why = parse_number(text) if text is not None else (None, reason)
        out.figures[key] = value
        out.cells[key] = text
        if value is None:
            out.null_reasons[key] = why


def _unglue(out: Tables, texts: list[str], keys: list[str], where: str) -> tuple[list[str | None] | None, str | None]:
    """The cells of a row whose figures run together, split by the row's sums: a cell is
    None where the splits that fit disagree on it (a reading with a blank cell is one of
    them), and a row no split fits is None; the reason says which."""
    groups = glued.groups_for(keys)
    printed = " ".join(texts)
    found = glued.split(texts, groups)
    if found.count == 0:
        sums = (" whose 总计 is the sum of the others (the printed row breaks its sum?)"
                if any(g.total for g in groups) else f" of at most {glued.FIGURE_DIGITS} digits")
        return None, f"figures printed together ({printed!r}) fit no split into {len(keys)} cells{sums}; not guessed"
    if found.parts is not None:
        out.warnings.append({"stage": "tables", "message": f"row {where!r}: figures printed together ({printed!r}) "
                                                           f"split as {'|'.join(found.parts)}, the only split the "
                                                           "row's sums allow"})
        return found.parts, None
    shown = " or ".join("|".join(cell or "(blank)" for cell in p) for p in found.examples)
    blank = ", and a cell may be blank (printed as nothing)" if found.blank_fits else ""
    reason = (f"figures printed together ({printed!r}) split more than one way into {len(keys)} cells "
              f"({shown}{' …' if found.count > 2 else ''}){blank}; not guessed")
    out.ambiguous.append((keys, found.options, where, reason))
    return found.cells, reason


def _settle_by_columns(out: Tables, version: str) -> None:
    """An ambiguous glued row whose splits all fit its own sum but only one of which fits
    the column identities (table 3's balance and results sums) with the rest of the table
    is that one. Rows are settled one at a time; a row no identity decides stays null."""
    for keys, options, where, reason in out.ambiguous:
        related = [i for i in sf.identities(version) if set(keys) & set(i.lhs + i.rhs)]
        fitting = [option for option in options if _fits(out.figures, dict(zip(keys, option)), related)]
        if len(fitting) != 1:
            out.warnings.append({"stage": "tables", "message": f"row {where!r}: {reason}"})
            continue
        for key, text in zip(keys, fitting[0]):
            (out.figures[key], why), out.cells[key] = parse_number(text), text
            out.null_reasons.pop(key, None)
            if why:
                out.null_reasons[key] = why  # a blank cell
        shown = "|".join(cell or "(blank)" for cell in fitting[0])
        out.warnings.append({"stage": "tables", "message": f"row {where!r}: split as {shown}, the only "
                                                           "split its columns' identities allow"})


def _fits(figures: dict, trial: dict, identities) -> bool:
    """No identity that the trial values make decidable fails."""
    for ident in identities:
        operands = [(int(trial[k]) if trial[k] else None) if k in trial else figures.get(k)
                    for k in ident.lhs + ident.rhs]
        if any(v is None for v in operands):
            continue
        lhs, rhs = sum(operands[: len(ident.lhs)]), sum(operands[len(ident.lhs):])
        if abs(lhs - rhs) > 1e-6:
            return False
    return True


def _null_row(out: Tables, keys: list[str], reason: str) -> None:
    for key in keys:
        out.figures[key], out.cells[key], out.null_reasons[key] = None, None, reason
    out.warnings.append({"stage": "tables", "message": reason})


def _best_target(label: str, candidates: list[Target], fuzzy: bool = True) -> Target | None:
    """The standard row whose label the printed label ends with (longest wins); else, with
    ``fuzzy``, a close typo."""
    scored = [(_match_score(label, t.cores), t) for t in candidates]
    scored = [(s, t) for s, t in scored if s >= 1 or fuzzy and s]
    return max(scored, key=lambda st: st[0])[1] if scored else None


# Group headings that may precede a table-3 row label (from row spans or flattened text),
# and the characters of the vertical 三、本年度办理结果 that a PDF row may pick up.
_GROUP_CORES = tuple(core(g) for g in sf.RESULT_GROUPS.values()) + (core("三、本年度办理结果"),)
_VERTICAL_CHARS = set(core("三、本年度办理结果"))


def _only_row_label(label: str, target: Target) -> bool:
    """True when the label is the target's own label, with at most group headings before it.

    A row with nothing but blanks is a blank data row only then; a header row such as
    "… 其他 总计" merely ends with a row label."""
    for c in target.cores:
        if label.endswith(c):
            prefix = label[: len(label) - len(c)]
            for group in _GROUP_CORES:
                prefix = prefix.replace(group, "")
            if set(prefix) <= _VERTICAL_CHARS:
                return True
    return False


@lru_cache(maxsize=1 << 16)  # the same printed labels recur in every report of a batch
def _match_score(label: str, cores: tuple[str, ...]) -> float:
    """Length of the matched core (exact suffix) or a fraction below 1 for a fuzzy tail match."""
    exact = [len(c) for c in cores if c and label.endswith(c)]
    if exact:
        return max(exact)
    # look-alike ideographs folded: a scanned label's confidently misread stroke is not a typo
    best = max((SequenceMatcher(None, fold_lookalikes(label[-len(c):]), fold_lookalikes(c)).ratio()
                for c in cores if len(c) >= 4), default=0)
    if best >= _FUZZY:
        return best * 0.99
    one_wrong = [len(c) for c in cores if len(c) >= _ONE_WRONG and len(label) >= len(c)
                 and sum(a != b for a, b in zip(fold_lookalikes(label[-len(c):]), fold_lookalikes(c))) == 1]
    return 0.99 * (max(one_wrong) - 1) / max(one_wrong) if one_wrong else 0


def _fill_missing(out: Tables, version: str, stray: list[str], reason: str) -> None:
    """Null, with a reason, every key no row supplied."""
    combined_other = [s for s in stray if core(s).endswith("其他处理")]
    for key in sf.keys(version):
        if key in out.figures:
            continue
        out.figures[key], out.cells[key] = None, None
        if combined_other and key.startswith("requests.other_handling."):
            out.null_reasons[key] = ("the report prints one combined （六）其他处理 row "
                                     "instead of the 2021 format's three sub-rows")
        else:
            out.null_reasons[key] = reason
    for label in stray:
        out.warnings.append({"stage": "tables", "message": f"row {label!r} matches no standard row"})
