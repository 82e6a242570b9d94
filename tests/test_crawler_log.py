"""The crawl log: parse failures and silent portals become errors; each run leaves one runs.jsonl line.
(Signal wiring is exercised end to end in test_crawler_crawl.py.)"""
import json

from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.extensions import CrawlLog
from crawler.spiders.portal import PortalSpider

PORTALS = [{"name": "A", "url": "http://a/"}, {"name": "B", "url": "http://b/"}]


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_errors_and_run_record(tmp_path):
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

    errors = [(e["portal"], e["url"], e["kind"], e["message"]) for e in lines(tmp_path / "errors.jsonl")]
    assert errors == [("A", "http://a/list", "parse", "bad JSON"), ("A", "http://a/gone", "http_404", "HTTP 404"),
                      ("A", "http://a/", "no_reports", "no annual report found (crawl finished: finished)"),
                      ("B", "http://b/", "no_reports", "no annual report found (crawl finished: finished)")]
    (run,) = lines(tmp_path / "runs.jsonl")
    assert run["portals"]["A"] == {"url": "http://a/", "pages": 1, "reports": 0, "new_reports": 0, "errors": 3,
                                   "error_kinds": {"parse": 1, "http_404": 1, "no_reports": 1}}
    assert run["portals"]["B"]["error_kinds"] == {"no_reports": 1}
    assert crawler.stats.get_value("nianbao/run") == run
