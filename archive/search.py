"""Chinese full-text search that works in stock SQLite, Datasette and sqlite-utils.

The problem: SQLite's ``unicode61`` tokenizer splits text only at spaces and
punctuation, so a Chinese sentence such as ``依法做好依申请公开工作`` is one
token and a search for ``依申请公开`` finds nothing. The ``trigram`` tokenizer
finds substrings of three or more characters but nothing shorter, and most
Chinese words (复议, 诉讼, 公开) are two characters.

The mechanism: ``reports_fts`` is an FTS5 index with the stock ``unicode61``
tokenizer, but what we feed it for each report is not the raw text: it is every
run of 1 to ``MAX_TERM`` consecutive characters ("n-grams") of the title and
text, written out as space-separated words (see :func:`segment`). A query like
``行政复议`` is, to ``unicode61``, a single token, and that token is now in the
index exactly when the report contains those four characters. So the query needs
no rewriting at all: Datasette's ``?_search=`` box (which quotes each
space-separated word with ``escape_fts``), ``?_searchmode=raw``,
``sqlite-utils search`` and plain ``... MATCH '复议'`` in the sqlite3 shell all
work, with no plugin or custom tokenizer. ``reports_fts`` declares
``content="reports"``, so Datasette and sqlite-utils find it for the ``reports``
table on their own, and reading its columns returns the real title and text.

The trade-off:

* Size: the index holds about ``MAX_TERM`` tokens per character, 5 to 10 times
  the UTF-8 size of the text (8.5 times on the demo archive: 1.7 MB of index for
  200 KB of text).
* Length: a term longer than ``MAX_TERM`` characters without a space finds
  nothing; search ``淮安市洪泽区 人民政府`` (both words must occur) instead of
  ``淮安市洪泽区人民政府``. Runs of Latin letters and digits count as one
  character, so ``2021年`` and ``ipv6`` are short terms.
* Phrases across punctuation: ``“三公”经费`` is two tokens to ``unicode61``,
  so it becomes a phrase that the n-gram stream rarely matches; type
  ``三公 经费`` instead.
* The index is fed by hand: SQLite's ``'rebuild'`` command (or
  ``sqlite-utils rebuild-fts``) would re-index the raw text and break Chinese
  search; rebuild with :func:`index_report` instead. Reports are only ever
  inserted, never updated, so the index never needs a ``'delete'``.

A custom tokenizer (jieba, or a bigram tokenizer loaded as an extension) would
give a smaller index and ranking by words, but would make the archive
unreadable without that extension; that is later work.
"""
from __future__ import annotations

import re

MAX_TERM = 8

FTS_TABLE = "reports_fts"
FTS_COLUMNS = ("title", "text")

# What unicode61 treats as one token: letters and digits, no underscore.
_RUN = re.compile(r"[^\W_]+")
# Inside a run, each CJK character is a unit; so is each run of other letters/digits.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_UNIT = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


def segment(text: str | None) -> str:
    """Every 1..MAX_TERM-unit substring of each word run of ``text``, space-separated.

    >>> segment("行政复议、诉讼")
    '行 行政 行政复 行政复议 政 政复 政复议 复 复议 议 诉 诉讼 讼'
    >>> segment("2021年")
    '2021 2021年 年'
    """
    grams = []
    for run in _RUN.findall(text or ""):
        units = _UNIT.findall(run)
        for start in range(len(units)):
            for end in range(start + 1, min(start + MAX_TERM, len(units)) + 1):
                grams.append("".join(units[start:end]))
    return " ".join(grams)


def create_index(db) -> None:
    """Create the ``reports_fts`` index for the ``reports`` table if it is missing."""
    columns = ", ".join(FTS_COLUMNS)
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS [{FTS_TABLE}] USING fts5("
        f'{columns}, content="reports", content_rowid="id", tokenize="unicode61")'
    )


def index_report(db, report_id: int, title: str | None, text: str | None) -> None:
    """Add one report to the search index (call once, right after inserting it)."""
    db.execute(
        f"INSERT INTO [{FTS_TABLE}] (rowid, title, text) VALUES (?, ?, ?)",
        (report_id, segment(title), segment(text)),
    )
