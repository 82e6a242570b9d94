"""Politeness and re-crawl speed: the defaults a real portal gets, and what a local portal on
127.0.0.1 sees of two crawls — the User-Agent, the per-site connection cap, and how few requests
(and how little time) the re-crawl of an unchanged portal takes."""
from crawler.run import build_settings
from tests.crawler_support import generate_portal, run_crawl, site_server


def test_polite_by_default(tmp_path):
    settings = build_settings(tmp_path, {"NIANBAO_CONTACT": "mailto:ops@example.org"})
    assert settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2 and settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings["USER_AGENT"] == ("nianbao/0.1 (government open-information report archiver; "
                                      "+mailto:ops@example.org)")


def test_what_a_portal_sees_of_a_crawl_and_its_recrawl(tmp_path):
    """A slow portal (40 reports, each a page and a PDF; 50 ms an answer), crawled with the per-site
    cap of 2 connections, then again unchanged."""
    site = generate_portal(tmp_path / "site", reports=40, per_page=10)
    contact = "mailto:ops@example.org"
    settings = {"NIANBAO_CONTACT": contact, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    with site_server(site, delay=0.05) as server:
        portals = [{"name": "示例县人民政府", "url": f"{server.url}/index.html"}]
        runs = []
        for _ in range(2):
            asked = len(server.requests)
            summary = run_crawl(portals, tmp_path / "crawl", settings)
            runs.append((server.requests[asked:], summary["portals"]["示例县人民政府"]))
    assert {agent for *_, agent in server.requests} == {
        f"nianbao/0.1 (government open-information report archiver; +{contact})"}
    assert server.peak == 2  # CONCURRENT_REQUESTS_PER_DOMAIN, even with no DOWNLOAD_DELAY (crawler.downloader)
    (first, first_run), (again, again_run) = runs
    listings = ["/robots.txt", "/index.html", "/zwgk/index.html"] + [
        f"/zwgk/zfxxgknb/{page}" for page in ("index.html", "index_1.html", "index_2.html", "index_3.html")]
    assert sorted(path for _, path, _ in first) == sorted(
        listings + [f"/zwgk/zfxxgknb/t{i}.html" for i in range(40)] + [f"/files/r{i}.pdf" for i in range(40)])
    # the re-crawl asks for the listings only, so the portal is busy with it for a fraction of the time
    assert sorted(path for _, path, _ in again) == sorted(listings)
    assert (first_run["reports"], again_run["reports"]) == (40, 40)

    def busy(requests):
        return requests[-1][0] - requests[0][0] + 0.05

    assert busy(again) < busy(first) / 5, (busy(first), busy(again))
