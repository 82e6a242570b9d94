"""The served archive's SQL box cannot take the server's memory (issue 10, part 6): queries that
build huge values get an error page at once, the server's peak RSS stays small, and the archive's
own pages still work, a report with 4 MB of text included. A real Datasette over HTTP."""
from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

from archive.plugins.nianbao_limits import HARD_HEAP_BYTES, MAX_VALUE_BYTES, SOFT_HEAP_BYTES, prepare_connection
from archive_crawl import datasette, make_archive

# Each builds one value far beyond the length limit; the first took the server to 2 GB before.
HOSTILE = (
    "select length(hex(zeroblob(400000000)))",
    "select length(randomblob(400000000))",
    "select length(replace(hex(zeroblob(1000000)), '0', hex(zeroblob(1000))))",
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 200) "
    "select length(group_concat(hex(zeroblob(1000000)))) from n",
)
PEAK_RSS_BOUND = 300 * 1024 * 1024  # Datasette with this archive starts at some 60-70 MB
LONG_TEXT = "本机关依照《中华人民共和国政府信息公开条例》办理依申请公开。" * 70_000  # 4.2 MB of UTF-8


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, server PID, db path, id of the report given LONG_TEXT)."""
    directory = tmp_path_factory.mktemp("limits")
    _, built, _, _ = make_archive(directory)
    db_path = built.rename(directory / "archive.db")  # served as /archive
    with sqlite3.connect(db_path) as db:
        long_id = db.execute("select min(id) from reports").fetchone()[0]
        db.execute("update reports set text = ? where id = ?", (LONG_TEXT, long_id))
    with datasette(db_path) as base:
        yield base, server_pid(base), db_path, long_id


def server_pid(base: str) -> int:
    """The PID of the Datasette serving ``base`` (the test helper started it with this port)."""
    port = base.rsplit(":", 1)[1]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"datasette" in args and port.encode() in args and b"--port" in args:
            return int(cmdline.parent.name)
    raise AssertionError(f"no datasette process serving {base}")


def peak_rss(pid: int) -> int:
    """The process's high-water mark of resident memory (``VmHWM``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("sql", HOSTILE)
def test_a_query_building_a_huge_value_gets_an_error_page(served, sql):
    base, pid, _, _ = served
    status, body = fetch(f"{base}/archive.json?{urlencode({'sql': sql})}")
    assert status == 400 and json.loads(body)["error"] == "string or blob too big"
    status, html = fetch(f"{base}/archive?{urlencode({'sql': sql})}")
    assert status == 400 and "string or blob too big" in html
    assert peak_rss(pid) < PEAK_RSS_BOUND


def test_values_up_to_the_limit_are_still_made(served):
    base, pid, _, _ = served
    sql = f"select length(hex(zeroblob({MAX_VALUE_BYTES // 2 - 1})))"  # one byte pair short of the limit
    status, body = fetch(f"{base}/archive.json?{urlencode({'sql': sql, '_shape': 'array'})}")
    assert status == 200 and list(json.loads(body)[0].values()) == [MAX_VALUE_BYTES - 2]
    assert peak_rss(pid) < PEAK_RSS_BOUND


def test_the_archives_own_pages_still_work(served):
    base, _, db_path, long_id = served
    status, body = fetch(f"{base}/archive/reports/{long_id}.json?_shape=array")
    assert status == 200 and json.loads(body)[0]["text"] == LONG_TEXT
    status, html = fetch(f"{base}/archive/reports/{long_id}")
    assert status == 200 and "依申请公开" in html
    status, body = fetch(f"{base}/archive/search.json?{urlencode({'q': '依申请公开', '_shape': 'array'})}")
    expected = sqlite3.connect(db_path).execute("select count(*) from reports where text like '%依申请公开%'").fetchone()
    assert status == 200 and len(json.loads(body)) == expected[0] > 0
    status, body = fetch(f"{base}/archive/report_summary.json?_shape=array")
    assert status == 200 and json.loads(body)


def test_every_served_connection_gets_the_limits():
    conn = sqlite3.connect(":memory:")
    prepare_connection(conn)
    assert conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) == MAX_VALUE_BYTES
    assert conn.execute("pragma soft_heap_limit").fetchone()[0] == SOFT_HEAP_BYTES
    assert conn.execute("pragma hard_heap_limit").fetchone()[0] == HARD_HEAP_BYTES
