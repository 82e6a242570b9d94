"""Datasette plugin: ``/-/charts``, the archive's figures per year drawn as inline SVG.

Three charts from the views, latest report versions only: applications received
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

# The per-year views sum long-form figures over every report: seconds, not milliseconds,
# for 100,000 reports, beyond Datasette's default limit of one second per query.
TIME_LIMIT_MS = 60_000
WIDTH, HEIGHT, MARGIN, LEGEND = 720, 260, 48, 24
COLOURS = ("#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#b07aa1", "#9c755f", "#76b7b2", "#edc948")
RESULTS = (("disclosed", "予以公开"), ("partially_disclosed", "部分公开"), ("withheld", "不予公开"),
           ("unavailable", "无法提供"), ("not_processed", "不予处理"), ("other_handling", "其他处理"))
APPEAL_RESULTS = (("upheld", "维持"), ("corrected", "纠正"), ("other", "其他"), ("pending", "尚未审结"))

PAGE = """{% extends "base.html" %}
{% block title %}图表 Charts{% endblock %}
{% block content %}
<h1>图表 · Charts</h1>
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
    applications = [dict(r) for r in await database.execute(
        "select * from applications_by_year", custom_time_limit=TIME_LIMIT_MS)]
    appeals = [dict(r) for r in await database.execute(
        "select year, " + ", ".join(f"sum([{key}]) as [{key}]" for key, _ in APPEAL_RESULTS)
        + " from appeal_outcomes_by_year group by year order by year", custom_time_limit=TIME_LIMIT_MS)]
    context = {"database": database.name, "charts": [
        _chart("received", "每年收到的政府信息公开申请（件）· Requests received per year",
               applications, (("new_received", "本年新收"),), bars),
        _chart("results", "办理结果占比 · How requests were answered, share of each year's results",
               applications, RESULTS, stacked_shares),
        _chart("appeals", "行政复议、行政诉讼结果占比 · Reviews and lawsuits by outcome, share",
               appeals, APPEAL_RESULTS, stacked_shares),
    ]}
    template = datasette.jinja_env.from_string(PAGE)
    return Response.html(await datasette.render_template(template, context, request=request))


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
    step = (WIDTH - 2 * MARGIN) / len(rows)
    shapes = []
    for i, row in enumerate(rows):
        height = (HEIGHT - 2 * MARGIN) * row[key] / top
        x, y = MARGIN + i * step + step * 0.15, HEIGHT - MARGIN - height
        shapes.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{height:.1f}" '
                      f'fill="{COLOURS[0]}"><title>{row["year"]}: {row[key]:,}</title></rect>'
                      f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">{row[key]:,}</text>')
    return _svg(title, shapes, _year_labels(rows, step))


def stacked_shares(rows: list[dict], series, title: str) -> Markup:
    """One 100% bar per year, split into the series' shares."""
    step = (WIDTH - 2 * MARGIN) / len(rows)
    shapes = []
    for i, row in enumerate(rows):
        total, y = sum(row[key] or 0 for key, _ in series), HEIGHT - MARGIN
        for (key, label), colour in zip(series, COLOURS):
            height = (HEIGHT - 2 * MARGIN) * (row[key] or 0) / total
            y -= height
            shapes.append(f'<rect class="share" x="{MARGIN + i * step + step * 0.15:.1f}" y="{y:.1f}" '
                          f'width="{step * 0.7:.1f}" height="{height:.1f}" fill="{colour}"><title>'
                          f'{row["year"]} {escape(label)}: {row[key] or 0:,} ({100 * (row[key] or 0) / total:.0f}%)'
                          f'</title></rect>')
    legend = [f'<rect x="{MARGIN + i * 100}" y="8" width="12" height="12" fill="{colour}"/>'
              f'<text x="{MARGIN + i * 100 + 16}" y="19">{escape(label)}</text>'
              for i, ((_, label), colour) in enumerate(zip(series, COLOURS))]
    return _svg(title, shapes + legend, _year_labels(rows, step))


def _year_labels(rows, step) -> list[str]:
    return [f'<text x="{MARGIN + (i + 0.5) * step:.1f}" y="{HEIGHT - MARGIN + 18}" text-anchor="middle">'
            f'{row["year"]}</text>' for i, row in enumerate(rows)]


def _svg(title: str, *parts: list[str]) -> Markup:
    body = "".join(shape for part in parts for shape in part)
    axis = f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#333"/>'
    return Markup(f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + LEGEND}" '
                  f'width="{WIDTH}" role="img" aria-label="{escape(title)}" font-size="12">{axis}{body}</svg>')


def _table(rows: list[dict], series) -> Markup:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in series)
    body = "".join(f"<tr><td>{row['year']}</td>"
                   + "".join(f"<td>{'' if row[key] is None else format(row[key], ',')}</td>" for key, _ in series)
                   + "</tr>" for row in rows)
    return Markup(f"<table><thead><tr><th>年度 year</th>{head}</tr></thead><tbody>{body}</tbody></table>")
