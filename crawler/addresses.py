"""What the crawler may fetch: the address rule, checked on every request at every hop.

A portal's pages can name anything — ``file:///etc/passwd``, a cloud metadata address, a service
on the crawl host, a host on another domain — in a link, an ``<img>``, a JavaScript redirect, a
list endpoint or an HTTP redirect. Whatever it names, a request is fetched only if:

1. its scheme is ``http`` or ``https`` (Scrapy's ``file``, ``data``, ``ftp`` and ``s3`` handlers are
   off as well, crawler/settings.py), with no credentials and a plain host name or address
   (so every parser reads the same host from it);
2. for a request of a portal (``meta["portal"]``), its host is on one of the portal's sites — the
   registrable domain (:func:`site_of`) of its home page and of its URL hints (so units on their own
   sub-domains of the portal's site are on it) — or listed in the
   portal file's ``allow_hosts`` (a host and its sub-domains: platforms and file servers on another
   domain). Requests of no portal (robots.txt) skip this rule;
3. every address its host resolves to is globally reachable: no loopback, private, link-local,
   multicast, reserved, unspecified or shared address, nor one of those inside an IPv6 form
   (IPv4-mapped, 6to4, Teredo, NAT64) — unless it is exactly a portal's own resolved address *and*
   port (a portal on 127.0.0.1 in the tests and the demo, on 10.x in an intranet): the request's
   portal's, or any portal's for a request of none.

A refused request raises :class:`RefusedURL`, which ``crawler.middlewares.ErrorMiddleware`` records
as one ``refused_url`` error saying which rule refused it. A refused report document (a report page,
an attachment, a picture: ``meta["report_document"]``) is also counted as the portal's
``refused_documents`` (crawler.extensions), which makes its run partial: a document is missing.

The address checked is the address connected to: :class:`PinnedResolver` is Scrapy's
``TWISTED_DNS_RESOLVER`` and answers every name from one lookup per crawl, which the check makes first,
so a name cannot resolve to a public address for the check and to a private one for the connection.
``NIANBAO_HOSTS`` maps names to addresses like /etc/hosts (``{"www.luoshan.gov.cn": "127.0.0.1"}``);
with ``NIANBAO_HOSTS_ONLY`` no other name is resolved at all (tests: nothing can leave the machine).
Addresses written in a URL (``http://169.254.169.254/``, ``http://[::ffff:a00:1]/``, even
``http://2130706433/``) are checked as they are, without DNS.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.resolver import HostResolution
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet.address import IPv4Address as TwistedIPv4, IPv6Address as TwistedIPv6
from twisted.internet.interfaces import IHostnameResolver
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from crawler.extensions import portal_stat

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
PLAIN_HOST = re.compile(r"[a-z0-9_.-]+")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Offline: the Public Suffix List snapshot tldextract ships, never a download nor a cache file.
REGISTRABLE = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class RefusedURL(IgnoreRequest):
    """A request the address rule refused; the message says which rule and why."""


def site_of(url: str) -> str:
    """The site a URL belongs to: its registrable domain by the Public Suffix List, so
    ``xxgk.luoshan.gov.cn`` (where many portals keep their 信息公开 platform, and hosted units their
    own sub-domains) counts as ``www.luoshan.gov.cn``. A host with no public suffix — an IP address,
    ``localhost`` — keeps its port, as every port may be a different server."""
    parts = urlsplit(url)
    return registrable_domain(parts.hostname or "") or parts.netloc


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The host's registrable domain, "" for none. Cached: a crawl asks it of a few hosts for every
    request (the address rule, the spiders' on-site checks), and the suffix-list look-up is not free."""
    return REGISTRABLE(host).top_domain_under_public_suffix


