"""Datasette plugin: ``/-/charts``, the archive's figures per year drawn as inline SVG.

Three charts from the views, latest report versions only (narrowed to a body, a region or
a level by the query parameters ``body`` (agency id), ``region`` and ``level``: the views' own
SQL, from ``archive.schema``, over the matching reports): applications received
per year (``applications_by_year``), how requests were answered, as shares of
each year's results, and how reviews and lawsuits ended, as shares
(``appeal_outcomes_by_year``). Each chart has its numbers in a table beneath it.

The SVG is drawn here, server-side, with no JavaScript and nothing fetched from
elsewhere: the charting plugins on PyPI either target Datasette 1.0 or load
their libraries from a CDN, which an archive read offline cannot reach.
"""
from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from archive import schema

WIDTH, MARGIN, PLOT_HEIGHT, LINE = 720, 64, 180, 18
COLOURS = ("#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#b07aa1", "#9c755f", "#76b7b2", "#edc948")
RECEIVED = (("new_received", "本年新收 · New requests received"),)
RESULTS = (("disclosed", "予以公开 · Disclosed"), ("partially_disclosed", "部分公开 · Partly disclosed"),
           ("withheld", "不予公开 · Withheld"), ("unavailable", "无法提供 · Unavailable"),
           ("not_processed", "不予处理 · Not processed"), ("other_handling", "其他处理 · Other handling"))
APPEAL_RESULTS = (("upheld", "维持 · Upheld"), ("corrected", "纠正 · Corrected"), ("other", "其他 · Other"),
                  ("pending", "尚未审结 · Pending"))
YEAR = "年度 · Report year"
# Query parameters that narrow the charts, as conditions on report_summary.
NARROWING = {"body": "agency_id = :body",
             "region": ":region in (province, city, county, region)",
             "level": "level = :level"}

PAGE = """{% extends "base.html" %}
{% block title %}图表 Charts{% endblock %}
{% block content %}
<h1>图表 · Charts{% if narrowed %}: {{ narrowed }}{% endif %}</h1>
<form class="narrow" method="get">
  {% if body %}<input type="hidden" name="body" value="{{ body }}">{% endif %}
  <label>地区 Region <input name="region" value="{{ region }}" placeholder="如 河南省、信阳市"></label>
  <label>层级 Level <select name="level"><option value="">全部 all</option>
    {% for l in levels %}<option{% if l == level %} selected{% endif %}>{{ l }}</option>{% endfor %}</select></label>
  <input type="submit" value="筛选 Narrow">{% if narrowed %} <a href="{{ urls.path('/-/charts') }}">全部 All reports</a>{% endif %}
</form>
<p>按报告年度汇总，每个发布页面只计最新版本 · Per report year, the latest version of each report only.
Numbers: <a href="{{ urls.table(database, 'applications_by_year') }}">applications_by_year</a>,
<a href="{{ urls.table(database, 'appeal_outcomes_by_year') }}">appeal_outcomes_by_year</a>.</p>
{% for chart in charts %}
<section id="{{ chart.id }}">
  <h2>{{ chart.title }}</h2>
  {% if chart.svg %}{{ chart.svg }}{% else %}<p>暂无数字 · No figures yet.</p>{% endif %}
  <details><summary>数字 · Numbers</summary>{{ chart.table }}</details>
</section>
{% endfor %}
{% endblock %}
"""


@hookimpl
def register_routes():
    return [(r"^/-/charts$", charts)]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path("/-/charts"), "label": "图表 Charts"}]


async def charts(datasette, request):
    database = await _archive(datasette)
    if database is None:
        return Response.text("No archive is being served", status=404)
    params = {name: request.args.get(name, "").strip() for name in NARROWING}
    where = " and ".join(NARROWING[name] for name, value in params.items() if value) or None
    # Unnarrowed, the views; narrowed, the same SQL over the matching reports.
    applications_sql = schema.applications_by_year_sql(where) if where else "select * from applications_by_year"
    appeals_sql = f"({schema.appeal_outcomes_by_year_sql(where)})" if where else "appeal_outcomes_by_year"
    applications = [dict(r) for r in await database.execute(applications_sql, params)]
    appeals = [dict(r) for r in await database.execute(
        "select year, " + ", ".join(f"sum([{key}]) as [{key}]" for key, _ in APPEAL_RESULTS)
        + f" from {appeals_sql} group by year order by year", params)]
    levels = [level for (level,) in await database.execute(
        "select distinct level from agencies where level is not null order by level")]
    context = {"database": database.name, **params, "levels": levels,
               "narrowed": " · ".join(filter(None, [await _body_name(database, params["body"]),
                                                    params["region"], params["level"]])),
               "charts": [
        _chart("received", "每年收到的政府信息公开申请（件）· Requests received per year",
               applications, RECEIVED, bars),
        _chart("results", "办理结果占比 · How requests were answered, share of each year's results",
               applications, RESULTS, stacked_shares),
        _chart("appeals", "行政复议、行政诉讼结果占比 · Reviews and lawsuits by outcome, share",
               appeals, APPEAL_RESULTS, stacked_shares),
    ]}
    template = datasette.jinja_env.from_string(PAGE)
    return Response.html(await datasette.render_template(template, context, request=request))


async def _body_name(database, body: str) -> str | None:
    if body:
        found = await database.execute("select name from agencies where id = ?", [body])
        return found.first()[0] if found.rows else f"机关 body {body}"
    return None


