"""Shared data for the extract tests: fixture paths and the expected cells of each input.

Every expected cell is written out below, row by row in printed order (table 3 rows as the
seven applicant columns 自然人 … 总计; table 4 as three groups of 维持 纠正 其他 尚未审结 总计).
The values were read off the documents themselves (the seed text; the real PDFs rendered
with pdftoppm and read by eye). Also ``docx_to_doc`` and ``docx_to_pdf``, which have
LibreOffice write Word 97–2003 files and PDFs for the tests. No tests here: the test files import this module.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from extract import convert
from extract import standard_format as sf

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
SEED = FIXTURES / "seed-report-luoshan-2021.txt"
TEMPLATE = FIXTURES / "template-2021-format-blank.docx"


def expand(version: str, table2: dict, table3: dict, table4: dict) -> dict[str, str | None]:
    """Compact rows → {canonical key: printed text}, checking every key of ``version`` is given."""
    out: dict[str, str | None] = {}
    for _item, rows, columns in sf.TABLE2[version]:
        for row in rows:
            out.update(zip((f"{row.key}.{c.suffix}" for c in columns), table2[row.key.removeprefix("active.")]))
    for row in sf.TABLE3_ROWS[version]:
        values = table3[row.key.removeprefix("requests.")]
        if values is not None:
            out.update(zip((f"{row.key}.{c.suffix}" for c in sf.APPLICANT_COLUMNS), values))
        else:
            out.update({f"{row.key}.{c.suffix}": None for c in sf.APPLICANT_COLUMNS})
    for stem, _label in sf.APPEAL_GROUPS:
        out.update(zip((f"{stem}.{o.suffix}" for o in sf.APPEAL_OUTCOMES), table4[stem.removeprefix("appeals.")]))
    assert set(out) == set(sf.keys(version))
    return out


# ------------------------------------------------------------------ the seed (罗山县 2021)
SEED_CELLS = expand("2021", {
    "rules": ("0", "0", "0"),
    "normative_documents": ("5", "0", "23"),
    "licensing": ("9827",),
    "penalties": ("1252",),
    "coercion": ("608",),
    "fees": ("2126",),
}, {
    "new_received": ("48", "0", "0", "0", "0", "0", "48"),
    "carried_over": ("0", "0", "0", "0", "0", "0", "0"),
    "disclosed": ("42", "0", "0", "0", "0", "0", "42"),
    "partially_disclosed": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.state_secret": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.prohibited_by_law": ("6", "0", "0", "0", "0", "0", "6"),
    "withheld.security_stability": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.third_party_rights": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.internal_affairs": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.process_information": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.enforcement_files": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.inquiry_matters": ("0", "0", "0", "0", "0", "0", "0"),
    "unavailable.not_held": ("0", "0", "0", "0", "0", "0", "0"),
    "unavailable.needs_creation": ("0", "0", "0", "0", "0", "0", "0"),
    "unavailable.unclear_after_correction": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.petition_complaint": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.duplicate": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.publications": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.mass_repeated": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.confirm_or_reissue": ("0", "0", "0", "0", "0", "0", "0"),
    "other_handling.overdue_correction": ("0", "0", "0", "0", "0", "0", "0"),
    "other_handling.unpaid_fees": ("0", "0", "0", "0", "0", "0", "0"),
    "other_handling.other": ("0", "0", "0", "0", "0", "0", "0"),
    "handled_total": ("48", "0", "0", "0", "0", "0", "48"),
    "carried_forward": ("0", "0", "0", "0", "0", "0", "0"),
}, {
    "review": ("0", "0", "0", "0", "0"),
    "litigation_direct": ("3", "0", "0", "0", "3"),
    "litigation_after_review": ("0", "0", "0", "0", "0"),
})

# ------------------------------------------------------------------ 淮安市洪泽区 2023 (PDF)
# Its table 3 prints the 2019-style single （六）其他处理 row (0 … 0) inside a 2021-format
# report, so the three 2021 sub-rows are not printed (None). Its table 4 prints 行政复议
# 总计 0 beside 维持 10 and 纠正 1: a real inconsistency, recorded as printed.
HONGZE_2023_CELLS = expand("2021", {
    "rules": ("0", "0", "0"),
    "normative_documents": ("0", "5", "5"),
    "licensing": ("550",),
    "penalties": ("4119",),
    "coercion": ("195",),
    "fees": ("7730.28",),
}, {
    "new_received": ("21", "0", "0", "0", "0", "0", "21"),
    "carried_over": ("0", "0", "0", "0", "0", "0", "0"),
    "disclosed": ("0", "0", "0", "0", "0", "0", "0"),
    "partially_disclosed": ("4", "0", "0", "0", "0", "0", "4"),
    "withheld.state_secret": ("1", "0", "0", "0", "0", "0", "1"),
    "withheld.prohibited_by_law": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.security_stability": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.third_party_rights": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.internal_affairs": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.process_information": ("1", "0", "0", "0", "0", "0", "1"),
    "withheld.enforcement_files": ("1", "0", "0", "0", "0", "0", "1"),
    "withheld.inquiry_matters": ("0", "0", "0", "0", "0", "0", "0"),
    "unavailable.not_held": ("10", "0", "0", "0", "0", "0", "10"),
    "unavailable.needs_creation": ("3", "0", "0", "0", "0", "0", "3"),
    "unavailable.unclear_after_correction": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.petition_complaint": ("1", "0", "0", "0", "0", "0", "1"),
    "not_processed.duplicate": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.publications": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.mass_repeated": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.confirm_or_reissue": ("0", "0", "0", "0", "0", "0", "0"),
    "other_handling.overdue_correction": None,
    "other_handling.unpaid_fees": None,
    "other_handling.other": None,
    "handled_total": ("21", "0", "0", "0", "0", "0", "21"),
    "carried_forward": ("0", "0", "0", "0", "0", "0", "0"),
}, {
    "review": ("10", "1", "0", "0", "0"),
    "litigation_direct": ("0", "0", "0", "0", "0"),
    "litigation_after_review": ("5", "0", "0", "0", "0"),
})

# ------------------------------------------------------------------ 淮安市洪泽区 2024 (PDF)
HONGZE_2024_CELLS = expand("2021", {
    "rules": ("0", "0", "0"),
    "normative_documents": ("3", "0", "8"),
    "licensing": ("9487",),
    "penalties": ("2776",),
    "coercion": ("84",),
    "fees": ("7545",),
}, {
    "new_received": ("95", "0", "0", "0", "0", "0", "95"),
    "carried_over": ("0", "0", "0", "0", "0", "0", "0"),
    "disclosed": ("50", "0", "0", "0", "0", "0", "50"),
    "partially_disclosed": ("9", "0", "0", "0", "0", "0", "9"),
    "withheld.state_secret": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.prohibited_by_law": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.security_stability": ("1", "0", "0", "0", "0", "0", "1"),
    "withheld.third_party_rights": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.internal_affairs": ("0", "0", "0", "0", "0", "0", "0"),
    "withheld.process_information": ("1", "0", "0", "0", "0", "0", "1"),
    "withheld.enforcement_files": ("1", "0", "0", "0", "0", "0", "1"),
    "withheld.inquiry_matters": ("0", "0", "0", "0", "0", "0", "0"),
    "unavailable.not_held": ("31", "0", "0", "0", "0", "0", "31"),
    "unavailable.needs_creation": ("1", "0", "0", "0", "0", "0", "1"),
    "unavailable.unclear_after_correction": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.petition_complaint": ("1", "0", "0", "0", "0", "0", "1"),
    "not_processed.duplicate": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.publications": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.mass_repeated": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.confirm_or_reissue": ("0", "0", "0", "0", "0", "0", "0"),
    "other_handling.overdue_correction": None,
    "other_handling.unpaid_fees": None,
    "other_handling.other": None,
    "handled_total": ("95", "0", "0", "0", "0", "0", "95"),
    "carried_forward": ("0", "0", "0", "0", "0", "0", "0"),
}, {
    "review": ("1", "1", "0", "0", "2"),
    "litigation_direct": ("1", "0", "0", "0", "1"),
    "litigation_after_review": ("2", "0", "1", "0", "3"),
})

# ------------------------------------------------------------------ 淮安市 2024 (PDF)
HUAIAN_2024_CELLS = expand("2021", {
    "rules": ("1", "0", "11"),
    "normative_documents": ("8", "26", "66"),
    "licensing": ("447228",),
    "penalties": ("3985758",),
    "coercion": ("88283",),
    "fees": ("96171.6",),
}, {
    "new_received": ("3001", "53", "0", "0", "61", "4", "3119"),
    "carried_over": ("34", "0", "0", "0", "0", "0", "34"),
    "disclosed": ("1288", "21", "0", "0", "50", "3", "1362"),
    "partially_disclosed": ("447", "7", "0", "0", "0", "0", "454"),
    "withheld.state_secret": ("2", "0", "0", "0", "0", "0", "2"),
    "withheld.prohibited_by_law": ("30", "1", "0", "0", "0", "0", "31"),
    "withheld.security_stability": ("5", "0", "0", "0", "0", "0", "5"),
    "withheld.third_party_rights": ("6", "0", "0", "0", "0", "0", "6"),
    "withheld.internal_affairs": ("7", "1", "0", "0", "0", "0", "8"),
    "withheld.process_information": ("12", "0", "0", "0", "0", "0", "12"),
    "withheld.enforcement_files": ("9", "0", "0", "0", "0", "0", "9"),
    "withheld.inquiry_matters": ("105", "0", "0", "0", "0", "0", "105"),
    "unavailable.not_held": ("746", "12", "0", "0", "10", "1", "769"),
    "unavailable.needs_creation": ("11", "0", "0", "0", "0", "0", "11"),
    "unavailable.unclear_after_correction": ("1", "0", "0", "0", "0", "0", "1"),
    "not_processed.petition_complaint": ("56", "6", "0", "0", "0", "0", "62"),
    "not_processed.duplicate": ("25", "0", "0", "0", "0", "0", "25"),
    "not_processed.publications": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.mass_repeated": ("0", "0", "0", "0", "0", "0", "0"),
    "not_processed.confirm_or_reissue": ("1", "0", "0", "0", "0", "0", "1"),
    "other_handling.overdue_correction": ("67", "3", "0", "0", "1", "0", "71"),
    "other_handling.unpaid_fees": ("6", "0", "0", "0", "0", "0", "6"),
    "other_handling.other": ("108", "2", "0", "0", "0", "0", "110"),
    "handled_total": ("2932", "53", "0", "0", "61", "4", "3050"),
    "carried_forward": ("103", "0", "0", "0", "0", "0", "103"),
}, {
    "review": ("72", "64", "178", "37", "351"),
    "litigation_direct": ("13", "4", "8", "1", "26"),
    "litigation_after_review": ("12", "1", "1", "6", "20"),
})


def as_number(text: str | None):
    """The figure a printed cell should give: int, float with a decimal point, else None."""
    if text is None:
        return None
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return None


def assert_cells(record: dict, expected: dict[str, str | None]) -> None:
    """Every cell and figure exactly as expected, and a reason for every null figure."""
    assert record["errors"] == []
    wrong = {k: (record["cells"].get(k), v) for k, v in expected.items() if record["cells"].get(k) != v}
    assert wrong == {}, f"cells differ (got, expected): {wrong}"
    figures = {k: as_number(v) for k, v in expected.items()}
    assert record["figures"] == figures
    assert set(record["null_reasons"]) == {k for k, v in figures.items() if v is None}


def docx_to_doc(documents: list[bytes], timeout: float = convert.TIMEOUT) -> list[bytes]:
    """Each DOCX saved as Word 97–2003 by LibreOffice (``export_docx``)."""
    return export_docx(documents, "doc:MS Word 97", "doc", timeout)


def docx_to_pdf(documents: list[bytes], timeout: float = convert.TIMEOUT) -> list[bytes]:
    """Each DOCX exported to PDF by LibreOffice (``export_docx``): the stand-in for a report
    written in Word or WPS and published as the PDF they export."""
    return export_docx(documents, "pdf:writer_pdf_Export", "pdf", timeout)


def export_docx(documents: list[bytes], target: str, suffix: str, timeout: float = convert.TIMEOUT) -> list[bytes]:
    """Each DOCX converted by LibreOffice to ``target`` (a --convert-to filter), all in one call
    so its start-up is paid once. Fails, never skips, when LibreOffice is missing.

    Run like extract/convert.py runs its conversions, reusing its pieces: a temporary
    directory holding profile, HOME and TMPDIR; a time limit that ends every process
    LibreOffice started; and its pipe in /tmp removed even when it was killed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, f"converting DOCX files needs LibreOffice (Debian package {convert.PACKAGE})"
    with tempfile.TemporaryDirectory(prefix="nianbao-test-export-") as tmp:
        work = Path(tmp)
        (work / "tmp").mkdir()
        sources = [work / f"report-{i}.docx" for i in range(len(documents))]
        for source, data in zip(sources, documents):
            source.write_bytes(data)
        profile = (work / "profile").as_uri()
        command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={profile}", "--convert-to", target,
                   "--outdir", str(work / "out"), *map(str, sources)]
        env = {**os.environ, "HOME": tmp, "TMPDIR": str(work / "tmp")}
        try:
            stderr = convert._run(command, env, timeout, "docx")
        finally:
            for pipe in convert.pipe_paths(profile):
                pipe.unlink(missing_ok=True)
        targets = [work / "out" / f"{source.stem}.{suffix}" for source in sources]
        missing = [t.name for t in targets if not t.exists() or t.stat().st_size == 0]
        assert not missing, f"LibreOffice wrote no {missing}: {stderr.strip()}"
        return [t.read_bytes() for t in targets]
