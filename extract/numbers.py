"""Read one printed table cell as a number, or say why it is not one.

standard-format.md: store what is printed. A dash, slash, 无 or blank is null (the
printed text is kept beside it by the caller); a number is never repaired.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .labels import flat, has_ideograph_outside

# U+FFFD stands where OCR saw a figure it could not read surely (extract/ocr.py): a cell, not a label;
# U+FFFC where a cell holds ink that no OCR reading made out (neither a figure nor a label).
UNREAD = "\ufffd"
UNRECOGNISED = "\ufffc"
# Printed forms that mean "no number here" (after NFKC and stripping spaces).
NULL_MARKERS = {"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "×", "x", "X", "*", "…", "...", "－", UNREAD, UNRECOGNISED}

_SPLIT_DIGITS = re.compile(r"\d\s+\d")  # "1 0": two cells run together, not ten
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
# Units a cell may repeat after its number ("5件", "12.5万元").
_UNITS = ("件", "项", "个", "份", "条", "万元", "元")
_UNIT = re.compile(f"(?:{'|'.join(_UNITS)})$")
# The only ideographs a figure's cell can hold: any other makes it a label, known without
# normalising it (a page dump's whole line is asked too).
_VALUE_IDEOGRAPHS = "".join(NULL_MARKERS) + "".join(_UNITS)


@lru_cache(maxsize=1 << 16)  # the same few cell texts recur in every report
def parse_number(text: str | None) -> tuple[int | float | None, str | None]:
    """``(value, None)`` for a number, ``(None, reason)`` otherwise.

    Decimals stay floats (万元 amounts are printed with them); integers stay ints.
    """
    if text is None:
        return None, "cell not found"
    if _SPLIT_DIGITS.search(unicodedata.normalize("NFKC", text)):
        return None, f"unreadable cell text {text.strip()!r} (two numbers in one cell?)"
    s = _UNIT.sub("", flat(text))  # NFKC (full-width digits to ASCII), no whitespace
    if s == UNREAD:
        return None, "figure not read surely by OCR (a digit below the confidence floor, or junk among digits)"
    if s == UNRECOGNISED:
        return None, "ink not recognised by OCR (a mark in the cell that no reading made out)"
    if s in NULL_MARKERS:
        return None, "blank cell" if not s else f"printed {text.strip()!r}, not a number"
    if not _NUMBER.match(s):
        return None, f"unreadable cell text {text.strip()!r}"
    s = s.replace(",", "")
    return (float(s) if "." in s else int(s)), None


@lru_cache(maxsize=1 << 16)  # asked of every cell, often several times
def is_value_like(text: str) -> bool:
    """True for a cell that holds a figure (or its null stand-in), not a label."""
    if text and has_ideograph_outside(text, _VALUE_IDEOGRAPHS):
        return False
    s = _UNIT.sub("", flat(text))  # NFKC (full-width digits to ASCII), no whitespace
    return s in NULL_MARKERS or bool(_NUMBER.match(s))


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """A number written in Chinese numerals, as prose prints counts: 四十六 → 46, 十二 → 12,
    一百零二 → 102, 两千三百 → 2300, 一万二千 → 12000, 三〇五 → 305 (digit by digit)."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS and ch != "万" for ch in text):
        return None
    if not any(ch in _CN_UNITS or ch == "万" for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    if "万" in text:
        high, _, low = text.partition("万")
        high_value = chinese_number(high) if high else 1
        low_value = chinese_number(low) if low else 0
        return None if high_value is None or low_value is None else high_value * 10000 + low_value
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:  # a unit: 十 alone means 一十
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)
