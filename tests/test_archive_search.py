"""archive.search: the bigram index finds Chinese terms of every length, ranked, in plain SQLite."""
from __future__ import annotations

import doctest
import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils

from archive import schema, search
from archive.search import fts_query, index_text, term_query
from archive_crawl import make_archive

TERMS = ("县", "复议", "罗山县", "行政复议", "依申请公开", "2021年", "罗山县人民政府", "ipv6")


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    _, db_path, _, _ = make_archive(tmp_path_factory.mktemp("search"))
    return db_path


def containing(db_path, term) -> set[int]:
    """Ids of the reports whose title or text contains ``term``, by plain substring."""
    rows = sqlite3.connect(db_path).execute("select id, title, text from reports")
    return {id for id, title, text in rows if term.lower() in ((title or "") + (text or "")).lower()}


def matching(db_path, query) -> list[int]:
    return [id for (id,) in sqlite3.connect(db_path).execute(
        "select rowid from reports_fts where reports_fts match ? order by rank", [query])]


def test_index_text_pairs_every_character_with_the_next():
    assert index_text("复议、诉讼").split() == ["复议", "议、", "、诉", "诉讼", "讼"]
    assert index_text(None) == "" and index_text("县").split() == ["县"]


def test_queries():
    assert term_query("行政复议") == '"行政 政复 复议"'
    assert term_query("县") == '"县"*'
    assert term_query('"') is None and term_query("、") is None
    assert fts_query("罗山县  复议") == '"罗山 山县" "复议"'
    assert fts_query('"罗山县" 复 ') == '"罗山 山县" "复"*'
    assert fts_query("") == fts_query("，") == '""'


@pytest.mark.parametrize("term", TERMS)
def test_plain_sqlite_match(db_path, term):
    assert set(matching(db_path, fts_query(term))) == containing(db_path, term)


def test_search_discriminates(db_path):
    assert len(containing(db_path, "罗山县")) == 1 and containing(db_path, "2021年")
    assert containing(db_path, "复议") != containing(db_path, "县")
    assert matching(db_path, fts_query("罗山县 复议")) == list(containing(db_path, "罗山县") & containing(db_path, "复议"))
    assert matching(db_path, fts_query("所有报告都没有的词")) == []


def test_sqlite_utils_search_two_characters_as_typed(db_path):
    db = sqlite_utils.Database(db_path)
    assert {r["id"] for r in db["reports"].search("复议")} == containing(db_path, "复议")


@pytest.mark.parametrize("term", ("县", "行政复议", "罗山县"))
def test_sqlite_utils_cli_with_the_rewritten_query(db_path, term):
    query = subprocess.run([sys.executable, "-m", "archive.search", term], capture_output=True, text=True,
                           check=True).stdout.strip()
    cli = subprocess.run([sys.executable, "-m", "sqlite_utils", "search", str(db_path), "reports", query,
                          "-c", "id", "--csv"], capture_output=True, text=True, check=True)
    assert {int(line) for line in cli.stdout.split()[1:]} == containing(db_path, term)


def ranked(texts: dict[str, tuple[str, str]], query: str) -> list[str]:
    """Names of the reports ``{name: (title, text)}`` that match, best first."""
    db = sqlite_utils.Database(memory=True)
    schema.create(db)
    ids = {db["reports"].insert({"title": title, "text": text}).last_pk: name
           for name, (title, text) in texts.items()}
    search.index_reports(db)
    return [ids[row["id"]] for row in db["reports"].search(fts_query(query))]


def test_ranked_by_bm25_title_first():
    filler = "本年度依法做好政府信息公开工作。" * 40
    texts = {"once": ("年度报告", filler + "收到行政复议申请。"),
             "often": ("年度报告", "行政复议。" * 5 + filler),
             "title": ("行政复议情况", filler),
             "none": ("年度报告", filler)}
    assert ranked(texts, "行政复议") == ["title", "often", "once"]
    assert ranked(texts, "复") == ["title", "often", "once"]


def test_an_older_index_is_replaced_and_filled(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    schema.create(db)
    db["reports"].insert({"title": "罗山县报告", "text": "行政复议"})
    db.execute("drop table reports_fts")
    db.execute('create virtual table reports_fts using fts5(title, text, content="reports", content_rowid="id")')
    schema.create(db)
    assert [r["title"] for r in db["reports"].search(fts_query("罗山县"))] == ["罗山县报告"]


def test_docstring_examples():
    assert doctest.testmod(search).failed == 0
