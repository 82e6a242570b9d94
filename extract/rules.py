"""The report rules, kept once: what an open-information annual report's title looks like and
which look-alikes are not one, its year, a date, a cover letter that carries a report, and
whether a text is a report at all.

Pure functions of text. ``extract.metadata`` uses them to read a document, and the crawler
(``crawler.spiders``) imports them to judge listing entries and article pages, so a title
the crawler accepts is one the extractor reads the same way. Nothing here imports crawler or
archive code.
"""
from __future__ import annotations

import re

# A report title speaks of 信息公开 and of an annual report (年度报告 / 年报) …
REPORT_SUBJECT = "信息公开"
REPORT_KINDS = ("年度报告", "年报")
# … and is not one of the look-alikes published next to it: other annual documents
# (政府工作报告, 统计年报/公报, 决算/预算, 绩效报告) or news about the report itself
# (解读, 图解, 通知, 报送 …). 统计 is one outside a 统计局's name (its report is a report):
# ``is_lookalike`` reads it so; the words here are the ones a link's text is matched against.
LOOKALIKE_WORDS = (
    "政府工作报告", "统计年报", "统计年鉴", "统计数据", "公报", "决算", "预算", "绩效",
    "解读", "图解", "通知", "通报", "印发", "报送", "做好", "编制", "征集", "评估", "考核", "督查",
    "发布会", "答记者问",
)
TRUNCATED = ("...", "…", "。。。")

CN_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789"))
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年|([〇零一二三四五六七八九]{4})\s*年")
DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
# The label portals print before a page's publication date ("发布时间：2022-01-20").
PUBLISHED_LABEL = re.compile(r"(?:发布|发表|成文|公开|印发)(?:日期|时间)\s*[:：]?\s*")

# Section headings and table labels of the report format (2019 on, and the 2008 one): a report's
# body carries several; a 政府工作报告 or a news item mentioning the report hardly two.
FORMAT_MARKERS = (
    "主动公开政府信息", "收到和处理政府信息公开申请", "政府信息公开行政复议", "存在的主要问题及改进情况",
    "其他需要报告的事项", "依申请公开政府信息", "政府信息公开的收费及减免", "因政府信息公开申请行政复议",
)
MIN_FORMAT_MARKERS = 2
# Where a report's body states its year: the 统计期限 sentence ("统计期限自2021年1月1日起…",
# "统计数据时间段为…", "涵盖2020年1月1日至…"), else a "2021年政府信息公开工作年度报告" sentence
# (matched in text with whitespace removed).
BODY_YEARS = (
    re.compile(r"(?:统计期限|统计数据时间段|统计时间|涵盖)[^。]{0,12}?((?:19|20)\d{2})年1月1日"),
    re.compile(r"统计期限[^。]{0,12}?((?:19|20)\d{2})年"),
    re.compile(r"((?:19|20)\d{2})年度?(?:政府)?信息公开(?:工作)?(?:年度报告|年报)"),
)
# A cover letter or notice whose body is the report: "…管理局关于报送2020年度政府信息公开工作
# 年度报告的函", "…关于印发…年度报告的通知". The sender, then the report it carries.
COVER_LETTER = re.compile(
    r"关于(?:报送|印发|上报|呈报|公布|发布|提交)"
    r"(?P<report>[^\s，。；;：:、《》“”\"]{0,60}?(?:年度报告|年报))的(?:函|通知|报告|请示|公告)")
# The last characters of a publishing body's name: a government, its office, a department, a
# zone's 管委会, a street office, a township.
BODY_NAME = re.compile(r"^[^\s，。；;：:、！？!?《》“”\"〔〕\[\]【】>＞|｜]{1,40}"
                       r"(?:政府|公署|委员会|管委会|委|局|厅|办公室|办|院|部|署|中心|办事处|街道|镇|乡|所|站|队|馆|处)$")
