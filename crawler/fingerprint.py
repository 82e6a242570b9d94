"""Request fingerprints per portal, so two portals sharing URLs each get a whole crawl.

Scrapy's duplicate filter drops a request whose fingerprint it has seen. With plain URL
fingerprints, a second portal on the same host (a city and its department, or one portal
listed twice under two names) would lose every page the first had already asked for, and
its reports would be missing or credited to the other portal. Mixing ``meta["portal"]``
into the fingerprint keeps the filter per portal: within a portal no URL is requested twice.
"""
from __future__ import annotations

import hashlib

from scrapy import Request
from scrapy.utils.request import RequestFingerprinter


class PortalRequestFingerprinter(RequestFingerprinter):
    """Scrapy's fingerprint (URL, method, body), salted with the request's portal if it has one."""

    def fingerprint(self, request: Request) -> bytes:
        plain = super().fingerprint(request)
        portal = request.meta.get("portal")
        return hashlib.sha1(plain + portal.encode("utf-8")).digest() if portal else plain
