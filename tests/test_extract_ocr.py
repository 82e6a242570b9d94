"""OCR of scanned reports (docs/ocr.md): pages of real and demo PDFs rendered as pictures, spoilt
as scanners spoil them, read back cell by cell against their own text layer. A few pages per
variant here (OCR is some seconds a page); the whole set in bench/ocr_bench.py."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import lxml.html
import numpy as np
import pytest
import sqlite_utils
from PIL import Image

from archive.build import build
from archive_crawl import FIXTURES, datasette, page, report, write_jsonl
from demo_portal import render
from demo_portal.figures import make_report
from extract import extract_document
from ocr_support import (HONGZE, SEAL_CENTRE, assert_read_well, cut_table_3, image_only_pdf, noise, page_images,
                         pages_of, partly_scanned, png, scanned_pdf, score, scribble_over, stamp_seal, table_3,
                         with_hidden_text)

ROOT = Path(__file__).resolve().parent.parent
TABLE_PAGE = [3]  # most of table 3: 98 figures (ocr_support.table_3 cuts them out of it)
TITLE_PAGE = [1]  # the title, the overview, the heads of the sections
DEMO_PAGES = [3]  # table 2 of a demo report and table 3's first rows, in the demo's own font


def truth_of(pdf: bytes, pages: list[int]) -> dict:
    return extract_document(pages_of(pdf, pages), filename="truth.pdf", ocr=False)


# Table 3 cut from its page (half the page: half the time), as a scanner's image-only PDF. Binary
# is the title test's and the look-alike's; grey the command's; JPEG noise the picture test's.
@pytest.mark.parametrize("variant, dpi", [("rotated+1", 200), ("blurred", 200)])
def test_a_scanned_real_table_reads_exact_or_null_never_wrong(variant, dpi):
    truth = truth_of(HONGZE, TABLE_PAGE)
    read = extract_document(image_only_pdf(table_3(variant, dpi), dpi), filename="scan.pdf")
    found = assert_read_well(truth, read)
    assert len(found["exact"]) >= 95  # of the page's 98
    assert read["ocr"]["pages"] == [1] and any(w["stage"] == "ocr" for w in read["warnings"])
    for key in found["null"]:
        assert read["null_reasons"][key]


def test_a_header_read_with_a_look_alike_still_opens_its_table():
    """The city report binarised at 200 dpi: 自然人 reads 白然人 with full confidence, and table 3's
    header was not known, so its 175 figures were null ("row not found"). Folded as 申→中 is,
    the header opens the table."""
    city = (FIXTURES / "huaian-city-gov-2024.pdf").read_bytes()
    truth = truth_of(city, [4])
    read = extract_document(scanned_pdf(city, 200, "binary", [4]), filename="scan.pdf")
    assert "白然人" in read["text"]  # the look-alike this is about is still what OCR reads
    found = assert_read_well(truth, read)
    table3 = [key for key in truth["figures"] if key.startswith("requests.") and truth["figures"][key] is not None]
    assert len(table3) > 50 and sum(key in found["exact"] for key in table3) >= 0.97 * len(table3)


def test_a_soft_scan_of_a_thin_type_reads_its_lone_zeros():
    """The city report's table page blurred (σ 1 pixel at 150 dpi): its thin type's darkest is
    grey (138 of 255), a lone "0" had 10 pixels an ink test counts (a speck's count), and 83 of
    the report's zeros were null as blank cells; the print is stretched to black first. Held
    to none wrong and no blank cell; 88 of the page's 91 figures are exact (a few glyphs the
    blur leaves for the detector to find in pieces are null, read unsurely), under the 97 % bar
    (the whole report: docs/ocr.md, "Figures")."""
    city = (FIXTURES / "huaian-city-gov-2024.pdf").read_bytes()
    read = extract_document(scanned_pdf(city, 150, "blurred", [4]), filename="scan.pdf")
    found = score(truth_of(city, [4]), read)
    assert not found["wrong"] and len(found["exact"]) >= 85 and len(found["exact"]) + len(found["null"]) == 91
    assert not [key for key in found["null"] if read["null_reasons"][key] == "blank cell"]


def test_a_scanned_report_reads_its_title_year_and_sections():
    """Binarised, as a copier scans: the title, the year and the sections come from recognised
    text, as from a text layer (its tables binarised: the look-alike test's)."""
    truth = truth_of(HONGZE, TITLE_PAGE)
    read = extract_document(scanned_pdf(HONGZE, 150, "binary", TITLE_PAGE), filename="scan.pdf")
    assert (read["title"], read["year"]) == (truth["title"], 2023) and truth["title"]
    assert set(read["sections"]) == set(truth["sections"]) and read["sections"]["overview"]
    assert "主动公开" in read["text"] and not any(read["figures"].values())  # the page prints none
    assert read["ocr"]["pages"] == [1] and not read["errors"]


def test_a_scanned_demo_report_reads_exact_or_null_never_wrong():
    demo = render.render_pdf(make_report("罗山县人民政府", "县", "county", 2022, "2021", seed="ocr"))
    read = extract_document(scanned_pdf(demo, 150, "grey", DEMO_PAGES), filename="scan.pdf")
    assert len(assert_read_well(truth_of(demo, DEMO_PAGES), read)["exact"]) >= 24  # all the page's figures


def test_a_coarse_scan_leaves_figures_null_never_wrong():
    """Binarised at 100 dpi, under the 150 dpi OCR reads figures well at: many figures are not
    read surely and are null with the reason, none is wrong, and the record says why."""
    read = extract_document(image_only_pdf(table_3("binary", 100), 100), filename="coarse.pdf")
    found = score(truth_of(HONGZE, TABLE_PAGE), read)
    assert not found["wrong"], [(k, read["cells"].get(k)) for k in found["wrong"]]
    assert len(found["exact"]) >= 50 and len(found["null"]) >= 20  # measured: 63 and 35
    assert all("OCR" in read["null_reasons"][k] or "row not found" in read["null_reasons"][k] for k in found["null"])
    assert "page(s) 1 scanned at 100 dpi, under the 150 dpi OCR reads figures well at" in read["ocr"]["summary"]


@pytest.mark.parametrize("engine", ["pdfium", "pdfminer"])
def test_a_scanned_page_knows_its_scan_resolution(engine):
    """The scan's own resolution (its picture's pixels over the area drawn), whatever the page is
    rendered at for OCR; turned by the scanner or not; none for a page of text."""
    from extract.pdfpages import pages
    two = TITLE_PAGE + TABLE_PAGE
    for dpi, variant in ((100, "grey"), (150, "rotated+1")):
        assert [page.scan_dpi() for page in pages(scanned_pdf(HONGZE, dpi, variant, two), engine)] == [dpi] * 2
    assert [page.scan_dpi() for page in pages(pages_of(HONGZE, two), engine)] == [None, None]


def test_a_red_seal_over_the_table_costs_no_figure():
    """A signed scan: the office's red seal stamped over table 3's last rows (ring, star, name;
    colour, saved as a JPEG in the PDF as scanners do). Its red ink is dropped before reading:
    the figures under it read as without it, exact or null, none wrong (read grey, the seal cost
    29 of the page's 98 cells: five rows not found)."""
    read = extract_document(image_only_pdf(table_3("sealed")), filename="signed.pdf")
    assert len(assert_read_well(truth_of(HONGZE, TABLE_PAGE), read)["exact"]) >= 95
    assert not read["errors"]


def test_red_ink_turns_to_paper_and_black_ink_stays_black():
    """The grey a page is read from: a black-on-white picture exactly as before; under a seal,
    paper where only red ink lies, black where black print lies beneath it."""
    from extract.ocr import decode_image
    (image,) = page_images(HONGZE, 150, "grey", TABLE_PAGE)
    plain, sealed = decode_image(png(image)), decode_image(png(stamp_seal(image, SEAL_CENTRE, 150)))
    assert (plain == np.asarray(image)).all()
    seal = np.asarray(stamp_seal(Image.new("L", image.size, 255), SEAL_CENTRE, 150).convert("L"))
    ink = seal < 200  # the seal's solid ink (its soft edge is pink: paler, kept a pale grey)
    assert ink.sum() > 5000
    assert (sealed[ink & (plain == 255)] == 255).all()  # red ink on paper: paper
    assert (ink & (plain < 64)).sum() > 300 and (sealed[ink & (plain < 64)] < 96).all()  # black print under it: black
    assert (sealed[seal == 255] == plain[seal == 255]).all()  # the rest of the page untouched


def test_a_scan_on_grey_paper_reads_its_lone_zeros():
    """Printed and scanned (``on_paper``): grey paper lit unevenly, the back page showing
    through, print not quite black, JPEG grain. Read against grey paper as if it were white, a
    cell's lone "0" grew into the whole cell and three figures were null as blank cells; the
    page is made black on white first (``_black_on_white``)."""
    read = extract_document(image_only_pdf(table_3("paper")), filename="scan.pdf")
    found = assert_read_well(truth_of(HONGZE, TABLE_PAGE), read)
    assert len(found["exact"]) >= 96
    assert not [key for key in found["null"] if read["null_reasons"][key] == "blank cell"]


def test_grey_paper_turns_white_and_a_white_page_stays_as_it_is():
    from extract.ocr import _black_on_white
    (clean,) = page_images(HONGZE, 150, "grey", TABLE_PAGE)
    (paper,) = page_images(HONGZE, 150, "paper", TABLE_PAGE)
    clean, paper = np.asarray(clean), np.asarray(paper)
    assert _black_on_white(clean) is clean  # a rendered page: untouched
    flat = _black_on_white(paper)
    print_, blank = clean < 64, clean == 255
    assert np.median(paper[blank]) < 215  # the scan's paper is grey ...
    assert np.percentile(flat[blank], 5) >= 240  # ... and comes out white, the back page's print too
    # the print stays ink (darker than 128: _ink_box's dark ink), as far from the paper as it was
    assert np.median(flat[print_]) < 128
    assert np.median(flat[blank]) - np.median(flat[print_]) >= np.median(paper[blank]) - np.median(paper[print_])


def test_a_sign_read_before_a_figure_leaves_it_unread():
    """A sign read touching a figure makes it unread, sign and all, never "-103": on a counted
    figure it is a speck or a rule's stub, and 本年增/减's "-2" is not its digits, so none are kept
    for the identities to confirm (extract/settle.py). A dash between digits (a phone number) or
    one standing alone (a blank cell's) is kept as read."""
    from PIL import ImageDraw, ImageFont
    from extract.numbers import UNREAD
    from extract.ocr import read_page
    image = Image.new("L", (700, 160), 255)
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(str(render.font_path()), 28)
    for (x, y), text in [((20, 20), "-103"), ((250, 20), "21   0   -5"), ((20, 100), "电话：0517-87212345"),
                         ((500, 100), "12   -   4")]:
        draw.text((x, y), text, font=font, fill=0)
    chars = [(c.text, c.guess) for c in read_page(np.asarray(image), 150).page.chars]
    assert chars[:5] == [(UNREAD, ""), ("2", ""), ("1", ""), ("0", ""), (UNREAD, "")]  # no guess: 本年增/减 is signed
    assert "".join(text for text, _guess in chars[5:]) == "电话：0517-8721234512-4"


def test_a_dash_before_a_figure_not_read_is_seen_in_its_ink():
    """本年增/减 prints "-2"; scanned at 150 dpi its minus (a 1-pixel stroke, now 124–191 grey)
    lay in the box of a line read "2", surely: a wrong number. A dash before a line's figures
    makes its first figure unread; a dash in the cell across a rule, or none, does not. A figure
    between two dashes is a page number, kept as read."""
    from extract.ocr import _dash_before, _Line
    line = np.full((36, 120), 255, np.uint8)
    line[8:30, 80:83] = line[8:11, 80:92] = line[27:30, 80:92] = line[8:30, 89:92] = 30  # a "0"
    box = [[76, 0], [96, 0], [96, 36], [76, 36]]  # the detector's box of the "0"
    assert not _dash_before(line, box)
    with_dash = line.copy()
    with_dash[16:19, 70:76] = 190
    with_dash[17, 71:75] = 130  # a pale minus just before it, outside the box (as a scan at 150 dpi)
    assert _dash_before(with_dash, box)
    beyond_a_rule = with_dash.copy()
    beyond_a_rule[:, 77] = 0  # the cell's rule between the dash and the figure
    assert not _dash_before(beyond_a_rule, box)
    fringe = line.copy()
    fringe[16:19, 70:76] = 180  # paler: what a seal's red leaves round its strokes, no dash
    assert not _dash_before(fringe, box)
    page_number = _Line([[0, 0], [60, 0], [60, 30], [0, 30]], "-2-", 0.99,
                        char_boxes=[[[0, 0], [20, 0], [20, 30], [0, 30]], [[20, 0], [40, 0], [40, 30], [20, 30]],
                                    [[40, 0], [60, 0], [60, 30], [40, 30]]])
    assert page_number.settle() == 0 and page_number.texts == ["-", "2", "-"]


def test_a_few_marks_read_unsurely_are_dropped():
    """A line of a few marks, no ideograph or digit in it, read unsurely, is a speck or a scrawl:
    dropped. A figure scribbled over read "M" at 0.65 (kept as text, it was a label in a value
    cell and its row lost a cell; its cell's ink is read as a missed cell's, "ink not recognised":
    ``test_a_picture_of_a_table_is_read_as_a_document``). Read surely, or with an ideograph or a
    digit in it, a line is text and kept as read."""
    from extract.ocr import _Line
    box = [[0, 0], [30, 0], [30, 28], [0, 28]]
    for text, score, settled in [("M", 0.65, []), ("*/", 0.5, []), ("PDF", 0.98, list("PDF")),
                                 ("其他", 0.7, list("其他")), ("M2", 0.6, list("M2"))]:
        line = _Line(box, text, score)
        assert line.settle() == 0 and line.texts == settled, text


def test_a_figures_box_takes_its_own_pale_strokes_not_a_rules_soft_edge():
    """A lone "0" in a cell whose rule's soft edge lies inside the cell's inset (a scan turned and
    straightened again): the pale edge is not part of the figure, so the figure's box keeps off
    the cell's edge (reaching it, it was taken for a rule's remnant and called a blank cell); a
    pale stroke joined to the figure's dark ink is part of it (a blurred "4" is no "1")."""
    from extract.ocr import _whole_glyph
    cell = np.full((41, 70), 255, np.uint8)
    cell[8:36, 12:15] = cell[8:36, 26:29] = 40  # the "0"'s two sides ...
    cell[7:10, 14:27] = cell[34:37, 14:27] = 40  # ... and its top and bottom
    cell[40, 20:70] = 200  # the rule's soft edge along the cell's last row, right half
    x, y, w, h = _whole_glyph(cell, (12, 7, 17, 30))
    assert (x, y, x + w, y + h) == (12, 7, 29, 37)
    cell[37:40, 27] = 200  # a pale stroke from the figure down to the soft edge: all one ink
    _x, y, _w, h = _whole_glyph(cell, (12, 7, 17, 30))
    assert y + h == 41


def test_all_null_is_not_reading_well():
    """The bar the tests above hold OCR to fails a reading that found nothing."""
    truth = truth_of(HONGZE, TABLE_PAGE)
    nothing = {**truth, "figures": dict.fromkeys(truth["figures"]),
               "null_reasons": dict.fromkeys(truth["figures"], "not read")}
    assert not score(truth, nothing)["exact"] and len(score(truth, nothing)["null"]) > 90
    with pytest.raises(AssertionError, match="exact"):
        assert_read_well(truth, nothing)


def test_a_picture_of_a_table_is_read_as_a_document():
    """A table printed as a picture (a PNG attachment, an <img> in a report's page), once saved as
    a JPEG of quality 30: its noise is in the picture. One figure is scribbled over: ink that no
    reading makes out is null as not recognised, never as a blank cell."""
    truth = truth_of(HONGZE, TABLE_PAGE)
    (image,) = page_images(HONGZE, 150, "jpeg", TABLE_PAGE)
    image = cut_table_3(scribble_over(image, pages_of(HONGZE, TABLE_PAGE), 1, "21", 150))  # 本年新收's first: 自然人
    read = extract_document(png(image), filename="table.png", media_type="image/png")
    assert read["media_type"] == "image" and not read["errors"]
    assert_read_well(truth, read)
    assert read["figures"]["requests.new_received.natural_person"] is None
    assert "ink not recognised by OCR" in read["null_reasons"]["requests.new_received.natural_person"]
    assert read["figures"]["requests.new_received.total"] == 21  # the other 21 of the row
    assert set(read["ocr"]["cells"]) == {k for k, v in read["cells"].items() if v}  # a picture: every cell OCR's
    # a figure stands only at the confidence floor or over it, or confirmed by the identities
    confirmed = read["ocr"].get("confirmed", {})
    assert all(0.9 <= c <= 1 for k, c in read["ocr"]["cells"].items()
               if read["figures"].get(k) is not None and k not in confirmed)


def test_ocr_lookalike_ideographs_fold_no_two_standard_labels_together():
    """Folding 申/中, 大/人, 掌/学, 相/和 lets a scanned label match; it must not make one standard
    label look like another, or figures would go to the wrong row."""
    from difflib import SequenceMatcher
    from extract import tables
    from extract.labels import core, fold_lookalikes
    for version in ("2019", "2021"):
        for number, targets in tables._targets(version).items():
            cores = [(c, t.key) for t in targets for c in t.cores]
            for a, key_a in cores:
                for b, key_b in cores:
                    if key_a != key_b and len(b) >= 4:
                        similar = SequenceMatcher(None, fold_lookalikes(a[-len(b):]), fold_lookalikes(b)).ratio()
                        assert similar < tables._FUZZY, (version, number, a, b)
                        assert not tables._match_score(a, (b,)), (version, number, a, b)  # one wrong, too
    assert tables._match_score(core("2.重复中请"), (core("2.重复申请"),)) > 0  # read so from a binarised scan
    assert tables._match_score(core("1.属于国家秘宝"), (core("1.属于国家秘密"),)) > 0  # a soft scan
    assert not tables._match_score(core("1.属于国家机要"), (core("1.属于国家秘密"),))  # two wrong in six


def test_a_photo_or_a_logo_gives_no_figures_and_no_error_storm():
    for data in (noise(), png_icon()):
        record = extract_document(data, filename="logo.jpg")
        assert not record["errors"], record["errors"]
        assert not any(v is not None for v in record["figures"].values())
        assert len(record["warnings"]) <= 1


def test_a_tiff_of_several_pages_is_read_page_by_page():
    """A scanned report saved as one TIFF of several pages (as scanner and fax software write):
    every page read, as a scanned PDF's are: the title page's title and year, the table page's
    figures. (OpenCV decodes a TIFF's first page only.)"""
    (title,) = page_images(HONGZE, 150, "grey", TITLE_PAGE)
    read = extract_document(tiff([title, table_3("grey")]), filename="scan.tif", media_type="image/tiff")
    assert read["ocr"]["pages"] == [1, 2] and not read["errors"]
    assert read["year"] == 2023 and "洪泽区" in read["title"]
    assert len(assert_read_well(truth_of(HONGZE, TABLE_PAGE), read)["exact"]) >= 95


def test_a_tiff_with_more_pages_than_ocr_may_read_says_so():
    from extract.limits import ContentLimits
    icons = [Image.new("L", (16, 16), 200) for _ in range(3)]
    read = extract_document(tiff(icons), filename="scan.tif", media_type="image/tiff", limits=ContentLimits(ocr_pages=2))
    assert [w["message"] for w in read["warnings"]] == [
        "page 1: a 16×16 picture: too small to hold text; not read", "page 2: a 16×16 picture: too small to hold text; not read",
        "the picture has 3 pages; the last 1 not read by OCR: over the limit ContentLimits.ocr_pages = 2"]


def tiff(pages: list) -> bytes:
    import io
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    return out.getvalue()


def png_icon() -> bytes:
    from PIL import Image
    return png(Image.new("L", (16, 16), 128))


HIDDEN = ["三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量 9 9 9 9 9 9 99"]  # misread


def test_a_scan_with_another_programs_ocr_under_it_is_read_by_ours():
    """A "searchable" scan: the picture, and under it another program's OCR as invisible text,
    here with its figures misread. That text is no text layer: the page is read by OCR as any
    scan, its figures checked; with --no-ocr, or past the pages OCR may read, the hidden text is
    all there is, read with a warning that its figures are another program's."""
    from extract.limits import ContentLimits
    truth = truth_of(HONGZE, TABLE_PAGE)
    pdf = with_hidden_text(table_3("grey"), 150, HIDDEN)
    read = extract_document(pdf, filename="searchable.pdf")
    assert read["ocr"]["pages"] == [1] and len(assert_read_well(truth, read)["exact"]) >= 95
    assert {"stage": "pdf", "message": "page(s) 1: a scan with another program's OCR laid under it as invisible "
                                       "text; read by OCR from the page as drawn"} in read["warnings"]
    fast = extract_document(pdf, filename="searchable.pdf", ocr=False)
    assert fast["ocr"] is None and "本年新收政府信息公开申请数量" in fast["text"] and not fast["errors"]
    assert any("figures another program recognised, not checked" in w["message"] for w in fast["warnings"])
    past = extract_document(pdf, filename="searchable.pdf", limits=ContentLimits(ocr_pages=0))
    assert past["ocr"] is None and "本年新收政府信息公开申请数量" in past["text"] and not past["errors"]
    assert any("figures another program recognised, not checked" in w["message"] for w in past["warnings"])


def test_no_ocr_keeps_the_error_of_a_scan():
    scan = scanned_pdf(HONGZE, 150, "grey", TABLE_PAGE)
    record = extract_document(scan, filename="scan.pdf", ocr=False)
    assert record["ocr"] is None
    assert "no readable text layer" in record["errors"][0]["message"]
    assert "not read by OCR (--no-ocr)" in record["errors"][0]["message"]
    picture = extract_document(noise(), filename="photo.jpg", ocr=False)
    assert picture["errors"][0]["stage"] == "detect" and "OCR" in picture["errors"][0]["message"]


def test_a_scan_longer_than_ocr_may_read_keeps_its_first_pages_and_says_so():
    """Past ``ContentLimits.ocr_pages`` a scan's pages are left unread, with a warning, so that a
    long scanned report keeps its first pages' reading within the worker's CPU time, instead of
    losing all of it to the CPU limit. (A title page and a short last page at 100 dpi: cheap.)"""
    from extract.limits import ContentLimits
    record = extract_document(scanned_pdf(HONGZE, 100, "grey", [1, 5]), filename="long-scan.pdf",
                              limits=ContentLimits(ocr_pages=1))
    assert record["ocr"]["pages"] == [1] and not record["errors"]
    message = ("page(s) 2 not read by OCR, 1 pages having been read by it: over the limit "
               "ContentLimits.ocr_pages = 1")
    assert {"stage": "ocr", "message": message} in record["warnings"]
    assert record["year"] == 2023 and "洪泽区" in record["title"]  # the first page's reading stands


def test_nianbao_extract_reads_a_scanned_pdf_in_its_worker(tmp_path):
    """Through the command and its worker process, under the worker's memory limit."""
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_only_pdf(table_3("grey", 200), 200))
    run = subprocess.run([sys.executable, "-m", "nianbao", "extract", "--json", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)
    assert record["ocr"]["pages"] == [1] and not record["errors"]
    assert_read_well(truth_of(HONGZE, TABLE_PAGE), record)
    off = subprocess.run([sys.executable, "-m", "nianbao", "extract", "--json", "--no-ocr", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert off.returncode != 0 and "not read by OCR" in off.stdout


def test_the_build_marks_a_scanned_report_and_its_figures_as_ocr(tmp_path):
    """Pages 1-2 with their text layer (table 2), then table 3 of page 3 scanned: the report is marked,
    and of its figures only table 3's, each with its confidence."""
    crawl_dir, db_path = tmp_path / "crawl", tmp_path / "nianbao.db"
    crawl_dir.mkdir()
    title = "洪泽区人民政府2023年政府信息公开工作年度报告"
    item = report(crawl_dir, "淮安市洪泽区人民政府", title, 2023, "art_scan", page(title, links=("scan.pdf",)),
                  [("scan.pdf", "application/pdf", partly_scanned(HONGZE, [1, 2], image_only_pdf(table_3())))])
    write_jsonl(crawl_dir / "reports.jsonl", [item])
    summary = build(crawl_dir, db_path)
    assert summary["document_errors"] == 0, summary
    db = sqlite_utils.Database(db_path)
    (row,) = db["reports"].rows
    assert row["ocr"] == 1 and row["figures_read"] >= 100
    marked = {f["key"]: f for f in db["figures"].rows if f["ocr"]}
    assert all(0.9 <= f["ocr_confidence"] <= 1 for f in marked.values()
               if f["value"] is not None and not f["ocr_confirmed_by"])
    read = list(db["figures"].rows_where("value is not null"))
    assert all(f["key"] in marked for f in read if f["table_number"] == 3)  # page 3's table
    text_layer = [f for f in read if f["key"] not in marked]  # table 2's first rows, on page 2
    assert len(text_layer) >= 5 and all(f["ocr_confidence"] is None and f["table_number"] == 2 for f in text_layer)
    assert db.execute("select count(*) from figures where value is null and null_reason is null").fetchone()[0] == 0
    # The report page tells recognised numbers from read ones (issue 14): every figure cell marked.
    with datasette(db_path) as base:
        with urllib.request.urlopen(f"{base}/{db_path.stem}/reports/{row['id']}", timeout=30) as response:
            html = lxml.html.fromstring(response.read())
    cells = {cell.get("data-key"): cell for cell in html.xpath("//table[contains(@class, 'national')]//td[@data-key]")}
    assert all(("ocr" in cell.get("class").split()) == (key in marked) for key, cell in cells.items())
    assert "recognised by OCR" in cells["requests.new_received.natural_person"].get("title")
    assert "OCR" in html.xpath("string(//p[@class='ocr-note'])")