_TITLE_MAX = 80  # a title is a short line, not a sentence that mentions the words


def is_report_title(title: str) -> bool:
    """An open-information annual report: names its year, 信息公开 and 年度报告/年报, and no look-alike word.

    A year is required because the same words without one name the column
    ("政府信息公开年报"), not a report.
    """
    return is_report_like(title) and report_year(title) is not None


def is_report_like(title: str) -> bool:
    """信息公开 and 年度报告/年报 and no look-alike word: a report, or the column of reports."""
    return (
        REPORT_SUBJECT in title
        and any(kind in title for kind in REPORT_KINDS)
        and not is_lookalike(title)
    )


def is_lookalike(title: str) -> bool:
    """A look-alike word, or 统计 outside a 统计局's name ("…年度报告统计表", "…的统计分析")."""
    return any(word in title for word in LOOKALIKE_WORDS) or _STATISTICS.search(title) is not None


_STATISTICS = re.compile("统计(?!局)")


def is_candidate_title(title: str) -> bool:
    """A listing entry that may be a report its title cannot prove: report-like but yearless
    ("本机关政府信息公开年报"), cut short before the words that would tell
    ("罗山县人民政府2021年政府信息公开工..."), or a cover letter that may carry the report in its
    body (:func:`cover_letter`). Its article decides."""
    if is_report_title(title):
        return False
    if cover_letter(title):
        return True
    if is_lookalike(title):
        return False
    cut_short = title.endswith(TRUNCATED) and ("信息" in title or any(kind in title for kind in REPORT_KINDS))
    return is_report_like(title) or cut_short


def report_year(title: str) -> int | None:
    """The first year written as "2021年" / "2021 年度" / "二〇二一年" in the title."""
    match = YEAR.search(title)
    if not match:
        return None
    digits = match.group(1) or "".join(CN_DIGITS[c] for c in match.group(2))
    return int(digits)


def body_year(text: str) -> int | None:
    """The year a report's body states (:data:`BODY_YEARS`), for a report whose title does not."""
    flat = "".join(half_width(text).split())
    for pattern in BODY_YEARS:
        match = pattern.search(flat)
        if match:
            return int(match.group(1))
    return None


def is_report_text(text: str) -> bool:
    """The text carries the report format's headings or table labels (:data:`FORMAT_MARKERS`)."""
    flat = "".join(text.split())
    return sum(marker in flat for marker in FORMAT_MARKERS) >= MIN_FORMAT_MARKERS


def cover_letter(title: str) -> tuple[str | None, str] | None:
    """(sender or None, title of the report it carries) when ``title`` is a cover letter or notice
    carrying a report; the report's title gets the sender's name when it does not start with a body
    of its own ("…管理局关于报送2020年度…年度报告的函" → "…管理局2020年度…年度报告")."""
    title = _squash(title)
    match = COVER_LETTER.search(title)
    return _carried(match, title[: match.start()]) if match else None


def _carried(letter: re.Match, sender: str) -> tuple[str | None, str] | None:
    """:func:`cover_letter` of a match of :data:`COVER_LETTER` and the words before it."""
    report = letter.group("report")
    if not is_report_title(report) or (sender and not BODY_NAME.match(sender)):
        return None
    sender = sender or None
    if sender and report_year(report) is not None and YEAR.match(report):
        report = sender + report
    return sender, report


def agency_of(title: str | None) -> str | None:
    """The body a report title names before its year ("罗山县人民政府2021年…" → 罗山县人民政府;
    "示例县教育局关于2021年度…" → 示例县教育局), or right after it, before the report's subject
    ("2023年信阳市教育局政府信息公开…" → 信阳市教育局; "2022年罗山县政府信息公开…" → 罗山县政府);
    None when it names none."""
    match = YEAR.search(title or "")
    kind = re.search("|".join(REPORT_KINDS), title or "")
    if not match or (kind and kind.start() < match.start()):  # "…年度报告（2022年）": no body named
        return None
    name = re.sub(r"关于$", "", re.sub(r"[《“\"\s]", "", title[: match.start()]))
    return name or _agency_after_year(re.sub(r"^度", "", title[match.end():]))


