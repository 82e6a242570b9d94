"""Hostile documents, generated small: each is what a broken or malicious portal could serve,
and each once stopped or fooled a build (issue 10). Every function returns the document's bytes;
none writes a file. Sizes are of the bytes returned, the expanded sizes what a naive reader would
hold in memory.

``xlsx_sheet_corners``   a ~5 KB XLSX with cells A1 and XFD1048576 (a sheet of 17 billion cells)
``docx_huge_xml``        a ~4 MB-per-GiB DOCX whose word/document.xml expands to ``expanded`` bytes
                         (``declared``: the size its zip headers state instead, a lie)
``deep_html``            HTML nested ``depth`` elements deep around a report's text
``deep_tables``          HTML whose report text sits in tables nested ``depth`` deep
``html_span_bomb``       an HTML table of ``rows`` cells each spanning 99,999 columns
``docx_table``           a DOCX of one table: cells spanning ``span`` grid columns, and a cell merged
                         down ``rows`` rows (each a vMerge continuation of the one above)
``gzip_bomb``            gzip bytes expanding to ``expanded`` bytes of zeros
``random_bytes``         bytes with no structure (named ``.doc`` by a portal, say); ``low=0x80``: no
                         NUL and no ASCII, bytes that GB18030 or a guessed encoding decode "cleanly"
``random_word_document`` random bytes behind an OLE header naming a WordDocument stream: what
                         LibreOffice converts into garbage text
``html_as_doc``          an HTML report saved under a ``.doc`` name (common on old portals)
``rtf_as_doc``           an RTF report saved under a ``.doc`` name
``mhtml_as_doc``         Word's "single file web page" (MIME, GB2312 HTML quoted-printable or base64)
                         under a ``.doc`` name
``entity_bomb``          a DOCX or XLSX whose main XML declares "billion laughs" entities (3 GB if expanded)
``pdf_pages``            a PDF of ``count`` pages whose page tree declares ``declared`` pages
``pdf_content_bomb``     a two-page PDF whose second page's content stream (or a form it draws)
                         inflates to ``expanded`` bytes

Bombs are made in well under a second whatever they expand to: their repeated content is
compressed once (``_deflate_repeated``), not a gigabyte at a time.
"""
from __future__ import annotations

import base64
import io
import quopri
import random
import struct
import zipfile
import zlib

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


def _deflate_repeated(head: bytes, block: bytes, count: int, tail: bytes) -> bytes:
    """Raw deflate of ``head + block * count + tail``, the block compressed once: after a full
    flush the compressor starts afresh, so every repeat compresses to the same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return start + repeat * count + compressor.compress(tail) + compressor.flush()


def _checksum(function, head: bytes, block: bytes, count: int, tail: bytes) -> int:
    """``zlib.crc32`` or ``zlib.adler32`` of ``head + block * count + tail``, a block at a time."""
    value = function(head)
    for _ in range(count):
        value = function(block, value)
    return function(tail, value)


def _zip(parts: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A ZIP of (name, raw deflate, CRC-32, size, size its headers declare) parts."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, deflated, crc, _size, declared in parts:
        encoded = name.encode("utf-8")
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(deflated), declared,
                              len(encoded), 0) + encoded + deflated)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(deflated),
                                    declared, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(directory.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory.getvalue()), start, 0))
    return out.getvalue()


def _zip_part(name: str, content: bytes, declared: int | None = None) -> tuple[str, bytes, int, int, int]:
    return _repeated_part(name, content, b"", 0, b"", declared)


def _repeated_part(name: str, head: bytes, block: bytes, count: int, tail: bytes,
                   declared: int | None = None) -> tuple[str, bytes, int, int, int]:
    size = len(head) + len(block) * count + len(tail)
    return (name, _deflate_repeated(head, block, count, tail), _checksum(zlib.crc32, head, block, count, tail),
            size, size if declared is None else declared)


def _laughs() -> str:
    """A DTD whose entity ``l9`` expands to 3 × 10⁹ characters: each level is ten of the one below."""
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)]
    return "<!DOCTYPE bomb [" + "".join(levels) + "]>"


def entity_bomb(kind: str = "docx") -> bytes:
    """A DOCX (``kind="docx"``) or XLSX whose main XML part uses the entity ``&l9;`` of ``_laughs``."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + _laughs()
    if kind == "docx":
        document = head + DOCUMENT_HEAD.split("?>", 1)[1].replace("年度报告</w:t>", "年度报告&l9;</w:t>") + DOCUMENT_TAIL
        return _package("word/document.xml",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                        {"word/document.xml": document})
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    return _package(
        "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        {"xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
         "xl/worksheets/sheet1.xml": head + SHEET.split("?>", 1)[1].replace("申请数量</t>", "申请数量&l9;</t>")},
        overrides=f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{sheet_type}"/>')


