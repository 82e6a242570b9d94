"""Scrapy settings for nianbao: politeness, archival and the components, wired in one place.

nianbao's own settings (all prefixed ``NIANBAO_``):

``NIANBAO_OUT_DIR``
    Crawl directory (docs/architecture.md). Required; ``crawler.run.crawl`` sets it.
``NIANBAO_CONTACT``
    URL or e-mail put in the User-Agent so site operators can reach whoever runs the
    crawl (e.g. ``--set NIANBAO_CONTACT=mailto:ops@example.org``); a crawl without one
    logs a warning. ``crawler.run.crawl`` rebuilds ``USER_AGENT`` when only this is overridden.
``NIANBAO_WARC_MAX_SIZE``
    Bytes after which the current ``.warc.gz`` is closed and the next one started.
``NIANBAO_RECHECK_DAYS``
    A report page or attachment a server confirmed (200, 304, or the same payload
    again) less than this many days ago is not requested again: its stored copy is
    used; nor is a page judged not to be a report. Older ones get a conditional
    request. 0 asks every run. (crawler.incremental)
``NIANBAO_FIRST_YEAR``
    First report year fetched for a portal's ``hints.year_url_template`` when its
    ``hints.years`` is not given (the 条例 took effect in 2008); the years before the
    first one found there are not missing (crawler.portals.year_url_template_errors).
``NIANBAO_RECOVERED``
    Set by ``crawler.run.crawl``: what it repaired after a killed or damaged run (crawler.recovery),
    logged as ``interrupted`` errors of this run.
``NIANBAO_MAX_HOPS``
    How many column links (政务公开 → 政府信息公开 → 年报) the spider follows from the
    start page. Paging within a listing does not count as a hop.
``NIANBAO_HOSTS``
    Host names → address (or list of addresses), read before DNS like /etc/hosts, e.g.
    ``{"www.luoshan.gov.cn": "127.0.0.1"}`` (crawler.addresses.PinnedResolver).
``NIANBAO_HOSTS_ONLY``
    Resolve no name but those in ``NIANBAO_HOSTS`` (tests: no DNS query leaves the machine).
``NIANBAO_MAX_LISTING_PAGES``
    Most pages read of one listing (a column's pages, a list endpoint's, a Hanweb column's
    record groups), so a runaway pager or a huge news column cannot eat a run. Hitting
    it is a ``listing_truncated`` error.

Tests and the demo lower ``DOWNLOAD_DELAY`` / ``AUTOTHROTTLE_*`` through the
``settings`` argument of ``crawler.run.crawl``; the defaults below are for real,
slow, rate-limited government servers.
"""
BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

NIANBAO_OUT_DIR = None
# No invented address: operators set their own (the crawl warns while this is unset).
NIANBAO_CONTACT = "contact not configured"
NIANBAO_WARC_MAX_SIZE = 1_000_000_000
NIANBAO_MAX_HOPS = 4
NIANBAO_MAX_LISTING_PAGES = 200
NIANBAO_RECOVERED = []
NIANBAO_FIRST_YEAR = 2008
NIANBAO_RECHECK_DAYS = 30
NIANBAO_HOSTS = {}
NIANBAO_HOSTS_ONLY = False


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

# Scrapy starts this many tasks for every callback's output, however short; a callback here yields
# one report, or a listing's links. 4 instead of 100 took about 40 % off a re-crawl reusing 500
# stored reports (6.9 s → 4.2 s), and a little off a first crawl.
CONCURRENT_ITEMS = 4

# Scrapy's downloader lets a slot's whole queue go at once when DOWNLOAD_DELAY is 0; this one keeps the cap.
DOWNLOADER = "crawler.downloader.CappedDownloader"

# The duplicate filter works per portal: portals sharing URLs each get their whole crawl.
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.PortalRequestFingerprinter"

# Only http and https are ever fetched: no file://, data:, ftp:// or s3:// (crawler.addresses checks too).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
# One answer per host name, shared by the address rule's check and the connection (crawler.addresses).
TWISTED_DNS_RESOLVER = "crawler.addresses.PinnedResolver"
# No way in to a running crawl: Scrapy's telnet console and its remote-control HTTP server (which
# also writes a job file with its access token under ~/.local/state/scrapy/job_files) stay off.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # First of all (before RobotsTxtMiddleware, 100): only http(s), the portal's hosts, public
    # addresses or the portal's own; a redirected request comes through here again.
    "crawler.addresses.AddressRuleMiddleware": 60,
    # Closest to the network, before redirect, retry and decompression handle the
    # response, so every response is archived as received (3xx and 5xx included).
    "crawler.warc.WarcMiddleware": 950,
    # Just inside it: adds validators to known documents, and turns a 304 (archived as a
    # revisit) back into the stored document before anything else sees it.
    "crawler.incremental.ConditionalRequestMiddleware": 940,
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