def url_refusal(url: str) -> str | None:
    """Why a URL is refused whatever its host: a scheme other than http/https, credentials
    (``http://www.luoshan.gov.cn@10.1.2.3/``, which parsers split differently), or a host that is
    neither a plain DNS name nor an address; None for a fetchable URL."""
    parts = urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme or '(none)'!r} is not http or https"
    if "@" in parts.netloc:
        return "the URL carries credentials (user@host)"
    host = parts.hostname or ""
    if not PLAIN_HOST.fullmatch(host) and literal_address(host) is None:
        return f"host {host or '(none)'!r} is not a plain host name"
    return None


def portal_sites(portal: dict) -> set[str]:
    """The sites a portal lives on: of its home page and of its URL hints."""
    hints = portal["hints"]
    urls = (portal["url"], hints.get("column_url"), hints.get("units_url"),
            (hints.get("year_url_template") or "").replace("{year}", "2020"))
    return {site_of(url) for url in urls if url}


def host_refusal(url: str, portal: dict) -> str | None:
    """Why a URL's host is off the portal (not on its sites nor in its ``allow_hosts``), or None."""
    host = urlsplit(url).hostname or ""
    sites = portal_sites(portal)
    allowed = portal.get("allow_hosts") or []
    if site_of(url) in sites or any(host == entry or host.endswith("." + entry) for entry in allowed):
        return None
    listed = f"; allow_hosts: {', '.join(allowed)}" if allowed else "; the portal file has no allow_hosts"
    return f"host {host or '(none)'} is off the portal's site ({', '.join(sorted(sites))}{listed})"


def literal_address(host: str) -> IPAddress | None:
    """The address a host name written as an address stands for: ``10.0.0.1``, ``::1``, and the
    forms the C library also reads as IPv4 (``127.1``, ``0x7f.0.0.1``, ``2130706433``); else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefx." for c in host.lower()):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, Teredo client, NAT64), else None."""
    if address.version == 4:
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_kind(address: IPAddress) -> str | None:
    """What makes an address unfit to fetch from (``loopback``, ``private`` …), None for a public one."""
    inner = embedded_ipv4(address)
    if inner is not None:  # what is connected to in the end
        return address_kind(inner) and f"{address_kind(inner)} (as {inner})"
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "not globally reachable"


def address_refusal(address: str, port: int, own: set[tuple[str, int]]) -> str | None:
    """Why connecting to ``address``:``port`` is refused, or None: a non-public address is allowed
    only as a portal's own address and port (``own``)."""
    kind = address_kind(ipaddress.ip_address(address))
    if kind is None or (address, port) in own:
        return None
    allowed = ", ".join(sorted(f"{a}:{p}" for a, p in own)) or "none"
    return f"address {address} is {kind} (port {port}; portal addresses allowed: {allowed})"


def url_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or DEFAULT_PORTS.get(parts.scheme, 80)


