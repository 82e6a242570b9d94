"""Crawl government portals for 政府信息公开工作年度报告 and archive the raw bytes.

Entry points: :func:`crawler.portals.load_portals` and :func:`crawler.run.crawl`.
This package never imports ``archive``; of ``extract`` it uses only the pure report rules
(``extract.rules``: a report's title, year and date, whether a text is a report; importing it loads
the ``extract`` package, which imports nothing of ``crawler``), so the crawler
and the extractor judge a report alike. Its only output is the crawl directory described in
docs/architecture.md.
"""
