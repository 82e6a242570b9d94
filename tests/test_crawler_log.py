"""The crawl log: parse failures and silent portals become errors (a portal silent after earlier
reports is a broken portal); each run leaves one runs.jsonl line and tags its errors with its run_id.
(Signal wiring is exercised end to end in test_crawler_crawl.py.)"""
import doctest
import json
import logging
from datetime import datetime, timezone

from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import coverage
from crawler.extensions import CrawlLog
from crawler.items import ReportItem
from crawler.run import format_summary, summarize
from crawler.spiders.portal import PortalSpider
from extract.deadlines import last_year_due

PORTALS = [{"name": "A", "url": "http://a/"}, {"name": "B", "url": "http://b/"}]


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_errors_and_run_record(tmp_path, caplog):
    # B yielded a report in an earlier run
    (tmp_path / "reports.jsonl").write_text(json.dumps({"portal": "B", "page_url": "http://b/1.html"}) + "\n")
    caplog.set_level(logging.INFO, logger="crawler.extensions")
    crawler = get_crawler(PortalSpider, {"NIANBAO_OUT_DIR": str(tmp_path)})
    spider = PortalSpider.from_crawler(crawler, portals=PORTALS)
    log = CrawlLog.from_crawler(crawler)
    log.spider_opened(spider)
    request = Request("http://a/list", meta={"portal": "A"})
    response = TextResponse("http://a/list", body=b"{", request=request)
    log.response_received(response, request, spider)
    log.spider_error(Failure(ValueError("bad JSON")), response, spider)
    log.error_found(portal="A", url="http://a/gone", kind="http_404", message="HTTP 404")
    log.spider_closed(spider, reason="finished")

    # each error one log line, the ones every live site has at INFO: a cron crawl shows what needs a look
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "crawler.extensions"] == [
        ("WARNING", "A: parse http://a/list: bad JSON"), ("INFO", "A: http_404 http://a/gone: HTTP 404"),
        ("WARNING", "A: no_reports http://a/: no annual report found (crawl finished: finished)"),
        ("WARNING", "B: broken_portal http://b/: no annual report found, but earlier runs found some "
                    "(crawl finished: finished)")]
    (run,) = lines(tmp_path / "runs.jsonl")
    errors = [(e["run_id"], e["portal"], e["url"], e["kind"], e["message"]) for e in lines(tmp_path / "errors.jsonl")]
    assert errors == [
        (run["run_id"], "A", "http://a/list", "parse", "bad JSON"),
        (run["run_id"], "A", "http://a/gone", "http_404", "HTTP 404"),
        (run["run_id"], "A", "http://a/", "no_reports", "no annual report found (crawl finished: finished)"),
        (run["run_id"], "B", "http://b/", "broken_portal",
         "no annual report found, but earlier runs found some (crawl finished: finished)")]
    assert run["portals"]["A"] == {"url": "http://a/", "pages": 1, "bytes": 0, "reports": 0, "new_reports": 0,
                                   "changed_reports": 0, "not_modified": 0, "revisits": 0, "reused": 0, "refused_documents": 0, "errors": 3,
                                   "error_kinds": {"parse": 1, "http_404": 1, "no_reports": 1}}
    assert run["portals"]["B"]["error_kinds"] == {"broken_portal": 1}
    assert crawler.stats.get_value("nianbao/run") == run


def test_coverage_news_examples():
    """crawler.coverage's examples: a run's news against an earlier run's day, and its summary lines."""
    assert doctest.testmod(coverage).failed == 0


def test_a_run_record_lists_the_first_of_its_news_and_counts_them_all(tmp_path):
    """A first crawl of many bodies: its runs.jsonl line names the first KEPT new bodies and (body,
    year) newly missing, by name, and says how many there are; the summary counts them all too."""
    bodies = [f"青山县{number:03d}局" for number in range(250)]
    crawler = get_crawler(PortalSpider, {"NIANBAO_OUT_DIR": str(tmp_path)})
    spider = PortalSpider.from_crawler(crawler, portals=PORTALS)
    log = CrawlLog.from_crawler(crawler)
    log.spider_opened(spider)
    for number, body in reversed(list(enumerate(bodies))):  # found in another order than the names'
        log.item_scraped(ReportItem(
            portal="A", portal_url="http://a/", portal_region=None, portal_level="county", publisher=body,
            publisher_region="青山县", publisher_level="department", page_url=f"http://a/{number}.html",
            listing_url="http://a/", title=f"{body}2020年政府信息公开工作年度报告", year=2020, year_inferred=False,
            published="2021-01-20"), None, spider)
    log.spider_closed(spider, reason="finished")
    (run,) = lines(tmp_path / "runs.jsonl")
    owed = len(range(2021, last_year_due("department", datetime.now(timezone.utc).date()) + 1))
    assert (run["bodies_new_count"], run["years_newly_missing_count"]) == (250, 250 * owed)
    assert run["bodies_new"] == bodies[:coverage.KEPT]
    assert run["years_newly_missing"] == [[body, year] for body in bodies for year in range(2021, 2021 + owed)][
        :coverage.KEPT]
    assert len((tmp_path / "runs.jsonl").read_bytes()) < 10_000
    summary = format_summary(summarize(run, PORTALS))
    assert f"new bodies: 250: {', '.join(bodies[:10])}, … and 240 more" in summary
    assert f"warning: … and {250 * owed - 10} more (body, year) newly missing" in summary
