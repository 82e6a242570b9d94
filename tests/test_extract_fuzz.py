"""Fuzzing every reader (hypothesis, derandomized, a fixed number of examples per reader).

Inputs: real documents (tests/fixtures/extract) and small generated ones, mutated (bytes flipped,
inserted, deleted, repeated, cut; tokens that matter to the format spliced in; for DOCX and XLSX,
the XML inside the package mutated and the package rebuilt), and random bytes under every name.
The property: ``extract_document`` returns a well-formed, JSON-serialisable record, within
seconds; no error of stage ``extract`` (an exception no reader expected: a bug); and on random
bytes, no figure. DOC, WPS and RTF reach LibreOffice only through sniffing: the conversion is
replaced by a stub here (LibreOffice is slow, and not ours to fuzz), so what is fuzzed is the
sniffing and the guards in front of it.

Inputs that once failed are kept in tests/fixtures/extract/fuzz/ and replayed by
``test_inputs_that_once_failed_are_read``.
"""
from __future__ import annotations

import io
import json
import signal
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import extract.convert
from extract import extract_document
from extract.grid import ReadError
from tests import hostile_documents

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
FUZZ_FIXTURES = FIXTURES / "fuzz"
STAGES = {"detect", "read", "decode", "html", "mhtml", "pdf", "docx", "convert", "xlsx", "xls"}
SECONDS_PER_DOCUMENT = 20  # a hang guard, far above any example's time (a few hundred ms)
FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def budget(examples: int) -> settings:
    """The fuzz settings with a fixed number of examples: the same inputs on every run."""
    return settings(FUZZ, max_examples=examples)
# Tokens that steer a reader somewhere interesting when spliced into a document.
TOKENS = [b"<", b">", b"&", b"\"", b"</", b"/>", b"<table>", b"<tr><td rowspan=99999>", b"colspan=-1", b"<br>",
          b"<w:tbl>", b"<w:gridSpan w:val=\"99999\"/>", b"<w:vMerge/>", b"r=\"XFD1048576\"", b"r=\"A0\"",
          b"<mergeCell ref=\"A1:XFD1048576\"/>", b"t=\"s\"", b"<v>99999999</v>", b"obj", b"endobj", b"stream",
          b"/Count 99999999", b"/Kids [1 0 R]", b" 0 R", b"0 0 m 9e9 9e9 l S", b"/FlateDecode", b"%%EOF",
          b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"9" * 40, b"-1", "一、总体情况".encode(), "本年新收政府信息公开申请数量".encode()]


def _seed(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@st.composite
def mutated(draw, seed: bytes, keep_length: bool = False) -> bytes:
    """``seed`` with one to eight mutations, at positions spread evenly over it (hypothesis on its
    own favours small integers, which would keep every mutation near the start). ``keep_length``:
    bytes are only flipped or overwritten, so a PDF's cross-reference offsets stay right and the
    damage reaches the page interpreters instead of failing the whole file."""
    rng = draw(st.randoms(use_true_random=False))
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(data) + 1)
        operation = rng.choice(["flip", "overwrite"] if keep_length else
                               ["flip", "insert", "token", "delete", "repeat", "cut"])
        if operation == "flip" and at < len(data):
            data[at] ^= 1 << rng.randrange(8)
        elif operation == "overwrite":
            token = rng.choice(TOKENS)[:len(data) - at]
            data[at:at + len(token)] = token
        elif operation == "insert":
            data[at:at] = rng.randbytes(rng.randint(1, 16))
        elif operation == "token":
            data[at:at] = rng.choice(TOKENS)
        elif operation == "delete":
            del data[at:at + rng.randint(1, 64)]
        elif operation == "repeat":
            data[at:at] = bytes(data[at:at + rng.randint(1, 64)]) * rng.randint(2, 50)
        elif operation == "cut" and rng.random() < 0.3:  # most documents are kept whole
            del data[max(at, 1):]
    return bytes(data)