def _agency_after_year(rest: str) -> str | None:
    for subject in ("政府信息公开", REPORT_SUBJECT):  # the body's own 政府 may be the subject's
        name = rest.split(subject, 1)[0]
        if name != rest and BODY_NAME.match(name):
            return name
    return None


def report_heading(text: str) -> tuple[str, str | None] | None:
    """(title, agency or None) of the first report heading in the text: a report title standing on
    its own (:func:`_title_headings`), or a cover letter carrying the report (its report's title,
    and its sender as agency: :func:`cover_letter`), whichever comes first."""
    heading = next(_title_headings(text), None)
    found = [(heading[0], heading[1], agency_of(heading[1]))] if heading else []
    for letter in COVER_LETTER.finditer(text):
        start = max(text.rfind(blank, 0, letter.start()) for blank in (" ", "\n", "\t", "\u3000")) + 1
        carried = _carried(letter, text[start: letter.start()])
        if carried:
            found.append((start, carried[1], carried[0] or agency_of(carried[1])))
            break
    if not found:
        return None
    _start, title, agency = min(found)
    return title, agency


def stated_title(title: str | None) -> tuple[str, str | None] | None:
    """(title, agency) of a title a container or a quotation states, when it names a report of a
    year, or a cover letter carrying one (then the report's title and the letter's sender)."""
    title = _squash(title or "")
    carried = cover_letter(title)
    if carried:
        return carried[1], carried[0] or agency_of(carried[1])
    return (title, agency_of(title)) if is_report_title(title) and _is_name(title) else None


def _title_headings(text: str):
    """(position, title) of each report title standing as a heading in the text: on its own line
    (or wrapped onto a second: "…政府信息公开工" / "作年度报告"), or between blanks in a page flattened
    onto one line, with the body's name when it stands just before the year
    ("洪泽区人民政府\n2023年政府信息公开工作年度报告", "…管理局 2020年度…年度报告").
    A title run into a sentence ("编制完成2023年度…年度报告。") is no heading; a breadcrumb or
    column name ("政府信息公开年报") names no year and is none either."""
    for kind in _KIND_WRAPPED.finditer(text):
        end = _heading_end(text, kind.end())
        if end is None:
            continue
        pieces = re.findall(r"\S+|\s+", text[max(0, kind.start() - _TITLE_MAX): kind.start()])
        title = (pieces.pop() if pieces and not pieces[-1].isspace() else "") + text[kind.start():end]
        if report_year(title) is None and _before(pieces) and re.fullmatch(r"(?:19|20)\d{2}", _before(pieces)):
            title = _join(pieces, title)  # "2021 年…"
        else:
            while (not is_report_title(_squash(title)) and "\n" in _blank(pieces) and _before(pieces)
                   and not DATE.search(_before(pieces) + title) and len(_squash(title)) <= _TITLE_MAX):
                title = _join(pieces, title)  # wrapped: "…2021年政府信息公开工" / "作年度报告", "…20" / "21年…"
        if YEAR.match(title) and BODY_NAME.match(_before(pieces)):
            title = _join(pieces, title)
        while _name_wrapped(pieces, title):  # a long name wrapped over one line or more
            title = _join(pieces, title)
        flat = _squash(title).lstrip(_MARKUP)
        if len(flat) <= _TITLE_MAX and is_report_title(flat) and _is_name(flat):
            yield end - len(title), flat


