"""One document to one Article: HTML through trafilatura, plain text through our cleaner.

This module runs inside extraction worker processes, so it imports nothing heavy it does
not use (no Prefect): a worker starts in a fraction of a second.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from hashlib import sha256 as _sha256

from lxml.html import HtmlElement

from tasks.enrich.annotate import enrich
from tasks.extract.clean_text import clean_text, strip_controls
from tasks.extract.dates import parse_datetime, plausible_published, url_date
from tasks.extract.decode import DecodeError, declared_charset, decode
from tasks.extract.metadata import clean_authors, page_metadata, site_keys
from tasks.extract.read import MAX_BYTES, RawDoc, read_item
from tasks.extract.scripts import count_words
from tasks.extract.urls import canonicalize
from tasks.models import Article, FailedItem, SourceItem, short_hash
from tasks.relate import minhash
from tasks.relate.exact import content_hash
from tasks.relate.stories import term_vector

# Chosen by measurement. Comments off: on assembled pages (bench/extraction_options.py) they
# were the main leak into the body. Tables on: on 990 real pages (bench/extraction_real.py,
# trafilatura's evaluation set) tables in the article (results, specifications, prices) are
# body, and dropping them cost 25 snippets on 18 pages: body F1 0.920 -> 0.925, precision
# unchanged (0.908 -> 0.907). fast=True alone is faster but switches off the fallback
# extractors that rescue badly structured pages; it is tried first, see _from_html.
TRAFILATURA_OPTIONS: dict[str, object] = {"include_comments": False, "include_tables": True}
# A fast extraction shorter than this is retried with trafilatura's fallback extractors.
FALLBACK_BELOW_WORDS = 200
# Fewer words than this is a menu, a caption or an error page, not an article.
MIN_WORDS = 15
_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})\b", re.I)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_HOST = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")  # trafilatura's META_URL


def extract_item(item: SourceItem, max_bytes: int = MAX_BYTES) -> Article | FailedItem:
    """Read, decode and extract one item. Never raises for bad input: returns an error."""
    raw = read_item(item, max_bytes)
    if isinstance(raw, FailedItem):
        return raw
    try:
        return _extract(raw)
    except DecodeError as exc:
        return FailedItem.of_file(item, "decode", str(exc), raw.data)
    except ImportError:  # a broken installation, not a bad page: fail the run loudly
        raise
    except Exception as exc:  # an extractor bug must cost one item, not the batch
        return FailedItem.of_file(item, "extract", f"{type(exc).__name__}: {exc}", raw.data)


def _extract(raw: RawDoc) -> Article | FailedItem:
    item = raw.item
    if raw.kind == "html":
        # WHATWG order: byte-order mark, then the HTTP header's charset, then <meta charset>.
        text, encoding = decode(raw.data, item.charset or declared_charset(raw.data))
        fields, sources = _from_html(strip_controls(text), raw.data, item)
        extractor = "trafilatura"
    else:
        # Before the cleaner, whose rules look at lines: a line of NULs is an empty line.
        text, encoding = decode(raw.data)
        text = strip_controls(text)
        if raw.kind == "markdown":
            text = _MD_HEADING.sub("", text)
        cleaned = clean_text(text)
        fields = {
            "title": cleaned.title,
            "text": cleaned.text,
            "published_at": cleaned.published_at,
        }
        sources = {}
        extractor = "text-cleaner"
    # Metadata can carry control characters the page's text did not show: JSON-LD escapes
    # them ("\u0000"), and the parser does not see inside a script.
    fields = _without_controls(fields)
    body = str(fields.get("text") or "")
    words = count_words(body)
    if words < MIN_WORDS:
        return FailedItem.of_file(
            item, "extract", f"no article text found by {extractor} ({words} words)", raw.data
        )
    # A fetched page is identified by its URL and known by the hash of its body (the raw
    # store's key); a local file by its path and the hash of its bytes on disk.
    if item.url:
        identity, raw_sha, raw_size = canonicalize(item.url), sha256(raw.data), len(raw.data)
    else:
        identity, raw_sha, raw_size = item.path, raw.raw_sha256, raw.raw_size
    return build_article(
        item, fields, body, extractor, raw_sha, raw_size, encoding, identity, sources
    )


def build_article(
    item: SourceItem,
    fields: dict[str, object],
    body: str,
    extractor: str,
    raw_sha256: str,
    raw_size: int,
    encoding: str | None,
    identity: str,
    sources: dict[str, str],
) -> Article:
    digest = content_hash(body)
    sigs, counts = minhash.signatures([body])
    vector = term_vector(fields.get("title"), body)  # type: ignore[arg-type]
    enriched = enrich(fields.get("title"), body, fields.get("language"))  # type: ignore[arg-type]
    return Article(
        article_id=short_hash(identity, digest),
        source_kind=item.source_kind,
        source_uri=item.source_uri,
        url=fields.get("url"),
        title=fields.get("title"),
        text=body,
        published_at=fields.get("published_at"),
        modified_at=fields.get("modified_at"),  # type: ignore[arg-type]
        language=enriched.language,
        author=fields.get("author"),
        authors=list(fields.get("authors") or clean_authors([fields.get("author")])),  # type: ignore[list-item]
        site_name=fields.get("site_name"),
        description=fields.get("description"),
        content_hash=digest,
        raw_sha256=raw_sha256,
        raw_size=raw_size,
        encoding=encoding,
        extractor=extractor,
        word_count=count_words(body),
        fetched_url=item.url,
        metadata_sources=json.dumps(sources, sort_keys=True) if sources else None,
        shingles=int(counts[0]),
        signature=sigs[0].astype("<u4").tobytes(),
        bands=minhash.band_hashes(sigs)[0].tolist(),
        terms=list(vector),
        weights=list(vector.values()),
        topics=enriched.topics,
        entities=enriched.entities,
        claims=enriched.claims,
        enriched=enriched.complete,
    )


def article_from_feed(item: SourceItem) -> Article | None:
    """The feed's own text for an entry whose page could not be fetched, marked as such."""
    entry = item.hints
    if entry is None:
        return None
    body = strip_controls(entry.content or entry.summary or "")
    if count_words(body) < MIN_WORDS:
        return None
    fields = _without_controls(
        {
            "title": entry.title,
            "published_at": entry.published_at,
            "author": entry.author,
            "url": entry.url,
        }
    )
    sources = {k: "feed" for k, v in fields.items() if v}
    encoded = body.encode("utf-8")
    return build_article(
        item, fields, body, "feed-content", sha256(encoded), len(encoded), "utf-8",
        entry.url or item.source_uri, sources,
    )  # fmt: skip


