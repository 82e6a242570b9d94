"""Datasette plugin: serve archived documents, and link to them from the tables.

``/-/document/<sha256>`` sends the archived bytes of a document: the blob under
a crawl directory the build recorded (table ``crawl_dirs``), with the
Content-Type the portal sent and the document's own file name. An HTML page is
sent with ``Content-Security-Policy: sandbox`` so that its scripts cannot run on
the archive's origin. Cells holding a document's sha256 (``primary_sha256`` of ``reports`` and
``report_summary``, ``documents.sha256``, ``errors.document_sha256``) link there.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from datasette import hookimpl
from datasette.utils.asgi import AsgiFileDownload, Response
from markupsafe import Markup, escape

SHA256 = re.compile(r"^[0-9a-f]{64}$")
DOCUMENT_COLUMNS = {("reports", "primary_sha256"), ("report_summary", "primary_sha256"), ("documents", "sha256"),
                    ("errors", "document_sha256")}


@hookimpl
def register_routes():
    return [(r"^/-/document/(?P<sha256>[0-9a-f]{64})$", document)]


@hookimpl
def render_cell(value, column, table, datasette):
    if (table, column) in DOCUMENT_COLUMNS and isinstance(value, str) and SHA256.match(value):
        href = datasette.urls.path(f"/-/document/{value}")
        return Markup(f'<a href="{escape(href)}" title="原始文件 archived document">{escape(value[:12])}…</a>')
    return None


async def document(datasette, request):
    sha256 = request.url_vars["sha256"]
    for database in datasette.databases.values():
        if database.name.startswith("_") or not await database.table_exists("crawl_dirs"):
            continue
        found = await database.execute(
            "select d.blob, d.content_type, d.filename, d.url, c.path from documents d, crawl_dirs c "
            "where d.sha256 = ?", [sha256])
        for blob, content_type, filename, url, crawl_dir in found.rows:
            path = Path(crawl_dir, blob).resolve()
            if path.is_relative_to(Path(crawl_dir).resolve()) and path.is_file():
                return AsgiFileDownload(path, content_type=content_type or "application/octet-stream",
                                        headers=_headers(sha256, filename or _url_name(url)))
    return Response.text("No archived document with that sha256", status=404)


def _url_name(url: str | None) -> str | None:
    return unquote(PurePosixPath(urlsplit(url or "").path).name) or None


def _headers(sha256: str, filename: str | None) -> dict:
    """Inline, under the document's own name (RFC 6266; ASCII fallback: the sha256)."""
    ascii_name = sha256 + (PurePosixPath(filename).suffix if filename and filename.isascii() else "")
    disposition = f'inline; filename="{re.sub(r"[^A-Za-z0-9._-]", "_", ascii_name)}"'
    if filename:
        disposition += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return {"content-disposition": disposition, "content-security-policy": "sandbox",
            "x-content-type-options": "nosniff"}
