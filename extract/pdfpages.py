"""PDF pages as positioned characters and ruling segments, from either of two engines.

Before either engine reads a page, what it would inflate to read it is measured against the
content limits (``page_slots``): page content and fonts inflated a chunk at a time, the page
tree walked up to ``ContentLimits.pdf_pages``.

``pdf.py`` lays the cells out from what this module yields per page (a ``Page``): the
characters with their boxes, the horizontal and vertical ruling segments as (position,
start, end), whether the page draws an image (and at what resolution: a scan's), how many
shapes its paths draw that may be glyphs (text drawn as outlines), and why the page could not be
read when it is damaged. Two engines give the same output:

* pdfium (pypdfium2), the default: a C library, several times faster than pdfminer
  (bench/extract_bench.py);
* pdfminer.six, the reference: pure Python; the tests read every real PDF with both
  and require the same rows. It also reads the pages pdfium cannot read fully.

Both give character boxes from the font's ascent to descent (not the glyph's ink), so
lines are grouped the same way whichever engine read the page. (With some embedded fonts,
LibreOffice's exports among them, pdfium's boxes sit up to 2 points lower than pdfminer's:
a line of a row-spanned label beside a cut ruled only elsewhere may then fall in the row
above with one engine and below with the other; the cells read are the same.)
"""
from __future__ import annotations

import ctypes
import io
import zlib
from dataclasses import dataclass, field

from .grid import ReadError
from .limits import LIMITS, ContentLimits, over

_SNAP = 2.0  # points: a segment shorter than this across its direction is a rule, not a box side
_INK_SHARE = 0.5  # a glyph whose ink covers less of its box than this keeps the box's right edge
_MAX_LOOSE_BOX = 40.0  # points: a larger loose box is pdfium's misreading of a scaled font
_INK = 0.01  # points: a text object's bounds narrower than this draw nothing (a space)
ENGINES = ("pdfium", "pdfminer")
_CHUNK = 1 << 20  # bytes inflated at a time while a stream is measured
_GLYPH = 36.0  # points: a shape no larger either way may be a glyph (a 二号 title's characters are 22)
_SLANT = 0.5  # points: a line going this far both across and up is slanted (a glyph's stroke, not a rule)
_OUTLINED_TEXT = 40  # glyph-like shapes that make a page's paths text: a short line of characters


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    # computed once: the layout reads them for every character many times over
    cx: float = field(init=False)
    cy: float = field(init=False)
    size: float = field(init=False)

    def __post_init__(self):
        self.cx = (self.x0 + self.x1) / 2
        self.cy = (self.y0 + self.y1) / 2
        self.size = max(self.y1 - self.y0, self.x1 - self.x0, 1.0)


@dataclass
class Page:
    chars: list[Char] = field(default_factory=list)
    hlines: list = field(default_factory=list)
    vlines: list = field(default_factory=list)
    has_image: bool = False
    damage: str | None = None  # why the page was not read (then it holds nothing)
    pictures: list = field(default_factory=list)  # (area in square points, pixels an inch) of each picture
    outlines: int = 0  # shapes the page's paths draw that may be glyphs (``add_contour``)
    text_objects: int = 0  # the page's text objects (pdfium's reading only) ...
    hidden_text_objects: int = 0  # ... and of those, the invisible ones (text render mode 3)

    def scan_dpi(self) -> float | None:
        """The resolution of the page's largest picture as drawn: a scanned page's."""
        return round(max(self.pictures)[1]) if self.pictures else None

    def add_picture(self, pixels: tuple, points: tuple[float, float]) -> None:
        """A picture of ``pixels`` (width, height, as its dictionary states them: a damaged one
        may state anything) drawn over ``points`` (width, height); the resolution is taken over
        its area, so a picture turned a quarter gives the same."""
        self.has_image = True
        area = points[0] * points[1]
        size = [n for n in pixels if isinstance(n, (int, float)) and n > 0]
        if area > 0 and len(size) == 2:
            self.pictures.append((area, 72 * (size[0] * size[1] / area) ** 0.5))

    def add_contour(self, points: list[tuple[float, float]], curved: bool) -> None:
        """Count a path's contour (one subpath: its points in page space, curved when it has a
        Bézier segment) that may be a glyph: no larger than a title's character either way, and
        curved or with a slanted side. A table's rules, boxes and shading are level and upright."""
        if not points:
            return
        xs, ys = [x for x, _y in points], [y for _x, y in points]
        if max(xs) - min(xs) > _GLYPH or max(ys) - min(ys) > _GLYPH:
            return
        if curved or any(abs(ax - bx) > _SLANT and abs(ay - by) > _SLANT
                         for (ax, ay), (bx, by) in zip(points, points[1:])):
            self.outlines += 1

    def hides_its_text(self) -> bool:
        """Whether every text object of the page is invisible: a scan with the text another
        program recognised laid under it ("searchable" PDFs from scanners, Acrobat, ABBYY).
        Its characters are that program's reading of the picture, not a text layer."""
        return self.hidden_text_objects > 0 and self.hidden_text_objects == self.text_objects

    def draws_outlined_text(self) -> bool:
        """Whether the page's paths draw text: glyph-like shapes enough for a line of characters,
        as a page printed with its fonts turned to outlines draws (Ghostscript, "print to PDF",
        some WPS and CAD exports), where a logo, a seal's ring or a table's rules draw few or none.
        Counted while the page is read, at no cost of its own."""
        return self.outlines >= _OUTLINED_TEXT


