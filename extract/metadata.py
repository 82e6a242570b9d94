"""Title, publishing body (with its region and level), report year and publication date,
as the report itself states them.

The title is the report's own heading in its body (``rules.report_heading``): not the portal's
column name or breadcrumb printed above it (a PDF printed from a portal page starts with the page
chrome), and not a dump's or metadata table's labelled fields (``标题：``, ``发布机构：``), whose value
serves only when the body prints no heading. A cover letter whose body is the report
(…关于报送…年度报告的函) gives the report's title and its sender as agency. The year is the
title's, else the one the body's 统计期限 sentence states.
"""
from __future__ import annotations

import re
import unicodedata

from . import rules
from .region import read_region

# Labelled fields a page dump, an archive's header or a portal's metadata table prints around a
# report ("标题: …", "发布机构: …"): the container's, not the report's words.
_FIELD = re.compile(r"^\s*(?P<label>标\s*题|题\s*名|名\s*称|发布机构|发文机关|来\s*源|栏\s*目|文\s*号|索引号|主题分类"
                    r"|发布时间|发布日期|成文日期|原文链接|本地目录)\s*[:：]\s*(?P<value>.*)$", re.MULTILINE)
_TITLE_FIELDS = ("标题", "题名", "名称")
_HEAD_CHARS = 4000  # the heading stands near the top, after the page's chrome


def read_metadata(text: str, title_hint: str | None = None, published_hint: str | None = None) -> dict:
    """``title_hint``: a title the container states (HTML heading or <title>, DOCX properties)."""
    title, agency = _title(text, title_hint)
    year = rules.report_year(title or "") or rules.body_year(text)
    region, level = read_region(agency, text)
    return {"title": title, "agency": agency, "region": region, "level": level, "year": year,
            "published": rules.find_date(published_hint) or _published(text)}


def _title(text: str, hint: str | None) -> tuple[str | None, str | None]:
    """(title, agency): the report's heading in the body, else the container's title, else a
    labelled title field — each only when it names a report of a year or a cover letter carrying one."""
    found = rules.report_heading(_FIELD.sub("", text[:_HEAD_CHARS]))
    if found:
        return found
    for stated in (hint, _labelled_title(text)):
        stated = re.sub(r"\s+", " ", stated or "").strip()
        carried = rules.cover_letter(stated)
        if carried:
            return carried[1], carried[0] or rules.agency_of(carried[1])
        if rules.is_report_title(stated):
            return stated, rules.agency_of(stated)
    return None, None


def _labelled_title(text: str) -> str | None:
    for field in _FIELD.finditer(text[:_HEAD_CHARS]):
        if re.sub(r"\s", "", field.group("label")) in _TITLE_FIELDS:
            return field.group("value")
    return None


def _published(text: str) -> str | None:
    """A labelled date (发布时间：…), else the signature date closing the report."""
    labelled = rules.labelled_date(text)
    if labelled:
        return labelled
    lines = [ln.strip() for ln in unicodedata.normalize("NFKC", text).splitlines() if ln.strip()]
    for line in reversed(lines[-6:]):
        if rules.DATE.fullmatch(line):  # the date alone on its line, under the signature
            return rules.find_date(line)
    return None
