"""The three demo portals, their reports and their traps, written to disk.

Each body publishes its 2019–2024 reports the way a real portal of its kind
does (``PLANS`` says which report is HTML, PDF or DOCX, which is inconsistent,
which kept the 2019 template), next to look-alike documents that are not annual
reports. ``build_sites(dest)`` writes:

    dest/<slug>/…             each site's files (Last-Modified = publication date)
    dest/<slug>.site.json     what the server needs: redirects, ?page= routes, attachment names
    dest/expected.json        the ground truth tests and ``make demo`` compare against

    罗山县人民政府 (county)        TRS-style CMS: static index_N.html paging + createPageHTML()
    信阳市教育局 (city department)  list filled by JavaScript from a JSON endpoint
    河南省发展和改革委员会 (province) GBK, a redirect shell page, ?page=N paging, attachments

expected.json (paths are URL paths on the portal's own host; join them to its url):

    portals:  [{name, slug, level, region, charset, home, column_path}]
    reports:  [{portal, year, format_version, title, published,
                listing_path,             # the listing page (or JSON page) that links it
                link_path,                # the href as listed (a 302 for one report)
                page_path,                # the article page, after redirects
                documents: [{path, kind: html|pdf|docx, role: page|attachment,
                             filename, has_tables}],
                figures, cells,           # every key of standard_format.keys(format_version)
                null_keys, perturbed,     # cells printed blank/—//; cells printed off on purpose
                label_variants,           # standard label → the variant this report prints
                checks: {identity name: true|false|null}, failed_checks, consistent,
                prose: {phrase, key, prose_value, table_value, passed}}]
    noise:    [{portal, title, path, kind}]   # look-alikes that must not become reports
    robots_blocked, dead_links: [{portal, path, title}]
    redirects: [{portal, path, status, location, via: http|meta-refresh}]
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import pages, render
from . import pictures as picture_files
from .figures import PROSE_KEY, PROSE_PHRASE, TITLE, Report, check_results, make_report
from .pages import Body

LUOSHAN = Body("罗山县人民政府", "luoshan", "county", "河南省信阳市", "县", "utf-8", "4115210001",
               "豫ICP备05003921号", "TRS_Editor",
               (("首页", "/index.html"), ("政务公开", "/zwgk/index.html"), ("新闻中心", "/xwzx/index.html")))
XYJY = Body("信阳市教育局", "xyjy", "city", "河南省信阳市", "局", "utf-8", "4115000027",
            "豫ICP备12004567号-1", "article-content",
            (("首页", "/index.html"), ("信息公开", "/xxgk/index.html"), ("教育动态", "/jydt/index.html")))
HNFGW = Body("河南省发展和改革委员会", "hnfgw", "province", "河南省", "委", "gbk", "4100000045",
             "豫ICP备10006789号", "content",
             (("首页", "/index.html"), ("政务公开", "/zwgk/index.html"), ("新闻中心", "/xwzx/index.html")))

@dataclass(frozen=True)
class Plan:
    """How one report is published. ``kinds``: the documents that carry the tables
    ("html" = the article page itself, "pictures" = the page, its tables printed as pictures
    (``pictures.table_pictures``), "pdf"/"docx" = attachments)."""

    year: int
    version: str
    kinds: tuple[str, ...] = ("html",)
    title: str = TITLE
    perturb: dict = field(default_factory=dict)  # key → delta: a printed cell off by delta
    blanks: dict = field(default_factory=dict)  # key → printed text instead of the number
    requests: int | None = None  # fix 本年新收 总计
    prose_offset: int = 0  # prose figure = table figure + offset
    moved: bool = False  # the listing links an old URL that 302-redirects to the page
    labels: dict = field(default_factory=dict)  # standard label → variant printed instead


PLANS = {
    "luoshan": (
        Plan(2019, "2019", labels={"5.属于三类内部事务信息": "5.属于三类内容事务信息",
                                   "1.属于国家秘密": "1、属于国家秘密"}),
        Plan(2020, "2019", ("html", "pdf")),  # tables on the page and the same report as PDF
        Plan(2021, "2021", requests=48, prose_offset=-2),  # prose says 46, table 48, as in the seed
        Plan(2022, "2021", perturb={"requests.disclosed.natural_person": 1}),
        Plan(2023, "2021", ("pdf",), title="{body}{year}年度政府信息公开工作年度报告"),
        Plan(2024, "2021", moved=True),
    ),
    "xyjy": (
        Plan(2019, "2019", ("docx",), blanks={"active.fees.items_change": "—"}),
        Plan(2020, "2019", blanks={"active.other_services.items_last_year": "/",
                                   "active.other_services.items_change": "/"}),
        Plan(2021, "2019"),  # kept the 2019 template for its 2021 report
        Plan(2022, "2021", perturb={"appeals.review.total": 1}),
        Plan(2023, "2021", ("docx",), title="{year}年{body}政府信息公开工作年度报告"),
        Plan(2024, "2021", blanks={"active.rules.issued": "", "active.rules.repealed": "",
                                   "active.rules.in_force": "", "appeals.litigation_after_review.pending": "—"}),
    ),
    "hnfgw": (
        Plan(2019, "2019", ("pdf",), title="{body}{year}年度政府信息公开工作年度报告"),
        Plan(2020, "2019", ("pdf",)),
        Plan(2021, "2021", ("docx",)),
        Plan(2022, "2021", ("pdf",), perturb={"requests.new_received.total": -1},
             labels={"2.其他法律行政法规禁止公开": "2.其他法律行政止公开", "总计": "总 计"}),
        Plan(2023, "2021", ("pictures",)),  # its tables pasted into the page as screenshots
        Plan(2024, "2021", ("pdf",)),
    ),
}

# Site-wide reference date: Last-Modified of pages that are not dated articles.
SITE_DATE = "2025-03-31"
PAGE_SIZE = 5
MEDIA_EXT = {"pdf": ".pdf", "docx": ".docx"}


# ---------------------------------------------------------------- site tree
class SiteTree:
    """One site's files, and what the server must know that files cannot say."""

    def __init__(self, body: Body):
        self.body = body
        self.files: dict[str, tuple[bytes, str]] = {}  # url path → (bytes, YYYY-MM-DD)
        self.redirects: dict[str, tuple[int, str]] = {}
        self.paged: dict[str, str] = {}  # url path → file path pattern with {page}
        self.filenames: dict[str, str] = {}  # attachment url path → its download name

    def add(self, path: str, content: str | bytes, date: str = SITE_DATE) -> str:
        if isinstance(content, str):
            content = content.encode("utf-8" if path.endswith(".json") else self.body.charset)
        self.files[path + "index.html" if path.endswith("/") else path] = (content, date)
        return path

    def page(self, path, title, main, date=SITE_DATE, head=""):
        return self.add(path, pages.page(self.body, title, main, head=head), date)

    def write(self, dest: Path, order: int):
        """Files under ``dest/<slug>/``; the server's settings beside them in ``<slug>.site.json``."""
        root = dest / self.body.slug
        if root.exists():
            shutil.rmtree(root)
        for path, (data, date) in self.files.items():
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            stamp = datetime.datetime.fromisoformat(date).replace(
                hour=9, tzinfo=datetime.timezone.utc).timestamp()
            os.utime(target, (stamp, stamp))
        config = {"order": order, "slug": self.body.slug, "name": self.body.name,
                  "level": self.body.level, "region": self.body.region, "charset": self.body.charset,
                  "redirects": self.redirects, "paged": self.paged, "filenames": self.filenames}
        settings = json.dumps(config, ensure_ascii=False, indent=1)
        (dest / f"{self.body.slug}.site.json").write_text(settings, encoding="utf-8")


