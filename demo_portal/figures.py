"""Deterministic report data: every figure of the standard tables for one report.

A report's numbers are drawn from a ``random.Random`` seeded with the body,
year, format version and a seed string, so a build is byte-for-byte repeatable.
Magnitudes follow real reports (a county gets tens to a few hundred requests,
almost all from 自然人, and most result rows are zero). The true numbers are
internally consistent; a report may then be *perturbed* (one printed cell off,
as real reports sometimes are) and may print some cells as "—", "/" or blank.

``figures`` are always parsed back from the printed ``cells``, so the figures
in the ground truth are exactly what an extractor should read off the page.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from extract import standard_format as sf

# Ranges per administrative level: (low, high) inclusive.
SCALES = {
    "county": {"requests": (10, 300), "licensing": (2000, 12000), "penalties": (300, 2000),
               "coercion": (50, 800), "fees": (300.0, 3000.0), "in_force": (15, 60)},
    "city": {"requests": (5, 60), "licensing": (50, 900), "penalties": (0, 60),
             "coercion": (0, 10), "fees": (0.0, 60.0), "in_force": (8, 40)},
    "province": {"requests": (20, 150), "licensing": (300, 5000), "penalties": (0, 300),
                 "coercion": (0, 30), "fees": (0.0, 600.0), "in_force": (20, 90)},
}

# How requests split among applicants: natural persons dominate, as in real reports.
APPLICANT_WEIGHTS = {"natural_person": 85, "commercial": 8, "research": 0.5,
                     "social_welfare": 0.5, "legal_services": 3, "other_org": 3}

# How handled requests split among result rows (row key suffix → weight); rows not
# listed stay zero, like most of the seed report's table.
RESULT_WEIGHTS = {
    "disclosed": 55, "partially_disclosed": 9,
    "withheld.prohibited_by_law": 3, "withheld.third_party_rights": 2,
    "withheld.process_information": 3, "withheld.inquiry_matters": 1,
    "unavailable.not_held": 15, "unavailable.needs_creation": 3,
    "unavailable.unclear_after_correction": 2,
    "not_processed.petition_complaint": 3, "not_processed.duplicate": 3,
    "not_processed.confirm_or_reissue": 1,
    "other_handling": 2, "other_handling.overdue_correction": 2, "other_handling.other": 1,
}

TITLE = "{body}{year}年政府信息公开工作年度报告"
PROSE_PHRASE = "共受理依申请公开事项"
PROSE_KEY = "requests.new_received.total"
APPLICANTS = tuple(c.suffix for c in sf.APPLICANT_COLUMNS if c.suffix != "total")
OUTCOMES = tuple(o.suffix for o in sf.APPEAL_OUTCOMES if o.suffix != "total")


@dataclass
class Report:
    """One annual report as the demo publishes it; ``render`` turns it into documents."""

    body: str  # publishing body, e.g. 罗山县人民政府
    unit: str  # one-character self-reference in the prose: 县 (我县), 局 (我局), 委 (我委)
    year: int
    version: str  # "2021" or "2019": which table layout is printed
    title: str
    published: str  # YYYY-MM-DD
    cells: dict[str, str]  # canonical key → printed text
    figures: dict[str, int | float | None]  # parsed back from ``cells``
    prose_requests: int  # N in "共受理依申请公开事项N份"
    perturbed: dict[str, int] = field(default_factory=dict)  # key → delta off the true value
    labels: dict[str, str] = field(default_factory=dict)  # standard label → variant printed instead


def make_report(body: str, unit: str, level: str, year: int, version: str, *, title: str | None = None,
                published: str | None = None, seed: str = "", previous: Report | None = None,
                requests: int | None = None, perturb: dict[str, int] | None = None,
                blanks: dict[str, str] | None = None, prose_offset: int = 0,
                labels: dict[str, str] | None = None) -> Report:
    """Draw a report's figures.

    ``previous`` is the same body's report for year−1: this year's 上年结转 then
    equals last year's 结转下年度 (and 2019-format 上一年项目数量 follows on), as
    the format's soft cross-year checks expect. ``requests`` fixes 本年新收 总计.
    ``perturb`` adds a delta to printed cells (so identities fail), ``blanks``
    prints cells as the given text ("—", "/", "") instead of their number, and
    ``prose_offset`` makes the prose figure disagree with the table, ``labels``
    prints some table labels as variants seen in the wild ("总 计", typos). ``title`` defaults
    to "<body>YYYY年政府信息公开工作年度报告", ``published`` to 20 January of year+1.
    """
    rng = random.Random(f"{body}|{year}|{version}|{seed}")
    scale = SCALES[level]
    values = {}
    values.update(_table2(rng, version, scale, previous))
    values.update(_table3(rng, version, scale, previous, requests))
    values.update(_table4(rng))
    assert set(values) == set(sf.keys(version)), "generator out of step with standard_format"
    for key, delta in (perturb or {}).items():
        values[key] += delta
    cells = {k: _print(values[k]) for k in sf.keys(version)}  # printed order
    cells.update(blanks or {})
    figures = {k: parse(text) for k, text in cells.items()}
    title = title or TITLE.format(body=body, year=year)
    return Report(body, unit, year, version, title, published or f"{year + 1}-01-20", cells, figures,
                  prose_requests=values[PROSE_KEY] + prose_offset, perturbed=dict(perturb or {}),
                  labels=dict(labels or {}))


def check_results(figures: dict, version: str) -> dict[str, bool | None]:
    """Each identity of ``version`` → passed (None when an operand is not a number)."""
    out = {}
    for ident in sf.identities(version):
        operands = [figures.get(k) for k in ident.lhs + ident.rhs]
        if any(v is None for v in operands):
            out[ident.name] = None
        else:
            out[ident.name] = sum(figures[k] for k in ident.lhs) == sum(figures[k] for k in ident.rhs)
    return out


def parse(text: str) -> int | float | None:
    """A printed cell back to a number: int, float if it has a decimal point, else None."""
    text = text.strip()
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return None


def _print(value: int | float) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------- table 2
def _table2(rng, version, scale, previous):
    """主动公开: counts of documents and decisions, the fee amount, 2019's item counts."""
    v = {}
    in_force = rng.randint(*scale["in_force"])
    if version == "2021":
        issued = rng.randint(0, 8)
        v.update({"active.rules.issued": 0, "active.rules.repealed": 0, "active.rules.in_force": 0,
                  "active.normative_documents.issued": issued,
                  "active.normative_documents.repealed": rng.randint(0, 3),
                  "active.normative_documents.in_force": in_force,
                  "active.fees.amount_10k_yuan": round(rng.uniform(*scale["fees"]), 2)})
        for row in ("licensing", "penalties", "coercion"):
            v[f"active.{row}.decisions"] = rng.randint(*scale[row])
        return v
    made = rng.randint(0, 8)
    v.update({"active.rules.made": 0, "active.rules.published": 0, "active.rules.total_public": 0,
              "active.normative_documents.made": made,
              "active.normative_documents.published": made,
              "active.normative_documents.total_public": in_force,
              "active.procurement.projects": rng.randint(3, 60),
              "active.procurement.amount_yuan": rng.randint(20, 5000) * 10000 + rng.randint(0, 9999)})
    items = {"licensing": (60, 400), "other_services": (10, 80), "penalties": (200, 2500),
             "coercion": (10, 60), "fees": (3, 30)}
    for row, (low, high) in items.items():
        last = None
        if previous is not None and previous.version == "2019":
            last = _sum_printed(previous, f"active.{row}.items_last_year", f"active.{row}.items_change")
        v[f"active.{row}.items_last_year"] = last if last is not None else rng.randint(low, high)
        v[f"active.{row}.items_change"] = rng.randint(-5, 5)
    v["active.licensing.decisions"] = rng.randint(*scale["licensing"])
    v["active.other_services.decisions"] = rng.randint(0, scale["licensing"][1] // 10)
    v["active.penalties.decisions"] = rng.randint(*scale["penalties"])
    v["active.coercion.decisions"] = rng.randint(*scale["coercion"])
    return v


def _sum_printed(report, *keys):
    values = [report.figures.get(k) for k in keys]
    return None if any(x is None for x in values) else sum(values)


# ---------------------------------------------------------------- table 3
def _table3(rng, version, scale, previous, requests):
    """依申请: new and carried-over requests per applicant, spread over the result rows."""
    total_new = requests if requests is not None else rng.randint(*scale["requests"])
    new = _split(rng, total_new, APPLICANT_WEIGHTS)
    carried_over = {c: 0 for c in APPLICANTS}
    if previous is not None:
        for c in APPLICANTS:
            carried_over[c] = previous.figures.get(f"requests.carried_forward.{c}") or 0
    else:
        carried_over["natural_person"] = rng.randint(0, 3)
    carried_forward = {c: 0 for c in APPLICANTS}
    carried_forward["natural_person"] = rng.randint(0, min(3, new["natural_person"]))

    stems = {r.key: r.key.removeprefix("requests.") for r in sf.RESULT_ROWS[version]}
    weights = {stem: RESULT_WEIGHTS.get(stem, 0) for stem in stems.values()}
    v = {}
    for c in APPLICANTS:
        handled = new[c] + carried_over[c] - carried_forward[c]
        results = _split(rng, handled, weights)
        v[f"requests.new_received.{c}"] = new[c]
        v[f"requests.carried_over.{c}"] = carried_over[c]
        for key, stem in stems.items():
            v[f"{key}.{c}"] = results[stem]
        v[f"requests.handled_total.{c}"] = handled
        v[f"requests.carried_forward.{c}"] = carried_forward[c]
    for row in sf.TABLE3_ROWS[version]:
        v[f"{row.key}.total"] = sum(v[f"{row.key}.{c}"] for c in APPLICANTS)
    return v


def _split(rng, n, weights):
    """Deal ``n`` units among ``weights``' keys at random (a multinomial draw)."""
    out = dict.fromkeys(weights, 0)
    names = [k for k, w in weights.items() if w > 0]
    for name in rng.choices(names, [weights[k] for k in names], k=n):
        out[name] += 1
    return out


# ---------------------------------------------------------------- table 4
def _table4(rng):
    """复议/诉讼: a few cases at most, mostly upheld."""
    v = {}
    for stem, _ in sf.APPEAL_GROUPS:
        counts = _split(rng, rng.choice((0, 0, 1, 2, 3, 5)),
                        {"upheld": 6, "corrected": 1, "other": 1, "pending": 2})
        for outcome in OUTCOMES:
            v[f"{stem}.{outcome}"] = counts[outcome]
        v[f"{stem}.total"] = sum(counts.values())
    return v
