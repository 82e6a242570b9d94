"""The format's identities and the prose-against-table checks.

Failing checks are data about the report (real reports break them), not extraction
errors; an identity with a null operand cannot be decided and says which keys are missing.
"""
from __future__ import annotations

import re

from . import standard_format as sf


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


# Phrases that repeat a table figure in the prose: (pattern with one number group, key).
PROSE_PATTERNS = (
    (re.compile(r"(?:受理|收到|新收|接收)[^。；;，,\d]{0,10}?(?:依申请公开|政府信息公开申请|信息公开申请)"
                r"[^。；;，,\d]{0,8}?(\d+)\s*(?:件|份|个|条|宗)"),
     "requests.new_received.total"),
    (re.compile(r"行政复议(?:案件)?[共计]?\s*(\d+)\s*(?:件|起|宗)"), "appeals.review.total"),
)


def prose_checks(text: str, figures: dict) -> list[dict]:
    """Each figure the prose states for a table cell, compared with the table."""
    out = []
    flat_text = re.sub(r"[ \t\u3000]+", " ", text)
    for pattern, key in PROSE_PATTERNS:
        if key not in figures:
            continue
        for m in pattern.finditer(flat_text):
            value = int(m.group(1))
            table = figures.get(key)
            out.append({"phrase": m.group(0).strip(), "prose_value": value, "key": key,
                        "table_value": table, "passed": None if table is None else value == table})
    return out
