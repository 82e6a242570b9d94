"""A generated county portal hosting its departments and townships, with the ground truth.

青山县人民政府 (www.qingshan.gov.cn) publishes its own reports in 政府信息公开年报 and hosts its
units' under three directories reached from 政务公开, each in its own shape:

    县直部门                 a link list, paged over two pages (index.html, index_1.html)
    乡镇（街道）信息公开     a ``<select>`` whose options' values are the townships' pages
    部门和片区               a JavaScript array of ``{name, url}`` objects

A unit lives in a sub-folder of the portal's host (``/bm/jyj/``) or on its own sub-domain
(``http://sjj.qingshan.gov.cn:PORT/``; tests map every name in ``hosts`` to 127.0.0.1). Each unit
has a home page, a 信息公开 page and a 年报 column, in its folder — or, as the portal's CMS lays
them out (:func:`unit_paths`), for 7 departments of 县直部门 built on Hanweb every one a
``/col/colN/index.html`` column of the portal's host (their pages also carry the portal's 信息公开
menu, linking the portal's own 年报 column), and for 6 units TRS-style with the 年报 column a
``/xxgk/<slug>/gknb/`` path outside the unit's folder. The portal's own 年报 column lists one
Hanweb unit's report too (:data:`SHARED`), still that unit's; a township's 年报 column lists the
county government's report of one year under the county's title (:data:`REPUBLISHED`), still the
county's. A unit's 年报 column is: static pages paged by ``createPageHTML``, a
JSON list endpoint, or a Hanweb jpage column with its data proxy. The traps: units with no report for some years, titles without the unit's
name, one cut short, one report published under a cover-letter title
(…关于报送2020年度…年度报告的函), a yearless entry that is a notice about compiling the report, and
in every column the unit's budget and final accounts (预算/决算) and a 解读. Every report prints the
standard tables (demo_portal/figures.py), a body's 上年结转 following on from its previous year's
结转下年度 — except :data:`DISAGREES`, whose one column is misprinted. ``build_county`` returns the
truth: every report with its publisher, level, region and printed 结转 figures, and the look-alikes' URLs.

The files are written for a server that picks the tree by the request's Host header
(``root/<host>/<path>``); ``/p?page=1`` is the file ``p_page1`` (tests/crawler_support.py), and
``p`` too, for a static server that ignores the query. ``build_county(root, port,
host="127.0.0.1", subdomains=False, hanweb=False)`` puts every unit in a sub-folder of one host
and answers no POST (bench/crawl_bench.py's static server).
"""
from __future__ import annotations

import json
from pathlib import Path

from demo_portal.figures import Report, make_report
from demo_portal.render import render_html_body

PORTAL_NAME = "青山县人民政府"
PORTAL_HOST = "www.qingshan.gov.cn"
REGION = "河南省信阳市"
PLACE = "青山县"
YEARS = range(2020, 2025)
PER_PAGE = 3  # reports and look-alikes per static listing page

