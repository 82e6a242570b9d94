"""Crawl government portals for 政府信息公开工作年度报告 and archive the raw bytes.

Entry points: :func:`crawler.portals.load_portals` and :func:`crawler.run.crawl`.
This package never imports ``archive`` or ``extract``; its only output is the
crawl directory described in docs/architecture.md.
"""
