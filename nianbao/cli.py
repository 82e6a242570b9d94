"""The ``nianbao`` command line: a thin layer over crawler/, extract/ and archive/.

``build`` and ``extract`` read documents in worker processes under the limits of
``extract.limits.WorkerLimits``. ``build`` exits 3 with a one-line message (no traceback) when it
could not run (crawl directory unreadable, archive not writable, disk full, a bug): the
archive then holds every batch committed before (docs/archive.md).

Exit codes, the same for every subcommand so cron can act on them:
0 everything worked; 1 partial failure (some portals or documents failed, the rest
is done); 2 usage error; 3 total failure (nothing could be done); 4 (crawl only)
another crawl is running into the same directory, so this one did not start; 5 (crawl only)
that other crawl has run longer than any run may (NIANBAO_STUCK_AFTER_SECONDS): it is stuck;
130 (build only) interrupted by Ctrl-C (SIGINT), as a shell reports it: the archive keeps the
batches committed before, and the next build continues.
A crawl whose directory cannot be written (disk full) stops: 1 if it stored reports
first, else 3, the summary naming the file and the reason.
"""
from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import closing, contextmanager
from pathlib import Path

import click

from nianbao.progress import quiet_build, quiet_crawl

OK, PARTIAL, USAGE, FAILED, LOCKED, STUCK = 0, 1, 2, 3, 4, 5
INTERRUPTED = 128 + 2  # 128 + SIGINT, the code a shell gives a command stopped by Ctrl-C
_STATUS_EXIT = {"ok": OK, "partial": PARTIAL, "failed": FAILED}


class OneLineUsageError(click.ClickException):
    """A usage error as one line on stderr, ``nianbao crawl: Invalid value for --set: … (see nianbao crawl --help)``, exit 2."""

    exit_code = USAGE

    def __init__(self, error: click.UsageError):
        super().__init__(error.format_message())
        self.command = error.ctx.command_path if error.ctx else "nianbao"

    def show(self, file=None) -> None:
        click.echo(f"{self.command}: {self.message} (see {self.command} --help)", err=True)


class OneLineErrors(click.Group):
    """Click's usage errors (four lines: usage, hint, blank, error) as :class:`OneLineUsageError`;
    a command given without arguments still shows its help."""

    def make_context(self, *args, **kwargs):  # nianbao's own options
        with _one_line_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):  # a subcommand's name, options and checks
        with _one_line_usage_errors():
            return super().invoke(ctx)


@contextmanager
def _one_line_usage_errors():
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as error:
        raise OneLineUsageError(error) from None


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def cli():
    """Crawl government portals for 政府信息公开工作年度报告, keep the raw bytes,
    extract every figure of the standard tables and build a SQLite archive.

    The pipeline: crawl → build → serve. `nianbao demo` runs all of it on the
    bundled demo portal; `nianbao COMMAND --help` says more about each command.

    \b
    Start here:
      nianbao demo && nianbao serve --db data/nianbao.db

    \b
    Exit codes, the same for every command: 0 ok; 1 partial (some portals or
    documents failed, or no match); 2 usage error; 3 nothing could be done;
    crawl only: 4 another crawl holds --out, 5 that crawl is stuck; build only:
    130 stopped by Ctrl-C (the committed batches stay).
    """


@cli.command()
@click.option("--portals", "portals_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML portal file: a `portals:` list of {name, url, [region, level, hints]}.")
@click.option("--url", help="Crawl one portal: its home page URL (use with --name).")
@click.option("--name", help="The publishing body of --url, e.g. 罗山县人民政府.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Crawl directory: WARC files, blobs, reports.jsonl, errors.jsonl, runs.jsonl.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy/nianbao setting, e.g. --set DOWNLOAD_DELAY=0. Repeatable.")
@click.option("--verbose", "-v", is_flag=True,
              help="Scrapy's own log on stderr (INFO; --set LOG_LEVEL=DEBUG for more), no progress line.")
