"""The portal file: valid files load normalised, every mistake is named precisely."""
import re

import pytest

from crawler.portals import PortalFileError, load_portals, validate_portal, validate_portals


def write(tmp_path, text):
    path = tmp_path / "portals.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_normalises_entries(tmp_path):
    path = write(tmp_path, """
portals:
  - name: 罗山县人民政府
    url: http://www.luoshan.gov.cn/
    region: 河南省信阳市
    level: county
    hints: {column_url: "http://www.luoshan.gov.cn/zfxxgk/gknb/", cms: trs}
    allow_hosts: [XXGK.henan.gov.cn, files.luoshan-cdn.com.]
  - name: " 信阳市教育局 "
    url: https://jyj.xinyang.gov.cn/
""")
    first, second = load_portals(path)
    assert first == {"name": "罗山县人民政府", "url": "http://www.luoshan.gov.cn/", "region": "河南省信阳市",
                     "level": "county", "hints": {"column_url": "http://www.luoshan.gov.cn/zfxxgk/gknb/", "cms": "trs"},
                     "allow_hosts": ["xxgk.henan.gov.cn", "files.luoshan-cdn.com"], "units": True}
    assert second == {"name": "信阳市教育局", "url": "https://jyj.xinyang.gov.cn/", "region": None,
                      "level": None, "hints": {}, "allow_hosts": [], "units": True}


@pytest.mark.parametrize("text, message", [
    ("- name: a\n  url: http://a/\n", "top-level 'portals:'"),
    ("portals: []\n", "non-empty list"),
    ("portals:\n  - url: http://a/\n", "portal #1 (?): 'name' must be a non-empty string"),
    ("portals:\n  - name: A\n    url: www.a.gov.cn\n", "portal #1 (A): 'url' must be an absolute http(s) URL"),
    ("portals:\n  - name: A\n    url: http://a/\n    hint: {}\n", "unknown key(s) hint"),
    ("portals:\n  - name: A\n    url: http://a/\n    level: 县级\n", "'level' must be one of national, province"),
    ("portals:\n  - name: A\n    url: http://a/\n    hints: [x]\n", "'hints' must be a mapping"),
    ("portals:\n  - name: A\n    url: http://a/\n    hints: {column_url: /gknb/}\n", "'hints.column_url' must be"),
    ("portals:\n  - {name: A, url: 'http://a/'}\n  - {name: A, url: 'http://b/'}\n", "repeated: A"),
    ("portals:\n  - name: A\n    url: http://a/\n    allow_hosts: files.a.com\n", "'allow_hosts' must be a list of host names"),
    ("portals:\n  - name: A\n    url: http://a/\n    allow_hosts: [http://files.a.com/]\n",
     "'allow_hosts': not a host name (no scheme, port or path): 'http://files.a.com/'"),
    ("portals:\n  - name: A\n    url: http://a/\n    allow_hosts: [files.a.com, 'b.com:8080']\n", "'b.com:8080'"),
    ("portals:\n  - name: [\n", "not valid YAML"),
])
def test_bad_files_name_the_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(PortalFileError, match=re.escape(message)) as err:
        load_portals(path)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(PortalFileError, match="cannot read portal file"):
        load_portals(tmp_path / "nope.yaml")


def test_portals_built_in_code_are_checked_the_same_way():
    assert validate_portals([{"name": "A", "url": "http://a/"}])[0]["hints"] == {}
    with pytest.raises(PortalFileError, match="expected a mapping"):
        validate_portal("http://a/")