class Truth:
    """The ground truth gathered while the sites are built (→ expected.json)."""

    def __init__(self):
        self.portals, self.reports, self.noise = [], [], []
        self.robots_blocked, self.dead_links, self.redirects = [], [], []

    def redirect(self, tree, path, status, location, via="http"):
        if via == "http":
            tree.redirects[path] = (status, location)
        self.redirects.append({"portal": tree.body.name, "path": path, "status": status,
                               "location": location, "via": via})

    def as_json(self):
        return {"portals": self.portals, "reports": self.reports, "noise": self.noise,
                "robots_blocked": self.robots_blocked, "dead_links": self.dead_links,
                "redirects": self.redirects}


# ---------------------------------------------------------------- shared steps
def _reports(body: Body) -> list[tuple[Plan, Report]]:
    """The body's reports in year order, each chained to the previous year's."""
    out, previous = [], None
    for plan in PLANS[body.slug]:
        report = make_report(
            body.name, body.unit, body.level, plan.year, plan.version,
            title=plan.title.format(body=body.name, year=plan.year),
            published=_published(body, plan.year), seed="demo", previous=previous,
            requests=plan.requests, perturb=plan.perturb, blanks=plan.blanks,
            prose_offset=plan.prose_offset, labels=plan.labels)
        out.append((plan, report))
        previous = report
    return out