def crawl(portals_file, url, name, out_dir, overrides, verbose):
    """Crawl portals for annual reports and archive every response raw.

    On a terminal, a progress line (portals done, pages, reports, rate, ETA) and the
    warnings; without one (cron), only the warnings, one line each (a failed fetch:
    portal, kind, URL, reason), and the summary. --verbose shows Scrapy's own log.

    Safe from cron: a re-run fetches listings again but known documents only if
    changed; a run that finds another one crawling into --out exits at once with
    code 4, or 5 if that one has run longer than any run may (a stuck crawl); a run
    killed mid-crawl is finished by the next. Every portal has a budget of pages and
    time (NIANBAO_PORTAL_MAX_PAGES, NIANBAO_PORTAL_MAX_SECONDS), so no run goes on forever.

    \b
    Exit codes: 0 ok; 1 partial (some portal failed, or something failed that may
    have hidden reports); 2 usage error; 3 every portal failed; 4 another crawl holds
    --out; 5 that crawl is stuck. See docs/crawling.md.

    \b
    Examples:
      nianbao crawl --portals portals.yaml --out crawl/
      nianbao crawl --url http://www.luoshan.gov.cn/ --name 罗山县人民政府 --out crawl/
    """
    from crawler.crawldir import STORAGE_ERRORS
    from crawler.lock import CrawlLocked, CrawlStuck
    from crawler.portals import PortalFileError, load_portals, validate_portals
    from crawler.run import crawl as run_crawl
    from crawler.run import format_summary

    settings = _parse_overrides(overrides)
    if bool(portals_file) == bool(url):
        raise click.UsageError("give either --portals FILE or --url URL --name NAME")
    if url and not name:
        raise click.UsageError("--url needs --name (the publishing body)")
    try:
        portals = (load_portals(portals_file) if portals_file
                   else validate_portals([{"name": name, "url": url}], "--url"))
    except PortalFileError as error:
        raise click.UsageError(str(error)) from error
    try:
        if verbose or "LOG_LEVEL" in settings:
            summary = run_crawl(portals, out_dir, settings=settings)
        else:
            summary = quiet_crawl(portals, out_dir, settings)
    except CrawlLocked as locked:
        click.echo(f"nianbao crawl: {locked}", err=True)
        sys.exit(STUCK if isinstance(locked, CrawlStuck) else LOCKED)
    except STORAGE_ERRORS as error:  # before the crawl began: the lock, the repair, the state file
        click.echo(f"nianbao crawl: cannot write the crawl directory {out_dir}: {error}", err=True)
        sys.exit(FAILED)
    click.echo(format_summary(summary))
    sys.exit(_STATUS_EXIT[summary["status"]])


_PORT = click.IntRange(1, 65535)
_JOBS_HELP = "Worker processes reading documents (each under the memory limit: count it per job)."
_NO_OCR_HELP = "Do not read scanned pages and pictures by OCR (some seconds a page): they are errors instead."


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per input (JSON Lines).")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1), help=_JOBS_HELP)
@click.option("--no-ocr", is_flag=True, help=_NO_OCR_HELP)
def extract(paths, as_json, jobs, no_ocr):
    """Read report documents into records: metadata, figures, checks.

    Reads HTML, PDF, DOCX, DOC/WPS/RTF, XLS/XLSX and text; scanned pages and pictures
    by OCR (--no-ocr: not), and with a saved page (page.html + page_files/) the pictures
    it prints from files under its own folder. Each document is read in a worker process under memory, CPU
    and time limits
    (NIANBAO_WORKER_MEMORY_MB, …_CPU_SECONDS, …_WALL_SECONDS); one over a limit is an error.
    A document read without error but with no report title, year or table in it (or only the
    national format's tables, empty: a blank template) is said to hold no annual report. Exit codes: 0 every document read as a report; 1 some were not
    (unreadable, or no report); 3 none was.

    \b
    Examples:
      nianbao extract report.pdf
      nianbao extract --json *.html > records.jsonl
    """
    from extract.workers import extract_files

    failed = 0
    for record in extract_files(paths, jobs, ocr=not no_ocr):
        failed += bool(record["errors"]) or _not_a_report(record)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            _print_record(record)
    sys.exit(OK if not failed else FAILED if failed == len(paths) else PARTIAL)


@cli.command()
@click.option("--from", "crawl_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A crawl directory written by `nianbao crawl`.")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The SQLite archive to create or update.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1), help=_JOBS_HELP)
@click.option("--retry-failed", is_flag=True,
              help="Read again the documents that took a worker past a limit in an earlier build.")
