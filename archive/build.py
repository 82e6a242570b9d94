"""Build or update the SQLite archive from a crawl directory.

:func:`build` reads ``reports.jsonl``, ``errors.jsonl`` and ``runs.jsonl``
(see ``docs/architecture.md``), parses every document blob with
``extract.extract_document`` and writes the tables of ``archive/schema.py``.

* A report *version* is its ``page_url`` plus the sha256 of its primary
  document: the document whose record has the most figures read (ties go to the
  page). A report whose primary document changed gets a second row; the first stays.
* Every finding of a report is a row of ``report_sources``: a report that two
  portals reached (a city portal linking to a county's report) is one report with
  two sources.
* ``report_summary`` gets each new report's row, the older version of its page
  stops being ``latest``, and a body's row that changes is copied into its
  reports' summary rows: the table always equals what its SQL computes.
* Re-building on the same crawl adds nothing; items whose documents are all in
  the archive already are skipped without parsing (their finding is recorded).
* Report items are committed in batches of ``BATCH_ITEMS``: each batch (its reports
  with their documents, figures, checks, summary rows and search index) is one
  transaction, so an interrupted build (an exception, Ctrl-C, a killed process, a
  full disk) leaves the archive as of its last batch, and the next build goes on
  from there (items already archived are skipped). A running Datasette sees each
  batch as it commits.
* Documents are read by ``extract.workers.WorkerPool`` (``jobs`` processes under
  memory, CPU and wall-time limits). A document that cannot be read or parsed gets
  rows in ``errors`` and the build goes on; one that took its worker past a limit
  (stage ``limit``) is also kept in ``failed_documents`` and not read again by later
  builds unless ``retry_failed`` (``nianbao build --retry-failed``).
* An HTML page is read with the pictures among its item's attachments (tables printed as
  pictures, docs/ocr.md): the report's record is the page's with the pictures' rows in it; a
  picture the page printed is not read again alone, and its ``documents`` row names the page
  (``read_in``); a picture the page does not print is read alone.
* A line of ``reports.jsonl``, ``errors.jsonl`` or ``runs.jsonl`` that is torn, not
  JSON or lacks a key the build needs is skipped, with an ``errors`` row (source
  ``build``, kind ``bad_line``) and a message.
* What a build tells its caller comes in two kinds, kept apart so a caller need not parse one
  from the other: ``messages`` for the user (a line skipped, a document that failed, a re-index,
  new bodies, years newly missing) and ``progress`` figures (items done of all, the current one).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlite_utils

from archive import agencies, coverage, schema, search
from crawler import crawldir
from crawler.publisher import body_key, declared_name
from extract import standard_format
from extract.detect import sniff
from extract.limits import WorkerLimits
from extract.workers import WorkerPool


# A build writes into every index of a large archive at random places: SQLite's default
# 2 MiB page cache would re-read pages from the OS at every report.
CACHE_SIZE = "PRAGMA cache_size = -262144"  # KiB: 256 MiB
# Report items per transaction: a killed build loses at most this many items' work, and the
# search index is written once per batch (FTS5 flushes its pending index at each commit).
BATCH_ITEMS = 100


def build(crawl_dir: Path, db_path: Path, *, messages=None, progress=None, jobs: int = 1,
          retry_failed: bool = False, limits: WorkerLimits | None = None, batch_items: int = BATCH_ITEMS,
          today: date | None = None, ocr: bool = True) -> dict:
    """Add what is new in ``crawl_dir`` to the archive at ``db_path`` (created if missing).

    ``messages``, if given, is called with a one-line message for the user per line of the
    crawl's JSONL files that is skipped, per document that failed in its worker, before a long
    upgrade of the archive (a search re-index), per new body and per year newly missing.
    ``progress``, if given, is called as ``progress(done, total, current)``: before a batch's
    documents are read (``done`` items of ``total`` written, ``current`` "reading N documents of
    items A-B") and after each report item is written (``current`` its title, or page URL).
    Documents are read by ``jobs`` worker processes under ``limits``
    (``extract.workers``); ``retry_failed`` reads again the documents that took a worker
    past a limit in an earlier build; ``ocr`` false leaves scans and pictures unread (an error
    row each; docs/ocr.md). Report items are committed ``batch_items`` at a time.
    Returns counts for the caller to print: ``reports_seen``, ``reports_added``,
    ``documents_added``, ``figures_added``, ``checks_failed`` (failed identity
    checks in the added reports), ``document_errors`` (extraction error rows added),
    ``documents_failed`` (documents that took a worker past a limit this build),
    ``crawl_errors`` (crawl error rows added), ``runs_added``, ``bad_lines`` (lines of
    the crawl's JSONL files skipped), ``reports_total``, ``bodies_new`` (bodies first seen),
    ``years_newly_missing`` ((body, year) missing since this build, on ``today``, default the
    UTC date: ``archive/coverage.py``), each also said in a message, a warning.
    """
    crawl_dir, db_path = Path(crawl_dir), Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(db_path)
    db.execute(CACHE_SIZE)
    messages = messages or (lambda message: None)
    progress = progress or (lambda done, total, current: None)
    summary = dict.fromkeys(("reports_seen", "reports_added", "documents_added", "figures_added", "checks_failed",
                             "document_errors", "documents_failed", "crawl_errors", "runs_added", "bad_lines"), 0)
    try:
        with db.atomic():
            schema.create(db, messages)
            agencies.key_bodies(db)
            db["crawl_dirs"].insert({"path": str(crawl_dir.resolve())}, ignore=True)
            build_id = db["builds"].insert({"started": _now(), "crawl_dir": str(crawl_dir.resolve())}).last_pk
            items = _load_crawl_log(db, crawl_dir, summary, messages)
        numbered = list(enumerate(items, 1))
        named = set()  # reports an item of this build named the publisher of (_give_to_publisher)
        with WorkerPool(jobs, limits) as pool:
            for first in range(0, len(items), batch_items):
                _add_batch(db, crawl_dir, pool, numbered[first:first + batch_items], len(items), summary,
                           messages, progress, named, retry_failed, ocr)
        with db.atomic():
            _refresh_coverage(db, build_id, today or datetime.now(timezone.utc).date(), summary, messages)
        summary["reports_total"] = db["reports"].count
    finally:
        db.close()
    return summary


def _load_crawl_log(db, crawl_dir: Path, summary: dict, messages) -> list[dict]:
    """Add the runs and crawl errors; the report items, for the batches."""
    for run in _crawl_file(db, crawl_dir / crawldir.RUNS, _bad_run, summary, messages):
        summary["runs_added"] += _add_run(db, run)
    for error in _crawl_file(db, crawl_dir / crawldir.ERRORS, _bad_error, summary, messages):
        summary["crawl_errors"] += _add_error(db, {"source": "crawl", **error})
    return list(_crawl_file(db, crawl_dir / crawldir.REPORTS, _bad_item, summary, messages))


def _add_batch(db, crawl_dir: Path, pool: WorkerPool, batch: list[tuple[int, dict]], total: int, summary: dict,
               messages, progress, named: set[int], retry_failed: bool = False, ocr: bool = True) -> None:
    """Read the new documents of the ``(number, item)`` of ``batch`` in the pool, then write
    the items in one transaction: a build killed at any point leaves the archive as of its
    last batch, whole reports only (their documents, figures, checks, summary rows and
    search index), and the next build goes on from there.

    A document found twice in the batch is read once. With ``retry_failed``, an item's archived
    report holding a document that took a worker past a limit is read again and replaced here,
    in the batch that re-adds it (see :func:`_replace_report`). An archived report whose item names
    its publisher goes to that body (:func:`_give_to_publisher`; ``named`` is the build's record)."""
    archived = {number: _archived_report(db, item) for number, item in batch if item["documents"]}
    retried = _holding_failures(db, {r for r in archived.values() if r is not None}) if retry_failed else set()
    todo = {}  # sha256 → the first document with those bytes
    pictures_of = {}  # sha256 of an HTML page → the pictures among its item's attachments, read with it
    to_read = [item for number, item in batch
               if number in archived and (archived[number] is None or archived[number] in retried)]
    for item in to_read:
        page, pictures = _page_and_pictures(crawl_dir, item)
        if pictures:
            pictures_of.setdefault(page["sha256"], pictures)
        for doc in item["documents"]:
            if doc not in pictures:
                todo.setdefault(doc["sha256"], doc)
    if todo:
        progress(batch[0][0] - 1, total, f"reading {len(todo)} documents of items {batch[0][0]}-{batch[-1][0]}")
    parsed = dict(_parse_all(db, crawl_dir, pool, list(todo.values()), messages, retry_failed, ocr, pictures_of))
    # a picture its page did not take in (not printed there, or the page not read) is read alone
    alone = {doc["sha256"]: doc for item in to_read for doc, *reading in _readings(item, parsed) if reading == [None]}
    parsed.update(_parse_all(db, crawl_dir, pool, [doc for sha, doc in alone.items() if sha not in parsed],
                             messages, retry_failed, ocr))
    with db.atomic():
        first_new = next_report_id(db)
        for number, item in batch:
            summary["reports_seen"] += 1
            if item["documents"]:
                _give_to_publisher(db, _add_item(db, item, parsed, retried, summary), item, named)
            progress(number, total, item.get("title") or item["page_url"])
        if retry_failed:
            _forget_failures(db, set(parsed))
        for sha, (_, failure) in parsed.items():
            if failure and failure["stage"] == "limit":
                summary["documents_failed"] += _remember_failure(db, sha, failure)
        search.index_reports(db, first_new)


def _add_item(db, item: dict, parsed: dict, retried: set[int], summary: dict) -> int:
    """Write one report item of a batch whose documents are ``parsed``: its report if new (or
    replaced, see :func:`_replace_report`), else its finding of the archived one. Returns the report's id."""
    report_id = _archived_report(db, item)  # again: an item earlier in the batch may have added it
    sources = _replace_report(db, report_id) if report_id in retried else None
    if report_id is None or sources is not None:
        report_id = add_parsed(db, item, _readings(item, parsed), summary)
        for source in sources or ():
            db["report_sources"].insert({**source, "report_id": report_id}, ignore=True)
    else:
        _add_source(db, report_id, item)
    return report_id


def _page_and_pictures(crawl_dir: Path, item: dict) -> tuple[dict | None, list[dict]]:
    """The item's HTML page and the pictures among its attachments (the crawler archives those
    the page prints, ``crawler.spiders.pages.printed_images``), which the page is read with."""
    page = _html_page(item)
    if page is None:
        return None, []
    return page, [doc for doc in item["documents"] if doc["role"] == "attachment" and _is_picture(crawl_dir, doc)]


def _html_page(item: dict) -> dict | None:
    return next((doc for doc in item["documents"] if doc["role"] == "page"
                 and "html" in (doc.get("content_type") or "").lower()), None)


def _is_picture(crawl_dir: Path, doc: dict) -> bool:
    """Sent as a picture (``image/*``), or its bytes are one (a server sending any type)."""
    if (doc.get("content_type") or "").lower().startswith("image/"):
        return True
    try:
        with open(crawl_dir / doc["blob"], "rb") as blob:
            return sniff(blob.read(16)) == "image"
    except OSError:
        return False  # read alone, where the missing blob is an error


def _printed(parsed: dict, page_sha: str) -> set[str]:
    """The URLs of the pictures the page's reading took in (its record's ``pictures``)."""
    record = parsed.get(page_sha, (None, None))[0]
    return set(record.get("pictures", ())) if record else set()


def _readings(item: dict, parsed: dict) -> list[tuple]:
    """``(document, record, failure)`` of each of the item's documents (``(document, None)`` for one
    not read yet). A picture its page was read with has no reading of its own: its record says
    only that (``read_in``, the page's sha256)."""
    page = _html_page(item)
    printed = _printed(parsed, page["sha256"]) if page else set()  # only pictures were given it
    return [(doc, {"media_type": "image", "figures": {}, "errors": [], "warnings": [], "read_in": page["sha256"]},
             None) if doc["role"] == "attachment" and doc["url"] in printed
            else (doc, *parsed[doc["sha256"]]) if doc["sha256"] in parsed else (doc, None)
            for doc in item["documents"]]


def _refresh_coverage(db, build_id: int, today: date, summary: dict, messages) -> None:
    """Bring ``coverage`` and ``year_checks`` up to date; say which bodies are new and which
    (body, year) are newly missing, as warnings (the exit code does not change)."""
    missing = coverage.refresh(db, build_id, today)
    # Bodies are stamped here, not as added: those of a build killed before this step are this one's news.
    new_bodies = [row[0] for row in db.execute("select name from agencies where first_build is null order by id")]
    db.execute("update agencies set first_build = ? where first_build is null", [build_id])
    for name in new_bodies:
        messages(f"new body: {name}")
    for name, year in missing:
        messages(f"warning: {name}: {year} missing")
    summary["bodies_new"], summary["years_newly_missing"] = len(new_bodies), len(missing)
    db["builds"].update(build_id, {"bodies_new": len(new_bodies), "years_newly_missing": len(missing)})


def next_report_id(db) -> int:
    """The id the next report added will get."""
    return db.execute("select coalesce(max(id), 0) + 1 from reports").fetchone()[0]


# ------------------------------------------------------------------ the crawl's JSONL files
def _crawl_file(db, path: Path, problem, summary: dict, messages):
    """The objects of one of the crawl's JSONL files (``crawldir.read_jsonl``); a line that is torn,
    not JSON, or lacks what ``problem`` checks is skipped, counted in ``bad_lines`` at every build
    that meets it, said in a message and recorded once (an ``errors`` row, source ``build``,
    kind ``bad_line``, whose url is the file's absolute path)."""
    path = path.resolve()

    def skipped(number: int, why: str) -> None:
        message = f"{path.name} line {number}: {why}; skipped"
        messages(message)
        summary["bad_lines"] += 1
        _add_error(db, {"source": "build", "kind": "bad_line", "url": str(path), "message": message})
    return crawldir.read_jsonl(path, problem, skipped)


def _bad_run(run: dict) -> str | None:
    if not isinstance(run.get("run_id"), str):
        return "no run_id"
    portals = run.get("portals") or {}
    if not (isinstance(portals, dict) and all(isinstance(stats, dict) for stats in portals.values())):
        return "portals is not an object of objects"
    counts = [stats.get(key) for stats in portals.values() for key in _RUN_COUNTS]
    if not all(count is None or isinstance(count, int) for count in counts):
        return f"a portal's {'/'.join(_RUN_COUNTS)} is not a number"
    return _not_text(run, ("started", "finished"))


def _bad_error(error: dict) -> str | None:
    return _not_text(error, (*schema.ERROR_IDENTITY, "run_id", "time"))


# The body an item says published it, and where it sits: text or null, old crawls lack the publisher's.
_DECLARED = tuple(f"{who}_{what}" for who in ("portal", "publisher") for what in ("region", "level")) + ("publisher",)


def _bad_item(item: dict) -> str | None:
    if not isinstance(item.get("page_url"), str):
        return "no page_url"
    documents = item.get("documents")
    if not isinstance(documents, list) or not all(isinstance(doc, dict) for doc in documents):
        return "no documents list"
    for doc in documents:
        missing = [key for key in ("url", "role", "sha256", "blob") if not isinstance(doc.get(key), str)]
        if missing:
            return f"a document lacks {', '.join(missing)}"
        wrong = _not_text(doc, ("filename", "content_type", "fetched_at"))
        if wrong:
            return f"a document's {wrong}"
    return _not_text(item, ("portal", "title", "listing_url", "published", *_DECLARED))


def _not_text(row: dict, keys) -> str | None:
    """What is wrong if one of ``keys`` holds something other than text or null."""
    wrong = [key for key in keys if not (row.get(key) is None or isinstance(row.get(key), str))]
    return f"{', '.join(wrong)} not text" if wrong else None


# ------------------------------------------------------------------ crawl runs and errors
_RUN_COUNTS = ("pages", "reports", "new_reports", "errors")


def _add_run(db, run: dict) -> int:
    if db["crawl_runs"].count_where("run_id = ?", [run["run_id"]]):
        return 0
    portals = run.get("portals") or {}
    totals = {k: sum(p.get(k) or 0 for p in portals.values()) for k in _RUN_COUNTS}
    db["crawl_runs"].insert({"run_id": run["run_id"], "started": run.get("started"),
                             "finished": run.get("finished"), "portals": len(portals), **totals})
    db["portal_runs"].insert_all(
        {"run_id": run["run_id"], "portal": name, "url": stats.get("url"),
         "error_kinds": stats.get("error_kinds"), **{k: stats.get(k) for k in totals}}
        for name, stats in portals.items())
    return 1


def _add_error(db, error: dict) -> int:
    """Record one observation of an error; 1 if it was not archived yet.

    An error is identified by ``schema.ERROR_IDENTITY``; an observation by the crawl
    run that saw it (``run_id``, or ``time`` in crawls written before run ids). So
    re-building the same crawl adds nothing, while a re-crawl that hits the same error
    again adds an observation and moves ``last_seen``: the errors table keeps one row
    per error, with when it was first and last seen and by how many runs.
    """
    identity = {column: error.get(column) for column in schema.ERROR_IDENTITY}
    error_id = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    observed = error.get("run_id") or error.get("time") or ""
    if db["error_observations"].count_where("error_id = ? and observed = ?", [error_id, observed]):
        return 0
    db["errors"].insert({"id": error_id, **identity, "report_id": error.get("report_id")}, ignore=True)
    db["error_observations"].insert({"error_id": error_id, "observed": observed, "run_id": error.get("run_id"),
                                     "time": error.get("time")})
    db.execute("""update errors set
        first_seen = (select min(time) from error_observations where error_id = errors.id),
        last_seen = (select max(time) from error_observations where error_id = errors.id),
        observations = (select count(*) from error_observations where error_id = errors.id),
        last_run_id = (select run_id from error_observations where error_id = errors.id
                       order by time desc limit 1)
        where id = ?""", [error_id])
    return 1


# ------------------------------------------------------------------ reports and documents
# The reports found on a page: those of that page_url, and those another page's item led to
# (a report attachment re-hosted on a second page, see _report_id).
_FOUND_ON_PAGE = "(r.page_url = :page or r.id in (select report_id from report_sources where page_url = :page))"


def _archived_report(db, item: dict) -> int | None:
    """The report holding the item's documents if every one is archived under its page
    (the newest such version, preferring one whose primary document is among them), else None."""
    shas = {f"s{n}": sha for n, sha in enumerate(sorted({doc["sha256"] for doc in item["documents"]}))}
    marks = ", ".join(f":{name}" for name in shas)
    params = {"page": item["page_url"], **shas}
    found = db.execute(
        "select count(distinct d.sha256) from documents d join reports r on r.id = d.report_id "
        f"where {_FOUND_ON_PAGE} and d.sha256 in ({marks})", params).fetchone()[0]
    if found < len(shas):
        return None
    return db.execute(
        "select r.id from reports r join documents d on d.report_id = r.id "
        f"where {_FOUND_ON_PAGE} and d.sha256 in ({marks}) order by r.primary_sha256 in ({marks}) desc, r.id desc",
        params).fetchone()[0]


def add_parsed(db, item: dict, parsed: list[tuple], summary: dict) -> int:
    """Write one report item whose documents are parsed: ``parsed`` holds a
    ``(document, record or None, failure or None)`` per document of the item. Returns its report's id.

    The report row is added unless this version is archived; documents the report
    lacks are added. Counts go into ``summary`` (see :func:`build`). New reports
    are searchable once ``search.index_reports`` has run (:func:`build` does).
    The benchmark writes synthetic records through here.
    """
    primary, record, _ = max(parsed, key=_primary_score)
    report_id = _report_id(db, item["page_url"], primary)
    if report_id is None:
        report_id = _add_report(db, item, primary, record)
        _add_summary(db, report_id, item["page_url"])
        summary["reports_added"] += 1
        summary["figures_added"] += _figures_read(record)
        summary["checks_failed"] += sum(c["passed"] is False for c in (record or {}).get("checks", ()))
    for doc, doc_record, failure in parsed:
        if db["documents"].count_where("report_id = ? and sha256 = ?", [report_id, doc["sha256"]]):
            continue
        _add_document(db, report_id, doc, doc_record, failure)
        summary["documents_added"] += 1
        for error in ([failure] if failure else doc_record["errors"]):
            summary["document_errors"] += _add_error(db, {
                "source": "extract", "portal": item.get("portal"), "url": doc["url"],
                "report_id": report_id, "document_sha256": doc["sha256"], **error})
    _add_source(db, report_id, item)
    return report_id


def _add_source(db, report_id: int, item: dict) -> None:
    """Record that the item's portal found the report (once per report and portal)."""
    db["report_sources"].insert({
        "report_id": report_id, **{key: item.get(key) for key in (
            "portal", "portal_url", "page_url", "listing_url", "title", "year", "published")},
        "fetched_at": min((doc.get("fetched_at") for doc in item["documents"] if doc.get("fetched_at")),
                          default=None)}, ignore=True)


def _give_to_publisher(db, report_id: int, item: dict, named: set[int]) -> None:
    """The report goes to the publisher the item names, if it is archived under another body: a crawl
    written before publishers let the report's own name or its portal's body stand in. The first
    item of the crawl directory naming a publisher decides (every build reads them in the same
    order, so a report two portals credit differently does not move back and forth), noted in
    ``named``. The body left without a report is deleted (``agencies.move_reports``)."""
    if not item.get("publisher") or report_id in named:
        return
    named.add(report_id)
    report = db["reports"].get(report_id)
    publisher = declared_name(item)
    old = report["agency_id"]
    if old is not None and db["agencies"].get(old)["name_key"] == body_key(publisher):
        return
    agencies.move_reports(db, old, _agency_id(db, publisher, item, {"agency": None, "text": report["text"]}),
                          report_id)


def _add_summary(db, report_id: int, page_url: str) -> None:
    """The new report's ``report_summary`` row; the older versions of its page are no longer latest."""
    db.execute(schema.insert_summary_sql("r.id = ?"), [report_id])
    db.execute("update report_summary set latest = 0 where page_url = ? and id < ? and latest",
               [page_url, report_id])


def _parse_all(db, crawl_dir: Path, pool: WorkerPool, todo: list[dict], messages, retry_failed: bool = False,
               ocr: bool = True, pictures_of: dict | None = None):
    """``(sha256, (record, failure))`` for each document of ``todo``: read in the pool, or failed
    without it (blob unreadable or not of its sha256, or known to take a worker past a limit:
    not read again unless ``retry_failed``). An HTML page of ``pictures_of`` (its sha256 → the
    pictures of its item) is read with the bytes of those pictures, by URL (docs/ocr.md)."""
    known = {} if retry_failed else _known_failures(db, {doc["sha256"] for doc in todo})
    outcomes, sent = [], []

    def tasks():
        for doc in todo:
            data, failure = (None, known[doc["sha256"]]) if doc["sha256"] in known else _read_blob(crawl_dir, doc)
            if failure:
                outcomes.append((doc["sha256"], (None, failure)))
                continue
            sent.append(doc)
            filename = doc.get("filename") or unquote(Path(urlsplit(doc["url"]).path).name) or None
            options = {"filename": filename, "media_type": doc.get("content_type"), "source": doc["url"], "ocr": ocr}
            if pictures_of and doc["sha256"] in pictures_of:
                options["pictures"] = _picture_bytes(crawl_dir, pictures_of[doc["sha256"]])
            yield (data,), options

    for doc, (record, failure) in zip(sent, list(pool.map(tasks()))):
        if failure:
            messages(f"{doc['url']}: {failure['message']}")
        outcomes.append((doc["sha256"], (record, failure)))
    return outcomes


def _picture_bytes(crawl_dir: Path, pictures: list[dict]) -> dict[str, bytes]:
    """URL → bytes of the pictures whose blob reads; one that does not is read alone, and fails there."""
    read = ((doc["url"], _read_blob(crawl_dir, doc)) for doc in pictures)
    return {url: data for url, (data, failure) in read if not failure}


def _read_blob(crawl_dir: Path, doc: dict) -> tuple[bytes | None, dict | None]:
    """(bytes, None), or (None, error) if the blob cannot be read or is not what was archived."""
    try:
        data = (crawl_dir / doc["blob"]).read_bytes()
    except OSError as e:
        return None, {"stage": "read", "message": f"blob {doc['blob']}: {e.strerror or e}"}
    if hashlib.sha256(data).hexdigest() != doc["sha256"]:
        return None, {"stage": "read", "message": f"blob {doc['blob']} does not match its sha256"}
    return data, None


# ------------------------------------------------------------------ documents that took a worker past a limit
def _known_failures(db, shas: set[str]) -> dict[str, dict]:
    """The failures of those documents that took a worker past a limit in an earlier build."""
    rows = db.execute(f"select sha256, stage, message from failed_documents "
                      f"where sha256 in ({', '.join('?' * len(shas))})", sorted(shas))
    return {sha: {"stage": stage, "message": message} for sha, stage, message in rows}


def _remember_failure(db, sha256: str, failure: dict) -> int:
    """Record a document that took a worker past a limit, so later builds do not read it again; 1 if new."""
    if db["failed_documents"].count_where("sha256 = ?", [sha256]):
        return 0
    db["failed_documents"].insert({"sha256": sha256, **failure, "failed_at": _now()})
    return 1


def _holding_failures(db, report_ids: set[int]) -> set[int]:
    """Those of the reports that hold a document which took a worker past a limit."""
    marks = ", ".join("?" * len(report_ids))
    return {row[0] for row in db.execute(
        f"select distinct report_id from documents where report_id in ({marks}) "
        "and sha256 in (select sha256 from failed_documents)", sorted(report_ids))}


def _replace_report(db, report_id: int) -> list[dict]:
    """``--retry-failed``: remove a report holding a failed document, with all its rows and errors
    (its primary document may now be the one that failed), for the batch to add it again from
    what it reads now: the same report, not a second version. Returns its findings
    (``report_sources`` rows) for the report added again. Only reports an item of the batch
    leads to are replaced: those only another crawl directory has stay as they are."""
    sources = list(db["report_sources"].rows_where("report_id = ?", [report_id]))
    search.unindex_reports(db, [report_id])
    errors = "select id from errors where report_id = ?"
    db.execute(f"delete from error_observations where error_id in ({errors})", [report_id])
    db.execute(f"delete from errors where id in ({errors})", [report_id])
    for table in ("figures", "checks", "prose_checks", "documents", "report_sources", "report_summary"):
        db.execute(f"delete from [{table}] where {'id' if table == 'report_summary' else 'report_id'} = ?",
                   [report_id])
    db.execute("delete from reports where id = ?", [report_id])
    return sources


def _forget_failures(db, read_now: set[str]) -> None:
    """``--retry-failed``: the documents read again in this batch are no longer known to fail,
    unless a report that was not replaced still holds them unread (a report only another crawl
    directory leads to: building that directory with ``--retry-failed`` reads it again)."""
    marks = ", ".join("?" * len(read_now))
    db.execute(f"delete from failed_documents where sha256 in ({marks}) and not exists "
               "(select 1 from documents d where d.sha256 = failed_documents.sha256 and d.media_type is null)",
               sorted(read_now))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _figures_read(record: dict | None) -> int:
    return sum(v is not None for v in (record or {}).get("figures", {}).values())


def _primary_score(parsed) -> tuple:
    doc, record, _ = parsed
    return _figures_read(record), record is not None, doc["role"] == "page"


def _report_id(db, page_url: str, primary: dict) -> int | None:
    """The archived version of this report: the same page and primary document, or, when the
    primary document is an attachment, the report whose primary attachment has the same bytes
    (a city portal re-hosting a county's PDF on its own page is one report, two sources)."""
    row = db.execute("select id from reports where page_url = ? and primary_sha256 = ?",
                     [page_url, primary["sha256"]]).fetchone()
    if row is None and primary["role"] == "attachment":
        row = db.execute("select r.id from reports r join documents d on d.report_id = r.id "
                         "and d.sha256 = r.primary_sha256 where r.primary_sha256 = ? and d.role = 'attachment' "
                         "order by r.id limit 1", [primary["sha256"]]).fetchone()
    return row[0] if row else None


def _add_report(db, item: dict, primary: dict, record: dict | None) -> int:
    record = record or {}
    checks = record.get("checks", [])
    agency = declared_name(item, record.get("agency"))
    sections = record.get("sections") or {}
    row = {
        "agency_id": _agency_id(db, agency, item, record) if agency else None,
        "portal": item.get("portal"), "portal_url": item.get("portal_url"),
        "year": item.get("year") or record.get("year"),
        "title": item.get("title") or record.get("title"),
        "published": item.get("published") or record.get("published"),
        "format_version": record.get("format_version"), "media_type": record.get("media_type"),
        "source_url": primary["url"], "page_url": item["page_url"],
        "listing_url": item.get("listing_url"), "primary_sha256": primary["sha256"],
        "figures_read": _figures_read(record), "figures_total": len(record.get("figures", {})),
        "checks_passed": sum(c["passed"] is True for c in checks),
        "checks_failed": sum(c["passed"] is False for c in checks),
        "checks_unknown": sum(c["passed"] is None for c in checks),
        "prose_checks_failed": sum(p["passed"] is False for p in record.get("prose_checks", [])),
        "text": record.get("text"), "ocr": int(bool(record.get("ocr"))),
        **{key: sections.get(key) for key in schema.SECTION_KEYS},
    }
    report_id = db["reports"].insert(row).last_pk
    _insert_rows(db, "figures", _figure_rows(report_id, record))
    _insert_rows(db, "checks", (
        {"report_id": report_id, "name": c["name"], "rule": c["rule"], "passed": c["passed"],
         "lhs": c.get("lhs"), "rhs": c.get("rhs"), "keys": json.dumps(c.get("keys", [])),
         "missing": json.dumps(c.get("missing", []))} for c in checks))
    db["prose_checks"].insert_all(
        {"report_id": report_id, "position": position, **p}
        for position, p in enumerate(record.get("prose_checks", [])))
    return report_id


def _insert_rows(db, table: str, rows) -> None:
    """Insert a report's many small rows (figures, checks) with one ``executemany``.

    sqlite-utils' per-value type handling costs more than SQLite itself at some 250
    rows a report (``bench/archive_bench.py``); the columns are the schema's.
    """
    columns = list(schema.TABLES[table].columns)
    db.conn.executemany(
        f"insert into [{table}] ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
        ([row.get(column) for column in columns] for row in rows))


def _agency_id(db, name: str, item: dict, record: dict) -> int:
    """The body's row, created if new (``first_build`` is set when the build ends); each report's reading
    fills or updates it (a null never erases what an earlier report or a declaration gave), and
    its reports' ``report_summary`` rows follow. The portal hosting it is the first item's, or that
    of an item declaring it (its publisher, or its portal's own body: ``crawler.publisher.declared_name``)."""
    place = agencies.for_report(name, item, record)
    hosting = {"portal": item.get("portal"), "portal_url": item.get("portal_url")}
    agency_id = db["agencies"].lookup({"name_key": body_key(name)}, {"name": name, **place, **hosting})
    row = db["agencies"].get(agency_id)
    changed = {key: value for key, value in place.items() if value and value != row[key]}
    if name == declared_name(item) or row["portal"] is None:
        changed.update({key: value for key, value in hosting.items() if value != row[key]})
    if changed:
        db["agencies"].update(agency_id, changed)
        if changed.keys() & place.keys():
            db.execute(schema.refresh_summary_agency_sql(), [agency_id, agency_id])
    return agency_id


def _figure_rows(report_id: int, record: dict):
    """One row per cell of the record's format, described by ``standard_format.cells``."""
    version = record.get("format_version")
    if version not in standard_format.VERSIONS:
        return
    figures, printed = record.get("figures", {}), record.get("cells", {})
    null_reasons = record.get("null_reasons", {})
    recognised = (record.get("ocr") or {}).get("cells", {})  # key → confidence of the cells OCR read
    confirmed = (record.get("ocr") or {}).get("confirmed", {})  # key → identities confirming an unsure reading
    for cell in standard_format.cells(version):
        yield {"report_id": report_id, "key": cell.key, "value": figures.get(cell.key),
               "printed": printed.get(cell.key), "null_reason": null_reasons.get(cell.key),
               "unit": cell.unit, "table_number": cell.table, "section": cell.section,
               "group_label": cell.group or None, "row_label": cell.row_label,
               "column_label": cell.column_label, "ocr": int(cell.key in recognised),
               "ocr_confidence": recognised.get(cell.key),
               "ocr_confirmed_by": ", ".join(confirmed[cell.key]) if cell.key in confirmed else None}


def _add_document(db, report_id: int, doc: dict, record: dict | None, failure: dict | None) -> None:
    db["documents"].insert({
        **{k: doc[k] for k in schema.TABLES["documents"].columns if k in doc},
        "report_id": report_id,
        "media_type": record.get("media_type") if record else None,
        "extract_errors": 1 if failure else len(record.get("errors", [])),
        "extract_warnings": 0 if failure else len(record.get("warnings", [])),
        "read_in": record.get("read_in") if record else None,
    })
