"""PDF pages as positioned characters and ruling segments, from either of two engines.

``pdf.py`` lays the cells out from what this module yields per page: the characters
with their boxes, the horizontal and vertical ruling segments as (position, start, end),
and whether the page draws an image. Two engines give the same output:

* pdfium (pypdfium2), the default: a C library, several times faster than pdfminer
  (bench/extract_bench.py);
* pdfminer.six, the reference: pure Python; the tests read every real PDF with both
  and require the same rows. It also reads the pages pdfium cannot read fully.

Both give character boxes from the font's ascent to descent (not the glyph's ink), so
lines are grouped the same way whichever engine read the page.
"""
from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass

from .grid import ReadError

_SNAP = 2.0  # points: a segment shorter than this across its direction is a rule, not a box side
_INK_SHARE = 0.5  # a glyph whose ink covers less of its box than this keeps the box's right edge
_MAX_LOOSE_BOX = 40.0  # points: a larger loose box is pdfium's misreading of a scaled font
ENGINES = ("pdfium", "pdfminer")


@dataclass
class Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def size(self) -> float:
        return max(self.y1 - self.y0, self.x1 - self.x0, 1.0)


def pages(data: bytes, engine: str = "pdfium"):
    """Per page: (chars, hlines, vlines, has_image)."""
    if engine == "pdfium":
        return _pdfium_pages(data)
    if engine == "pdfminer":
        return _pdfminer_pages(data)
    raise ValueError(f"unknown PDF engine {engine!r}; one of {ENGINES}")


def segment(a, b, hlines, vlines) -> None:
    """Keep the segment a→b when it is horizontal or vertical (a ruling line)."""
    (ax, ay), (bx, by) = a, b
    if abs(ay - by) < _SNAP and abs(ax - bx) > _SNAP:
        hlines.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
    elif abs(ax - bx) < _SNAP and abs(ay - by) > _SNAP:
        vlines.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


# ---------------------------------------------------------------- pdfium
def _pdfium_pages(data: bytes):
    """Pages read by pdfium; a page pdfium cannot see fully is read by pdfminer instead.

    pdfium's text page leaves out text objects whose box it computes as empty (a single
    CJK character in a non-embedded CID font such as STSong-Light: a "无" cell, the
    last character of a wrapped label); and it gives positions in the unrotated page,
    where pdfminer turns a /Rotate page (a landscape table) upright. Such pages go to the
    reference engine, so no cell is lost."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    if b"%%EOF" not in data[-2048:]:
        # pdfium rebuilds a cut-off file's cross-reference table and reads what is left;
        # a report missing its end may be missing table pages, so it is not read at all.
        raise ReadError("pdf", "not a readable PDF (truncated or corrupt): no %%EOF marker at the end")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise ReadError("pdf", "encrypted PDF, cannot be read without its password") from e
        raise ReadError("pdf", f"not a readable PDF (truncated or corrupt): {e}") from e
    reference = None  # pdfminer's reader, opened at the first page pdfium cannot read fully
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                hlines, vlines, found = [], [], {"image": False, "unseen_text": False}
                _pdfium_objects(raw, page.raw, textpage.raw, hlines, vlines, found)
                chars = _pdfium_chars(raw, textpage.raw)
                rotated = page.get_rotation() != 0
            finally:
                textpage.close()
                page.close()
            if found["unseen_text"] or rotated:
                reference = reference or _pdfminer_reader(data)
                yield reference(index)
            else:
                yield chars, hlines, vlines, found["image"]
    except ReadError:
        raise
    except Exception as e:
        raise ReadError("pdf", f"PDF damaged while reading pages: {type(e).__name__}: {e}") from e
    finally:
        document.close()


def _pdfium_chars(raw, textpage) -> list[Char]:
    """Characters with boxes like pdfminer's: from the origin, the font's ascent to descent.

    pdfium's loose box reaches to the right edge of the drawn glyph, which for a font the
    PDF does not embed is a substitute wider than the advance the PDF states; the ink's
    right edge is used when it ends earlier, so the gaps between cells keep their width
    (not for a glyph with little ink, such as "，", whose ink would open a gap)."""
    out = []
    loose = raw.FS_RECTF()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    count = raw.FPDFText_CountChars(textpage)
    i = 0
    while i < count:
        code = raw.FPDFText_GetUnicode(textpage, i)
        n = 1
        if 0xD800 <= code < 0xDC00 and i + 1 < count:  # a UTF-16 surrogate pair: one character
            low = raw.FPDFText_GetUnicode(textpage, i + 1)
            code, n = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), 2
        text = chr(code) if code < 0xD800 or code >= 0xE000 else "\ufffd"
        if text.strip() and not raw.FPDFText_IsGenerated(textpage, i):
            raw.FPDFText_GetLooseCharBox(textpage, i, loose)
            raw.FPDFText_GetCharBox(textpage, i, left, right, bottom, top)
            if max(loose.right - loose.left, loose.top - loose.bottom) > _MAX_LOOSE_BOX:
                # vertical text set with a tiny matrix and a huge font size: only the ink box is right
                out.append(Char(text, left.value, bottom.value, right.value, top.value))
            else:
                ink = right.value - left.value
                x1 = right.value if ink > _INK_SHARE * (loose.right - loose.left) and right.value < loose.right \
                    else loose.right
                out.append(Char(text, loose.left, loose.bottom, x1, loose.top))
        i += n
    return out


def _pdfium_objects(raw, page, textpage, hlines, vlines, found) -> None:
    """Ruling segments of a page, whether it draws an image, and whether pdfium's text page
    leaves out one of its text objects; form XObjects are descended into."""
    stack = [(raw.FPDFPage_GetObject(page, i), (1, 0, 0, 1, 0, 0)) for i in range(raw.FPDFPage_CountObjects(page))]
    matrix = raw.FS_MATRIX()
    while stack:
        obj, outer = stack.pop()
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            found["image"] = True
            continue
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            # an empty string is 2 bytes (the UTF-16 terminator)
            found["unseen_text"] |= raw.FPDFTextObj_GetText(obj, textpage, None, 0) <= 2
            continue
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            continue
        raw.FPDFPageObj_GetMatrix(obj, matrix)
        m = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            stack.extend((raw.FPDFFormObj_GetObject(obj, i), m) for i in range(raw.FPDFFormObj_CountObjects(obj)))
        else:
            _pdfium_path(raw, obj, m, hlines, vlines)


def _pdfium_path(raw, obj, m, hlines, vlines) -> None:
    x, y = ctypes.c_float(), ctypes.c_float()
    start = current = None
    for j in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, j)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        point = (m[0] * x.value + m[2] * y.value + m[4], m[1] * x.value + m[3] * y.value + m[5])
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == raw.FPDF_SEGMENT_LINETO and current is not None:
            segment(current, point, hlines, vlines)
        current = point  # a Bézier segment only moves the pen: curves are not rules
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            segment(current, start, hlines, vlines)
            current = start


def _compose(inner, outer):
    """The affine matrix of ``inner`` followed by ``outer`` (PDF order: a b c d e f)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


