"""Benchmark the archive: build time against raw sqlite3 inserts, and search latency in Datasette.

    .venv/bin/python bench/archive_bench.py --reports 100000 --dir /tmp/nianbao-bench

1. Synthetic reports: real report records (the demo portal's generator rendered
   as text, read back by ``extract``), re-issued for 5,000+ made-up bodies and
   years with fresh figures, their text padded with the seed report's prose to a
   length drawn from 5,000–15,000 characters (real reports' range).
2. Build: every report goes through ``archive.build.add_parsed`` (the code path
   of ``nianbao build`` after parsing) into one transaction. In the same run and
   the same schema, the very rows that build wrote (read back, with their search
   index text) are inserted into a second database with plain ``sqlite3``
   ``executemany``. Only the writing is timed for either; generating the records
   and reading the rows back are not. The archive's size and its search index's
   are printed too, and the time of the coverage refresh that ends a build
   (``archive.coverage``: year checks recomputed, coverage brought up to date).
3. Search: the archive is served by ``archive.serve`` on 127.0.0.1 and 200
   searches (50 each of 1, 2, 3 and 4 characters, taken from random reports'
   text; other lengths with ``--lengths``) go through Datasette's JSON API: the
   ranked ``search`` canned query, and the ``reports`` table's ``?_search=``.
   p50 and p95 are printed for all and per term length.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import build, coverage, schema, search  # noqa: E402
from archive.serve import serve_command  # noqa: E402
from demo_portal import figures, prose, render  # noqa: E402
from extract import extract_document  # noqa: E402

CITIES = "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 淮安 徐州 扬州".split()
COUNTY_CHARACTERS = "罗光固商潢淮息新平西正上确泌汝遂桐唐社方宝鲁郏舞叶襄长延原获修武温孟沁"
DEPARTMENTS = ("人民政府", "教育体育局", "财政局", "自然资源局", "生态环境分局", "交通运输局",
               "卫生健康委员会", "市场监督管理局", "人力资源和社会保障局", "民政局")
YEARS = range(2015, 2025)
TEMPLATE_BODY = "罗山县人民政府"
CHUNK = 500


def templates() -> dict[str, dict]:
    """A real extracted record per format version, for the demo's 罗山县 report."""
    out = {}
    for version in ("2019", "2021"):
        report = figures.make_report(TEMPLATE_BODY, "县", "county", 2021, version)
        data = render.render_text(report).encode()
        out[version] = extract_document(data, filename="report.txt", source="bench")
    return out


def bodies(count: int) -> list[str]:
    rng = random.Random(1)
    names = set()
    while len(names) < count:
        county = "".join(rng.sample(COUNTY_CHARACTERS, 2)) + "县"
        names.add(f"{rng.choice(CITIES)}市{county}{rng.choice(DEPARTMENTS)}")
    return sorted(names)


