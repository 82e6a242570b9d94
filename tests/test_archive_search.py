"""archive.search: the n-gram index finds Chinese terms of every length, ranked, in plain SQLite."""
from __future__ import annotations

import doctest
import json
import sqlite3
import subprocess
import sys
import urllib.request
from urllib.parse import urlencode

import pytest
import sqlite_utils

from archive import schema, search
from archive.search import contains_words, fts_query, index_text, is_exact, term_query
from archive_crawl import datasette, make_archive

TERMS = ("县", "复议", "罗山县", "行政复议", "依申请公开", "政府信息公开", "2021年", "罗山县人民政府", "ipv6")


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


def test_index_text_holds_every_ngram_of_up_to_five_characters_once():
    assert set(index_text("复议、诉讼").split()) == {"复", "议", "诉", "讼", "复议", "诉讼"}
    grams = index_text("政府信息公开").split()
    assert len(grams) == len(set(grams)) == 6 + 5 + 4 + 3 + 2 and "政府信息公" in grams and "政府信息公开" not in grams
    assert sorted(index_text("行政复议")) == sorted(index_text("行政复议。行政复议"))  # repeated runs fed once
    assert {"ipv6", "v6", "21年"} <= set(index_text("IPv6，2021年").split())
    assert index_text(None) == "" and index_text("县").split() == ["县"]


def test_queries():
    assert term_query("行政复议") == '"行政复议"' and term_query("县") == '"县"'
    assert term_query("依申请公开") == '"依申请公开"'
    assert term_query("政府信息公开") == '"政府信息公" "府信息公开"'
    assert term_query("公开公开公开公") == '"公开公开公" "开公开公开"'  # each token once
    assert term_query("复议、IPv6") == '"复议" "ipv6"'
    assert term_query('"') is None and term_query("、") is None
    assert fts_query("罗山县  复议") == '"罗山县" "复议"'
    assert fts_query('"罗山县" 复 ') == '"罗山县" "复"'
    assert fts_query("") == fts_query("，") == '""'


def test_which_queries_are_exact():
    assert is_exact("县 复议 罗山县 行政复议 依申请公开 IPv6") and is_exact("")
    assert not is_exact("政府信息公开") and not is_exact("复议、诉讼") and not is_exact('"罗山县 复议"')
    assert contains_words("罗山县 ipv6", "罗山县报告", "支持IPv6") and not contains_words("罗山县 复议", "罗山县", "")
    assert contains_words('"复议、诉讼" ，', "", "行政复议，诉讼") and not contains_words("依申请公开", "", "依申请，公布")


@pytest.mark.parametrize("term", TERMS)
def test_plain_sqlite_match(db_path, term):
    found = set(matching(db_path, fts_query(term)))
    assert found == containing(db_path, term) if is_exact(term) else found >= containing(db_path, term)


@pytest.mark.parametrize("term", TERMS)
def test_ranked_search_finds_exactly_the_reports_holding_the_term(db_path, term):
    hits = search.search(sqlite_utils.Database(db_path), term, limit=100)
    assert {hit["id"] for hit in hits} == containing(db_path, term) and hits


def test_search_discriminates(db_path):
    assert len(containing(db_path, "罗山县")) == 1 and containing(db_path, "2021年")
    assert containing(db_path, "复议") != containing(db_path, "县")
    assert matching(db_path, fts_query("罗山县 复议")) == list(containing(db_path, "罗山县") & containing(db_path, "复议"))
    assert matching(db_path, fts_query("所有报告都没有的词")) == []


@pytest.mark.parametrize("term", ("县", "复议", "罗山县", "行政复议", "依申请公开"))
def test_sqlite_utils_search_up_to_five_characters_as_typed(db_path, term):
    db = sqlite_utils.Database(db_path)
    assert {r["id"] for r in db["reports"].search(term)} == containing(db_path, term)


def sqlite_utils_cli_search(db_path, query) -> list[int]:
    cli = subprocess.run([sys.executable, "-m", "sqlite_utils", "search", str(db_path), "reports", query,
                          "-c", "id", "--csv"], capture_output=True, text=True, check=True)
    return [int(line) for line in cli.stdout.split()[1:]]


@pytest.mark.parametrize("term", ("复议", "行政复议", "依申请公开", "罗山县"))  # the terms the issue names
def test_sqlite_utils_cli_as_typed(db_path, term):
    found = sqlite_utils_cli_search(db_path, term)
    assert set(found) == containing(db_path, term)
    rank = dict(sqlite3.connect(db_path).execute(
        "select rowid, rank from reports_fts where reports_fts match ?", [f'"{term}"']).fetchall())
    assert [rank[id] for id in found] == sorted(rank.values())  # best (lowest bm25) first


