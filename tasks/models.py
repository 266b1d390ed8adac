"""Records that flow between stages, and their Arrow schemas (declared once, here)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields
from datetime import datetime

import pyarrow as pa

RAW_KEEP_BYTES = 1_048_576  # how much of a failed input ingest_errors keeps


def printable_path(path: str) -> str:
    """`path` as valid UTF-8 text: a file name with bytes that are not UTF-8 (kept by Python
    as lone surrogates, which Arrow and DuckDB refuse) shows them as \\xNN escapes."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def short_hash(*parts: str) -> str:
    """A stable 128-bit hex id over `parts` (NUL-separated so ("ab","c") != ("a","bc"))."""
    return hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class ListedItem:
    """An item as a feed (or sitemap) lists it: what we know before fetching the page."""

    guid: str
    link: str | None  # as the feed gives it (made absolute)
    url: str | None  # canonical link
    title: str | None
    published_at: datetime | None
    author: str | None
    summary: str | None  # plain text
    content: str | None  # plain text of the full content (content:encoded), when the feed has it


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One thing to extract: a local file, or a fetched page kept in the raw store."""

    source_kind: str  # seed | file | feed | url | sitemap
    source_uri: str  # exactly as given: the path, or the link as the feed or user gave it
    path: str  # absolute path of the bytes to read (for web pages: the raw-store file)
    size: int
    mtime_ns: int
    url: str | None = None  # web pages: the final URL fetched (identity for re-fetches)
    charset: str | None = None  # web pages: the Content-Type header's charset
    hints: ListedItem | None = None  # the feed's own title/date/summary, to fill gaps


@dataclass(slots=True)
class Article:
    article_id: str
    source_kind: str
    source_uri: str
    url: str | None
    title: str | None
    text: str
    published_at: datetime | None
    language: str | None
    author: str | None
    site_name: str | None
    description: str | None
    content_hash: str
    raw_sha256: str
    raw_size: int
    encoding: str | None
    extractor: str
    word_count: int
    fetched_url: str | None = None
    # The author names apart (tasks.metadata.clean_authors); `author` is them joined by ", ".
    authors: list[str] = field(default_factory=list)
    # When the page says it was last changed (UTC, like published_at), kept apart from the
    # publication: a page updated days later still reports the day it first appeared.
    modified_at: datetime | None = None
    metadata_sources: str | None = None  # JSON: field -> json-ld | opengraph | meta | ...
    # For the duplicate and story stages, computed in the extraction workers; not columns of
    # `articles` but of article_signatures, minhash_bands and article_terms.
    shingles: int = 0
    signature: bytes | None = None
    bands: list[int] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    # Enrichment (tasks/enrich/annotate.py), landed in article_topics, article_entities and claims.
    topics: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    enriched: bool = False  # False when enrichment was switched off: `newsflow enrich` later


@dataclass(slots=True)
class FailedItem:
    """An item that could not become an article: one `ingest_errors` row (a record, not an
    exception), with the input's bytes so nothing is lost."""

    error_id: str
    source_kind: str
    source_uri: str
    stage: str  # discover | read | decode | extract | land
    error: str
    raw: bytes | None  # the input bytes (up to a cap) so nothing is lost
    raw_size: int | None
    raw_sha256: str | None

    @classmethod
    def of_file(
        cls, item: SourceItem, stage: str, message: str, raw: bytes | None = None
    ) -> FailedItem:
        """The row for `item` failing at `stage`; its id is stable for the same file state,
        so re-runs do not repeat it. Names and messages that hold a file name that is not
        UTF-8 are stored with \\xNN escapes: a record never carries the lone surrogates
        Python reads such bytes as."""
        state = (printable_path(item.path), str(item.size), str(item.mtime_ns))
        return cls._build(item.source_kind, item.source_uri, state, stage, message, raw, item.size)

    @classmethod
    def of_url(
        cls, source_kind: str, url: str, stage: str, message: str, raw: bytes | None = None
    ) -> FailedItem:
        """The row for a URL failing at `stage`. A URL has no file state: the same failure
        of the same URL is one row."""
        return cls._build(source_kind, url, (printable_path(url), "0", "0"), stage, message, raw, 0)

    @classmethod
    def of_article(cls, article: Article, stage: str, message: str) -> FailedItem:
        """The row for an extracted article that failed at `stage` (landing): it keeps the
        article's text, since its input bytes are no longer at hand, and the input's hash."""
        return cls(
            error_id=short_hash(article.article_id, stage, message),
            source_kind=article.source_kind,
            source_uri=article.source_uri,
            stage=stage,
            error=message,
            raw=article.text.encode("utf-8", "replace")[:RAW_KEEP_BYTES],
            raw_size=article.raw_size,
            raw_sha256=article.raw_sha256,
        )

    @classmethod
    def _build(
        cls,
        source_kind: str,
        source_uri: str,
        state: tuple[str, str, str],
        stage: str,
        message: str,
        raw: bytes | None,
        size: int,
    ) -> FailedItem:
        message = printable_path(message)
        return cls(
            error_id=short_hash(*state, stage, message),
            source_kind=source_kind,
            source_uri=printable_path(source_uri),
            stage=stage,
            error=message,
            raw=raw[:RAW_KEEP_BYTES] if raw is not None else None,
            raw_size=len(raw) if raw is not None else (size or None),
            raw_sha256=hashlib.sha256(raw).hexdigest() if raw is not None else None,
        )


