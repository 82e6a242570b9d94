"""Rows of the standard tables found in linear text by the format's own labels.

Text a crawler, a web archive, a PDF or OCR converter writes keeps a report's cells in
order but not its rows: the whole page on one line (labels glued to their figures), one
cell per line, cells between `` | ``, pdftotext's layout. Line breaks cannot be trusted, so
this reader cuts the stream wherever a label of ``standard_format`` begins — a row label
(as printed in either format, with its aliases and numbering, even wrapped over lines) or
a header word (第二十条第（一）项, 本年制发件数, 申请人情况, 结果维持 …) — and reads the
figures printed right after each label. A number followed by a measure word (``2023年``,
``107条``) is prose, not a cell. The rows go to the one table reader (``tables.py``), which
knows which label belongs to which table and splits glued figures by the identities.

A label matches with whitespace and punctuation anywhere between its characters (so a label
wrapped over lines or printed with other brackets still matches); the figures are read
where spaces, pipes or tabs separate cells, each cell as printed. A long row label cut short by its own
figures (layout text wraps a label above and below them) is known by a prefix only it has.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import standard_format as sf
from .grid import Cell, Row
from .labels import core
from .layout import page_number_forms
from .limits import LIMITS
from .numbers import is_value_like
from .tables import FIRST_VALUE_HEADERS

_MIN_PREFIX = 8  # characters of a long row label that identify it when it is cut short
# What the matcher ignores: whitespace, punctuation, pipes (labels._PUNCT plus | and ：).
_IGNORED = re.compile(r"[\s()（）\[\]【】、.,，:：;；“”\"'‘’「」『』·•\-—_/／|]+")
_ENUMERATOR = re.compile(r"^(?:[(（]\s*([一二三四五六七八九十]+)\s*[)）]|([一二三四五六七八九十]+)\s*[、.．]|(\d+)\s*[.、．)])")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")  # a row's figures do not run on past an empty line
# A page number a PDF's text prints between rows ("- 3 -", "第 3 页", "3/12"): not a figure.
_PAGE_NUMBER = re.compile(r"^[ \t\u3000]*(?:[-—–][ \t]*\d+[ \t]*[-—–]|" + page_number_forms(r"[ \t]") + r")[ \t\u3000]*$",
                          re.M)
_CLOSING = ")]）】”’」』"
# A figure in the text: digits (thousands separators, decimals) not followed by a measure
# word on the same line (then it is prose: 2023年, 107条, 3 项, 21.02%); or a printed stand-in
# for no figure, also with the next figure glued to it (a page dump's "379—4557"; "-5" is a
# figure, read by the first branch). (On the next line a measure word may be a vertical
# label's 年 of 本年度.)
_MEASURE = "年月日时条件个份项次人元万亿%％余多家名篇期天号届位批类"
_SPACED_VALUE = re.compile(
    rf"[\s|)\]）】”’」』]*(?:([+-]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?![\d.,]*[ \t\u3000]*[{_MEASURE}])"
    r"|((?:--|——|[-—–/×*…－])|无)(?=[\s|\d]|$))")


@dataclass(frozen=True)
class _Label:
    """A label the stream is cut at: a row label (``row``) or a header word."""

    text: str  # as the format prints it
    row: bool
    enumerators: tuple[str, ...]  # the numbering printed before it (Chinese or digit), if any
    needs_enumerator: bool  # the same word is also a header (其他, 总计): a row only when numbered


@lru_cache(maxsize=1 << 12)  # the same printed labels recur in every report
def _numeral(label: str) -> tuple[str, str]:
    """(numbering, rest) of a printed label: "（七）总计" → ("七", "总计"), "2.重复申请" → ("2", …)."""
    s = unicodedata.normalize("NFKC", label).strip()
    m = _ENUMERATOR.match(s)
    if not m:
        return "", s
    return next(g for g in m.groups() if g), s[m.end():]


@lru_cache(maxsize=1)
def _labels() -> dict[str, _Label]:
    """Every label of both formats by its core; prefixes of long row labels point to them."""
    rows: dict[str, list[str]] = {}
    for version in sf.VERSIONS:
        for _item, table_rows, _columns in sf.TABLE2[version]:
            for row in table_rows:
                for text in (row.label,) + row.aliases:
                    rows.setdefault(core(text), []).append(text)
        for row in sf.TABLE3_ROWS[version]:
            for text in (row.label,) + row.aliases:
                rows.setdefault(core(text), []).append(text)
    for _stem, label in sf.APPEAL_GROUPS:
        rows.setdefault(core(label.split("·")[-1]), []).append(label.split("·")[-1])
    heads = _header_words()
    out: dict[str, _Label] = {}
    for key, texts in rows.items():
        numbers = tuple(sorted({_numeral(t)[0] for t in texts} - {""}))
        out[key] = _Label(texts[0], True, numbers, key in heads)
    for key, text in heads.items():
        out.setdefault(key, _Label(text, False, (), False))
    for key, label in list(out.items()):
        if not label.row:
            continue
        for n in range(_MIN_PREFIX, len(key)):
            prefix = key[:n]
            if not any(other != key and other.startswith(prefix) for other in out):
                out.setdefault(prefix, label)
    return out


def _header_words() -> dict[str, str]:
    """Header words of the three tables, both formats, by core."""
    words = ["信息内容", "申请人情况", "法人或其他组织", "三、本年度办理结果", "行政诉讼"]
    for version in sf.VERSIONS:
        for item, _rows, columns in sf.TABLE2[version]:
            words.append(item)
            for column in columns:
                words += [column.label, *column.aliases]
    words += [c.label for c in sf.APPLICANT_COLUMNS] + list(sf.RESULT_GROUPS.values())
    words += [c.label for c in sf.APPEAL_OUTCOMES]
    return {(_compact(w) if w.startswith("第二十条") else core(w)): w for w in words}


def _compact(text: str) -> str:
    """The text as the matcher sees it: NFKC, no whitespace or punctuation (numbering kept)."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=1)