@click.option("--no-ocr", is_flag=True, help=_NO_OCR_HELP)
def build(crawl_dir, db_path, jobs, retry_failed, no_ocr):
    """Build or update the SQLite archive from a crawl directory.

    On a terminal, a progress line (reports done of all); without one, only what
    went wrong. Safe to re-run: unchanged reports are not added again, and a build that was
    killed is finished by the next (reports are committed in batches). Documents are
    read in worker processes under memory, CPU and time limits; one that goes past a
    limit is an error row and is not read again unless --retry-failed. Exits 3, with a
    one-line message, when the build could not run (--from is not a crawl directory,
    the archive cannot be written); 130 when stopped by Ctrl-C (the committed batches stay).

    \b
    Example:
      nianbao build --from crawl/ --db nianbao.db
    """
    from crawler.crawldir import REPORTS, RUNS

    if not any((crawl_dir / name).is_file() for name in (RUNS, REPORTS)):
        click.echo(f"nianbao build: {crawl_dir} is not a crawl directory (it has no {RUNS} or {REPORTS}; "
                   f"`nianbao crawl --out {crawl_dir}` writes one)", err=True)
        sys.exit(FAILED)
    try:
        summary = quiet_build(crawl_dir, db_path, jobs=jobs, retry_failed=retry_failed, ocr=not no_ocr)
    except KeyboardInterrupt:  # Ctrl-C: the batch being written is rolled back, the others stay
        click.echo(f"nianbao build: interrupted; {db_path} keeps the reports of the batches committed before, "
                   f"and the same command continues from there", err=True)
        sys.exit(INTERRUPTED)
    except Exception as error:  # any cause, a bug included: one line for the cron mail, no traceback
        click.echo(f"nianbao build: could not build {db_path} from {crawl_dir}: "
                   f"{type(error).__name__}: {error}", err=True)
        sys.exit(FAILED)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    sys.exit(OK if not summary["document_errors"] and not summary["bad_lines"] else PARTIAL)


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The archive `nianbao build` made.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="Print at most this many reports.")
@click.argument("words", nargs=-1, required=True)
def search(db_path, limit, words):
    """Find reports by any Chinese word, best match first.

    The same search as Datasette's search box. Prints id, year, portal and title
    per report; when nothing matches, says "no match" on stderr and exits 1 (as
    grep does). Exits 2 if --db is not an archive.

    \b
    Examples:
      nianbao search --db nianbao.db 行政复议
      nianbao search --db nianbao.db 罗山县 依申请公开
    """
    from archive.search import search as run_search

    with closing(_open_archive(db_path)) as db:
        _warn_if_index_is_older(db, db_path)
        rows = run_search(db, " ".join(words), limit=limit)
    for row in rows:
        click.echo(f"{row['id']}\t{row['year']}\t{row['portal']}\t{row['title']}")
    if not rows:
        click.echo(f"no match for {' '.join(words)} in {db_path}", err=True)
    sys.exit(OK if rows else PARTIAL)


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The archive `nianbao build` made.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8001, show_default=True, type=_PORT, help="The port to listen on.")
@click.option("--verbose", is_flag=True, help="Show the web server's log, a line per request, on stderr.")
def serve(db_path, host, port, verbose):
    """Browse the archive in Datasette, until Ctrl-C.

    Prints the address to open; the web server says only what goes wrong, unless --verbose.
    Exits 2, with a one-line message, if --db is not an archive or --port is in use.

    \b
    Example:
      nianbao serve --db nianbao.db --port 8001
    """
    from archive.serve import serve as run_serve

    with closing(_open_archive(db_path)) as db:
        _warn_if_index_is_older(db, db_path)
    _refuse_busy_port([port], host, "--port", "give another, e.g. --port 8011")
    click.echo(f"nianbao serve: {db_path} at http://{host}:{port}/ (Ctrl-C stops it)")
    run_serve(db_path, host=host, port=port, verbose=verbose)


