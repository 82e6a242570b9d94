"""DOCX: the official blank template, filled with the seed's numbers by python-docx, read back."""
from __future__ import annotations

import io

import docx

from extract import extract_document
from extract import standard_format as sf
from test_extract_support import SEED_CELLS, TEMPLATE, assert_cells


def filled_template(cells: dict[str, str], title: str) -> bytes:
    """The template with each data row's empty value cells filled in printed key order.

    Data rows are the rows whose (distinct) cells after the label are empty in the blank
    template; merged cells are filled once."""
    document = docx.Document(str(TEMPLATE))
    document.paragraphs[0].text = title
    values = iter(cells[k] for k in sf.keys("2021"))
    for table in document.tables:
        for row in table.rows:
            distinct = []
            for cell in row.cells:
                if all(cell._tc is not seen._tc for seen in distinct):
                    distinct.append(cell)
            empty = [c for c in distinct if not c.text.strip()]
            if empty and empty == distinct[len(distinct) - len(empty):]:
                for cell in empty:
                    cell.text = next(values)
    assert next(values, None) is None, "every key placed"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_filled_template_every_cell_exact():
    data = filled_template(SEED_CELLS, "罗山县人民政府2021年政府信息公开工作年度报告")
    record = extract_document(data, filename="report.docx")
    assert record["media_type"] == "docx"
    assert_cells(record, SEED_CELLS)
    assert (record["title"], record["agency"], record["year"]) == (
        "罗山县人民政府2021年政府信息公开工作年度报告", "罗山县人民政府", 2021)
    assert all(c["passed"] for c in record["checks"])
    assert record["sections"]["other"] == "（文字描述，收取信息处理费情况在此处报告。）"


def test_blank_template_is_all_blank_cells():
    record = extract_document(TEMPLATE.read_bytes(), filename=TEMPLATE.name)
    assert record["format_version"] == "2021"
    assert set(record["figures"]) == set(sf.keys("2021"))
    assert set(record["figures"].values()) == {None}
    assert set(record["cells"].values()) == {""}
    assert set(record["null_reasons"].values()) == {"blank cell"}
    assert {c["passed"] for c in record["checks"]} == {None}


def test_damaged_docx_is_an_error():
    data = TEMPLATE.read_bytes()
    record = extract_document(data[: len(data) // 2], filename="cut.docx")
    assert record["errors"][0]["stage"] == "docx"
    assert record["figures"] == {}
