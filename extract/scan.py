"""Picture documents (a scanned page, a table printed as a picture): read by OCR and laid out
as a PDF page is, so the one table reader, metadata reader and checks serve them too."""
from __future__ import annotations

import io

from .grid import Parsed, ReadError, rows_text
from .limits import ContentLimits
from .ocr import describe, decode_image, read_page
from .pdf import _page_rows as page_rows  # the PDF reader's layout: one for both

_MIN_SIDE = 32  # pixels: a smaller picture is an icon or a spacer and holds no text to read


def read_picture(data: bytes, limits: ContentLimits) -> Parsed:
    """Rows and text of one picture. A picture too large to decode within the worker's memory is
    refused before decoding (``limits.picture_pixels``); a picture with no text (a logo, a photo)
    gives an empty reading and one warning, not an error."""
    (width, height), dpi = _header(data)
    if width * height > limits.picture_pixels:
        raise ReadError("ocr", f"the picture is {width}×{height} pixels, over the limit of "
                               f"{limits.picture_pixels:,} pixels")
    if min(width, height) < _MIN_SIDE:
        return Parsed(rows=[], text="", warnings=[{"stage": "ocr", "message": f"a {width}×{height} picture: "
                                                   "too small to hold text; not read"}])
    gray = decode_image(data)
    if gray is None:
        raise ReadError("ocr", "the picture could not be decoded (damaged or cut short)")
    page = read_page(gray, dpi)
    rows = [row for row, _columns in page_rows(page.page.chars, page.page.hlines, page.page.vlines)]
    parsed = Parsed(rows=rows, text=rows_text(rows))
    parsed.ocr = describe([(1, page)])
    parsed.warnings.append({"stage": "ocr", "message": parsed.ocr["summary"] if rows
                            else "a picture with no text found by OCR (a logo, a photo?)"})
    return parsed


def _header(data: bytes) -> tuple[tuple[int, int], float | None]:
    """Width and height from the picture's header, without decoding its pixels, and the
    resolution it states if a plausible one (many state 72 or 96 for any)."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            size, dpi = image.size, image.info.get("dpi")
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise ReadError("ocr", f"the picture could not be read: {e}") from None
    value = float(dpi[0]) if dpi else 0.0
    return size, (value if 100 <= value <= 1200 else None)
