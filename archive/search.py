"""Chinese full-text search: an n-gram index in plain SQLite FTS5, and the query rewrite.

The problem: SQLite's ``unicode61`` tokenizer splits text only at spaces and
punctuation, so ``依法做好依申请公开工作`` is one token and a search for
``依申请公开`` finds nothing; the ``trigram`` tokenizer finds nothing shorter
than three characters, and most Chinese words (复议, 诉讼, 公开) are two.

The index: ``reports_fts`` is an FTS5 table with the stock ``ascii`` tokenizer,
fed not the text but its *n-gram stream* (:func:`index_text`): every sequence of
one to five characters inside a run of letters and digits, space-separated, so
each is one token. ``行政复议、诉讼`` is fed as ``行 政 复 议 诉 讼 行政 政复 复议
诉讼 行政复 政复议 行政复议``. Runs repeated in a text (boilerplate clauses, table
labels) are fed once (that leaves a third of the benchmark's synthetic texts).
``ascii`` splits at ASCII spaces and punctuation only and folds ASCII case; the
stream is lower-cased first and holds no other punctuation, so ``ascii`` reads it
as ``unicode61`` would, at about half the cost.

* a term of one to five characters is one token, so it is found exactly, by one
  lookup, as typed: ``依申请公开`` → ``"依申请公开"``. Five, not four, so that
  five-character terms such as 依申请公开 work as typed in a stock Datasette and
  ``sqlite-utils search`` too;
* a longer term is the AND of its overlapping five-grams (``政府信息公开`` →
  ``"政府信息公" "府信息公开"``), and a term holding punctuation the AND of its runs'
  tokens. That finds every report holding the term, and also the rare report that
  holds all those pieces but never the whole term. The ranked search (the
  ``search`` canned query, ``nianbao search``) drops those with
  :func:`contains_words`; a table view's ``?_search=``, ``sqlite-utils search``
  and plain SQLite return them.

Ranking is FTS5's ``bm25`` with title matches weighted ``TITLE_WEIGHT`` times text
matches; a term's frequency is the number of distinct runs (clauses) holding it.
bm25 reads every match's positions and length, so the ranked search ranks the
``RANKED_CANDIDATES`` matching reports archived last: a term found in more reports
than that is boilerplate found in nearly every report, and its rank says little.

Where the rewrite happens (:func:`fts_query`):

* Datasette: the project's plugin (``archive/plugins/nianbao_search.py``)
  replaces Datasette's ``escape_fts()`` SQL function, which the table search box
  (``?_search=``) goes through, registers :func:`register_functions`, and sends
  the search box to the ranked ``search`` canned query.
* ``sqlite-utils search`` (ranked by bm25) and a stock Datasette: terms of one to
  five characters work as typed; for longer ones pass the rewritten query,
  printed by ``python -m archive.search``::

      sqlite-utils search nianbao.db reports "$(python -m archive.search 政府信息公开 罗山县)"

* plain ``sqlite3``: ``... where reports_fts match '"政府信息公" "府信息公开"' order by rank``.

The trade-offs, measured by ``bench/archive_bench.py`` (figures in
``docs/archive.md``): about five index tokens per distinct character, so the
index is some 2.3 times the text's UTF-8 size (1.7 with four-grams, 1.45 for the
previous bigram index); longer terms are supersets outside the ranked search.
The index keeps positions (``detail=full``) although no query needs them: with
``detail=column`` FTS5 computes ``bm25`` by re-tokenizing each match's stored
text, which is not the n-gram stream, so ranking would be both wrong and slow. A
tokenizer extension (jieba, ICU) would rank by words but make the archive
unreadable without it. The archive stays an ordinary SQLite file: no extension or
custom tokenizer is needed to open, query or index it.

``reports_fts`` declares ``content="reports"``, so Datasette and sqlite-utils
find it for ``reports`` and reading its columns returns the real title and text.
Because the index holds the n-gram stream, not that text, FTS5's
``'rebuild'``/``'delete'`` commands and ``snippet()``/``highlight()`` must not be
used on it (``sqlite-utils rebuild-fts`` would break search); :func:`create_index`
re-indexes with :func:`index_reports` instead. Reports are only ever inserted, except
that ``nianbao build --retry-failed`` deletes a report whose main document failed, to
add it again: :func:`unindex_reports` takes it out of the index first.
"""
from __future__ import annotations