def pages(data: bytes, engine: str = "pdfium", limits: ContentLimits = LIMITS):
    """Yield a ``Page`` per page of the document, in page-tree order; ReadError when the document
    has more pages than ``limits.pdf_pages``."""
    if engine not in ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; one of {ENGINES}")
    if b"%%EOF" not in data[-2048:]:
        # pdfium and pdfminer both rebuild a cut-off file's cross-reference table and read
        # what is left; a report missing its end may be missing table pages: not read at all.
        raise ReadError("pdf", "not a readable PDF (truncated or corrupt): no %%EOF marker at the end")
    document = _pdfminer_document(data)
    slots = page_slots(document, limits)
    if engine == "pdfium":
        return _pdfium_pages(data, document, slots)
    return _pdfminer_pages(document, slots)


def page_slots(document, limits: ContentLimits = LIMITS) -> list[tuple[int | None, str | None]]:
    """(object id, why the page cannot be read or None) of every page, in page-tree order.

    Both engines pass over damage without a word: pdfminer leaves a broken page object
    out of its page list (numbering the pages after it wrongly), and both decode a damaged
    content stream as far as it goes and show the rest of the page blank, though the text
    before the damage may end inside a number ("48" drawn as "4"). Such a page is not read,
    and neither is a page whose content or fonts would inflate past their limits. The
    tree is walked with a stack (a hostile one may nest deeper than Python recurses), and the
    walk stops at ``limits.pdf_pages`` pages, whatever count the tree declares."""
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import LIT

    slots: list[tuple[int | None, str | None]] = []
    seen: set[int] = set()
    inflated: dict[int, int] = {}  # stream object id → inflated size, for fonts and forms pages share
    stack = [(document.catalog.get("Pages"), None)]  # (node, resources inherited from its ancestors)
    while stack:
        ref, inherited = stack.pop()
        objid = getattr(ref, "objid", None)
        if objid is not None and objid in seen:
            continue  # a page tree that loops
        seen.add(objid)
        try:
            node = resolve1(ref)
        except Exception:
            node = None
        if isinstance(node, dict) and "Kids" in node:
            kids = resolve1(node["Kids"])
            resources = node.get("Resources", inherited)
            stack.extend((kid, resources) for kid in reversed(kids if isinstance(kids, list) else ()))
        elif isinstance(node, dict) and node.get("Type") is LIT("Page"):
            try:
                problem = _page_problem(node, node.get("Resources", inherited), limits, inflated)
            except Exception as e:  # pdfminer raises many types for a damaged object the page refers to
                problem = f"an object it refers to is damaged ({type(e).__name__}: {str(e)[:200]})"
            slots.append((objid, problem))
            if len(slots) > limits.pdf_pages:
                raise ReadError("pdf", over(limits, "pdf_pages", f"the PDF has more than {limits.pdf_pages:,} pages"))
        else:
            slots.append((objid, f"its page object (object {objid}) is damaged"))
    return slots


