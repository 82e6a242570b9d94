"""Pictures of pages read by OCR: a scanned page (or a table printed as a picture) in, the page's
characters and ruling lines out, in the shape the PDF reader lays out (``pdfpages.Page``).

The page is straightened (its text lines made level), its ruling lines found by morphology
(long thin runs of ink) and its text recognised by RapidOCR (PP-OCRv4, the models shipped in
the ``rapidocr-onnxruntime`` wheel: nothing is downloaded). Each recognised character keeps its
box and its confidence; ``layout.page_rows`` then cuts the page into table cells and text lines
exactly as for a page with a text layer, so the same table reader and checks apply.

A figure the engine is not sure of is never passed on as read: a line holding digits whose
characters fall below ``CONFIDENT`` is recognised again from a tight crop (PP-OCR scores a lone
"0" low in a wide line and high alone); digits still unsure, or junk among digits, become
``UNREAD`` (U+FFFD), which the table reader takes as a cell with no number and whose reason
says OCR could not read it. docs/ocr.md has the engine comparison and the figures.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .limits import allow_ocr_memory
from .numbers import UNREAD, UNRECOGNISED
from .pdfpages import Char, Page

CONFIDENT = 0.9  # a character's recognition score below this is unsure
_DIGITISH = re.compile(r"[\d.,]")
_FIGURE_CHARACTERS = set("0123456789.,")
# The one list of letters OCR reads for a digit in a figure cell (round ones for 0, strokes for 1;
# a small "0" is read "°" too): they only make a line a figure line that the digit reading must confirm
_LOOKALIKES = {"O": "0", "o": "0", "D": "0", "Q": "0", "°": "0", "I": "1", "l": "1", "|": "1"}
_ROUND = str.maketrans({letter: digit for letter, digit in _LOOKALIKES.items() if digit == "0"})
# the letters made their digits; a square bracket is a rule's stub read with a figure ("[1"): dropped
_CONFUSABLE = str.maketrans({**_LOOKALIKES, "[": None, "]": None})
_LINE_CHARACTER = r"[\d.,\s" + re.escape("".join(_LOOKALIKES)) + r"\[\]]"
_FIGURE_LINE = re.compile(rf"^{_LINE_CHARACTER}*\d{_LINE_CHARACTER}*$")  # a line of figures, confusions and all
_FIGURE = re.compile(r"^[\d.,]+$")
# a sign read with figures: never part of a table's figure (counts are not negative), it is a
# dash between digits (a phone number, a date) or, before a figure, a speck or rule stub read as one
_SIGNS = "+-−–—"
_UNSIGNED = str.maketrans({sign: None for sign in _SIGNS})
_KEPT_SCORE = 0.5  # RapidOCR's own text_score: a line read less surely is no text (kept: a figure line's)
_DIGIT_HEIGHT = 0.4  # of a line's height: a figure's ink is at least this tall (a dash before it is not)
_DASH_INK = 200  # a pixel darker than this is ink when looking for a dash
_WORD_GAP = 0.6  # of a character's height: a gap this wide parts two words (as layout._join's)
_MAX_SKEW = 5.0  # degrees searched either way when straightening a page (a phone's photo, a careless scan)
_SKEW_STEP = 0.5  # degrees: the coarse search's step; then 0.1° steps round its best
_LISTED_TURN = 0.5  # degrees: a page turned less is not listed in the record's ``ocr.turned``
_ORIENT_SIDE = 640  # pixels: the page's longest side when finding which way up it is (0.1 s of detection)
_ORIENT_LINES = 8  # the longest text lines the angle classifier is shown to tell upright from upside down
ENGINE = "RapidOCR PP-OCRv4"
SCAN_DPI = 200  # a PDF page without a usable text layer is rendered at this resolution
FINE_DPI = 150  # a coarser scan loses figures (thin strokes, "4" read "1"): the record says so (docs/ocr.md)
COARSE_CONFIDENT = 0.99  # the floor for a coarser scan: "103" was read "102" at 0.966 at 100 dpi
_LINE_POINTS = 12.0  # height of a recognised body-text line's box, for pictures of unknown resolution
_END_SNAP = 3.0  # points: vertical rules ending this close end together
_INSET = 4  # pixels kept off a cell's ruled edges when looking for ink the detector missed
_MARGINS = (2, 4)  # white pixels added round a figure's ink for its other views
_TURNED = 1.5  # RapidOCR reads a box this much taller than wide turned a quarter, as vertical text
_RULE_SPAN = 0.9  # share of a figure line's box that a run of ink spans to be a rule in it
_RULE_THICK = 4  # pixels: a rule's line with its soft edges is no thicker (a figure is)
_MIN_INK = 12  # inked pixels that make a speck of dust, not a figure
# a pixel darker than this is ink when looking for a missed figure: a small "7" scanned grey at
# 150 dpi has 8 pixels darker than 128 (a speck's count) and 18 darker than 160
_FAINT_INK = 160
_PALE_INK = 224  # and any pixel darker than this next to such ink is part of the same glyph
_LONE_STROKES = {"I", "l", "|", "!"}  # a line of one of these is a "1" or what is left of a rule
# a line of a few marks, no ideograph or digit in it: read unsurely, a scrawl or a speck, not text
# (made U+FFFC instead, a speck in a label's cell was a value there, and its row was lost)
_MARKS = re.compile(r"^[^\d\u3000-\u9fff\uff00-\uffef]{1,3}$")
# red exceeding both green and blue by more than this is stamp ink (a seal), wholly or in part
# (JPEG's colour noise stays under it); by more than _SEAL_RED, the seal's solid ink
_REDDISH = 32
_SEAL_RED = 96
# a page whose paper is mostly this bright is white (a rendered page, its shaded cells 213 of 255);
# a scan's grey paper (about 220, unevenly lit) is flattened
_WHITE_PAPER = 245
_PAPER = 0.85  # a pixel this bright against the paper round it is paper (the back page's print at 0.88)
_DARK_PAPER = 128.0  # a solid dark patch is not paper: nothing is lightened against less than this
_DARKEST_PRINT = 0.5  # per cent of a page's pixels: its darkest, the print at its darkest, made black
_BLACK_PRINT = 64  # print whose darkest is this dark is black already (a rendered page: 0–20)
_FAINTEST_PRINT = 0.5  # of the paper's brightness: a page (nearly blank) whose darkest is paler is stretched no more
_DETECT_SIDE = 1280  # pixels: the detector sees the page at most this large (speed); crops are full size


@dataclass(slots=True)
class OcrChar(Char):
    confidence: float = 1.0
    guess: str = ""  # for an UNREAD figure, the digits read there unsurely ("" when none were)


class Recognised(str):
    """A cell's text as OCR recognised it, carrying the confidence of its least sure character:
    the layout makes it (``layout._cell_text``) and the table reader passes it on untouched to
    the record's ``cells``, so each figure's provenance follows it (``cell_confidences``).
    A cell with a figure not read surely (UNREAD) carries what was read there as ``guess``, for
    the format's identities to confirm or not (``extract.settle``); None when nothing was."""

    confidence: float
    guess: str | None

    def __new__(cls, text: str, confidence: float, guess: str | None = None):
        made = super().__new__(cls, text)
        made.confidence, made.guess = confidence, guess
        return made

    def __reduce__(self):  # a record crosses from its worker process pickled
        return Recognised, (str(self), self.confidence, self.guess)


