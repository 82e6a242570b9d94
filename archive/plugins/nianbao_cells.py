"""Datasette plugin: cells for people — figures with thousands separators, ids as links, keys labelled,
long texts cut to their opening words.

The figures of the tables and views meant for reading (``report_summary``, the per-year
views, ``figures.value``) are shown ``12,345`` (right-aligned by ``/-/nianbao.css``); ids
and years stay as they are. Where Datasette draws no foreign-key link — views and canned
queries — a report's id (``report_id``, ``previous_report_id``, and ``id`` of ``report_list``
and of the queries, which all select reports) links to its report page and ``agency_id`` to
its body's page.
"""
from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape

from archive import schema

COUNTS = {"reports", "agencies", "reports_with_figures", "requests", "value",
          *(o.suffix for o in schema.fmt.APPEAL_OUTCOMES),
          *(column for column, _ in schema.summary_figures() + schema.detail_figures())}
READING = {"report_summary", "figures", *schema.VIEWS}
# Tables whose links Datasette draws itself, from their foreign keys.
LINKED = {name for name, table in schema.TABLES.items() if table.foreign_keys}
REPORT_IDS = {"report_id", "previous_report_id"}
# A canonical key is shown with the Chinese label of its cell beside it.
LABELS = {row["key"]: row["label"] for row in schema.figure_key_rows()}
KEY_COLUMNS = {"key", "reason_key"}
# The long text columns of reports show their opening words in a table (each report's page has
# them whole): a row of the full text and six sections was thousands of pixels tall.
LONG_TEXT = {"text", *schema.SECTION_KEYS}
OPENING = 40


@hookimpl
def render_cell(value, column, table, database, datasette):
    if table in READING and column in COUNTS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Markup(f"{value:,}")
    if table == "reports" and column in LONG_TEXT and isinstance(value, str) and len(value) > OPENING:
        return Markup(f'{escape(value[:OPENING])}… <span class="key-label">{len(value):,} 字</span>')
    if column in KEY_COLUMNS and table not in ("figure_keys", "report_figures") and value in LABELS:
        return Markup(f'{escape(value)} <span class="key-label">{escape(LABELS[value])}</span>')
    if table in LINKED or not isinstance(value, int):
        return None
    if column in REPORT_IDS or (column == "id" and table in (None, "report_list")):
        return _link(datasette.urls.row(database, "reports", value), value)
    if column == "agency_id":
        return _link(datasette.urls.row(database, "agencies", value), value)
    return None


def _link(href: str, value: int) -> Markup:
    return Markup(f'<a href="{escape(href)}">{value}</a>')
