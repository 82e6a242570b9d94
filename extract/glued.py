"""Split figures printed with no separator ("693665", "480000048") back into cells.

Page dumps glue adjacent cells together. The cut points are recovered only where the
format fixes them: a row of table 3 ends in its 总计, the sum of the six applicant
columns; each group of table 4 ends in its 总计, the sum of its four outcomes. Numbers
are printed without leading zeros. A blank cell prints nothing, so a run may also hold
fewer figures than the row has cells: in a row without a total (table 2's), every reading
with blank cells is a split too; in a row of groups closed by their 总计, a reading with one
blank cell (counting 0 in its sum) is (a row with two blank cells is not foreseen: allowed,
they would make most runs of zeros ambiguous).
Where a run splits more than one way under those rules, a cell is known only if every
split gives it the same digits at the same place; the table reader may still settle the
row with the column identities (tables.py), else leaves the others null. Nothing is
guessed: "146" under 本年制发 | 本年废止 | 现行有效 (no total) is 1|4|6 as much as
(blank)|1|46, so all three are null.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

_DIGITS = re.compile(r"^\d+$")
_LIMIT = 64  # splits looked at; past this many nothing is taken as known
# Blank cells a reading may give a row of groups closed by their 总计: one. Two or more make most
# runs of zeros ambiguous (0|0|0|0|0 · 30|0|0|(blank)|30 · 0|0|0|(blank)|0 for "000003000300000").
_BLANKS_IN_SUMS = 1
# No figure of the tables has more digits (a trillion requests, or yuan): a longer run of digits
# is no row of glued figures, and the search is never handed one (it is quadratic in the digits).
FIGURE_DIGITS = 12


@dataclass(frozen=True)
class Group:
    """``size`` consecutive cells; with ``total``, the last is the sum of the others."""

    size: int
    total: bool


@dataclass
class Split:
    cells: list[str | None]  # each cell's digits ("" blank) where every split agrees on them, else None
    count: int  # splits found (0, 1, …; _LIMIT means "that many or more")
    options: list[list[str]]  # every split found (empty when there were too many); "" is a blank cell

    @property
    def examples(self) -> list[list[str]]:
        """Two splits to show in a reason: the first two, or the first and the first with a
        blank cell, so that the reason says when a blank cell is one of the readings."""
        first_blank = next((o for o in self.options if "" in o), None)
        if first_blank is None or first_blank in self.options[:2]:
            return self.options[:2]
        return [self.options[0], first_blank]

    @property
    def blank_fits(self) -> bool:
        """Whether a reading with a blank cell is among the splits."""
        return any("" in o for o in self.options)

    @property
    def parts(self) -> list[str] | None:
        """The cells, when exactly one split fits."""
        return self.cells if self.count == 1 else None


def groups_for(keys: list[str]) -> list[Group]:
    """The row's structure from its keys: a ``.total`` key closes a sum group."""
    out: list[Group] = []
    size = 0
    for key in keys:
        size += 1
        if key.endswith(".total"):
            out.append(Group(size, True))
            size = 0
    if size:
        out.append(Group(size, False))
    return out


def is_glued(texts: list[str], n: int) -> bool:
    """Fewer cells than columns, every one plain digits, and digits enough for every
    column: figures run together."""
    cleaned = [t.strip() for t in texts]
    return (0 < len(cleaned) < n and all(_DIGITS.match(t) for t in cleaned)
            and n <= sum(map(len, cleaned)) <= n * FIGURE_DIGITS)


def split(texts: list[str], groups: list[Group]) -> Split:
    """The ways the cells' digits split into the groups' cells, blank cells included (cell
    borders that are printed are kept: no figure straddles two printed cells)."""
    digits = "".join(t.strip() for t in texts)
    n = sum(g.size for g in groups)
    if len(digits) > n * FIGURE_DIGITS:
        return Split([None] * n, 0, [])
    at, cuts = 0, []
    for t in texts[:-1]:
        at += len(t.strip())
        cuts.append(at)
    borders = frozenset(cuts)
    found: list[list[str]] = []
    for parts in _search(digits, borders, 0, tuple(groups), _BLANKS_IN_SUMS):
        found.append(parts)
        if len(found) == _LIMIT:
            break
    if not found or len(found) == _LIMIT:
        return Split([None] * n, len(found), [] if found else found)
    placed = [_placed(parts) for parts in found]
    first = placed[0]
    cells = [first[i][1] if all(q[i] == first[i] for q in placed) else None for i in range(n)]
    return Split(cells, len(found), found)