def _published(body, year):
    """Departments publish by 31 January, governments by 31 March (of year+1)."""
    rng = random.Random(f"{body.slug}|published|{year}")
    month = 1 if "人民政府" not in body.name else rng.randint(1, 3)
    return f"{year + 1}-{month:02d}-{rng.randint(8, 28):02d}"


def _number(*parts) -> int:
    """A stable 6-digit article id, like a CMS's."""
    return 100000 + int(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8], 16) % 900000


def _publish(tree, truth, plan, report, page_path, attachment_path, crumbs, link_path=None):
    """Write a report's article page and attachments; record them in the truth.

    ``attachment_path(kind)`` gives (href as printed on the page, absolute path).
    Returns the truth entry; its ``listing_path`` is filled in when the listing is paged.
    """
    body = tree.body
    documents = [{"path": page_path, "kind": "html", "role": "page", "filename": None,
                  "has_tables": "html" in plan.kinds}]
    attachments = []
    for kind in plan.kinds:
        if kind in ("html", "pictures"):
            continue
        href, path = attachment_path(kind)
        filename = report.title + MEDIA_EXT[kind]
        data = render.render_pdf(report) if kind == "pdf" else render.render_docx(report)
        tree.add(path, data, report.published)
        tree.filenames[path] = filename
        attachments.append((filename, href))
        documents.append({"path": path, "kind": kind, "role": "attachment", "filename": filename,
                          "has_tables": True})
    if "html" in plan.kinds:
        content = render.render_html_body(report)
    elif "pictures" in plan.kinds:
        content = _pictured(tree, report, page_path, documents)
    else:
        content = pages.paragraphs([f"现将{report.title}予以公布，详见附件。"])
    tree.page(page_path, report.title,
              pages.article(body, report.title, report.published, content, attachments, crumbs),
              report.published)
    checks = check_results(report.figures, report.version)
    table_value = report.figures[PROSE_KEY]
    entry = {
        "portal": body.name, "year": report.year, "format_version": report.version,
        "title": report.title, "published": report.published,
        "listing_path": None, "link_path": link_path or page_path, "page_path": page_path,
        "documents": documents,
        "figures": report.figures, "cells": report.cells,
        "null_keys": sorted(k for k, v in report.figures.items() if v is None),
        "perturbed": report.perturbed, "label_variants": report.labels,
        "checks": checks,
        "failed_checks": sorted(name for name, ok in checks.items() if ok is False),
        "consistent": all(ok is not False for ok in checks.values()),
        "prose": {"phrase": PROSE_PHRASE, "key": PROSE_KEY, "prose_value": report.prose_requests,
                  "table_value": table_value, "passed": report.prose_requests == table_value},
    }
    truth.reports.append(entry)
    return entry


def _pictured(tree, report, page_path, documents) -> str:
    """The article of a report whose tables are screenshots beside the page (and a logo above
    its text, a picture that is no table); the pictures are added to the site and to the truth's
    documents, as the crawler archives them (the pictures a page prints, in page order)."""
    folder, stem = page_path.rsplit("/", 1)
    stem = stem.removesuffix(".html")
    files = [(f"{stem}_logo.png", picture_files.logo(), False)]
    files += [(f"{stem}_{n}.png", data, True) for n, data in enumerate(picture_files.table_pictures(report), 1)]
    for name, data, has_tables in files:
        tree.add(f"{folder}/{name}", data, report.published)
        documents.append({"path": f"{folder}/{name}", "kind": "png", "role": "attachment", "filename": name,
                          "has_tables": has_tables})
    # the pictures of table 2, table 3 (cut in two) and table 4, by their names
    names = [name for name, _data, has_tables in files if has_tables]
    logo = f'<p style="text-align: center;"><img src="./{files[0][0]}" width="120" height="120"></p>\n'
    return logo + render.render_html_body(report, {2: [f"./{names[0]}"], 3: [f"./{n}" for n in names[1:3]],
                                                   4: [f"./{names[3]}"]})


