"""The crawler's link rules: which links lead towards the 年报 column and which are attachments.

Plain functions of a link's text and address, tested from a table (tests/test_crawler_rules.py).
What a report title looks like, its year and date are the extractor's rules (``extract.rules``,
pure), imported by the spiders from there so the crawler and the extractor judge a report alike.
"""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from extract.rules import LOOKALIKE_WORDS, report_year

# Link texts naming a column on the way to the reports (政务公开 → 政府信息公开 → 年报),
# and href fragments CMSs use for that column.
COLUMN_WORDS = ("政务公开", "信息公开", "年报", "年度报告")
COLUMN_NOT = ("指南", "制度", "申请", "规定")
COLUMN_HREFS = ("zfxxgknb", "xxgknb", "gknb")
COLUMN_TEXT_MAX = 12  # nav labels are short; news titles mentioning 政务公开 are not
# Reports are published as documents, or as pictures: scanned pages, tables printed as images.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", *IMAGE_EXTENSIONS)


def is_column_link(text: str, url: str) -> bool:
    """A link worth following towards the 年报 column: a short, undated text naming the column,
    or a short text linking to a column address (``…/zfxxgknb/``). Article titles are long, and
    articles live under their column's folder, so for an address only the file's own name
    counts — or its folder's, for an index page."""
    text = text.strip()
    if not 0 < len(text) <= COLUMN_TEXT_MAX or report_year(text):
        return False
    if any(word in text for word in COLUMN_NOT + LOOKALIKE_WORDS):
        return False
    folder, _, page = urlsplit(url).path.lower().rpartition("/")
    name = folder if page == "" or page.startswith("index") else page
    return any(part in name for part in COLUMN_HREFS) or any(word in text for word in COLUMN_WORDS)


def is_attachment_link(text: str, url: str) -> bool:
    """A downloadable document: an office/PDF extension in the URL or the link text, or a 附件 link."""
    path = unquote(urlsplit(url).path).lower()
    return path.endswith(ATTACHMENT_EXTENSIONS) or text.strip().lower().endswith(ATTACHMENT_EXTENSIONS) or "附件" in text