async def _archive(datasette):
    """The first database served that is an archive."""
    for name, database in datasette.databases.items():
        if not name.startswith("_") and await database.table_exists("reports"):
            return database
    return None


def _chart(id: str, title: str, rows: list[dict], series, draw) -> dict:
    rows = [r for r in rows if any(r[key] for key, _ in series)]
    return {"id": id, "title": title, "svg": draw(rows, series, title) if rows else None,
            "table": _table(rows, series)}


def bars(rows: list[dict], series, title: str) -> Markup:
    """One bar per year for the first series, its value on top."""
    (key, _), = series
    top = max(r[key] for r in rows)

    def draw(plot):
        shapes = []
        for i, row in enumerate(rows):
            height = PLOT_HEIGHT * row[key] / top
            x, y = plot.left(i), plot.bottom - height
            shapes.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{plot.bar:.1f}" height="{height:.1f}" '
                          f'fill="{COLOURS[0]}"><title>{row["year"]}: {row[key]:,}</title></rect>'
                          f'<text x="{x + plot.bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{row[key]:,}</text>')
        return shapes
    return _svg(title, rows, series, draw, ((0, "0"), (1, f"{top:,}")), "件 · Requests")


def stacked_shares(rows: list[dict], series, title: str) -> Markup:
    """One 100% bar per year, split into the series' shares."""
    def draw(plot):
        shapes = []
        for i, row in enumerate(rows):
            total, y = sum(row[key] or 0 for key, _ in series), plot.bottom
            for (key, label), colour in zip(series, COLOURS):
                height = PLOT_HEIGHT * (row[key] or 0) / total
                y -= height
                shapes.append(f'<rect class="share" x="{plot.left(i):.1f}" y="{y:.1f}" width="{plot.bar:.1f}" '
                              f'height="{height:.1f}" fill="{colour}"><title>{row["year"]} {escape(label)}: '
                              f'{row[key] or 0:,} ({100 * (row[key] or 0) / total:.0f}%)</title></rect>')
        return shapes
    return _svg(title, rows, series, draw, ((0, "0%"), (0.5, "50%"), (1, "100%")), "占比 · Share")


class _Plot:
    """Where a chart's bars go: below the legend, one slot per year."""

    def __init__(self, top: float, years: int):
        self.bottom = top + PLOT_HEIGHT
        self.step = (WIDTH - 2 * MARGIN) / years
        self.bar = self.step * 0.7

    def left(self, i: int) -> float:
        return MARGIN + i * self.step + self.step * 0.15


def _svg(title: str, rows: list[dict], series, draw, ticks, unit: str) -> Markup:
    """The chart: legend on top, then ``draw``'s shapes over the axes, years and axis titles beneath."""
    legend, legend_bottom = _legend(series)
    plot = _Plot(legend_bottom + LINE + 8, len(rows))  # room above the plot for unit and bar values
    bottom, right = plot.bottom, WIDTH - MARGIN
    axes = [f'<line x1="{MARGIN}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
            f'<line x1="{MARGIN}" y1="{bottom - PLOT_HEIGHT}" x2="{MARGIN}" y2="{bottom}" stroke="#333"/>',
            f'<text class="axis-title" x="8" y="{bottom - PLOT_HEIGHT - 14}">{escape(unit)}</text>',
            f'<text class="axis-title" x="{right}" y="{bottom + 2 * LINE + 4}" text-anchor="end">{YEAR}</text>']
    axes += [f'<text x="{MARGIN - 6}" y="{bottom - PLOT_HEIGHT * share + 4:.1f}" text-anchor="end">{label}</text>'
             for share, label in ticks]
    axes += [f'<text x="{MARGIN + (i + 0.5) * plot.step:.1f}" y="{bottom + LINE}" text-anchor="middle">'
             f'{row["year"]}</text>' for i, row in enumerate(rows)]
    body = "".join(legend + axes + draw(plot))
    height = bottom + 3 * LINE
    return Markup(f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
                  f'width="{WIDTH}" role="img" aria-label="{escape(title)}" font-size="12">{body}</svg>')


def _legend(series) -> tuple[list[str], float]:
    """A swatch and the label of each series, in as many rows as the width needs; (shapes, bottom)."""
    shapes, x, y = [], MARGIN, 8
    for (_, label), colour in zip(series, COLOURS):
        width = 16 + _text_width(label) + 20
        if x + width > WIDTH - MARGIN and x > MARGIN:
            x, y = MARGIN, y + LINE
        shapes.append(f'<g class="legend"><rect x="{x:.0f}" y="{y}" width="12" height="12" fill="{colour}"/>'
                      f'<text x="{x + 16:.0f}" y="{y + 11}">{escape(label)}</text></g>')
        x += width
    return shapes, y + 12


def _text_width(text: str) -> float:
    """Roughly, at 12 px: a Chinese character is square, a Latin one about half as wide."""
    return sum(12 if ord(c) > 0x2E80 else 6.5 for c in text)


def _table(rows: list[dict], series) -> Markup:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in series)
    body = "".join(f"<tr><td>{row['year']}</td>"
                   + "".join(f"<td>{'' if row[key] is None else format(row[key], ',')}</td>" for key, _ in series)
                   + "</tr>" for row in rows)
    return Markup(f"<table><thead><tr><th>{YEAR}</th>{head}</tr></thead><tbody>{body}</tbody></table>")
