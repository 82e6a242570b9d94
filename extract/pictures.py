"""Pictures where a document's tables should be (tables pasted as screenshots), when they are not
read: the reason given to the cells they may hold, and the warning that says which.

Shared by the readers of documents that print pictures among their text (HTML pages, Word
documents); reading the pictures themselves is OCR's (``scan.read_pictures``). Kept apart from
it so that a document read without OCR does not load the OCR engine's modules."""
from __future__ import annotations

import re

from . import standard_format as sf
from .grid import Parsed

IMAGE_TABLE_REASON = "table printed as an image"
# (row index, name or URL, the number of the table of pictures holding it, or None)
Placed = tuple[int, str, "int | None"]
_TABLE_SECTIONS = [variants for key, _label, variants in sf.SECTIONS if key in ("active_disclosure", "requests", "appeals")]


def say_what_pictures_hide(parsed: Parsed, unread: list[Placed], failed: list[Placed], tables: int, offered: bool,
                           stage: str) -> None:
    """The reason of the cells the pictures not read may hold: pictures given that could not be
    read, pictures in a table of their own, or pictures in a report where no table is (the
    tables were pasted as screenshots; an announcement page linking the report as an attachment
    prints no table sections). ``tables``: the tables the document prints; ``offered``: the
    reader was given pictures to read."""
    image_tables = len({table for _index, _src, table in unread + failed if table is not None})
    pictures = image_tables or len(failed) or (0 if tables or not prints_table_sections(parsed.text) else len(unread))
    if not pictures:
        return
    parsed.missing_reason = IMAGE_TABLE_REASON
    why = ("not read: " + ", ".join(src for _index, src, _table in failed + unread) if offered
           else "tables printed as images are not read (no OCR)")
    parsed.warnings.append({"stage": stage, "message": f"{pictures} table(s) or picture(s) where the tables "
                                                       f"should be: {why}"})


def prints_table_sections(text: str) -> bool:
    """The text has at least two of the headings of the sections that hold tables 2, 3, 4."""
    flat_text = re.sub(r"\s+", "", text)
    return sum(any(v in flat_text for v in variants) for variants in _TABLE_SECTIONS) >= 2
