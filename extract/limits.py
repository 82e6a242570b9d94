"""The limits of extraction, declared in one place: what one document may make a reader hold
(:class:`ContentLimits`), and what the worker process reading it may use (:class:`WorkerLimits`).

A hostile or broken document can be small and still expand into gigabytes: a 5 KB XLSX whose cells
A1 and XFD1048576 span 17 billion cells, a 4 MB DOCX whose ``document.xml`` inflates to 1 GiB, a PDF
page whose content stream is a zlib bomb. Each reader checks the measure it would otherwise grow
with *before* growing, and refuses the document with a ``ReadError`` naming the limit (by the field
name below, so a record says which limit and what it is), cheaply and within bounded memory. The
worker processes of ``extract.workers`` cap memory and time as the backstop for what no check here
foresees; these limits are what keep an ordinary hostile document from ever reaching that backstop.

The values are fit for real reports with a wide margin (sizes measured on the reports in
tests/fixtures/extract and on portals: a report is a few MB, its tables a few hundred cells) and
small enough that a document at every limit is read well inside the worker's memory cap.
``extract.extract_document(…, limits=ContentLimits(…))`` lowers them (tests do).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True)
class ContentLimits:
    """One document's limits; each field is documented with why its value fits reports."""

    document_bytes: int = 200_000_000
    """The document as delivered. The crawler downloads at most this much
    (``NIANBAO_MAX_DOCUMENT_BYTES``); a larger one came from elsewhere and is not read."""

    text_bytes: int = 8 * MIB
    """An HTML page, plain text or MHTML page before parsing. A report page is 50 KB–2 MB. Measured at
    the limit: 8 MiB of paragraphs peak under 100 MB; of the smallest table cells (800,000), some
    450 MB (the tree and the cells read before ``grid_cells`` refuses the page)."""

    html_depth: int = 256
    """Element nesting libxml2's HTML parser reads (its own limit without ``huge_tree``; deeper
    content it drops without a word). A deeper page is read again with its layout elements
    (``div``, ``span`` …) removed; one still too deep (nested tables) is refused. The readers walk
    the tree recursively, so this also stays far below Python's recursion limit."""

    package_bytes: int = 128 * MIB
    """All parts of a DOCX or XLSX package, expanded, as the central directory declares them (read
    a chunk at a time, no part yields more: ``extract.packages``). The parts are held twice (the
    checked copy, then python-docx, which loads every part, pictures included); a report's package
    is 1–30 MB."""

    xml_part_bytes: int = 16 * MIB
    """One XML part expanded (``word/document.xml``, a sheet, the shared strings). A 100-page report's
    ``document.xml`` is 2–10 MB. python-docx holds its whole tree: measured at the limit, 16 MiB of
    table cells peak at 355 MB (42 s), of paragraphs at about 110 MB."""

    package_parts: int = 10_000
    """Parts in one package: a report has 10–100 (pictures included)."""

    grid_cells: int = 250_000
    """The cells one document's tables become: for a sheet, the rectangle its cells with content span
    (rows × columns); for HTML and DOCX tables, the grid positions once merged cells are laid out
    (all tables of the document together); for plain text, the labels, figures and pipe-table cells
    its rows are cut into (counted as they are found). Reports' tables are some 300 cells, 1,000 a report;
    a statistical annex a few thousand. Sheets are read as the cells they hold, streaming, and
    spans are counted before they are laid out, so a sheet touching its far corner or a cell
    spanning 99,999 columns is measured before anything is built."""

    pdf_pages: int = 2_000
    """Pages of a PDF. Reports have 5–60 pages, a province's compilation a few hundred."""

    pdf_content_bytes: int = 4 * MIB
    """What one page's content streams, form XObjects and Type 3 glyph procedures inflate to: the
    operators the engines interpret and the layout code then visits one object at a time (some
    4 s per MiB of ruling lines). A dense table page is 20–200 KB. A page over it is not read (an
    error names it); the others are."""

    pdf_font_bytes: int = 64 * MIB
    """What the font programs one page embeds inflate to, which pdfium and pdfminer hold whole. An
    embedded subset CJK font is 0.1–5 MB, a whole one (SimSun) some 15 MB."""

    picture_pixels: int = 40_000_000
    """Pixels of a picture read by OCR (a scanned page, a table printed as a picture), checked from its
    header before it is decoded. An A4 page scanned at 300 dpi is 8.7 million; the grey copy, its
    straightened copy and the ink masks take some 5 bytes a pixel, so 40 million stay near 200 MB
    beside the OCR models' 250 MB (docs/ocr.md)."""

    ocr_pages: int = 20
    """Pages of one document read by OCR: a scanned PDF's pages, the pictures of an HTML page (its
    tables printed as pictures: a report has one to five; a scanned report pasted into a page, a
    page's worth each), a multi-page TIFF's pages. OCR costs 2–4.5 CPU seconds a table page at
    200 dpi (the resolution a scanned PDF page is read at), up to 7.5 a full page of prose
    (measured, docs/ocr.md): 20 pages stay under the worker's 180 s CPU limit
    (``WorkerLimits.cpu_seconds``), so a document with more loses its last pages' reading, with a
    warning, instead of its whole reading. Reports have 5–60 pages; their tables come in the
    first ten."""


