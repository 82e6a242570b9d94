"""Scanned reports made from documents whose figures are known: every page of a PDF rendered as a
picture (pypdfium2), spoilt as a scanner or a copier spoils it, and saved as an image-only PDF;
and the count of cells an OCR reading got exact, left null or got wrong."""
from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

VARIANTS = ("grey", "binary", "rotated+1", "rotated-1", "blurred", "jpeg", "sealed", "paper")
SEAL_CENTRE = (410, 680)  # points from an A4 page's top left: over table 3's last rows on a table page
HONGZE = (Path(__file__).resolve().parent / "fixtures" / "extract" / "huaian-hongze-district-gov-2023.pdf").read_bytes()
TABLE_3 = (0.40, 0.935)  # Hongze 2023's page 3 from table 3's heading to its last row, as shares of its height


def page_images(pdf: bytes, dpi: int, variant: str, pages: list[int] | None = None) -> list[Image.Image]:
    """Pages of ``pdf`` (all, or the numbers in ``pages``) as grey pictures at ``dpi``, spoilt by
    ``variant``: binarised, turned ±1°, blurred, JPEG-compressed at quality 30, in colour with
    a red seal stamped over the lower middle of the page (``stamp_seal``), or printed on paper and
    scanned (``on_paper``: its back page showing through)."""
    document = pdfium.PdfDocument(pdf)
    try:
        count = len(document)
        numbers = pages or range(1, count + 1)
        images = [_render(document, n, dpi) for n in numbers]
        # printed on both sides: the back of page n is n + 1 (the last page's, n - 1)
        backs = [_render(document, n + 1 if n < count else n - 1, dpi) if variant == "paper" and count > 1 else None
                 for n in numbers]
    finally:
        document.close()
    if variant == "sealed":
        return [stamp_seal(image, SEAL_CENTRE, dpi) for image in images]
    if variant == "paper":
        return [on_paper(image, back, seed=n) for n, image, back in zip(numbers, images, backs)]
    return [_spoil(image, variant) for image in images]


