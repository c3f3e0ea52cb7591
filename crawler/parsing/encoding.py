"""Decoding HTML bytes: the HTTP header, then the meta tag, then detection.

Thai legacy pages declare TIS-620, ISO-8859-11 or windows-874; cp874 is a superset of all
three, so every one of them is decoded as cp874.
"""

from __future__ import annotations

import codecs
import re

from core.limits import META_CHARSET_SCAN_BYTES

THAI_ALIASES = {"tis-620", "tis620", "tis_620", "windows-874", "x-windows-874", "cp874",
                "iso-8859-11", "iso8859-11", "iso_8859-11", "ms874"}
_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def normalise_encoding(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in THAI_ALIASES:
        return "cp874"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encodings(body: bytes, content_type: str | None) -> list[str]:
    found: list[str] = []
    if content_type:
        match = _HEADER_RE.search(content_type)
        if match and (name := normalise_encoding(match.group(1))):
            found.append(name)
    match = _META_RE.search(body[:META_CHARSET_SCAN_BYTES])
    if match and (name := normalise_encoding(match.group(1).decode("ascii", "ignore"))):
        found.append(name)
    return found


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Never raises: the last resort replaces undecodable bytes."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8):].decode("utf-8", "replace"), "utf-8"
    for encoding in [*declared_encodings(body, content_type), "utf-8"]:
        try:
            return body.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("cp874", "replace"), "cp874"
