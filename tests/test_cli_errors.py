"""What the command line says: every usage error one line on stderr and exit 2, no traceback; the
other plain messages (no match, not a crawl directory, not a report); a crawl quiet without a
terminal and with a progress line on one; third-party log lines kept off the user's terminal."""
from __future__ import annotations

import logging
import socket
import sqlite3
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from extract.workers import WorkerPool
from nianbao.cli import cli
from tests.cli_support import run_nianbao
from tests.crawler_support import FAST, generate_portal, serve_site
from tests.test_extract_support import FIXTURES

# The crawl's settings for a local site, as a command line gives them (LOG_LEVEL would ask for Scrapy's log).
FAST_SET = [arg for name, value in FAST.items() if name != "LOG_LEVEL" for arg in ("--set", f"{name}={value}")]
CONTACT = ["--set", "NIANBAO_CONTACT=mailto:test@example.org"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="nianbao")


def one_line_error(result, exit_code: int) -> str:
    """The one stderr line of a command that failed with ``exit_code`` (no traceback, nothing on stdout)."""
    assert result.exit_code == exit_code, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and result.stdout == ""
    (line,) = result.stderr.splitlines()
    return line


@pytest.mark.parametrize("setting, says", [
    ("DOWNLOAD_DELAY=abc", "DOWNLOAD_DELAY='abc' is not a valid float"),
    ("AUTOTHROTTLE_ENABLED=maybe", "AUTOTHROTTLE_ENABLED='maybe' is not a valid bool"),
    ("NIANBAO_HOSTS={oops", "NIANBAO_HOSTS='{oops' is not a valid dict"),
    ("DOWNLOAD_DELAYY=1", "DOWNLOAD_DELAYY is not a Scrapy or nianbao setting"),
    ("LOG_LEVEL=LOUD", "LOG_LEVEL='LOUD' is not a valid log level"),
    ("DOWNLOAD_DELAY", "'DOWNLOAD_DELAY' is not NAME=VALUE"),
])
def test_a_bad_set_value_is_refused_before_the_crawl(tmp_path, setting, says):
    line = one_line_error(run("crawl", "--url", "http://127.0.0.1:9/", "--name", "甲", "--out", tmp_path / "out",
                              "--set", setting), 2)
    assert line.startswith("nianbao crawl: Invalid value for --set: ") and says in line
    assert not (tmp_path / "out").exists()  # nothing was crawled, not even the directory made


def test_click_usage_errors_are_one_line_too(tmp_path):
    line = one_line_error(run("crawl", "--url", "http://127.0.0.1:9/", "--out", tmp_path), 2)
    assert line == "nianbao crawl: --url needs --name (the publishing body) (see nianbao crawl --help)"
    assert "Missing option '--db'" in one_line_error(run("search", "词"), 2)
    assert one_line_error(run("bogus"), 2) == "nianbao: No such command 'bogus'. (see nianbao --help)"
    assert one_line_error(run("--bogus"), 2) == "nianbao: No such option '--bogus'. (see nianbao --help)"


@pytest.mark.parametrize("command", ["search", "serve"])
def test_db_that_is_not_an_archive(tmp_path, command):
    words = ["词"] if command == "search" else []
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100, encoding="utf-8")
    line = one_line_error(run(command, "--db", text, *words), 2)
    assert f"{text} is not a SQLite database (file is not a database)" in line
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    assert f"{other} is not a nianbao archive (no reports table" in one_line_error(run(command, "--db", other, *words), 2)


def test_search_says_no_match_and_serve_names_its_busy_port(tmp_path):
    from archive_crawl import make_archive

    _, db_path, _, _ = make_archive(tmp_path)
    assert one_line_error(run("search", "--db", db_path, "不存在的词语"), 1) == f"no match for 不存在的词语 in {db_path}"
    with listening() as busy:
        line = one_line_error(run("serve", "--db", db_path, "--port", busy), 2)
    assert line == (f"nianbao serve: Invalid value for --port: port {busy} of 127.0.0.1 is in use; give another, "
                    "e.g. --port 8011 (see nianbao serve --help)")


