"""Re-crawls: a confirmation restarts the NIANBAO_RECHECK_DAYS window; pages judged not to be reports
are remembered, so a re-run does not download them again; state files of earlier versions are kept.
The middlewares by hand first, then two crawls of an unchanged portal on 127.0.0.1."""
import asyncio
import sqlite3
from types import SimpleNamespace

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.incremental import ConditionalRequestMiddleware
from crawler.pipelines import BlobStorePipeline
from crawler.spiders.pages import document
from crawler.signals import not_a_report
from crawler.state import STATE, CrawlState
from crawler.warc import WarcMiddleware
from tests.crawler_support import run_crawl, serve_site
from tests.test_crawler_crawl import check_crawl_directory, path_of, warc_records

URL = "http://127.0.0.1:1/gknb/t4.html"
LAST_MODIFIED = {"Last-Modified": "Wed, 20 Jan 2021 00:00:00 GMT"}


def middlewares(tmp_path, recheck_days):
    crawler = get_crawler(settings_dict={"NIANBAO_OUT_DIR": str(tmp_path), "NIANBAO_WARC_MAX_SIZE": 10**9,
                                         "NIANBAO_RECHECK_DAYS": recheck_days})
    return crawler, WarcMiddleware.from_crawler(crawler), ConditionalRequestMiddleware.from_crawler(crawler)


def fetch(warc, conditional, request, status=200, body=b"<html>2022\xe5\xb9\xb4\xe6\x94\xbf\xe5\xba\x9c</html>"):
    """One request through both middlewares as Scrapy would pass it: a Response, or the IgnoreRequest."""
    stored = conditional.process_request(request)
    if stored is not None:
        return warc.process_response(request, conditional.process_response(request, stored))
    response = HtmlResponse(request.url, status=status, body=body, request=request, headers=LAST_MODIFIED)
    return conditional.process_response(request, warc.process_response(request, response))


def judged():
    return Request(URL, meta={"portal": "A", "judge": True})


def test_a_confirmation_restarts_the_recheck_window(tmp_path):
    """A report document confirmed by a 304 after the window is reused, not asked again, on the next run."""
    crawler, warc, conditional = middlewares(tmp_path, recheck_days=30)
    first = fetch(warc, conditional, Request(URL))
    asyncio.run(BlobStorePipeline.from_crawler(crawler).process_item(
        SimpleNamespace(page_url=URL, documents=[document(first, "page")])))
    conditional.state.db.execute("update urls set checked_at = 0")  # confirmed long ago
    asked = Request(URL)
    assert fetch(warc, conditional, asked, status=304).flags == ["not_modified"] and asked.meta["conditional"]
    assert fetch(warc, conditional, Request(URL)).flags == ["reused"]


def test_a_page_judged_no_report_is_not_fetched_again_within_the_window(tmp_path):
    crawler, warc, conditional = middlewares(tmp_path, recheck_days=30)
    fetch(warc, conditional, judged())
    crawler.signals.send_catch_log(not_a_report, url=URL)  # what the spider says after reading it
    with pytest.raises(IgnoreRequest, match="not an annual report"):
        conditional.process_request(judged())
    assert conditional.process_request(Request(URL, meta={"portal": "A"})) is None  # reached otherwise: fetched
    assert crawler.stats.get_value("nianbao/A/reused") is None  # nothing handed on


def test_after_the_window_a_304_confirms_the_verdict_and_a_new_payload_forgets_it(tmp_path):
    crawler, warc, conditional = middlewares(tmp_path, recheck_days=0)
    fetch(warc, conditional, judged())
    crawler.signals.send_catch_log(not_a_report, url=URL)
    asked = judged()
    with pytest.raises(IgnoreRequest):
        fetch(warc, conditional, asked, status=304)
    assert asked.headers[b"If-Modified-Since"] == LAST_MODIFIED["Last-Modified"].encode()
    assert crawler.stats.get_value("nianbao/A/not_modified") == 1
    # the page changed: it is handed to the spider, to be judged again
    changed = fetch(warc, conditional, judged(), body="<html>2022年政府信息公开工作年度报告</html>".encode())
    assert changed.status == 200 and not conditional.state.known(URL).not_report


def test_a_state_file_of_an_earlier_version_is_kept(tmp_path):
    old = sqlite3.connect(tmp_path / STATE)
    old.execute("create table urls (url text primary key, payload_digest text not null, warc_file text not null, "
                "record_id text not null, warc_date text not null, etag text, last_modified text, "
                "headers text not null, sha256 text, blob text, checked_at real not null)")
    old.execute("insert into urls values (?, 'sha1:X', 'warc/a.warc.gz', '<urn:uuid:1>', '2026-01-01T00:00:00Z', "
                "null, null, '[]', null, null, 0)", (URL,))
    old.commit()
    old.close()
    state = CrawlState(tmp_path)
    assert state.known(URL).record_id == "<urn:uuid:1>" and state.known(URL).not_report is False
    state.not_a_report(URL)
    assert state.known(URL).not_report is True


def test_a_rerun_does_not_download_pages_judged_no_report(tmp_path):
    """示例镇人民政府's column lists two candidates that are no reports (a 政府工作报告 and a 图解 behind
    report-like links). Run 2 (within NIANBAO_RECHECK_DAYS) does not request them; run 3 (window 0)
    asks conditionally and the 304s are revisits; the reports found stay the same."""
    not_reports = {"/yearless/gknb/t4.html", "/yearless/gknb/t5.html"}
    runs, seen = [], set()
    with serve_site() as base:
        portals = [{"name": "示例镇人民政府", "url": f"{base}/yearless/index.html"}]
        for settings in ({}, {}, {"NIANBAO_RECHECK_DAYS": 0}):
            runs.append(run_crawl(portals, tmp_path, settings))
            records = [rec for rec in warc_records(tmp_path) if rec.file not in seen]
            seen |= {rec.file for rec in records}
            runs[-1]["fetched"] = {(path_of(rec.uri), rec.type, rec.profile and rec.profile.rsplit("/", 1)[1])
                                   for rec in records if rec.type in ("response", "revisit")}
    first, second, third = runs
    assert {(path, "response", None) for path in not_reports} <= first["fetched"]
    assert not {path for path, *_ in second["fetched"]} & not_reports
    assert {(path, "revisit", "server-not-modified") for path in not_reports} <= third["fetched"]
    assert [run["portals"]["示例镇人民政府"]["reports"] for run in runs] == [4, 4, 4]
    assert [run["status"] for run in runs] == ["ok", "ok", "ok"]
    check_crawl_directory(tmp_path)