def _without_controls(fields: dict[str, object]) -> dict[str, object]:
    """`fields` with control characters stripped from its strings (and then the spaces a
    stripped character leaves at either end: "Title \x00")."""
    out: dict[str, object] = {}
    for name, value in fields.items():
        if isinstance(value, str):
            clean = strip_controls(value)
            value = clean.strip() if clean != value else value
        out[name] = value
    return out


def _from_html(html: str, data: bytes, item: SourceItem) -> tuple[dict[str, object], dict]:
    """Body from trafilatura; metadata by priority: JSON-LD, Open Graph, other meta tags,
    then trafilatura's own guesses (htmldate for the date), then the feed entry."""
    import trafilatura  # heavy: imported where used, so the CLI starts fast
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return {}, {}
    # Every reader below leaves the tree as it is (trafilatura copies before it prunes), so
    # the page is parsed once.
    meta = page_metadata(tree, item.url)
    # A saved file has no fetch URL: its canonical one names the outlet's host ("Wien Orf At"
    # as a byline is the outlet).
    sites = site_keys(meta.site_name, item.url or meta.canonical_url)
    guess = _Guess(tree, meta.canonical_url or item.url, sites)
    # The main extractor alone (fast=True) gets well-structured article pages right; its
    # fallbacks (readability, jusText) matter when it finds little. So: fast first, and the
    # full cascade when the text is short.
    doc = trafilatura.bare_extraction(tree, url=item.url, fast=True, **TRAFILATURA_OPTIONS)
    if doc is None or count_words(doc.text or "") < FALLBACK_BELOW_WORDS:
        doc = trafilatura.bare_extraction(tree, url=item.url, **TRAFILATURA_OPTIONS)
    if doc is None:
        return {}, {}
    lang = _HTML_LANG.search(data[:4096])
    hints = item.hints
    # trafilatura's guesses come after what the page declares and are searched for only when
    # the page declares nothing usable (lazily: `guess.x` is a search; see _Guess).
    candidates: dict[str, list[tuple[object, str]]] = {
        "title": [(meta.title, meta.sources.get("title", "")), (guess.title, "trafilatura"),
                  (hints and hints.title, "feed")],
        "published_at": [(meta.published_at, meta.sources.get("published_at", "")),
                         (guess.date, "trafilatura"),
                         (hints and hints.published_at, "feed")],
        "authors": [(meta.authors, meta.sources.get("author", "")),
                    (guess.authors, "trafilatura"),
                    (clean_authors([hints and hints.author], sites), "feed")],
        "modified_at": [(meta.modified_at, meta.sources.get("modified_at", ""))],
        "site_name": [(meta.site_name, meta.sources.get("site_name", "")),
                      (guess.sitename, "trafilatura")],
        "description": [(meta.description, meta.sources.get("description", "")),
                        (hints and hints.summary, "feed")],
        "url": [(meta.canonical_url, meta.sources.get("canonical_url", "")),
                (guess.url, "trafilatura"),
                (item.url and canonicalize(item.url), "fetch")],
        "language": [(meta.language, meta.sources.get("language", "")),
                     (lang and lang.group(1).decode().lower(), "html")],
    }  # fmt: skip
    fields: dict[str, object] = {}
    sources: dict[str, str] = {"metadata_error": meta.error} if meta.error else {}
    for name, options in candidates.items():
        value, origin = next(((v, o) for v, o in _resolved(options) if v), (None, ""))
        fields[name] = value.strip() if isinstance(value, str) else value
        if value is not None:
            sources[name] = origin
    # A published date in the future or before the date in the page's URL is a site clock, a
    # copyright year or an event's date: the next candidate that is plausible, else the URL's.
    page_url = fields.get("url") or item.url
    dates = ((v, o) for v, o in _resolved(candidates["published_at"]) if v)
    if fields["published_at"] and not plausible_published(fields["published_at"], page_url):  # type: ignore[arg-type]
        good = next(((v, o) for v, o in dates if plausible_published(v, page_url)), None)  # type: ignore[arg-type]
        if good is None and (named := url_date(page_url)) is not None:  # type: ignore[arg-type]
            good = (named, "url")
        fields["published_at"], origin = good or (None, "")
        sources.pop("published_at", None)
        if good:
            sources["published_at"] = origin
    fields["authors"] = list(fields["authors"] or ())
    fields["author"] = ", ".join(fields["authors"]) or None  # type: ignore[arg-type]
    if "authors" in sources:
        sources["author"] = sources["authors"]
    lines = (doc.text or "").split("\n")
    # trafilatura keeps an in-article <h1> as the first line; the title has its own column.
    if lines[0].strip() == fields["title"]:
        lines = lines[1:]
    # trafilatura.extract() returns NFC text but bare_extraction() does not: a page that
    # writes "é" as e + combining accent kept it, and "Jané" matched no search (2 real pages
    # in bench/extraction_real.py lost snippets to it).
    fields["text"] = unicodedata.normalize("NFC", "\n".join(lines).strip())
    return fields, sources