DEPARTMENTS = (
    ("fgw", "发展和改革委员会"), ("jyj", "教育局"), ("kjj", "科学技术局"), ("gxj", "工业和信息化局"),
    ("gaj", "公安局"), ("mzj", "民政局"), ("sfj", "司法局"), ("czj", "财政局"), ("rsj", "人力资源和社会保障局"),
    ("zrzyj", "自然资源局"), ("zjj", "住房保障局"), ("jtj", "交通运输局"), ("slj", "水利局"),
    ("nyj", "农业农村局"), ("swj", "商务局"), ("wlj", "文化广电和旅游局"), ("wjw", "卫生健康委员会"),
    ("tyjrj", "退役军人事务局"), ("yjj", "应急管理局"), ("sjj", "审计局"), ("scjgj", "市场监督管理局"),
    ("ybj", "医疗保障局"), ("lyj", "林业局"), ("cgj", "城市管理局"), ("xfj", "信访局"), ("jgswj", "机关事务管理局"),
    ("lsj", "粮食和物资储备局"), ("tyj", "体育局"), ("mzzjj", "民族宗教事务局"), ("jrj", "地方金融监督管理局"),
    ("xczxj", "乡村振兴局"), ("spj", "行政审批服务局"), ("gjj", "住房公积金管理中心"), ("rmtzx", "融媒体中心"),
    ("ggzy", "公共资源交易中心"), ("rfb", "人民防空办公室"), ("wsb", "外事办公室"), ("gzw", "国有资产监督管理委员会"),
    ("tzcj", "投资促进局"), ("dsjj", "大数据管理局"), ("dag", "档案馆"), ("hbj", "环境保护局"), ("zjzx", "建设工程质量监督站"),
)
TOWNSHIPS = (
    ("dcjd", "东城街道"), ("xcjd", "西城街道"), ("nhjd", "南湖街道"), ("cgz", "城关镇"), ("lsz", "灵山镇"),
    ("zpz", "周党镇"), ("zhz", "朱堰镇"), ("lwz", "楠杆镇"), ("qyz", "青山镇"), ("ztz", "子路镇"),
    ("bsz", "彭新镇"), ("tfx", "铁铺乡"), ("dbx", "东铺乡"), ("gdx", "高店乡"), ("ydx", "山店乡"), ("pqx", "潘新乡"),
)
AREAS = (("dhpq", "东湖片区管理局"), ("xspq", "西山片区管理局"), ("bppq", "北坡片区管理局"), ("nhpq", "南湾片区管理局"))
#: (unit number, year) of a Hanweb-built department's report that the portal's own 年报 column lists
#: too, under a title without the unit's name: still the unit's report.
SHARED = (10, 2022)
#: (unit number, year) of a township whose 年报 column lists the county government's report of that year
#: too, under the county's title: still the county's, archived once (from the portal's own column).
REPUBLISHED = (102, 2023)
#: The one (publisher, year, cell) whose 上年结转 disagrees with the year before's 结转下年度: printed one more.
DISAGREES = ("青山县教育局", 2023, "requests.carried_over.natural_person")


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><div class="nav"><a href="{{portal}}/index.html">首页</a> '
            f'<a href="{{portal}}/zwgk/index.html">政务公开</a></div>{body}</body></html>')


# The 信息公开 menu of the portal's platform, on its directories and on its Hanweb-built units' pages:
# a unit's page linking the portal's own 年报 column, which a unit's crawl must not take for its own.
SIDEBAR = '<div class="menu"><a href="/zwgk/gknb/index.html">政府信息公开年报</a></div>'


def unit_paths(layout: str, prefix: str, slug: str, number: int) -> tuple[str, str, str, str]:
    """A unit's home page, 信息公开 page, 年报 column folder and its reports' folder. ``folder``: all
    under the unit's folder ``prefix``; ``hanweb`` (大汉 CMS): every page is a column of the portal's
    host, ``/col/colN/index.html``, its reports ``/art/…``; ``trs``: home and 信息公开 under the
    unit's folder, its 年报 column a ``/xxgk/<slug>/gknb/`` path of the portal's."""
    if layout == "hanweb":
        col = 3000 + 3 * number
        return (f"/col/col{col}/index.html", f"/col/col{col + 1}/index.html", f"/col/col{col + 2}/",
                f"/art/col{col + 2}/")
    column = f"/xxgk/{slug}/gknb/" if layout == "trs" else f"{prefix}xxgk/gknb/"
    return f"{prefix}index.html", f"{prefix}xxgk/index.html", column, column


