"""Read one printed table cell as a number, or say why it is not one.

standard-format.md: store what is printed. A dash, slash, 无 or blank is null (the
printed text is kept beside it by the caller); a number is never repaired.
"""
from __future__ import annotations

import re
import unicodedata

# Printed forms that mean "no number here" (after NFKC and stripping spaces).
NULL_MARKERS = {"", "-", "--", "—", "——", "–", "/", "\\", "无", "空", "×", "x", "X", "*", "…", "...", "－"}

_SPLIT_DIGITS = re.compile(r"\d\s+\d")  # "1 0": two cells run together, not ten
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
# Units a cell may repeat after its number ("5件", "12.5万元").
_UNIT = re.compile(r"(件|项|个|份|条|万元|元)$")


def clean(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII) without any whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def parse_number(text: str | None) -> tuple[int | float | None, str | None]:
    """``(value, None)`` for a number, ``(None, reason)`` otherwise.

    Decimals stay floats (万元 amounts are printed with them); integers stay ints.
    """
    if text is None:
        return None, "cell not found"
    if _SPLIT_DIGITS.search(unicodedata.normalize("NFKC", text)):
        return None, f"unreadable cell text {text.strip()!r} (two numbers in one cell?)"
    s = _UNIT.sub("", clean(text))
    if s in NULL_MARKERS:
        return None, "blank cell" if not s else f"printed {text.strip()!r}, not a number"
    if not _NUMBER.match(s):
        return None, f"unreadable cell text {text.strip()!r}"
    s = s.replace(",", "")
    return (float(s) if "." in s else int(s)), None


def is_value_like(text: str) -> bool:
    """True for a cell that holds a figure (or its null stand-in), not a label."""
    s = _UNIT.sub("", clean(text))
    return s in NULL_MARKERS or bool(_NUMBER.match(s))
