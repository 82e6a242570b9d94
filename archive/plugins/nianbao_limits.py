"""Datasette plugin: limits on what one SQL query may make SQLite build, so the public SQL box cannot
take the server's memory.

Datasette stops a query after ``sql_time_limit_ms``, but a query that builds one huge value does it
in less: ``select length(hex(zeroblob(400000000)))`` took the server from 62 MB to 2 GB (issue 10; 46 MB to 1,953 MB here, docs/reliability/full-disk.md). On every
connection Datasette serves:

* :data:`MAX_VALUE_BYTES` is SQLite's length limit (``SQLITE_LIMIT_LENGTH``): no string, blob or
  row larger than that is made or read — such a query fails at once with "string or blob too big"
  (an error page, HTTP 400), in milliseconds and with no memory taken. The archive's largest values
  are reports' full text: some 10 KB for a real report (the fixtures' reports are 9-11 KB of text),
  so 16 MiB leaves room for anything a report could be (a test serves one with 4 MB).
* :data:`SOFT_HEAP_BYTES` / :data:`HARD_HEAP_BYTES` bound SQLite's heap in the whole process (the
  limits are process-wide): above the soft limit SQLite gives back page cache, and an allocation
  beyond the hard limit fails the query. The search plugin gives each connection a 256 MB page
  cache (``nianbao_search``), so the soft limit leaves room for two full caches and the hard limit
  for all of Datasette's connections besides.

What these do not bound is Python's copy of a result: up to ``max_returned_rows`` (1,000) values
of up to 16 MiB each, as many as a query can make within the time limit.
"""
from __future__ import annotations

import sqlite3

from datasette import hookimpl

MAX_VALUE_BYTES = 16 * 1024 * 1024
SOFT_HEAP_BYTES = 512 * 1024 * 1024
HARD_HEAP_BYTES = 1024 * 1024 * 1024


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"PRAGMA soft_heap_limit = {SOFT_HEAP_BYTES}")
    conn.execute(f"PRAGMA hard_heap_limit = {HARD_HEAP_BYTES}")
