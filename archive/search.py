"""Chinese full-text search: a bigram index in plain SQLite FTS5, and the query rewrite.

The problem: SQLite's ``unicode61`` tokenizer splits text only at spaces and
punctuation, so ``依法做好依申请公开工作`` is one token and a search for
``依申请公开`` finds nothing; the ``trigram`` tokenizer finds nothing shorter
than three characters, and most Chinese words (复议, 诉讼, 公开) are two.

The index: ``reports_fts`` is an FTS5 table with the stock ``unicode61``
tokenizer, fed not the text but its *bigram stream* (:func:`index_text`): every
pair of neighbouring characters, space-separated. ``行政复议、诉讼`` is fed as
``行政 政复 复议 议、 、诉 诉讼 讼`` and ``unicode61`` keeps pairs of word
characters whole (行政, 复议) and cuts pairs that hold punctuation down to one
character (议、 → 议). So every character of the text starts exactly one token,
in order, and:

* a term of two or more characters is the phrase of its bigrams
  (``行政复议`` → ``"行政 政复 复议"``, three tokens at consecutive positions);
* a one-character term is a prefix query (``县`` → ``"县"*``: every token that
  starts with 县); the ``prefix='1'`` index makes that one lookup.

Letters and digits are paired the same way, so ``2021年`` or ``ipv6`` are found
anywhere, also inside longer words. Ranking is FTS5's ``bm25`` over the bigrams,
with title matches weighted ``TITLE_WEIGHT`` times text matches.

Where the rewrite happens (:func:`fts_query`):

* Datasette: the project's plugin (``archive/plugins/nianbao_search.py``)
  replaces Datasette's ``escape_fts()`` SQL function, which the table search box
  (``?_search=``) goes through, and adds the ranked ``search`` canned query.
* ``sqlite-utils search`` (ranked by bm25): two-character terms work as typed;
  for others pass the rewritten query, printed by ``python -m archive.search``::

      sqlite-utils search nianbao.db reports "$(python -m archive.search 行政复议 罗山县)"

* plain ``sqlite3``: ``... where reports_fts match '"行政 政复 复议"' order by rank``.

The trade-off (measured by ``bench/archive_bench.py``, figures in
``docs/archive.md``): the index holds about one token per character, so building
it costs about four times a plain ``unicode61`` index of the same text, and a
stock Datasette without the plugin finds only two-character terms (the archive
itself stays an ordinary SQLite file: no extension or custom tokenizer is needed
to open, query or index it). A common term's bigrams occur in nearly every
report, and finding every match (as a table view must, to count and facet) or
ranking it reads all their positions: the ranked ``search`` canned query
(``metadata.yaml``) therefore ranks at most the 1,000 newest matches. The alternative that needs no rewrite
at all, indexing every 1–8 character substring as a token, made the index 8.5
times the text and could not build 100,000 reports in reasonable time. A
tokenizer extension (jieba, ICU) would rank by words but make the archive
unreadable without it.

``reports_fts`` declares ``content="reports"``, so Datasette and sqlite-utils
find it for ``reports`` and reading its columns returns the real title and text.
Because the index holds the bigram stream, not that text, FTS5's
``'rebuild'``/``'delete'`` commands and ``snippet()``/``highlight()`` must not be
used on it (``sqlite-utils rebuild-fts`` would break search); :func:`create_index`
re-indexes with :func:`index_reports` instead. Reports are only ever inserted.
"""
from __future__ import annotations

import array
import re
import sys

FTS_TABLE = "reports_fts"
FTS_COLUMNS = ("title", "text")
TITLE_WEIGHT = 10.0
DECLARATION = (f"CREATE VIRTUAL TABLE [{FTS_TABLE}] USING fts5({', '.join(FTS_COLUMNS)}, "
               "content=\"reports\", content_rowid=\"id\", tokenize=\"unicode61\", prefix='1')")

_SPACE = array.array("I", [ord(" ")])
# One search-box word: a quoted phrase or a run of non-space characters, as Datasette splits it.
_WORD = re.compile(r'"([^"]*)"?|(\S+)')
_WORD_CHARACTER = re.compile(r"[^\W_]")


def index_text(text: str | None) -> str:
    """The bigram stream of ``text``: each character followed by its successor, space-separated.

    >>> index_text("行政复议、诉讼")
    '行政 政复 复议 议、 、诉 诉讼 讼  '
    """
    # Interleaving UTF-32 code points with array slices is about five times as fast as a
    # join over the characters, which matters at 10,000 characters a report.
    text = text or ""
    codes = array.array("I", (text + " ").encode("utf-32-le", "surrogatepass"))
    stream = array.array("I", bytes(12 * len(text)))
    stream[0::3], stream[1::3], stream[2::3] = codes[:-1], codes[1:], _SPACE * len(text)
    return stream.tobytes().decode("utf-32-le", "surrogatepass")


def term_query(term: str) -> str | None:
    """The FTS5 query for one term: a bigram phrase, or a prefix for one character.

    None for a term with no letters or digits (punctuation alone finds nothing).

    >>> term_query("行政复议"), term_query("县"), term_query("2021年")
    ('"行政 政复 复议"', '"县"*', '"20 02 21 1年"')
    """
    if not _WORD_CHARACTER.search(term):
        return None
    if len(term) == 1:
        return f'"{term}"*'
    bigrams = " ".join(a + b for a, b in zip(term, term[1:]))
    return '"{}"'.format(bigrams.replace('"', '""'))


def fts_query(search: str) -> str:
    """The FTS5 query for what was typed in a search box: every word must occur.

    Words are separated by spaces; a double-quoted phrase counts as one word.

    >>> fts_query('罗山县 复议')
    '"罗山 山县" "复议"'
    """
    words = (match.group(1) if match.group(1) is not None else match.group(2)
             for match in _WORD.finditer(search))
    queries = [q for q in map(term_query, words) if q]
    return " ".join(queries) or '""'


def create_index(db) -> None:
    """Create ``reports_fts``; an index of any other shape is dropped and re-indexed."""
    existing = db.execute("select sql from sqlite_master where name = ?", [FTS_TABLE]).fetchone()
    if existing and existing[0] == DECLARATION:
        return
    if existing:
        db.execute(f"DROP TABLE [{FTS_TABLE}]")
    db.execute(DECLARATION)
    db.execute(f"INSERT INTO [{FTS_TABLE}] ([{FTS_TABLE}], rank) VALUES ('rank', 'bm25({TITLE_WEIGHT}, 1.0)')")
    index_reports(db)


def index_reports(db, first_id: int = 0) -> None:
    """Add the reports from id ``first_id`` on to the search index, in one statement.

    Call it once per build, after the reports are inserted: FTS5 writes its pending
    index to disk at every savepoint (sqlite-utils opens one per insert), so
    indexing report by report in between costs half as much again.
    """
    reports = db.execute("select id, title, text from reports where id >= ?", [first_id])
    db.conn.executemany(f"INSERT INTO [{FTS_TABLE}] (rowid, title, text) VALUES (?, ?, ?)",
                        ((id, index_text(title), index_text(text)) for id, title, text in reports))


def search(db, words: str, limit: int = 20) -> list[dict]:
    """The reports matching every word of ``words``, best first (``nianbao search``)."""
    return list(db.query(
        f"select r.id, r.year, r.portal, r.title from [{FTS_TABLE}] f join reports r on r.id = f.rowid "
        f"where [{FTS_TABLE}] match :query order by f.rank limit :limit",
        {"query": fts_query(words), "limit": limit}))


if __name__ == "__main__":
    print(fts_query(" ".join(sys.argv[1:])))
