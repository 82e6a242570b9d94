"""Title, publishing body (with its region and level), report year and publication date,
as the document states them."""
from __future__ import annotations

import re
import unicodedata

from .region import read_region

_TITLE_WORDS = ("年度报告", "年报")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?")
_PUBLISHED_LABEL = re.compile(r"(?:发布|公开|成文|印发)(?:时间|日期)\s*[:：]?\s*")


def read_metadata(text: str, title_hint: str | None = None, published_hint: str | None = None) -> dict:
    title = _title(text, title_hint)
    agency, year = _agency_year(title)
    region, level = read_region(agency, text)
    return {"title": title, "agency": agency, "region": region, "level": level, "year": year,
            "published": _iso(published_hint) or _published(text)}


def _title(text: str, hint: str | None) -> str | None:
    """The first short line naming an annual report; a line above it that holds only the
    publishing body ("洪泽区人民政府" / "2023 年政府信息公开工作年度报告") is joined to it."""
    if hint and _looks_like_title(hint) and _YEAR_IN_TITLE.search(hint):
        return _squash(hint)
    lines = [ln.strip() for ln in text.splitlines()[:60]]
    for i, line in enumerate(lines):
        if not _looks_like_title(line):
            continue
        above = next((ln for ln in reversed(lines[:i]) if ln), "")
        if re.match(r"^(?:19|20)\d{2}", line) and above and len(above) <= 30 and not _looks_like_title(above) \
                and re.search(r"(政府|委员会|局|厅|办公室|院|部|署|中心|街道|镇|乡)$", above):
            return _squash(f"{above} {line}")
        return _squash(line)
    return None


def _looks_like_title(line: str) -> bool:
    return bool(line) and len(line) <= 80 and any(w in line for w in _TITLE_WORDS) and "。" not in line


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _agency_year(title: str | None) -> tuple[str | None, int | None]:
    if not title:
        return None, None
    m = _YEAR_IN_TITLE.search(title)
    if not m:
        return None, None
    agency = re.sub(r"[《“\"]", "", title[: m.start()]).strip() or None
    return agency, int(m.group(1))


def labelled_date(text: str) -> str | None:
    """The date after a label such as 发布时间： (portal pages print one above the article)."""
    m = re.search(_PUBLISHED_LABEL.pattern + _DATE.pattern, unicodedata.normalize("NFKC", text))
    return _iso(m.group(0)) if m else None


def _published(text: str) -> str | None:
    """A labelled date (发布时间：…), else the signature date closing the report."""
    labelled = labelled_date(text)
    if labelled:
        return labelled
    lines = [ln.strip() for ln in unicodedata.normalize("NFKC", text).splitlines() if ln.strip()]
    for line in reversed(lines[-6:]):
        if _DATE.fullmatch(line):  # the date alone on its line, under the signature
            return _iso(line)
    return None


def _iso(s: str | None) -> str | None:
    m = _DATE.search(unicodedata.normalize("NFKC", s or ""))
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