def recognised(text: str, chars: list) -> str:
    """The cell's text, marked ``Recognised`` when its characters were read by OCR."""
    if not text or not isinstance(chars[0], OcrChar):  # a page is read by OCR or not, all of it
        return text
    guesses = [c.guess for c in chars if c.text == UNREAD]
    guess = None
    if guesses and all(guesses):
        parts = text.split(UNREAD)  # the cell's text with each unsure figure's reading in its place
        guess = parts[0] + "".join(g + rest for g, rest in zip(guesses, parts[1:]))
    return Recognised(text, round(min(c.confidence for c in chars), 3), guess)


def cell_confidences(cells: dict) -> dict[str, float]:
    """Key → confidence of each cell of a record whose text OCR recognised (the record's
    ``ocr.cells``): the cells of a text-layer page are not in it."""
    return {key: text.confidence for key, text in cells.items() if isinstance(text, Recognised)}


@dataclass
class OcrPage:
    """One page as OCR read it: a ``Page`` for the layout, and what the record says of it."""

    page: Page
    confidences: list[float] = field(default_factory=list)  # of every figure character kept
    unread: int = 0  # figures made UNREAD
    scan_dpi: float | None = None  # the resolution it was scanned at, when known
    turned: float = 0.0  # degrees (counterclockwise) the page was turned to read it upright and level


@lru_cache(maxsize=1)
def engine():
    """The recogniser, loaded once per process (about 0.2 s; the models are in the wheel).
    One thread: workers run one document each, and the pool decides the parallelism."""
    from rapidocr_onnxruntime import RapidOCR
    ocr = RapidOCR(det_limit_type="max", det_limit_side_len=_DETECT_SIDE, intra_op_num_threads=1,
                   inter_op_num_threads=1, use_cls=False)
    # The recogniser pads each batch to at least 320 pixels wide (6.7 characters): a lone
    # figure then costs as much as a line. A narrower floor reads the same, three times faster.
    # And a batch is padded to its widest line: one line a batch, nothing is padded (a page's
    # reading took half the time, and read more figures surely: docs/ocr.md, "Figures")
    ocr.text_rec.rec_image_shape = [3, 48, 48]
    ocr.text_rec.rec_batch_num = 1
    return ocr


def decode_image(data: bytes, frame: int = 0):
    """A grey image of a picture file's bytes (PNG, JPEG, GIF, BMP, TIFF; of a TIFF of several
    pages, page ``frame``), red ink dropped (``grey_without_red``), or None if it is none."""
    import cv2
    import numpy as np
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if frame == 0 else None
    if image is None:  # OpenCV reads no GIF, and a TIFF's first page only; Pillow reads both
        import io
        from PIL import Image, UnidentifiedImageError
        try:
            with Image.open(io.BytesIO(data)) as picture:
                picture.seek(frame)
                image = np.asarray(picture.convert("RGB"))[:, :, ::-1]
        except (UnidentifiedImageError, OSError, ValueError, EOFError):
            return None
    return grey_without_red(image)


def read_pdf_page(data: bytes, number: int, scan_dpi: float | None = None, dpi: float = SCAN_DPI) -> OcrPage:
    """Page ``number`` (from 1) of a PDF rendered in colour, made grey without its red ink, and
    read; ``scan_dpi`` is the resolution of the scan it shows, if known (the record warns of a
    coarse one)."""
    import pypdfium2 as pdfium
    allow_ocr_memory()  # before rendering: the page's pixels are OCR's too
    document = pdfium.PdfDocument(data)
    try:
        pixels = document[number - 1].render(scale=dpi / 72).to_numpy()  # BGR
    finally:
        document.close()
    return read_page(grey_without_red(pixels), dpi, scan_dpi)


def grey_without_red(bgr):
    """A colour picture (BGR, or already grey) made grey with its red ink turned to paper: a
    signed report's red seal, stamped over the table's last rows, would otherwise be dark marks
    over the figures, costing cells and rows. A pixel whose red clearly exceeds its green and
    blue takes its red channel's value (as through a red filter), stretched so the seal's own red
    is white: stamp ink on paper is white, black print under it stays black and the soft edge of
    a figure's stroke under it keeps its grey. A black-on-white (or grey) picture is unchanged."""
    import cv2
    import numpy as np
    if bgr.ndim == 2:
        return np.ascontiguousarray(bgr)
    bgr = np.ascontiguousarray(bgr[:, :, :3])
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    red = bgr[:, :, 2].astype(np.int16)
    redness = red - np.maximum(bgr[:, :, 0], bgr[:, :, 1])
    reddish = redness > _REDDISH
    if not reddish.any():
        return grey
    seal = red[redness > _SEAL_RED]
    seal_red = float(np.median(seal)) if seal.size else 255.0  # the stamp's red at full strength
    grey[reddish] = np.clip(red[reddish] * (255.0 / max(seal_red, 1.0)), 0, 255).astype(np.uint8)
    return grey


