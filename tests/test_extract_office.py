"""Word 97–2003 (.doc) and WPS through LibreOffice, and tables published alone as XLSX/XLS.

The .doc fixture is the official template filled with the seed's numbers, saved as Word 97 by
LibreOffice; the workbooks hold the seed's three tables with their merged cells (see
fixtures/extract/SOURCES.md). LibreOffice starts slowly, so the .doc is converted once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from functools import lru_cache

import pytest

import extract.convert
from extract import extract_document, extract_file
from extract.detect import sniff
from test_extract_support import FIXTURES, SEED_CELLS, assert_cells

DOC = FIXTURES / "luoshan-2021-filled-template.doc"
XLSX = FIXTURES / "luoshan-2021-tables.xlsx"
XLS = FIXTURES / "luoshan-2021-tables.xls"
TITLE = "罗山县人民政府2021年政府信息公开工作年度报告"


@lru_cache(maxsize=None)
def doc_record() -> dict:
    return extract_file(DOC)


def test_doc_every_cell_exact():
    record = doc_record()
    assert record["media_type"] == "doc"
    assert_cells(record, SEED_CELLS)
    assert (record["title"], record["agency"], record["year"], record["format_version"]) == (
        TITLE, "罗山县人民政府", 2021, "2021")
    assert all(c["passed"] for c in record["checks"])


def test_wps_and_rtf_go_through_the_same_conversion(monkeypatch):
    """A WPS file is a Word-97-style OLE file: the same converter, then the DOCX reader."""
    converted = []

    def fake_to_docx(data, kind, timeout=extract.convert.TIMEOUT):
        converted.append(kind)
        from test_extract_docx import filled_template
        return filled_template(SEED_CELLS, TITLE)

    monkeypatch.setattr(extract.convert, "to_docx", fake_to_docx)
    for name in ("report.wps", "report.rtf"):
        data = DOC.read_bytes() if name.endswith(".wps") else b"{\\rtf1 ...}"
        record = extract_document(data, filename=name)
        assert_cells(record, SEED_CELLS)
    assert converted == ["wps", "rtf"]


def test_ole_files_told_apart_by_their_streams():
    data = DOC.read_bytes()
    assert sniff(data) == "doc" and sniff(data, "x.wps") == "wps"
    assert sniff(XLS.read_bytes()) == "xls" and sniff(XLS.read_bytes(), "named.doc") == "xls"
    # cut short, the stream directory (at the end of the file) is gone
    record = extract_document(XLS.read_bytes()[:6000], filename="t.xls")
    assert record["errors"][0]["stage"] == "detect"
    assert record["errors"][0]["message"].startswith("an OLE compound file with no Word document")


def test_missing_converter_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(extract.convert.shutil, "which", lambda _name: None)
    record = extract_document(DOC.read_bytes(), filename="a.doc")
    assert record["errors"] == [{"stage": "convert", "message": "DOC documents are converted by LibreOffice, which is "
                                                                "not installed (Debian package libreoffice-writer-nogui)"}]
    assert record["figures"] == {}


def test_conversion_time_limit_ends_libreoffice():
    with pytest.raises(extract.convert.ReadError, match="did not convert the DOC document within 0.2 s"):
        extract.convert.to_docx(DOC.read_bytes(), "doc", timeout=0.2)


def _pipe(command: list[str]):
    """The pipe LibreOffice makes in /tmp for the profile named on its command line."""
    profile = next(a for a in command if a.startswith("-env:UserInstallation=")).split("=", 1)[1]
    return extract.convert.pipe_paths(profile)[0]


def test_conversion_leaves_nothing_behind(tmp_path, monkeypatch):
    """Profile, HOME and TMPDIR (LibreOffice's lu*.tmp) live in the conversion's own
    temporary directory, and LibreOffice removes its pipe when it ends."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pipes = []
    run = extract.convert._run

    def spy(command, env, timeout, kind):
        pipes.append(_pipe(command))
        assert env["TMPDIR"].startswith(str(tmp_path)) and env["HOME"].startswith(str(tmp_path))
        return run(command, env, timeout, kind)

    monkeypatch.setattr(extract.convert, "_run", spy)
    assert extract.convert.to_docx(DOC.read_bytes(), "doc").startswith(b"PK")
    assert list(tmp_path.iterdir()) == [] and len(pipes) == 1 and not pipes[0].exists()


def test_killed_conversion_leaves_nothing_behind(tmp_path, monkeypatch):
    """LibreOffice killed once running (as at the time limit) leaves its pipe in /tmp,
    named after the profile: the conversion removes it, and its directory with the rest."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pipes = []

    def kill_when_started(command, env, _timeout, _kind):
        pipes.append(_pipe(command))
        process = subprocess.Popen(command, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not pipes[0].exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert pipes[0].exists()
        raise extract.convert.ReadError("convert", "killed")

    monkeypatch.setattr(extract.convert, "_run", kill_when_started)
    with pytest.raises(extract.convert.ReadError, match="killed"):
        extract.convert.to_docx(DOC.read_bytes(), "doc")
    assert list(tmp_path.iterdir()) == [] and not pipes[0].exists()


@pytest.mark.parametrize("path", [XLSX, XLS], ids=["xlsx", "xls"])
def test_workbook_of_tables_every_cell_exact(path):
    record = extract_file(path)
    assert record["media_type"] == path.suffix[1:]
    assert_cells(record, SEED_CELLS)
    assert (record["title"], record["format_version"]) == (TITLE, "2021")
    assert record["sections"] == dict.fromkeys(record["sections"], "")  # tables alone: no prose


def zeroed(data: bytes, start: int, end: int) -> bytes:
    return data[:start] + bytes(end - start) + data[end:]


@pytest.mark.parametrize("data, name, message", [
    (XLSX.read_bytes()[:3000], "t.xlsx", "not a readable XLSX"),
    (zeroed(XLS.read_bytes(), 600, 4000), "t.xls", "not a readable XLS workbook (CompDocError"),
])
def test_damaged_workbook_is_an_error(data, name, message):
    record = extract_document(data, filename=name)
    assert record["errors"][0]["stage"] == name[-4:].lstrip(".") and message in record["errors"][0]["message"]
    assert record["figures"] == {}
