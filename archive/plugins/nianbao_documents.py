"""Datasette plugin: serve archived documents, and link to them from the tables.

``/-/document/<sha256>`` sends the archived bytes of a document: the blob under
a crawl directory the build recorded (table ``crawl_dirs``), with the
Content-Type the portal sent and the document's own file name. Bytes that start
``%PDF-`` are sent as ``application/pdf`` and may open in the browser's PDF
viewer; anything else is sent with ``Content-Security-Policy: sandbox`` so that an
archived page's scripts cannot run on the archive's origin (a sandboxed PDF would
not open at all). ``nosniff`` always.

``/-/capture/<sha256>`` shows an archived HTML page under a banner saying where
and when it was captured and in which WARC record; the page itself, in a sandboxed
frame, comes from ``/-/capture/<sha256>/page``: its bytes with each ``<img src>``,
``<link href>`` (style sheets) and ``<a href>`` (quoted or not) resolved against the page's URL and mapped
through ``documents``: one the report captured (a picture, an attachment) points at its
archived copy, a link to another report's page at that page's capture (opened in the whole
window); any other is made inert (renamed ``data-live-src``/``data-live-href``, the URL kept)
and the response's Content-Security-Policy lets the frame load nothing from elsewhere, so
an archived page never fetches from the live site.

Cells holding a document's sha256 (``primary_sha256`` of ``reports`` and
``report_summary``, ``documents.sha256``, ``errors.document_sha256``) link there. A report's
``source_url`` and ``page_url`` (``reports``, ``report_summary``, ``report_sources``) link to the
live portal with the archived copy beside, ``[存档]``: for ``page_url``, the report's document
captured from that URL (``/-/capture/`` for a page), if there is one.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

from w3lib.url import safe_url_string

from datasette import hookimpl
from datasette.utils.asgi import AsgiFileDownload, Response
from markupsafe import Markup, escape

SHA256 = re.compile(r"^[0-9a-f]{64}$")
DOCUMENT_COLUMNS = {("reports", "primary_sha256"), ("report_summary", "primary_sha256"), ("documents", "sha256"),
                    ("errors", "document_sha256"), ("report_list", "primary_sha256")}
# Tables whose rows name their primary document (primary_sha256) beside its source_url.
PRIMARY_TABLES = {"reports", "report_summary"}
# Tables with a page_url, and the column of their rows naming the report.
PAGE_TABLES = {"reports": "id", "report_summary": "id", "report_sources": "report_id"}
PDF_MAGIC = b"%PDF-"
# A URL attribute of the elements that fetch (img, link) or lead (a) elsewhere, quoted or not (old
# pages write <a href=http://…>, which would lead a click to the live site): (tag up to the
# attribute's name, tag, attribute, "=" and the quote if any, the quote, URL).
# The tag is read attribute by attribute, so that "href=" inside another attribute's value is not taken.
URL_ATTRIBUTE = re.compile(rb"""(<(img|link|a)(?:\s+(?!(?:src|href)\b)[^\s=>]+"""
                           rb"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?)*\s+)(src|href)(\s*=\s*(["'])?)"""
                           rb"""((?(5).*?|[^\s"'<>`]+))(?(5)\5)""", re.IGNORECASE | re.DOTALL)
# The frame loads only what the archive serves (inline styles allowed; scripts do not run anyway).
CAPTURE_POLICY = "sandbox; default-src 'self' data:; style-src 'self' data: 'unsafe-inline'"

BANNER = """{% extends "base.html" %}
{% block title %}存档页面 Archived page · {{ d.url }}{% endblock %}
{% block content %}
<div class="capture-banner">
  <p><strong>存档副本 Archived copy</strong> of <a href="{{ d.url }}">{{ d.url }}</a>,
  captured {{ d.fetched_at or "?" }} (HTTP {{ d.status or "?" }}, {{ d.content_type or "?" }})
  {% if record %}· <a href="{{ urls.path('/-/record/' ~ record) }}">WARC record {{ d.warc_record_id }}</a>{% endif %}
  · <a href="{{ urls.path('/-/document/' ~ d.sha256) }}">原始字节 Bytes as archived</a>
  {% if report %}· <a href="{{ urls.row(database, 'reports', report) }}">报告 Report</a>{% endif %}</p>
</div>
<iframe class="capture" sandbox="allow-top-navigation-by-user-activation"
        src="{{ urls.path('/-/capture/' ~ d.sha256 ~ '/page') }}" title="{{ d.url }}"></iframe>
{% endblock %}
"""


@hookimpl
def register_routes():
    return [(r"^/-/document/(?P<sha256>[0-9a-f]{64})$", document),
            (r"^/-/capture/(?P<sha256>[0-9a-f]{64})$", capture),
            (r"^/-/capture/(?P<sha256>[0-9a-f]{64})/page$", capture_page)]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if (table, column) in DOCUMENT_COLUMNS and isinstance(value, str) and SHA256.match(value):
        href = datasette.urls.path(f"/-/document/{value}")
        return Markup(f'<a href="{escape(href)}" title="原始文件 archived document">{escape(value[:12])}…</a>')
    if not isinstance(value, str) or not hasattr(row, "keys"):
        return None
    # The live URL may be gone; its archived copy sits beside it.
    if column == "source_url" and table in PRIMARY_TABLES:
        sha256 = dict(zip(row.keys(), row)).get("primary_sha256")
        if sha256 and SHA256.match(sha256):
            return _with_archived(value, datasette.urls.path(f"/-/document/{sha256}"))
    if column == "page_url" and table in PAGE_TABLES:
        report_id = dict(zip(row.keys(), row)).get(PAGE_TABLES[table])
        if isinstance(report_id, dict):  # a foreign key Datasette expanded to {"value", "label"}
            report_id = report_id.get("value")
        if isinstance(report_id, int):
            return _page_cell(datasette, database, report_id, value)
    return None


def _with_archived(url: str, archived: str) -> Markup:
    return Markup(f'<a href="{escape(url)}">{escape(url)}</a> '
                  f'<a href="{escape(archived)}" title="存档副本 archived copy">[存档]</a>')


def _page_cell(datasette, database: str, report_id: int, url: str):
    """The cell of a report's ``page_url``: the live link, and its captured copy (looked up by the
    report's id, the documents' key) beside it; Datasette's own cell if none was captured."""
    async def cell():
        found = await datasette.get_database(database).execute(
            "select sha256, media_type from documents where report_id = ? and url = ? "
            "order by role = 'page' desc limit 1", [report_id, url])
        if not found.rows:
            return None
        sha256, media_type = found.rows[0]
        route = "/-/capture/" if media_type == "html" else "/-/document/"
        return _with_archived(url, datasette.urls.path(route + sha256))
    return cell


async def _archived(datasette, sha256: str):
    """(database name, document row, blob path) of the first archived copy of ``sha256``, or None."""
    for database in datasette.databases.values():
        if database.name.startswith("_") or not await database.table_exists("crawl_dirs"):
            continue
        found = await database.execute(
            "select d.*, c.path as crawl_dir from documents d, crawl_dirs c where d.sha256 = ?", [sha256])
        for row in found.rows:
            path = Path(row["crawl_dir"], row["blob"]).resolve()
            if path.is_relative_to(Path(row["crawl_dir"]).resolve()) and path.is_file():
                return database, dict(row), path
    return None


def _for_archived(handler):
    """A route of ``/…/<sha256>`` answering with ``handler(datasette, request, database, row, path)``
    for an archived document, 404 for any other."""
    async def route(datasette, request):
        found = await _archived(datasette, request.url_vars["sha256"])
        if found is None:
            return Response.text("No archived document with that sha256", status=404)
        return await handler(datasette, request, *found)
    return route


@_for_archived
async def document(datasette, request, database, row, path):
    with open(path, "rb") as f:
        pdf = f.read(len(PDF_MAGIC)) == PDF_MAGIC
    content_type = "application/pdf" if pdf else row["content_type"] or "application/octet-stream"
    return AsgiFileDownload(path, content_type=content_type,
                            headers=_headers(row, sandbox=not pdf))


@_for_archived
async def capture(datasette, request, database, row, path):
    context = {"d": row, "database": database.name, "report": row["report_id"],
               "record": (row["warc_record_id"] or "").strip("<>") or None}
    template = datasette.jinja_env.from_string(BANNER)
    return Response.html(await datasette.render_template(template, context, request=request))


@_for_archived
async def capture_page(datasette, request, database, row, path):
    data = path.read_bytes()
    charset = re.search(r"charset=([\w-]+)", row["content_type"] or "")
    encoding = charset.group(1) if charset else "utf-8"

    def absolute(url: bytes) -> tuple[str, str]:
        # The crawler recorded URLs percent-encoded in the page's encoding.
        joined = urljoin(row["url"] or "", url.decode(encoding, "replace").strip())
        return joined, safe_url_string(joined, encoding=encoding)

    named = {form for match in URL_ATTRIBUTE.finditer(data) for form in absolute(match.group(6))}
    captured = await _captured(database, row["report_id"], named)

    def archived(match):
        start, tag, attribute, equals, quote, url = (match.group(n) or b"" for n in range(1, 7))
        if url.startswith(b"#"):  # a place on the page itself
            return match.group(0)
        found = next((captured[form] for form in absolute(url) if form in captured), None)
        if found is None:  # inert, its URL kept for whoever reads the source
            return start + b"data-live-" + attribute + equals + url + quote
        sha256, media_type, other_page = found
        link = tag.lower() == b"a"
        route = "/-/capture/" if link and media_type == "html" else "/-/document/"
        if link and other_page:  # another report's page: its capture, banner and all, in the whole window
            start = start[:2] + b' target="_top"' + start[2:]
        return start + attribute + equals + datasette.urls.path(route + sha256).encode() + quote

    headers = {**_headers(row, sandbox=True), "content-security-policy": CAPTURE_POLICY}
    return Response(URL_ATTRIBUTE.sub(archived, data), content_type=row["content_type"] or "text/html",
                    headers=headers)


async def _captured(database, report_id: int, urls: set[str]) -> dict[str, tuple[str, str, bool]]:
    """Those of ``urls`` the archive holds: URL → (sha256, media type, whether it is another report's
    page). A page names the documents of its report, and may link other reports' pages (the newest
    capture of each)."""
    found = {}
    urls = sorted(urls)
    for start in range(0, len(urls), 500):  # within SQLite's limit on parameters
        chunk = urls[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        pages = await database.execute(
            "select d.url, d.sha256, d.media_type from reports r join documents d on d.report_id = r.id "
            f"and d.url = r.page_url where r.page_url in ({marks}) and r.id != ? order by r.id", [*chunk, report_id])
        found.update({url: (sha, media, True) for url, sha, media in pages.rows})
        own = await database.execute(
            f"select url, sha256, media_type from documents where report_id = ? and url in ({marks})",
            [report_id, *chunk])
        found.update({url: (sha, media, False) for url, sha, media in own.rows})
    return found


def _url_name(url: str | None) -> str | None:
    return unquote(PurePosixPath(urlsplit(url or "").path).name) or None


def _headers(row: dict, sandbox: bool) -> dict:
    """Inline, under the document's own name (RFC 6266; ASCII fallback: the sha256)."""
    sha256, filename = row["sha256"], row["filename"] or _url_name(row["url"])
    ascii_name = sha256 + (PurePosixPath(filename).suffix if filename and filename.isascii() else "")
    disposition = f'inline; filename="{re.sub(r"[^A-Za-z0-9._-]", "_", ascii_name)}"'
    if filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return {"content-disposition": disposition, "x-content-type-options": "nosniff",
            **({"content-security-policy": "sandbox"} if sandbox else {})}
