"""Scrapy's downloader, keeping to the per-site connection cap when there is no download delay.

Scrapy (2.13 on, asyncio reactor) starts each download as a task and counts it against its
slot's ``CONCURRENT_REQUESTS_PER_DOMAIN`` only once the task runs. With ``DOWNLOAD_DELAY = 0``
the slot's queue is emptied in one go before any of those tasks ran, so a cap of 2 let 19
requests at one server at once (tests/test_crawler_politeness.py). With a delay, one request
leaves the queue per delay and the cap holds; but an operator may set ``DOWNLOAD_DELAY=0``
for a site that allows it, and the cap is a promise to the site.
"""
from __future__ import annotations

from scrapy.core.downloader import Downloader, Slot


class CappedDownloader(Downloader):
    """Counts a request as transferring from the moment it leaves its slot's queue."""

    def _wait_for_download(self, slot: Slot, request, queue_dfd):
        # Called (not awaited) by Downloader._process_queue for each request it takes off the queue:
        # marking it here, before the task starts, is what the queue loop's free-slot check sees.
        # Downloader._download adds it again (a set) and removes it when the download ends.
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
