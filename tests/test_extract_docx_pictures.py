"""A Word report whose tables were pasted in as screenshots (docs/ocr.md, "Pictures of a report
page"): each picture is read by OCR and its rows go where it sits, as an HTML page's pictures
do; without OCR the cells the pictures hide are null with the reason. The demo's screenshots of
a report's tables (``demo_portal.pictures``); tables 2 and 4 are read (some 4 CPU s), table 3,
two pictures, is left a Word table."""
from __future__ import annotations

import io

import docx
import pytest

from demo_portal import pictures, render
from demo_portal.figures import make_report
from extract import extract_document
from ocr_support import score

REPORT = make_report("信阳市生态环境局", "局", "city", 2023, "2021", seed="docx-pictures")
TABLE_2, TABLE_3A, TABLE_3B, TABLE_4 = pictures.table_pictures(REPORT)
LOGO = pictures.logo()


def word(tables: dict[int, list[bytes]]) -> bytes:
    """The report as a Word document, the tables named pasted in as those pictures, and a logo
    in its title's line (pasted last: its part is the last picture's name)."""
    document = docx.Document(io.BytesIO(render.render_docx(REPORT, tables)))
    document.paragraphs[0].add_run().add_picture(io.BytesIO(LOGO))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def record() -> dict:
    return extract_document(word({2: [TABLE_2], 4: [TABLE_4]}), filename="report.docx")


def truth() -> dict:
    return {"figures": REPORT.figures, "cells": REPORT.cells}


def test_pasted_tables_are_read_exact_or_null_none_wrong(record):
    found = score(truth(), record)
    assert not found["wrong"], found["wrong"]
    pasted = [key for key in REPORT.figures if key.startswith(("active.", "appeals."))]
    assert sum(key in found["exact"] for key in pasted) >= 0.97 * len(pasted)
    assert all(key in found["exact"] for key in REPORT.figures if key.startswith("requests."))  # the Word table
    assert all(record["null_reasons"][key] for key in found["null"])
    assert not record["errors"] and all(check["passed"] is not False for check in record["checks"])


def test_the_record_names_the_pictures_read_and_the_logo_gives_no_figure(record):
    ocr = record["ocr"]
    assert ocr["pictures"] == ["word/media/image1.png", "word/media/image2.png"]  # image3: the logo
    assert ocr["summary"].startswith("picture(s) ")
    assert set(ocr["cells"]) == {key for key, text in record["cells"].items()
                                 if text and key.startswith(("active.", "appeals."))}
    assert ("ocr", "picture word/media/image3.png: a picture with no text found by OCR (a logo, a photo?)") in [
        (w["stage"], w["message"]) for w in record["warnings"]]
    assert record["pictures"] == []  # pictures given with a page are the archive's; these are the document's own


def test_the_pictures_rows_stand_where_the_pictures_sit(record):
    text = record["text"]
    marks = ["二、主动公开政府信息情况", "行政规范性文件", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议",
             "复议后起诉", "五、存在的主要问题及改进情况"]
    places = [text.find(mark) for mark in marks]
    assert -1 not in places and places == sorted(places), dict(zip(marks, places))


def test_without_ocr_the_cells_of_pasted_tables_are_null_with_the_reason():
    data = word({2: [TABLE_2], 3: [TABLE_3A, TABLE_3B], 4: [TABLE_4]})
    record = extract_document(data, filename="report.docx", ocr=False)
    assert record["ocr"] is None and not record["errors"]
    assert all(value is None for value in record["figures"].values())
    assert set(record["null_reasons"].values()) == {"table printed as an image"}
    assert ("docx", "5 table(s) or picture(s) where the tables should be: tables printed as images are not read "
                    "(no OCR)") in [(w["stage"], w["message"]) for w in record["warnings"]]
