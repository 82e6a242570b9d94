"""archive.agencies: a body's row from the extractor's record, or from the portal file for the portal's body."""
import doctest

from archive import agencies
from archive.agencies import for_report
from crawler.publisher import declared_body, declared_name

PORTAL = {"portal": "淮安市洪泽区人民政府", "portal_region": "江苏省淮安市洪泽区", "portal_level": "county"}


def record(agency, level, **units) -> dict:
    return {"agency": agency, "level": level, "text": "",
            "region": {"province": None, "city": None, "county": None, "township": None, **units}}


def test_the_records_region_and_level_for_another_body():
    row = for_report("淮安市洪泽区教育局", PORTAL, record("淮安市洪泽区教育局", "department", city="淮安市", county="洪泽区"))
    assert row == {"region": "淮安市洪泽区", "province": None, "city": "淮安市", "county": "洪泽区", "township": None,
                   "level": "department"}


def test_the_portal_file_wins_for_the_portals_body():
    row = for_report("淮安市洪泽区人民政府", PORTAL, record("淮安市洪泽区人民政府", "county", city="淮安市", county="洪泽区"))
    assert row == {"region": "江苏省淮安市洪泽区", "province": "江苏省", "city": "淮安市", "county": "洪泽区",
                   "township": None, "level": "county"}


def test_a_portal_region_above_the_body_completes_the_records_units():
    item = {"portal": "淮安市洪泽区人民政府", "portal_region": "江苏省淮安市", "portal_level": "county"}
    row = for_report("淮安市洪泽区人民政府", item, record("淮安市洪泽区人民政府", "county", city="淮安市", county="洪泽区"))
    assert (row["region"], row["province"], row["county"]) == ("江苏省淮安市洪泽区", "江苏省", "洪泽区")


def test_a_portal_region_that_is_not_only_place_names_is_kept_as_written():
    item = {"portal": "淮安市洪泽区人民政府", "portal_region": "江苏北部", "portal_level": "county"}
    row = for_report("淮安市洪泽区人民政府", item, record("淮安市洪泽区人民政府", "county", city="淮安市", county="洪泽区"))
    assert (row["region"], row["city"], row["county"]) == ("江苏北部", "淮安市", "洪泽区")


def test_a_portal_file_without_region_or_level_leaves_the_records():
    row = for_report("淮安市洪泽区人民政府", {"portal": "淮安市洪泽区人民政府"},
                     record("淮安市洪泽区人民政府", "county", city="淮安市", county="洪泽区"))
    assert (row["region"], row["level"]) == ("淮安市洪泽区", "county")


def test_the_portals_name_standing_in_is_read_by_the_extractor():
    """A report naming no body, or naming it short, is the portal's: its name is read the extractor's way."""
    item = {"portal": "淮安市洪泽区人民政府"}
    assert for_report("淮安市洪泽区人民政府", item, {}) == {
        "region": "淮安市洪泽区", "province": None, "city": "淮安市", "county": "洪泽区", "township": None,
        "level": "county"}
    short = for_report("淮安市洪泽区人民政府", item, record("洪泽区人民政府", "county", county="洪泽区"))
    assert short["city"] == "淮安市"


def test_national_body():
    assert for_report("教育部", {"portal": "教育部"}, record("教育部", "national"))["level"] == "national"


def test_docstring_examples():
    assert doctest.testmod(agencies).failed == 0


HOSTED = {**PORTAL, "publisher": "淮安市洪泽区教育局", "publisher_region": "江苏省淮安市洪泽区", "publisher_level": "department"}


def test_the_publisher_a_crawl_declares_wins_for_itself_not_the_portal():
    row = for_report("淮安市洪泽区教育局", HOSTED, record("淮安市洪泽区教育局", "county", county="洪泽区"))
    assert (row["region"], row["province"], row["level"]) == ("江苏省淮安市洪泽区", "江苏省", "department")
    # The portal's own body is not the one declared: the record's reading stands.
    portal = for_report("淮安市洪泽区人民政府", HOSTED, record("淮安市洪泽区人民政府", "county", county="洪泽区"))
    assert (portal["region"], portal["level"]) == ("洪泽区", "county")


def test_a_publisher_named_short_on_its_own_portal_is_the_portal_body():
    item = {**PORTAL, "publisher": "洪泽区人民政府", "publisher_region": "江苏省淮安市洪泽区", "publisher_level": "county"}
    assert declared_name(item, "洪泽区人民政府") == "淮安市洪泽区人民政府"
    assert declared_body(item) == ("淮安市洪泽区人民政府", "江苏省淮安市洪泽区", "county")
