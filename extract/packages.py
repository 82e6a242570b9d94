"""ZIP packages (DOCX, XLSX) checked against the content limits before any library opens them.

python-docx and openpyxl inflate the parts they load without a bound, so a 4 MB DOCX whose
``word/document.xml`` expands to 1 GiB takes gigabytes and minutes before failing. The central
directory states every part's expanded size, and that statement is binding for the libraries:
both read parts through ``zipfile``, which never yields more of a member than its declared size
(``ZipExtFile`` stops there and fails the CRC check when the data goes on, so a header that lies
gives a damaged-package error, not a larger part). Checking the declared sizes here therefore
bounds what the readers can expand, at the cost of reading the central directory only.
"""
from __future__ import annotations

import io
import zipfile

from .grid import ReadError
from .limits import LIMITS, ContentLimits, over

_XML_SUFFIXES = (".xml", ".rels", ".vml")


def check_package(data: bytes, stage: str, limits: ContentLimits = LIMITS) -> None:
    """ReadError (``stage``) naming the limit when the package's parts are too many or expand too far.

    A package whose directory cannot be read passes: the reader then reports it damaged."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if len(parts) > limits.package_parts:
        raise ReadError(stage, over(limits, "package_parts", f"the package holds {len(parts):,} parts"))
    for part in parts:
        if part.filename.lower().endswith(_XML_SUFFIXES) and part.file_size > limits.xml_part_bytes:
            raise ReadError(stage, over(limits, "xml_part_bytes",
                                        f"part {part.filename} expands to {part.file_size:,} bytes"))
    total = sum(part.file_size for part in parts)
    if total > limits.package_bytes:
        raise ReadError(stage, over(limits, "package_bytes", f"the package's parts expand to {total:,} bytes"))
