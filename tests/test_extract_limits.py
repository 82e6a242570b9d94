"""Hostile documents against the readers' content limits (extract/limits.py; issue 10, part 2).

Every document of ``CASES`` is made by tests/hostile_documents.py (or is a real fixture read under
a lowered limit) and extracted in ONE child process whose address space is capped at 1 GiB, one
after the other, as a batch with one worker would: the batch must finish, each document with a
record, each hostile one with an error naming the limit it is over (or read in full, where the
reader can read it safely), and no figure invented. Without the limits the 5 KB XLSX alone took
7.5 GB; here the child is killed (the test fails) if any document gets near 1 GiB.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extract.grid import Span, unmerge

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "extract"
MEMORY_CAP = 1 << 30
MSWORD = "application/msword"

# name: (hostile_documents function and arguments, or "fixture:<file>"; filename; media type; limits)
CASES = {
    "xlsx_sheet_corners": (("xlsx_sheet_corners", {}), "report.xlsx", None, {}),
    "docx_1_gib_xml": (("docx_huge_xml", {}), "report.docx", None, {}),
    "docx_lying_sizes": (("docx_huge_xml", {"expanded": 256 << 20, "declared": 10_000}), "report.docx", None, {}),
    "docx_parts": ("fixture:template-2021-format-blank.docx", "report.docx", None, {"package_parts": 3}),
    "docx_package_bytes": ("fixture:template-2021-format-blank.docx", "report.docx", None, {"package_bytes": 10_000}),
    "xls_cells": ("fixture:luoshan-2021-tables.xls", "report.xls", None, {"grid_cells": 100}),
    "xlsx_cells": ("fixture:luoshan-2021-tables.xlsx", "report.xlsx", None, {"grid_cells": 100}),
    "docx_entity_bomb": (("entity_bomb", {"kind": "docx"}), "report.docx", None, {}),
    "xlsx_entity_bomb": (("entity_bomb", {"kind": "xlsx"}), "report.xlsx", None, {}),
    "html_span_bomb": (("html_span_bomb", {}), "report.html", None, {}),
    "docx_span_bomb": (("docx_table", {"span": 99_999_999}), "report.docx", None, {}),
    "docx_merged_down_2000_rows": (("docx_table", {"rows": 2_000}), "report.docx", None, {}),
    "deep_html": (("deep_html", {}), "report.html", None, {}),
    "deep_html_lowered": (("deep_html", {"depth": 100}), "report.html", None, {"html_depth": 50}),
    "deep_tables": (("deep_tables", {}), "report.html", None, {}),
    "html_as_doc": (("html_as_doc", {}), "report.doc", MSWORD, {}),
    "rtf_as_doc": (("rtf_as_doc", {}), "report.doc", MSWORD, {}),
    "mhtml_qp_as_doc": (("mhtml_as_doc", {}), "report.doc", MSWORD, {}),
    "mhtml_base64_as_doc": (("mhtml_as_doc", {"transfer_encoding": "base64"}), "report.doc", MSWORD, {}),
    "random_as_doc": (("random_bytes", {}), "report.doc", MSWORD, {}),
    "random_high_as_doc": (("random_bytes", {"low": 0x80}), "report.doc", MSWORD, {}),
    "random_word_document": (("random_word_document", {}), "report.doc", MSWORD, {}),
    "gzip_bomb_as_pdf": (("gzip_bomb", {}), "report.pdf", "application/pdf", {}),
    "pdf_2001_pages": (("pdf_pages", {}), "report.pdf", None, {}),
    "pdf_declares_20m_pages": (("pdf_pages", {"count": 3, "declared": 20_000_000}), "report.pdf", None, {}),
    "pdf_declares_2_pages": (("pdf_pages", {"count": 3, "declared": 2}), "report.pdf", None, {}),
    "pdf_content_bomb": (("pdf_content_bomb", {}), "report.pdf", None, {}),
    "pdf_form_bomb": (("pdf_content_bomb", {"via": "form"}), "report.pdf", None, {}),
    "pdf_fonts": ("fixture:huaian-city-gov-2024.pdf", "report.pdf", None, {"pdf_font_bytes": 100_000}),
    "document_bytes": ("fixture:luoshan-2021-gbk.html", "report.html", None, {"document_bytes": 1_000}),
    "text_bytes": ("fixture:luoshan-2021-gbk.html", "report.html", None, {"text_bytes": 1_000}),
}

# The child: make each document, extract it under the limits, report the record and its cost.
CHILD = """
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from extract import ContentLimits, extract_document
from tests import hostile_documents


