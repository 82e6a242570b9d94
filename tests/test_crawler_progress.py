"""crawler.progress: which portals are done, told by Scrapy's public signals and nianbao's scheduler and
middlewares (no private engine state). Each step below is what Scrapy does with a request, in its order:
the engine sends ``request_scheduled`` then queues it, the scheduler hands it out, the downloader
middlewares see its failure or the engine its response, and the callback's output goes through the
spider middlewares."""
from __future__ import annotations

import pytest
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError

from crawler.progress import CallbackDone, CrawlProgress, FailureFinal, PortalScheduler
from crawler.spiders.portal import PortalSpider

PORTALS = [{"name": "甲", "url": "http://a.example/"}, {"name": "乙", "url": "http://b.example/"}]


class Crawl:
    """A crawler with the progress extension, the scheduler and both middlewares, stepped by hand."""

    def __init__(self):
        self.figures = []
        # Scrapy's plain priority queue: its default one asks the engine's downloader, which is not here
        self.crawler = get_crawler(PortalSpider, {"NIANBAO_PROGRESS": self.figures.append,
                                                  "NIANBAO_PROGRESS_INTERVAL": 3600,
                                                  "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue"})
        self.spider = PortalSpider.from_crawler(self.crawler, portals=PORTALS)
        self.crawler.spider = self.spider
        self.progress = CrawlProgress.from_crawler(self.crawler)
        self.scheduler = PortalScheduler.from_crawler(self.crawler)
        self.scheduler.open(self.spider)
        self.callbacks, self.failures = CallbackDone.from_crawler(self.crawler), FailureFinal.from_crawler(self.crawler)
        self.progress.spider_opened(self.spider)

    def done(self) -> int:
        self.progress.tick()
        return self.figures[-1].portals_done

    def schedule(self, request: Request) -> bool:
        self.crawler.signals.send_catch_log(signals.request_scheduled, request=request, spider=self.spider)
        return self.scheduler.enqueue_request(request)

    def hand_out(self) -> Request:
        return self.scheduler.next_request()

    def respond(self, request: Request) -> HtmlResponse:
        response = HtmlResponse(request.url, body=b"<html></html>", request=request)
        self.crawler.signals.send_catch_log(signals.response_received, response=response, request=request,
                                            spider=self.spider)
        return response

    def close(self):
        self.progress.spider_closed(self.spider, "finished")


def page(portal: int, path: str, **meta) -> Request:
    return Request(PORTALS[portal]["url"] + path, meta={"portal": PORTALS[portal]["name"], **meta})


@pytest.fixture
def crawl():
    crawl = Crawl()
    yield crawl
    crawl.close()


def test_a_portal_is_done_when_nothing_of_it_is_queued_or_in_hand(crawl):
    assert crawl.done() == 0  # not begun
    crawl.schedule(page(0, ""))
    home = crawl.hand_out()
    assert crawl.done() == 0  # 甲's home in hand
    response = crawl.respond(home)
    column = Request("http://a.example/gknb/", meta=dict(response.meta))  # the spider passes its meta on
    for request in crawl.callbacks.process_spider_output(response, iter([column])):
        crawl.schedule(request)  # the scraper schedules each request of the callback as it comes
    assert crawl.done() == 0  # 甲's 年报 column queued
    handed = crawl.hand_out()
    crawl.schedule(handed.replace(dont_filter=True))  # a retry (a copy, meta and all) replaces the one in hand
    retry = crawl.hand_out()
    assert crawl.done() == 0
    crawl.failures.process_exception(retry, TimeoutError())  # the last retry failed for good
    assert crawl.done() == 1
    crawl.schedule(page(1, ""))
    assert crawl.progress.work.busy() == {"乙"} and crawl.done() == 1
    crawl.failures.process_exception(crawl.hand_out(), IgnoreRequest("robots.txt"))
    assert crawl.done() == 2


def test_a_callback_is_in_hand_until_its_output_is_taken_whatever_fails_inside_it(crawl):
    crawl.schedule(page(0, "art_1.html"))
    report = crawl.hand_out()
    response = crawl.respond(report)
    # an attachment fetched inside the callback, its meta copied from the page's, fails: the page goes on
    attachment = Request("http://a.example/files/1.pdf", meta=dict(response.meta))
    crawl.failures.process_exception(attachment, TimeoutError())
    assert crawl.done() == 0
    output = crawl.callbacks.process_spider_output(response, iter(["an item"]))
    assert next(output) == "an item" and crawl.done() == 0  # the item taken, the callback not over yet
    assert list(output) == [] and crawl.done() == 1


def test_a_callback_that_raises_and_a_redirect_the_dupefilter_drops_end_their_requests(crawl):
    crawl.schedule(page(0, "a.html"))
    crawl.schedule(page(0, "b.html"))
    first, second = crawl.hand_out(), crawl.hand_out()
    crawl.callbacks.process_spider_exception(crawl.respond(first), ValueError("bad page"))
    redirect = second.replace(url="http://a.example/a.html")  # to a page already crawled: filtered out
    assert crawl.schedule(redirect) is False
    assert crawl.done() == 1


def test_a_request_whose_end_went_untold_is_forgotten_when_the_crawl_is_idle(crawl):
    crawl.schedule(page(0, "big.pdf"))
    crawl.hand_out()  # dropped by a middleware's process_response: no signal says so
    assert crawl.done() == 0
    crawl.crawler.signals.send_catch_log(signals.spider_idle, spider=crawl.spider)
    assert crawl.done() == 1
