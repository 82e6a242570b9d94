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
    it is a ``listing_truncated`` error. Page counts a listing declares (TRS
    ``createPageHTML(20000000, …)``, ``pageCount``, ``<totalpage>``, Hanweb ``totalRecord``)
    are cut to it before their URLs are made.
``NIANBAO_MAX_REDIRECTS``
    Most redirects followed from one request: HTTP 3xx, ``<meta http-equiv="refresh">`` and
    JavaScript ``location.replace`` shells count alike, on one counter (Scrapy's
    ``redirect_times``; it feeds ``REDIRECT_MAX_TIMES``). A chain cut off, or a redirect back
    into its own chain (a loop, dropped at once), is a ``redirect_limit`` error.
``NIANBAO_PORTAL_MAX_PAGES`` / ``NIANBAO_PORTAL_MAX_SECONDS``
    A portal's budget for one run: requests made, and seconds since the run started.
    Once either is spent, the portal's further requests are dropped and one
    ``budget_exhausted`` error is written (crawler.budget); other portals go on. Sized for a
    portal hosting 60 units: about 1,000 reports of 2008 on with ~1.5 attachments each, plus
    their listings and candidates, is some 3,000-4,000 requests on a first crawl; at the
    politeness pace of a slow government server (2-3 s a request over 2 connections) that is
    2-3 hours. The budget allows five times the requests (20,000) and four times the time (12 h).
``NIANBAO_STUCK_AFTER_SECONDS``
    A crawl holding the lock longer than this is stuck (``nianbao crawl`` exits 5): the longest
    allowed run, ``NIANBAO_PORTAL_MAX_SECONDS`` (every portal's clock starts with the run) plus an
    hour for the downloads under way, their retries and the closing.
``NIANBAO_MAX_DOCUMENT_BYTES``
    Largest response (documents included) read, before and after HTTP decompression; it feeds
    ``DOWNLOAD_MAXSIZE``, and a quarter of it ``DOWNLOAD_WARNSIZE``. A larger one is a
    ``too_large`` error naming this setting. Annual reports are a few MB; scanned ones reach
    tens of MB.
``NIANBAO_PROGRESS`` / ``NIANBAO_PROGRESS_INTERVAL``
    A callable given the crawl's figures (portals done, pages, reports: crawler.progress) at once,
    then every so many seconds; ``nianbao crawl`` sets it on a terminal to draw its progress line.
``NIANBAO_MAX_RETRY_AFTER``
    Longest ``Retry-After`` (seconds) of a 429 or 503 that is waited before the retry
    (crawler.middlewares.RetryAfterMiddleware). A host asking for longer is given up for the run:
    one ``host_gave_up`` error, and each request to it dropped afterwards is another.

Tests and the demo lower ``DOWNLOAD_DELAY`` / ``AUTOTHROTTLE_*`` through the
``settings`` argument of ``crawler.run.crawl``; the defaults below are for real,
slow, rate-limited government servers.
"""
from scrapy.settings import default_settings

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
NIANBAO_MAX_REDIRECTS = 10
NIANBAO_PORTAL_MAX_PAGES = 20_000
NIANBAO_PORTAL_MAX_SECONDS = 12 * 3600
NIANBAO_MAX_DOCUMENT_BYTES = 200_000_000
NIANBAO_MAX_RETRY_AFTER = 120
NIANBAO_PROGRESS = None
NIANBAO_PROGRESS_INTERVAL = 0.5
CLOSING_SECONDS = 3600  # a run's last downloads, their retries and its closing, after the budgets are spent


def derived_settings(get) -> dict:
    """The settings that follow from others (``get``: a setting's value by name). Set here from the
    defaults, and again by ``crawler.run.build_settings`` when a caller overrides only the source."""
    max_bytes = get("NIANBAO_MAX_DOCUMENT_BYTES")
    return {"REDIRECT_MAX_TIMES": get("NIANBAO_MAX_REDIRECTS"),
            "DOWNLOAD_MAXSIZE": max_bytes, "DOWNLOAD_WARNSIZE": max_bytes // 4,
            "NIANBAO_STUCK_AFTER_SECONDS": get("NIANBAO_PORTAL_MAX_SECONDS") + CLOSING_SECONDS}


_derived = derived_settings(globals().get)
REDIRECT_MAX_TIMES = _derived["REDIRECT_MAX_TIMES"]
DOWNLOAD_MAXSIZE = _derived["DOWNLOAD_MAXSIZE"]
DOWNLOAD_WARNSIZE = _derived["DOWNLOAD_WARNSIZE"]
NIANBAO_STUCK_AFTER_SECONDS = _derived["NIANBAO_STUCK_AFTER_SECONDS"]


def user_agent(contact: str) -> str:
    """The User-Agent: names the project and how to reach its operator."""
    return f"nianbao/0.1 (government open-information report archiver; +{contact})"


USER_AGENT = user_agent(NIANBAO_CONTACT)

# Politeness: obey robots.txt, at most two connections per host, adapt to server speed. Scrapy's
# download slot is the host name, so the units a portal hosts in its sub-folders share these two
# (tests/test_crawler_units.py counts them at the server).
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
    # Outermost, so a failure that reaches it is final: a progress display's portal is then done with
    # that request (crawler/progress.py; off without NIANBAO_PROGRESS).
    "crawler.progress.FailureFinal": 1,
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
    # Above RetryMiddleware (550), so it sees a 429/503 before the retry is made: waits out a short
    # Retry-After, gives the host up for a long one.
    "crawler.middlewares.RetryAfterMiddleware": 560,
    # Scrapy's, in their places, reporting the responses they drop (redirect chains too long, bodies
    # too large once decompressed), which no process_exception sees.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.HttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.RedirectMiddleware": 600,
    # Just inside the conditional middleware (which answers reused documents without a request): a
    # portal whose budget is spent sends nothing more.
    "crawler.budget.PortalBudgetMiddleware": 945,
}
# A report a portal's own pages and a unit's both lead to is the unit's (crawler/spiders/unit_first.py);
# last on the way out, so the requests it holds back have been through the others.
# Innermost, the progress display's: a callback is over when its output is all taken (crawler/progress.py).
SPIDER_MIDDLEWARES = {"crawler.spiders.unit_first.UnitReportsFirst": 10, "crawler.progress.CallbackDone": 1000}
ITEM_PIPELINES = {
    "crawler.pipelines.BlobStorePipeline": 100,
    "crawler.pipelines.ReportsJsonLinesPipeline": 200,
}
EXTENSIONS = {
    "crawler.extensions.CrawlLog": 100,
    "crawler.progress.CrawlProgress": 200,
}
# Scrapy's own extensions but the remote control, which REMOTE_CONTROL_ENABLED keeps off and which is
# not even loaded here: its module imports aiohttp's web server, 0.1 CPU second at the start of every
# crawl (4 % of the county bench's, bench/crawl_bench.py --units). Scrapy imports every extension
# EXTENSIONS names, even as None, so it is left out of the base list instead.
EXTENSIONS_BASE = {name: order for name, order in default_settings.EXTENSIONS_BASE.items()
                   if name != "scrapy.extensions.remote_control.RemoteControl"}
# Scrapy's, saying what it queues and hands out, so a progress display can tell which portals are done.
SCHEDULER = "crawler.progress.PortalScheduler"

# The log: every failed fetch is one line of the crawl log (crawler.extensions.CrawlLog), so
# Scrapy's own lines about the same failure (with a traceback) are INFO, seen with --verbose only.
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.extensions.FailuresLoggedOnce"
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
