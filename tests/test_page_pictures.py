"""An HTML report page whose tables are pictures, read with its pictures (docs/ocr.md, "Pictures of
a report page"): the demo's screenshots of a report's tables (``demo_portal.pictures``: table 2,
table 3 cut in two, table 4, and a logo), put into the page's rows where they sit. One OCR
reading of tables 3 (at 200 dpi) and 4 (at the demo's 180 dpi, as the demo's end-to-end test
reads all four) serves the first tests; the others read no table."""
from __future__ import annotations

import json
import os

import pytest
import sqlite_utils

from archive.build import build
from archive_crawl import page as archive_page, report, write_jsonl
from demo_portal import pictures, render
from demo_portal.figures import make_report
from extract import ContentLimits, extract_document, scan
from extract.grid import Cell
from extract import standard_format as sf
from ocr_support import noise, score
from tests.cli_support import run_nianbao

PAGE = "http://www.example.gov.cn/zwgk/ndbg/2024/0120/123456.html"
REPORT = make_report("河南省发展和改革委员会", "委", "province", 2023, "2021", seed="demo")
TABLES = pictures.table_pictures(REPORT)  # table 2, table 3 (two pictures), table 4
FINER = pictures.table_pictures(REPORT, dpi=200)  # a Word page at 100 % on a high-DPI screen is about 190
LOGO = pictures.logo()


def page(srcs: dict[int, list[str]], logo: str | None = "logo.png", base: str = "") -> bytes:
    """The report's article with the tables ``srcs`` names printed as those pictures."""
    head = f'<base href="{base}">' if base else ""
    emblem = f'<p><img src="{logo}" width="120"></p>' if logo else ""
    return (f"<html><head><meta charset='utf-8'>{head}<title>{REPORT.title}</title></head><body>"
            f"<h1>{REPORT.title}</h1>{emblem}{render.render_html_body(REPORT, srcs)}</body></html>").encode()


ALL = {2: ["t2.png"], 3: ["t3a.png", "t3b.png"], 4: ["t4.png"]}
SHOTS = [TABLES[0], *FINER[1:3], TABLES[3], LOGO]
GIVEN = {f"http://www.example.gov.cn/zwgk/ndbg/2024/0120/{name}": data
         for name, data in zip(["t2.png", "t3a.png", "t3b.png", "t4.png", "logo.png"], SHOTS)}


@pytest.fixture(scope="module")
def record():
    """Table 2 an HTML table, tables 3 and 4 pictures (table 2's picture would cost 3 CPU s more)."""
    return extract_document(page({3: ALL[3], 4: ALL[4]}), filename="page.html", source=PAGE, pictures=GIVEN)


def truth() -> dict:
    return {"figures": REPORT.figures, "cells": REPORT.cells}


def test_the_pictures_tables_are_read_none_wrong(record):
    found = score(truth(), record)
    assert not found["wrong"] and len(found["exact"]) >= 0.97 * len(REPORT.figures), found
    assert all(record["null_reasons"][key] for key in found["null"])
    assert not record["errors"] and all(c["passed"] is not False for c in record["checks"])
    assert record["format_version"] == "2021" and record["title"] == REPORT.title


def test_a_table_cut_across_two_pictures_is_read_as_one(record):
    """Table 3's first picture ends inside the 不予公开 rows; its second goes on to 结转下年度."""
    found = set(score(truth(), record)["exact"])
    assert {"requests.new_received.total", "requests.carried_forward.total",
            "requests.not_processed.mass_repeated.natural_person"} <= found
    table3 = [key for key in sf.keys("2021") if key.startswith("requests.")]
    assert sum(key in found for key in table3) >= 0.97 * len(table3)


def test_finer_pictures_keep_their_lone_zeros(record):
    """Table 3's screenshots at 200 dpi: the detector's box of a lone "0" reaches the rule under it
    and is taller than wide, so RapidOCR read it turned, as "o", "°" or "3號" (136 of the report's
    200 figures were exact at 200 dpi, 199 at 144; table 3 alone 113 of 175). Read upright and cut
    clear of the rule, it is confirmed."""
    found = score(truth(), record)
    table3 = [key for key in found["exact"] + found["null"] + found["wrong"] if key.startswith("requests.")]
    zeros = [key for key in table3 if REPORT.figures[key] == 0]
    assert len(zeros) > 50 and sum(key in found["exact"] for key in zeros) >= 0.97 * len(zeros), found