def peak_rss_mb():  # VmHWM: ru_maxrss would count the memory of the forked parent before exec
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) // 1024


out = {{}}
for name, (source, filename, media_type, limits) in json.loads(sys.argv[1]).items():
    if isinstance(source, str):
        data = (Path({fixtures!r}) / source.removeprefix("fixture:")).read_bytes()
    else:
        data = getattr(hostile_documents, source[0])(**source[1])
    start = time.monotonic()
    record = extract_document(data, filename=filename, media_type=media_type, limits=ContentLimits(**limits))
    out[name] = {{"seconds": round(time.monotonic() - start, 2), "bytes": len(data),
                  "peak_rss_mb": peak_rss_mb(),
                  **{{k: record[k] for k in ("media_type", "errors", "warnings", "text", "year", "figures")}}}}
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def batch() -> dict:
    """Each case's record (media type, errors, warnings, text, year, figures), seconds and the
    child's peak RSS so far, from one child process capped at 1 GiB of address space."""
    script = CHILD.format(cap=MEMORY_CAP, fixtures=str(FIXTURES))
    done = subprocess.run([sys.executable, "-c", script, json.dumps(CASES)], cwd=ROOT, capture_output=True,
                          text=True, timeout=180, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    for name, result in results.items():  # the figures for docs/reliability/documents.md
        print(f"{name}: {result['bytes']:,} bytes, {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB, "
              f"{result['media_type']}, {[e['message'][:160] for e in result['errors']]}")
    return results


def _error(result: dict, stage: str, *phrases: str) -> None:
    """The record has an error of ``stage`` saying every phrase, and no figure."""
    messages = [e["message"] for e in result["errors"] if e["stage"] == stage]
    assert any(all(p in m for p in phrases) for m in messages), result["errors"]
    assert not any(v is not None for v in result["figures"].values())


def _read(result: dict, media_type: str) -> None:
    """The report's text was read as ``media_type``, without an error."""
    assert result["media_type"] == media_type
    assert result["errors"] == []
    assert "某县人民政府2021年政府信息公开工作年度报告" in result["text"]
    assert "统计期限自2021年1月1日起" in result["text"]
    assert result["year"] == 2021


def test_the_whole_batch_finishes_under_one_gib_with_a_record_each(batch):
    assert set(batch) == set(CASES)
    assert max(r["peak_rss_mb"] for r in batch.values()) < MEMORY_CAP >> 20


def test_a_5_kb_xlsx_spanning_a_whole_sheet_is_refused_by_its_cells(batch):
    result = batch["xlsx_sheet_corners"]
    _error(result, "xlsx", "sheet 表1 spans 1,048,576 rows × 16,384 columns", "ContentLimits.grid_cells = 250,000")
    assert result["bytes"] < 5_000


def test_a_4_mb_docx_whose_xml_is_1_gib_is_refused_by_its_part_size(batch):
    result = batch["docx_1_gib_xml"]
    _error(result, "docx", "part word/document.xml expands to 1,072,644,359 bytes", "ContentLimits.xml_part_bytes")
    assert result["bytes"] < 5_000_000


def test_a_docx_whose_headers_understate_a_part_costs_only_what_they_declare(batch):
    """256 MiB of XML declared as 10 KB: read a chunk at a time it stops at 10 KB, the CRC fails."""
    _error(batch["docx_lying_sizes"], "docx", "not a readable DOCX package", "Bad CRC-32 for file 'word/document.xml'")
    assert batch["docx_lying_sizes"]["peak_rss_mb"] < 200


@pytest.mark.parametrize("case, stage, phrase", [
    ("docx_entity_bomb", "docx", "Maximum entity amplification factor exceeded"),  # libxml2's own limit
    ("xlsx_entity_bomb", "xlsx", "invalid XML"),  # openpyxl parses through defusedxml: no entities
])
def test_billion_laughs_in_a_package_is_refused_by_the_xml_parser(batch, case, stage, phrase):
    _error(batch[case], stage, phrase)


@pytest.mark.parametrize("case, stage, limit", [
    ("docx_parts", "docx", "ContentLimits.package_parts = 3"),
    ("docx_package_bytes", "docx", "ContentLimits.package_bytes = 10,000"),
    ("xls_cells", "xls", "ContentLimits.grid_cells = 100"),
    ("xlsx_cells", "xlsx", "ContentLimits.grid_cells = 100"),
    ("document_bytes", "read", "ContentLimits.document_bytes = 1,000"),
    ("text_bytes", "decode", "ContentLimits.text_bytes = 1,000"),
    ("deep_tables", "html", "ContentLimits.html_depth = 256"),
    ("html_span_bomb", "html", "ContentLimits.grid_cells = 250,000"),
    ("docx_span_bomb", "docx", "ContentLimits.grid_cells = 250,000"),
    ("pdf_2001_pages", "pdf", "ContentLimits.pdf_pages = 2,000"),
])
def test_a_document_over_a_limit_gets_an_error_naming_it(batch, case, stage, limit):
    _error(batch[case], stage, limit)


def test_a_docx_cell_merged_down_2000_rows_is_read(batch):
    """python-docx's row.cells walked up the rows for every continuation: 100 s, then RecursionError."""
    result = batch["docx_merged_down_2000_rows"]
    assert result["errors"] == [] and result["text"].count("一、总体情况") == 1
    assert result["text"].count("\n1") == 2_000  # each row's own cell; the merged cell counted once


def test_html_nested_100000_deep_keeps_its_text(batch):
    for case in ("deep_html", "deep_html_lowered"):
        _read(batch[case], "html")
        assert any("nested deeper than the parser reads" in w["message"] for w in batch[case]["warnings"])


@pytest.mark.parametrize("case, media_type", [("html_as_doc", "html"), ("rtf_as_doc", "rtf"),
                                              ("mhtml_qp_as_doc", "mhtml"), ("mhtml_base64_as_doc", "mhtml")])
def test_a_report_saved_under_a_doc_name_is_read_as_what_its_bytes_are(batch, case, media_type):
    _read(batch[case], media_type)


@pytest.mark.parametrize("case, stage, phrase", [
    ("random_as_doc", "detect", "Unrecognised binary"),
    ("random_high_as_doc", "decode", "not text"),
    ("random_word_document", "convert", "not text"),  # LibreOffice's garbage, refused
    ("gzip_bomb_as_pdf", "detect", "Unrecognised binary"),
])
def test_bytes_that_are_no_document_are_an_error_not_garbage_text(batch, case, stage, phrase):
    _error(batch[case], stage, phrase)
    assert batch[case]["text"] == ""


def test_a_pdf_declaring_20_million_pages_is_read_for_the_pages_it_holds(batch):
    result = batch["pdf_declares_20m_pages"]
    assert result["errors"] == [] and result["text"].count("Annualreport2021") == 3


def test_a_pdf_whose_page_count_disagrees_with_its_tree_is_refused_by_name(batch):
    """pdfium trusts a /Count under a million: the pages it would read are not the tree's."""
    _error(batch["pdf_declares_2_pages"], "pdf", "page tree damaged: pdfium counts 2 pages, the tree holds 3")


@pytest.mark.parametrize("case", ["pdf_content_bomb", "pdf_form_bomb"])
def test_a_pdf_page_inflating_to_1_gib_is_left_out_and_the_rest_read(batch, case):
    result = batch[case]
    assert result["errors"] == [{"stage": "pdf", "message": (
        "document incomplete: page 2 of 2 not read (its content streams and forms inflate to more bytes than that: "
        "over the limit ContentLimits.pdf_content_bytes = 4,194,304); its text and cells are missing")}]
    assert "Annualreport2021,page1" in result["text"]


def test_a_pdf_whose_fonts_are_over_the_limit_is_not_read(batch):
    _error(batch["pdf_fonts"], "pdf", "its embedded fonts inflate", "ContentLimits.pdf_font_bytes = 100,000")


def test_spans_are_clamped_as_browsers_lay_them_out_and_counted_before_they_are():
    rows = unmerge([[Span("A", rowspan=99_999), Span("B", colspan=99_999)], [Span("C")]])
    assert [len(row) for row in rows] == [1_001, 2]  # 1,000 columns at most; no row past the table's last
    with pytest.raises(OverflowError):
        unmerge([[Span("A", rowspan=2, colspan=3)], [Span("B")]], max_cells=5)
