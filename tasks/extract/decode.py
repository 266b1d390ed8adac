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

# UTF-8 but for a few bytes (a byte flipped, a cp1252 apostrophe pasted into a UTF-8 file) is
# read as UTF-8 with those bytes replaced by U+FFFD, instead of falling to detection, which
# reads it as cp1252 and garbles every other non-ASCII character ("CafÃ© … ZÃ¼rich"). "A few":
# at most one invalid byte per 1,000 (at least one in a short file); more is a mix of
# encodings, for detection to judge. And the text must show it is UTF-8: at least 3 valid
# multi-byte characters, and twice as many as invalid bytes. In cp1252 or Latin-1 text
# nearly every non-ASCII byte is invalid UTF-8 (an accented letter is followed by an ASCII
# letter, not by a continuation byte); a valid sequence needs a capital accented letter or ß
# followed by a symbol from 0x80-0xBF ("ß”"), so such text never has more valid sequences
# than invalid bytes. With fewer than 3 non-ASCII characters there is no evidence either way.
# Of the 1,033 real pages of ../shared/data/extraction-eval this changes 4, all declared
# UTF-8 with 1-4 stray Latin-1 bytes (in an alt text, a comment, a truncated teaser), which
# were read as cp1252 or mac_latin2 throughout; none of the 2,225 BBC texts changes.
REPAIR_MAX_INVALID_PER = 1_000  # bytes
REPAIR_MIN_VALID = 3
REPAIR_VALID_PER_INVALID = 2


class DecodeError(ValueError):
    """The bytes are not text we can read."""


# UTF-16 without a byte-order mark (Windows tools write it): in text of mostly Latin letters
# every other byte is NUL, the high byte of each unit. Binary data has NULs too, but not in
# one parity nearly alone, with printable bytes between them.
UTF16_NUL_SHARE = 0.9
UTF16_MIN_BYTES = 64


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when `data` reads as such without a byte-order mark."""
    head = data[:8192]
    head = head[: len(head) - len(head) % 2]
    if len(head) < UTF16_MIN_BYTES or b"\x00" not in head:
        return None
    even, odd = head[0::2], head[1::2]
    for nuls, chars, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls.count(0) >= UTF16_NUL_SHARE * len(nuls) and chars.count(0) == 0:
            try:
                data[: len(data) - len(data) % 2].decode(name)
            except UnicodeDecodeError:
                continue
            return name
    return None


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None when it looks like text."""
    if any(data.startswith(bom) for bom, _ in _BOMS) or utf16_without_bom(data):
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
    UTF-8 but for a few invalid bytes (replaced; the encoding says how many), then
    statistical detection. Legacy Western text (Latin-1, windows-1252) falls to the last step.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                if name != "utf-8-sig":
                    raise DecodeError(f"cannot decode text (tried {name})") from exc
                # The byte-order mark says UTF-8: replace whatever is not.
                decoded = _utf8_replacing(data[len(bom) :], max_invalid=len(data))
                if decoded is None:  # cannot happen: no more invalid bytes than bytes
                    raise DecodeError(f"cannot decode text (tried {name})") from exc
                return decoded[0], repaired(name, decoded[1])
    if utf16 := utf16_without_bom(data):
        return data[: len(data) - len(data) % 2].decode(utf16), utf16
    candidates = [c for c in (declared, "utf-8") if c]
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    mostly = mostly_utf8(data)
    if mostly is not None:
        text, invalid = mostly
        return text, repaired("utf-8", invalid)
    encoding = _guess(data)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:
        tried = ", ".join([*candidates, encoding])
        raise DecodeError(f"cannot decode text (tried {tried})") from exc


def repaired(encoding: str, invalid: int) -> str:
    """The `encoding` an article records when bytes were replaced: an analyst can find such
    articles with `WHERE encoding LIKE '%replaced%'`."""
    return f"{encoding} ({invalid:,} invalid byte{'s' if invalid != 1 else ''} replaced)"


def mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """(text, invalid bytes replaced) when `data` is UTF-8 but for a few invalid bytes (see
    REPAIR_* above), else None."""
    allowed = max(1, len(data) // REPAIR_MAX_INVALID_PER)
    decoded = _utf8_replacing(data, allowed)
    if decoded is None:
        return None
    text, invalid = decoded
    # Characters beyond ASCII that were not put in for an invalid sequence.
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = len(text) - len(text.encode("ascii", "ignore")) - replaced
    if valid < max(REPAIR_MIN_VALID, REPAIR_VALID_PER_INVALID * invalid):
        return None
    return text, invalid


def _utf8_replacing(data: bytes, max_invalid: int) -> tuple[str, int] | None:
    """`data` decoded as UTF-8, each invalid sequence replaced by U+FFFD as Python's "replace"
    does, with the number of invalid bytes; None once more than `max_invalid` were found."""
    view = memoryview(data)
    parts: list[str] = []
    invalid = pos = 0
    while True:
        try:
            parts.append(str(view[pos:], "utf-8"))
            return "".join(parts), invalid
        except UnicodeDecodeError as exc:
            invalid += exc.end - exc.start
            if invalid > max_invalid:
                return None
            parts.append(str(view[pos : pos + exc.start], "utf-8"))
            parts.append("\ufffd")
            pos += exc.end


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
