"""MIME web archives (MHTML): Word's "single file web page", which portals serve as ``.doc``.

Word saves such a page as a MIME ``multipart/related`` message (``MIME-Version: 1.0``, the HTML
part quoted-printable or base64, pictures as further parts); renamed ``.doc`` it opens in Word
like a document, so portals publish it as one. Its HTML part is the report: it is read like any
HTML page, with the charset its part declares.
"""
from __future__ import annotations

import email
import email.policy

from .grid import ReadError


def html_part(data: bytes) -> tuple[bytes, str]:
    """(the bytes of the archive's first HTML part, their media type with its charset)."""
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
        for part in message.walk():
            if part.get_content_type() == "text/html":
                payload = part.get_payload(decode=True)
                if payload:
                    return payload, f"text/html; charset={part.get_content_charset() or ''}"
    except Exception as e:  # the email package raises many types for malformed messages
        raise ReadError("mhtml", f"damaged MIME web archive ({type(e).__name__}: {e})") from e
    raise ReadError("mhtml", "a MIME web archive (MHTML) with no HTML part: nothing to read")
