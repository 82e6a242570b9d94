"""Which way up a scanned page is (docs/ocr.md, "Which way up"): how often ``ocr._upright`` finds
it, and what it costs on an upright page.

Every page of the real PDFs (tests/fixtures/extract) and of a demo report is rendered at 150 dpi
grey, binarised and JPEG q30 (tests/ocr_support.py), turned 0°, 90°, 180° and 270°, and each of
those 4° more; the quarter turns found are checked, and the pages left more than 0.35° off level
are counted and printed (a level page is turned -0.2° or -0.3°: ``ocr._straighten``). Then the CPU seconds a page of finding the quarter turns and of straightening,
on the upright pages.

    taskset -c 0 .venv/bin/python bench/ocr_orientation_bench.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from demo_portal import render  # noqa: E402
from demo_portal.figures import make_report  # noqa: E402
from extract.ocr import _quarter_turns, _straighten, _upright, engine  # noqa: E402
from ocr_support import page_images  # noqa: E402

REAL_PDFS = sorted((ROOT / "tests" / "fixtures" / "extract").glob("*.pdf"))


def main() -> None:
    engine()  # loaded before anything is timed
    docs = [(path.stem, path.read_bytes()) for path in REAL_PDFS]
    docs.append(("demo", render.render_pdf(make_report("罗山县人民政府", "县", "county", 2022, "2021", seed="ocr"))))
    wrong = askew = count = 0
    for name, pdf in docs:
        for variant in ("grey", "binary", "jpeg"):
            for number, image in enumerate(page_images(pdf, 150, variant), start=1):
                for turn in (0, 90, 180, 270):
                    for skew in (0, 4):
                        gray = np.asarray(image.convert("L").rotate(turn + skew, resample=Image.BILINEAR,
                                                                    expand=True, fillcolor=255))
                        _out, degrees = _upright(gray)
                        count += 1
                        off = (degrees + turn + skew + 180) % 360 - 180  # 0 when turned exactly back
                        if abs(off) > 45:
                            wrong += 1
                        if 0.35 < abs(off) <= 45:
                            askew += 1
                            print(f"{name} page {number} {variant} turned {turn + skew}°: read turned {degrees}°")
    print(f"{count} pages: {wrong} found the wrong way up, {askew} left more than 0.35° off level")
    upright = [np.asarray(image) for _name, pdf in docs for image in page_images(pdf, 150, "grey")]
    for label, step in (("which way up", _quarter_turns), ("straighten", _straighten)):
        start = time.process_time()
        for gray in upright:
            step(gray)
        print(f"{label}: {(time.process_time() - start) / len(upright):.3f} s CPU a page ({len(upright)} upright pages)")


if __name__ == "__main__":
    main()