@dataclass(frozen=True, slots=True)
class FileState:
    """What we last landed from a path; lets a re-run skip files that did not change."""

    path: str
    size: int
    mtime_ns: int
    raw_sha256: str
    article_id: str | None  # None for a feed or OPML file dropped into the inbox


TOPIC_TYPE = pa.struct(
    [("topic", pa.string()), ("topic_name", pa.string()), ("score", pa.float32()),
     ("rank", pa.int16())]
)  # fmt: skip
ENTITY_TYPE = pa.struct(
    [("entity", pa.string()), ("entity_type", pa.string()), ("mentions", pa.int32()),
     ("country_code", pa.string()), ("first_offset", pa.int32())]
)  # fmt: skip
CLAIM_TYPE = pa.struct(
    [("claim_no", pa.int32()), ("value", pa.float64()), ("value_high", pa.float64()),
     ("qualifier", pa.string()), ("unit", pa.string()), ("subject", pa.string()),
     ("horizon", pa.string()), ("quantity", pa.string()), ("sentence", pa.string()),
     ("char_offset", pa.int32())]
)  # fmt: skip

ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("source_kind", pa.string()),
        ("source_uri", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("text", pa.large_string()),
        ("published_at", pa.timestamp("us")),
        ("language", pa.string()),
        ("author", pa.string()),
        ("site_name", pa.string()),
        ("description", pa.string()),
        ("content_hash", pa.string()),
        ("raw_sha256", pa.string()),
        ("raw_size", pa.int64()),
        ("encoding", pa.string()),
        ("extractor", pa.string()),
        ("word_count", pa.int32()),
        ("fetched_url", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("modified_at", pa.timestamp("us")),
        ("metadata_sources", pa.string()),
        ("shingles", pa.int32()),
        ("signature", pa.binary()),
        ("bands", pa.list_(pa.int64())),
        ("terms", pa.list_(pa.string())),
        ("weights", pa.list_(pa.float32())),
        ("topics", pa.list_(TOPIC_TYPE)),
        ("entities", pa.list_(ENTITY_TYPE)),
        ("claims", pa.list_(CLAIM_TYPE)),
        ("enriched", pa.bool_()),
    ]
)

# Enrichment recomputed for stored articles (`newsflow enrich`), replacing what they had.
ENRICHMENT_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("language", pa.string()),
        ("topics", pa.list_(TOPIC_TYPE)),
        ("entities", pa.list_(ENTITY_TYPE)),
        ("claims", pa.list_(CLAIM_TYPE)),
    ]
)

ERROR_SCHEMA = pa.schema(
    [
        ("error_id", pa.string()),
        ("source_kind", pa.string()),
        ("source_uri", pa.string()),
        ("stage", pa.string()),
        ("error", pa.string()),
        ("raw", pa.large_binary()),
        ("raw_size", pa.int64()),
        ("raw_sha256", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A feed entry we have dealt with, so the next poll does not fetch it again."""

    source_id: str
    guid: str
    url: str | None
    title: str | None
    published_at: datetime | None
    article_id: str | None  # None when its page failed for good


@dataclass(frozen=True, slots=True)
class RawPage:
    sha256: str
    size: int
    content_type: str | None
    charset: str | None
    url: str
    path: str  # relative to the raw store root


FEED_ITEM_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("guid", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("published_at", pa.timestamp("us")),
        ("article_id", pa.string()),
    ]
)

RAW_PAGE_SCHEMA = pa.schema(
    [
        ("sha256", pa.string()),
        ("size", pa.int64()),
        ("content_type", pa.string()),
        ("charset", pa.string()),
        ("url", pa.string()),
        ("path", pa.string()),
    ]
)

FILE_STATE_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("raw_sha256", pa.string()),
        ("article_id", pa.string()),
    ]
)


def to_table(records: list, schema: pa.Schema) -> pa.Table:
    """Records (dataclasses whose fields match `schema`) to an Arrow table."""
    names = schema.names
    if records:
        assert [f.name for f in fields(records[0])] == names, "record and schema disagree"
    columns = {name: [getattr(r, name) for r in records] for name in names}
    return pa.Table.from_pydict(columns, schema=schema)


# A confirmed duplicate pair (tasks/relate/duplicates.py confirm_pairs), landed in duplicate_pairs.
PAIR_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("other_id", pa.string()),
        ("method", pa.string()),
        ("similarity", pa.float64()),
        ("containment", pa.float64()),
    ]
)

# One feed poll's outcome (flows/web.py), applied to the sources table.
POLL_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()), ("polled_at", pa.timestamp("us")),
        ("status", pa.int32()), ("outcome", pa.string()), ("error", pa.string()),
        ("error_kind", pa.string()), ("etag", pa.string()), ("last_modified", pa.string()),
        ("body_sha256", pa.string()), ("consecutive_failures", pa.int32()),
        ("next_poll_at", pa.timestamp("us")), ("items_seen", pa.int64()),
        ("articles_landed", pa.int64()),
    ]
)  # fmt: skip