def docx_huge_xml(expanded: int = 1 << 30, declared: int | None = None) -> bytes:
    """A DOCX whose ``word/document.xml`` expands to about ``expanded`` bytes (default 1 GiB, about
    4 MB compressed): a report title, then the same paragraph over and over. ``declared``: the
    part's size as its headers state it (a lie, when it differs). Under 4 GiB: no ZIP64 needed."""
    block = (PARAGRAPH * 4096).encode("utf-8")
    main = "word/document.xml"
    return _zip([
        _zip_part("[Content_Types].xml", CONTENT_TYPES.format(
            main=main, main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            overrides="").encode("utf-8")),
        _zip_part("_rels/.rels", PACKAGE_RELS.format(main=main).encode("utf-8")),
        _repeated_part(main, DOCUMENT_HEAD.encode("utf-8"), block, max(expanded // len(block), 1),
                       DOCUMENT_TAIL.encode("utf-8"), declared)])


def deep_html(depth: int = 100_000) -> bytes:
    """A report page whose text sits inside ``depth`` nested ``<div>``s (a broken CMS template
    repeated, or a hostile page): the text must be read, or the document refused by name."""
    body = REPORT_TEXT.replace("\n", "<br>")
    return (f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body>{'<div>' * depth}"
            f"<p>{body}</p>{'</div>' * depth}</body></html>").encode("utf-8")


def gzip_bomb(expanded: int = 1 << 30) -> bytes:
    """gzip of ``expanded`` zero bytes (about 1 MB per GiB)."""
    block = bytes(1 << 20)
    count, rest = divmod(expanded, len(block))
    tail = bytes(rest)
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + _deflate_repeated(b"", block, count, tail)
            + struct.pack("<II", _checksum(zlib.crc32, b"", block, count, tail), expanded & 0xFFFFFFFF))


def deep_tables(depth: int = 1_000) -> bytes:
    """A report page whose text sits in a table in a table … ``depth`` deep: nothing to flatten."""
    body = REPORT_TEXT.replace("\n", "<br>")
    return (f"<html><head><meta charset='utf-8'></head><body>{'<table><tr><td>' * depth}{body}"
            f"{'</td></tr></table>' * depth}</body></html>").encode("utf-8")


def html_span_bomb(rows: int = 1_000) -> bytes:
    """A report page whose table has ``rows`` rows of one cell with ``colspan=99999`` (browsers, and
    the reader, clamp it to 1,000 columns) and a first cell with ``rowspan=99999``."""
    body = REPORT_TEXT.replace("\n", "<br>")
    table = ('<table><tr><td rowspan="99999">一</td><td colspan="99999">本年新收政府信息公开申请数量</td></tr>'
             + '<tr><td colspan="99999">0</td></tr>' * rows + "</table>")
    return f"<html><head><meta charset='utf-8'></head><body><p>{body}</p>{table}</body></html>".encode("utf-8")