import array
import re
import sys

FTS_TABLE = "reports_fts"
FTS_COLUMNS = ("title", "text")
TITLE_WEIGHT = 10.0
LONGEST_GRAM = 5
RANKED_CANDIDATES = 1000
# The comment names what the index holds: SQLite keeps it in the schema, so an index
# of other n-grams (an archive built by an older nianbao) is told apart and re-indexed.
DECLARATION = (f"CREATE VIRTUAL TABLE [{FTS_TABLE}] USING fts5({', '.join(FTS_COLUMNS)}, "
               "content=\"reports\", content_rowid=\"id\", tokenize=\"ascii\" "
               f"/* fed the 1- to {LONGEST_GRAM}-character n-grams of archive/search.py */)")

_SPACE = array.array("I", [ord(" ")])
# One search-box word: a quoted phrase or a run of non-space characters, as Datasette splits it.
_WORD = re.compile(r'"([^"]*)"?|(\S+)')
_RUN = re.compile(r"[^\W_]+")


def index_text(text: str | None) -> str:
    """The n-gram stream of ``text``: the 1- to 5-character sequences of its distinct runs.

    >>> index_text("行政复议、行政复议。").split()
    ['行', '政', '复', '议', '行政', '政复', '复议', '行政复', '政复议', '行政复议']
    >>> index_text("依申请公开").split()[-2:]
    ['申请公开', '依申请公开']
    """
    # The distinct runs are joined by spaces and cut into n-grams with array slices
    # (about ten times as fast as slicing strings); an n-gram that spans a space is
    # split there by the tokenizer into pieces that are n-grams of a run anyway.
    runs = " ".join(dict.fromkeys(_RUN.findall((text or "").lower())))
    codes = array.array("I", (runs + " " * LONGEST_GRAM).encode("utf-32-le", "surrogatepass"))
    stream = array.array("I")
    for n in range(1, LONGEST_GRAM + 1):
        count = max(len(runs) - n + 1, 0)
        grams = array.array("I", bytes(4 * (n + 1) * count))
        for k in range(n):
            grams[k::n + 1] = codes[k:k + count]
        grams[n::n + 1] = _SPACE * count
        stream += grams
    return stream.tobytes().decode("utf-32-le", "surrogatepass")


def term_query(term: str) -> str | None:
    """The FTS5 query for one term: its token, or the AND of the tokens that cover it.

    None for a term with no letters or digits (punctuation alone finds nothing).

    >>> term_query("依申请公开"), term_query("政府信息公开"), term_query("复议、诉讼")
    ('"依申请公开"', '"政府信息公" "府信息公开"', '"复议" "诉讼"')
    """
    tokens = [token for run in _RUN.findall(term.lower()) for token in _covering_tokens(run)]
    return " ".join(f'"{token}"' for token in dict.fromkeys(tokens)) or None


def _covering_tokens(run: str) -> list[str]:
    """The run itself if it is an index token, else its overlapping longest n-grams."""
    if len(run) <= LONGEST_GRAM:
        return [run]
    return [run[i:i + LONGEST_GRAM] for i in range(len(run) - LONGEST_GRAM + 1)]


def search_words(search: str) -> list[str]:
    """What was typed in a search box, as words: split at spaces, a double-quoted phrase is one word."""
    return [match.group(1) if match.group(1) is not None else match.group(2) for match in _WORD.finditer(search)]


def fts_query(search: str) -> str:
    """The FTS5 query for what was typed in a search box: every word must occur.

    >>> fts_query('罗山县 复议')
    '"罗山县" "复议"'
    """
    queries = [q for q in map(term_query, search_words(search)) if q]
    return " ".join(queries) or '""'


