"""Picture documents (a scanned page, a table printed as a picture): read by OCR and laid out
as a PDF page is, so the one table reader, metadata reader and checks serve them too.

A report page whose tables are pictures (``<img>`` in its article) is read with them: each
picture the page is given is read here and its rows go into the page's rows where the picture
sits (:func:`read_pictures`), a table cut across two pictures joined as the PDF reader joins a
table across pages."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

from .grid import Parsed, ReadError, Row, rows_text
from .layout import Lines, add_page, page_rows
from .limits import ContentLimits, over
from .ocr import OcrPage, describe, decode_image, read_page

_MIN_SIDE = 32  # pixels: a smaller picture is an icon or a spacer and holds no text to read
NO_TEXT = "a picture with no text found by OCR (a logo, a photo?)"

# A page's picture by its URL: (the name the caller knows it by, its bytes), or None when not
# given; ``ReadError`` when it may not be read (a saved page's picture outside its folder).
PictureSource = Callable[[str], "tuple[str, bytes] | None"]


def read_picture(data: bytes, limits: ContentLimits) -> Parsed:
    """Rows and text of one picture. A picture too large to decode within the worker's memory is
    refused before decoding (``limits.picture_pixels``); a picture with no text (a logo, a photo)
    gives an empty reading and one warning, not an error. A picture of several pages (a TIFF as
    scanner and fax software write one) is read page by page as a scanned PDF is, a table going
    on across pages joined, up to ``limits.ocr_pages`` pages."""
    count = _header(data)[2]
    rows: list[Row] = []
    scanned: list[tuple[int, OcrPage]] = []
    notes: list[str] = []
    joinable = None
    for n in range(min(count, limits.ocr_pages)):
        lines, page, note = picture_lines(data, limits, n)
        if page is not None:
            scanned.append((n + 1, page))
        if note:
            notes.append(note if count == 1 else f"page {n + 1}: {note}")
        joinable = add_page(rows, joinable, lines)
    parsed = Parsed(rows=rows, text=rows_text(rows))
    if scanned:
        parsed.ocr = describe(scanned)
    if rows:
        parsed.warnings.append({"stage": "ocr", "message": parsed.ocr["summary"]})
    parsed.warnings.extend({"stage": "ocr", "message": note} for note in notes)
    if count > limits.ocr_pages:
        parsed.warnings.append({"stage": "ocr", "message": over(limits, "ocr_pages", f"the picture has {count} "
                                f"pages; the last {count - limits.ocr_pages} not read by OCR")})
    return parsed


def picture_lines(data: bytes, limits: ContentLimits, frame: int = 0) -> tuple[Lines, OcrPage | None, str | None]:
    """(the picture's lines, of its page ``frame``, as the PDF layout gives them, with their
    columns; the OCR reading, None when not read; a note when there is nothing to read: an icon,
    no text found)."""
    (width, height), dpi, _pages = _header(data, frame)
    if width * height > limits.picture_pixels:
        raise ReadError("ocr", f"the picture is {width}×{height} pixels, over the limit of "
                               f"{limits.picture_pixels:,} pixels")
    if min(width, height) < _MIN_SIDE:
        return [], None, f"a {width}×{height} picture: too small to hold text; not read"
    gray = decode_image(data, frame)
    if gray is None:
        raise ReadError("ocr", "the picture could not be decoded (damaged or cut short)")
    page = read_page(gray, dpi)
    lines = page_rows(page.page.chars, page.page.hlines, page.page.vlines)
    return lines, page, None if lines else NO_TEXT


@dataclass
class PageReading:
    """A page's rows with its pictures' rows put in, and what the record says of the pictures."""

    rows: list[Row]
    given: list[str] = field(default_factory=list)  # the pictures the page prints that were given, in order
    not_given: list[int] = field(default_factory=list)  # indices (of ``placed``) of the pictures not given
    failed: list[int] = field(default_factory=list)  # and of those given but not read (damaged, over a limit)
    breaks: list[int] = field(default_factory=list)  # rows where a picture given was not read
    warnings: list[dict] = field(default_factory=list)
    ocr: dict | None = None


def read_pictures(rows: list[Row], placed: list[tuple[int, str]], source: PictureSource,
                  limits: ContentLimits) -> PageReading:
    """The page's ``rows`` with the rows of each picture of ``placed`` ((row index, URL), in page
    order) that ``source`` gives put where the picture sits. Pictures following each other with no
    text between are joined as pages of a PDF are (a table row cut across them is one row). A
    picture that cannot be read is a warning naming it, and the rest is read; past
    ``limits.ocr_pages`` the page's pictures are left unread, with one warning."""
    out = PageReading(rows=[])
    scanned: list[tuple[str, OcrPage]] = []
    joinable = None  # the last picture's last ruled row, while nothing has followed it
    done = 0
    for n, (index, url) in enumerate(placed):
        if index > done:
            out.rows.extend(rows[done:index])
            done, joinable = index, None
        try:
            given = source(url)
        except ReadError as e:
            out.warnings.append({"stage": e.stage, "message": f"picture {url}: {e.message}"})
            given = None
        if given is None:
            out.not_given.append(n)
            joinable = None
            continue
        name, data = given
        out.given.append(name)
        if len(out.given) > limits.ocr_pages:
            out.failed.append(n)
            out.breaks.append(len(out.rows))
            joinable = None
            continue
        try:
            lines, page, note = picture_lines(data, limits)
        except ReadError as e:
            out.warnings.append({"stage": e.stage, "message": f"picture {name} not read: {e.message}"})
            out.failed.append(n)
            out.breaks.append(len(out.rows))
            joinable = None
            continue
        if page is not None and lines:
            scanned.append((name, page))
        if note:
            out.warnings.append({"stage": "ocr", "message": f"picture {name}: {note}"})
        joinable = add_page(out.rows, joinable, lines)
    out.rows.extend(rows[done:])
    skipped = len(out.given) - limits.ocr_pages
    if skipped > 0:
        out.warnings.append({"stage": "ocr", "message": over(limits, "ocr_pages", f"the page prints "
                             f"{len(out.given)} pictures; the last {skipped} not read by OCR")})
    if scanned:
        out.ocr = describe(scanned, "pictures")
        out.warnings.append({"stage": "ocr", "message": out.ocr["summary"]})
    return out


def _header(data: bytes, frame: int = 0) -> tuple[tuple[int, int], float | None, int]:
    """Width and height of the picture's page ``frame`` from its header, without decoding its
    pixels; the resolution it states if a plausible one (many state 72 or 96 for any); and how
    many pages it has (a TIFF's; a GIF's frames are an animation, one picture)."""
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            pages = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
            image.seek(frame)
            size, dpi = image.size, image.info.get("dpi")
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as e:
        raise ReadError("ocr", f"the picture could not be read: {e}") from None
    value = float(dpi[0]) if dpi else 0.0
    return size, (value if 100 <= value <= 1200 else None), pages
