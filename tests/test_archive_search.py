"""archive.search: Chinese terms of any length up to MAX_TERM find the reports holding them."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils

from archive.search import MAX_TERM, segment
from archive_crawl import make_archive

TERMS = ("复议", "行政复议", "依申请公开", "罗山县", "县", "2021年", "罗山县人民政府")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    _, db_path, _, _ = make_archive(tmp_path_factory.mktemp("search"))
    return db_path


def containing(db_path, term) -> set[int]:
    """Ids of the reports whose title or text contains ``term``, by plain substring."""
    rows = sqlite3.connect(db_path).execute("select id, title, text from reports")
    return {id for id, title, text in rows if term in (title or "") + (text or "")}


def test_segment_gives_every_substring_up_to_max_term():
    grams = segment("依申请公开，罗山县").split()
    assert "依申请公开" in grams and "申请" in grams and "罗山县" in grams and "县" in grams
    assert "公开罗" not in grams  # punctuation breaks runs
    long = "政府信息公开工作年度报告"
    assert long[:MAX_TERM] in segment(long).split() and long not in segment(long).split()
    assert segment("ipv6 升级") == "ipv6 升 升级 级" and segment(None) == ""


@pytest.mark.parametrize("term", TERMS)
def test_plain_sqlite_match(db_path, term):
    found = {id for (id,) in sqlite3.connect(db_path).execute(
        "select rowid from reports_fts where reports_fts match ?", [f'"{term}"'])}
    assert found == containing(db_path, term) and found


def test_search_discriminates(db_path):
    assert len(containing(db_path, "罗山县")) == 1
    assert containing(db_path, "复议") != containing(db_path, "县")


@pytest.mark.parametrize("term", ("复议", "行政复议", "罗山县"))
def test_sqlite_utils_search(db_path, term):
    db = sqlite_utils.Database(db_path)
    assert {r["id"] for r in db["reports"].search(term)} == containing(db_path, term)
    cli = subprocess.run([sys.executable, "-m", "sqlite_utils", "search", str(db_path), "reports", term,
                          "-c", "id", "--csv"], capture_output=True, text=True, check=True)
    assert {int(line) for line in cli.stdout.split()[1:]} == containing(db_path, term)


def test_two_words_must_both_occur(db_path):
    db = sqlite_utils.Database(db_path)
    both = containing(db_path, "罗山县") & containing(db_path, "复议")
    assert {r["id"] for r in db["reports"].search('"罗山县" "复议"')} == both
