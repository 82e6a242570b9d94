"""The narrative sections of a demo report, taken from the real seed report.

The seed (罗山县人民政府 2021年 report, ``seed-report-luoshan-2021.txt`` in this
package) supplies 一、总体情况, 五 and 六 verbatim, including its quirks: the
overview has its own 一、二、三、 sub-chapters that look like section headings.
Only the body, the year and the requests figure are substituted; a department
gets its own self-references (我局, 全委 …) instead of the county's.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from extract import standard_format as sf

SEED = Path(__file__).with_name("seed-report-luoshan-2021.txt")
SEED_BODY, SEED_PLACE, SEED_YEAR = "罗山县人民政府", "罗山县", "2021"
# The seed's prose figure and its breakdown (信函件 a 件、平台 b 件).
REQUESTS_SENTENCE = re.compile(r"共受理依申请公开事项\d+份（其中信函件\d+件、省政府网站统一技术平台\d+件）")

# A department is not a county: rewrite the county's self-references, longest first.
DEPARTMENT_TERMS = (
    ("县政府办公室", "{unit}办公室"),
    ("各乡镇（街道）及部门", "各科室及直属单位"),
    ("部门和乡镇（街道）", "科室和直属单位"),
    ("乡镇和部门", "科室和直属单位"),
    ("县政府答复", "本机关答复"),
    ("全县", "全{unit}"),
    ("我县", "我{unit}"),
)

_HEADING = re.compile(r"^[一二三四五六]、")
_SENTENCE_END = "。：；！？:"
# pdftotext-style spaces between Chinese and digits/latin ("2021 年", "ipv6 升级").
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]+(?=[0-9A-Za-z])"
                        r"|(?<=[0-9A-Za-z%])[ \t]+(?=[\u3000-\u9fff\uff00-\uffef])")


@lru_cache(maxsize=1)
def seed_sections() -> dict[str, list[str]]:
    """The seed's prose by section key: paragraphs, page-break joins repaired."""
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines()]
    headings = {f"{num}、{label}": key for num, (key, label, _) in zip("一二三四五六", sf.SECTIONS)}
    out, current = {}, None
    for line in lines:
        if line in headings and headings[line] not in out:
            current = headings[line]
            out[current] = []
        elif line and current in ("overview", "problems", "other"):
            out[current].append(_CJK_SPACE.sub("", line))
    return {key: _join_broken(paras) for key, paras in out.items() if paras}


def _join_broken(paras):
    """Rejoin a paragraph the PDF split at a page end (no sentence end, not a heading)."""
    out = []
    for p in paras:
        if out and not _HEADING.match(out[-1]) and out[-1][-1] not in _SENTENCE_END:
            out[-1] += p
        else:
            out.append(p)
    return out


def sections(body: str, unit: str, year: int, requests: int) -> dict[str, list[str]]:
    """Overview, problems and other-matters paragraphs for one report."""
    letters = round(requests * 0.7)
    figure = (f"共受理依申请公开事项{requests}份（其中信函件{letters}件、"
              f"省政府网站统一技术平台{requests - letters}件）")
    place = body.removesuffix("人民政府")

    def adapt(text):
        text = REQUESTS_SENTENCE.sub(figure, text)
        if unit != "县":
            for old, new in DEPARTMENT_TERMS:
                text = text.replace(old, new.format(unit=unit))
        return text.replace(SEED_BODY, body).replace(SEED_PLACE, place).replace(SEED_YEAR, str(year))

    return {key: [adapt(p) for p in paras] for key, paras in seed_sections().items()}