def _render(document, number: int, dpi: int) -> Image.Image:
    return document[number - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")


def on_paper(image: Image.Image, back: Image.Image | None = None, seed: int = 0) -> Image.Image:
    """``image`` as a scanner sees the printed page: greyish paper (about 222 of 255), lit
    unevenly (darker towards one edge and the bottom, as a page that does not lie flat on the
    glass), print not quite black (about 40), the back page's print showing through mirrored and
    faint, the scanner's grain and softness, saved as a JPEG of quality 70."""
    rng = np.random.default_rng(seed)
    height, width = image.height, image.width
    ink = 1.0 - np.asarray(image, np.float32) / 255.0  # 0 paper, 1 full ink
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    light = 0.90 - 0.10 * (x / width) ** 2 - 0.05 * (y / height)  # paper's brightness, 0..1
    paper = 255.0 * light
    if back is not None:  # the other side's print, mirrored, through the paper
        through = 1.0 - np.asarray(back.resize(image.size).transpose(Image.FLIP_LEFT_RIGHT), np.float32) / 255.0
        paper *= 1.0 - 0.12 * through
    pixels = paper - ink * (paper - 40.0)
    pixels = cv2.GaussianBlur(pixels, (0, 0), 0.6) + rng.normal(0, 4.0, pixels.shape)
    return _through_jpeg(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L"), 70)


def _through_jpeg(image: Image.Image, quality: int) -> Image.Image:
    """``image`` saved as a JPEG of ``quality`` and read back, grey: its noise in the picture."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _spoil(image: Image.Image, variant: str) -> Image.Image:
    if variant == "binary":
        return image.point(lambda v: 255 if v > 160 else 0).convert("1")
    if variant.startswith("rotated"):
        return image.rotate(float(variant[len("rotated"):]), resample=Image.BILINEAR, expand=True, fillcolor=255)
    if variant == "blurred":
        return image.filter(ImageFilter.GaussianBlur(1.0))
    if variant == "jpeg":
        return _through_jpeg(image, 30)
    assert variant == "grey", variant
    return image


def table_3(variant: str = "grey", dpi: int = 150) -> Image.Image:
    """Table 3 of Hongze 2023 as its page 3 prints it (heading and 98 figures, all of the page's
    figures), at ``dpi``, spoilt by ``variant``: half the page, so half the reading's time. A
    turn is made after the cut, so that the table keeps its corners."""
    if variant.startswith("rotated"):
        (page,) = page_images(HONGZE, dpi, "grey", [3])
        return _spoil(cut_table_3(page), variant)
    (page,) = page_images(HONGZE, dpi, variant, [3])
    return cut_table_3(page)


def cut_table_3(page: Image.Image) -> Image.Image:
    """The part of a picture of Hongze 2023's page 3 that holds table 3."""
    top, bottom = (round(share * page.height) for share in TABLE_3)
    return page.crop((0, top, page.width, bottom))


def image_only_pdf(image: Image.Image, dpi: int = 150) -> bytes:
    """A scanner's PDF of one picture: one page, no text layer, no /Rotate."""
    out = io.BytesIO()
    image.save(out, "PDF", resolution=float(dpi))
    return out.getvalue()


def scanned_pdf(pdf: bytes, dpi: int, variant: str, pages: list[int] | None = None) -> bytes:
    """An image-only PDF of ``pdf``'s pages: no text layer, as a scanner writes one (a colour
    page as a JPEG)."""
    images = page_images(pdf, dpi, variant, pages)
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return out.getvalue()


SEAL_RED = (214, 38, 46)  # a stamp pad's red, as scanned


def stamp_seal(image: Image.Image, centre: tuple[float, float], dpi: int, strength: float = 0.85) -> Image.Image:
    """``image`` in colour with an official seal stamped at ``centre`` (points from the page's top
    left): a red ring 42 mm across, a star, the body's name and the seal's use in red, laid on
    as stamp ink lies on paper (multiplied: black print under it stays black) at ``strength``."""
    from PIL import ImageChops, ImageDraw, ImageFont

    from demo_portal.render import font_path
    k = dpi / 72
    x, y, radius = centre[0] * k, centre[1] * k, 60 * k
    ink = tuple(round(255 - strength * (255 - c)) for c in SEAL_RED)
    layer = Image.new("RGB", image.size, "white")
    draw = ImageDraw.Draw(layer)
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=ink, width=round(3.4 * k))
    star = [(x + 0.28 * radius * f * np.sin(a), y - 0.28 * radius * f * np.cos(a))
            for n in range(10) for a, f in [(n * np.pi / 5, 1.0 if n % 2 == 0 else 0.4)]]
    draw.polygon(star, fill=ink)
    font = ImageFont.truetype(str(font_path()), round(11 * k))
    for text, dy in (("淮安市洪泽区人民政府", -0.55), ("政务公开专用章", 0.5)):
        draw.text((x, y + dy * radius), text, fill=ink, font=font, anchor="mm")
    return ImageChops.multiply(image.convert("RGB"), layer)


def partly_scanned(pdf: bytes, text_pages: list[int], scan: bytes) -> bytes:
    """A PDF of some pages of ``pdf`` with their text layer, then the pages of ``scan``."""
    return _joined([(pdf, text_pages), (scan, None)])


def without_character_maps(pdf: bytes, text_pages: list[int], broken_pages: list[int]) -> bytes:
    """A PDF of some pages of ``pdf`` with their text layer, then others whose fonts lost their
    ToUnicode maps, as a Word or WPS export without them: drawn exactly as before (the fonts are
    embedded), but their text layer gives glyph ids for characters. The key is renamed in place
    ("/ToUnicodX"), so the file's offsets stay right."""
    broken = pages_of(pdf, broken_pages).replace(b"/ToUnicode", b"/ToUnicodX")
    return _joined([(pdf, text_pages), (broken, None)]) if text_pages else broken


def with_hidden_text(image: Image.Image, dpi: int, lines: list[str]) -> bytes:
    """A "searchable" scan as scanner software writes one: the picture as the page, and under
    it another program's OCR of it as invisible text (render mode 3), ``lines`` from the top."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from demo_portal import render
    render._pdf_styles()  # registers the demo's font
    width, height = image.width * 72 / dpi, image.height * 72 / dpi
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height))
    page.drawImage(ImageReader(image.convert("RGB")), 0, 0, width, height)
    text = page.beginText(36, height - 48)
    text.setTextRenderMode(3)
    text.setFont(render.FONT, 10)
    for line in lines:
        text.textLine(line)
    page.drawText(text)
    page.save()
    return out.getvalue()


def pages_of(pdf: bytes, pages: list[int]) -> bytes:
    """A PDF of some pages of ``pdf``, text layer and all: the truth a scan of them is read against."""
    return _joined([(pdf, pages)])


def _joined(parts: list[tuple[bytes, list[int] | None]]) -> bytes:
    """One PDF of the pages (numbers from 1; None: all) of each PDF, in order."""
    out, sources = pdfium.PdfDocument.new(), []
    try:
        for data, pages in parts:
            sources.append(pdfium.PdfDocument(data))
            out.import_pages(sources[-1], None if pages is None else [n - 1 for n in pages])
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        for source in sources:
            source.close()


def scribble_over(image: Image.Image, pdf: bytes, page: int, text: str, dpi: int) -> Image.Image:
    """``image`` (page ``page`` of ``pdf`` at ``dpi``) with the first ``text`` printed on the page
    wiped out and a wavy stroke drawn in its place: ink in a cell that is no figure nor word."""
    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[page - 1].get_textpage()
        start, count = textpage.search(text).get_next()
        left, bottom, _r, _t = textpage.get_charbox(start)
        _l, _b, right, top = textpage.get_charbox(start + count - 1)
        height = document[page - 1].get_size()[1]
    finally:
        document.close()
    k = dpi / 72
    x0, x1, y0, y1 = int(left * k) - 2, int(right * k) + 2, int((height - top) * k) - 2, int((height - bottom) * k) + 2
    pixels = np.asarray(image.convert("L")).copy()
    pixels[y0:y1, x0:x1] = 255
    xs = np.arange(x0 + 2, x1 - 2)
    ys = (y0 + y1) / 2 + 3 * np.sin((xs - x0) / 2.0)
    cv2.polylines(pixels, [np.stack([xs, ys], 1).astype(np.int32)], False, 0, 2)
    return Image.fromarray(pixels)


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


EXACT_SHARE = 0.97  # the bar: of the cells a report prints, this share read exact, none wrong


def assert_read_well(truth: dict, read: dict) -> dict[str, list[str]]:
    """At least ``EXACT_SHARE`` of the figures ``truth`` prints exact, the rest null with a reason,
    none wrong; the scores."""
    found = score(truth, read)
    total = sum(map(len, found.values()))
    assert total, "the truth prints no figures: nothing to compare"
    assert not found["wrong"], [(k, truth["figures"][k], read["figures"].get(k)) for k in found["wrong"]]
    assert len(found["exact"]) >= EXACT_SHARE * total, (f"{len(found['exact'])} of {total} exact; null: "
                                                       + ", ".join(found["null"]))
    return found


def score(truth: dict, read: dict) -> dict[str, list[str]]:
    """Keys of the cells ``truth`` (a record read from the text layer) prints, by what OCR's
    record made of them: exact, null (with a reason), or wrong (a number that is not the printed
    one, or a number where none is printed)."""
    out = {"exact": [], "null": [], "wrong": []}
    for key, value in truth["figures"].items():
        if value is None and truth["cells"].get(key) is None:
            continue  # a cell the truth's pages do not hold
        got = read["figures"].get(key)
        if got == value and (value is not None or read["cells"].get(key) == truth["cells"].get(key)):
            out["exact"].append(key)
        elif got is None:
            out["null" if key in read["null_reasons"] else "wrong"].append(key)
        else:
            out["wrong"].append(key)
    return out


def noise(width: int = 600, height: int = 400, seed: int = 1) -> bytes:
    """A photo-like picture: smooth colour blobs and grain, no text."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = (np.sin(x / 37.0) + np.cos(y / 23.0)) * 60 + 128
    pixels = np.clip(base[..., None] + rng.normal(0, 12, (height, width, 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
