"""Bad input never raises and never yields a number: an error with its stage, null figures."""
from __future__ import annotations

import io

import pytest

from extract import extract_document, extract_file
from test_extract_support import FIXTURES, TEMPLATE

REAL_PDF = (FIXTURES / "huaian-city-gov-2024.pdf").read_bytes()


def encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    page.drawString(100, 100, "hello")
    page.save()
    return buf.getvalue()


CASES = {
    "empty": (b"", None, "detect", "empty document"),
    "whitespace": (b" \n\t ", "a.txt", "detect", "empty document"),
    "truncated pdf": (REAL_PDF[: len(REAL_PDF) // 2], "a.pdf", "pdf", "truncated or corrupt"),
    "corrupt pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "a.pdf", "pdf", "truncated or corrupt"),
    "encrypted pdf": (encrypted_pdf(), "a.pdf", "pdf", "encrypted PDF"),
    "truncated docx": (TEMPLATE.read_bytes()[:5000], "a.docx", "docx", "not a readable DOCX"),
    "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "report.doc", "detect",
            "an OLE compound file with no Word document or Excel workbook stream"),
    "ofd": (b"PK\x03\x04", "a.ofd", "detect", "OFD documents are not supported yet"),
    "binary": (bytes(range(256)) * 4, None, "detect", "Unrecognised binary"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_an_error_record(name):
    data, filename, stage, message = CASES[name]
    record = extract_document(data, filename=filename)
    assert record["errors"] and record["errors"][0]["stage"] == stage
    assert message in record["errors"][0]["message"]
    assert record["figures"] == {} and record["cells"] == {} and record["format_version"] is None
    assert record["sha256"] and set(record["sections"].values()) == {""}


def test_type_sniffed_from_bytes_not_extension():
    pdf_named_html = extract_document(REAL_PDF, filename="report.html")
    assert pdf_named_html["media_type"] == "pdf" and pdf_named_html["errors"] == []


def test_missing_file_is_an_error(tmp_path):
    record = extract_file(tmp_path / "nope.pdf")
    assert record["errors"][0]["stage"] == "read"
    assert record["source"] == str(tmp_path / "nope.pdf")


def test_pre2019_report_has_no_table_keys():
    text = "某县人民政府2015年政府信息公开工作年度报告\n一、概述\n本年主动公开信息1200条。\n二、主动公开政府信息情况\n略。"
    record = extract_document(text.encode("gbk"))
    assert record["format_version"] == "pre2019"
    assert record["figures"] == {} and record["checks"] == []
    assert (record["agency"], record["year"]) == ("某县人民政府", 2015)
    assert record["sections"]["overview"] == "本年主动公开信息1200条。"


def test_an_internal_failure_is_an_error_record_not_an_exception(monkeypatch):
    import extract

    def explode(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(extract, "read_tables", explode)
    record = extract_document("罗山县人民政府2021年政府信息公开工作年度报告".encode())
    assert record["errors"] == [{"stage": "extract", "message": "unexpected RuntimeError: boom"}]
    assert record["figures"] == {} and record["title"] is None


def test_table_era_report_without_tables_has_no_version():
    text = "某县人民政府2023年政府信息公开工作年度报告\n附件：某县人民政府2023年政府信息公开工作年度报告.pdf"
    record = extract_document(text.encode("utf-8"))
    assert record["format_version"] is None and record["figures"] == {}
    assert "no standard tables found in a 2023 report" in record["warnings"][0]["message"]