@contextmanager
def listening():
    """A port of 127.0.0.1 that something listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_demo_names_the_busy_port_and_the_option(tmp_path):
    with listening() as busy:
        line = one_line_error(run("demo", "--workdir", tmp_path, "--ports", f"{busy},1,2"), 2)
    assert f"port {busy} of 127.0.0.1 is in use" in line and "--ports" in line
    assert not list(tmp_path.iterdir())  # nothing started, nothing written


@pytest.mark.parametrize("args, says", [
    (["demo", "--ports", "8711,8712"], "--ports: '8711,8712' is not three port numbers (1-65535)"),
    (["demo", "--ports", "8711,99999,8713"], "--ports: '8711,99999,8713' is not three port numbers (1-65535)"),
    (["demo", "--ports", "a,b,c"], "--ports: 'a,b,c' is not three port numbers (1-65535)"),
    (["serve", "--db", "{db}", "--port", "99999"], "'--port': 99999 is not in the range 1<=x<=65535"),
    (["search", "--db", "{db}", "--limit", "0", "词"], "'--limit': 0 is not in the range x>=1"),
    (["crawl", "--url", "www.luoshan.gov.cn", "--name", "罗山县人民政府", "--out", "{tmp}/out"],
     "'url' must be an absolute http(s) URL like http://www.example.gov.cn/, got 'www.luoshan.gov.cn'"),
])
def test_values_out_of_range_are_usage_errors(tmp_path, args, says):
    db = tmp_path / "a.db"
    sqlite3.connect(db).execute("create table reports (id)").connection.close()
    line = one_line_error(run(*(arg.format(db=db, tmp=tmp_path) for arg in args)), 2)
    assert says in line and line.endswith(f"(see nianbao {args[0]} --help)")
    assert not (tmp_path / "out").exists()


def test_a_demo_that_cannot_write_its_work_directory_says_so(tmp_path):
    from ports import free_ports

    (tmp_path / "file").write_text("a file, not a directory\n", encoding="utf-8")
    workdir = tmp_path / "file" / "demo"
    line = one_line_error(run("demo", "--workdir", workdir, "--db", tmp_path / "a.db",
                              "--ports", ",".join(map(str, free_ports(3)))), 3)
    assert line.startswith(f"nianbao demo: could not run the demo in {workdir} into {tmp_path / 'a.db'}: ")


def test_build_from_a_directory_that_is_no_crawl(tmp_path):
    line = one_line_error(run("build", "--from", tmp_path, "--db", tmp_path / "a.db"), 3)
    assert line.startswith(f"nianbao build: {tmp_path} is not a crawl directory (it has no runs.jsonl or reports.jsonl")
    assert not (tmp_path / "a.db").exists()


def test_extract_says_a_text_is_no_report(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("购物清单：鸡蛋、牛奶、面包\n", encoding="utf-8")
    result = run("extract", notes)
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert result.stdout == f"{notes}: no annual report found: no report title, year or table of the national " \
                            "format in its text\n"


def test_extract_says_a_blank_template_is_no_report():
    # The real blank 2021 template: its tables are recognised (format 2021), no figure is in them.
    template = FIXTURES / "template-2021-format-blank.docx"
    result = run("extract", "--no-ocr", template)
    assert result.exit_code == 3
    assert result.stdout == f"{template}: no annual report found: the tables of the 2021 national format, " \
                            "but no title, year or figure in its docx\n"


def test_extract_says_why_a_document_was_not_read(tmp_path):
    empty, damaged = tmp_path / "empty.pdf", FIXTURES / "fuzz" / "page-object-unparsable--report.pdf"
    empty.write_bytes(b"")
    result = run("extract", empty, damaged)
    assert result.exit_code == 3 and "None" not in result.stdout
    assert result.stdout.splitlines()[:3] == [
        f"{empty}: not read (empty)", "  error [detect]: empty document: no bytes to read", f"{damaged}: not read (pdf)"]
    assert result.stdout.splitlines()[3].startswith("  error [pdf]: no readable text layer on any page: page 1 not read")


def warn_like_pdfminer(text: str) -> dict:
    """A worker's task that logs and warns as pdfminer does on a damaged font."""
    import warnings

    logging.getLogger("pdfminer.pdffont").warning("Could not get FontBBox from font descriptor because %s", text)
    warnings.warn("a third-party deprecation", DeprecationWarning)
    return {"text": text, "errors": []}


def test_third_party_log_lines_in_a_worker_reach_nobody(capfd):
    with WorkerPool(work=warn_like_pdfminer) as pool:
        assert list(pool.map([(("x",), {})])) == [({"text": "x", "errors": []}, None)]
    assert capfd.readouterr().err == ""


def nianbao_crawl(*args, terminal: bool = False):
    return run_nianbao("crawl", *args, terminal=terminal)


@pytest.fixture(scope="module")
def portal_site(tmp_path_factory):
    with serve_site(generate_portal(tmp_path_factory.mktemp("portal"), reports=12)) as url:
        yield url