NOISE_TEXT = {
    "政府工作报告": "{year}年政府工作报告，在人民代表大会上所作。\n过去一年，地区生产总值增长6.3%，一般公共预算收入增长8.1%。",
    "统计公报": "{year}年，全县经济运行稳中有进，全年地区生产总值312.6亿元。\n年末户籍总人口76.5万人，城镇化率达到43.2%。",
    "统计年报": "{year}年发展改革统计年报，汇总固定资产投资等统计指标。\n全年固定资产投资比上年增长6.7%，其中工业投资增长10.1%。",
    "部门决算": "{body}{year}年度部门决算公开，包括收入支出决算总表等九张表格。\n本年收入合计2836.51万元，本年支出合计2790.12万元。",
    "年度绩效报告": "{body}{year}年度部门整体支出绩效自评，评价得分92分。\n年度绩效目标基本完成，资金使用规范。",
    "解读": "一图读懂《{body}{year}年政府信息公开工作年度报告》。\n年度报告从总体情况、主动公开、依申请公开等六个方面作了说明。",
    "部门预算": "{body}{year}年部门预算公开，包括收支总表等八张表格。\n一般公共预算支出合计1532.40万元。",
}


def _notice(tree, truth, kind, title, path, date, year, crumbs):
    """A look-alike page (政府工作报告, 决算, 解读 …): must not be taken for a report."""
    content = pages.paragraphs(NOISE_TEXT[kind].format(body=tree.body.name, year=year).split("\n"))
    tree.page(path, title, pages.article(tree.body, title, date, content, (), crumbs), date)
    truth.noise.append({"portal": tree.body.name, "title": title, "path": path, "kind": kind})
    return _item(title, path, date)


def _item(title, href, date, entry=None):
    """A listing line; ``entry`` is the report's truth entry, if it is a report."""
    return {"title": title, "href": href, "date": date, "entry": entry}