def test_the_pictures_rows_stand_where_the_pictures_sit(record):
    text = record["text"]
    marks = ["二、主动公开政府信息情况", "行政规范性文件", "三、收到和处理政府信息公开申请情况", "本年新收政府信息公开申请数量",
             "结转下年度继续办理", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"]
    places = [text.find(mark) for mark in marks]
    assert -1 not in places and places == sorted(places), dict(zip(marks, places))
    # the pictures' text is in the sections their pictures stand in
    assert "行政规范性文件" in record["sections"]["active_disclosure"] and "复议后起诉" in record["sections"]["appeals"]


def test_the_record_names_the_pictures_read_and_how_surely(record):
    assert record["pictures"] == list(GIVEN)[4:] + list(GIVEN)[1:4]  # in page order: the logo first
    ocr = record["ocr"]
    assert ocr["pictures"] == list(GIVEN)[1:4] and "pages" not in ocr  # the logo holds no text
    assert ocr["summary"].startswith("picture(s) ") and ocr["engine"]
    assert set(ocr["cells"]) == {key for key, text in record["cells"].items()
                                 if text and not key.startswith("active.")}  # the pictures' cells
    messages = [(w["stage"], w["message"]) for w in record["warnings"]]
    assert ("ocr", ocr["summary"]) in messages
    assert ("ocr", f"picture {list(GIVEN)[4]}: a picture with no text found by OCR (a logo, a photo?)") in messages
    assert not any("where the tables should be" in message for _stage, message in messages)


def text_tables_but(number: int) -> dict[int, list[str]]:
    return {number: ALL[number]}


def test_a_damaged_picture_is_a_warning_naming_it_and_the_rest_is_read():
    """Table 4's picture cut short; tables 2 and 3 are HTML tables: no table is OCR'd here."""
    given = {**GIVEN, f"{PAGE.rsplit('/', 1)[0]}/t4.png": TABLES[3][:400]}
    record = extract_document(page(text_tables_but(4)), filename="page.html", source=PAGE, pictures=given)
    assert not record["errors"]
    assert any(w["stage"] == "ocr" and "t4.png not read: the picture could not be" in w["message"]
               for w in record["warnings"])
    for key, value in REPORT.figures.items():
        if key.startswith("appeals."):
            assert record["figures"][key] is None and record["null_reasons"][key] == "table printed as an image"
        else:
            assert record["figures"][key] == value, key
    assert record["ocr"] is None  # no picture held text


def test_without_ocr_the_pictures_are_not_read_as_before():
    record = extract_document(page(ALL), filename="page.html", source=PAGE, pictures=GIVEN, ocr=False)
    assert record["ocr"] is None and record["pictures"] == [] and not record["errors"]
    assert set(record["null_reasons"].values()) == {"table printed as an image"}
    assert ("html", "5 table(s) or picture(s) where the tables should be: tables printed as images are not read "
                    "(no OCR)") in [(w["stage"], w["message"]) for w in record["warnings"]]


def test_pictures_past_the_limit_are_left_unread_with_a_warning():
    record = extract_document(page(text_tables_but(4)), filename="page.html", source=PAGE, pictures=GIVEN,
                              limits=ContentLimits(ocr_pages=1))
    messages = [w["message"] for w in record["warnings"]]
    assert ("the page prints 2 pictures; the last 1 not read by OCR: over the limit ContentLimits.ocr_pages = 1"
            in messages)
    assert all(record["figures"][key] is None for key in REPORT.figures if key.startswith("appeals."))


def test_pictures_are_found_through_base_and_percent_encoding():
    """``<base href>`` decides where a relative src points; a crawler's URL is percent-encoded."""
    given = {"http://cdn.example.gov.cn/pic/%E8%A1%A84.png": TABLES[3][:400]}
    record = extract_document(page({4: ["表4.png"]}, logo=None, base="http://cdn.example.gov.cn/pic/"),
                              filename="page.html", source=PAGE, pictures=given)
    assert record["pictures"] == list(given)


def test_a_saved_page_reads_pictures_from_its_own_folder_only(tmp_path):
    """Browser "Save page as": page.html and page_files/. A picture outside the folder, by ../, an
    absolute path or a symbolic link out, is not read, and the record says so."""
    folder = tmp_path / "saved"
    (folder / "page_files").mkdir(parents=True)
    (folder / "page_files" / "logo.png").write_bytes(LOGO)
    (tmp_path / "secret.png").write_bytes(LOGO)
    os.symlink(tmp_path / "secret.png", folder / "page_files" / "link.png")
    srcs = {2: ["page_files/link.png"], 3: ["../secret.png"], 4: [str(tmp_path / "secret.png")]}
    (folder / "page.html").write_bytes(page(srcs, logo="page_files/logo.png"))
    code, out, err = run_nianbao("extract", "--json", folder / "page.html")  # in the command's worker
    record = json.loads(out)
    assert record["pictures"] == ["page_files/logo.png"]
    refused = [w["message"] for w in record["warnings"] if "not a file under the saved page's folder" in w["message"]]
    assert len(refused) == 3 and not record["errors"]
    assert set(record["null_reasons"].values()) == {"table printed as an image"}
    assert code == 0, err  # read as a report, its tables null with the reason


def test_the_build_reads_a_page_with_the_pictures_it_prints_and_the_others_alone(tmp_path):
    """The page prints a logo (read with it) and links a photo (an attachment read alone, as
    before); its tables are HTML tables. A second build adds nothing."""
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    crawl_dir.mkdir()
    body = render.render_html_body(REPORT).replace("<p", '<p><img src="files/logo.png" width="120"></p><p', 1)
    item = report(crawl_dir, "河南省发展和改革委员会", REPORT.title, 2023, "art_pictures",
                  archive_page(REPORT.title, body, ("photo.jpg",)),
                  [("logo.png", "image/png", LOGO), ("photo.jpg", "application/octet-stream", noise())])
    write_jsonl(crawl_dir / "reports.jsonl", [item])
    first = build(crawl_dir, db_path)
    db = sqlite_utils.Database(db_path)
    (row,) = db["reports"].rows
    assert row["figures_read"] == len(REPORT.figures) and row["ocr"] == 0  # no picture held text
    page_sha = item["documents"][0]["sha256"]
    documents = {d["url"].rsplit("/", 1)[1]: d for d in db["documents"].rows}
    assert documents["logo.png"]["read_in"] == page_sha and documents["logo.png"]["extract_warnings"] == 0
    assert documents["photo.jpg"]["read_in"] is None and documents["photo.jpg"]["media_type"] == "image"
    assert documents["photo.jpg"]["extract_warnings"] == 1  # read alone: a picture with no text
    assert first["document_errors"] == 0 and first["documents_added"] == 3
    second = build(crawl_dir, db_path)
    assert (second["reports_added"], second["documents_added"]) == (0, 0) and db["documents"].count == 3


def test_a_row_cut_across_two_pictures_is_joined_as_across_pdf_pages(monkeypatch):
    """The layout of each picture stands in for its OCR (``scan.picture_lines``): a row whose label
    goes on at the top of the next picture is one row, as across two PDF pages; with a line of the
    page between the pictures it is not joined."""
    columns = [0.0, 100.0, 150.0, 200.0]
    readings = {
        b"top": [([Cell("表格")], None), ([Cell("1.本机关不掌握"), Cell("3"), Cell("4")], columns),
                 ([Cell("（一"), Cell(""), Cell("")], columns)],
        b"bottom": [([Cell("）予以公开"), Cell("5"), Cell("6")], columns), ([Cell("总计"), Cell("8"), Cell("10")], columns)],
    }
    monkeypatch.setattr(scan, "picture_lines", lambda data, limits: (readings[data], None, None))
    source = {"a": ("a", b"top"), "b": ("b", b"bottom")}.get
    page_rows = [[Cell("三、收到和处理")], [Cell("四、复议")]]

    def texts(placed):
        reading = scan.read_pictures(page_rows, placed, source, ContentLimits())
        return [[cell.text for cell in row] for row in reading.rows]
    assert texts([(1, "a"), (1, "b")]) == [["三、收到和处理"], ["表格"], ["1.本机关不掌握", "3", "4"],
                                           ["（一）予以公开", "5", "6"], ["总计", "8", "10"], ["四、复议"]]
    assert texts([(1, "a"), (2, "b")]) == [["三、收到和处理"], ["表格"], ["1.本机关不掌握", "3", "4"], ["（一", "", ""],
                                           ["四、复议"], ["）予以公开", "5", "6"], ["总计", "8", "10"]]
