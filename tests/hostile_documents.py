"""Hostile documents, generated small: each is what a broken or malicious portal could serve,
and each once stopped or fooled a build (issue 10). Every function returns the document's bytes;
none writes a file. Sizes are of the bytes returned, the expanded sizes what a naive reader would
hold in memory.

``xlsx_sheet_corners``   a ~5 KB XLSX with cells A1 and XFD1048576 (a sheet of 17 billion cells)
``docx_huge_xml``        a ~1 MB-per-256 MiB DOCX whose word/document.xml expands to ``expanded`` bytes
``deep_html``            HTML nested ``depth`` elements deep around a report's text
``gzip_bomb``            gzip bytes expanding to ``expanded`` bytes of zeros
``random_bytes``         bytes with no structure (named ``.doc`` by a portal, say)
``html_as_doc``          an HTML report saved under a ``.doc`` name (common on old portals)
``rtf_as_doc``           an RTF report saved under a ``.doc`` name
"""
from __future__ import annotations

import gzip
import io
import random
import zipfile

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/{main}" ContentType="{main_type}"/>
{overrides}
</Types>"""
PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="{main}"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet1.xml"/>
</Relationships>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:XFD1048576"/>
<sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>本年新收政府信息公开申请数量</t></is></c></row>
<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>
</sheetData></worksheet>"""
DOCUMENT_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                 '<w:p><w:r><w:t>某县人民政府2021年政府信息公开工作年度报告</w:t></w:r></w:p>')
DOCUMENT_TAIL = "</w:body></w:document>"
# One paragraph repeated: compresses about 1000:1, as a bomb's content does.
PARAGRAPH = "<w:p><w:r><w:t>" + "重复" * 64 + "</w:t></w:r></w:p>"
REPORT_TEXT = ("某县人民政府2021年政府信息公开工作年度报告\n一、总体情况\n"
               "本报告由某县人民政府办公室编制。统计期限自2021年1月1日起至2021年12月31日止。\n")


def _package(main: str, main_type: str, parts: dict[str, bytes | str], overrides: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main, main_type=main_type,
                                                                     overrides=overrides))
        package.writestr("_rels/.rels", PACKAGE_RELS.format(main=main))
        for name, content in parts.items():
            package.writestr(name, content)
    return out.getvalue()


def xlsx_sheet_corners() -> bytes:
    """An XLSX of one sheet with text in A1 and a number in XFD1048576, the last cell a sheet
    can have: read cell by cell into a grid it is 16,384 × 1,048,576 cells."""
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    return _package(
        "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        {"xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
         "xl/worksheets/sheet1.xml": SHEET},
        overrides=f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}"/>')


def docx_huge_xml(expanded: int = 1 << 30) -> bytes:
    """A DOCX whose ``word/document.xml`` expands to about ``expanded`` bytes (default 1 GiB, about
    4.5 MB compressed): a report title, then the same paragraph over and over. Written in a stream,
    so making it holds one paragraph in memory, not the part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES.format(
            main="word/document.xml",
            main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            overrides=""))
        package.writestr("_rels/.rels", PACKAGE_RELS.format(main="word/document.xml"))
        with package.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(DOCUMENT_HEAD.encode("utf-8"))
            block = (PARAGRAPH * 256).encode("utf-8")
            for _ in range(max(expanded // len(block), 1)):
                part.write(block)
            part.write(DOCUMENT_TAIL.encode("utf-8"))
    return out.getvalue()


def deep_html(depth: int = 100_000) -> bytes:
    """A report page whose text sits inside ``depth`` nested ``<div>``s (a broken CMS template
    repeated, or a hostile page): the text must be read, or the document refused by name."""
    body = REPORT_TEXT.replace("\n", "<br>")
    return (f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body>{'<div>' * depth}"
            f"<p>{body}</p>{'</div>' * depth}</body></html>").encode("utf-8")


def gzip_bomb(expanded: int = 1 << 30) -> bytes:
    """gzip of ``expanded`` zero bytes (about 1 MB per GiB)."""
    out = io.BytesIO()
    chunk = bytes(1 << 20)
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as stream:
        for _ in range(expanded // len(chunk)):
            stream.write(chunk)
        stream.write(bytes(expanded % len(chunk)))
    return out.getvalue()


def random_bytes(size: int = 64 * 1024, seed: int = 10) -> bytes:
    """Random bytes, the same for a given seed."""
    return random.Random(seed).randbytes(size)


def html_as_doc() -> bytes:
    """A report saved as HTML under a ``.doc`` name: no OLE header, a Word-flavoured HTML page."""
    body = REPORT_TEXT.replace("\n", "</p><p>")
    return ("<html xmlns:o='urn:schemas-microsoft-com:office:office' "
            "xmlns:w='urn:schemas-microsoft-com:office:word'><head><meta charset='utf-8'>"
            f"<title>年度报告</title></head><body><p>{body}</p></body></html>").encode("utf-8")


def rtf_as_doc() -> bytes:
    """A report saved as RTF under a ``.doc`` name (WPS and Word both write such files)."""
    escaped = "".join(ch if ord(ch) < 128 else f"\\u{ord(ch)}?" for ch in REPORT_TEXT.replace("\n", "\\par\n"))
    return ("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0 SimSun;}}\\f0\\fs24 " + escaped + "}").encode("ascii")