class County:
    """The files of every host, and the truth, built up as units are written."""

    def __init__(self, root: Path, port: int, host: str, subdomains: bool, hanweb: bool):
        self.root, self.port, self.host, self.subdomains, self.hanweb = root, port, host, subdomains, hanweb
        self.portal = self.base(host)
        self.reports: list[dict] = []
        self.lookalikes: list[str] = []
        self.hosts = {host}

    def base(self, host: str) -> str:
        return f"http://{host}:{self.port}"

    def write(self, host: str, path: str, text: str) -> None:
        target = self.root / host / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace("{portal}", self.portal), encoding="utf-8")
        self.hosts.add(host)

    def unit(self, number: int, slug: str, name: str, directory_name: str, publisher: str, level: str,
             region: str, folder: str, subdomain: bool, layout: str = "folder") -> str:
        """Write one unit (home, 信息公开, 年报 column, reports, look-alikes); its home page's URL.
        ``layout`` (:func:`unit_paths`): ``folder`` keeps them all in the unit's folder, ``hanweb`` and
        ``trs`` put its 年报 column (and ``hanweb`` its 信息公开 page) elsewhere on the portal's host."""
        subdomain = subdomain and self.subdomains
        host = f"{slug}.qingshan.gov.cn" if subdomain else self.host
        prefix = "/" if subdomain else f"/{folder}/{slug}/"
        home, xxgk, column, articles = unit_paths(layout, prefix, slug, number)
        sidebar = SIDEBAR if layout == "hanweb" else ""  # the portal's 信息公开 menu, as on its directories
        self.write(host, home, page(publisher, f'{sidebar}<h2>{publisher}</h2><a href="{xxgk}">信息公开</a>'))
        self.write(host, xxgk, page(f"{publisher}信息公开", (
            f'{sidebar}<a href="{prefix}xxgk/zn.html">政府信息公开指南</a> '
            f'<a href="{column}index.html">政府信息公开年报</a>')))
        entries, printed = [], {}  # (title, href, date) newest first; year → its report
        for year in YEARS:
            if (number + year) % 9 == 0:  # no report this year
                continue
            printed[year], listed = self.unit_year(number, host, articles, publisher, level, region, year,
                                                   directory_name, printed.get(year - 1))
            entries[:0] = listed
        if number == REPUBLISHED[0]:
            year = REPUBLISHED[1]
            entries.insert(0, (f"{PORTAL_NAME}{year}年政府信息公开工作年度报告", "{portal}" + own_report(year),
                               f"{year + 1}-03-25"))
        self.listing(number, host, column, entries)
        return self.base(host) + home

    def unit_year(self, number, host, articles, publisher, level, region, year, directory_name,
                  previous: Report | None) -> tuple[Report, list[tuple]]:
        path = f"{articles}{year}/t{number}_{year}.html"
        full = f"{publisher}{year}年政府信息公开工作年度报告"
        heading = full
        listed = full if number % 5 else f"{year}年度政府信息公开工作年度报告"  # no unit name in the title
        if number % 11 == 3 and year == 2022:
            listed = full[:full.index("公开")] + "..."  # cut short: judged by its article
        if number == 7 and year == 2020:  # published under its cover letter's title
            listed = heading = f"{publisher}关于报送2020年度政府信息公开工作年度报告的函"
        date = f"{year + 1}-01-{10 + number % 18:02d}"
        report = self.report(publisher, level, region, year, self.base(host) + path, directory_name, previous,
                             "局" if level == "department" else "镇", heading, date)
        self.write(host, path, page(heading, f"<h1>{heading}</h1>{render_html_body(report)}"))
        budget, accounts = f"{articles}{year}/ys{number}.html", f"{articles}{year}/js{number}.html"
        explained = f"{articles}{year}/jd{number}.html"
        for lookalike in (budget, accounts, explained):
            self.write(host, lookalike, page("预算", "<h1>部门预算</h1><p>一般公共预算支出。</p>"))
            self.lookalikes.append(self.base(host) + lookalike)
        return report, [(f"{publisher}{year}年部门预算公开", budget, date), (listed, path, date),
                        (f"{publisher}{year}年度部门决算", accounts, date),
                        (f"{publisher}{year}年政府信息公开工作年度报告解读", explained, date)]

    def report(self, publisher, level, region, year, url, directory_name, previous, unit, title, date) -> Report:
        """One report's figures (its 上年结转 following on from ``previous``), noted in the truth."""
        wrong = {DISAGREES[2]: 1} if (publisher, year) == DISAGREES[:2] else None
        # A unit answers few requests, as a city government does (figures.SCALES has no unit scale).
        report = make_report(publisher, unit, "county" if level == "county" else "city", year, "2021",
                             title=title, published=date, previous=previous, perturb=wrong)
        carried = {key: value for key, value in report.figures.items() if key.startswith("requests.carried_")}
        self.reports.append({"publisher": publisher, "publisher_level": level, "publisher_region": region,
                             "year": year, "page_url": url, "directory_name": directory_name, "carried": carried})
        return report

    def listing(self, number: int, host: str, column: str, entries: list[tuple]) -> None:
        """Static pages paged by createPageHTML, or (every sixth unit) a JSON list endpoint, or (every
        sixth, when the server answers POSTs) a Hanweb jpage column."""
        if number % 6 == 4 and self.hanweb:
            self.hanweb_listing(number, host, column, entries)
            return
        if number % 6 == 5:
            items = [{"title": title, "url": href, "date": date} for title, href, date in entries]
            self.write(host, column + "index.html", page("年报", f'<script>var listUrl = "{column}list?page=";</script>'))
            for name in ("list_page1", "list"):
                self.write(host, column + name, json.dumps({"pageCount": 1, "items": items}, ensure_ascii=False))
            return
        pages = [entries[i:i + PER_PAGE] for i in range(0, len(entries), PER_PAGE)] or [[]]
        for n, chunk in enumerate(pages):
            items = "".join(f'<li><a href="{href}">{title}</a><span>{date}</span></li>' for title, href, date in chunk)
            pager = f'<script>createPageHTML({len(pages)}, {n}, "index", "html");</script>'
            self.write(host, column + ("index.html" if n == 0 else f"index_{n}.html"),
                       page("政府信息公开年报", f"<ul>{items}</ul>{pager}"))


    def hanweb_listing(self, number: int, host: str, column: str, entries: list[tuple]) -> None:
        """The first PER_PAGE records in the column page's data island, the others from its own data
        proxy (``…/dataproxy.jsp_startrecord4endrecord6perpage3``, answered to a POST naming the column)."""
        records = [f'<record><![CDATA[<li><a href="{href}" title="{title}">{title}</a><span>{date}</span></li>]]></record>'
                   for title, href, date in entries]
        jpage = (f"$('#{number}').jpage({{totalRecord: {len(records)}, perPage: {PER_PAGE}, groupSize: 1, "
                 f"proxyUrl: '{column}dataproxy.jsp', ajaxParam: {{columnid: {number}, unitid: '{number}'}}}});")
        self.write(host, column + "index.html", page("政府信息公开年报", (
            f'<div id="{number}"><script type="text/xml"><datastore><recordset>{"".join(records[:PER_PAGE])}'
            f"</recordset></datastore></script></div><script>{jpage}</script>")))
        for start in range(PER_PAGE, len(records), PER_PAGE):
            self.write(host, f"{column}dataproxy.jsp_startrecord{start + 1}endrecord{start + PER_PAGE}perpage{PER_PAGE}",
                       f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(records)}</totalrecord>'
                       f"<recordset>{''.join(records[start:start + PER_PAGE])}</recordset></datastore>")


