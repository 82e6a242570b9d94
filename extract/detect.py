"""Sniff a document's type from its bytes; the filename and media type only break ties.

So a report saved as HTML, RTF or MHTML (Word's "single file web page") under a ``.doc`` name,
or served as ``application/msword``, is read as what its bytes are; bytes that are none of the
formats read here are ``binary`` (NUL bytes) or ``text``, which must then decode as text
(``decode.require_text``)."""
from __future__ import annotations

import io
import zipfile

# Types recognised but not read, with what the record's error says. DOC, WPS and RTF are
# converted to DOCX (convert.py); XLS and XLSX are read as sheets (sheets.py).
_NOT_YET = "documents are not supported yet; convert to PDF or DOCX to extract figures"
UNSUPPORTED = {
    "ole": "an OLE compound file with no Word document or Excel workbook stream (damaged or cut short, "
           "or another Office format); not read",
    "ofd": f"OFD {_NOT_YET}", "zip": f"ZIP archive {_NOT_YET}", "image": "image documents are read only by OCR, which is off (--no-ocr)",
    "binary": f"Unrecognised binary {_NOT_YET}",
}

_EXT = {".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx",
        ".txt": "text", ".doc": "doc", ".wps": "wps", ".xls": "xls", ".et": "xls", ".xlsx": "xlsx",
        ".rtf": "rtf", ".ofd": "ofd"}
_MEDIA = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf", "text/plain": "text",
          "application/msword": "doc", "application/vnd.ms-excel": "xls", "application/rtf": "rtf", "text/rtf": "rtf",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx"}


def sniff(data: bytes, filename: str | None = None, media_type: str | None = None) -> str | None:
    """'html', 'mhtml', 'pdf', 'docx', 'text', …, one of UNSUPPORTED, or None for empty input."""
    if not data.strip():
        return None
    hinted = _hint(filename, media_type)
    head = data[:1024].lstrip()
    if data[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, hinted)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        kind = _ole_kind(data)  # the streams decide: a ".doc" without a Word stream is not one
        return "wps" if kind == "doc" and hinted == "wps" else kind
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head[:4] in (b"\x89PNG", b"GIF8", b"II*\x00", b"MM\x00*") or head[:3] == b"\xff\xd8\xff" or (
            data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00"):  # BMP: reserved bytes zero
        return "image"
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"  # text in any of the encodings read here has no NUL bytes
    lowered = head.lower().lstrip(b"\xef\xbb\xbf")
    if lowered.startswith(b"mime-version:") or b"content-type: multipart/related" in lowered:
        return "mhtml"
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<meta", b"<div", b"<table",
                           b"<p")) or b"<html" in data[:4096].lower():
        return "html"
    return hinted if hinted in ("html",) else "text"


def _hint(filename: str | None, media_type: str | None) -> str | None:
    if media_type:
        kind = _MEDIA.get(media_type.split(";")[0].strip().lower())
        if kind:
            return kind
    if filename:
        name = filename.lower()
        for ext, kind in _EXT.items():
            if name.endswith(ext):
                return kind
    return None


def _ole_kind(data: bytes) -> str:
    """An OLE compound file by its stream names (UTF-16 in the directory): Word and WPS
    documents hold a WordDocument stream, Excel workbooks a Workbook (or Book) stream."""
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") + b"\x00\x00" in data:
        return "xls"
    return "ole"


def _zip_kind(data: bytes, hinted: str | None) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        # a damaged package: the reader its name points to (DOCX by default) reports what is wrong
        return hinted if hinted in ("xlsx", "ofd") else "docx"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"
