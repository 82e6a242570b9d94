"""ZIP packages (DOCX, XLSX) checked against the content limits before any library opens them.

python-docx and openpyxl inflate the parts they load without a bound, so a 4 MB DOCX whose
``word/document.xml`` expands to 1 GiB takes gigabytes and minutes before failing. Two checks
stand in front of them:

1. the central directory's declared sizes (number of parts, each XML part, all parts together),
   which refuses an honest bomb at the cost of reading the directory only;
2. every part read through ``zipfile`` a chunk at a time, which ``zipfile`` stops at the declared
   size (failing the CRC when the data goes on), and the libraries given a new, uncompressed
   package of exactly the bytes read. A header that lies can then cost no more than what it
   declares: read whole, as the libraries read parts, ``zipfile`` would first inflate a lying
   part's entire compressed data in one call (256 MiB for a 1 MB part declared as 10 KB) and only
   then cut it to the declared size.
"""
from __future__ import annotations

import io
import zipfile

from .grid import ReadError
from .limits import LIMITS, ContentLimits, over

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CHUNK = 1 << 20  # bytes inflated at a time


def checked_package(data: bytes, stage: str, limits: ContentLimits = LIMITS) -> bytes:
    """The package as an uncompressed ZIP of its parts, read within the limits; ReadError
    (``stage``) naming the limit when they are too many or expand too far, or naming the damage.
    A package whose directory cannot be read is returned as it is: the reader reports it."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return data
    parts = package.infolist()
    _check_declared(parts, stage, limits)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for part in parts:
                copy.writestr(part.filename, _read_part(package, part))
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, OSError, EOFError) as e:
        raise ReadError(stage, f"not a readable {stage.upper()} package ({type(e).__name__}: {e})") from e
    return out.getvalue()


def _check_declared(parts: list[zipfile.ZipInfo], stage: str, limits: ContentLimits) -> None:
    if len(parts) > limits.package_parts:
        raise ReadError(stage, over(limits, "package_parts", f"the package holds {len(parts):,} parts"))
    for part in parts:
        if part.filename.lower().endswith(_XML_SUFFIXES) and part.file_size > limits.xml_part_bytes:
            raise ReadError(stage, over(limits, "xml_part_bytes",
                                        f"part {part.filename} expands to {part.file_size:,} bytes"))
    total = sum(part.file_size for part in parts)
    if total > limits.package_bytes:
        raise ReadError(stage, over(limits, "package_bytes", f"the package's parts expand to {total:,} bytes"))


def _read_part(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bytes:
    """A part's bytes, inflated a chunk at a time (never more than its declared size)."""
    chunks = []
    with package.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            chunks.append(chunk)
    return b"".join(chunks)