def _matcher() -> re.Pattern:
    """One regex of every label core, as a trie so that the longest label wins; between
    two characters of a label anything the matcher ignores may stand (a line break, a
    bracket), so the match is found in the text itself."""
    trie: dict = {}
    for key in _labels():
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_alternatives(trie))


_GAP = _IGNORED.pattern[:-1] + "*"  # zero or more ignored characters


def _alternatives(node: dict) -> str:
    branches = [re.escape(ch) + _after(child) for ch, child in node.items() if ch]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _after(node: dict) -> str:
    """What may follow a character whose trie node is ``node``."""
    if not any(node):
        return ""
    rest = _GAP + _alternatives(node)
    return f"(?:{rest})?" if "" in node else rest


@dataclass
class _Found:
    start: int  # in the normalised text, numbering included
    end: int
    label: _Label
    printed: str


def linear_rows(text: str, max_cells: int = LIMITS.grid_cells) -> list[Row]:
    """The rows of linear text, cut at the format's labels: a row label with the figures
    printed after it, header words grouped into one header row, and figures after a header
    word (table 4's fifteen under its header) as a row of their own. OverflowError past
    ``max_cells`` labels and figures (a report has about a thousand)."""
    text = _PAGE_NUMBER.sub(lambda m: " " * len(m.group()), text)
    norm = _normalised(text)
    found = _find_labels(norm, text, max_cells)
    rows: list[Row] = []
    header: list[Cell] = []
    loose: list[Cell] = []  # figures after header words (table 4), gathered across its header lines
    cells = 0
    for i, f in enumerate(found):
        end = found[i + 1].start if i + 1 < len(found) else len(norm)
        spans, rest_at = _values(norm[f.end: end])
        values = [Cell(text[f.end + a: f.end + b].strip()) for a, b in spans]
        rest = norm[f.end + rest_at: end]
        cells += 1 + len(values)
        if cells > max_cells:
            raise OverflowError(f"more than {max_cells:,} labels and figures")
        if values and f.label.row and (not f.label.needs_enumerator or _numeral(f.printed)[0]):
            rows += _flush(header, loose)
            header, loose = [], []
            rows.append([Cell(f.printed)] + values)
            continue
        if header and core(f.printed) in FIRST_VALUE_HEADERS:
            rows.append(header)  # a first value column's header opens a row: linear rows have no grid columns
            header = []
        header.append(Cell(f.printed))
        loose += values
        if _IGNORED.sub("", rest):
            rows += _flush(header, loose)  # prose between two labels ends a header
            header, loose = [], []
            rows += _value_lines(text, f.end + rest_at, end)
    return rows + _flush(header, loose)


def _value_lines(text: str, start: int, end: int) -> list[Row]:
    """Lines of nothing but figures among other text (layout text prints table 4's figures
    under header words wrapped past recognition): each a row without a label."""
    out = []
    at = text.find("\n", start, end)
    while at >= 0:
        line_end = text.find("\n", at + 1, end)
        line = text[at + 1: end if line_end < 0 else line_end]
        spans, rest_at = _values(_normalised(line))
        if spans and not line[rest_at:].strip():
            out.append([Cell(line[a:b].strip()) for a, b in spans])
        at = line_end
    return out


