"""The hand-read truth of the 13 real page dumps is complete and consistent with the dumps.

``tests/fixtures/extract/page-dumps/<name>.json`` holds, for each dump, every cell of its tables
as read by a person from the text (see SOURCES.md there). These tests judge the truth files, not
nianbao's reader: every key of the format version is present; each value is a non-negative number
or null with a note naming its row; the digits written out, in column order, are exactly the
digits the dump prints after each row label (so no transcription slip, and no number that is
not printed); the format's identities hold except those the printed report itself breaks, which
are listed; the metadata is stated in the report's own text.

The digit comparison only slices the text at the format's row labels: it never splits a glued
run of digits into cells, so it cannot stand in for the reader the truth is meant to judge.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extract import standard_format as sf
from extract.checks import identity_checks

DUMPS = Path(__file__).parent / "fixtures" / "extract" / "page-dumps"
NAMES = sorted(p.stem for p in DUMPS.glob("*.txt"))
MONEY_UNITS = ("万元", "元")


def load(name: str) -> dict:
    return json.loads((DUMPS / f"{name}.json").read_text(encoding="utf-8"))


def body_without_spaces(name: str) -> str:
    """The report text after the archive's header, whitespace removed (cells stay in order)."""
    text = (DUMPS / f"{name}.txt").read_text(encoding="utf-8")
    return re.sub(r"\s", "", text.split("==== 正文 ====", 1)[1])


def printed(values: list) -> str:
    """Cells written one after another as a page dump glues them."""
    return "".join(str(v) for v in values)


def leading_figures(text: str) -> str:
    return re.match(r"[\d.]*", text).group(0)


def test_one_truth_file_per_dump():
    assert len(NAMES) == 13
    assert sorted(p.stem for p in DUMPS.glob("*.json")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_key_of_the_version_with_a_number_or_a_null_with_its_reason(name):
    truth = load(name)
    assert truth["file"] == f"{name}.txt"
    version = truth["format_version"]
    assert version in sf.VERSIONS
    assert list(truth["figures"]) == list(sf.keys(version))
    notes = " ".join(truth["notes"])
    for cell in sf.cells(version):
        value = truth["figures"][cell.key]
        if value is None:
            label = re.sub(r"^[一二三四五六七八九十、（）()\d.]+", "", cell.row_label)
            assert label in notes and "null" in notes, f"{cell.key} is null without a note on {label}"
        elif cell.unit in MONEY_UNITS:
            assert isinstance(value, (int, float)) and value >= 0, cell.key
        else:
            assert isinstance(value, int) and value >= 0, cell.key
    for key in truth["split_by_reading"]:
        assert truth["figures"][key] is not None, key


@pytest.mark.parametrize("name", NAMES)
def test_identities_hold_except_where_the_printed_report_breaks_them(name):
    truth = load(name)
    checks = identity_checks(truth["figures"], truth["format_version"])
    assert sorted(c["name"] for c in checks if c["passed"] is False) == sorted(truth["broken_identities"])
    for check in checks:
        if check["passed"] is None:  # only where a cell the document does not give is null
            assert check["missing"] and all(truth["figures"][k] is None for k in check["missing"])
    notes = " ".join(truth["notes"])
    for broken in truth["broken_identities"]:
        assert broken in notes, f"{broken} listed as broken without a note"


@pytest.mark.parametrize("name", NAMES)
def test_table_3_and_4_digits_are_the_dumps_own(name):
    truth, body = load(name), body_without_spaces(name)
    figures = truth["figures"]
    rows = sf.TABLE3_ROWS[truth["format_version"]]
    cursor = body.index("申请人情况")
    starts = []
    for row in rows:
        cursor = body.index(row.label, cursor)
        starts.append(cursor)
        cursor += len(row.label)
    for row, start, end in zip(rows, starts, starts[1:] + [None]):
        segment = body[start + len(row.label):end]
        values = [figures[f"{row.key}.{c.suffix}"] for c in sf.APPLICANT_COLUMNS]
        if None in values:
            continue
        assert leading_figures(segment) == printed(values), row.label
    table4_end = body.index("五、", cursor)
    last_header = body.rindex("总计", cursor, table4_end)
    values = [figures[f"{stem}.{c.suffix}"] for stem, _ in sf.APPEAL_GROUPS for c in sf.APPEAL_OUTCOMES]
    assert body[last_header + len("总计"):table4_end] == printed(values)


@pytest.mark.parametrize("name", NAMES)
def test_table_2_digits_are_the_dumps_own(name):
    truth, body = load(name), body_without_spaces(name)
    start, end = body.index("第二十条"), body.index("申请人情况")
    cursor = start
    for _item, rows, columns in sf.TABLE2[truth["format_version"]]:
        for row in rows:
            values = [truth["figures"][f"{row.key}.{c.suffix}"] for c in columns]
            found = [i for i in (body.find(label, cursor, end) for label in (row.label,) + row.aliases) if i >= 0]
            if not found:  # a row the report does not print at all
                assert values == [None] * len(values), row.label
                continue
            at = min(found)
            label = next(lab for lab in (row.label,) + row.aliases if body.startswith(lab, at))
            cursor = at + len(label)
            assert_figures_printed(leading_figures(body[cursor:]), values, row.label)


def assert_figures_printed(digits: str, values: list, label: str) -> None:
    """The known cells of a row, glued, are its printed digits; where some cells are null (a run
    that fits several splits), the known ones before and after them still begin and end it."""
    if None not in values:
        assert digits == printed(values), label
        return
    first, last = values.index(None), len(values) - values[::-1].index(None)
    assert digits.startswith(printed(values[:first])) and digits.endswith(printed(values[last:])), label


@pytest.mark.parametrize("name", NAMES)
def test_version_and_metadata_as_the_report_states_them(name):
    truth, body = load(name), body_without_spaces(name)
    header_words = [w for w in sf.VERSION_MARKERS[truth["format_version"]] if w in body]
    other = "2019" if truth["format_version"] == "2021" else "2021"
    assert header_words and not any(w in body for w in sf.VERSION_MARKERS[other])
    agency = truth["agency"]
    assert agency and agency in body
    assert f"{truth['year']}年1月1日" in body or str(truth["year"]) in (truth["title"] or "")
    title = truth["title"]
    if title is None:
        assert "title:" in " ".join(truth["notes"])
        return
    assert str(truth["year"]) in title and title.startswith(agency)
    cover_letter = f"{agency}关于报送{title.removeprefix(agency)}的函"
    assert title in body or cover_letter in body
