"""The 13 real page dumps read by ``nianbao``'s extractor, cell by cell, against the truth
read by hand (``fixtures/extract/page-dumps/<name>.json``, see SOURCES.md there).

The reader splits glued figures only by the format's sums, so two kinds of cells the person
decided are null here, each with its reason, and are written out below:

* ``BY_READING``: a row of table 2 (no sums) whose digits fit several splits; the person
  split it by the report's prose (SOURCES.md, ``split_by_reading``), or by taking every cell
  as printed: "107" is 1|0|7 to a reader who knows no cell is blank, but a blank cell prints
  nothing in a dump, so 10|7|(blank) fits as well;
* ``BREAKS_ITS_SUM``: a glued row of table 3 whose printed 总计 is not the sum of its
  applicants (the report breaks ``applicants_sum`` there), so no split fits.

Every other cell must be exactly the truth, every identity check ``passed: true`` except
the ones that need those null cells (``passed: null``), and none ``false``.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import extract_file
from extract import standard_format as sf

DUMPS = Path(__file__).parent / "fixtures" / "extract" / "page-dumps"
NAMES = sorted(p.stem for p in DUMPS.glob("*.txt"))

BY_READING = {
    "pingtan-guozi-2020": ["active.normative_documents"],  # 7713: 7|7|13 or 77|1|3 …
    "pingtan-nongye-2025": ["active.normative_documents"],  # 8028: 8|0|28 or 80|2|8
    "pingtan-zongzhi-2019": ["active.penalties",  # the decisions cell of a glued row
                             "active.coercion"],  # 4205: 4|20|5 or 4|205|(blank)
    # one split of figures, another with a blank cell
    "pingtan-jinjing-2022": ["active.normative_documents"],  # 107: 1|0|7 or 10|7|(blank)
    "pingtan-junshan-2019": ["active.normative_documents"],  # 999: 9|9|9 or 9|99|(blank)
    "pingtan-shehui-2020": ["active.normative_documents",  # 888: 8|8|8 or 8|88|(blank)
                            "active.penalties"],  # 0740: 0|7|40 or 0|740|(blank)
    "pingtan-suping-2020": ["active.other_services"],  # 110: 1|1|0 or 1|10|(blank)
}
BREAKS_ITS_SUM = {
    "pingtan-haitan-2025": ["requests.new_received", "requests.partially_disclosed",
                            "requests.unavailable.not_held", "requests.handled_total"],
    "pingtan-nongye-2025": ["requests.new_received", "requests.disclosed",
                            "requests.unavailable.not_held", "requests.handled_total"],
}


def truth(name: str) -> dict:
    return json.loads((DUMPS / f"{name}.json").read_text(encoding="utf-8"))


def keys_of(stems: list[str], version: str) -> set[str]:
    return {k for k in sf.keys(version) for stem in stems if k.rsplit(".", 1)[0] == stem}


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_of_a_real_page_dump_as_read_by_hand(name):
    expected = truth(name)
    record = extract_file(DUMPS / f"{name}.txt")
    version = expected["format_version"]
    assert record["errors"] == [] and record["format_version"] == version
    by_reading = keys_of(BY_READING.get(name, []), version) & {k for k, v in expected["figures"].items()
                                                             if v is not None}
    breaks = keys_of(BREAKS_ITS_SUM.get(name, []), version)
    for key in by_reading | breaks:
        assert record["figures"][key] is None, key
        assert "not guessed" in record["null_reasons"][key], key
    assert {c["name"] for c in record["checks"] if c["passed"] is False} == set()
    for key, value in expected["figures"].items():
        if key not in by_reading | breaks:
            assert record["figures"][key] == value, key
            assert (key in record["null_reasons"]) == (value is None), key
    undecided = {c["name"] for c in record["checks"] if c["passed"] is None}
    assert undecided == {c["name"] for c in record["checks"] if set(c["keys"]) & (by_reading | breaks)
                         or any(expected["figures"][k] is None for k in c["keys"])}


def test_the_cells_left_null_are_the_ones_the_truth_says_need_more_than_the_sums():
    """The exceptions above are the truth file's own: prose-decided splits and broken row sums."""
    for name in NAMES:
        expected = truth(name)
        stems = {k.rsplit(".", 1)[0] for k in expected["split_by_reading"]}
        assert stems <= set(BY_READING.get(name, [])), name
        broken_rows = {i.removeprefix("applicants_sum.") for i in expected["broken_identities"]
                       if i.startswith("applicants_sum.")}
        assert {s.removeprefix("requests.") for s in BREAKS_ITS_SUM.get(name, [])} == broken_rows, name
