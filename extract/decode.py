"""Bytes to text for HTML and plain-text documents: BOM, declared charset, UTF-8, GB18030, guess.

Chinese portals serve GBK/GB2312 as often as UTF-8 and often declare it wrongly, so a
declared charset is only trusted when the bytes decode cleanly with it. Bytes that decode
only to garbage (random bytes without NUL bytes, which GB18030 or a guessed single-byte
encoding decode "cleanly") are refused by ``require_text`` rather than read as a report.
"""
from __future__ import annotations

import codecs
import re

import charset_normalizer

from .grid import ReadError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GB2312 and GBK are subsets of GB18030: decoding with the superset loses nothing.
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def decode(data: bytes, media_type: str | None = None) -> tuple[str, str, list[dict]]:
    """(text, encoding used, warnings); ``media_type`` may name a charset (text/html; charset=gbk)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding, []
    # UTF-8 first: GBK bytes practically never decode as UTF-8, while GB18030 decodes
    # almost any bytes (so a page declared GBK but saved as UTF-8 would turn to mojibake).
    candidates = ["utf-8"]
    header = re.search(r"charset\s*=\s*([A-Za-z0-9_\-]+)", media_type or "")
    meta = _META.search(data[:4096])
    for declared in (header.group(1) if header else None, meta.group(1).decode("ascii") if meta else None):
        if declared:
            candidates.append(_ALIASES.get(declared.lower(), declared.lower()))
    candidates.append("gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding, []
        except (UnicodeDecodeError, LookupError):
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding, [{"stage": "decode", "message": f"encoding guessed as {best.encoding}"}]
    return (data.decode("utf-8", errors="replace"), "utf-8",
            [{"stage": "decode", "message": "no encoding decodes these bytes cleanly; undecodable bytes replaced"}])


_TEXT_SHARE = 0.8  # share of visible characters that must be common for text to be text
_SAMPLE = 200_000  # characters looked at, spread over the whole text


def require_text(text: str, stage: str) -> None:
    """ReadError (``stage``) when under 80% of the text's visible characters are common ones: what
    random bytes, a binary file or the wrong encoding decode to (a report is over 99% GB2312)."""
    visible = "".join(text.split())  # str.split's whitespace is re's \s, and it is faster
    sample = visible[::max(len(visible) // _SAMPLE, 1)]
    common = len(sample) - uncommon_characters(sample)
    if sample and common < _TEXT_SHARE * len(sample):
        raise ReadError(stage, f"not text: only {common / len(sample):.0%} of its characters are common Chinese or "
                               f"ASCII characters (random bytes, a binary file, or an encoding not read here)")


def uncommon_characters(text: str) -> int:
    """Characters outside GB2312: ASCII and the 6,763 characters (with Chinese punctuation, pinyin,
    kana, Greek and Cyrillic) that make up nearly all official text. Counted by the codec, which
    writes "?" for each (GB2312's own bytes are all above 0xA0, so no other "?" appears)."""
    return text.encode("gb2312", errors="replace").count(b"?") - text.count("?")
