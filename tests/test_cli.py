"""The `nianbao` command line: help, the extract output contract, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from extract import standard_format
from nianbao.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
SEED = FIXTURES / "seed-report-luoshan-2021.txt"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_help_lists_every_command_in_a_whole_line_and_the_exit_codes():
    result = run("--help")
    assert result.exit_code == 0
    commands = result.output.split("\nCommands:\n")[1].splitlines()
    for name, command in cli.commands.items():
        (listed,) = [line for line in commands if line.startswith(f"  {name} ")]
        assert not listed.endswith("...") and listed.split(None, 1)[1] == command.get_short_help_str(limit=200)
    assert "Exit codes, the same for every command: 0 ok; 1 partial" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_subcommand_has_short_help_with_every_option_explained(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) <= 40
    assert "xit code" in result.output or "Exits" in result.output  # what cron can act on
    unexplained = [param.name for param in cli.commands[command].params
                   if isinstance(param, click.Option) and not param.help]
    assert unexplained == []


def test_extract_json_follows_the_record_contract():
    result = run("extract", "--json", SEED)
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in result.output.splitlines()]
    for field in ("source", "title", "agency", "year", "format_version", "figures", "checks", "errors"):
        assert field in record
    assert record["agency"] == "罗山县人民政府" and record["year"] == 2021
    assert list(record["figures"]) == list(standard_format.keys("2021"))
    assert record["figures"]["requests.new_received.total"] == 48
    assert all(check["passed"] for check in record["checks"])


def test_extract_summary_shows_prose_disagreement():
    result = run("extract", SEED)
    assert result.exit_code == 0
    assert "200/200 figures" in result.output
    assert "says 46, requests.new_received.total = 48" in result.output


def test_extract_batch_goes_on_past_a_corrupt_document(tmp_path):
    corrupt = tmp_path / "truncated.pdf"
    corrupt.write_bytes((FIXTURES / "huaian-city-gov-2024.pdf").read_bytes()[:5000])
    result = run("extract", "--json", corrupt, SEED)
    assert result.exit_code == 1  # partial: one document failed, the other was read
    bad, good = [json.loads(line) for line in result.output.splitlines()]
    assert bad["errors"] and all(value is None for value in bad["figures"].values())
    assert not good["errors"] and good["figures"]["requests.new_received.total"] == 48


def test_extract_exit_code_when_nothing_could_be_read(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert run("extract", empty).exit_code == 3


def test_crawl_usage_errors(tmp_path):
    assert run("crawl", "--out", tmp_path).exit_code == 2
    assert run("crawl", "--url", "http://127.0.0.1:1/", "--out", tmp_path).exit_code == 2
    bad = tmp_path / "portals.yaml"
    bad.write_text("portals:\n  - name: 罗山县人民政府\n", encoding="utf-8")
    result = run("crawl", "--portals", bad, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "url" in result.output


def test_search_finds_reports_by_chinese_words(tmp_path):
    from archive_crawl import make_archive

    _, db_path, _, _ = make_archive(tmp_path)
    hits = run("search", "--db", db_path, "依申请公开")
    assert hits.exit_code == 0
    assert "罗山县人民政府" in hits.output and "2021" in hits.output
    one_character = run("search", "--db", db_path, "县")
    assert one_character.exit_code == 0 and "罗山县人民政府" in one_character.output
    assert run("search", "--db", db_path, "不存在的词语").exit_code == 1


def test_build_upgrades_the_search_index_of_an_older_archive_and_says_so(tmp_path):
    """An archive whose index holds other n-grams (nianbao before five-grams) is re-indexed once."""
    import sqlite_utils
    from archive_crawl import make_archive

    crawl_dir, db_path, _, _ = make_archive(tmp_path)
    db = sqlite_utils.Database(db_path)
    db.execute("drop table reports_fts")
    db.execute('CREATE VIRTUAL TABLE [reports_fts] USING fts5(title, text, content="reports", '
               'content_rowid="id", tokenize="ascii")')  # the 1-4-gram index's declaration
    db.conn.commit()
    assert list(db["reports"].search("依申请公开")) == []
    stale = run("search", "--db", db_path, "依申请公开")
    assert stale.exit_code == 1 and "search index was made by an older nianbao" in stale.output

    upgrade = run("build", "--from", crawl_dir, "--db", db_path)
    assert "search index: re-indexing" in upgrade.output and "1- to 5-character" in upgrade.output
    assert {r["title"] for r in db["reports"].search("依申请公开")} >= {"罗山县人民政府2021年政府信息公开工作年度报告"}
    again = run("build", "--from", crawl_dir, "--db", db_path)
    assert upgrade.exit_code == again.exit_code == 0 and "re-indexing" not in again.output
    found = run("search", "--db", db_path, "依申请公开")
    assert found.exit_code == 0 and "older" not in found.output and "罗山县人民政府" in found.output