def _page_problem(page: dict, resources, limits: ContentLimits, inflated: dict[int, int]) -> str | None:
    """Why a page cannot be read: a content stream missing, damaged or cut short, or what the
    engines would inflate to read it over a limit: its content (streams, forms, Type 3 glyph
    procedures) over ``limits.pdf_content_bytes``, its embedded fonts over ``limits.pdf_font_bytes``.
    Only Flate streams are measured (what producers use for pages and fonts); other or chained
    filters are left to the worker's limits."""
    from pdfminer.pdftypes import PDFStream, resolve1

    contents = resolve1(page.get("Contents"))
    streams = contents if isinstance(contents, list) else [page.get("Contents")] if contents is not None else []
    content = 0
    for ref in streams:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream):
            return f"its content stream (object {getattr(ref, 'objid', '?')}) is missing"
        size, damage = _inflate(stream, limits.pdf_content_bytes - content)
        if damage:
            return f"its content stream (object {stream.objid}) {damage}"
        content += size
    fonts = 0
    for stream, is_font in _resource_streams(resources):
        if stream.objid not in inflated:
            inflated[stream.objid] = _inflate(stream, limits.pdf_font_bytes if is_font else limits.pdf_content_bytes)[0]
        if is_font:
            fonts += inflated[stream.objid]
        else:
            content += inflated[stream.objid]
    if content > limits.pdf_content_bytes:
        return over(limits, "pdf_content_bytes", "its content streams and forms inflate to more bytes than that")
    if fonts > limits.pdf_font_bytes:
        return over(limits, "pdf_font_bytes", "its embedded fonts inflate to more bytes than that")
    return None


def _resource_streams(resources):
    """(stream, whether it is a font program) for the form XObjects (with theirs, once each),
    embedded font programs and Type 3 glyph procedures of a page's resources."""
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import LIT

    pending, seen = [resources], set()
    while pending:
        found = _resolve(pending.pop())
        if not isinstance(found, dict):
            continue
        fonts = _resolve(found.get("Font"))
        for font in (_resolve(f) for f in (fonts.values() if isinstance(fonts, dict) else ())):
            for stream, is_font in _font_streams(font):
                if stream.objid not in seen:
                    seen.add(stream.objid)
                    yield stream, is_font
        xobjects = _resolve(found.get("XObject"))
        for form in (_resolve(x) for x in (xobjects.values() if isinstance(xobjects, dict) else ())):
            if isinstance(form, PDFStream) and form.objid not in seen and form.get("Subtype") is LIT("Form"):
                seen.add(form.objid)
                yield form, False
                pending.append(form.get("Resources"))


def _font_streams(font) -> list:
    """(stream, True) for a font's program (in its descriptor, or its descendant's for a composite
    font); (stream, False) for each glyph procedure of a Type 3 font."""
    from pdfminer.pdftypes import PDFStream

    if not isinstance(font, dict):
        return []
    descendants = _resolve(font.get("DescendantFonts"))
    fonts = [font] + [_resolve(d) for d in (descendants if isinstance(descendants, list) else ())]
    descriptors = [_resolve(f.get("FontDescriptor")) for f in fonts if isinstance(f, dict)]
    programs = [_resolve(d.get(key)) for d in descriptors if isinstance(d, dict)
                for key in ("FontFile", "FontFile2", "FontFile3")]
    procedures = _resolve(font.get("CharProcs"))
    procedures = [_resolve(p) for p in (procedures.values() if isinstance(procedures, dict) else ())]
    return [(s, True) for s in programs if isinstance(s, PDFStream)] + \
           [(s, False) for s in procedures if isinstance(s, PDFStream)]


def _resolve(obj):
    """What ``obj`` refers to, or None when that object cannot be parsed."""
    from pdfminer.pdftypes import resolve1

    try:
        return resolve1(obj)
    except Exception:  # pdfminer raises many types for a damaged object
        return None