@pytest.mark.parametrize("term", ("县", "政府信息公开", "罗山县人民政府"))
def test_sqlite_utils_cli_with_the_rewritten_query(db_path, term):
    query = subprocess.run([sys.executable, "-m", "archive.search", term], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert set(sqlite_utils_cli_search(db_path, query)) == containing(db_path, term)


def ranked(texts: dict[str, tuple[str, str]], query: str) -> list[str]:
    """Names of the reports ``{name: (title, text)}`` that match, best first."""
    db, names = small_archive(texts)
    return [names[row["id"]] for row in db["reports"].search(fts_query(query))]


def small_archive(texts: dict[str, tuple[str, str]], path=None) -> tuple[sqlite_utils.Database, dict[int, str]]:
    """An archive (in memory, or at ``path``) of the reports ``{name: (title, text)}``, indexed; and
    their names by id."""
    db = sqlite_utils.Database(path) if path else sqlite_utils.Database(memory=True)
    schema.create(db)
    names = {db["reports"].insert({"title": title, "text": text}).last_pk: name
             for name, (title, text) in texts.items()}
    search.index_reports(db)
    db.conn.commit()
    return db, names


def test_ranked_by_bm25_title_first():
    filler = "本年度依法做好政府信息公开工作。" * 40
    # A term's frequency counts the distinct clauses holding it: a repeated clause counts once.
    often = "收到行政复议申请。行政复议维持。行政复议纠正。行政复议尚未审结。" * 3
    texts = {"once": ("年度报告", filler + "收到行政复议申请。" * 5),
             "often": ("年度报告", often + filler),
             "title": ("行政复议情况", filler),
             "none": ("年度报告", filler)}
    assert ranked(texts, "行政复议") == ["title", "often", "once"]
    assert ranked(texts, "复") == ["title", "often", "once"]
    db, names = small_archive(texts)  # the ranked search (nianbao search) keeps bm25's order
    assert [names[hit["id"]] for hit in search.search(db, "行政复议")] == ["title", "often", "once"]


# Both five-grams of 政府信息公开 occur in "pieces", the whole term only in "whole".
PIECES = {"pieces": ("年度报告", "政府信息公布。本府信息公开。"),
          "whole": ("年度报告", "政府信息公开的信息。"),
          "neither": ("年度报告", "主动公开的信息。")}


def test_a_longer_term_is_checked_whole_by_the_ranked_search():
    assert sorted(ranked(PIECES, "政府信息公开")) == ["pieces", "whole"]  # the index query: a superset
    db, names = small_archive(PIECES)
    assert [names[hit["id"]] for hit in search.search(db, "政府信息公开")] == ["whole"]
    assert sorted(names[hit["id"]] for hit in search.search(db, "府信息公开")) == ["pieces", "whole"]


def test_a_longer_term_in_datasette(tmp_path):
    """The ranked search page checks the whole term; the table view's ``?_search=`` gives the index's superset."""
    _, names = small_archive(PIECES, tmp_path / "archive.db")

    def get(base, path, **params):
        with urllib.request.urlopen(f"{base}{path}?{urlencode({**params, '_shape': 'array'})}", timeout=10) as r:
            return [names[row["id"]] for row in json.loads(r.read())]

    with datasette(tmp_path / "archive.db") as base:
        assert get(base, "/archive/search.json", q="政府信息公开") == ["whole"]
        assert sorted(get(base, "/archive/reports.json", _search="政府信息公开")) == ["pieces", "whole"]


# The shapes reports_fts had before: unicode61 without n-grams, the bigram stream, the 1-4-gram stream.
OLDER_INDEXES = ('create virtual table reports_fts using fts5(title, text, content="reports", content_rowid="id")',
                 'CREATE VIRTUAL TABLE [reports_fts] USING fts5(title, text, content="reports", content_rowid="id", '
                 "tokenize=\"unicode61\", prefix='1')",
                 'CREATE VIRTUAL TABLE [reports_fts] USING fts5(title, text, content="reports", content_rowid="id", '
                 'tokenize="ascii")')


@pytest.mark.parametrize("older", OLDER_INDEXES)
def test_an_older_index_is_replaced_and_filled(tmp_path, older):
    db = sqlite_utils.Database(tmp_path / "old.db")
    schema.create(db)
    db["reports"].insert({"title": "罗山县报告", "text": "依申请公开"})
    db.execute("drop table reports_fts")
    db.execute(older)
    schema.create(db)
    assert [r["title"] for r in db["reports"].search("罗山县")] == ["罗山县报告"]
    assert [r["title"] for r in db["reports"].search("依申请公开")] == ["罗山县报告"]


def test_docstring_examples():
    assert doctest.testmod(search).failed == 0