def _paginate(items):
    """Newest first, PAGE_SIZE to a page, as the CMSs list them."""
    items = sorted(items, key=lambda item: item["date"], reverse=True)
    return [items[i:i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]


def _listed(chunk, listing_path):
    for item in chunk:
        if item["entry"] is not None:
            item["entry"]["listing_path"] = listing_path


def _links(items, relative_to=None, cls="list"):
    """Listing HTML; TRS prints hrefs relative to the column (./202201/t…html)."""
    def href(path):
        return "./" + path[len(relative_to):] if relative_to and path.startswith(relative_to) else path
    return pages.links([(i["title"], href(i["href"]), i["date"]) for i in items], cls)


def _news(tree, truth, column, noise, plain):
    """A news column mixing ordinary news with look-alikes; returns its items."""
    crumbs = (("新闻中心", column),)
    items = []
    for kind, title, date, year in noise:
        items.append(_notice(tree, truth, kind, title, _dated(column, title, date), date, year, crumbs))
    for title, date in plain:
        path = _dated(column, title, date)
        tree.page(path, title, pages.article(tree.body, title, date, pages.paragraphs(
            [f"{date[:4]}年，{tree.body.name}召开会议，部署政务公开重点工作。"]), (), crumbs), date)
        items.append(_item(title, path, date))
    items.sort(key=lambda item: item["date"], reverse=True)
    tree.page(column, "新闻中心", pages.column("新闻中心", _links(items), crumbs))
    return items


def _dated(folder, title, date):
    """A TRS-style dated path: <folder>YYYYMM/tYYYYMMDD_NNNNNN.html."""
    ymd = date.replace("-", "")
    return f"{folder}{ymd[:6]}/t{ymd}_{_number(title)}.html"


def _stub(tree, path, title, text, crumbs):
    tree.page(path, title, pages.column(title, pages.paragraphs([text]), crumbs))


GUIDE = "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。"


# ---------------------------------------------------------------- 罗山县人民政府 (TRS)
TRS_SCRIPT = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  for (var i = 0; i < _nPageCount; i++) {
    var name = i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    if (i == _nCurrIndex) { document.write("<span class=\\"current\\">" + (i + 1) + "</span> "); }
    else { document.write("<a href=\\"" + name + "\\">" + (i + 1) + "</a> "); }
  }
}
</script>
"""


def _luoshan(tree: SiteTree, truth: Truth) -> str:
    """TRS WCM: static index.html, index_1.html … with createPageHTML() and 下一页/尾页."""
    body, column = tree.body, "/zwgk/zfxxgknb/"
    zwgk = ("政务公开", "/zwgk/index.html")
    crumbs = (zwgk, ("政府信息公开年报", column))
    items = []
    for plan, report in _reports(body):
        ymd, n = report.published.replace("-", ""), _number(body.slug, report.year)
        folder = f"{column}{ymd[:6]}/"
        page_path = link = f"{folder}t{ymd}_{n}.html"
        if plan.moved:  # the listing still links the URL of an older CMS, kept alive by a 302
            link = f"/art/{ymd[:4]}/{int(ymd[4:6])}/{int(ymd[6:])}/art_1562_{n}.html"
            truth.redirect(tree, link, 302, page_path)
        entry = _publish(tree, truth, plan, report, page_path, lambda kind: (
            f"./P0{ymd}{n}{MEDIA_EXT[kind]}", f"{folder}P0{ymd}{n}{MEDIA_EXT[kind]}"), crumbs, link)
        items.append(_item(report.title, link, report.published, entry))
    for kind, title, date, year in (("政府工作报告", "2023年罗山县人民政府工作报告", "2023-01-16", 2022),
                                    ("统计公报", "罗山县2022年国民经济和社会发展统计公报", "2023-04-20", 2022),
                                    ("部门决算", "罗山县人民政府办公室2021年度部门决算", "2022-09-06", 2021)):
        items.append(_notice(tree, truth, kind, title, _dated(column, title, date), date, year, crumbs))

    dead_title = f"{body.name}2018年政府信息公开工作年度报告"
    dead = _dated(column, dead_title, "2019-03-28")
    items.append(_item(dead_title, dead, "2019-03-28"))
    truth.dead_links.append({"portal": body.name, "path": dead, "title": dead_title})

    blocked_title = f"{body.name}2024年政府信息公开工作年度报告（审核稿）"
    blocked = _dated("/preview/zfxxgknb/", blocked_title, "2025-03-20")
    tree.page(blocked, blocked_title, pages.article(
        body, blocked_title, "2025-03-20", pages.paragraphs(["内部审核稿，请勿转载。"]), (), crumbs))
    items.append(_item(blocked_title, blocked, "2025-03-20"))
    truth.robots_blocked.append({"portal": body.name, "path": blocked, "title": blocked_title})
    tree.add("/robots.txt", "User-agent: *\nDisallow: /preview/\nDisallow: /search/\n")

    _trs_listing(tree, column, items, crumbs)

    # 政务公开: the report column among look-alike columns.
    _stub(tree, "/zwgk/zfxxgkzn/", "政府信息公开指南", GUIDE, (zwgk,))
    for folder, name, kind, title, year in (
            ("zfgzbg", "政府工作报告", "政府工作报告", "2024年罗山县人民政府工作报告", 2023),
            ("tjxx", "统计信息", "统计年报", "罗山县2021年统计年报", 2021)):
        path = f"/zwgk/{folder}/"
        entry = _notice(tree, truth, kind, title, _dated(path, title, "2024-02-05"), "2024-02-05", year,
                        (zwgk, (name, path)))
        tree.page(path, name, pages.column(name, _links([entry], path), (zwgk, (name, path))))
    columns = [("政府信息公开指南", "./zfxxgkzn/"), ("政府信息公开年报", "./zfxxgknb/"),
               ("政府工作报告", "./zfgzbg/"), ("统计信息", "./tjxx/"),
               ("县直部门和乡镇", "." + _hosted_units(tree, truth, zwgk).removeprefix("/zwgk"))]
    tree.page("/zwgk/index.html", "政务公开", pages.column(
        "政务公开", pages.links([(t, h, "") for t, h in columns], "columns"), (zwgk,)))

    news = _news(tree, truth, "/xwzx/",
                 (("解读", "关于2021年政府信息公开工作年度报告的解读", "2022-03-02", 2021),
                  ("年度绩效报告", "罗山县人民政府2022年度绩效报告", "2023-05-10", 2022)),
                 (("罗山县召开2024年政务公开工作推进会", "2024-04-12"),))
    # The home page's shortcut still points at the column's old URL (301 to the new one).
    old_column = "/xxgk/ndbg/index.html"
    truth.redirect(tree, old_column, 301, column)
    quick = pages.links([("政府信息公开年报", old_column, ""), ("政府信息公开指南", "/zwgk/zfxxgkzn/", "")], "quick")
    tree.page("/index.html", "首页", pages.column("要闻动态", _links(news) + "\n<h3>专题专栏</h3>\n" + quick))
    return column


# Units 罗山县人民政府 hosts, listed under 县直部门和乡镇: (name, slug, level, years).
HOSTED_UNITS = (("罗山县教育体育局", "jtj", "department", (2023, 2024)),
                ("罗山县财政局", "czj", "department", (2024,)),
                ("罗山县城关镇人民政府", "cgz", "township", (2024,)))


def _hosted_units(tree, truth, zwgk) -> str:
    """The directory of the units the portal hosts (a link list), each unit in its own sub-folder
    with a 信息公开 page and a 年报 column holding its reports (HTML, tables on the page) and, for
    the 财政局, its budget as a look-alike. A unit's truth entries carry it as ``publisher``.
    Returns the directory's path."""
    directory = "/zwgk/bmxxgk/"
    crumbs = (zwgk, ("县直部门和乡镇", directory))
    for name, slug, level, years in HOSTED_UNITS:
        home, column = f"/bm/{slug}/", f"/bm/{slug}/xxgk/gknb/"
        items, previous = [], None
        for year in years:
            published = f"{year + 1}-01-{15 + len(slug):02d}"
            report = make_report(name, "局" if level == "department" else "镇", "county", year, "2021",
                                 published=published, seed="demo", previous=previous)
            previous = report
            page_path = f"{column}{published[:7].replace('-', '')}/t{published.replace('-', '')}_{_number(name, year)}.html"
            entry = _publish(tree, truth, Plan(year, "2021"), report, page_path, None, crumbs)
            entry.update(publisher=name, publisher_level=level, listing_path=column)
            items.append(_item(report.title, page_path, published, entry))
        if slug == "czj":
            title, date = f"{name}2024年部门预算", "2024-02-20"
            items.append(_notice(tree, truth, "部门预算", title, _dated(column, title, date), date, 2024, crumbs))
        tree.page(column, "政府信息公开年报", pages.column("政府信息公开年报", _links(items, column), crumbs))
        tree.page(home + "xxgk/", f"{name}信息公开", pages.column(name, pages.links(
            [("政府信息公开年报", "./gknb/", ""), ("政府信息公开指南", "./zn/", "")], "columns"), crumbs))
        tree.page(home, name, pages.column(name, pages.links([("信息公开", "./xxgk/", "")], "columns"), crumbs))
    tree.page(directory, "县直部门和乡镇", pages.column("县直部门和乡镇", pages.links(
        [(name, f"/bm/{slug}/", "") for name, slug, _, _ in HOSTED_UNITS], "units"), crumbs))
    return directory


