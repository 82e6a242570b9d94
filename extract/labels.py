"""Normalise printed labels so that layout and typography variants compare equal.

Real reports write the same label as "（一）予以公开", "(一) 予以公开", "一、予以公开", split it
over lines, or put one character per line. Comparison is done on the label's core: NFKC,
no whitespace, no enumerators, no punctuation.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Each numeral run is tried from its first character only, so a long run (a page dump's glued
# figures) costs one scan, not one per character.
_ENUMERATOR = re.compile(r"\([一二三四五六七八九十]+\)|(?<![一二三四五六七八九十])[一二三四五六七八九十]+[、.]|(?<!\d)\d+[.、)]")
_PUNCT = re.compile(r"[\s()（）\[\]【】、.,，:：;；“”\"'‘’「」『』·•\-—_/／]")


@lru_cache(maxsize=1 << 16)  # labels recur in every report: normalise each once
def core(text: str) -> str:
    """The comparable core of a label: '（三）不予公开 1. 属于国家秘密' → '不予公开属于国家秘密'."""
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r"\s+", "", s)
    s = _ENUMERATOR.sub("", s)
    return _PUNCT.sub("", s)


@lru_cache(maxsize=1 << 16)
def flat(text: str) -> str:
    """NFKC without whitespace, keeping enumerators: for headings and markers."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def starts_enumerated(text: str) -> bool:
    """Whether the text begins with a row's enumerator: "（二）…", "三、…", "3.…"."""
    return _ENUMERATOR.match(unicodedata.normalize("NFKC", text or "").lstrip()) is not None