def _inflate(stream, budget: int) -> tuple[int, str | None]:
    """(bytes a Flate stream inflates to, counted up to just past ``budget``; why it cannot be
    inflated to its end, or None). Inflated in chunks, so a bomb costs ``budget``, not its size.
    A stream with another filter, or none, is 0 bytes: nothing is inflated to read it."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE

    filters = stream.get_filters()
    if not filters or filters[0][0] not in LITERALS_FLATE_DECODE:
        return 0, None
    data = stream.rawdata
    if stream.decipher:  # an encrypted document opened with its empty user password
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    inflate = zlib.decompressobj()
    size = 0
    while size <= budget:
        try:
            out = inflate.decompress(data, _CHUNK)
        except zlib.error as e:
            return size, f"is damaged: {e}"
        data = inflate.unconsumed_tail
        size += len(out)
        if not out and not data:
            break
    if size <= budget and not inflate.eof:
        return size, "is cut short"
    return size, None


def segment(a, b, hlines, vlines) -> None:
    """Keep the segment a→b when it is horizontal or vertical (a ruling line)."""
    (ax, ay), (bx, by) = a, b
    if abs(ay - by) < _SNAP and abs(ax - bx) > _SNAP:
        hlines.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
    elif abs(ax - bx) < _SNAP and abs(ay - by) > _SNAP:
        vlines.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


# ---------------------------------------------------------------- pdfium
def _pdfium_pages(data: bytes, pdfminer_document, slots):
    """Pages read by pdfium; a page pdfium cannot see fully is read by pdfminer instead.

    pdfium's text page leaves out text objects whose box it computes as empty (a single
    CJK character in a non-embedded CID font such as STSong-Light: a "无" cell, the
    last character of a wrapped label); and it gives positions in the unrotated page,
    where pdfminer turns a /Rotate page (a landscape table) upright. Such pages go to the
    reference engine, so no cell is lost."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == raw.FPDF_ERR_PASSWORD:
            raise ReadError("pdf", "encrypted PDF, cannot be read without its password") from e
        raise ReadError("pdf", f"not a readable PDF (truncated or corrupt): {e}") from e
    if len(document) != len(slots):
        counted = len(document)
        document.close()
        raise ReadError("pdf", f"page tree damaged: pdfium counts {counted} pages, the tree holds {len(slots)}")
    reference = None  # pdfminer's reader, opened at the first page pdfium cannot read fully
    try:
        for index, (_objid, problem) in enumerate(slots):
            if problem:
                yield Page(damage=problem)
                continue
            page = document[index]
            textpage = page.get_textpage()
            try:
                found = Page()
                unseen_text = _pdfium_objects(raw, page.raw, textpage.raw, found)
                found.chars = _pdfium_chars(raw, textpage.raw)
                rotated = page.get_rotation() != 0
            finally:
                textpage.close()
                page.close()
            if unseen_text or rotated:
                reference = reference or _pdfminer_reader(pdfminer_document, slots)
                yield reference(index)
            else:
                yield found
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
    # bound once: four calls a character, a thousand characters a page
    unicode, generated = raw.FPDFText_GetUnicode, raw.FPDFText_IsGenerated
    loose_box, ink_box = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharBox
    i = 0
    while i < count:
        code = unicode(textpage, i)
        n = 1
        if 0xD800 <= code < 0xDC00 and i + 1 < count:  # a UTF-16 surrogate pair: one character
            low = unicode(textpage, i + 1)
            code, n = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), 2
        text = chr(code) if code < 0xD800 or code >= 0xE000 else "\ufffd"
        if text.strip() and not generated(textpage, i):
            loose_box(textpage, i, loose)
            ink_box(textpage, i, left, right, bottom, top)
            x0, y0, x1, y1 = loose.left, loose.bottom, loose.right, loose.top  # each field read once
            if max(x1 - x0, y1 - y0) > _MAX_LOOSE_BOX:
                # vertical text set with a tiny matrix and a huge font size: only the ink box is right
                out.append(Char(text, left.value, bottom.value, right.value, top.value))
            else:
                ink_right = right.value
                if ink_right - left.value > _INK_SHARE * (x1 - x0) and ink_right < x1:
                    x1 = ink_right
                out.append(Char(text, x0, y0, x1, y1))
        i += n
    return out


def _pdfium_objects(raw, page, textpage, found: Page) -> bool:
    """The page's ruling segments and whether it draws an image, into ``found``; True when
    pdfium's text page leaves out one of its text objects that draws something. Form XObjects are
    descended into.

    A text object holding only a space (an ASCII or ideographic one: Word and WPS may draw the
    space between runs, or the spaces that indent a paragraph, as objects of their own) is left
    out of the text page too, spaces being implied by gaps there; it draws no ink, so nothing
    is lost and the page stays with pdfium. Such pages used to go to pdfminer, slower, and
    reading fonts by its own rules: a font it cannot map made a page that reads fine in pdfium
    "text layer broken"."""
    stack = [(raw.FPDFPage_GetObject(page, i), (1, 0, 0, 1, 0, 0)) for i in range(raw.FPDFPage_CountObjects(page))]
    matrix = raw.FS_MATRIX()
    unseen_text = False
    while stack:
        obj, outer = stack.pop()
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            found.add_picture(_pdfium_pixels(raw, obj), _pdfium_extent(raw, obj))
            continue
        if kind == raw.FPDF_PAGEOBJ_TEXT:
            found.text_objects += 1
            found.hidden_text_objects += raw.FPDFTextObj_GetTextRenderMode(obj) == raw.FPDF_TEXTRENDERMODE_INVISIBLE
            # an empty string is 2 bytes (the UTF-16 terminator)
            unseen_text = unseen_text or (raw.FPDFTextObj_GetText(obj, textpage, None, 0) <= 2
                                          and _draws_ink(raw, obj))
            continue
        if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            continue
        raw.FPDFPageObj_GetMatrix(obj, matrix)
        m = _compose((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), outer)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            stack.extend((raw.FPDFFormObj_GetObject(obj, i), m) for i in range(raw.FPDFFormObj_CountObjects(obj)))
        else:
            _pdfium_path(raw, obj, m, found)
    return unseen_text