def _trs_listing(tree, column, items, crumbs):
    """TRS paging: index.html, index_1.html … each calling createPageHTML(count, i, "index",
    "html") and carrying plain 首页/上一页/下一页/尾页 links too."""
    chunks = _paginate(items)
    last = len(chunks) - 1
    for i, chunk in enumerate(chunks):
        name = "index.html" if i == 0 else f"index_{i}.html"
        _listed(chunk, column if i == 0 else column + name)
        nav = ['<a href="index.html">首页</a>']
        if i > 0:
            nav.append(f'<a href="{"index.html" if i == 1 else f"index_{i - 1}.html"}">上一页</a>')
        if i < last:
            nav += [f'<a href="index_{i + 1}.html">下一页</a>', f'<a href="index_{last}.html">尾页</a>']
        pager = (f'<div class="page">\n<script type="text/javascript">createPageHTML({last + 1}, {i}, '
                 f'"index", "html");</script>\n{" ".join(nav)}\n</div>')
        tree.page(column + name, "政府信息公开年报",
                  pages.column("政府信息公开年报", _links(chunk, column) + "\n" + pager, crumbs),
                  chunk[0]["date"], head=TRS_SCRIPT)


# ---------------------------------------------------------------- 信阳市教育局 (JSON list)
JQUERY_STUB = """/* The few jQuery calls the column pages use, on top of fetch(). */
(function () {
  function $(selector) {
    var el = document.querySelector(selector);
    return { html: function (h) { el.innerHTML = h; } };
  }
  $.each = function (list, fn) { for (var i = 0; i < list.length; i++) { fn(i, list[i]); } };
  $.getJSON = function (url, fn) { fetch(url).then(function (r) { return r.json(); }).then(fn); };
  window.$ = window.jQuery = $;
})();
"""

