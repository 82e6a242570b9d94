"""Split a report's text into the six sections by their headings.

Headings are matched after numbering is stripped ("四、政府信息公开行政复议、行政诉讼情况"
→ contains the variant "行政复议、行政诉讼情况"), in printed order, so a narrative sub-heading
such as "一、大力推进……" inside 总体情况 is never taken for a section. A text with no heading
on a line of its own — a page dump, the whole report flattened onto one line — has its headings
found where they stand in the running text: the top-level numbering ("三、") directly followed by
a heading's words.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import standard_format as sf
from .labels import flat, more_ideographs_than

# Top-level headings are numbered "一、"; "（一）" numbers sub-headings such as
# "（一）主动公开情况", which must not end 总体情况 when the real "二、…" heading exists.
_TOP = re.compile(r"^[一二三四五六七八九十]+[、.．]\s*")
_ANY = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）、.．]?\s*")
_MAX_HEADING = 40  # a heading is a short line, not a sentence that mentions the words


def split_sections(text: str) -> dict[str, str]:
    """Section key → its text (without the heading); "" for a section not found."""
    lines = text.splitlines()
    starts: list[tuple[int, str]] = []
    position = 0
    for key, _label, variants in sf.SECTIONS:
        at = _find_heading(lines, position, variants, _TOP)
        if at is None:
            at = _find_heading(lines, position, variants, _ANY)
        if at is not None:
            starts.append((at, key))
            position = at + 1
    out = {key: "" for key, _l, _v in sf.SECTIONS}
    if not starts:
        return _split_running_text(text, out)
    for n, (at, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        out[key] = "\n".join(lines[at + 1:end]).strip()
    return out


def _split_running_text(text: str, out: dict[str, str]) -> dict[str, str]:
    """Sections of a text whose headings run on with their sections ("…的要求。一、总体情况2023年，…")."""
    found: list[tuple[int, int, str]] = []  # (heading start, section start, key)
    position = 0
    for key, _label, variants in sf.SECTIONS:
        match = _running_heading(variants).search(text, position)
        if match:
            found.append((match.start(), match.end(), key))
            position = match.end()
    for n, (_start, begins, key) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(text)
        out[key] = text[begins:end].strip()
    return out


@lru_cache(maxsize=None)  # one per section, asked for by every document without headings on lines
def _running_heading(variants: tuple[str, ...]) -> re.Pattern:
    """Top-level numbering (not "（一）"), a few words of a longer heading ("政府信息公开工作"), the
    heading's words; the longest variant first, so the whole heading is taken."""
    words = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
    return re.compile(rf"(?<![（(一二三四五六七八九十])[一二三四五六七八九十]{{1,2}}[、.．]\s*[^\s，。；;：:、]{{0,12}}?(?:{words})")


def _find_heading(lines: list[str], start: int, variants: tuple[str, ...], numbered: re.Pattern) -> int | None:
    for i in range(start, len(lines)):
        if more_ideographs_than(lines[i], _MAX_HEADING):
            continue  # too long for a heading, known without normalising it (a page dump's one line)
        line = flat(lines[i])
        if not line or len(line) > _MAX_HEADING or line.endswith("。"):
            continue
        if not numbered.match(line):
            continue
        body = numbered.sub("", line)
        if any(flat(v) in body for v in variants):
            return i
    return None