class _Guess:
    """trafilatura's metadata searches, each run only when a field is not declared by the
    page and then once. Its whole metadata pass (htmldate, byline, title, site name, URL,
    categories, tags, licence) cost ~15 ms CPU on each page without a declared title and
    date, 40% of the real pages in bench/extraction_real.py: 17% of the extraction's CPU."""

    def __init__(self, tree: HtmlElement, url: str | None, sites: frozenset[str]) -> None:
        self._tree, self._url, self._sites = tree, url, sites

    def title(self) -> str | None:
        from trafilatura.metadata import extract_title

        return extract_title(self._tree)

    def date(self) -> datetime | None:
        from htmldate import find_date
        from trafilatura.settings import set_date_params

        # extensive_search, as bare_extraction(fast=True, with_metadata=True) asked of it
        return parse_datetime(find_date(self._tree, url=self._url, **set_date_params(True)))

    def authors(self) -> list[str]:
        # The byline search (rel=author, class=byline, ...). Measured (bench/extraction_real.py
        # --metadata): authors found on dev pages 0.445 -> 0.571 when pages that declare a
        # title and a date but no author got it too.
        from trafilatura.metadata import extract_author

        return clean_authors([extract_author(self._tree)], self._sites)

    def sitename(self) -> str | None:
        from trafilatura.metadata import extract_sitename

        # As trafilatura's pass does: a Twitter handle loses its "@", else the host.
        if name := (extract_sitename(self._tree) or "").lstrip("@"):
            return name if "." in name or name[0].isupper() else name.title()
        host = _HOST.match(self._url or "")
        return host[1] if host else None

    def url(self) -> str | None:
        from trafilatura.metadata import extract_url

        found = extract_url(self._tree, self._url)
        return canonicalize(found) if found else None


def _resolved(options: list[tuple[object, str]]) -> Iterator[tuple[object, str]]:
    """(value, origin) in order, a _Guess search run only when it is reached."""
    for value, origin in options:
        yield (value() if callable(value) else value), origin


def sha256(data: bytes) -> str:
    return _sha256(data).hexdigest()