# Markdown around a heading, as converters write it ("# …年度报告", "**…年度报告**").
_MARKUP = "#*_"
# 年度报告 / 年报, perhaps broken over two lines ("…工作年" / "度报告", "…年度" / "  报告").
_KIND_WRAPPED = re.compile("|".join(r"(?:[ \t\u3000\r]*\n[ \t\u3000]*)?".join(kind) for kind in REPORT_KINDS))
_NAME_PART = re.compile(r"[\u4e00-\u9fff]+")  # the start of a body's name: Chinese characters only


def _name_wrapped(pieces: list[str], title: str) -> bool:
    """The line above the title holds the start of the body's name, wrapped onto the title's
    line ("平潭综合实验区综合执法与应急管" / "理局2019年…"): a line of its own, of Chinese characters
    and no narrower than the title's first line (a wrapped line is a full one: a breadcrumb or
    column name above a title is shorter). A title's line that starts with its year has the name
    above it already joined ("淮安市人民政府" / "2024年…")."""
    blank, before = _blank(pieces), _before(pieces)
    above = pieces[-3] if len(pieces) >= 3 else "\n"
    first_line = title.split("\n", 1)[0].strip()
    return ("\n" in blank and "\n" in above and bool(_NAME_PART.fullmatch(before))
            and _width(before) >= _width(first_line) and not YEAR.match(title))


def _width(line: str) -> float:
    """A line's printed width in Chinese characters: a digit or Latin letter is half of one."""
    return sum(0.5 if ch.isascii() else 1 for ch in line)


def _blank(pieces: list[str]) -> str:
    """The blank before the title's words (pieces: words and blanks before them, in order)."""
    return pieces[-1] if pieces and pieces[-1].isspace() else ""


def _before(pieces: list[str]) -> str:
    """The word before that blank."""
    return pieces[-2] if len(pieces) >= 2 and pieces[-1].isspace() else ""


def _join(pieces: list[str], title: str) -> str:
    """The word before the title joined to it, with the blank between them."""
    blank = pieces.pop()
    return pieces.pop() + blank + title


def _heading_end(text: str, end: int) -> int | None:
    """Where a heading ending in 年度报告/年报 at ``end`` ends (after a "（2022年）" it may carry),
    or None when a sentence goes on after it."""
    tail = re.match(r"[（(]\s*(?:19|20)\d{2}\s*年度?\s*[)）]", text[end:])
    end += tail.end() if tail else 0
    closing = end + len(text[end: end + 4]) - len(text[end: end + 4].lstrip(_MARKUP))
    return end if closing == len(text) or text[closing].isspace() else None


def _is_name(title: str) -> bool:
    """No sentence punctuation in the title, and what stands before its year is a body's name."""
    if re.search(r"[，。；;：:、！？!?“”\"]", title):
        return False
    agency = agency_of(title)
    return agency is None or bool(BODY_NAME.match(agency))


def find_date(text: str | None) -> str | None:
    """The first date (2022-01-20, 2022/1/20, 2022.01.20, 2022年1月20日, full-width digits too)
    as YYYY-MM-DD."""
    for year, month, day in DATE.findall(half_width(text or "")):
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


def labelled_date(text: str) -> str | None:
    """The date after a label such as 发布时间： (portal pages print one above the article)."""
    text = half_width(text)
    for label in PUBLISHED_LABEL.finditer(text):
        match = DATE.match(text, label.end())
        date = find_date(match.group(0)) if match else None
        if date:
            return date
    return None


# Full-width digits and date punctuation ("２０２２／１／２０") as ASCII: what NFKC does to them, done
# only to a text that has full-width digits (NFKC, or translating every text, costs a whole
# report's text more than reading its metadata).
_HALF_WIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")
_FULL_WIDTH_DIGIT = re.compile("[０-９]")


def half_width(text: str) -> str:
    return text.translate(_HALF_WIDTH) if _FULL_WIDTH_DIGIT.search(text) else text


def _squash(text: str) -> str:
    """Without the blanks a layout puts into a Chinese title ("罗山县人民政府 2021 年…", a name
    and its year on two lines)."""
    return "".join(text.split())
