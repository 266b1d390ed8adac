"""Bytes to text: binary sniffing and charset detection shared by every source."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Magic numbers of the binary formats people most often drop into a news folder by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx/epub)"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
    (b"RIFF", "RIFF media file"),
    (b"SQLite format 3", "SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.I)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


class DecodeError(ValueError):
    """The bytes are not text we can read."""


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None when it looks like text."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:8192]
    if b"\x00" in head:
        return "binary data (NUL bytes)"
    # Text has few control characters besides tab, newline, carriage return and form feed.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if head and controls / len(head) > 0.05:
        return "binary data (control characters)"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML or XML document declares in its first 4 KB, if Python knows it."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers read pages labelled latin-1/ascii as windows-1252 (WHATWG encoding standard).
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode `data` to text; return (text, encoding used).

    Order: byte-order mark, then a declared charset that decodes cleanly, then UTF-8, then
    statistical detection. Legacy Western text (Latin-1, windows-1252) falls to the last step.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    candidates = [c for c in (declared, "utf-8") if c]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    encoding = _guess(data)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        tried = ", ".join([*candidates, encoding])
        raise DecodeError(f"cannot decode text (tried {tried})") from exc


def _guess(data: bytes) -> str:
    matches = list(from_bytes(data[:200_000]))
    if not matches:
        return "cp1252"
    names = [m.encoding for m in matches]
    # On short Western text the detector ranks sibling Latin code pages (cp1250, cp775, ...)
    # above windows-1252, which is what such bytes almost always are in news; keep its answer
    # when it sees another alphabet (Greek, Cyrillic, ...).
    if names[0] in _LATIN_SIBLINGS:
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return names[0]


_LATIN_SIBLINGS = {
    "cp1250",
    "cp1257",
    "cp775",
    "cp850",
    "cp437",
    "latin_1",
    "mac_roman",
    "mac_latin2",
    "iso8859_2",
    "iso8859_3",
    "iso8859_4",
    "iso8859_9",
    "iso8859_10",
    "iso8859_13",
    "iso8859_14",
    "iso8859_15",
    "iso8859_16",
}