def is_exact(search: str) -> bool:
    """Whether :func:`fts_query` finds exactly the reports holding every word (each is one token)."""
    return all(_RUN.fullmatch(word) and len(word) <= LONGEST_GRAM for word in search_words(search) if word.strip())


def contains_words(search: str, title: str | None, text: str | None) -> bool:
    """Whether every word of ``search`` occurs in ``title`` or ``text``, read as the index reads
    them: ignoring case, and punctuation between a word's letters and digits.

    >>> contains_words("政府信息公开 复议、诉讼", "", "政府信息公开。行政复议，诉讼")
    True
    """
    texts = [(title or "").lower(), (text or "").lower()]
    return all(any(map(pattern.search, texts)) for pattern in map(_word_pattern, search_words(search)))


def _word_pattern(word: str) -> re.Pattern:
    return re.compile(r"[\W_]*".join(map(re.escape, _RUN.findall(word.lower()))))


def register_functions(conn) -> None:
    """The SQL functions the ranked search filters with: ``nianbao_exact(q)`` and
    ``nianbao_contains(q, title, text)`` (:func:`is_exact`, :func:`contains_words`)."""
    conn.create_function("nianbao_exact", 1, is_exact, deterministic=True)
    conn.create_function("nianbao_contains", 3, contains_words, deterministic=True)


def index_is_current(db) -> bool:
    """Whether ``reports_fts`` is the index this code queries (not an older nianbao's)."""
    existing = db.execute("select sql from sqlite_master where name = ?", [FTS_TABLE]).fetchone()
    return bool(existing) and existing[0] == DECLARATION


def create_index(db, progress=None) -> None:
    """Create ``reports_fts``; an index of any other shape is dropped and re-indexed.

    ``progress``, if given, is told before a re-index: some two minutes per 10,000 reports.
    """
    if index_is_current(db):
        return
    if db[FTS_TABLE].exists():
        if progress:
            progress(f"search index: re-indexing {db['reports'].count:,} reports for the "
                     f"1- to {LONGEST_GRAM}-character n-grams (once, after an upgrade)")
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


def unindex_reports(db, ids: list[int]) -> None:
    """Take reports out of the search index (before they are deleted): FTS5's ``'delete'``
    command given the n-gram streams that were indexed, worked out again from their rows."""
    reports = db.execute(f"select id, title, text from reports where id in ({', '.join('?' * len(ids))})", ids)
    db.conn.executemany(f"INSERT INTO [{FTS_TABLE}] ([{FTS_TABLE}], rowid, title, text) VALUES ('delete', ?, ?, ?)",
                        ((id, index_text(title), index_text(text)) for id, title, text in reports))


# The ranked search: bm25 among the RANKED_CANDIDATES matches archived last, checked for
# the whole words where the index query is a superset (``nianbao_exact(:q) or …`` reads
# no text when it is exact). ``m`` comes materialized in rank order; with no ORDER BY
# after it (its LIMIT keeps SQLite from merging it into the outer query), SQLite checks
# the words row by row in that order and stops at :limit, instead of reading the text of
# every candidate before sorting. The ``search`` canned query (archive/metadata.yaml) is
# the same query.
RANKED_SEARCH = f"""select r.id, r.year, r.portal, r.title
from (select rowid, rank from (select rowid, rank from [{FTS_TABLE}] where [{FTS_TABLE}] match :query
                               order by rowid desc limit {RANKED_CANDIDATES})
      order by rank limit {RANKED_CANDIDATES}) m
join reports r on r.id = m.rowid
where nianbao_exact(:q) or nianbao_contains(:q, r.title, r.text)
limit :limit"""


def search(db, words: str, limit: int = 20) -> list[dict]:
    """The reports holding every word of ``words``, best first (``nianbao search``)."""
    register_functions(db.conn)
    return list(db.query(RANKED_SEARCH, {"query": fts_query(words), "q": words, "limit": limit}))


if __name__ == "__main__":
    print(fts_query(" ".join(sys.argv[1:])))
