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
    s = "".join(s.split())  # str.split's whitespace is re's \s, and splitting is faster
    s = _ENUMERATOR.sub("", s)
    return _PUNCT.sub("", s)


# Ideographs OCR reads for others of the standard labels with full confidence (measured on
# binarised 150 dpi scans, docs/ocr.md): a stroke lost to the threshold turns 申 into 中, 大 into
# 人, 掌 into 学, 相 into 和, 自 into 白 (自然人 read 白然人 lost a city report's table 3 at 200 dpi).
# Folding both sides lets a fuzzy label match, and a table's header, see through them; no two
# standard labels fold to the same text (tests/test_extract_ocr.py).
_LOOKALIKES = str.maketrans("申大掌相自", "中人学和白")


def fold_lookalikes(text: str) -> str:
    """The label with each ideograph OCR confuses replaced by its look-alike."""
    return text.translate(_LOOKALIKES)


@lru_cache(maxsize=1 << 16)
def flat(text: str) -> str:
    """NFKC without whitespace, keeping enumerators: for headings and markers."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


# CJK unified ideographs: NFKC leaves each as it is (none decomposes or composes), and neither
# whitespace, punctuation nor enumerator removal drops one outside 一…十. So what a text's
# ideographs rule out of its normalised forms is known without normalising it (a page dump's
# line of thousands of characters, asked whether it is a figure or a header word).
_IDEOGRAPHS = "\u4e00-\u9fff"


@lru_cache(maxsize=None)  # a few fixed character sets
def _ideograph_outside(allowed: str) -> re.Pattern:
    return re.compile(f"(?![{re.escape(allowed)}])[{_IDEOGRAPHS}]")


def has_ideograph_outside(text: str, allowed: str) -> bool:
    """Whether the text holds an ideograph not in ``allowed``: then so do its NFKC form, its
    ``flat`` form and (unless it is one of 一…十) its ``core``."""
    return _ideograph_outside(allowed).search(text) is not None


# Characters whose NFKC form holds a CJK unified ideograph: compatibility ideographs, Kangxi and CJK
# radicals, enclosed and squared ones (㊎ → 金), kanbun marks (the blocks that hold them, whole).
_IDEOGRAPH_SOURCES = re.compile("[\u2e80-\u2fff\u3038-\u303a\u3190-\u319f\u3200-\u33ff\uf900-\ufaff"
                                "\U0001f200-\U0001f2ff\U0002f800-\U0002fa1f]")


def flat_holds(text: str, word: str) -> bool:
    """``word in flat(text)`` for a word of CJK unified ideographs, without normalising a text with
    none of _IDEOGRAPH_SOURCES: NFKC then changes nothing that makes or breaks such a word (no
    character becomes whitespace or stops being it, none composes with an ideograph), so removing
    the whitespace is enough (a page dump's whole line is asked whether it holds 采购总金额)."""
    if _IDEOGRAPH_SOURCES.search(text):
        return word in flat(text)
    return word in "".join(text.split())


@lru_cache(maxsize=None)
def _ideographs(n: int) -> re.Pattern:
    return re.compile(f"(?:[^{_IDEOGRAPHS}]*[{_IDEOGRAPHS}]){{{n}}}")


def more_ideographs_than(text: str, n: int) -> bool:
    """Whether the text holds more than ``n`` ideographs: then its ``flat`` form is longer than
    ``n`` characters. Read up to the (n+1)th ideograph only."""
    return _ideographs(n + 1).match(text) is not None


def starts_enumerated(text: str) -> bool:
    """Whether the text begins with a row's enumerator: "（二）…", "三、…", "3.…"."""
    return _ENUMERATOR.match(unicodedata.normalize("NFKC", text or "").lstrip()) is not None
