"""Datasette plugin: Chinese search in the table search box, ranked results on the search box's page.

* ``escape_fts()`` is the SQL function Datasette's ``?_search=`` goes through;
  this plugin registers :func:`archive.search.fts_query` under that name (after
  Datasette's own, ``trylast``), so the search box of ``reports`` and
  ``report_summary`` searches the n-gram index (see ``archive/search.py``); it
  also registers the functions the ranked ``search`` canned query filters with
  (:func:`archive.search.register_functions`).
* Datasette 0.65 orders a table by its columns only, never by relevance, so a
  search typed into the box on the ``reports`` page (an HTML request with
  ``_search`` and nothing else but the form's untouched fields) is redirected to
  the ``search`` canned query, ranked by bm25. Everything else, the JSON API
  included, stays the table view: ``?_search=…&_sort=published`` (any other
  sort, a filter or a facet) gives the table with facets.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response

from archive.search import fts_query, register_functions

_TABLE_PAGE = re.compile(r"^/(?P<database>[^/.]+)/reports$")
# What the table page's form sends along with the search when nothing else was chosen
# (blank fields are dropped): the filter operator, and the default sort, id descending.
_UNTOUCHED_FORM = {"_filter_op": "exact", "_sort": "id", "_sort_by_desc": "on", "_sort_desc": "id"}


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    register_functions(conn)
    # A search through the table view sorted by a column (year, say) reads the row of every
    # match: at 100,000 reports that is some 200 MB of pages, which SQLite's default 2 MB page
    # cache would read again from the file for every search.
    conn.execute("PRAGMA cache_size = -262144")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def ranked_search(scope, receive, send):
            target = _ranked_search_url(scope) if scope["type"] == "http" else None
            if target is None:
                await app(scope, receive, send)
            else:
                await Response.redirect(target).asgi_send(send)
        return ranked_search
    return wrap


def _ranked_search_url(scope) -> str | None:
    """The ranked search page for a plain search-box request on ``reports``, else None."""
    match = _TABLE_PAGE.match(scope["path"])
    args = dict(parse_qsl(scope["query_string"].decode()))
    search = args.pop("_search", None)
    if not match or not search or any(_UNTOUCHED_FORM.get(k) != v for k, v in args.items()):
        return None
    return f"/{match['database']}/search?" + urlencode({"q": search})