def _normalised(text: str) -> str:
    """NFKC, except that a character NFKC would expand (… → ...) stays as it is, so that
    positions in it are positions in the text (full-width digits and brackets become ASCII)."""
    norm = unicodedata.normalize("NFKC", text)
    if len(norm) == len(text):
        return norm
    for ch in set(text) - _EXPANDS.keys():
        _EXPANDS[ch] = len(unicodedata.normalize("NFKC", ch)) != 1
    kept = [ch for ch in set(text) if _EXPANDS[ch]]
    parts = re.split(f"([{re.escape(''.join(kept))}])", text)
    return "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))


_EXPANDS: dict[str, bool] = {}  # character → whether NFKC makes it longer (or drops it)


@lru_cache(maxsize=None)
def _numbering_pattern(numbers: tuple[str, ...]) -> re.Pattern:
    """The numbering of a label printed just before it: "2." "2、" for 2, "（七）" "七、" for 七,
    and "第七项" "第2项" for either."""
    forms = [rf"{n}\s*[.、．)]" if n.isdigit() else rf"(?:[(（]\s*{n}\s*[)）]|{n}\s*[、.．])" for n in numbers]
    forms += [rf"第\s*{n}\s*项\s*[、.．:：]?" for n in numbers]
    return re.compile(rf"(?:{'|'.join(forms)})\s*$")


def _flush(header: list[Cell], loose: list[Cell]) -> list[Row]:
    return [row for row in (header, loose) if row]


def _find_labels(norm: str, text: str, max_cells: int) -> list[_Found]:
    """Every label in the text, in order, each with the numbering printed before it;
    OverflowError past ``max_cells`` of them."""
    labels = _labels()
    out: list[_Found] = []
    for m in _matcher().finditer(norm):
        key = _IGNORED.sub("", m.group())
        label = labels.get(key)
        if label is None:
            continue
        start = _with_numbering(norm, m.start(), label)
        printed = text[start: m.end()] if not label.row or key == core(label.text) else label.text
        out.append(_Found(start, m.end(), label, _WHITESPACE.sub("", printed)))
        if len(out) > max_cells:
            raise OverflowError(f"more than {max_cells:,} labels")
    return out


_WHITESPACE = re.compile(r"\s+")


def _with_numbering(norm: str, start: int, label: _Label) -> int:
    """The start of the label with its numbering ("（七）", "2.", "一、") when printed before it.

    Only the numbering the format gives that label is taken, so the figures just before
    ("0000000" + "2.其他法律…") keep their digits."""
    if not label.enumerators:
        return start
    m = _numbering_pattern(label.enumerators).search(norm, max(0, start - 10), start)
    if m:
        return m.start()
    return start


def _values(content: str) -> tuple[list[tuple[int, int]], int]:
    """Where the figures printed right after a label stand in ``content`` (cells between
    pipes or tabs, or separated by whitespace: then glued figures stay one text, split
    later by the identities), and where the text after them starts. Positions, so that
    the caller takes each cell as printed ("－", not its NFKC "-")."""
    at = len(content) - len(content.lstrip(_CLOSING + "、,，:：;；"))  # the end of a label: "…情形）"
    first = len(content) - len(content[at:].lstrip("\r\n"))  # the figures may start on the next line
    end_of_line = content.find("\n", first)
    end_of_line = len(content) if end_of_line < 0 else end_of_line
    line = content[first:end_of_line]
    for separator in ("|", "\t"):
        if separator in line and line.strip(" \t|"):
            return _separated(content, first, end_of_line, separator, after_label=first == at)
    spans = []
    while (m := _SPACED_VALUE.match(content, at)) and not (
            spans and _BLANK_LINE.search(content, at, m.start(m.lastindex))):
        spans.append(m.span(m.lastindex))
        at = m.end()
    return spans, at


def _separated(content: str, start: int, end: int, separator: str,
               after_label: bool) -> tuple[list[tuple[int, int]], int]:
    """Cells of `` | ``- or tab-separated text up to the first that is not a figure; the
    gaps between the labels and their separators are not cells, blank cells between two
    separators are, and so is a blank before the first separator of a line of figures
    alone, or after the last when the line ends there."""
    cuts = [start - 1] + [i for i in range(start, end) if content[i] == separator] + [end]
    fields = [(a + 1, b) for a, b in zip(cuts, cuts[1:])]
    if after_label and not content[fields[0][0]: fields[0][1]].strip():
        fields = fields[1:]
    spans = []
    for a, b in fields:
        if not is_value_like(content[a:b]):
            break
        spans.append((a, b))
    if spans and len(spans) == len(fields) and end == len(content) and not content[slice(*spans[-1])].strip():
        spans.pop()  # the gap after the last separator, before the next label on the same line
    return spans, (spans[-1][1] if spans else start)


def known_label(text: str) -> bool:
    """The text ends with a whole label of the format (row label or header word)."""
    key = core(text)
    return any(key.endswith(k) for k, label in _labels().items() if k == core(label.text) or not label.row)

