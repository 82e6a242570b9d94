"""The seed report (罗山县 2021, flattened text with tab-separated tables) read exactly."""
from __future__ import annotations

import pytest

from extract import extract_document, extract_file
from extract import standard_format as sf
from test_extract_support import SEED, SEED_CELLS, assert_cells


@pytest.fixture(scope="module")
def seed():
    return extract_file(SEED)


def test_seed_every_cell_exact(seed):
    assert_cells(seed, SEED_CELLS)


def test_seed_metadata(seed):
    assert seed["media_type"] == "text"
    assert seed["title"] == "罗山县人民政府2021年政府信息公开工作年度报告"
    assert seed["agency"] == "罗山县人民政府"
    assert seed["year"] == 2021
    assert seed["published"] is None  # the seed prints no date
    assert seed["format_version"] == "2021"
    assert seed["source"] == str(SEED)
    assert len(seed["sha256"]) == 64
    assert seed["warnings"] == []


def test_seed_sections(seed):
    sections = seed["sections"]
    assert list(sections) == [key for key, _label, _variants in sf.SECTIONS]
    assert sections["overview"].startswith("2021 年，信息公开办在县政府办公室的领导下")
    # the overview's own numbered sub-headings (一、大力推进…) stay inside it
    assert "三、强力推进政府信息公开工作力度" in sections["overview"]
    assert sections["active_disclosure"].startswith("第二十条第（一）项")
    assert "申请人情况" in sections["requests"]
    assert sections["appeals"].startswith("行政复议")
    assert sections["problems"].startswith("2021年，政务公开工作取得了一定成效")
    assert sections["other"] == "没有"


def test_seed_identities_all_pass(seed):
    assert len(seed["checks"]) == len(sf.identities("2021"))
    assert [c["name"] for c in seed["checks"] if c["passed"] is not True] == []
    balance = next(c for c in seed["checks"] if c["name"] == "balance.total")
    assert (balance["lhs"], balance["rhs"], balance["missing"]) == (48, 48, [])


def test_seed_prose_check_flags_46_against_48(seed):
    assert seed["prose_checks"] == [{
        "phrase": "受理依申请公开事项 46 份", "prose_value": 46, "key": "requests.new_received.total",
        "table_value": 48, "passed": False}]


def test_seed_record_is_json_and_text_kept(seed):
    import json
    assert json.loads(json.dumps(seed, ensure_ascii=False)) == seed
    assert seed["text"] == SEED.read_text(encoding="utf-8")


def test_seed_in_gbk_reads_the_same(seed):
    record = extract_document(SEED.read_text(encoding="utf-8").encode("gb18030"), filename="seed.txt")
    assert record["figures"] == seed["figures"]
    assert record["title"] == seed["title"]
