"""Flattened text as `pdftotext -layout` prints the real PDFs: labels wrap above and below
their values, the vertical 三、本年度办理结果 interleaves with other labels. Read exactly."""
from __future__ import annotations

import pytest

from extract import extract_file
from test_extract_support import FIXTURES, HONGZE_2023_CELLS, HONGZE_2024_CELLS, HUAIAN_2024_CELLS, assert_cells

LAYOUT = {
    "huaian-hongze-district-gov-2023": HONGZE_2023_CELLS,
    "huaian-hongze-district-gov-2024": HONGZE_2024_CELLS,
    "huaian-city-gov-2024": HUAIAN_2024_CELLS,
}


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_layout_text_every_cell_exact(name):
    record = extract_file(FIXTURES / f"{name}.pdftotext-layout.txt")
    assert record["media_type"] == "text" and record["format_version"] == "2021"
    assert_cells(record, LAYOUT[name])