def docx_table(rows: int = 3, span: int = 1) -> bytes:
    """A report DOCX with one table: a header row, then ``rows`` rows whose first cell continues
    the vertical merge started above it and whose second cell spans ``span`` grid columns."""
    def cell(text: str, properties: str = "") -> str:
        return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"
    header = "<w:tr>" + cell("一、总体情况", '<w:vMerge w:val="restart"/>') + cell("0") + "</w:tr>"
    row = "<w:tr>" + cell("", "<w:vMerge/>") + cell("1", f'<w:gridSpan w:val="{span}"/>') + "</w:tr>"
    table = "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>" + header + row * rows + "</w:tbl>"
    main = "word/document.xml"
    return _package(main, "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    {main: DOCUMENT_HEAD + table + "<w:p/>" + DOCUMENT_TAIL})


def random_bytes(size: int = 64 * 1024, seed: int = 10, low: int = 0) -> bytes:
    """Random bytes from ``low`` to 255, the same for a given seed."""
    rng = random.Random(seed)
    return bytes(rng.randrange(low, 256) for _ in range(size)) if low else rng.randbytes(size)


def random_word_document(size: int = 8 * 1024, seed: int = 10) -> bytes:
    """An OLE signature and the stream name ``WordDocument`` (what sniffing looks for), then random bytes."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + random_bytes(size, seed)


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


def mhtml_as_doc(transfer_encoding: str = "quoted-printable") -> bytes:
    """A report saved by Word as a "single file web page" (MHTML) under a ``.doc`` name: a MIME
    ``multipart/related`` message whose HTML part is GB2312, ``quoted-printable`` or ``base64``."""
    body = REPORT_TEXT.replace("\n", "</p>\r\n<p>")
    page = ("<html xmlns:w='urn:schemas-microsoft-com:office:word'><head>"
            "<meta http-equiv=Content-Type content='text/html; charset=gb2312'><title>年度报告</title></head>"
            f"<body><p>{body}</p></body></html>").encode("gb2312")
    encoded = quopri.encodestring(page) if transfer_encoding == "quoted-printable" else base64.encodebytes(page)
    boundary = b"----=_NextPart_01D7F2A1.4C3B2E10"
    return (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"" + boundary + b"\"\r\n\r\n"
            + "此文档为“单个文件网页”，也称为“Web 档案”文件。".encode("gb2312") + b"\r\n\r\n--" + boundary
            + b"\r\nContent-Location: file:///C:/report.htm\r\nContent-Transfer-Encoding: "
            + transfer_encoding.encode("ascii") + b"\r\nContent-Type: text/html; charset=\"gb2312\"\r\n\r\n"
            + encoded + b"\r\n--" + boundary + b"--\r\n")


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object n is ``objects[n - 1]``, object 1 the catalog)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_PAGE_TEXT = b"BT /F1 12 Tf 72 720 Td (Annual report 2021, page %d) Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(content: int, xobjects: bytes = b"") -> bytes:
    return (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> %s>> "
            b"/Contents %d 0 R >>" % (xobjects, content))


def pdf_pages(count: int = 2_001, declared: int | None = None) -> bytes:
    """A PDF of ``count`` pages of one line of text each; its page tree declares ``declared`` pages
    (``/Count``), by default the truth."""
    first = 5 + count  # object number of the first content stream (pages are objects 5 …)
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(count))
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count if declared is None else declared),
                 _FONT, b"null"]
                + [_page(first + n) for n in range(count)]
                + [_stream(_PAGE_TEXT % (n + 1)) for n in range(count)])


def pdf_content_bomb(expanded: int = 1 << 30, via: str = "contents") -> bytes:
    """A two-page PDF: page 1 a line of text, page 2 a content stream (``via="contents"``), or a form
    XObject it draws (``via="form"``), that inflates to ``expanded`` bytes of drawing operators."""
    block = b"0 0 m 1 1 l S\n" * 4096
    head, tail = b"BT /F1 12 Tf 72 720 Td (Page 2) Tj ET\n", b""
    count = max(expanded // len(block), 1)
    bomb = (b"\x78\xda" + _deflate_repeated(head, block, count, tail)
            + struct.pack(">I", _checksum(zlib.adler32, head, block, count, tail)))
    bomb_object = _stream(bomb, b" /Filter /FlateDecode" + (b" /Type /XObject /Subtype /Form /BBox [0 0 595 842]"
                                                              if via == "form" else b""))
    page2 = _page(8) if via == "contents" else _page(9, b"/XObject << /Fm1 8 0 R >> ")
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R 5 0 R] /Count 2 >>", _FONT,
                 _page(6), page2, _stream(_PAGE_TEXT % 1), b"null", bomb_object, _stream(b"/Fm1 Do")])
