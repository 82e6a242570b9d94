"""Scrapy settings for nianbao: politeness, archival and the components, wired in one place.

nianbao's own settings (all prefixed ``NIANBAO_``):

``NIANBAO_OUT_DIR``
    Crawl directory (docs/architecture.md). Required; ``crawler.run.crawl`` sets it.
``NIANBAO_CONTACT``
    URL or e-mail put in the User-Agent so site operators can reach whoever runs the
    crawl. ``crawler.run.crawl`` rebuilds ``USER_AGENT`` when only this is overridden.
``NIANBAO_WARC_MAX_SIZE``
    Bytes after which the current ``.warc.gz`` is closed and the next one started.
``NIANBAO_MAX_HOPS``
    How many column links (政务公开 → 政府信息公开 → 年报) the spider follows from the
    start page. Paging within a listing does not count as a hop.

Tests and the demo lower ``DOWNLOAD_DELAY`` / ``AUTOTHROTTLE_*`` through the
``settings`` argument of ``crawler.run.crawl``; the defaults below are for real,
slow, rate-limited government servers.
"""
BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

NIANBAO_OUT_DIR = None
NIANBAO_CONTACT = "https://github.com/nianbao/nianbao"
NIANBAO_WARC_MAX_SIZE = 1_000_000_000
NIANBAO_MAX_HOPS = 4


def user_agent(contact: str) -> str:
    """The User-Agent: names the project and how to reach its operator."""
    return f"nianbao/0.1 (government open-information report archiver; +{contact})"


USER_AGENT = user_agent(NIANBAO_CONTACT)

# Politeness: obey robots.txt, at most two connections per host, adapt to server speed.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2

DOWNLOADER_MIDDLEWARES = {
    # Closest to the network, before redirect, retry and decompression handle the
    # response, so every response is archived as received (3xx and 5xx included).
    "crawler.warc.WarcMiddleware": 950,
    # Below RetryMiddleware (550) so a failure is recorded once, after the last retry.
    "crawler.middlewares.ErrorMiddleware": 540,
}
ITEM_PIPELINES = {
    "crawler.pipelines.BlobStorePipeline": 100,
    "crawler.pipelines.ReportsJsonLinesPipeline": 200,
}
EXTENSIONS = {
    "crawler.extensions.CrawlLog": 100,
}

LOG_LEVEL = "INFO"