@cli.command()
@click.option("--workdir", default=Path("data/demo"), show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo sites and the crawl go.")
@click.option("--db", "db_path", default=Path("data/nianbao.db"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The archive to build (or update).")
@click.option("--ports", default="8701,8702,8703", show_default=True,
              help="127.0.0.1 ports for the three demo sites.")
def demo(workdir, db_path, ports):
    """Run the whole pipeline on the bundled demo portal (on 127.0.0.1).

    Builds the demo sites, serves them, crawls them, stops them, builds the
    archive and prints what was found against the demo's ground truth. On a
    terminal, progress lines for the crawl and the build.

    Exit codes: 0 every demo report archived exactly; 1 a problem (listed at the
    end); 2 usage error (a port in use); 3 the demo could not run (--workdir or
    --db not writable).
    """
    from nianbao.demo import run_demo

    ports = _three_ports(ports)
    _refuse_busy_port(ports, "127.0.0.1", "--ports", "give three free ones, e.g. --ports 8711,8712,8713")
    try:
        code = run_demo(workdir, db_path, ports=ports, echo=click.echo)
    except (OSError, sqlite3.Error) as error:  # the work directory or the archive cannot be written
        click.echo(f"nianbao demo: could not run the demo in {workdir} into {db_path}: {error}", err=True)
        sys.exit(FAILED)
    sys.exit(code)


def _three_ports(text: str) -> tuple[int, int, int]:
    """``--ports`` of ``nianbao demo``: three port numbers, comma-separated."""
    try:
        ports = tuple(_PORT.convert(p.strip(), None, None) for p in text.split(","))
    except click.BadParameter:
        ports = ()
    if len(ports) != 3:
        raise click.BadParameter(f"{text!r} is not three port numbers (1-65535) for the demo's three sites, "
                                 "e.g. --ports 8711,8712,8713", param_hint="--ports")
    return ports


def _parse_overrides(pairs):
    """The ``--set`` pairs as settings, each checked against its setting's type (before any crawl)."""
    from crawler.run import SettingError, check_overrides

    settings = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        key, value = pair.split("=", 1)
        settings[key.strip()] = value.strip()
    try:
        return check_overrides(settings)
    except SettingError as error:
        raise click.BadParameter(str(error), param_hint="--set") from None


def _refuse_busy_port(ports, host: str, option: str, advice: str) -> None:
    """A usage error naming the first of ``ports`` that something on ``host`` already holds."""
    import errno
    import socket

    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers themselves do
            try:
                probe.bind((host, port))
            except OSError as error:
                if error.errno not in (errno.EADDRINUSE, errno.EACCES):
                    raise click.BadParameter(f"cannot listen on {host}:{port}: {error.strerror}",
                                             param_hint=option) from None
                raise click.BadParameter(f"port {port} of {host} is in use; {advice}", param_hint=option) from None


def _open_archive(db_path):
    """The archive at ``db_path``, or a usage error if it is no SQLite file or holds no reports."""
    import sqlite_utils

    try:
        db = sqlite_utils.Database(sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True))
        tables = set(db.table_names())
    except sqlite3.DatabaseError as error:
        raise click.BadParameter(f"{db_path} is not a SQLite database ({error})", param_hint="--db") from None
    if "reports" not in tables:
        db.close()
        raise click.BadParameter(f"{db_path} is not a nianbao archive (no reports table; "
                                 "`nianbao build` makes one)", param_hint="--db")
    return db


def _warn_if_index_is_older(db, db_path):
    from archive.search import index_is_current

    if not index_is_current(db):
        click.echo(f"warning: {db_path}'s search index was made by an older nianbao and may miss terms; "
                   "`nianbao build` re-indexes it once", err=True)


def _nothing_found(record) -> bool:
    """Nothing of a report in the record: no title, no year, no figure, no table."""
    return (record["title"] is None and record["year"] is None and not record["raw_tables"]
            and all(value is None for value in record["figures"].values()))


def _not_a_report(record) -> bool:
    """Read without error, yet nothing of a report in it."""
    return not record["errors"] and _nothing_found(record)


def _print_record(record):
    if _not_a_report(record):
        # A blank template has the national format's tables (its version is known), only no figure in them.
        found = (f"the tables of the {record['format_version']} national format, but no title, year or figure"
                 if record["format_version"] else "no report title, year or table of the national format")
        click.echo(f"{record['source']}: no annual report found: {found} in its {record['media_type']}")
        return
    if _nothing_found(record):  # its errors say why: not "None | None | None"
        click.echo(f"{record['source']}: not read ({record['media_type'] or 'empty'})")
        _print_errors(record)
        return
    figures = record["figures"]
    read = sum(v is not None for v in figures.values())
    failed = [c["name"] for c in record["checks"] if c["passed"] is False]
    click.echo(f"{record['source']}: {record['title']!s} | {record['agency']!s} | {record['year']!s} | "
               f"format {record['format_version']!s} | {read}/{len(figures)} figures | "
               f"{len(failed)} failed checks")
    for name in failed:
        click.echo(f"  check failed: {name}")
    for prose in record.get("prose_checks", []):
        if prose["passed"] is False:
            click.echo(f"  prose disagrees with table: {prose['phrase']!r} says {prose['prose_value']}, "
                       f"{prose['key']} = {prose['table_value']}")
    _print_errors(record)


def _print_errors(record):
    for error in record["errors"]:
        click.echo(f"  error [{error['stage']}]: {error['message']}")
