"""Scans stored the wrong way up or askew (issue 12; docs/ocr.md, "Which way up"): a landscape
table scanned lying on its side (turned 90° or 270°, with no /Rotate to say so), a page fed
upside down, a page photographed 4° askew. Table 3 of a real report, cut from its page as
rendered at 150 dpi, is read back against the same page's text layer: every figure exact or
null with a reason, none wrong, and the record says how the page was turned."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from archive_crawl import FIXTURES
from extract import extract_document
from extract.ocr import _upright, decode_image
from ocr_support import assert_read_well, noise, page_images, pages_of, png

HONGZE = (FIXTURES / "huaian-hongze-district-gov-2023.pdf").read_bytes()
TABLE_PAGE = [3]  # table 3 down to 无法提供: 98 figures, all of them requests.*
TABLE_3 = (0.40, 0.935)  # the part of page 3 from table 3's heading to its last row, as shares of the height


def table_3(variant: str = "grey") -> Image.Image:
    """Table 3 as page 3 prints it (its heading and 98 figures), at 150 dpi: half the page, so
    half the reading's time."""
    (page,) = page_images(HONGZE, 150, variant, TABLE_PAGE)
    top, bottom = (round(share * page.height) for share in TABLE_3)
    return page.crop((0, top, page.width, bottom))


def turned(image: Image.Image, degrees: float) -> Image.Image:
    """The picture turned counterclockwise as a scanner or a phone stores it, the corners white."""
    return image.convert("L").rotate(degrees, resample=Image.BILINEAR, expand=True, fillcolor=255)


def image_only_pdf(image: Image.Image) -> bytes:
    """A scanner's PDF of the picture: one page, no text layer, no /Rotate."""
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150.0)
    return out.getvalue()


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
    assert read["ocr"]["turned"] == [[1, 90.0]]


@pytest.mark.parametrize("variant", ["grey", "binary", "jpeg"])
def test_an_upright_page_is_not_turned_at_all(variant):
    """Upright and level pages (most pages) are read as they are, not turned a tenth of a degree:
    prose, a table, and the table alone."""
    pages = page_images(HONGZE, 150, variant, [1, 3])
    for image in (*pages, table_3(variant)):
        gray = np.asarray(image.convert("L"))
        out, degrees = _upright(gray)
        assert degrees == 0.0 and out is gray


def test_a_picture_with_no_text_is_left_as_it_is():
    photo = decode_image(noise())
    out, degrees = _upright(photo)
    assert degrees == 0.0 and out is photo


def test_a_lone_letter_read_unsurely_is_ink_not_recognised():
    """A scribble over a figure that the detector finds reads as a letter ("M" at 0.53): it is
    the mark no reading made out, as when the detector misses it, not text in a figure cell.
    A letter read surely, an ideograph, a "0" read as "O", a lone stroke and the "x" that marks a
    cell empty keep their own rules."""
    from extract.numbers import UNRECOGNISED
    from extract.ocr import _Line, _unrecognised_marks
    box = [[0, 0], [20, 0], [20, 30], [0, 30]]
    lines = [_Line(box, text, score) for text, score in
             [("M", 0.53), ("M", 0.97), ("中", 0.5), ("O", 0.6), ("l", 0.6), ("x", 0.6), ("MM", 0.5)]]
    assert _unrecognised_marks(lines) == 1
    assert [line.text() for line in lines] == [UNRECOGNISED, "M", "中", "O", "l", "x", "MM"]