@st.composite
def mutated_package(draw, seed: bytes) -> bytes:
    """A ZIP package with one of its parts mutated, rebuilt (byte flips in a ZIP mostly just fail
    its CRC: mutating the XML inside reaches the readers)."""
    with zipfile.ZipFile(io.BytesIO(seed)) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    name = draw(st.sampled_from(sorted(parts)))
    parts[name] = draw(mutated(parts[name]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for part, content in parts.items():
            package.writestr(part, content)
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_libreoffice(monkeypatch):
    """DOC/WPS/RTF stop at the conversion: sniffing and guards are fuzzed, not LibreOffice."""
    def not_converted(data: bytes, kind: str, timeout: float = 0) -> bytes:
        raise ReadError("convert", f"{kind.upper()} not converted in the fuzz test")
    monkeypatch.setattr(extract.convert, "to_docx", not_converted)


class TookTooLong(Exception):
    pass


def _alarm(signum, frame):
    raise TookTooLong()


def check(data: bytes, filename: str, media_type: str | None = None, garbage: bool = False) -> dict:
    """Extract ``data`` and check the record: well-formed, no unexpected error, in bounded time."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SECONDS_PER_DOCUMENT)
    start = time.monotonic()
    try:
        record = extract_document(data, filename=filename, media_type=media_type)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - start < SECONDS_PER_DOCUMENT
    json.dumps(record)
    for problem in record["errors"] + record["warnings"]:
        assert set(problem) == {"stage", "message"} and isinstance(problem["message"], str) and problem["message"]
    unexpected = [e for e in record["errors"] if e["stage"] not in STAGES]
    assert not unexpected, unexpected
    for key, value in record["figures"].items():
        assert value is None or record["cells"][key] is not None  # a figure is read from a printed cell
    if garbage:
        assert not any(v is not None for v in record["figures"].values())
    return record


SEEDS = {
    "html": ("luoshan-2021-gbk.html", "text/html"),
    "text": ("seed-report-luoshan-2021.txt", "text/plain"),
    "pdf": ("huaian-hongze-district-gov-2023.pdf", "application/pdf"),
    "xls": ("luoshan-2021-tables.xls", "application/vnd.ms-excel"),
    "doc": ("luoshan-2021-filled-template.doc", "application/msword"),
}


@pytest.mark.parametrize("kind, examples", [("html", 120), ("text", 80), ("pdf", 40), ("xls", 60), ("doc", 60)])
def test_mutated_real_documents(kind, examples):
    name, media_type = SEEDS[kind]

    @budget(examples)
    @given(data=st.booleans().flatmap(lambda keep: mutated(_seed(name), keep_length=keep and kind == "pdf")),
           named=st.booleans())
    def fuzz(data, named):
        check(data, name if named else "document", media_type if named else None)

    fuzz()


@pytest.mark.parametrize("name, examples", [("template-2021-format-blank.docx", 50),
                                            ("luoshan-2021-tables.xlsx", 50)])
def test_mutated_packages(name, examples):
    @budget(examples)
    @given(data=mutated_package(_seed(name)))
    def fuzz(data):
        check(data, name)

    fuzz()


GENERATED = {
    "pdf": lambda: hostile_documents.pdf_pages(count=2),  # uncompressed content: mutations reach the interpreters
    "mhtml": hostile_documents.mhtml_as_doc,
    "html_as_doc": hostile_documents.html_as_doc,
    "rtf_as_doc": hostile_documents.rtf_as_doc,
    "xlsx": hostile_documents.xlsx_sheet_corners,
}


@pytest.mark.parametrize("kind, filename, examples", [("pdf", "report.pdf", 60), ("mhtml", "report.doc", 60),
                                                      ("html_as_doc", "report.doc", 40),
                                                      ("rtf_as_doc", "report.doc", 30), ("xlsx", "report.xlsx", 40)])
def test_mutated_generated_documents(kind, filename, examples):
    seed = GENERATED[kind]()
    document = mutated_package(seed) if kind == "xlsx" else mutated(seed, keep_length=kind == "pdf")

    @budget(examples)
    @given(data=document)
    def fuzz(data):
        check(data, filename, "application/msword" if filename.endswith(".doc") else None)

    fuzz()


NAMES = ["report.doc", "report.wps", "report.rtf", "report.pdf", "report.docx", "report.xlsx", "report.xls",
         "report.html", "report.txt", "report"]


@budget(150)
@given(data=st.one_of(st.binary(min_size=1, max_size=4096),
                      st.binary(min_size=1, max_size=4096).map(lambda b: bytes(x | 0x80 for x in b)),
                      st.tuples(st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"{\\rtf1",
                                                 b"<html>", b"MIME-Version: 1.0\r\n"]),
                                st.binary(max_size=2048)).map(b"".join)),
       filename=st.sampled_from(NAMES))
def test_random_bytes_under_any_name_give_no_figure(data, filename):
    check(data, filename, garbage=True)


@pytest.mark.parametrize("path", sorted(FUZZ_FIXTURES.glob("*")), ids=lambda p: p.name)
def test_inputs_that_once_failed_are_read(path):
    record = check(path.read_bytes(), path.name.split("--")[-1])
    assert record["errors"] or record["text"]
