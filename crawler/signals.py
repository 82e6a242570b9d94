"""nianbao's own Scrapy signals, so what a spider finds reaches the component that keeps it."""

#: Sent with ``portal`` (name or None), ``url``, ``kind`` (see docs/architecture.md,
#: errors.jsonl) and ``message`` whenever a fetch or a portal fails; ``CrawlLog`` writes it.
error_found = object()

#: Sent with ``url`` when a page fetched to be judged (a candidate's article, a templated
#: year's page) is not an annual report; the crawl state keeps the verdict for the next run.
not_a_report = object()

#: Sent with ``path`` (the file that could not be written), ``error`` (one of
#: :data:`crawler.crawldir.STORAGE_ERRORS`) and the ``portal``/``url`` concerned (or None) whenever
#: the crawl directory cannot be written; ``CrawlLog`` records it and stops the crawl.
storage_failed = object()
