"""nianbao's own Scrapy signal, so failures found anywhere reach one writer (``CrawlLog``)."""

#: Sent with ``portal`` (name or None), ``url``, ``kind`` (see docs/architecture.md,
#: errors.jsonl) and ``message`` whenever a fetch or a portal fails.
error_found = object()
