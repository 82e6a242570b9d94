"""archive.agencies: region and level of a body, read from its name or given by the portal file."""
import doctest

import pytest

from archive import agencies
from archive.agencies import describe


@pytest.mark.parametrize("name, region, level", [
    ("罗山县人民政府", "罗山县", "县级"),
    ("罗山县教育体育局", "罗山县", "县级"),
    ("淮安市人民政府", "淮安市", "市级"),
    ("淮安市市场监督管理局", "淮安市", "市级"),
    ("淮安市洪泽区人民政府", "淮安市洪泽区", "县级"),
    ("金华市义乌市人民政府", "金华市义乌市", "县级"),
    ("河南省人民政府办公厅", "河南省", "省级"),
    ("广西壮族自治区人民政府", "广西壮族自治区", "省级"),
    ("上海市人民政府", "上海市", "省级"),
    ("北京市西城区人民政府", "北京市西城区", "县级"),
    ("罗山县城关镇人民政府", "罗山县城关镇", "乡级"),
    ("教育部", None, "国家级"),
    (None, None, None),
])
def test_describe(name, region, level):
    assert describe(name) == {"region": region, "level": level}


def test_docstring_examples():
    assert doctest.testmod(agencies).failed == 0