@implementer(IHostnameResolver)
class PinnedResolver:
    """Scrapy's ``TWISTED_DNS_RESOLVER``: one answer per name per crawl, shared by the address check
    (:meth:`lookup`) and the connection (:meth:`resolveHostName`). Names are read from
    ``NIANBAO_HOSTS`` first, then (unless ``NIANBAO_HOSTS_ONLY``) from the system, IPv4 and IPv6."""

    def __init__(self, reactor, hosts: dict[str, str | list[str]], hosts_only: bool, timeout: float):
        self.reactor = reactor
        self.hosts = {name.lower().rstrip("."): [str(ipaddress.ip_address(a)) for a in
                                                 ([value] if isinstance(value, str) else value)]
                      for name, value in hosts.items()}
        self.hosts_only = hosts_only
        self.timeout = timeout
        self.answers: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler, reactor):
        settings = crawler.settings
        return cls(reactor, settings.getdict("NIANBAO_HOSTS"), settings.getbool("NIANBAO_HOSTS_ONLY"),
                   settings.getfloat("DNS_TIMEOUT"))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def lookup(self, host: str) -> defer.Deferred:
        """The addresses of ``host`` (fires with a non-empty list, or fails with CannotResolveHostError);
        the first answer for a name stands for the whole crawl."""
        name = host.lower().rstrip(".")
        literal = literal_address(name.strip("[]"))
        if literal is not None:
            return defer.succeed([str(literal)])
        known = self.hosts.get(name) or self.answers.get(name)
        if known:
            return defer.succeed(known)
        if self.hosts_only:
            return defer.fail(CannotResolveHostError(f"{host} is not in NIANBAO_HOSTS (NIANBAO_HOSTS_ONLY is set)"))
        found = deferToThreadPool(self.reactor, self.reactor.getThreadPool(), system_addresses, name)
        found.addTimeout(self.timeout, self.reactor)
        found.addCallback(lambda addresses: self.answers.setdefault(name, addresses))

        def unresolved(failure):
            raise CannotResolveHostError(f"{host} could not be resolved: {failure.getErrorMessage()}")

        return found.addErrback(unresolved)

    def resolveHostName(self, resolutionReceiver, hostName: str, portNumber: int = 0,
                        addressTypes=None, transportSemantics: str = "TCP"):
        resolution = HostResolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)

        def answer(addresses):
            for address in addresses:
                kind = TwistedIPv6 if ":" in address else TwistedIPv4
                if addressTypes is None or kind in addressTypes:
                    resolutionReceiver.addressResolved(kind("TCP", address, portNumber))

        self.lookup(hostName).addCallbacks(answer, lambda failure: None).addBoth(
            lambda _: resolutionReceiver.resolutionComplete())
        return resolution


def system_addresses(name: str) -> list[str]:
    """Every IPv4/IPv6 address the system resolver gives ``name``, in its order, each once."""
    infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)))
    if not addresses:
        raise OSError(f"no address for {name}")
    return addresses


class AddressRuleMiddleware:
    """Downloader middleware applying the rules above to every request — scheduled ones, attachments
    a spider downloads itself, each redirect (a redirected request passes here again) — before
    robots.txt is asked for its host."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.own: dict[str, set[tuple[str, int]]] = {}  # portal name → its own (address, port)s

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request):
        portal = self.portals().get(request.meta.get("portal"))
        refusal = url_refusal(request.url) or (portal and host_refusal(request.url, portal))
        refusal = refusal or await self.address_check(request.url, portal)
        if refusal:
            if portal and request.meta.get("report_document"):
                self.crawler.stats.inc_value(portal_stat(portal["name"], "refused_documents"))
            raise RefusedURL(f"refused: {refusal}")

    async def address_check(self, url: str, portal: dict | None) -> str | None:
        """Why one of the URL host's addresses is refused, or None (all of them must pass)."""
        own = await self.own_addresses(portal)
        for address in await self.resolve(urlsplit(url).hostname or ""):
            refusal = address_refusal(address, url_port(url), own)
            if refusal:
                return refusal
        return None

    async def own_addresses(self, portal: dict | None) -> set[tuple[str, int]]:
        """The (address, port)s of the portal's home page host; of every portal's, for no portal."""
        if portal is None:
            return set().union(*[await self.own_addresses(p) for p in self.portals().values()])
        if portal["name"] not in self.own:
            try:
                addresses = await self.resolve(urlsplit(portal["url"]).hostname or "")
            except CannotResolveHostError:
                addresses = []  # its requests fail on DNS themselves; nothing is its own
            self.own[portal["name"]] = {(a, url_port(portal["url"])) for a in addresses}
        return self.own[portal["name"]]

    async def resolve(self, host: str) -> list[str]:
        from twisted.internet import reactor

        resolver = reactor.nameResolver
        if not isinstance(resolver, PinnedResolver):
            raise RuntimeError("TWISTED_DNS_RESOLVER must be crawler.addresses.PinnedResolver, so that the "
                               "address checked is the address connected to")
        return await maybe_deferred_to_future(resolver.lookup(host))

    def portals(self) -> dict[str, dict]:
        return getattr(self.crawler.spider, "portals_by_name", {})
