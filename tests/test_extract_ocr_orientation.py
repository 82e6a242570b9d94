"""Scans stored the wrong way up or askew (issue 12; docs/ocr.md, "Which way up"): a landscape
table scanned lying on its side (turned 90° or 270°, with no /Rotate to say so), a page fed
upside down, a page photographed 4° askew. Table 3 of a real report, cut from its page as
rendered at 150 dpi, is read back against the same page's text layer: every figure exact or
null with a reason, none wrong, and the record says how the page was turned."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from extract import extract_document
from extract.ocr import OcrPage, _quarter_turns, _upright, decode_image, describe
from extract.pdfpages import Page
from ocr_support import HONGZE, assert_read_well, image_only_pdf, noise, page_images, pages_of, png, table_3

TABLE_PAGE = [3]  # table 3 down to 无法提供: 98 figures, all of them requests.*


def turned(image: Image.Image, degrees: float) -> Image.Image:
    """The picture turned counterclockwise as a scanner or a phone stores it, the corners white."""
    return image.convert("L").rotate(degrees, resample=Image.BILINEAR, expand=True, fillcolor=255)


@pytest.fixture(scope="module")
def truth() -> dict:
    return extract_document(pages_of(HONGZE, TABLE_PAGE), filename="truth.pdf", ocr=False)


@pytest.mark.parametrize("degrees, expected", [
    (90, -90),  # a landscape table stored lying on its left side
    (180, 180),  # fed upside down
    (-4, 4),  # photographed askew
])
def test_a_turned_or_askew_picture_of_a_table_reads_exact_or_null_never_wrong(truth, degrees, expected):
    read = extract_document(png(turned(table_3(), degrees)), filename="table.png", media_type="image/png")
    assert not read["errors"], read["errors"]
    found = assert_read_well(truth, read)
    assert len(found["exact"]) >= 95  # of the 98
    ((picture, by),) = read["ocr"]["turned"]
    assert picture == 1 and by == pytest.approx(expected, abs=0.3)
    assert f"1 turned {by:g}°" in read["ocr"]["summary"]


def test_a_scanned_pdf_page_lying_on_its_side_is_read_upright(truth):
    """The scanner's PDF of a landscape table lying on its right side (270°), read through the
    PDF reader's OCR of a page without a text layer (rendered again at 200 dpi)."""
    read = extract_document(image_only_pdf(turned(table_3(), 270)), filename="scan.pdf")
    assert read["ocr"]["pages"] == [1] and not read["errors"]
    assert_read_well(truth, read)
    ((page, by),) = read["ocr"]["turned"]
    assert page == 1 and by == pytest.approx(90, abs=0.3)


@pytest.mark.parametrize("variant", ["grey", "binary", "jpeg"])
def test_an_upright_page_is_read_as_before(variant):
    """Upright and level pages (most pages) keep their way up and are turned only the 0.2° or 0.3°
    that level pages always were: prose, a table, and the table alone. The record lists no turn."""
    pages = page_images(HONGZE, 150, variant, [1, 3])
    for image in (*pages, table_3(variant)):
        gray = np.asarray(image.convert("L"))
        assert _quarter_turns(gray) == 0
        out, degrees = _upright(gray)
        assert -0.3 <= degrees <= 0 and out.shape == gray.shape
        assert describe([(1, OcrPage(Page([], [], []), turned=degrees))])["turned"] == []


def test_a_picture_with_no_text_is_left_its_way_up():
    assert _quarter_turns(decode_image(noise())) == 0