# ---------------------------------------------------------------- pdfminer
def _pdfminer_pages(data: bytes):
    read = _pdfminer_reader(data)
    index = 0
    while (page := read(index)) is not None:
        yield page
        index += 1


def _pdfminer_reader(data: bytes):
    """A function reading page ``index`` (asked for in increasing order), None past the last.
    Pages skipped over are not interpreted: the pdfium reader asks only for those it needs."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
    except (PDFEncryptionError, PDFPasswordIncorrect) as e:
        raise ReadError("pdf", f"encrypted PDF, cannot be read without its password ({type(e).__name__})") from e
    except Exception as e:
        raise ReadError("pdf", f"not a readable PDF (truncated or corrupt): {type(e).__name__}: {e}") from e
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    numbered = enumerate(PDFPage.create_pages(document))

    def read(index: int):
        try:
            for number, page in numbered:
                if number == index:
                    interpreter.process_page(page)
                    chars, hlines, vlines, images = [], [], [], [False]
                    _pdfminer_collect(device.get_result(), chars, hlines, vlines, images)
                    return chars, hlines, vlines, images[0]
            return None
        except Exception as e:
            raise ReadError("pdf", f"PDF damaged while reading pages: {type(e).__name__}: {e}") from e

    return read


def _pdfminer_collect(container, chars, hlines, vlines, images) -> None:
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage, LTLine, LTRect

    for obj in container:
        if isinstance(obj, LTChar):
            if obj.get_text().strip():
                chars.append(Char(obj.get_text(), obj.x0, obj.y0, obj.x1, obj.y1))
        elif isinstance(obj, (LTLine, LTRect, LTCurve)):
            _pdfminer_edges(obj, hlines, vlines, LTRect)
        elif isinstance(obj, LTImage):
            images[0] = True
        if isinstance(obj, LTContainer):
            _pdfminer_collect(obj, chars, hlines, vlines, images)


def _pdfminer_edges(obj, hlines, vlines, rect_type) -> None:
    """Ruling segments of a rectangle, line or path."""
    if isinstance(obj, rect_type):
        x0, y0, x1, y1 = obj.bbox
        if y1 - y0 < _SNAP or x1 - x0 < _SNAP:  # a rule drawn as a filled thin rectangle
            segment((x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2), hlines, vlines)
            segment(((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1), hlines, vlines)
        else:
            for a, b in (((x0, y0), (x1, y0)), ((x0, y1), (x1, y1)), ((x0, y0), (x0, y1)), ((x1, y0), (x1, y1))):
                segment(a, b, hlines, vlines)
        return
    for a, b in zip(obj.pts, obj.pts[1:]):
        segment(a, b, hlines, vlines)
