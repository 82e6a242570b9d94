"""Bytes in, report record out (docs/architecture.md, "Report record").

Pure: no network, no database. Every format reader turns its input into rows of cells
plus plain text (``grid.Parsed``); one table reader, one metadata reader, one section
splitter and one set of checks then serve all formats.

No document can make a reader grow without bound: each reader checks what it would grow with
against ``limits.ContentLimits`` before growing (package and part sizes, sheet cells, pages,
inflated page content, markup size and depth) and refuses the document with an error naming the
limit; the worker processes of ``extract.workers`` cap memory and time for the rest.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urldefrag, urlsplit

from . import standard_format
from .checks import identity_checks, prose_checks
from .decode import decode, require_text
from .detect import UNSUPPORTED, sniff
from .grid import Parsed, ReadError
from .limits import LIMITS, ContentLimits, over
from .metadata import read_metadata
from .ocr import cell_confidences
from .rawtables import raw_tables
from .region import REGION_KEYS
from .sections import split_sections
from .settle import confirm_unsure
from .tables import detect_version, read_tables

if TYPE_CHECKING:
    from .scan import PictureSource

__all__ = ["ContentLimits", "extract_document", "extract_file", "standard_format"]


def extract_document(data: bytes, *, filename: str | None = None, media_type: str | None = None,
                     source: str | None = None, limits: ContentLimits = LIMITS, ocr: bool = True,
                     pictures: Mapping[str, bytes] | None = None) -> dict:
    """The report record of one document. Never raises on bad input: problems go to
    ``errors`` (the document, or part of it, could not be read, or is over one of ``limits``)
    or ``warnings`` (read, with doubts). ``ocr`` false leaves pictures and scanned pages
    unread (an error says so) instead of recognising them (docs/ocr.md).

    ``pictures`` gives an HTML page the pictures it prints, by absolute URL (``<img src>``
    resolved against the page's ``<base>`` and its URL, ``source``): each is read by OCR as part
    of the page, its rows where it sits; the record's ``pictures`` lists those given it prints."""
    return _extract(data, filename, media_type, source, limits, ocr,
                    None if pictures is None or not ocr else _given(pictures), source)


def _extract(data: bytes, filename: str | None, media_type: str | None, source: str | None,
             limits: ContentLimits, ocr: bool, pictures: PictureSource | None, url: str | None) -> dict:
    kind = sniff(data, filename, media_type)
    record = _empty_record(data, source or filename or "", kind)
    try:
        _analyse(record, _read(data, kind, media_type, limits, ocr, pictures, url))
    except ReadError as e:
        record["errors"].append({"stage": e.stage, "message": e.message})
    except Exception as e:  # a bug here must not lose the other documents of a batch
        record = _empty_record(data, source or filename or "", kind)  # nothing half-filled survives
        record["errors"].append({"stage": "extract", "message": f"unexpected {type(e).__name__}: {e}"})
    return record


def _given(pictures: Mapping[str, bytes]) -> PictureSource:
    """A page's pictures looked up by URL, percent-encoding and fragment aside (a crawler
    stores ``%E8%A1%A8.png`` where a page prints ``表.png``)."""
    def same(url: str) -> str:
        return unquote(urldefrag(url)[0])
    by_url = {same(url): (url, data) for url, data in pictures.items()}
    return lambda url: by_url.get(same(url))


def _analyse(record: dict, parsed: Parsed) -> None:
    """Fill the record from a reader's rows and text: one path for every format."""
    record["errors"] += parsed.errors
    record["warnings"] += parsed.warnings
    record["text"] = parsed.text
    record["ocr"] = parsed.ocr
    record["pictures"] = parsed.pictures
    record.update(read_metadata(parsed.text, parsed.title, parsed.published))
    record["sections"] = split_sections(parsed.text)
    version = detect_version(parsed.rows)
    if version == standard_format.PRE2019 and parsed.alternative_rows is not None:
        version = detect_version(parsed.alternative_rows)
    if version == standard_format.PRE2019 and (record["year"] or 0) >= 2019:
        version = _table_era_version(record, parsed)
    elif version == standard_format.PRE2019 and not _before_the_tables(record, parsed.text):
        version = None  # no table of any format, nothing saying it is an old report: not known to be a report
    record["format_version"] = version
    if version == standard_format.PRE2019:
        # the tables of an old report are kept as printed: by lines where the text has them
        record["raw_tables"] = raw_tables(parsed.rows if parsed.alternative_rows is None else parsed.alternative_rows)
    tables = _best_reading(parsed, version)
    record.update(figures=tables.figures, cells=tables.cells, null_reasons=tables.null_reasons)
    if parsed.ocr is not None:  # which figures OCR recognised, how surely (docs/ocr.md)
        parsed.ocr["cells"] = cell_confidences(tables.cells)
        confirmed = confirm_unsure(tables.figures, tables.cells, tables.null_reasons, version)
        if confirmed:
            parsed.ocr["confirmed"] = confirmed
            record["warnings"].append({"stage": "ocr", "message": f"{len(confirmed)} figure(s) read unsurely by OCR "
                                       "confirmed by the table's identities, which therefore pass by construction: "
                                       + ", ".join(confirmed)})
    record["warnings"] += tables.warnings
    record["checks"] = identity_checks(tables.figures, version)
    record["prose_checks"] = prose_checks(parsed.text, tables.figures)


def _best_reading(parsed: Parsed, version: str):
    """The tables as read from the reader's rows, or from its alternative cut of the same
    text when that one finds more figures (then fewer failed checks, then more cells seen,
    blanks included, decide). A first reading with every figure needs no second."""
    first = read_tables(parsed.rows, version, parsed.missing_reason, parsed.breaks)
    if parsed.alternative_rows is None or all(v is not None for v in first.figures.values()):
        return first
    second = read_tables(parsed.alternative_rows, version, parsed.missing_reason)

    def found(tables):
        return sum(v is not None for v in tables.figures.values())

    def score(tables):
        failed = sum(c["passed"] is False for c in identity_checks(tables.figures, version))
        return found(tables), -failed, sum(text is not None for text in tables.cells.values())
    if found(first) != found(second):
        return max(first, second, key=found)
    return max(first, second, key=score)


def _table_era_version(record: dict, parsed: Parsed) -> str | None:
    """No tables in a report of the table era. When the reader knows where they went (printed
    as images, pages without a text layer), the format the year prescribes is assumed so every
    cell is listed as missing with that reason; otherwise it is an announcement page whose
    report is an attachment, and no version is given."""
    year = record["year"]
    if parsed.missing_reason:
        version = "2021" if year >= 2021 else "2019"
        record["warnings"].append({"stage": "tables", "message": f"no table text in a {year} report; format "
                                   f"version {version} assumed from the year, every cell null"})
        return version
    record["warnings"].append({"stage": "tables", "message": f"no standard tables found in a {year} "
                               "report (tables in an attachment, or printed as images?)"})
    return None


def _before_the_tables(record: dict, text: str) -> bool:
    """A document without national tables is a pre-2019 report if its year is before 2019, it has a
    report title, or it prints a pre-2019 statistics table's label (``standard_format.PRE2019_MARKERS``)."""
    return (record["year"] is not None or record["title"] is not None
            or any(marker in text for marker in standard_format.PRE2019_MARKERS))


def extract_file(path, ocr: bool = True, limits: ContentLimits = LIMITS) -> dict:
    """``extract_document`` of a file's bytes, with the path as source. A page saved by a browser
    ("Save page as": ``page.html`` and ``page_files/``) is read with the pictures it prints that
    are files under its own folder (``_saved_pictures``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        record = _empty_record(b"", str(path), None)
        record["errors"].append({"stage": "read", "message": f"cannot read {path}: {e.strerror or e}"})
        return record
    return _extract(data, path.name, None, str(path), limits, ocr, _saved_pictures(path, limits) if ocr else None,
                    path.absolute().as_uri())


def _saved_pictures(page: Path, limits: ContentLimits) -> PictureSource:
    """The pictures of a saved page: files under the page's own folder, by their ``file:`` URL (its
    ``src`` resolved against the page's). A picture elsewhere (``../``, an absolute path, a
    symbolic link out of the folder) is refused, which the record says; one on the web is not given."""
    folder = page.absolute().parent.resolve()

    def picture(url: str):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc:
            return None
        target = Path(unquote(parts.path)).resolve()
        if not target.is_relative_to(folder):
            raise ReadError("read", "not a file under the saved page's folder; not read")
        if not target.is_file():
            return None
        if target.stat().st_size > limits.document_bytes:
            raise ReadError("read", over(limits, "document_bytes", f"the picture is {target.stat().st_size:,} bytes"))
        return str(target.relative_to(folder)), target.read_bytes()
    return picture


def _read(data: bytes, kind: str | None, media_type: str | None, limits: ContentLimits, ocr: bool,
          pictures: PictureSource | None = None, url: str | None = None) -> Parsed:
    if kind is None:
        raise ReadError("detect", "empty document: no bytes to read")
    if kind in UNSUPPORTED and not (kind == "image" and ocr):
        raise ReadError("detect", UNSUPPORTED[kind])
    if len(data) > limits.document_bytes:
        raise ReadError("read", over(limits, "document_bytes", f"the document is {len(data):,} bytes"))
    if kind == "image":
        from .scan import read_picture
        return read_picture(data, limits)
    if kind == "pdf":
        from .pdf import read_pdf
        return read_pdf(data, limits=limits, ocr=ocr)
    if kind == "docx":
        from .docx import read_docx
        return read_docx(data, limits, ocr)
    if kind in ("doc", "wps", "rtf"):
        from .convert import to_docx
        from .docx import read_docx
        parsed = read_docx(to_docx(data, kind), limits, ocr)
        require_text(parsed.text, "convert")  # LibreOffice turns a damaged document into garbage
        return parsed
    if kind in ("xlsx", "xls"):
        from .sheets import read_sheets
        return read_sheets(data, kind, limits)
    if kind == "mhtml":
        from .mhtml import html_part
        data, media_type = html_part(data)
    if len(data) > limits.text_bytes:
        raise ReadError("decode", over(limits, "text_bytes", f"the {kind} text is {len(data):,} bytes"))
    text, _encoding, warnings = decode(data, media_type)
    require_text(text, "decode")
    if kind in ("html", "mhtml"):
        from .html import read_html
        parsed = read_html(text, limits, pictures, url)
    else:
        from .text import read_text
        parsed = read_text(text, limits)
    parsed.warnings[:0] = warnings
    return parsed


def _empty_record(data: bytes, source: str, kind: str | None) -> dict:
    return {"source": source, "sha256": hashlib.sha256(data).hexdigest(), "media_type": kind,
            "title": None, "agency": None, "region": dict.fromkeys(REGION_KEYS), "level": None, "year": None,
            "published": None, "format_version": None,
            "sections": {key: "" for key, _label, _variants in standard_format.SECTIONS},
            "figures": {}, "cells": {}, "null_reasons": {}, "raw_tables": [], "checks": [], "prose_checks": [],
            "errors": [], "warnings": [], "text": "", "ocr": None, "pictures": []}