def _draws_ink(raw, obj) -> bool:
    """Whether a page object's bounds (those of its glyphs' ink, for text) enclose an area."""
    width, height = _pdfium_extent(raw, obj)
    return width > _INK and height > _INK


def _pdfium_extent(raw, obj) -> tuple[float, float]:
    """Width and height of a page object's bounds, in points (within a form: in the form's)."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    return right.value - left.value, top.value - bottom.value


def _pdfium_pixels(raw, obj) -> tuple[int, int]:
    width, height = ctypes.c_uint(), ctypes.c_uint()
    if not raw.FPDFImageObj_GetImagePixelSize(obj, width, height):
        return 0, 0
    return width.value, height.value


def _pdfium_path(raw, obj, m, found: Page) -> None:
    """A path's ruling segments, and its contours that may be glyphs, into ``found``."""
    x, y = ctypes.c_float(), ctypes.c_float()
    hlines, vlines = found.hlines, found.vlines
    start = current = None
    contour, curved = [], False  # the current subpath's points (a Bézier's control points too)
    for j in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, j)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        point = (m[0] * x.value + m[2] * y.value + m[4], m[1] * x.value + m[3] * y.value + m[5])
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            found.add_contour(contour, curved)
            contour, curved = [], False
            start = point
        elif kind == raw.FPDF_SEGMENT_LINETO and current is not None:
            segment(current, point, hlines, vlines)
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            curved = True
        contour.append(point)
        current = point  # a Bézier segment only moves the pen: curves are not rules
        if raw.FPDFPathSegment_GetClose(seg) and start is not None:
            segment(current, start, hlines, vlines)
            contour.append(start)
            current = start
    found.add_contour(contour, curved)


def _compose(inner, outer):
    """The affine matrix of ``inner`` followed by ``outer`` (PDF order: a b c d e f)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


# ---------------------------------------------------------------- pdfminer
def _pdfminer_pages(document, slots):
    read = _pdfminer_reader(document, slots)
    return (read(index) for index in range(len(slots)))


def _pdfminer_document(data: bytes):
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        return PDFDocument(PDFParser(io.BytesIO(data)))
    except (PDFEncryptionError, PDFPasswordIncorrect) as e:
        raise ReadError("pdf", f"encrypted PDF, cannot be read without its password ({type(e).__name__})") from e
    except Exception as e:
        raise ReadError("pdf", f"not a readable PDF (truncated or corrupt): {type(e).__name__}: {e}") from e


def _pdfminer_reader(document, slots):
    """A function reading page ``index`` of ``page_slots``; the damaged ones are not interpreted."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    try:
        by_id = {page.pageid: page for page in PDFPage.create_pages(document)}
    except Exception as e:
        raise ReadError("pdf", f"PDF damaged while reading pages: {type(e).__name__}: {e}") from e

    def read(index: int) -> Page:
        objid, problem = slots[index]
        if problem:
            return Page(damage=problem)
        try:
            interpreter.process_page(by_id[objid])
        except Exception as e:
            return Page(damage=f"pdfminer cannot interpret it ({type(e).__name__}: {e})")
        found = Page()
        _pdfminer_collect(device.get_result(), found)
        return found

    return read


def _pdfminer_collect(container, found: Page) -> None:
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage, LTLine, LTRect

    for obj in container:
        if isinstance(obj, LTChar):
            if obj.get_text().strip():
                found.chars.append(Char(obj.get_text(), obj.x0, obj.y0, obj.x1, obj.y1))
        elif isinstance(obj, (LTLine, LTRect, LTCurve)):
            _pdfminer_edges(obj, found.hlines, found.vlines, LTRect)
            # pdfminer gives each subpath apart; its points are the segments' ends
            found.add_contour(obj.pts, any(op[0] in "cvy" for op in obj.original_path or ()))
        elif isinstance(obj, LTImage):
            found.add_picture(obj.srcsize, (obj.width, obj.height))
        if isinstance(obj, LTContainer):
            _pdfminer_collect(obj, found)


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
