"""OCR of scanned reports: seconds per page and cells exact / null / wrong (docs/ocr.md).

Every page of the real PDFs (tests/fixtures/extract) and of demo reports is rendered as a
picture at each resolution, spoilt by each variant (tests/ocr_support.py: grey, binary, ±1°,
blurred, JPEG, a red seal, printed and scanned on grey paper), saved as an image-only PDF and read by ``extract_document``; its figures are
scored against the same document read from its text layer. Targets (issue 12): ≤ 10 s a page on
one core, ≥ 97 % of cells exact, none wrong.

    taskset -c 0 .venv/bin/python bench/ocr_bench.py                      # the whole set
    taskset -c 0 .venv/bin/python bench/ocr_bench.py --variants grey --dpi 150 --demo 1
    taskset -c 0 .venv/bin/python bench/ocr_bench.py --engine tesseract   # the engine not chosen

``bench/extract_bench.py --ocr`` runs it after the other formats, on the set docs/ocr.md reports
(150 dpi; grey, binary, JPEG, on paper; one demo report: some 5 minutes).

``--engine tesseract`` reads the same pages with Tesseract 5 (``chi_sim``, Debian's
tesseract-ocr-chi-sim; not a project dependency) in place of RapidOCR, through the same
straightening, ruling lines, layout and confidence rules, for the comparison in docs/ocr.md.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pypdfium2 as pdfium  # noqa: E402

from demo_portal import render  # noqa: E402
from demo_portal.figures import make_report  # noqa: E402
from extract import extract_document  # noqa: E402
from ocr_support import VARIANTS, scanned_pdf, score  # noqa: E402

REAL_PDFS = sorted((ROOT / "tests" / "fixtures" / "extract").glob("*.pdf"))


def documents(demo: int) -> list[tuple[str, bytes]]:
    docs = [(path.stem, path.read_bytes()) for path in REAL_PDFS]
    for n in range(demo):
        version = ("2021", "2019")[n % 2]
        report = make_report(f"第{n}号测试县人民政府", "县", "county", 2022 if version == "2021" else 2020, version,
                             seed=f"ocr-bench-{n}")
        docs.append((f"demo-{n}-{version}", render.render_pdf(report)))
    return docs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 200, 300])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--demo", type=int, default=2, help="demo reports added to the real PDFs")
    parser.add_argument("--engine", choices=("rapidocr", "tesseract"), default="rapidocr")
    parser.add_argument("--only", help="only the documents whose name holds this")
    args = parser.parse_args(argv)
    if args.engine == "tesseract":
        use_tesseract()
    totals = {"exact": 0, "null": 0, "wrong": 0}
    seconds = pages = 0.0
    print(f"{'document':38} {'dpi':>4} {'variant':10} {'pages':>5} {'s/page':>7} {'exact':>6} {'null':>5} {'wrong':>5}")
    for name, pdf in documents(args.demo):
        if args.only and args.only not in name:
            continue
        truth = extract_document(pdf, filename=f"{name}.pdf", ocr=False)
        count = len(pdfium.PdfDocument(pdf))
        for dpi in args.dpi:
            for variant in args.variants:
                scan = scanned_pdf(pdf, dpi, variant)
                start = _cpu()
                read = extract_document(scan, filename="scan.pdf")
                spent = _cpu() - start
                scored = score(truth, read)
                found = {k: len(v) for k, v in scored.items()}
                for k in totals:
                    totals[k] += found[k]
                seconds += spent
                pages += count
                print(f"{name:38} {dpi:>4} {variant:10} {count:>5} {spent / count:>7.1f} {found['exact']:>6} "
                      f"{found['null']:>5} {found['wrong']:>5}", flush=True)
                for key in scored["wrong"][:5]:
                    print(f"    wrong: {key} printed {truth['cells'].get(key)!r}, read {read['cells'].get(key)!r}")
    cells = sum(totals.values()) or 1
    print(f"\n{args.engine}: {pages:.0f} pages, {seconds / max(pages, 1):.1f} s CPU a page; cells {cells}: "
          f"exact {totals['exact']} ({100 * totals['exact'] / cells:.1f} %), null {totals['null']}, "
          f"wrong {totals['wrong']}")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the tesseract commands)."""
    return sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for field in ("ru_utime", "ru_stime"))


def use_tesseract() -> None:
    """Put Tesseract where RapidOCR's page reading and figure re-reading are."""
    import extract.ocr as ocr
    ocr.engine = lambda: _Tesseract()
    ocr.read_figures = lambda crops: [_tesseract(crop, "--psm", "7", "-c", "tessedit_char_whitelist=0123456789.,")
                                      for crop in crops]


class _Tesseract:
    """RapidOCR's interface over the ``tesseract`` command: a page's words, and crops' lines."""

    def __call__(self, gray, **_options):
        """One entry per word (its confidence, 0–100, scaled to 0–1; characters spread evenly)."""
        out = []
        for x, y, w, h, confidence, text in _tesseract_words(gray, "-l", "chi_sim", "--psm", "3"):
            out.append([[[x, y], [x + w, y], [x + w, y + h], [x, y + h]], text, confidence])
        return out, None

    def text_rec(self, crops):
        return [_tesseract(crop, "-l", "chi_sim", "--psm", "7") for crop in crops], None


def _tesseract(crop, *options) -> tuple[str, float]:
    words = _tesseract_words(crop, *options)
    return "".join(w[5] for w in words), min((w[4] for w in words), default=0.0)


def _tesseract_words(image, *options) -> list[tuple[int, int, int, int, float, str]]:
    import cv2
    _ok, encoded = cv2.imencode(".png", image)
    tsv = subprocess.run(["tesseract", "stdin", "stdout", *options, "tsv"], input=encoded.tobytes(),
                         capture_output=True, check=True).stdout.decode("utf-8")
    words = []
    for line in tsv.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) >= 12 and fields[11].strip() and float(fields[10]) >= 0:
            words.append((*map(int, fields[6:10]), float(fields[10]) / 100, fields[11]))
    return words


if __name__ == "__main__":
    main()