def _black_on_white(gray):
    """A scan of paper made black print on white: each pixel divided by the paper's own
    brightness round it (the page with its print closed over, at a quarter size), then stretched
    so that what is within ``_PAPER`` of the paper is white and the page's darkest print
    (``_DARKEST_PRINT``) black. A scanned page's paper is grey (about 220 of 255),
    lit unevenly, and the back page's print shows through it; every ink test of the reader is
    made against white paper (a pale pixel is under 224), and on such paper a cell's lone "0"
    grew into the whole cell and was called blank. A page whose paper is already white and its
    print black (a rendered PDF, a clean picture) is returned as it is; one whose print is faint
    on white paper (a soft scan of a thin type: the city report's darkest 0.5 % at 138 of 255,
    its lone zeros specks to the ink test, 83 blank cells) is stretched."""
    import cv2
    import numpy as np
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA) if min(gray.shape) > 400 else gray
    # closing removes the print (strokes and rules are thinner than the kernel), leaving the paper
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    if np.median(paper) >= _WHITE_PAPER and np.percentile(gray, _DARKEST_PRINT) <= _BLACK_PRINT:
        return gray
    paper = cv2.resize(cv2.GaussianBlur(paper, (0, 0), 2), (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    share = gray.astype(np.float32) / np.maximum(paper.astype(np.float32), _DARK_PAPER)
    # the print's own darkness made black: a thin type scanned is grey at its darkest, and its
    # lone "0" fell under the reader's ink count (a speck's) and was called a blank cell
    ink = min(float(np.percentile(share, _DARKEST_PRINT)), _FAINTEST_PRINT)
    return np.clip((share - ink) * (255.0 / (_PAPER - ink)), 0, 255).astype(np.uint8)


def read_page(gray, dpi: float | None, scan_dpi: float | None = None) -> OcrPage:
    """Characters and ruling lines of a grey page image at ``dpi``, in points with y up (as a
    PDF page's), so the PDF layout's tolerances apply unchanged. A picture of unknown
    resolution is scaled so its typical text line is 12 points high (body text of a report).

    ``scan_dpi`` is the resolution the page was scanned at when that is not ``dpi`` (a PDF page
    rendered finer than the scan it shows). A scan coarser than ``FINE_DPI`` is read to a
    higher floor, ``COARSE_CONFIDENT``: its figures are read surely and wrongly now and then."""
    import numpy as np
    allow_ocr_memory()
    gray, turned = _upright(_black_on_white(np.ascontiguousarray(gray)))
    try:
        result, _elapsed = engine()(gray, use_cls=False, return_word_box=True, text_score=0.0)
    except Exception as e:  # onnxruntime's own error type: an allocation it could not make is out of memory
        if "bad_alloc" in str(e):
            raise MemoryError(f"OCR: {e}") from None
        raise
    scan_dpi = scan_dpi or dpi
    floor = COARSE_CONFIDENT if scan_dpi and scan_dpi < FINE_DPI else CONFIDENT
    lines = [line for line in (_Line(*item, floor=floor) for item in result or []) if line.figures() or not line.faint()]
    _read_upright(gray, [line for line in lines if line.turned()])
    if dpi is None:
        heights = sorted(max(p[1] for p in line.box) - min(p[1] for p in line.box) for line in lines)
        dpi = heights[len(heights) // 2] * 72 / _LINE_POINTS if heights else 96.0
    scale = 72.0 / dpi
    height = gray.shape[0]
    hlines, vlines = _rulings(gray, scale, height)
    found = OcrPage(Page(chars=[], hlines=hlines, vlines=vlines), scan_dpi=scan_dpi, turned=turned)
    for line in lines:
        line.dash_before = line.figures() and line.text().strip()[:1] not in _SIGNS and _dash_before(gray, line.box)
    _recheck(gray, [line for line in lines if line.unsure()])
    for line in lines:
        found.unread += line.settle()
        for text, box, confidence, guess in zip(line.texts, line.boxes, line.scores, line.guesses):
            if not text.strip():
                continue  # the layout spaces words by their boxes
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            found.page.chars.append(OcrChar(text, min(xs) * scale, (height - max(ys)) * scale,
                                            max(xs) * scale, (height - min(ys)) * scale, confidence, guess))
            if _DIGITISH.match(text):
                found.confidences.append(confidence)
    found.unread += _read_missed_cells(gray, found, scale, height, floor)
    return found


def _read_missed_cells(gray, found: OcrPage, scale: float, height: int, floor: float) -> int:
    """Read the ruled cells with ink in them where the detector found no text: it misses a lone
    small digit ("0") on a binarised or faint scan. Each is read as a figure if the recogniser
    sees one there (a cell's other text, a label, is left: labels are long enough to be found);
    how many became UNREAD."""
    import cv2
    from .layout import ruled_bands
    spots = []  # (crop, ink box in pixels)
    for top, bottom, xs in ruled_bands(found.page.hlines, found.page.vlines):
        y0, y1 = int((height - top / scale)) + _INSET, int((height - bottom / scale)) - _INSET
        for left, right in zip(xs, xs[1:]):
            if any(left < c.cx < right and bottom < c.cy < top for c in found.page.chars):
                continue
            x0, x1 = int(left / scale) + _INSET, int(right / scale) - _INSET
            if x1 - x0 < 4 or y1 - y0 < 4:
                continue
            cell = gray[y0:y1, x0:x1]
            ink = cv2.findNonZero(_inside(cell < _FAINT_INK))
            if ink is None or len(ink) < _MIN_INK:
                continue
            x, y, w, h = _whole_glyph(cell, cv2.boundingRect(ink))
            if x == 0 or y == 0 or x + w == x1 - x0 or y + h == y1 - y0:
                continue  # ink reaching the cell's edge: what is left of a rule, not a figure
            box = (x0 + x - 1, y0 + y - 1, x0 + x + w + 1, y0 + y + h + 1)  # as _ink_crop cuts
            spots.append((cv2.cvtColor(gray[box[1]:box[3], box[0]:box[2]], cv2.COLOR_GRAY2BGR), box))
    if not spots:
        return 0
    crops = [crop for crop, _box in spots]
    unread = 0
    for (_crop, box), (text, score), (figure, confidence) in zip(spots, engine().text_rec(crops)[0],
                                                                  _read_figures_in_views(crops)):
        text = unicodedata.normalize("NFKC", text)
        # a glyph alone in its cell (a lone "0" is read "O", a "1" "l"), read as no figure: a
        # figure the recogniser cannot make out is UNREAD, not a blank; a wider run read surely
        # is a label the detector missed (left alone), read unsurely ink no reading made out
        if not _FIGURE_LINE.match(text) and (box[2] - box[0]) > box[3] - box[1]:
            if score < CONFIDENT or not text.strip():
                _place(found, [UNRECOGNISED], box, score, scale, height)
                unread += 1
            continue
        agreed = figure == text.translate(_CONFUSABLE).replace(" ", "")
        sure = confidence >= floor and agreed
        unread += not sure
        # unsure, what the reading as figures made of it is kept unless the plain reading saw
        # other text there: the identities may confirm it (extract.settle)
        guess = figure if not sure and (agreed or not text.strip()) and _FIGURE.match(figure) else ""
        _place(found, list(figure) if sure else [UNREAD], box, confidence, scale, height, guess)
    return unread


def _inside(dark):
    """The ink of a cell (a bool mask) that does not reach its edge, as 0/1: ink reaching it is
    what is left of a rule. Rounding a fine picture's cell to pixels left a sliver of its rule's
    soft edge in the inset, and the lone "0" beside it was taken for part of it (a blank cell)."""
    import cv2
    import numpy as np
    count, labels, stats, _centroids = cv2.connectedComponentsWithStats(dark.astype("uint8"), connectivity=8)
    height, width = dark.shape
    edge = [n for n in range(1, count) if stats[n, 0] == 0 or stats[n, 1] == 0
            or stats[n, 0] + stats[n, 2] == width or stats[n, 1] + stats[n, 3] == height]
    inside = dark.astype("uint8")
    inside[np.isin(labels, edge)] = 0
    return inside


def _whole_glyph(cell, box: tuple) -> tuple:
    """The box of all the ink (down to the palest grey) joined to a box of dark ink in a cell: a
    figure's pale strokes are part of it. Cut to its dark ink only, a blurred "4" was its stem
    alone, which every reading took surely for a "1". Only pale ink that touches the figure's:
    a rule's soft edge inside the cell (a scan turned and straightened again) made a lone "0"'s
    box reach the cell's edge, and it was taken for what is left of a rule (a blank cell)."""
    import cv2
    import numpy as np
    x, y, w, h = box
    reach = max(h // 2, 2)
    wx, wy = max(x - reach, 0), max(y - reach, 0)
    window = cell[wy: y + h + reach, wx: x + w + reach]
    _count, parts = cv2.connectedComponents((window < _PALE_INK).astype("uint8"), connectivity=8)
    inner = np.s_[y - wy: y - wy + h, x - wx: x - wx + w]
    glyph = np.isin(parts, np.unique(parts[inner][window[inner] < _FAINT_INK]))
    lx, ly, lw, lh = cv2.boundingRect(cv2.findNonZero(glyph.astype("uint8")))
    return wx + lx, wy + ly, lw, lh


def _place(found: OcrPage, texts: list[str], box: tuple, confidence: float, scale: float, height: int,
           guess: str = "") -> None:
    """Characters read from a cell's ink box (pixels), spread evenly over it, put on the page;
    ``guess``: what was read unsurely where ``texts`` is UNREAD."""
    width = (box[2] - box[0]) / len(texts)
    for n, ch in enumerate(texts):
        found.page.chars.append(OcrChar(ch, (box[0] + n * width) * scale, (height - box[3]) * scale,
                                        (box[0] + (n + 1) * width) * scale, (height - box[1]) * scale, confidence,
                                        guess))
        found.confidences.append(confidence)


class _Line:
    """One recognised text line: its box, and per character its text, box and score."""

    def __init__(self, box, text, score, char_boxes=None, texts=None, scores=None, floor: float = CONFIDENT):
        self.box = box
        self.floor = floor  # the confidence a figure must reach to stand
        self.texts = list(texts) if texts else list(text)
        self.boxes = list(char_boxes) if char_boxes else _even_boxes(box, len(self.texts))
        self.scores = [float(s) for s in scores] if scores else [float(score)] * len(self.texts)
        self.score = float(score)  # the line's, as RapidOCR gives it
        self.second: tuple[str, float] | None = None  # the tight crop's reading
        self.guesses: list[str] = []  # what was read where a figure is UNREAD: made by settle()
        self.dash_before = False  # a dash seen just before the line and not read (``_dash_before``)

    def text(self) -> str:
        return unicodedata.normalize("NFKC", "".join(self.texts))

    def turned(self) -> bool:
        """Whether RapidOCR read the line turned a quarter, taking its box for vertical text."""
        xs, ys = [p[0] for p in self.box], [p[1] for p in self.box]
        return max(ys) - min(ys) >= _TURNED * (max(xs) - min(xs))

    def figures(self) -> bool:
        """Whether the line is a run of figures (a table's value cell or cells), not text; a lone
        "0" is often read as the letter, so round letters count as zeros here."""
        return _FIGURE_LINE.match(self.text().translate(_ROUND).translate(_UNSIGNED)) is not None

    def faint(self) -> bool:
        """Whether the line was read under ``_KEPT_SCORE``, the score under which RapidOCR drops
        what it read. A line of figures so read is kept, and judged as any other (it stands only
        once the reading as figures confirms it, as a cell's ink the detector missed does):
        dropped, a lone "0" under a seal's remnant was missing from its row, and the row, not
        ruled there, lost its columns and all seven figures."""
        return self.score < _KEPT_SCORE

    def unsure(self) -> bool:
        return self.figures() and (min(self.scores) < self.floor or not _FIGURE.match(self.text().replace(" ", "")))

    def settle(self) -> int:
        """Make each unsure figure of a line of figures UNREAD; how many were. An unsure line
        that its reading as figures (``read_figures``) gives again, letters OCR confuses with
        digits taken as those digits, and surely, is sure: it is those figures. Text lines are
        kept as read (their digits are labels' numbers, dates, not the table's figures), but for
        a line of a few marks read unsurely (``_MARKS``): dropped, a speck or a scrawl.

        Each UNREAD keeps what was read there as its ``guesses`` entry (for the identities to
        confirm, ``extract.settle``) when that is figures both readings agree on; else ""."""
        self.guesses = [""] * len(self.texts)
        if self.text().strip() in _LONE_STROKES:  # never taken as a 1: a rule's remnant reads the same
            self.texts, self.boxes, self.scores = [UNREAD], [_union(self.boxes)], [min(self.scores)]
            self.guesses = [""]
            return 1
        if not self.figures():
            if min(self.scores) < self.floor and _MARKS.match(self.text().strip()):
                # a figure scribbled over was read "M" (0.65): kept as text it was a label in a
                # value cell, and its row lost a cell. Dropped, the cell is empty, and its ink is
                # read as a cell the detector missed (``_read_missed_cells``): ink not recognised
                self.texts, self.boxes, self.scores, self.guesses = [], [], [], []
            return 0
        mine = [unicodedata.normalize("NFKC", t).translate(_CONFUSABLE) for t in self.texts]
        digits = "".join(mine).replace(" ", "").translate(_UNSIGNED)  # what the reading as figures reads
        confirmed = self.second is not None and self.second[0] == digits and self.second[1] >= self.floor
        if confirmed:
            self.scores = [self.second[1] if t.strip() else s for t, s in zip(mine, self.scores)]
        # a letter read for a digit stands only where the reading as figures confirmed it
        letters = mine != [unicodedata.normalize("NFKC", t) for t in self.texts]
        self.texts = mine
        agreed = self.second is None or self.second[0] == digits
        signed = self._signed()
        unread = 0
        for start, end in _figure_runs(self.texts):
            run = "".join(self.texts[start:end])
            sign = start in signed
            if sign:  # a sign before the figure, read (it goes with it) or seen as ink: unread
                start -= start > 0 and self.texts[start - 1] in _SIGNS
            elif min(self.scores[start:end]) >= self.floor and _FIGURE.match(run) and (confirmed or not letters):
                continue
            self.texts[start:end] = [UNREAD]
            self.boxes[start:end] = [_union(self.boxes[start:end])]
            self.scores[start:end] = [min(self.scores[start:end])]
            # no guess with a sign: a figure of 本年增/减 may be negative, and its digits alone not it
            self.guesses[start:end] = [run if agreed and _FIGURE.match(run) and not sign else ""]
            unread += 1
        return unread

    def _signed(self) -> set[int]:
        """Where a figure starts with a sign: one read touching it, at the line's start or after a
        gap (``_WORD_GAP``): "-103", "21  0  -5"; or the line's first figure, when a dash lies
        just before the line unread (``dash_before``). A sign between digits with no gap on its
        left is a dash in a phone number or a date ("0517-87212345"); one with a gap on its right
        is a dash of its own (a blank cell's); a figure between two dashes is a page number
        ("-2-"): none of them signs a figure."""
        starts = set()
        for n in range(len(self.texts) - 1):
            if (self.texts[n] in _SIGNS and self.texts[n + 1][:1].isdigit()
                    and self._gap(n + 1) <= _WORD_GAP * self._height(n + 1)
                    and (n == 0 or not self.texts[n - 1].strip() or self._gap(n) > _WORD_GAP * self._height(n))):
                end = n + 1
                while end < len(self.texts) and self.texts[end][:1].isdigit():
                    end += 1
                if end == len(self.texts) or self.texts[end] not in _SIGNS:
                    starts.add(n + 1)
        if self.dash_before:
            starts.add(next((n for n, t in enumerate(self.texts) if _DIGITISH.match(t)), 0))
        return starts

    def _gap(self, n: int) -> float:
        """Width of the gap between character ``n`` and the one before it."""
        return min(p[0] for p in self.boxes[n]) - max(p[0] for p in self.boxes[n - 1])

    def _height(self, n: int) -> float:
        return max(p[1] for p in self.boxes[n]) - min(p[1] for p in self.boxes[n])


def describe(scanned: list[tuple[int | str, OcrPage]], kind: str = "pages") -> dict:
    """The record's ``ocr`` entry for the pages (or the picture, page 1) read by OCR; ``kind``
    "pictures" when they are a report page's pictures, named by URL."""
    name = f"{kind[:-1]}(s)"
    confidences = [c for _n, page in scanned for c in page.confidences]
    unread = sum(page.unread for _n, page in scanned)
    numbers = ", ".join(str(n) for n, _page in scanned)
    coarse = [(n, page.scan_dpi) for n, page in scanned if page.scan_dpi and page.scan_dpi < FINE_DPI]
    note = (f"; {name} {', '.join(str(n) for n, _dpi in coarse)} scanned at "
            f"{', '.join(f'{dpi:g}' for _n, dpi in coarse)} dpi, under the {FINE_DPI} dpi OCR reads "
            "figures well at: expect figures not read" if coarse else "")
    turned = [[n, page.turned] for n, page in scanned if abs(page.turned) >= _LISTED_TURN]
    return {kind: [n for n, _page in scanned], "engine": ENGINE,
            "lowest_figure_confidence": round(min(confidences), 3) if confidences else None,
            "figures_unread": unread, "turned": turned,
            "summary": f"{name} {numbers} read by OCR ({ENGINE}): recognised text, not a text layer; "
                       f"{unread} figure(s) not read surely are null{note}"
                       + "".join(f"; {n} turned {degrees:g}° to read it" for n, degrees in turned)}


def _dash_before(gray, box) -> bool:
    """Whether a dash lies just before a line's figures, in its box or within a character's
    height to its left (not beyond a rule): a minus sign not read. 本年增/减 prints "-2", and its
    "-", a short thin stroke, was in the box of a line read "2", surely: a wrong number. Measured
    against the figures' ink (the marks at least ``_DIGIT_HEIGHT`` of the line's height; a rule
    runs from top to bottom), a dash is wider than thick, at least a fifth of the figures' height
    long and at most a fifth thick, across their middle, at most half their height before them,
    and ink (darker than ``_FAINT_INK`` at its darkest: a 1-pixel stroke scanned at 150 dpi is
    124–191 grey). What a seal's red leaves (a JPEG fringe, 166 and paler) and the blur round a
    soft scan's figures (above or below their middle) are not dashes."""
    import cv2
    xs, ys = [int(p[0]) for p in box], [int(p[1]) for p in box]
    top, bottom, left = max(min(ys), 0), max(ys), max(min(xs), 0)
    height = bottom - top
    window = gray[top:bottom, max(left - height, 0):max(xs)]
    if height < 4 or window.size == 0:
        return False
    _count, labels, stats, _centres = cv2.connectedComponentsWithStats((window < _DASH_INK).astype("uint8"),
                                                                       connectivity=8)
    parts = [(n, *part[:4]) for n, part in enumerate(stats) if n]
    beyond = max((x + w for _n, x, y, w, h in parts if y == 0 and y + h == height), default=0)  # a cell's rule
    digits = [(x, y, y + h) for _n, x, y, w, h in parts if x >= beyond and h >= _DIGIT_HEIGHT * height and y + h < height]
    if not digits:
        return False
    first, high, low = min(x for x, _t, _b in digits), min(t for _x, t, _b in digits), max(b for _x, _t, b in digits)
    size = low - high
    return any(beyond < x and 0 <= first - (x + w) <= size / 2 and w > h and w >= size / 5 and h <= size / 5
               and 0.35 <= (y + h / 2 - high) / size <= 0.75 and window[labels == n].min() < _FAINT_INK
               for n, x, y, w, h in parts)


def _figure_runs(texts: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of characters holding a digit (the line's letters already made
    their digits), in reverse order (so replacing one keeps the others' indices)."""
    runs, start = [], None
    for n, ch in enumerate(texts + [" "]):
        inside = _DIGITISH.match(ch)
        if inside and start is None:
            start = n
        elif not inside and start is not None:
            if any(c.isdigit() for c in texts[start:n]):
                runs.append((start, n))
            start = None
    return runs[::-1]


def _recheck(gray, lines: list[_Line]) -> None:
    """Read the unsure figure lines again from a tight crop each, as figures: one batch."""
    import cv2
    crops = []
    for line in lines:
        xs, ys = [int(p[0]) for p in line.box], [int(p[1]) for p in line.box]
        crops.append(cv2.cvtColor(_ink_crop(gray[max(min(ys), 0): max(ys), max(min(xs), 0): max(xs)]),
                                  cv2.COLOR_GRAY2BGR))
    for line, reading in zip(lines, _read_figures_in_views(crops)):
        line.second = reading


def _read_upright(gray, lines: list[_Line]) -> None:
    """Read again, upright, the lines RapidOCR read turned (``_Line.turned``): from 160 dpi up
    the detector's box of a lone figure is often half as tall again as it is wide (it reaches
    down towards the cell's rule), and the figure read lying on its side is "°", "o" or "3號".
    A line whose box, read upright as it is, is a line of figures takes that reading; when the
    two readings differ it is worth 0 (as views that disagree are), so it stands only once the
    reading as figures (from the box cut to its ink) confirms it. The box is not cut to its
    ink for this reading: at 150 dpi a grey "4" cut to its dark ink is its stem, read "1".
    Other lines (a narrow cell's label written downwards) keep their turned reading."""
    import cv2
    crops = []
    for line in lines:
        xs, ys = [int(p[0]) for p in line.box], [int(p[1]) for p in line.box]
        crops.append(cv2.cvtColor(gray[max(min(ys), 0): max(ys), max(min(xs), 0): max(xs)], cv2.COLOR_GRAY2BGR))
    for line, (text, score) in zip(lines, engine().text_rec(crops)[0] if crops else []):
        text = unicodedata.normalize("NFKC", text).replace(" ", "")
        if text and _FIGURE_LINE.match(text.translate(_ROUND)):
            agreed = text == line.text().replace(" ", "")
            line.scores = [min(float(score), *line.scores) if agreed else 0.0] * len(text)
            line.texts, line.boxes = list(text), _even_boxes(line.box, len(text))


def _read_figures_in_views(crops: list) -> list[tuple[str, float]]:
    """Each crop (cut to its ink) read as figures in three views: as it is, and with 2 and 4
    white pixels round it. A reading has the confidence of its surest view when every view that
    reads something reads it; else 0. A thin binarised digit at 150 dpi scores 0.85-0.9 cut
    tight and 0.95-1.0 with a margin; a view now and then reads nothing at all (the recogniser
    at its smallest input: it abstains); a "1" read 0.82 tight was a "4" at 0.96 with a margin:
    views that must agree, not the luckiest of them. The caller still asks the reading to agree
    with the page's or the cell's general reading."""
    import cv2
    views = [crops] + [[cv2.copyMakeBorder(c, m, m, m, m, cv2.BORDER_CONSTANT, value=(255, 255, 255)) for c in crops]
                       for m in _MARGINS]
    readings = read_figures([crop for view in views for crop in view])
    out = []
    for n in range(len(crops)):
        seen = [readings[v * len(crops) + n] for v in range(len(views))]
        texts = {text for text, _c in seen if text}
        agreeing = [c for text, c in seen if text]
        text = seen[0][0] or next(iter(texts), "")
        out.append((text, max(agreeing)) if len(texts) == 1 else (text, 0.0))
    return out


def _ink_crop(image):
    """The image cut to its ink (``_ink_box``): the recogniser is surest of a figure that fills
    the height it sees (measured: a lone "0" scores 0.94 cut to its ink, 0.85 with 2 pixels
    round, 0.66 with 8)."""
    box = _ink_box(image)
    return image if box is None else image[box[1]:box[3], box[0]:box[2]]


def _ink_box(image) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the image's ink, one pixel round, or None if it has none. A ruling
    line the box reached at its edge is left out (``_edge_rules``): from 160 dpi up the box of a
    lone "0" reaches the rule below its cell, and the "0" with the rule under it read as no
    figure at all, in every view."""
    import cv2
    dark, pale = image < 128, image < _PALE_INK  # a rule is told by all its ink, a faint one too
    dark[_edge_rules(pale.mean(axis=1)), :] = False
    dark[:, _edge_rules(pale.mean(axis=0))] = False
    ink = cv2.findNonZero(dark.astype("uint8"))
    if ink is None:
        return None
    x, y, w, h = cv2.boundingRect(ink)
    return max(x - 1, 0), max(y - 1, 0), x + w + 1, y + h + 1


def _edge_rules(inked) -> list[int]:
    """Indices of the rows (or columns), given each one's share of ink, that are a ruling line
    at an edge of a box: from either end, past blank lines, a run of at most ``_RULE_THICK``
    inked lines, one inked nearly across (``_RULE_SPAN``; its soft edge less), with a blank
    line between it and the rest of the ink. A figure's own strokes are never such: the bar of
    a "4" or a "7" touches the rest of its glyph, and a glyph is thicker than a rule."""
    rules = []
    for order in (range(len(inked)), range(len(inked) - 1, -1, -1)):
        lines = [n for n in order if inked[n] > 0]  # the inked lines from this end inwards
        run = 1
        while run < len(lines) and abs(lines[run] - lines[run - 1]) == 1:
            run += 1
        if run <= _RULE_THICK and run < len(lines) and max(inked[n] for n in lines[:run]) >= _RULE_SPAN:
            rules.extend(lines[:run])
    return rules


def read_figures(crops: list) -> list[tuple[str, float]]:
    """(text, confidence) of each crop read as a figure: the recogniser's output restricted to
    digits, the decimal point and the thousands comma, decoded greedily (CTC). Restricting is
    what tolerates the confusions of a lone "0" with "o" or "O" in a figure cell, while "0" and
    "8" still compete with each other. A character's confidence is its share of the allowed
    characters' probability (the CTC blank left out: it says where a character is, not which) at
    its surest step; the crop's is that of its least sure character."""
    import numpy as np
    if not crops:
        return []
    rec = engine().text_rec
    characters = rec.postprocess_op.character
    allowed = [0] + [i for i, ch in enumerate(characters) if ch in _FIGURE_CHARACTERS]
    out = []
    for crop in crops:  # one at a time: each crop is a few characters, padding a batch would cost more
        height, width = crop.shape[:2]
        ratio = max(width / max(height, 1), rec.rec_image_shape[2] / rec.rec_image_shape[1])
        batch = rec.resize_norm_img(crop, ratio)[np.newaxis, :].astype(np.float32)
        probabilities = rec.session(batch)[0][0][:, allowed]
        probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
        best = probabilities.argmax(axis=1)
        shares = probabilities[:, 1:] / np.maximum(probabilities[:, 1:].sum(axis=1, keepdims=True), 1e-9)
        text, scores, previous = [], [], 0
        for step, index in enumerate(best):
            if index and index != previous:
                text.append(characters[allowed[index]])
                scores.append(0.0)
            if index:
                scores[-1] = max(scores[-1], float(shares[step, index - 1]))
            previous = index
        out.append(("".join(text), min(scores) if scores else 0.0))
    return out


def _even_boxes(box, count: int) -> list:
    """A line's box cut into ``count`` equal boxes, for a reading without character boxes."""
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    step = (x1 - x0) / max(count, 1)
    return [[[x0 + i * step, y0], [x0 + (i + 1) * step, y0], [x0 + (i + 1) * step, y1], [x0 + i * step, y1]]
            for i in range(count)]


def _union(boxes: list) -> list:
    xs = [p[0] for b in boxes for p in b]
    ys = [p[1] for b in boxes for p in b]
    return [[min(xs), min(ys)], [max(xs), min(ys)], [max(xs), max(ys)], [min(xs), max(ys)]]


def _upright(gray):
    """The page turned upright (``_quarter_turns``) and then level (``_straighten``), and the
    degrees it was turned by in all, counterclockwise, in (-180, 180]: 90 for a page stored a
    quarter turn clockwise (a landscape table scanned lying down), 180 upside down, -4 for a
    page photographed 4° askew counterclockwise."""
    import numpy as np
    turns = _quarter_turns(gray)
    if turns:
        gray = np.ascontiguousarray(np.rot90(gray, turns))
    gray, skew = _straighten(gray)
    degrees = turns * 90 + skew
    return gray, round(degrees - 360 if degrees > 180 else degrees, 1)


def _quarter_turns(gray) -> int:
    """How many quarter turns counterclockwise (``np.rot90``) make the page upright: 0 for most.
    Scanners and phones store a landscape table lying on its side (90° or 270°) or a page fed
    upside down (180°), often with no /Rotate to say so. The text detector, on a copy
    ``_ORIENT_SIDE`` pixels long, finds the text lines (a tenth of a second): lines much taller
    than wide lie on their side. The angle classifier (PP-OCR's, in the wheel) then tells, line
    by line, an upright line from one upside down; the longest lines vote, each by its score.
    A page lying on its side goes the way the vote says; an upright-looking page is turned
    round only on a clear majority. A page with no text lines is left as it is."""
    import cv2
    import numpy as np
    scale = min(_ORIENT_SIDE / max(gray.shape), 1.0)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes, _elapsed = engine().text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    found = [] if boxes is None else (_text_line(np.asarray(box, np.float64) / scale) for box in boxes)
    lines = [line for line in found if line]
    lying = sum(line[0] for line in lines if line[4]) > 2 * sum(line[0] for line in lines if not line[4])
    lines = sorted((line for line in lines if line[4] == lying), key=lambda line: -line[0])[:_ORIENT_LINES]
    if not lines:
        return 0
    _crops, votes, _elapsed = engine().text_cls([_line_crop(gray, *line[:4]) for line in lines])
    upside_down = sum(score if label == "180" else -score for label, score in votes)
    if lying:
        return 3 if upside_down > 0 else 1
    return 2 if upside_down > len(votes) / 2 else 0


def _text_line(box) -> tuple | None:
    """(length, height, centre, reading direction, lying) of a detected text box (pixels), the
    direction a unit vector along its long side, pointing right for a level line and down for
    one lying on its side (which a quarter turn counterclockwise makes point right); None for a
    box not clearly longer than high (a lone figure, a seal)."""
    import numpy as np
    side_a, side_b = box[1] - box[0], box[3] - box[0]
    along, across = (side_a, side_b) if np.hypot(*side_a) >= np.hypot(*side_b) else (side_b, side_a)
    length, height = float(np.hypot(*along)), float(np.hypot(*across))
    if length < 2 * height:
        return None
    lying = abs(along[1]) > abs(along[0])
    direction = along / length
    if direction[1 if lying else 0] < 0:
        direction = -direction
    return length, height, box.mean(axis=0), direction, lying


def _line_crop(gray, length: float, height: float, centre, direction):
    """The middle of a text line cut out level along ``direction`` (as the page would show it
    after the quarter turn that makes the direction point right), at most four heights long:
    the classifier sees 48×192 pixels, and a whole line squeezed into them is a smear."""
    import cv2
    import numpy as np
    length = min(length, 4 * height)
    across = np.array([-direction[1], direction[0]])
    corners = [centre + sign_a * length / 2 * direction + sign_b * height / 2 * across
               for sign_a, sign_b in ((-1, -1), (1, -1), (1, 1))]
    m = cv2.getAffineTransform(np.float32(corners), np.float32([[0, 0], [length, 0], [length, height]]))
    crop = cv2.warpAffine(gray, m, (max(int(length), 1), max(int(height), 1)), flags=cv2.INTER_LINEAR,
                          borderValue=255)
    return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)


def _straighten(gray):
    """The page turned so its text lines are level, and the angle it was turned by: the angle
    (within ±``_MAX_SKEW``) at which the rows of ink are sharpest, i.e. the row sums vary most,
    on a quarter-size copy: sought in ``_SKEW_STEP`` steps, then in 0.1° steps round the best (30
    turns; 0.1° steps throughout would be 101). Of angles as sharp the first (most clockwise) is
    taken, as by the ±2° search before: a level page is turned -0.2° or -0.3° (a turn that small
    moves no row of the copy), whose resampling softens a crisp picture, and the demo's pictures
    at 144 dpi are read whole only so (level, two lone "0"s are null and a row label is lost)."""
    import cv2
    import numpy as np
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA) if gray.shape[1] > 800 else gray
    ink = (small < 128).astype(np.float32)
    coarse = _sharpest(ink, np.arange(-_MAX_SKEW, _MAX_SKEW + 1e-9, _SKEW_STEP))
    fine = np.arange(coarse - _SKEW_STEP + 0.1, coarse + _SKEW_STEP - 0.05, 0.1)
    angle = _sharpest(ink, fine[np.abs(fine) <= _MAX_SKEW + 1e-9])
    if abs(angle) < 0.05:
        return gray, 0.0
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255), angle


def _sharpest(ink, angles) -> float:
    """Of ``angles`` (degrees, ascending), the first turning ``ink`` so its row sums vary most."""
    import cv2
    import numpy as np
    h, w = ink.shape
    best, best_angle = -1.0, 0.0
    for angle in angles:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(angle), 1.0)
        sharpness = float(np.var(cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1)))
        if sharpness > best:
            best, best_angle = sharpness, round(float(angle), 1)
    return best_angle


def _rulings(gray, scale: float, height: int):
    """Horizontal and vertical ruling lines, as the PDF reader takes them: (y, x0, x1) and
    (x, y0, y1) in points, y up. A rule is a run of ink at least 1/30 of the page long and a
    few pixels thick, found by opening the inked image with a long thin kernel; text strokes
    are shorter than that."""
    import cv2
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    length = max(gray.shape[1] // 30, 10)
    hlines, vlines = [], []
    for horizontal in (True, False):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
        # bridge the breaks a blurred or binarised scan leaves in a rule
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3) if horizontal else (3, 5)))
        count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            if horizontal and w >= length:
                hlines.append(((height - (y + h / 2)) * scale, x * scale, (x + w) * scale))
            elif not horizontal and h >= length:
                vlines.append(((x + w / 2) * scale, (height - y - h) * scale, (height - y) * scale))
    return hlines + _implied_rules(hlines, vlines), vlines


def _implied_rules(hlines, vlines) -> list:
    """Rules a scan lost (too faint to survive binarising) where three vertical rules or more end
    together and no horizontal rule is drawn: the table's closing edge."""
    ends: dict[int, list[float]] = {}
    for x, y0, y1 in vlines:
        for y in (y0, y1):
            ends.setdefault(round(y / _END_SNAP), []).append(x)
    implied = []
    for bucket, xs in ends.items():
        y = bucket * _END_SNAP
        if len(xs) >= 3 and not any(abs(y - hy) <= 2 * _END_SNAP and x0 <= min(xs) + _END_SNAP
                                    for hy, x0, _x1 in hlines):
            implied.append((y, min(xs), max(xs)))
    return implied
