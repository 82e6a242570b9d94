"""Title, publishing body (with its region and level), report year and publication date,
as the report itself states them.

The title is the report's own heading in its body (``rules.report_heading``): not the portal's
column name or breadcrumb printed above it (a PDF printed from a portal page starts with the page
chrome), and never a dump's or a metadata table's labelled fields (``标题：``, ``发布机构：``),
which are the container's words. A cover letter whose body is the report (…关于报送…年度报告的函)
gives the report's title and its sender as agency. Without a heading, the title the container
states (HTML heading, DOCX properties) or the body quotes (《…年度报告》, or its own name followed by
the year: "特向社会公布某局2025年度政府信息公开工作年度报告。") serves; a body that names no title
leaves it null, its agency then taken from the report's signature, its contact sentence
("请与某局办公室联系"), or the body's own web site it is published on. The year is the title's,
else the one the body's 统计期限 sentence states.
"""
from __future__ import annotations

import re

from . import rules
from .region import read_region

# Labelled fields a page dump, an archive's header or a portal's metadata table prints around a
# report ("标题: …", "发布机构: …"): the container's, not the report's words.
_FIELD = re.compile(r"^\s*(?:标\s*题|题\s*名|名\s*称|发布机构|发文机关|来\s*源|栏\s*目|文\s*号|索引号|主题分类"
                    r"|发布时间|发布日期|成文日期|原文链接|本地目录)\s*[:：].*$", re.MULTILINE)
_HEAD_CHARS = 4000  # the heading stands near the top, after the page's chrome
_NAME = r"[^\s，。；;：:、！？!?《》“”\"（）()]{2,40}"
_QUOTED = re.compile(r"《([^《》]{4,80})》")
# The report signed at its end: the body's name, then the date (and a 此件主动公开 note).
_SIGNATURE = re.compile(rf"(?:^|[\s。])({_NAME})\s*{rules.DATE.pattern}\s*(?:[（(][^（）()]{{0,12}}[)）])?\s*$")
# "如对本报告有任何疑问，请与某局办公室联系": the body, or its office that answers for it.
_CONTACT = re.compile(rf"请与({_NAME}?)(?:党政)?(?:办公室|办)?联系")
# How a report calls its own body (我局, 我委, 我县 …), and a body's web site named in a sentence.
_SELF = re.compile("我([局委办厅县市区镇乡])")
_SITE = re.compile(r"([^在及、，：:（）()“”\"《》]{2,40}?)(?:政府)?(?:门户)?网站")


def read_metadata(text: str, title_hint: str | None = None, published_hint: str | None = None) -> dict:
    """``title_hint``: a title the container states (HTML heading or <title>, DOCX properties)."""
    body = _FIELD.sub("", text)
    title, agency = _title(body, title_hint)
    year = rules.report_year(title or "") or rules.body_year(body)
    region, level = read_region(agency, body)
    return {"title": title, "agency": agency, "region": region, "level": level, "year": year,
            "published": rules.find_date(published_hint) or _published(text)}


def _title(text: str, hint: str | None) -> tuple[str | None, str | None]:
    """(title, agency) as described in the module docstring, in that order of preference; ``text``
    without labelled fields."""
    head = text[:_HEAD_CHARS]
    found = rules.report_heading(head) or rules.stated_title(hint) or _quoted_title(head)
    if found:
        return found
    agency = _signed_agency(text) or _contact_agency(text) or _site_owner(text)
    return _own_name_title(text, agency), agency


def _quoted_title(text: str) -> tuple[str, str | None] | None:
    """A report title the body quotes, naming its body ("特向社会公布《某局2022年…年度报告》")."""
    for quoted in _QUOTED.finditer(text):
        found = rules.stated_title(quoted.group(1))
        if found and found[1]:
            return found
    return None


def _own_name_title(text: str, agency: str | None) -> str | None:
    """The report title the body prints after its own name in a sentence ("特向社会公布某局2025年度
    政府信息公开工作年度报告。"): the name bounds the title where no blank or quotation does."""
    if not agency:
        return None
    flat = "".join(text[:_HEAD_CHARS].split())
    kinds = "|".join(rules.REPORT_KINDS)
    for match in re.finditer(rf"{re.escape(agency)}[^，。；;：:、《》“”\"]{{1,40}}?(?:{kinds})(?![\u4e00-\u9fff])", flat):
        if rules.is_report_title(match.group(0)) and rules.YEAR.match(match.group(0), len(agency)):
            return match.group(0)
    return None


def _signed_agency(text: str) -> str | None:
    match = _SIGNATURE.search(text[-200:].strip())
    return match.group(1) if match and rules.BODY_NAME.match(match.group(1)) else None


def _contact_agency(text: str) -> str | None:
    match = _CONTACT.search("".join(text.split()))
    return match.group(1) if match and rules.BODY_NAME.match(match.group(1)) else None


def _site_owner(text: str) -> str | None:
    """The body whose own web site the report says it is published on ("本年报的电子版可在…门户网站
    及某局门户网站下载"), when the report calls itself by that body's kind (我局 for a …局): a
    department names its government's portal too, and the government is not the report's body."""
    flat = "".join(text.split())
    self_reference = _SELF.search(flat)
    sentence = re.search(r"电子版[^。]*", flat)
    if not (self_reference and sentence):
        return None
    owners = [site.group(1) for site in _SITE.finditer(sentence.group(0))
              if site.group(1).endswith(self_reference.group(1)) and rules.BODY_NAME.match(site.group(1))]
    return owners[-1] if len(set(owners)) == 1 else None


def _published(text: str) -> str | None:
    """A labelled date (发布时间：…), else the signature date closing the report."""
    labelled = rules.labelled_date(text)
    if labelled:
        return labelled
    lines = [ln.strip() for ln in rules.half_width(text).splitlines() if ln.strip()]
    for line in reversed(lines[-6:]):
        if rules.DATE.fullmatch(line):  # the date alone on its line, under the signature
            return rules.find_date(line)
    return None