def test_a_crawl_without_a_terminal_prints_its_summary_only(portal_site, tmp_path):
    code, stdout, stderr = nianbao_crawl("--url", f"{portal_site}/", "--name", "示例县人民政府", "--out", tmp_path,
                                         *FAST_SET, *CONTACT)
    assert code == 0, stderr
    assert stderr == ""
    lines = stdout.splitlines()
    assert len(lines) <= 10 and lines[0].startswith("示例县人民政府: ok: 27 pages") and lines[-1].startswith("status: ok")


def test_a_crawl_on_a_terminal_shows_a_progress_line(portal_site, tmp_path):
    code, stdout, shown = nianbao_crawl("--url", f"{portal_site}/", "--name", "示例县人民政府", "--out", tmp_path,
                                        *FAST_SET, *CONTACT, terminal=True)
    assert code == 0, shown
    redraws = shown.split("\r")
    assert redraws[1].startswith("crawl: 0/? portals | starting | ")  # drawn before the crawl opens
    assert any(r.startswith("crawl: 1/1 portals | 27 pages, 12 reports, ") for r in redraws), redraws
    assert "Traceback" not in shown and "INFO" not in shown
    assert stdout.splitlines()[-1].startswith("status: ok")


def test_failed_connections_are_one_line_each_and_scrapys_log_is_for_verbose(tmp_path):
    portals = tmp_path / "portals.yaml"
    portals.write_text("portals:\n  - {name: 甲, url: 'http://nowhere.invalid/'}\n"
                       "  - {name: 乙, url: 'http://127.0.0.1:9/'}\n", encoding="utf-8")
    offline = [*FAST_SET, *CONTACT, "--set", "NIANBAO_HOSTS_ONLY=True"]  # no DNS query leaves the machine
    code, stdout, stderr = nianbao_crawl("--portals", portals, "--out", tmp_path / "quiet", *offline)
    assert code == 3 and stdout.splitlines()[-1].startswith("status: failed")
    assert sorted(stderr.splitlines()) == [
        "warning: 乙: no_reports http://127.0.0.1:9/: no annual report found (crawl finished: finished)",
        "warning: 乙: refused http://127.0.0.1:9/: Connection was refused by other side: 111: Connection refused.",
        "warning: 甲: dns http://nowhere.invalid/: nowhere.invalid is not in NIANBAO_HOSTS (NIANBAO_HOSTS_ONLY is set)",
        "warning: 甲: no_reports http://nowhere.invalid/: no annual report found (crawl finished: finished)"]
    code, _, verbose = nianbao_crawl("--portals", portals, "--out", tmp_path / "verbose", *offline, "--verbose")
    assert code == 3 and "[scrapy.core.engine] INFO: Spider opened" in verbose and "Traceback" in verbose


def small_crawl(crawl_dir):
    """A crawl directory of one report item (the seed) and a torn line after it."""
    from archive_crawl import luoshan, write_jsonl

    crawl_dir.mkdir()
    write_jsonl(crawl_dir / "reports.jsonl", [luoshan(crawl_dir)])
    with open(crawl_dir / "reports.jsonl", "a", encoding="utf-8") as torn:
        torn.write('{"page_url": "http://127.0.0.1/a\n')
    return crawl_dir


def test_a_build_on_a_terminal_counts_its_items_and_writes_its_messages_above(tmp_path):
    crawl_dir = small_crawl(tmp_path / "crawl")
    code, stdout, shown = run_nianbao("build", "--from", crawl_dir, "--db", tmp_path / "a.db", terminal=True)
    assert code == 1, shown  # the torn line: partial
    redraws = shown.split("\r")
    assert any(r.startswith("build: 1/1 reports | 罗山县人民政府2021年政府信息公开工作年度报告 | ") for r in redraws), redraws
    assert "reports.jsonl line 2: " in shown and "new body: 罗山县人民政府" in shown
    assert "[1/1]" not in shown and "Traceback" not in shown
    assert '"reports_added": 1' in stdout


def test_a_build_without_a_terminal_prints_its_messages_and_summary_only(tmp_path):
    crawl_dir = small_crawl(tmp_path / "crawl")
    code, stdout, stderr = run_nianbao("build", "--from", crawl_dir, "--db", tmp_path / "a.db")
    assert code == 1
    lines = stderr.splitlines()
    assert lines[0].startswith("reports.jsonl line 2: ") and lines[0].endswith("; skipped")
    assert "new body: 罗山县人民政府" in lines and not any(line.startswith(("[", "reading")) for line in lines)
    assert '"reports_added": 1' in stdout and '"bad_lines": 1' in stdout