@dataclass(frozen=True)
class WorkerLimits:
    """The limits of one worker process (``extract.workers``), the backstop behind the content limits; each can be set by the environment variable named
    in ``ENVIRONMENT`` (``WorkerLimits.from_environment``), so a deployment sets them in one place.

    * ``memory_mb`` (``NIANBAO_WORKER_MEMORY_MB``, 768): the worker's address space. A
      300-page report PDF peaks at 300 MiB resident (measured, pypdfium2), LibreOffice
      needs under 512 MiB; 768 MiB leaves room for both and keeps one worker plus the
      build process (some 100 MB, plus SQLite's page cache on a large archive) under
      1 GB, the issue's budget for a batch with one worker.
    * ``cpu_seconds`` (``NIANBAO_WORKER_CPU_SECONDS``, 180): CPU time of one document, counted
      from when its worker takes it (``workers._allow_cpu``). That 300-page PDF takes 7 s; the
      pdfminer fallback is several times slower.
    * ``wall_seconds`` (``NIANBAO_WORKER_WALL_SECONDS``, 300): one document's wall time,
      enforced by the parent. Above LibreOffice's 120 s conversion limit, so a conversion
      is always ended by ``extract.convert`` (which kills LibreOffice) and never orphaned.
    * ``documents_per_worker`` (``NIANBAO_WORKER_DOCUMENTS``, 100): documents a worker reads
      before it is replaced by a fresh one.
    * ``ocr_memory_mb`` (``NIANBAO_WORKER_OCR_MEMORY_MB``, 1536): the address space a worker may
      grow to once it reads a scanned page or a picture (``allow_ocr_memory``); the hard limit
      from the start, ``memory_mb`` the soft one until then. onnxruntime reserves its arenas as
      address space: a page scanned at 300 dpi read at 200 dpi fails under 1,024 MiB and passes
      at 1,280 MiB with 695 MiB resident (measured, docs/ocr.md); 1,536 leaves a margin.
    """
    memory_mb: int = 768
    cpu_seconds: int = 180
    wall_seconds: float = 300.0  # a float, so NIANBAO_WORKER_WALL_SECONDS=2.5 reads
    documents_per_worker: int = 100
    ocr_memory_mb: int = 1536

    ENVIRONMENT = {"memory_mb": "NIANBAO_WORKER_MEMORY_MB", "cpu_seconds": "NIANBAO_WORKER_CPU_SECONDS",
                   "wall_seconds": "NIANBAO_WORKER_WALL_SECONDS",
                   "documents_per_worker": "NIANBAO_WORKER_DOCUMENTS",
                   "ocr_memory_mb": "NIANBAO_WORKER_OCR_MEMORY_MB"}

    @classmethod
    def from_environment(cls, environ=os.environ) -> WorkerLimits:
        """The defaults, each replaced by its environment variable when that is set."""
        return cls(**{field: type(getattr(cls, field))(environ[name])
                      for field, name in cls.ENVIRONMENT.items() if environ.get(name)})

    def failure(self, limit: str, detail: str = "") -> dict:
        """The failure of a document that reached ``limit`` (a field name), naming it and its setting."""
        amount = {"memory_mb": f"{self.memory_mb} MiB memory", "cpu_seconds": f"{self.cpu_seconds} s CPU time",
                  "wall_seconds": f"{self.wall_seconds:g} s wall time"}[limit]
        return {"stage": "limit",
                "message": f"exceeded the {amount} limit per document ({self.ENVIRONMENT[limit]}){detail}"}


LIMITS = ContentLimits()


def allow_ocr_memory() -> None:
    """Raise this process's address-space limit to its hard limit (``WorkerLimits.ocr_memory_mb``
    in a worker), as OCR needs more than other readers. Outside a worker nothing changes."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def over(limits: ContentLimits, name: str, measure: str) -> str:
    """The message of a document refused by limit ``name``: what was measured, then the limit."""
    return f"{measure}: over the limit ContentLimits.{name} = {getattr(limits, name):,}"