def build_county(root: Path, port: int, host: str = PORTAL_HOST, subdomains: bool = True, hanweb: bool = True) -> dict:
    """Write the county portal under ``root/<host>/`` for a server on ``port`` (``hanweb``: one that
    answers a Hanweb data proxy's POSTs); returns ``{"portal": portal file entry, "hosts": [...],
    "reports": [...], "lookalikes": [URL, ...]}``."""
    county = County(root, port, host, subdomains, hanweb)
    assert SHARED[0] % 4 == 2 and SHARED[0] < 30, "SHARED names a Hanweb-built department"
    assert 100 <= REPUBLISHED[0] < 100 + len(TOWNSHIPS), "REPUBLISHED names a township"
    departments = [county.unit(i, slug, name, name, PLACE + name, "department", REGION + PLACE, "bm", i % 4 == 1,
                               "hanweb" if i % 4 == 2 else "folder")
                   for i, (slug, name) in enumerate(DEPARTMENTS[:30])]
    listed = [f'<li><a href="{url}">{name}</a></li>' for url, (_, name) in zip(departments, DEPARTMENTS)]
    for n, chunk in enumerate((listed[:15], listed[15:])):
        pager = '<script>createPageHTML(2, %d, "index", "html");</script>' % n
        county.write(county.host, f"/zwgk/bm/{'index' if n == 0 else 'index_1'}.html",
                     page("县直部门", f"{SIDEBAR}<ul>{''.join(chunk)}</ul>{pager}"))
    options = ['<option value="">请选择乡镇（街道）</option>']
    for i, (slug, name) in enumerate(TOWNSHIPS):
        url = county.unit(100 + i, slug, name, name, PLACE + name, "township", REGION + PLACE + name, "xz", i % 5 == 2,
                          "trs" if i % 5 == 4 else "folder")
        options.append(f'<option value="{url}">{name}</option>')
    county.write(county.host, "/zwgk/xz/index.html", page("乡镇（街道）信息公开", (
        f'<select onchange="window.open(this.value)">{"".join(options)}</select>')))
    array = []
    for i, (slug, name) in enumerate(DEPARTMENTS[30:]):
        url = county.unit(30 + i, slug, name, name, PLACE + name, "department", REGION + PLACE, "bm", i % 4 == 1,
                          "trs" if i % 4 == 3 else "folder")
        array.append({"name": name, "url": url})
    for i, (slug, name) in enumerate(AREAS):
        full = PLACE + name
        area = full.removesuffix("管理局")
        url = county.unit(200 + i, slug, full, full, full, "township", REGION + area, "pq", False)
        array.append({"name": full, "url": url.removesuffix("index.html") + "xxgk/index.html"})
    county.write(county.host, "/zwgk/pq/index.html", page("部门和片区", (
        f'<div id="units"></div><script>var units = {json.dumps(array, ensure_ascii=False)};'
        "for (var i = 0; i < units.length; i++) { document.write(units[i].name); }</script>")))
    own(county)
    return {"portal": {"name": PORTAL_NAME, "url": county.portal + "/", "region": REGION, "level": "county"},
            "hosts": sorted(county.hosts), "reports": county.reports, "lookalikes": county.lookalikes}