JSON_COLUMN = """<ul class="list" id="list"></ul>
<div class="page" id="pager"></div>
<script type="text/javascript" src="/js/jquery.min.js"></script>
<script type="text/javascript">
var listUrl = "{api}?page=";
function loadPage(page) {{
  $.getJSON(listUrl + page, function (data) {{
    var html = "";
    $.each(data.items, function (i, item) {{
      html += '<li><a href="' + item.url + '" target="_blank">' + item.title + '</a><span class="date">' + item.date + '</span></li>';
    }});
    $("#list").html(html);
    var pager = "";
    for (var p = 1; p <= data.pageCount; p++) {{
      pager += p == data.page ? "<span>" + p + "</span> " : '<a href="javascript:loadPage(' + p + ')">' + p + "</a> ";
    }}
    $("#pager").html(pager);
  }});
}}
loadPage(1);
</script>"""


def _xyjy(tree: SiteTree, truth: Truth) -> str:
    """The column page is an empty list that JavaScript fills from a JSON endpoint."""
    body, column, api = tree.body, "/xxgk/gknb/index.html", "/api/column/gknb/list"
    xxgk = ("信息公开", "/xxgk/index.html")
    crumbs = (xxgk, ("信息公开年报", column))
    items = []
    for plan, report in _reports(body):
        ymd, n = report.published.replace("-", ""), _number(body.slug, report.year)
        page_path = f"/xxgk/gknb/{ymd[:4]}/{ymd[4:]}/c{n}.html"
        entry = _publish(tree, truth, plan, report, page_path,
                         lambda kind: (f"/uploads/file/{ymd}/{n}{MEDIA_EXT[kind]}",) * 2, crumbs)
        items.append(_item(report.title, page_path, report.published, entry))
    for kind, title, date, year in (("部门决算", "信阳市教育局2022年度部门决算", "2023-08-30", 2022),
                                    ("年度绩效报告", "信阳市教育局2023年度绩效报告", "2024-06-18", 2023),
                                    ("解读", "关于《信阳市教育局2023年政府信息公开工作年度报告》的解读", "2024-01-30", 2023)):
        ymd = date.replace("-", "")
        path = f"/xxgk/gknb/{ymd[:4]}/{ymd[4:]}/c{_number(title)}.html"
        items.append(_notice(tree, truth, kind, title, path, date, year, crumbs))

    chunks = _paginate(items)
    for page, chunk in enumerate(chunks, 1):
        _listed(chunk, f"{api}?page={page}")
        listing = {"page": page, "pageCount": len(chunks), "total": len(items),
                   "items": [{"title": i["title"], "url": i["href"], "date": i["date"]} for i in chunk]}
        tree.add(f"{api}_{page}.json", json.dumps(listing, ensure_ascii=False), chunk[0]["date"])
    tree.paged[api] = api.lstrip("/") + "_{page}.json"
    tree.page(column, "信息公开年报", pages.column("信息公开年报", JSON_COLUMN.format(api=api), crumbs),
              chunks[0][0]["date"])
    tree.add("/js/jquery.min.js", JQUERY_STUB)

    _stub(tree, "/xxgk/xxgkzn/index.html", "信息公开指南", GUIDE, (xxgk,))
    czyjs = "/xxgk/czyjs/index.html"
    entry = _notice(tree, truth, "部门决算", "信阳市教育局2021年度部门决算", "/xxgk/czyjs/2022/0830/c5501.html",
                    "2022-08-30", 2021, (xxgk, ("财政预决算", czyjs)))
    tree.page(czyjs, "财政预决算", pages.column("财政预决算", _links([entry]), (xxgk, ("财政预决算", czyjs))))
    columns = [("信息公开指南", "/xxgk/xxgkzn/index.html"), ("信息公开年报", column), ("财政预决算", czyjs)]
    tree.page("/xxgk/index.html", "信息公开", pages.column(
        "信息公开", pages.links([(t, h, "") for t, h in columns], "columns"), (xxgk,)))
    news = _news(tree, truth, "/jydt/",
                 (("解读", "图解：信阳市教育局2022年政府信息公开工作年度报告", "2023-02-03", 2022),),
                 (("全市教育系统政务公开培训会召开", "2024-05-09"),))
    tree.page("/index.html", "首页", pages.column("教育动态", _links(news)))
    tree.add("/robots.txt", "User-agent: *\nDisallow: /admin/\n")
    return column


# ---------------------------------------------------------------- 河南省发展和改革委员会 (GBK)
SHELL = """<!DOCTYPE html>
<html>
<head>
<meta charset="gbk">
<meta http-equiv="refresh" content="0;url={target}">
<title>{title}</title>
</head>
<body>
<script type="text/javascript">location.replace("{target}");</script>
</body>
</html>
"""