def synthetic_reports(count: int):
    """(item, parsed) pairs as ``archive.build.add_parsed`` takes them."""
    rng = random.Random(2)
    base = templates()
    filler = [p for paragraphs in prose.seed_sections().values() for p in paragraphs]
    for number, (body, year) in enumerate(
            (b, y) for b in bodies(-(-count // len(YEARS))) for y in YEARS):
        if number == count:
            return
        template = base["2021" if year >= 2020 else "2019"]
        record = _record(template, body, year, filler, rng)
        document = _document(body, year, number)
        yield _item(body, year, number, document), [(document, record, None)]


def _record(template: dict, body: str, year: int, filler: list[str], rng: random.Random) -> dict:
    def adapt(text):
        return text.replace(TEMPLATE_BODY, body).replace("2021", str(year))

    padding = []
    target = rng.randint(5000, 15000) - len(template["text"])
    while sum(map(len, padding)) < target:
        padding.append(adapt(rng.choice(filler)))
    sections = {k: adapt(v) for k, v in template["sections"].items()}
    sections["other"] = "\n".join([sections.get("other") or "", *padding])
    values = {k: None if v is None else round(v * rng.uniform(0.5, 2)) for k, v in template["figures"].items()}
    return {**template, "title": f"{body}{year}年政府信息公开工作年度报告", "agency": body, "year": year,
            "sections": sections, "figures": values, "cells": {k: str(v) for k, v in values.items()},
            "text": "\n".join([adapt(template["text"]), *padding])}


def _item(body: str, year: int, number: int, document: dict) -> dict:
    url = f"http://bench.example/{number % 97}/art_{number}.html"
    return {"portal": body, "portal_url": "http://bench.example/", "page_url": url,
            "listing_url": "http://bench.example/index.html", "title": f"{body}{year}年政府信息公开工作年度报告",
            "year": year, "published": f"{year + 1}-01-20", "documents": [document]}


def _document(body: str, year: int, number: int) -> dict:
    sha = hashlib.sha256(f"{body}{year}{number}".encode()).hexdigest()
    return {"url": f"http://bench.example/{number % 97}/art_{number}.html", "role": "page", "filename": None,
            "status": 200, "content_type": "text/html; charset=utf-8", "fetched_at": "2026-11-25T22:00:00Z",
            "size": 40000, "sha256": sha, "blob": f"blobs/{sha[:2]}/{sha}",
            "warc_file": "warc/nianbao-20261125220000-00000.warc.gz", "warc_record_id": f"<urn:uuid:{sha[:32]}>"}


# ------------------------------------------------------------------ build vs raw inserts
COPIED = ("agencies", "reports", "report_summary", "report_sources", "documents", "figures", "checks", "prose_checks")


def bench_build(count: int, directory: Path) -> tuple[float, float]:
    """(seconds for the archive build, seconds for raw executemany of the same rows)."""
    built, raw = directory / "bench.db", directory / "raw.db"
    for path in (built, raw):
        path.unlink(missing_ok=True)
    db, plain = sqlite_utils.Database(built), sqlite3.connect(raw, isolation_level=None)
    for connection in (db.conn, plain):  # the same page cache as archive.build gives itself
        connection.execute(build.CACHE_SIZE)
    schema.create(sqlite_utils.Database(plain))
    plain.execute("begin")
    build_seconds = raw_seconds = 0.0
    db.conn.execute("begin")
    schema.create(db)
    summary = dict.fromkeys(("reports_added", "figures_added", "checks_failed", "documents_added",
                             "document_errors"), 0)
    chunk, done = [], 0
    for pair in synthetic_reports(count):
        chunk.append(pair)
        if len(chunk) == CHUNK:
            build_seconds += _timed(lambda: _write(db, chunk, summary))
            raw_seconds += _copy_rows(db, plain, done)
            done += len(chunk)
            chunk = []
            print(f"\r{done:,} reports", end="", file=sys.stderr, flush=True)
    if chunk:
        build_seconds += _timed(lambda: _write(db, chunk, summary))
        raw_seconds += _copy_rows(db, plain, done)
    build_seconds += _timed(lambda: db.conn.execute("commit"))
    raw_seconds += _timed(lambda: plain.execute("commit"))
    print(file=sys.stderr)
    db.close()
    plain.close()
    return build_seconds, raw_seconds


def _write(db, chunk, summary) -> None:
    """What ``archive.build`` does with parsed items: add them, then index them."""
    first_new = build.next_report_id(db)
    for item, parsed in chunk:
        build.add_parsed(db, item, parsed, summary)
    search.index_reports(db, first_new)


def _copy_rows(db, plain: sqlite3.Connection, after: int) -> float:
    """Insert the rows of reports after ``after`` (and their new bodies) into ``plain``; seconds taken."""
    last_agency = plain.execute("select coalesce(max(id), 0) from agencies").fetchone()[0]
    since = {"agencies": ("id", last_agency), "reports": ("id", after), "report_summary": ("id", after)}
    rows = {}
    for table in COPIED:
        column, value = since.get(table, ("report_id", after))
        rows[table] = db.execute(f"select * from [{table}] where {column} > ?", [value]).fetchall()
    fts = [(i, search.index_text(title), search.index_text(text))
           for i, title, text in db.execute("select id, title, text from reports where id > ?", [after])]
    start = time.perf_counter()
    for table, table_rows in rows.items():
        if table_rows:
            marks = ", ".join("?" * len(table_rows[0]))
            plain.executemany(f"insert into [{table}] values ({marks})", table_rows)
    plain.executemany(f"insert into [{search.FTS_TABLE}] (rowid, title, text) values (?, ?, ?)", fts)
    return time.perf_counter() - start


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def bench_coverage(db_path: Path) -> tuple[float, float]:
    """Seconds of the coverage refresh that ends every build: on the new archive, then again."""
    db = sqlite_utils.Database(db_path)
    times = []
    for _ in range(2):
        with db.atomic():
            build_id = db["builds"].insert({"started": "bench"}).last_pk
            times.append(_timed(lambda: coverage.refresh(db, build_id, date.today())))
    db.close()
    return times[0], times[1]


# ------------------------------------------------------------------ search latency
def search_terms(db_path: Path, number: int = 200, lengths=(1, 2, 3, 4)) -> list[str]:
    """``number`` terms of Chinese characters, as many of each of ``lengths``, cut from random reports."""
    rng = random.Random(3)
    db = sqlite3.connect(db_path)
    top = db.execute("select max(id) from reports").fetchone()[0]
    terms = []
    while len(terms) < number:
        (text,) = db.execute("select text from reports where id = ?", [rng.randint(1, top)]).fetchone()
        length = lengths[len(terms) % len(lengths)]
        start = rng.randrange(len(text) - length)
        term = text[start:start + length]
        if re.fullmatch(r"[\u4e00-\u9fff]+", term):
            terms.append(term)
    db.close()
    return terms


def bench_search(db_path: Path, terms: list[str]) -> dict[str, tuple[list[float], int]]:
    """Milliseconds per search, through Datasette's JSON API, by endpoint, and how many
    searches failed (Datasette stops a query after its one-second time limit)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(serve_command(db_path, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/{db_path.stem}"
    endpoints = {
        "search (ranked, top 50)": lambda term: f"{base}/search.json?" + urlencode({"q": term, "_shape": "array"}),
        "reports?_search=": lambda term: f"{base}/reports.json?" + urlencode(
            {"_search": term, "_col": "title", "_shape": "array", "_size": 20, "_nocount": 1, "_nofacet": 1}),
    }
    try:
        _wait(f"http://127.0.0.1:{port}/-/versions.json", server)
        out = {}
        for name, url in endpoints.items():
            times, failed = [], 0
            for term in terms:
                start = time.perf_counter()
                try:
                    with urllib.request.urlopen(url(term), timeout=60) as response:
                        json.loads(response.read())
                except urllib.error.HTTPError:
                    failed += 1
                times.append((time.perf_counter() - start) * 1000)
            out[name] = (times, failed)
        return out
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait(url: str, server, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("datasette did not start")


def _index_bytes(db_path: Path) -> int:
    """Bytes the search index's segments take (its shadow tables' other rows are small)."""
    with closing(sqlite3.connect(db_path)) as db:
        return db.execute(f"select sum(length(block)) from [{search.FTS_TABLE}_data]").fetchone()[0]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/nianbao-bench"))
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--lengths", type=int, nargs="+", default=[1, 2, 3, 4],
                        help="term lengths in characters, as many searches each (default: 1 2 3 4)")
    parser.add_argument("--search-only", action="store_true", help="search the archive a previous run built")
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    db_path = args.dir / "bench.db"
    if not args.search_only:
        build_seconds, raw_seconds = bench_build(args.reports, args.dir)
        print(f"reports: {args.reports:,}, archive size {db_path.stat().st_size / 2**30:.2f} GiB, "
              f"search index {_index_bytes(db_path) / 2**30:.2f} GiB")
        print(f"build (archive.build.add_parsed):   {build_seconds:8.1f} s")
        print(f"raw sqlite3 executemany, same rows: {raw_seconds:8.1f} s   ratio {build_seconds / raw_seconds:.2f}")
        first, again = bench_coverage(db_path)
        print(f"coverage and checks across years (archive.coverage.refresh): {first:.1f} s, "
              f"{again:.1f} s when nothing changed")
    terms = search_terms(db_path, args.searches, args.lengths)
    for name, (times, failed) in bench_search(db_path, terms).items():
        print(f"{len(terms)} searches, {name}: {_percentiles(times)}, {failed} failed")
        for length in args.lengths:
            print(f"    {length} characters: {_percentiles([t for t, term in zip(times, terms) if len(term) == length])}")


def _percentiles(times: list[float]) -> str:
    return f"p50 {statistics.median(times):.1f} ms, p95 {statistics.quantiles(times, n=20)[18]:.1f} ms"


if __name__ == "__main__":
    main()
