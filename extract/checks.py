"""The format's identities and the prose-against-table checks.

Failing checks are data about the report (real reports break them), not extraction
errors; an identity with a null operand cannot be decided and says which keys are missing.
"""
from __future__ import annotations

import re

from . import standard_format as sf
from .numbers import chinese_number


def identity_checks(figures: dict, version: str) -> list[dict]:
    out = []
    for ident in sf.identities(version):
        missing = [k for k in ident.lhs + ident.rhs if figures.get(k) is None]
        lhs = _sum(figures, ident.lhs)
        rhs = _sum(figures, ident.rhs)
        passed = None if missing else abs(lhs - rhs) < 1e-6
        out.append({"name": ident.name, "rule": ident.rule, "passed": passed, "lhs": lhs, "rhs": rhs,
                    "keys": list(ident.lhs + ident.rhs), "missing": missing})
    return out


def _sum(figures: dict, keys: tuple[str, ...]):
    values = [figures.get(k) for k in keys]
    return None if any(v is None for v in values) else sum(values)


# A count in prose: Arabic digits (full-width too, with thousands separators) or Chinese numerals,
# matched only from the first digit of a run, so a long run of digits is scanned once, not once per digit.
_NUM = r"(?:(?<!\d)\d[\d,，]*|(?<![零〇一二两三四五六七八九十百千万])[零〇一二两三四五六七八九十百千万]+)"
_UNIT = r"\s*(?:件|份|个|条|宗|起)"
_SEP = r"\s*[，,、；;]?\s*"


def _outcomes(prefix: str) -> str:
    """"其中结果维持A件，结果纠正B件，其他结果C件，尚未审结D件" after an appeals count."""
    return (rf"(?:{_SEP}其中\s*(?:结果)?维持\s*(?P<{prefix}upheld>{_NUM}){_UNIT}{_SEP}"
            rf"(?:结果)?纠正\s*(?P<{prefix}corrected>{_NUM}){_UNIT}{_SEP}"
            rf"其他(?:结果)?\s*(?P<{prefix}other>{_NUM}){_UNIT}{_SEP}"
            rf"尚未审结\s*(?P<{prefix}pending>{_NUM}){_UNIT})?")


_LITIGATION = ("appeals.litigation_direct", "appeals.litigation_after_review")
_OUTCOMES = ("upheld", "corrected", "other", "pending")

# Phrases that repeat table figures in the prose: a pattern with named number groups, and
# for each group the keys whose sum it states (行政诉讼 counts both kinds of suit).
PROSE_PATTERNS = (
    (re.compile(rf"(?:受理|收到|新收|接收)[^。；;，,\d]{{0,10}}?(?:依申请公开|政府信息公开申请|信息公开申请)"
                rf"[^。；;，,\d]{{0,8}}?(?P<n>{_NUM}){_UNIT}"),
     {"n": ("requests.new_received.total",)}),
    (re.compile(rf"(?:上年度?|上一年度?)结转(?:的)?(?:政府信息公开)?申请\s*(?P<n>{_NUM}){_UNIT}"),
     {"n": ("requests.carried_over.total",)}),
    (re.compile(rf"(?:^|[，,。；;\s])(?:答复|办结)\s*(?P<n>{_NUM}){_UNIT}"),
     {"n": ("requests.handled_total.total",)}),
    (re.compile(rf"予以公开\s*(?P<n>{_NUM}){_UNIT}"),
     {"n": ("requests.disclosed.total",)}),
    (re.compile(rf"(?P<n>{_NUM}){_UNIT}\s*(?:顺延|结转)(?:到|至)下一?年度?"),
     {"n": ("requests.carried_forward.total",)}),
    (re.compile(rf"行政复议(?:案件)?\s*[共计]?\s*(?P<rtotal>{_NUM}){_UNIT}{_outcomes('r')}"),
     {"rtotal": ("appeals.review.total",), **{f"r{o}": (f"appeals.review.{o}",) for o in _OUTCOMES}}),
    (re.compile(rf"行政诉讼(?:案件)?\s*[共计]?\s*(?P<ltotal>{_NUM}){_UNIT}{_outcomes('l')}"),
     {"ltotal": tuple(f"{g}.total" for g in _LITIGATION),
      **{f"l{o}": tuple(f"{g}.{o}" for g in _LITIGATION) for o in _OUTCOMES}}),
)


def prose_checks(text: str, figures: dict) -> list[dict]:
    """Each figure the prose states for table cells, compared with the table. ``key`` is the
    canonical key, or the keys whose sum the prose states joined by " + "."""
    out = []
    # PDF text wraps prose anywhere, even inside a word ("尚\n未审结"): lines are joined
    flat_text = re.sub(r"[ \t\u3000]+", " ", re.sub(r"[ \t\u3000]*\n[ \t\u3000]*", "", text))
    for pattern, groups in PROSE_PATTERNS:
        for m in pattern.finditer(flat_text):
            for group, keys in groups.items():
                if m.group(group) is None or any(k not in figures for k in keys):
                    continue
                value = _count(m.group(group))
                values = [figures[k] for k in keys]
                table = None if any(v is None for v in values) else sum(values)
                out.append({"phrase": m.group(0).strip(" ，,、；;"), "prose_value": value, "key": " + ".join(keys),
                            "table_value": table, "passed": None if table is None or value is None else value == table})
    return out


def _count(text: str) -> int | None:
    digits = re.sub(r"[,，]", "", text)
    return int(digits) if digits.isdigit() else chinese_number(text)