def own_report(year: int) -> str:
    """The path of the portal's own report of ``year``."""
    return f"/zwgk/gknb/t{year}.html"


def own(county: County) -> None:
    """The portal's home, 政务公开 page and its own 年报 column (with a notice about compiling reports)."""
    county.write(county.host, "/index.html", page(PORTAL_NAME, "<h2>青山县人民政府</h2>"))
    county.write(county.host, "/zwgk/index.html", page("政务公开", (
        '<a href="/zwgk/gknb/index.html">政府信息公开年报</a> <a href="/zwgk/bm/index.html">县直部门</a> '
        '<a href="/zwgk/xz/index.html">乡镇（街道）信息公开</a> <a href="/zwgk/pq/index.html">部门和片区</a>')))
    items, previous = [], None
    for year in YEARS:
        path = own_report(year)
        title = f"{PORTAL_NAME}{year}年政府信息公开工作年度报告"
        previous = county.report(PORTAL_NAME, "county", REGION + PLACE, year, county.portal + path, None, previous,
                                 "县", title, f"{year + 1}-03-20")
        county.write(county.host, path, page(title, f"<h1>{title}</h1>{render_html_body(previous)}"))
        items.insert(0, f'<li><a href="{path}">{title}</a><span>{year + 1}-03-20</span></li>')
    number, year = SHARED
    shared = f"{unit_paths('hanweb', '', '', number)[3]}{year}/t{number}_{year}.html"
    items.append(f'<li><a href="{shared}">{year}年度政府信息公开工作年度报告</a><span>{year + 1}-02-01</span></li>')
    notice = "/zwgk/gknb/tz2023.html"  # yearless and report-like: fetched, judged a notice by its page
    county.write(county.host, notice, page("通知", "<h1>关于做好2023年度政府信息公开工作年度报告编制工作的通知</h1>"
                                               "<p>各乡镇、县直各部门：请按时报送。</p>"))
    county.lookalikes.append(county.portal + notice)
    items.append(f'<li><a href="{notice}">政府信息公开工作年度报告</a><span>2024-01-05</span></li>')
    county.write(county.host, "/zwgk/gknb/index.html", page("政府信息公开年报", f"<ul>{''.join(items)}</ul>"))