def _placed(parts: list[str]) -> list[tuple[int, str]]:
    """Each part with its offset in the digits: the same digits elsewhere are another cell."""
    out, at = [], 0
    for part in parts:
        out.append((at, part))
        at += len(part)
    return out


def _number(digits: str, a: int, b: int, borders: frozenset[int]) -> bool:
    """digits[a:b] is one printed number: no leading zero, not across a printed border."""
    return (0 < b - a <= FIGURE_DIGITS and (digits[a] != "0" or b - a == 1)
            and not (borders and any(a < c < b for c in borders)))


def _search(digits: str, borders: frozenset[int], pos: int, groups: tuple[Group, ...], blanks: int = 0):
    """Splits of digits[pos:] into the groups; ``blanks``: blank cells the groups closed by a
    total may still have."""
    if not groups:
        if pos == len(digits):
            yield []
        return
    group, rest = groups[0], groups[1:]
    if not group.total:
        yield from (parts + tail for parts, end in _free(digits, borders, pos, group.size, last=not rest)
                    for tail in _search(digits, borders, end, rest, blanks))
        return
    # the group's total ends somewhere after its parts (the last group's at the end of the
    # digits); its parts (one of them may be blank) must add up to it
    least = sum(g.size for g in rest) - blanks  # digits the groups after it need at least
    for end in ([len(digits)] if not rest else range(pos + group.size - 1, len(digits) - least + 1)):
        for start in range(pos + group.size - 2, end):
            if not _number(digits, start, end, borders):
                continue
            if (start - pos) > (group.size - 1) * (end - start):
                continue  # more digits before the total than its parts, none longer than it, can hold
            total = int(digits[start:end])
            for parts in _summing(digits, borders, pos, start, group.size - 1, total, blanks):
                for tail in _search(digits, borders, end, rest, blanks - parts.count("")):
                    yield parts + [digits[start:end]] + tail


def _summing(digits: str, borders: frozenset[int], a: int, b: int, k: int, target: int, blanks: int):
    """digits[a:b] as k cells adding up to ``target``, up to ``blanks`` of them blank ("", counting
    0): k numbers, then fewer with the blanks in every place among them."""
    for j in range(min(blanks, k) + 1):
        for numbers in _numbers(digits, borders, a, b, k - j, target):
            yield from _with_blanks(numbers, k)


def _numbers(digits: str, borders: frozenset[int], a: int, b: int, k: int, target: int):
    """digits[a:b] as k numbers adding up to ``target`` (each at most ``target``)."""
    if k == 0:
        if a == b and target == 0:
            yield []
        return
    longest = len(str(target))
    if not k <= b - a <= k * longest:
        return  # too few digits for k numbers, or too many for k numbers no longer than the target
    for end in range(a + 1, min(b, a + longest) + 1):
        if not _number(digits, a, end, borders):
            continue
        value = int(digits[a:end])
        if value > target:
            break
        for tail in _numbers(digits, borders, end, b, k - 1, target - value):
            yield [digits[a:end]] + tail


def _free(digits: str, borders: frozenset[int], pos: int, k: int, last: bool):
    """(parts, end) for k cells from ``pos``, blank ones included, with no sum to meet; the
    last group runs to the end of the digits."""
    ends = [len(digits)] if last else range(pos, len(digits) + 1)
    for end in ends:
        for parts in _compositions(digits, borders, pos, end, k):
            yield parts, end


def _compositions(digits: str, borders: frozenset[int], a: int, b: int, k: int):
    """digits[a:b] as k cells: k numbers, then fewer with blanks ("") in every place among them."""
    for j in range(k + 1):
        for numbers in _split_numbers(digits, borders, a, b, k - j):
            yield from _with_blanks(numbers, k)


def _with_blanks(numbers: list[str], k: int):
    """The numbers as k cells, the blank ones ("") in every place they may take, the last first."""
    for places in reversed(list(combinations(range(k), k - len(numbers)))):
        figures = iter(numbers)
        yield ["" if i in places else next(figures) for i in range(k)]


def _split_numbers(digits: str, borders: frozenset[int], a: int, b: int, k: int):
    """digits[a:b] as k numbers."""
    if k == 0:
        if a == b:
            yield []
        return
    if not k <= b - a <= k * FIGURE_DIGITS:
        return
    for end in range(a + 1, b - k + 2):
        if _number(digits, a, end, borders):
            for tail in _split_numbers(digits, borders, end, b, k - 1):
                yield [digits[a:end]] + tail
