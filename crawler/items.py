"""The one item the crawler produces: a discovered report, one line of reports.jsonl.

Field meanings are the contract in docs/architecture.md ("reports.jsonl line").
Documents are plain dicts in that contract's shape (built by
``crawler.spiders.pages.document``); while the item travels through the pipelines
each also carries its raw ``body``, which :class:`crawler.pipelines.BlobStorePipeline`
swaps for the ``blob`` path.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class ReportItem:
    portal: str                   # portal name from the portal file
    portal_url: str               # the portal's home page
    portal_region: str | None     # the portal file's region and level of the portal's body, as written
    portal_level: str | None
    publisher: str                # the body that published the report: a hosted unit, or the portal's (crawler.publisher)
    publisher_region: str | None  # its place names, largest first, completed from the portal's region
    publisher_level: str | None   # national | province | city | county | township | department
    page_url: str                 # page announcing the report (or the file itself, if listed directly)
    listing_url: str | None       # listing page the report was found on
    title: str
    year: int | None              # report year from the title (or its page's body, or a year hint)
    year_inferred: bool           # year is the publication year − 1: neither title nor page stated one
    published: str | None         # YYYY-MM-DD shown on the listing or page
    documents: list[dict] = field(default_factory=list)  # the page first, then its attachments


def report_key(report: Mapping) -> tuple:
    """What makes a report new: its portal, page, the digest of every document, in order, and its
    publisher. (Two portals listing one report, like a city and its department, each have it on
    file; a report on file from a crawl that did not name its publisher is filed again, as changed,
    once a crawl does, so the archive's rebuild gives it to its publisher: archive/build.py.)"""
    return (report["portal"], report["page_url"], tuple(doc["sha256"] for doc in report["documents"]),
            report.get("publisher"))
