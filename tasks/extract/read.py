"""Read a local source file into bytes we can decode: size caps, gzip, binary sniffing."""

from __future__ import annotations

import hashlib
import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

from tasks.extract.decode import sniff_binary
from tasks.models import FailedItem, SourceItem

MAX_BYTES = 20_000_000  # trafilatura's own MAX_FILE_SIZE; a bigger "page" is not an article


@dataclass(slots=True)
class RawDoc:
    item: SourceItem
    data: bytes  # decompressed content
    raw_sha256: str  # of the bytes as stored on disk
    raw_size: int
    kind: str  # html | text | markdown


def read_regular_file(path: str, max_bytes: int) -> bytes:
    """Up to `max_bytes` + 1 bytes of the regular file at `path`. Opened non-blocking and
    checked after opening, so a FIFO, socket or device raises OSError instead of blocking
    the run forever (a FIFO's open() waits for a writer)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"not a regular file ({file_type(mode)})")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            return fh.read(max_bytes + 1)
    finally:
        if fd >= 0:
            os.close(fd)


def file_type(mode: int | os.stat_result) -> str:
    """What kind of file a stat mode says, for messages: "a FIFO", "a socket", ..."""
    if isinstance(mode, os.stat_result):
        mode = mode.st_mode
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a directory")):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


def content_kind(path: str) -> str | None:
    """html, text or markdown from the file name (a trailing .gz is looked through)."""
    name = path.lower().removesuffix(".gz")
    if name.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if name.endswith(".txt"):
        return "text"
    if name.endswith((".md", ".markdown")):
        return "markdown"
    return None


def read_item(item: SourceItem, max_bytes: int = MAX_BYTES) -> RawDoc | FailedItem:
    kind = content_kind(item.path)
    if kind is None:
        return FailedItem.of_file(
            item, "read", "unsupported file type (want .html, .htm, .txt, .md)"
        )
    try:
        size = Path(item.path).stat().st_size
        if size > max_bytes:
            return FailedItem.of_file(
                item, "read", f"file too large: {size:,} bytes > {max_bytes:,}"
            )
        # Not open(): a FIFO put in the file's place since discovery would block it forever.
        stored = read_regular_file(item.path, max_bytes)
    except FileNotFoundError:
        return FailedItem.of_file(item, "read", "file vanished before it could be read")
    except OSError as exc:
        return FailedItem.of_file(item, "read", f"cannot read file: {exc.strerror or exc}")
    if len(stored) > max_bytes:  # it grew since we looked
        return FailedItem.of_file(item, "read", f"file too large: over {max_bytes:,} bytes", stored)

    data = stored
    if item.path.lower().endswith(".gz"):
        try:
            data = gunzip(stored, max_bytes)
        except (EOFError, OSError, zlib.error) as exc:
            return FailedItem.of_file(item, "read", f"corrupt or truncated gzip: {exc}", stored)
        except ValueError as exc:
            return FailedItem.of_file(item, "read", str(exc), stored)
    if not data.strip():
        return FailedItem.of_file(item, "read", "empty file", stored)
    binary = sniff_binary(data)
    if binary:
        return FailedItem.of_file(item, "read", f"not a text file: looks like {binary}", stored)
    return RawDoc(
        item=item,
        data=data,
        raw_sha256=hashlib.sha256(stored).hexdigest(),
        raw_size=len(stored),
        kind=kind,
    )


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """`data` gunzipped; ValueError past `max_bytes`, EOFError or zlib.error when damaged."""
    # Read in bounded steps so a gzip bomb cannot inflate past the cap.
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = decompressor.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"decompressed content too large: over {max_bytes:,} bytes")
    if not decompressor.eof:
        raise EOFError("compressed file ended before the end-of-stream marker was reached")
    return out
