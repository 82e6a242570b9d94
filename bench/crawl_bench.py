"""Crawl benchmark: nianbao's full pipeline against a bare Scrapy spider, on one generated portal.

    .venv/bin/python bench/crawl_bench.py [--reports 2500] [--per-page 25] [--concurrency 16]
    .venv/bin/python bench/crawl_bench.py --units   # the county portal hosting 63 units instead

Generates a static TRS-style portal (tests.crawler_support.generate_portal: home → column →
listing pages → report pages → one PDF each; 2500 reports make 5,103 pages), serves it with
Twisted's static web server on 127.0.0.1 in a subprocess (stopped by its PID; single-threaded,
HTTP/1.1 keep-alive, answers If-Modified-Since with 304, and much faster than
``python -m http.server``, so the crawlers rather than the server are measured), then crawls it
three times, each crawl in its own process (the Twisted reactor cannot restart):

1. a bare Scrapy spider fetching the same pages (follows every on-site link and the
   ``createPageHTML`` pager), no archival, no items;
2. ``crawler.run.crawl`` — discovery rules, WARC writing, blobs, state, reports.jsonl;
3. ``crawler.run.crawl`` again into the same directory with ``NIANBAO_RECHECK_DAYS=0``: every
   known document asked for conditionally (304 → revisit record, stored copy parsed);
4. and again with the default ``NIANBAO_RECHECK_DAYS`` (30): documents confirmed by run 3 are
   reused without a request, so only the listing pages are fetched.

With ``--units`` the portal is demo_portal/county.py's 青山县人民政府 hosting 63 units (43
departments, 16 townships, 4 area bureaus) under its three directories (link list, ``<select>``,
JavaScript array), every unit on the one host (in a sub-folder, or Hanweb-style ``/col/colN/``
columns); the bare spider then also follows
``<option>`` values and the addresses quoted in inline scripts and JSON, so it fetches every page
nianbao does (and the look-alikes nianbao leaves alone).

Prints pages fetched, wall and CPU seconds and pages/second of each, the ratio nianbao / bare
(target ≥ 0.9, issue 13; and the same ratio of pages per CPU second of the crawl, which a machine busy
with other work disturbs less than wall time), each
process's peak RSS (target < 300 MB), bytes downloaded, and documents answered 304 / reused.
Both crawlers run with the same politeness-free settings, robots.txt obeyed; beyond them the bare
spider has Scrapy's defaults and nianbao its project settings (crawler/settings.py), among them
``CONCURRENT_ITEMS = 4``, which spares Scrapy work the bare spider still does.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": True, "TELNETCONSOLE_ENABLED": False}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2500, help="reports in the generated portal (2 pages each)")
    parser.add_argument("--per-page", type=int, default=25, help="reports per listing page")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent requests, for both crawlers")
    parser.add_argument("--units", action="store_true", help="the county portal hosting 63 units")
    parser.add_argument("--repeat", type=int, default=3,
                        help="first crawls of each crawler, alternating; the fastest of each is compared "
                             "(the machine may be busy with other work)")
    args = parser.parse_args()
    from tests.crawler_support import generate_portal

    settings = {**SETTINGS, "CONCURRENT_REQUESTS": args.concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as work:
        work = Path(work)
        port = free_port()
        if args.units:
            from demo_portal.county import build_county

            portal = build_county(work / "site", port, host="127.0.0.1", subdomains=False,
                                  hanweb=False)["portal"]
            site = work / "site" / "127.0.0.1"
        else:
            site = generate_portal(work / "site", reports=args.reports, per_page=args.per_page)
            portal = {"name": "示例县人民政府", "url": f"http://127.0.0.1:{port}/index.html"}
        with static_server(site, port) as base:
            url = f"{base}/index.html"
            bare, first = [], []
            for n in range(args.repeat):
                bare.append(child("bare", url, work / f"bare{n}", settings))
                first.append(child("nianbao", portal, work / f"crawl{n}", settings))
            last = work / f"crawl{args.repeat - 1}"
            runs = {
                "bare Scrapy spider": fastest(bare),
                "nianbao (WARC on)": fastest(first),
                "re-crawl, conditional": child("nianbao", portal, last, {**settings, "NIANBAO_RECHECK_DAYS": 0}),
                "re-crawl, reuse": child("nianbao", portal, last, settings),
            }
    report(args, runs)


def fastest(runs: list[dict]) -> dict:
    """The fastest run, with the peak RSS of them all."""
    return {**min(runs, key=lambda run: run["seconds"]), "rss_mb": max(run["rss_mb"] for run in runs)}


def report(args, runs: dict[str, dict]) -> None:
    site = "county portal hosting 63 units" if args.units else \
        f"generated portal: {args.reports} reports, {args.per_page} per listing page"
    print(f"{site}; concurrency {args.concurrency}; first crawls: fastest of {args.repeat}")
    print(f"{'':24}{'pages':>7}{'seconds':>9}{'CPU s':>7}{'pages/s':>9}{'peak RSS MB':>13}{'MB down':>9}"
          f"{'304':>6}{'reused':>8}{'reports':>9}")
    for name, run in runs.items():
        print(f"{name:24}{run['pages']:>7}{run['seconds']:>9.2f}{run['cpu']:>7.2f}{run['pages'] / run['seconds']:>9.1f}"
              f"{run['rss_mb']:>13.1f}{run['bytes'] / 1e6:>9.2f}{run.get('not_modified', ''):>6}"
              f"{run.get('reused', ''):>8}{run.get('reports', ''):>9}")
    bare, first = runs["bare Scrapy spider"], runs["nianbao (WARC on)"]
    ratio = (first["pages"] / first["seconds"]) / (bare["pages"] / bare["seconds"])
    cpu_ratio = (first["pages"] / first["cpu"]) / (bare["pages"] / bare["cpu"])
    print(f"ratio nianbao / bare: {ratio:.2f} (target >= 0.9); pages per CPU second: {cpu_ratio:.2f}; "
          f"peak RSS nianbao {max(run['rss_mb'] for run in runs.values()):.0f} MB (target < 300)")
    for name in ("re-crawl, conditional", "re-crawl, reuse"):
        print(f"{name}: {runs[name]['seconds'] / first['seconds']:.2f} of the first crawl's time, "
              f"{runs[name]['bytes'] / first['bytes']:.3f} of its bytes")


def child(kind: str, start, out: Path, settings: dict) -> dict:
    """Run one crawl in a fresh interpreter (``start``: the bare spider's URL, nianbao's portal entry);
    its figures plus its peak RSS (from wait4)."""
    process = subprocess.Popen([sys.executable, __file__, "--child", kind, json.dumps(start), str(out),
                                json.dumps(settings)],
                               stdout=subprocess.PIPE, cwd=REPO)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{kind} crawl failed with exit code {process.returncode}")
    return {**json.loads(output.decode().strip().splitlines()[-1]), "rss_mb": usage.ru_maxrss / 1024}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class static_server:
    """``python -m twisted web`` serving ``root`` on 127.0.0.1:``port``, stopped by its PID."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port

    def __enter__(self) -> str:
        port = self.port
        self.process = subprocess.Popen([sys.executable, "-m", "twisted", "web", "--path", str(self.root),
                                         "--listen", f"tcp:{port}:interface=127.0.0.1"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/index.html", timeout=1).close()
                return base
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        sys.exit("the benchmark server did not start")

    def __exit__(self, *exc) -> None:
        os.kill(self.process.pid, 15)
        self.process.wait(timeout=10)


# --- in the child process -------------------------------------------------------------------

def crawl_nianbao(portal: dict, out: Path, settings: dict) -> dict:
    from crawler.run import crawl

    started, cpu = time.perf_counter(), time.process_time()
    summary = crawl([portal], out, settings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stats = summary["portals"][portal["name"]]
    return {"pages": stats["pages"], "seconds": seconds, "cpu": cpu, "bytes": stats["bytes"], "reports": stats["reports"],
            "not_modified": stats["not_modified"], "reused": stats["reused"]}


def crawl_bare(url: str, out: Path, settings: dict) -> dict:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import HtmlResponse

    pager = re.compile(r"createPageHTML\((\d+),\s*\d+,\s*\"(\w+)\",\s*\"(\w+)\"\)")
    quoted = re.compile(r"\"((?:https?://|/)[^\"\s]*)\"")  # an address in a script or a JSON answer

    class BareSpider(scrapy.Spider):
        """Every on-site link and every pager page; the body of each response is only counted."""

        name = "bare"
        start_urls = [url]
        pages = 0
        bytes = 0

        def parse(self, response):
            self.pages += 1
            self.bytes += len(response.body)
            if response.headers.get("Content-Type", b"").startswith(b"application/json"):
                yield from response.follow_all(quoted.findall(response.text), self.parse)
            if not isinstance(response, HtmlResponse):
                return
            scripts = " ".join(response.xpath("//script/text()").getall())
            addresses = [a + "1" if a.endswith("page=") else a for a in quoted.findall(scripts)]
            yield from response.follow_all(response.xpath("//a/@href | //option/@value").getall(), self.parse)
            yield from response.follow_all([a for a in addresses if a], self.parse)
            for count, prefix, ext in pager.findall(response.text):
                yield response.follow(f"{prefix}.{ext}", self.parse)
                yield from (response.follow(f"{prefix}_{n}.{ext}", self.parse) for n in range(1, int(count)))

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    started, cpu = time.perf_counter(), time.process_time()
    process.crawl(crawler)
    process.start()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"pages": crawler.spider.pages, "seconds": seconds, "cpu": cpu, "bytes": crawler.spider.bytes}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        kind, start, out, settings = sys.argv[2:6]
        crawl = crawl_nianbao if kind == "nianbao" else crawl_bare
        print(json.dumps(crawl(json.loads(start), Path(out), json.loads(settings))))
    else:
        main()