def _hnfgw(tree: SiteTree, truth: Truth) -> str:
    """GBK pages; the column is a redirect shell, the list pages by ?page=N, reports as attachments."""
    body, shell, listing = tree.body, "/zwgk/ndbg/", "/zwgk/ndbg/list.html"
    zwgk = ("政务公开", "/zwgk/index.html")
    crumbs = (zwgk, ("政府信息公开年度报告", shell))
    items = []
    for plan, report in _reports(body):
        ymd, n = report.published.replace("-", ""), _number(body.slug, report.year)
        page_path = f"/zwgk/ndbg/{ymd[:4]}/{ymd[4:]}/{n}.html"
        entry = _publish(tree, truth, plan, report, page_path,
                         lambda kind: (f"/uploadfile/{ymd[:4]}/{ymd[4:]}/{ymd}{n}{MEDIA_EXT[kind]}",) * 2,
                         crumbs)
        items.append(_item(report.title, page_path, report.published, entry))
    for kind, title, date, year in (("部门决算", "河南省发展和改革委员会2022年度部门决算", "2023-08-25", 2022),
                                    ("统计年报", "2022年河南省发展改革统计年报", "2023-06-15", 2022),
                                    ("年度绩效报告", "河南省发展和改革委员会2023年度绩效报告", "2024-05-20", 2023)):
        ymd = date.replace("-", "")
        path = f"/zwgk/ndbg/{ymd[:4]}/{ymd[4:]}/{_number(title)}.html"
        items.append(_notice(tree, truth, kind, title, path, date, year, crumbs))

    chunks = _paginate(items)
    for page, chunk in enumerate(chunks, 1):
        _listed(chunk, listing if page == 1 else f"{listing}?page={page}")
        count = len(chunks)
        pager = (f'<div class="page">共{len(items)}条　第{page}/{count}页　'
                 f'<a href="list.html?page=1">首页</a> '
                 + (f'<a href="list.html?page={page - 1}">上一页</a> ' if page > 1 else "")
                 + (f'<a href="list.html?page={page + 1}">下一页</a> ' if page < count else "")
                 + f'<a href="list.html?page={count}">尾页</a></div>')
        tree.page(f"/zwgk/ndbg/list_{page}.html", "政府信息公开年度报告",
                  pages.column("政府信息公开年度报告", _links(chunk) + "\n" + pager, crumbs), chunk[0]["date"])
    tree.paged[listing] = "zwgk/ndbg/list_{page}.html"
    tree.add(shell, SHELL.format(target=listing, title="政府信息公开年度报告"))
    truth.redirect(tree, shell, None, listing, via="meta-refresh")

    _stub(tree, "/zwgk/zfxxgkzn/", "政府信息公开指南", GUIDE, (zwgk,))
    columns = [("政府信息公开指南", "/zwgk/zfxxgkzn/"), ("政府信息公开年度报告", shell)]
    tree.page("/zwgk/index.html", "政务公开", pages.column(
        "政务公开", pages.links([(t, h, "") for t, h in columns], "columns"), (zwgk,)))
    news = _news(tree, truth, "/xwzx/",
                 (("解读", "关于2021年政府信息公开工作年度报告的解读", "2022-02-11", 2021),
                  ("政府工作报告", "2024年河南省政府工作报告", "2024-01-30", 2023)),
                 (("省发展改革委召开2024年政务公开工作会议", "2024-03-21"),))
    tree.page("/index.html", "首页", pages.column("新闻中心", _links(news)))
    tree.add("/robots.txt", "User-agent: *\nDisallow: /admin/\n")
    return shell


# ---------------------------------------------------------------- build
CSS = "body{font-family:'Microsoft YaHei',SimSun,sans-serif;margin:0}.main{width:1200px;margin:0 auto}\n"
BUILDERS = ((LUOSHAN, _luoshan), (XYJY, _xyjy), (HNFGW, _hnfgw))


def build_sites(dest: Path) -> Path:
    """Write every demo site under ``dest/<slug>/`` and ``dest/expected.json``.

    Deterministic and idempotent: a rebuild replaces the trees with identical bytes.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    for order, (body, builder) in enumerate(BUILDERS):
        tree = SiteTree(body)
        column = builder(tree, truth)
        tree.add("/css/style.css", CSS)
        tree.write(dest, order)
        truth.portals.append({"name": body.name, "slug": body.slug, "level": body.level,
                              "region": body.region, "charset": body.charset, "home": "/",
                              "column_path": column})
    target = dest / "expected.json"
    target.write_text(json.dumps(truth.as_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return dest
