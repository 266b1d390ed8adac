"""One document to one Article: HTML through trafilatura, plain text through our cleaner.

This module runs inside extraction worker processes, so it imports nothing heavy it does
not use (no Prefect): a worker starts in a fraction of a second.
"""

from __future__ import annotations

import copy
import html as html_lib
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from hashlib import sha256 as _sha256
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from tasks.enrich.annotate import enrich
from tasks.extract.author_search import extract_author
from tasks.extract.clean_text import clean_text, strip_controls
from tasks.extract.dates import parse_datetime, plausible_published, url_date
from tasks.extract.decode import DecodeError, declared_charset, decode
from tasks.extract.fast_xpath import ensure_installed
from tasks.extract.metadata import (
    KICKER_WORDS,
    clean_authors,
    full_names,
    load_json_ld,
    looks_like_name,
    page_metadata,
    site_keys,
)
from tasks.extract.parse import cut_by_depth, parse_html
from tasks.extract.read import MAX_BYTES, RawDoc, read_item
from tasks.extract.scripts import count_words
from tasks.extract.urls import canonicalize
from tasks.models import Article, FailedItem, SourceItem, short_hash
from tasks.relate import minhash
from tasks.relate.exact import content_hash
from tasks.relate.stories import term_vector

# Chosen by measurement on 990 real pages (bench/extraction_real.py, trafilatura's evaluation
# set). Comments off: trafilatura's full cascade with them scored P 0.905 R 0.943 F1 0.924,
# without them 0.906 / 0.945 / 0.926 (reader comments are what the `without` snippets list
# besides menus). Tables on: tables in the article (results, specifications, prices) are
# body, and dropping them cost 25 snippets on 18 pages: body F1 0.920 -> 0.925, precision
# unchanged (0.908 -> 0.907). fast=True alone is faster but switches off the fallback
# extractors that rescue badly structured pages; it is tried first, see _from_html.
TRAFILATURA_OPTIONS: dict[str, object] = {"include_comments": False, "include_tables": True}
# A fast extraction shorter than this is retried with trafilatura's fallback extractors.
# Measured on the 990 real pages, pages by the fast text's words, the full cascade against
# the fast path: 50-100 words +18 snippets right (49 pages), 100-150 +4 (48), 150-200 -1
# (56 pages, ~26 ms CPU each: 1.5 ms a page on average for nothing). 200 -> 150: body F1
# unchanged (0.930).
FALLBACK_BELOW_WORDS = 150
# ... unless it holds at least this share of the page's words. Of the 116 real pages whose
# fast text is short, the cascade changed the snippets found on 25, every gain on a page
# where the fast text held at most 12% of the page's words; it runs no more on the 46 short
# pages that hold 20% or more (~10 ms CPU each, no snippet lost or gained).
SHORT_PAGE_SHARE = 0.2
# Dropped from the tree once the page's metadata is read (JSON-LD scripts stay): 32.1 ->
# 30.8 ms CPU a page on 330 real pages, every field of all 990 pages' articles the same.
# Dropping svg, noscript and template as well changed 5 bodies and lost one article.
INERT_TAGS = ("script", "style")
# Fewer words than this is a menu, a caption or an error page, not an article.
MIN_WORDS = 15
_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})\b", re.I)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)


def extract_item(item: SourceItem, max_bytes: int = MAX_BYTES) -> Article | FailedItem:
    """Read, decode and extract one item. Never raises for bad input: returns an error."""
    raw = read_item(item, max_bytes)
    if isinstance(raw, FailedItem):
        return raw
    return extract_raw(raw)


def extract_raw(raw: RawDoc) -> Article | FailedItem:
    """Decode and extract bytes already read. Never raises for bad input: returns an error."""
    item = raw.item
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
        fields, sources = _from_html(text, raw.data, item)
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
        reason = f"no article text found by {extractor} ({words} words)"
        if raw.kind == "html" and cut_by_depth():
            reason += "; its elements nest deeper than the 2,048 levels the parser reads"
        return FailedItem.of_file(item, "extract", reason, raw.data)
    # A fetched page is identified by its URL and known by the hash of its body (the raw
    # store's key); a local file by its path and the hash of its bytes on disk.
    if item.url:
        identity, raw_sha, raw_size = canonicalize(item.url), sha256(raw.data), len(raw.data)
    else:
        identity, raw_sha, raw_size = item.path, raw.raw_sha256, raw.raw_size
    return build_article(
        item, fields, body, extractor, raw_sha, raw_size, encoding, identity, sources, words
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
    word_count: int | None = None,
) -> Article:
    """`word_count`: count_words(body), when the caller has counted already."""
    digest = content_hash(body)
    sigs, counts = minhash.signatures([body])
    enriched = enrich(fields.get("title"), body, fields.get("language"))  # type: ignore[arg-type]
    vector = term_vector(fields.get("title"), body, enriched.language)  # type: ignore[arg-type]
    return Article(
        article_id=short_hash(identity, digest),
        source_kind=item.source_kind,
        source_uri=item.source_uri,
        url=fields.get("url"),
        title=_capped(fields.get("title"), MAX_TITLE_CHARS),  # type: ignore[arg-type]
        text=body,
        published_at=fields.get("published_at"),
        modified_at=fields.get("modified_at"),  # type: ignore[arg-type]
        language=enriched.language,
        author=fields.get("author"),
        authors=list(fields.get("authors") or clean_authors([fields.get("author")])),  # type: ignore[list-item]
        site_name=_capped(fields.get("site_name"), MAX_TITLE_CHARS),  # type: ignore[arg-type]
        description=_capped(fields.get("description"), MAX_DESCRIPTION_CHARS),  # type: ignore[arg-type]
        content_hash=digest,
        raw_sha256=raw_sha256,
        raw_size=raw_size,
        encoding=encoding,
        extractor=extractor,
        word_count=count_words(body) if word_count is None else word_count,
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


# A page's <title> of a megabyte landed whole (a hostile-input check). The 990 real pages of
# bench/extraction_real.py have titles of 222 characters at most, site names of 130.
MAX_TITLE_CHARS = 1_000
MAX_DESCRIPTION_CHARS = 10_000


def _capped(text: str | None, limit: int) -> str | None:
    """`text`, cut at its last space before `limit` characters, with an ellipsis."""
    if text is None or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut) + "…"


def article_from_feed(item: SourceItem) -> Article | None:
    """The feed's own text for an entry whose page could not be fetched, marked as such."""
    entry = item.hints
    if entry is None:
        return None
    body = strip_controls(entry.content or entry.summary or "")
    words = count_words(body)
    if words < MIN_WORDS:
        return None
    # The feed's date is held to a page's rule (_from_html): one in the future (a scheduled
    # post, a site clock off by years) or before the day the URL names is none.
    published = entry.published_at
    if published is not None and not plausible_published(published, entry.url):
        published = url_date(entry.url)
    fields = _without_controls(
        {
            "title": entry.title,
            "published_at": published,
            "author": entry.author,
            "url": entry.url,
        }
    )
    sources = {k: "feed" for k, v in fields.items() if v}
    encoded = body.encode("utf-8")
    return build_article(
        item, fields, body, "feed-content", sha256(encoded), len(encoded), "utf-8",
        entry.url or item.source_uri, sources, words,
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
    tree = parse_html(html)
    if tree is None:
        return {}, {}
    # The page is parsed once: every reader below leaves the tree as it is (trafilatura
    # copies before it prunes), but for _drop_inert.
    # A saved file has no fetch URL, but a browser's or the Internet Archive's copy says where
    # it was saved from: the host names the outlet in titles and bylines.
    source_url = item.url or saved_from(data)
    meta = page_metadata(tree, source_url)
    # Else its canonical URL names the outlet's host ("Wien Orf At" as a byline is the outlet).
    sites = site_keys(meta.site_name, source_url or meta.canonical_url)
    guess = _Guess(tree, meta.canonical_url or item.url, sites)
    url, url_origin = _first(
        [(meta.canonical_url, meta.sources.get("canonical_url", "")), (guess.url, "trafilatura"),
         (item.url and canonicalize(item.url), "fetch")]
    )  # fmt: skip
    page_url = (url.strip() if isinstance(url, str) else None) or item.url
    # htmldate's search reads scripts too (a date in a page's JavaScript): when the page's
    # declared date will not do (none, or implausible for the page's URL, as below), it
    # searches before they are dropped.
    if not meta.published_at or not plausible_published(meta.published_at, page_url):
        guess.date()
    _drop_inert(tree)
    _drop_next_articles(tree, meta.title)
    body, body_source = _body(tree, html, item.url, meta.description, page_url)
    if body is None:
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
                    (clean_authors([hints and hints.author], sites), "feed"),
                    (lambda: _signed(body), "text")],
        "modified_at": [(meta.modified_at, meta.sources.get("modified_at", ""))],
        "site_name": [(meta.site_name, meta.sources.get("site_name", "")),
                      (guess.sitename, "trafilatura")],
        "description": [(meta.description, meta.sources.get("description", "")),
                        (hints and hints.summary, "feed")],
        "url": [(url, url_origin)],
        "language": [(meta.language, meta.sources.get("language", "")),
                     (lang and lang.group(1).decode().lower(), "html")],
    }  # fmt: skip
    fields: dict[str, object] = {}
    sources: dict[str, str] = {"metadata_error": meta.error} if meta.error else {}
    for name, options in candidates.items():
        value, origin = _first(options)
        fields[name] = value.strip() if isinstance(value, str) else value
        if value is not None:
            sources[name] = origin
    # A published date in the future or before the date in the page's URL is a site clock, a
    # copyright year or an event's date: the next candidate that is plausible, else the URL's.
    dates = ((v, o) for v, o in _resolved(candidates["published_at"]) if v)
    if fields["published_at"] and not plausible_published(fields["published_at"], page_url):  # type: ignore[arg-type]
        good = next(((v, o) for v, o in dates if plausible_published(v, page_url)), None)  # type: ignore[arg-type]
        if good is None and (named := url_date(page_url)) is not None:  # type: ignore[arg-type]
            good = (named, "url")
        fields["published_at"], origin = good or (None, "")
        sources.pop("published_at", None)
        if good:
            sources["published_at"] = origin
    fields["authors"] = full_names(list(fields["authors"] or ()), tree)
    fields["author"] = ", ".join(fields["authors"]) or None  # type: ignore[arg-type]
    if "authors" in sources:
        sources["author"] = sources["authors"]
    if body_source != "trafilatura":
        sources["text"] = body_source
    lines = body.split("\n")
    # trafilatura keeps an in-article <h1> as the first line; the title has its own column.
    # The line may also carry the kicker the title left out ('Initiative EnergieEffizienz
    # Kostenloser Stromcheck ...' for the title 'Kostenloser Stromcheck ...').
    first, title = lines[0].strip(), fields["title"]
    if title and (
        first == title
        or (first.endswith(" " + title) and len(first[: -len(title)].split()) <= KICKER_WORDS)
    ):
        lines = lines[1:]
    lines = _without_author_bio(lines, fields["authors"])  # type: ignore[arg-type]
    # trafilatura.extract() returns NFC text but bare_extraction() does not: a page that
    # writes "é" as e + combining accent kept it, and "Jané" matched no search (2 real pages
    # in bench/extraction_real.py lost snippets to it).
    text = _with_lead("\n".join(lines).strip(), tree, meta.descriptions, fields["title"])  # type: ignore[arg-type]
    text = _with_marked_lead(text, tree, fields["title"])  # type: ignore[arg-type]
    fields["text"] = unicodedata.normalize("NFC", text)
    return fields, sources


# The author's box under an article ('Inga Buller ist Head of Social & Community bei CHIP.
# ...', 'Clara Löw arbeitet als Wissenschaftlerin ...'): among the last lines, one that starts
# with an author's full name and says what they are. On the 990 real pages: 6 lines, 1 of
# them a `without` snippet, none a `with` one (the gold leaves the rest unmarked).
AUTHOR_BIO_LINES = 3
_BIO = re.compile(
    r"^\s*(?:\(\d+\)\s*|\(Jahrgang\s+\d+\)\s*)?(?:ist|war|arbeitet\w*|schreibt|lebt|studierte|"
    r"is|was|works|writes|lives|studied)\b"
)


def _without_author_bio(lines: list[str], authors: list[str]) -> list[str]:
    names = [name for name in authors if len(name.split()) >= 2]
    if not names:
        return lines
    tail = len(lines) - AUTHOR_BIO_LINES
    return [
        line for i, line in enumerate(lines)
        if i < tail or not any(
            (start := line.lstrip()).startswith(name) and _BIO.match(start[len(name) :])
            for name in names
        )
    ]  # fmt: skip


# '<!-- saved from url=(0071)https://www.example.com/a.html -->' (a browser's "Save page as"),
# 'WB_wombat_Init("https://web.archive.org/web/", "20080731095558", "www.dimido.de:80")' (an
# Internet Archive copy): 17 and 14 of the 990 real pages, in their first kilobytes.
_SAVED_FROM = re.compile(rb"<!-- saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->")
_WOMBAT = re.compile(rb'WB_wombat_Init\("[^"]*",\s*"\d+",\s*"([\w.-]+)(?::\d+)?"\)')
SAVED_FROM_BYTES = 4096


def saved_from(data: bytes) -> str | None:
    """The URL a saved page says it was saved from, if it says so in its first 4 KB."""
    head = data[:SAVED_FROM_BYTES]
    if found := _SAVED_FROM.search(head):
        return found.group(1).decode("ascii", "replace")
    if found := _WOMBAT.search(head):
        return f"http://{found.group(1).decode('ascii', 'replace')}/"
    return None


def _drop_inert(tree: HtmlElement) -> None:
    """Remove what no reader after the page's metadata looks at (scripts but JSON-LD, and
    styles), their tails kept: trafilatura copies the whole tree three or four times a page
    before its own cleaning drops them."""
    from trafilatura.xml import delete_element  # heavy: imported where used

    for element in list(tree.iter(*INERT_TAGS)):
        if element.tag != "script" or "ld+json" not in (element.get("type") or ""):
            delete_element(element)


# An infinite-scroll page (the next stories load as the reader scrolls) holds the following
# articles in full, each an <article> with its own headline, after the page's own; trafilatura
# read them all as one text (hoy.com.py: 4 stories, 10,222 characters for one of 1,300).
# The page's own comes first and carries its title; an <article> with another headline and
# text enough to be a story is another story.
NEXT_ARTICLE_CHARS = 500


def _drop_next_articles(tree: HtmlElement, title: str | None) -> None:
    """Remove the other stories an infinite-scroll page holds after its own."""
    if not title:
        return
    # Each <h1>'s innermost <article>, kept where it holds no other <h1>: walked from the few
    # <h1>s up, not from every <article> (teaser cards, 80 on a page) down.
    by_article: dict[HtmlElement, list[HtmlElement]] = {}
    for h1 in tree.iter("h1"):
        if (article := next(h1.iterancestors("article"), None)) is not None:
            by_article.setdefault(article, []).append(h1)
    headed = [
        (article, h1s[0])
        for article, h1s in by_article.items()
        if len(h1s) == 1 and not article.findall(".//article//h1")
    ]
    if len(headed) < 2 or not _headline_of(headed[0][1], title):
        return
    for article, h1 in headed[1:]:
        if not _headline_of(h1, title) and len(article.text_content()) >= NEXT_ARTICLE_CHARS:
            article.drop_tree()


def _headline_of(h1: HtmlElement, title: str) -> bool:
    """Whether the <h1> prints the page's title (the title may carry the site's name)."""
    headline = " ".join(h1.text_content().split()).casefold()
    return bool(headline) and headline in " ".join(title.split()).casefold()


def _body(
    tree: HtmlElement, html: str, url: str | None, description: str | None, page_url: str | None
) -> tuple[str | None, str]:
    """The article's text and where it came from ("trafilatura", "article-element" or
    "json-ld").

    trafilatura's main extractor alone (fast=True) gets well-structured article pages right;
    its fallbacks (readability, jusText) matter when it finds little or finds the page's
    chrome, so: fast first, and the full cascade when the text is short or looks like chrome
    (measured on 990 real pages, bench/extraction_real.py: the chrome test, ~0.13 ms CPU a
    page, sends 25 more pages, 2.5%, through the cascade, ~+0.6 ms a page on average; running
    the cascade on every page costs +24 ms). A page where that finds (almost) nothing is
    read again from its <article> alone. The publisher's JSON-LD articleBody then
    rescues a page whose extraction is a fragment, and bounds one where it agrees; label
    lines and teaser links go last.
    """
    import trafilatura  # heavy: imported where used, so the CLI starts fast

    ensure_installed()
    doc = trafilatura.bare_extraction(tree, url=url, fast=True, **TRAFILATURA_OPTIONS)
    text = _without_php_errors(doc.text) if doc is not None else None
    if not text or _looks_like_chrome(text, description) or _short_of_page(text, tree):
        doc = trafilatura.bare_extraction(tree, url=url, **TRAFILATURA_OPTIONS)
        if doc is not None and (full := _without_php_errors(doc.text)):
            text = full
    source = "trafilatura"
    if count_words(text or "") < MIN_WORDS and (alone := _article_alone(tree)) is not None:
        doc = trafilatura.bare_extraction(alone, url=url, **TRAFILATURA_OPTIONS)
        if doc is not None and count_words(doc.text or "") > count_words(text or ""):
            text, source = doc.text, "article-element"
    # articleBody is often a teaser (on the 60 real pages that declare one it scores F1 0.80
    # against our extraction's 0.89), so it is used as a whole only where ours is short.
    # (the page's text is searched first: walking its scripts costs ~0.15 ms a page)
    declared = _article_body(tree) if "articleBody" in html else None
    if declared:
        words = count_words(text or "")
        if words < FALLBACK_BELOW_WORDS and count_words(declared) >= ARTICLE_BODY_RESCUE * words:
            text, source = declared, "json-ld"
        elif text:
            text = _within_declared(text, declared, description)
    if not text:
        return None, source
    text = _without_labels(_without_cookie_notice(_without_calendars(text)))
    text = _without_edge_dates(_without_teaser_links(text, tree, page_url))
    return _without_blank_lines(text) or None, source


# A fast extraction whose menu-like lines (CHROME_LINE_WORDS words or fewer, no sentence end)
# carry more than this share of its characters is the page's navigation, not its article.
CHROME_SHORT_SHARE = 0.2
CHROME_LINE_WORDS = 3
# ... and so is one where the page's own description starts further in than this share of
# the text (the article's opening comes after a block of teasers or chrome).
CHROME_DESCRIPTION_AT = 0.1
DESCRIPTION_KEY_WORDS = 8  # the description's first words looked for (5 at least)
# JSON-LD articleBody replaces an extraction shorter than FALLBACK_BELOW_WORDS when it has at
# least this many times its words.
ARTICLE_BODY_RESCUE = 2.0
# An extraction is trimmed to the lines the articleBody (or description) confirms, from the
# first to the last, when that span keeps at least this share of its characters.
ARTICLE_BODY_SPAN = 0.5
_SENTENCE_END = (".", "!", "?", ":", "。", "！", "？", "…")
_WORD = re.compile(r"\w+")
_LD_BLOCK = re.compile(r"<[^>]*>")
_LD_BREAK = re.compile(r"<\s*(?:br|/?p|/?h[1-6]|/?li|/div|/blockquote)\b[^>]*>", re.I)
_LD_COMMENT = re.compile(r"<!--.*?-->", re.S)
# A line that only labels what comes next or beside it: links to other articles, a photo
# credit, tags, a share bar. Dropped when the label is the whole line or, followed by a
# separator, the line is short ("Lesen Sie auch: <headline>", "Foto: dpa"). A contact's
# heading ("Pressekontakt:") only as the whole line. The German headings added last ("Das
# Thema könnte dich auch interessieren:", "Auch lesen:", "Inhaltsverzeichnis", "Kontakt:"):
# 18 lines of the 990 real pages, 10 of them a `without` snippet, none a `with` one. Then
# "Weitere Artikel zum Thema", "Verwandte Artikel", "Ähnliche Themen", also as a table's one
# cell: 4 lines, 2 of them a `without` snippet. A figure's caption ('Abbildung 8: …', 'Figure
# 3: …'): 18 lines on 2 pages, 1 a `without` snippet.
_LABEL = re.compile(
    r"""^[\s(\-–•*»>]*(?:
    (?:à|a)\s+lire\s+(?:aussi|également|egalement)|lire\s+(?:aussi|également|la\s+suite)|
    voir\s+aussi|read\s+(?:more|also|next)|related(?:\s+(?:articles?|stories|posts|content|recipes))?|
    see\s+also|more\s+(?:on\s+this|stories|from)|recommended(?:\s+for\s+you)?|
    you\s+may\s+also\s+like|lesen\s+sie\s+(?:auch|mehr|hier)(?:\s+die\s+folgenden\s+(?:beiträge|artikel))?|
    auch\s+lesen|mehr\s+zum\s+thema(?:\s+auf\s+\S+)?|
    weitere\s+(?:artikel|beiträge|themen|informationen)(?:\s+zum\s+thema)?|auch\s+interessant|
    (?:ähnliche|verwandte|kommentierte)\s+(?:artikel|beiträge|themen)|
    (?:das(?:\s+thema)?|dies)\s+könnte\s+(?:sie|dich|euch)\s+(?:auch\s+)?interessieren|
    empfohlene\s+(?:beiträge|artikel)|inhaltsverzeichnis|table\s+of\s+contents|
    originalpublikation|zusatzinformationen|
    (?:(?:presse)?kontakt|ansprechpartner(?:in)?(?:\s+zum\s+thema)?)(?=\s*:?\s*$)|
    mehr\s+themen|lee\s+también|leer\s+también|ver\s+también|
    (?:también\s+)?(?:te|le)\s+puede\s+interesar|lea\s+(?:también|más)|vea\s+también|
    puedes\s+ver|mir[ae](?:\s+también)?(?=\s*[:|])|notas\s+relacionadas|
    noticias\s+relacionadas|contenido\s+relacionado|temas|czytaj\s+(?:też|także|również|więcej)|
    zobacz\s+(?:też|także|również)|dowiedz\s+się\s+więcej|leia\s+(?:também|mais)|
    veja\s+(?:também|mais)|leggi\s+anche|tags?|schlagwörter|themen|etiquetas|
    (?:photo|image|picture)\s+credits?|crédits?\s+photos?|bildquelle|fotos?|bild(?:er)?|
    titelbild|beitragsbild|(?:zum\s+)?weiterlesen|vorschau\s+auf\s+den\s+nächsten\s+artikel|
    weitere\s+aktuelle\s+(?:artikel|themen|beiträge)(?:\s+aus\s+der\s+\w+)?|
    top-themen(?:\s+bei\s+[\w\s]{1,30})?|
    credits?|image\s+illustrative|share(?:\s+this)?|teilen|partager|compartir|udostępnij|
    (?:abbildung|abb\.|figure|fig\.)\s*\d+(?=\s*:)
    )(?:\s*$|\s*[:|»>\-–]\s*)""",
    re.X | re.I,
)
LABEL_LINE_WORDS = 20  # a labelled line longer than this is prose that starts with the word
# A short line with a copyright sign, that starts with 'Copyright' or reserves the rights, is
# a photo's credit or the site's notice ('Marco Odermatt, Ski-Star aus der Schweiz. © AFP /
# MARCO BERTORELLO', '© 2020 ®/TM General Mills All Rights Reserved'). On the 990 real
# pages: 46 lines of 20 words or fewer, 8 of them a `without` snippet, none a `with` one;
# the longer ones are paragraphs that quote a notice.
_CREDIT = re.compile(
    r"©|^\s*(?:copyright\b|\(c\)\s)|all rights reserved|alle rechte vorbehalten|"
    r"(?:todos los )?derechos reservados|tous droits réservés|materiał chroniony prawem",
    re.I,
)
CREDIT_LINE_WORDS = 20
# The reading time a theme prints under the headline ('Lesezeit: 2 Minuten', 'Estimated
# reading time: 6 minutes', 'Ten tekst przeczytasz w mniej niż minutę'): 4 lines of the 990
# real pages, one a `without` snippet.
_READING_TIME = re.compile(
    r"\bmin(?:ute?s?|\.)?\s+(?:read|de\s+lectura|de\s+lecture)\b|lesezeit|lesedauer|"
    r"reading\s+time|tiempo\s+de\s+lectura|temps\s+de\s+lecture|przeczytasz\s+w",
    re.I,
)
READING_TIME_WORDS = 12
# A call to follow the site, or to download its app, on a platform ('Folgen Sie uns auf
# Twitter', 'For the latest stories ... download the Nationnews apps for iOS and Android',
# 'Síguenos en Telegram', an Instagram embed's 'Sieh dir diesen Beitrag auf Instagram an'):
# 23 lines of the 990 real pages, 5 of them a `without` snippet, none a `with` one (one holds
# a headline that a `with` snippet also finds elsewhere). A platform named without such a
# call ('Mr Shapps said on Twitter') stays. Calls to subscribe are _SUBSCRIBE's, with or
# without a platform.
_PLATFORM = re.compile(
    r"\b(?:telegram|instagram|facebook|twitter|whatsapp|youtube|tiktok|linkedin|pinterest|"
    r"android|google\s+news)\b",
    re.I,
)
_FOLLOW = re.compile(
    r"""\bfollow\s+(?:us|them|me|@?\w+(?:\s+\w+)?\s+on)\b|\bs[ií]guenos\b|
    \bseguir\s+a\s+\w+\s+en\b|\bfolge[n]?\s+(?:sie\s+)?(?:uns|mir)\b|\bfolgt\s+uns\b|
    \bsuivez[-\s](?:nous|\w+\s+sur)\b|\bobserwuj\b|[úu]nete\b|\bjoin\s+(?:us|our)\b|
    \bdownload\s+(?:the|our)\b|\bdescarg[aue]\s+(?:la|nuestra)\b|\bsuscr[ií]bate\b|
    \bsieh\s+dir\s+diesen\s+beitrag\b|
    \bview\s+this\s+post\b|\bcontact\s+\w+\s+on\b|\bsend\s+us\b|\blike\s+us\b|\bliken\s+sie\s+uns\b""",
    re.I | re.X,
)
FOLLOW_LINE_WORDS = 40
# A call to subscribe, to the paper or its newsletter ('Subscribe now to our eNATION edition
# for the full story', 'Abonnieren Sie unseren Newsletter', 'Zum Newsletter anmelden',
# 'Zapraszamy też do subskrypcji tygodnika'): 25 lines of the 990 real pages, 8 of them a
# `without` snippet, none a `with` one. Naming a subscription is not calling for one ('Kein
# Abonnement erforderlich', a quote). So are calls to sign up, to write a letter to the editor
# or to log in, and what a comment box says of itself ('PC Gamer Newsletter', 'Sie sind
# aktuell nicht eingeloggt.', 'Kommentare insgesamt: 0', 'View Comments'): 17 lines more,
# 12 of them a `without` snippet, none a `with` one. And what a newsletter or the magazine
# offers ('Sie haben sich soeben zu unserem … Newsletter angemeldet.', 'RSS-Feed abonnieren',
# '… im Abo, als e-Paper und bei Readly erhältlich.'): 12 lines on 10 pages, 4 of them a
# `without` snippet (5 snippets), none a `with` one. And what a form or an embed's placeholder
# says ('Mit der Registrierung akzeptieren Sie unsere Datenschutz- und Nutzungsbedingungen.',
# 'Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden.'): 4 lines,
# 3 of them a `without` snippet.
_SUBSCRIBE = re.compile(
    r"""\bsubscribe\s+(?:now|to|today)\b|\bplease\s+subscribe\b|
    \bsign(?:ing)?\s+up\b.{0,40}\bnewsletter|\bstart\s+your\s+.*subscription|
    \babonnieren\s+sie\b|\babonniere\b|\b(?:newsletter|jetzt)\s+abonnieren\b|
    \bnewsletter\s+anmelden\b|\bmelde\s+dich\b.*\bnewsletter\b|\bnewsletter\b.*\b(?:erhalten|verpassen)\b|
    \bzapraszamy\b.*\bsubskrypc|\bsuscr[ií]bete\b|\babonnez-vous\b|
    \bsign\s+up\s+(?:here|now|today|to\s+get)\b|\bfree\s+sign\s+up\b|^[\w\s-]{0,30}newsletter\s*$|
    \balready\s+a\s+subscriber\b|\b(?:submit|write)\b.{0,40}\bletters?\s+to\s+the\s+editor\b|
    \bnicht\s+eingeloggt\b|\blog\s+in\s+(?:for|to\s+check)\b|\bkommentare\s+(?:insgesamt|erscheinen)\b|
    \bkeine\s+kommentare\b|\bview\s+comments\b|\bno\s+comments\b|
    \bnewsletter\b.*\b(?:angemeldet|anmeld\w*|kostenlos\w*|gratis|abonn\w*)\b|
    \b(?:angemeldet|anmeld\w*|kostenlos\w*|gratis|unsere[mn]?|meine[mn]?)\b.{0,30}newsletter|
    \b(?:rss[-\s]?)?feed\s+abonnieren\b|\be-paper\b.*\b(?:erhältlich|abo)\b|\bexklusive\s+angebote\b|
    \bum\s+den\s+inhalt\s+von\b.*\bzu\s+laden\b|\bmit\s+(?:der|ihrer)\s+(?:registrierung|anmeldung)\s+akzeptier|
    \bby\s+(?:registering|signing\s+up),?\s+you\s+(?:agree|accept)|\bmit\s+diesem\s+button\b""",
    re.I | re.X,
)
# A disclosure of paid links or content ('Dieser Artikel enthält Affiliate-Links ...', 'Bei den
# Verlinkungen handelt es sich um Affiliate Links', '*Werbung. Dieser Beitrag enthält Werbung
# für MYMARINI.', 'Dieser Beitrag entstand in freundlicher Zusammenarbeit mit ...'): 14 lines
# on 10 of the 990 real pages, 6 of them a `without` snippet, none a `with` one. Longer lines
# (a deals column that says its offers carry such links) stay.
_DISCLOSURE = re.compile(
    r"""\b(?:affiliate|partner)[-\s]?links?\b|\benthält\s+(?:unbezahlte\s+)?werbung\b|
    \bprovision\s+erhält\b|\bzusammenarbeit\s+mit\b.{0,80}\bentstand|
    \bentstand(?:en)?\s+in\s+(?:freundlicher\s+)?zusammenarbeit\b|\bsponsored\s+post\b|
    \b(?:earn|receive)\s+(?:a\s+)?(?:small\s+)?(?:commission|compensation)\b|
    \badvertisers?\s+do\s+not\s+influence\b|\bone\s+or\s+more\s+of\s+our\s+advertisers\b|\bliens?\s+(?:d'affiliation|affiliés)\b|
    \benlaces?\s+de\s+afiliad""",
    re.I | re.X,
)
# A call to support the site or to pay to read on ('If you enjoyed reading this post – would
# you consider supporting our work?', 'Unterstütze RosaMag bereits mit 2,50!', 'Pour lire la
# suite', 'Tú también puedes hacer periodismo incómodo. Cancela cuando quieras.'): 10 lines on
# 7 of the 990 real pages, 7 of them a `without` snippet, none a `with` one. Asking readers
# to support something else stays ('unterstützen Sie uns dabei, unsere Marken ...').
_SUPPORT = re.compile(
    r"""\bsupport(?:ing)?\s+our\s+(?:work|journalism)\b|
    \bunterstütze\s+(?:uns|unser(?:e|en)?\s+\w+|\w+mag)\b|
    \bpour\s+(?:lire\s+la\s+suite|accéder\s+en\s+illimité)\b|\bwe\s+need\s+your\s+help\b|
    \bbezahlschranke\b|\bpaywall\b|\bcancela\s+cuando\s+quieras\b""",
    re.I | re.X,
)
_SIGN_OFF = re.compile(r"^\s*\(?[^\W\d_]{1,6}(?:\s*/\s*[^\W\d_]{1,8})+\)?\s*$")
SIGN_OFF_LINES = 3
# Longer lines are not read for either: 20 words take fewer characters. The rest are first
# looked at for these words, in one search: every search on every line would cost ~1.1 ms a
# page on the 990 real pages, the look first ~0.1 ms (a Python loop over the words, 0.3 ms).
_MAX_NOTICE_CHARS = 300
_NOTICE_KEYS = (
    "©", "copyright", "(c)", "reserv", "vorbehalten", "chroniony", "lese", "reading",
    "lectur", "przeczytasz", "telegram", "instagram", "facebook", "twitter", "whatsapp",
    "youtube", "tiktok", "linkedin", "pinterest", "android", "google news", "subscri",
    "abonn", "newsletter", "subskryp", "suscr", "affili", "afiliad", "partner-link",
    "partner link", "partnerlink", "werbung", "provision erh", "entstand", "sponsored post",
    "commission", "compensation", "advertisers", "sign up", "subscriber", "to the editor",
    "eingeloggt", "log in", "kommentare", "view comments", "no comments", "support",
    "unterstütze", "pour lire", "pour accéder", "need your help", "bezahlschranke", "paywall",
    "cancela", "e-paper", "exklusive angebote", "inhalt von", "registrierung", "anmeldung",
    "by registering", "by signing", "button",
)  # fmt: skip
# (a reading time's minutes as _READING_TIME reads them: 'min' alone is in 4% of lines)
_NOTICE_KEY = re.compile(
    "|".join([*map(re.escape, _NOTICE_KEYS), r"min(?:ute?s?|\.)?\s+(?:read|de\s+lect)"])
)
# A line that is nothing but a link to another page of the same site, in a block (<p>, <li>,
# <h3>) whose text is all links' (the link alone, or a list of them between <br>s), is a
# teaser for that page ('Read: Two disasters are exponentially worse than one', '>>> Neue
# Rot-Weiß Karte gegen Fachkräftemangel', a list of related headlines). On the 990 real
# pages: 109 lines on 50 pages with the short lines that announce them, 13 of them with a
# `without` snippet, none with a `with` one, the rest related headlines, calls to sign up or
# download and the like. A link in a sentence, or to another site (a source the article
# cites), stays. So does a teaser's card, a link that holds a headline (<a><h2>), in any
# block: 3 lines more, 2 of them a `without` snippet, the other a 'Mehr zum Thema' teaser.
TEASER_WORDS = 3
TEASER_LABEL_WORDS = 6
_TEASER_BLOCKS = frozenset(
    {"p", "li", "dd", "dt", "td", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section",
     "article", "header", "blockquote", "figcaption"}
)  # fmt: skip
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# The errors a PHP site prints into its pages ('Warning: Use of undefined constant comments -
# ... in /homepages/.../get-recent-comments.php on line 928'): 2 real pages opened with dozens.
_PHP_ERROR = re.compile(
    r"^\s*(?:PHP )?(?:Strict Standards|Warning|Notice|Deprecated|(?:Catchable )?Fatal error|"
    r"Parse error): .* in \S+\.php(?: on line|:)\s*\d+\s*$"
)


def _article_alone(tree: HtmlElement) -> HtmlElement | None:
    """A page holding only the longest <article> of `tree`, if it has words enough.

    For pages whose markup puts the article inside what trafilatura prunes whole: on one real
    page (bench/extraction_real.py) unclosed <div>s nest it in the sidebar's <aside>, and the
    whole page gave the site's tagline twice. Only tried where nothing else was found.
    """
    best, most = None, 0
    for element in tree.iter("article"):
        if (size := len(element.text_content())) > most:
            best, most = element, size
    if best is None or count_words(best.text_content()) < MIN_WORDS:
        return None
    root = best.makeelement("html", {})
    root.append(best.makeelement("body", {}))
    root[0].append(copy.deepcopy(best))
    return root


def _short_of_page(text: str, tree: HtmlElement) -> bool:
    """Whether a fast extraction is short and leaves most of the page's words out (a short
    page that it mostly holds has nothing more for the fallbacks to find)."""
    words = count_words(text)
    return words < FALLBACK_BELOW_WORDS and words < SHORT_PAGE_SHARE * count_words(
        tree.text_content()
    )


def _looks_like_chrome(text: str, description: str | None) -> bool:
    """Whether a fast extraction shows the page's chrome rather than its article."""
    short = total = 0
    for line in text.split("\n"):
        line = line.strip()
        total += len(line)
        # (60 characters or more are more than three words in any script: not counted)
        if (
            len(line) < 60
            and not line.endswith(_SENTENCE_END)
            and count_words(line) <= CHROME_LINE_WORDS
        ) or _calendar_row(line):
            short += len(line)
    if total and short > CHROME_SHORT_SHARE * total:
        return True
    at = _description_at(text, description)
    return at is not None and at > CHROME_DESCRIPTION_AT


def _description_at(text: str, description: str | None) -> float | None:
    """Where the description's opening words start in `text`, as a share of its length
    (None: no usable description, or not found)."""
    words = _WORD.findall((description or "").lower())[:DESCRIPTION_KEY_WORDS]
    if len(words) < 5:
        return None
    flat = " ".join(_WORD.findall(text.lower()))
    found = flat.find(" ".join(words))
    return found / len(flat) if found >= 0 else None


# The lead (standfirst) under the headline is often left out: trafilatura takes it for the
# header's. Where one of the page's descriptions is printed in an element of its own and the
# text lacks it, that element's text goes first. On the 990 real pages: 162 pages get a lead,
# recall 0.946 -> 0.965 (55 `with` snippets more), not one `without` snippet more; ~0.26 ms a
# page. Not: a description that is the headline, one in a footer (an address), an element much
# longer than it (a whole section). The text after an element counts as printed too (a photo's
# box, a kicker): 2 pages more, 2 `with` snippets; not in a breadcrumb.
LEAD_MIN_WORDS = 8
LEAD_HEAD_WORDS = 5  # the element's own text starts with the description's first words
LEAD_TAGS = ("p", "div", "h2", "h3", "span", "strong", "b", "section", "header", "li", "em", "td")
_FOOTER = re.compile(r"footer", re.I)


def _prints(text: str, words: list[str]) -> bool:
    """Whether `text` has these words in a row, in any case, anything but words between them
    (searched, not compared word by word: the text's words alone cost 0.2 ms a page)."""
    return re.search(r"\W+".join(words), text, re.I) is not None


def _with_lead(text: str, tree: HtmlElement, descriptions: Iterable[str], title: str | None) -> str:
    """`text` with the article's printed lead first where it left it out."""
    if not text:
        return text
    headline = _WORD.findall((title or "").lower())
    wanted: dict[tuple[str, ...], tuple[int, str]] = {}  # first words -> (words, key)
    for description in descriptions:
        words = _WORD.findall(description)
        if len(words) < LEAD_MIN_WORDS:
            continue
        if _prints(text, words[:DESCRIPTION_KEY_WORDS]):
            continue
        folded = [w.lower() for w in words]
        if headline and folded[: len(headline)] == headline:
            continue  # the description is the headline
        key = " ".join(folded[:DESCRIPTION_KEY_WORDS])
        wanted.setdefault(tuple(folded[:LEAD_HEAD_WORDS]), (len(words), key))
    firsts = {head[0] for head in wanted}
    for el in tree.iter(*LEAD_TAGS) if wanted else ():
        # The element's own text, or the text after it: kbs.co.kr prints its lead after the
        # photo's box, inside the body's <div>, which the fast path prunes with the box.
        own, tail = el.text, el.tail
        # (the first word looked for first: the words of every element's text cost 0.2 ms)
        if own and any(first in (own := own.lower()) for first in firsts):
            printed_in = el.text_content()
        elif (
            tail
            and any(first in (own := tail.lower()) for first in firsts)
            and next(el.iterancestors("nav"), None) is None  # a breadcrumb's last item
        ):
            printed_in = tail
        else:
            continue
        if (found := wanted.get(tuple(_WORD.findall(own)[:LEAD_HEAD_WORDS]))) is None:
            continue
        size, key = found
        lead = " ".join(printed_in.split())
        printed = _WORD.findall(lead.lower())
        if len(printed) > 2 * size + 10 or key not in " ".join(printed):
            continue
        if any(_FOOTER.search(f"{a.tag} {a.get('class')}") for a in el.iterancestors()):
            continue
        return f"{lead}\n{text}"
    return text


# A lead printed in an element of its own between the headline and the body, marked as one by
# its class ('intro-text', 'article-teaser', 'c-page-intro__copy', 'lead') or by
# itemprop="description", where no description the page declares matched it (above). Not an
# element that holds blocks, images, a date or a caption's credit (a header block, a figure),
# one in a list, a link or a footer, or one whose end the text already has. On the 990 real
# pages: 17 pages get such a lead, 9 of them a `with` snippet more, none a `without` one;
# recall 0.9675 -> 0.9705. ~0.24 ms a page (walking the tree is most of it).
_LEAD_MARK = re.compile(r"lead|intro|teaser|excerpt|standfirst|summary|abstract|subtitle", re.I)
_LEAD_TAGS_MARKED = frozenset({"p", "div", "span", "h2", "strong"})
_LEAD_AWAY = frozenset({"a", "nav", "aside", "footer", "li", "figure", "figcaption", "form"})
_LEAD_HOLDS = ("div", "p", "h1", "h2", "h3", "section", "header", "ul", "ol", "figure", "img",
               "picture", "iframe", "script", "table", "time", "br")  # fmt: skip
LEAD_MAX_WORDS = 150
LEAD_PHRASE_WORDS = 12  # fewer, with no sentence end: a headline
BODY_START_CHARS = 40  # the text's first characters, to find where the body starts


def _marked(el: HtmlElement | None) -> bool:
    if el is None:
        return False
    marks = el.get("class")
    return bool(marks and _LEAD_MARK.search(marks)) or el.get("itemprop") == "description"


def _with_marked_lead(text: str, tree: HtmlElement, title: str | None) -> str:
    """`text` with the lead first that the page marks as one (_LEAD_MARK) after its <h1> and
    before the element the text starts with, where the text lacks it."""
    first = " ".join(text.split("\n", 1)[0].split())[:BODY_START_CHARS]
    if len(first) < BODY_START_CHARS // 2:
        return text
    headline = [w.lower() for w in _WORD.findall(title or "")] or [""]
    opening = first.split()[0]
    after_h1, lead = False, None
    for el in tree.iter():
        tag = el.tag
        if tag == "h1":
            after_h1 = True
            continue
        own = el.text
        # (the first word looked for first: normalising every element's text costs ~0.1 ms)
        if own and opening in own and isinstance(tag, str):
            own = " ".join(own.split())[:BODY_START_CHARS]
            if len(own) >= BODY_START_CHARS // 2 and first.startswith(own):
                return f"{lead}\n{text}" if lead else text  # the body starts here
        if lead or not after_h1 or tag not in _LEAD_TAGS_MARKED:
            continue
        if not (_marked(el) or (tag == "p" and _marked(el.getparent()))):
            continue  # (or its paragraph: '<div class="intro-text"><p>')
        if next(el.iterdescendants(*_LEAD_HOLDS), None) is not None:
            continue
        printed = " ".join(el.text_content().split())
        words = _WORD.findall(printed)
        if not LEAD_MIN_WORDS <= len(words) <= LEAD_MAX_WORDS or "©" in printed:
            continue
        if len(words) < LEAD_PHRASE_WORDS and not printed.endswith(_SENTENCE_END):
            continue  # a teaser's headline, a subtitle
        if _notice(printed) or [w.lower() for w in words[: len(headline)]] == headline:
            continue  # a disclosure; the headline again
        head, tail = words[:DESCRIPTION_KEY_WORDS], words[-DESCRIPTION_KEY_WORDS:]
        if _prints(text, head) or _prints(text, tail):
            continue  # the text has it, or its end
        if any(a.tag in _LEAD_AWAY for a in el.iterancestors()):
            continue
        lead = printed
    return text


def _article_body(tree: HtmlElement) -> str | None:
    """The longest JSON-LD articleBody of the page as plain text (markup and entities, which
    some CMSs leave in it, removed; paragraphs kept as lines)."""
    best = ""
    for script in tree.iter("script"):
        block = script.text or ""
        if "articleBody" not in block:
            continue
        if not (script.get("type") or "").strip().lower().startswith("application/ld+json"):
            continue
        stack = [load_json_ld(block)]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                for key, value in node.items():
                    if key == "articleBody" and isinstance(value, str) and len(value) > len(best):
                        best = value
                    elif isinstance(value, (dict, list)):
                        stack.append(value)
    if not best:
        return None
    for _ in range(2):  # "&amp;lt;b&amp;gt;": escaped twice
        if "&" in best:
            best = html_lib.unescape(best)
    if "<" in best:
        best = _LD_BLOCK.sub("", _LD_BREAK.sub("\n", _LD_COMMENT.sub("", best)))
    lines = (" ".join(line.split()) for line in best.replace("**", "").split("\n"))
    return "\n".join(line for line in lines if line) or None


def _within_declared(text: str, declared: str, description: str | None) -> str:
    """`text` from its first to its last line that the articleBody (or the description, for
    a lead the articleBody leaves out) confirms, if that keeps most of it: what trafilatura
    took before and after the article (teasers, subscription boxes) goes."""
    known = " ".join(_WORD.findall(declared.lower()))
    if description:
        known += " | " + " ".join(_WORD.findall(description.lower()))
    lines = text.split("\n")
    hits = []
    for i, line in enumerate(lines):
        key = " ".join(_WORD.findall(line.lower()))
        if key and (key in known or key[:60] in known):
            hits.append(i)
    if not hits:
        return text
    span = lines[hits[0] : hits[-1] + 1]
    if sum(map(len, span)) < ARTICLE_BODY_SPAN * len(text):
        return text
    return "\n".join(span)


# A calendar widget's month, as a table row of a week's days ('|  | 1 | 2 | 3 | 4 | 5 | 6 |')
# or their names ('| Su | Mo | Tu | We | Th | Fr | Sa |'), or the whole month in one row
# where its tables nest. On the 990 real pages one page's fast extraction was a year of them
# and nothing else (villacc.de, a holiday villa's booking calendar), and its full one ended
# with them; no other page prints such a row.
_DAY_CELL = re.compile(r"^(?:[1-9]|[12]\d|3[01])$")
_WEEKDAY_CELL = re.compile(r"^[^\W\d_]{1,3}\.?$")
WEEK_CELLS = (5, 8)
MONTH_DAYS = 28


def _calendar_row(line: str) -> bool:
    """A table row of a week (5-8 cells, each empty, a day's short name or a day of the
    month, the names all different) or of whole months (their titles, their days' names and
    their days); the days in runs (1, 2, 3, ...)."""
    if not line.startswith("|") or not line.endswith("|"):
        return False
    cells = [cell.strip() for cell in line[1:-1].split("|")]
    full = [cell for cell in cells if cell]
    days = [int(cell) for cell in full if _DAY_CELL.match(cell)]
    names = [cell for cell in full if _WEEKDAY_CELL.match(cell)]
    if any(b != a + 1 and b != 1 for a, b in itertools.pairwise(days)):
        return False
    others = len(full) - len(days) - len(names)
    if WEEK_CELLS[0] <= len(cells) <= WEEK_CELLS[1]:
        if days:
            return not names and not others
        return len(set(names)) >= WEEK_CELLS[0] and not others
    return len(days) >= MONTH_DAYS and len(set(names)) >= 7 and others <= len(days) // MONTH_DAYS


def _without_calendars(text: str) -> str:
    """The text without calendar rows (_calendar_row) and the title rows of their months ('|
    February 2020 |  |  |  |  |  |  |', before a row of weekdays)."""
    if "|" not in text:
        return text
    lines = text.split("\n")
    drop = {i for i, line in enumerate(lines) if _calendar_row(line.strip())}
    if not drop:
        return text
    drop |= {
        i - 1 for i in drop
        if i and (row := lines[i - 1].strip()).startswith("|")
        and sum(bool(cell.strip()) for cell in row.split("|")) == 1
    }  # fmt: skip
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


# A line that is only a date, with its time and label ('Stand: 28.04.2020 18:00 Uhr',
# 'Written: 2023-11-07 15:03:30 / Updated: 2023-11-07 15:30:46', 'Letzte Änderung
# 14.02.2019'), among the first or last lines of the text: the page's dateline, which
# published_at and modified_at hold (looked for once teaser links are gone, which may have
# stood before it). On the 990 real pages 40 lines, 3 of them a `without`
# snippet, none a `with` snippet; inside the text such lines are what it tells (a match day,
# a tweet's date, 'Veröffentlicht am 16.08.2019' in a podcast's notes).
DATE_EDGE_LINES = 2
DATE_LINE_CHARS = 100
_MONTH_WORD = (
    r"(?:jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec|janv|févr|avr|juin"
    r"|juil|août|déc|ene|abr|ago|dic)[^\W\d_]*\.?"
)
_DATE_IN_LINE = re.compile(
    r"(?<!\d)(?:\d{1,2}[./-] ?\d{1,2}[./-] ?(?:\d{4}|\d\d)|\d{4}[./-]\d{1,2}[./-]\d{1,2}"
    rf"|\d{{1,2}}\.? {_MONTH_WORD} \d{{4}}|{_MONTH_WORD} \d{{1,2}},? \d{{4}})(?!\d)",
    re.I,
)
_TIME_IN_LINE = re.compile(
    r"(?<!\d)\d{1,2}[:.h]\d\d(?::\d\d)?(?: ?(?:uhr|am|pm|a\.m\.|p\.m\.))?", re.I
)
_DATE_LABEL_WORDS = frozenset(
    {
        "written", "updated", "published", "posted", "created", "modified", "last", "date", "datum",
        "stand", "veröffentlicht", "aktualisiert", "erstellt", "zuletzt", "letzte", "änderung",
        "geändert", "am", "um", "on", "at", "publié", "le", "mis", "à", "jour", "publicado",
        "actualizado", "el", "créé", "uhr", "news", "release", "und", "and", "by", "von", "de",
        "del", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "montag", "dienstag", "mittwoch", "donnerstag",
        "freitag", "samstag", "sonntag", "lunes", "martes", "miércoles", "jueves", "viernes",
        "sábado", "domingo", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
        "dimanche", "cst", "est", "gmt", "utc", "cet", "cest", "mez", "mesz",
    }
)  # fmt: skip
_LABEL_WORD = re.compile(r"[^\W\d_]+")


def _date_line(line: str) -> bool:
    """A line of a date, its time and date labels only (_DATE_LABEL_WORDS)."""
    if len(line) > DATE_LINE_CHARS or not _DATE_IN_LINE.search(line):
        return False
    rest = _TIME_IN_LINE.sub(" ", _DATE_IN_LINE.sub(" ", " ".join(line.split())))
    return all(w.casefold() in _DATE_LABEL_WORDS for w in _LABEL_WORD.findall(rest))


def _without_edge_dates(text: str) -> str:
    """The text without date lines (_date_line) among its first and last DATE_EDGE_LINES."""
    lines = text.split("\n")
    if len(lines) <= 2 * DATE_EDGE_LINES:
        return text
    edges = [*range(DATE_EDGE_LINES), *range(len(lines) - DATE_EDGE_LINES, len(lines))]
    drop = {i for i in edges if _date_line(lines[i])}
    if not drop:
        return text
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def _without_php_errors(text: str | None) -> str | None:
    if not text or ": " not in text[:40]:  # the errors come first: a cheap test for most pages
        return text
    return "\n".join(line for line in text.split("\n") if not _PHP_ERROR.match(line)).strip()


def _without_blank_lines(text: str) -> str:
    """The text without lines of spaces and trailing blanks, which the markup's indentation
    left on 63 and 219 of the 990 real pages (spiegel.de: 46 of its 92 lines). A line's
    indent stays: code, nested lists."""
    return "\n".join(line.rstrip() for line in text.split("\n") if not line.isspace()).strip()


def _notice(line: str) -> bool:
    """A credit, a rights notice, a reading time, a call to follow, subscribe to or support
    the site, or a disclosure of paid links (see _CREDIT, _READING_TIME, _FOLLOW, _SUBSCRIBE,
    _SUPPORT, _DISCLOSURE)."""
    if not _NOTICE_KEY.search(line.lower()):
        return False
    words = len(line.split())
    return bool(
        (words <= CREDIT_LINE_WORDS and _CREDIT.search(line))
        or (words <= READING_TIME_WORDS and _READING_TIME.search(line))
        or (words <= FOLLOW_LINE_WORDS and (
            _SUBSCRIBE.search(line) or _DISCLOSURE.search(line) or _SUPPORT.search(line)
            or (_PLATFORM.search(line) and _FOLLOW.search(line))))
    )  # fmt: skip


# A site's cookie banner ('Wir verwenden Cookies ... stimmen Sie der Verwendung zu', 'This
# website uses cookies ... to enhance quality of service'): a line that names cookies, the site
# or "we", and consent or what the cookies are for. On the 990 real pages: 7 lines on 7 pages,
# all banners (the gold marks none). A page with more lines about cookies is about them (a
# privacy policy: 'If you turn cookies off, some features ... your site experience') and
# keeps them.
_COOKIE_NOTICE = re.compile(
    r"""(?=.*\bcookies?\b)(?=.*\b(?:we|wir|nous|site|website|webseite|seite)\b)
    (?=.*(?:zustimm|stimm\w*\s.*\szu\b|einverstanden|accept|consent|agree|akzeptier|acept|
    continu|fortsetzen|datenschutzerkl|privacy|confidentialit|protection\s+des\s+donn|
    nutzerfreundlich|benutzererfahrung|experience|améliorer|improve|enhance|verbessern|
    optimieren|angebot))""",
    re.I | re.X,
)
# The longest banner of the 7: 52 words, 378 characters (kulturkaufhaus.de). Longer lines are
# not read: the pattern's look-aheads cost quadratic time on a long line.
COOKIE_NOTICE_CHARS = 600
COOKIE_LINES = 3  # at most, on a page that is not about cookies


def _without_cookie_notice(text: str) -> str:
    if "cookie" not in text.lower():
        return text
    lines = text.split("\n")
    if sum("cookie" in line.lower() for line in lines) > COOKIE_LINES:
        return text
    kept = [
        line for line in lines
        if len(line) > COOKIE_NOTICE_CHARS or not _COOKIE_NOTICE.match(line)
    ]  # fmt: skip
    return "\n".join(kept) if len(kept) < len(lines) else text


def _without_labels(text: str) -> str:
    given = text.split("\n")
    lines = _without_split_follow(given)
    # A desk's or agency's sign-off among the last lines ('aja/PAP', '(dr/spot)', 'erb/ots'):
    # 3 lines of the 990 real pages, one a `without` snippet.
    tail = len(lines) - SIGN_OFF_LINES
    kept = [
        line for i, line in enumerate(lines)
        if not ((m := _LABEL.match(bare := _cell(line))) and (
            m.end() == len(bare) or len(line.split()) <= LABEL_LINE_WORDS))
        and not (len(line) <= _MAX_NOTICE_CHARS and _notice(line))
        and (i < tail or not _SIGN_OFF.match(line))
    ]  # fmt: skip
    return "\n".join(kept) if len(kept) < len(given) else text


def _cell(line: str) -> str:
    """The line stripped, and a table row of one cell its text: proplanta.de heads its
    lists of other articles '|   Weitere Artikel zum Thema |'."""
    bare = line.strip()
    if bare.startswith("|") and bare.endswith("|") and bare.count("|") == 2:
        return bare[1:-1].strip()
    return bare


# A call to follow whose platforms each take a line of their own ('Siguenos en' / 'Telegram,'
# / 'Instagram,' / 'Facebook y' / 'Twitter'): 1 page of the 990 real ones, its `without`
# snippet. The platform lines are looked for first: _FOLLOW on every line cost ~0.5 ms a page.
SPLIT_FOLLOW_LINES = 8


def _without_split_follow(lines: list[str]) -> list[str]:
    def platform_alone(line: str) -> bool:
        return len(line.split()) <= 2 and bool(_PLATFORM.search(line))

    kept: list[str] = []
    i = 0
    while i < len(lines):
        line, end = lines[i], i + 1
        if (
            end < len(lines)
            and platform_alone(lines[end])
            and len(line) <= _MAX_NOTICE_CHARS
            and _FOLLOW.search(line)
            and not _PLATFORM.search(line)
        ):
            while end < len(lines) and end - i <= SPLIT_FOLLOW_LINES and platform_alone(lines[end]):
                end += 1
        if end - i > 2:  # two platforms or more
            i = end
            continue
        kept.append(line)
        i += 1
    return kept


def _without_teaser_links(text: str, tree: HtmlElement, page_url: str | None) -> str:
    """The text without lines that are a link to another page of the site and nothing else."""
    lines = text.split("\n")
    keys = [" ".join(line.split()) for line in lines]  # as a link's label is compared
    candidates = {key for key in keys if count_words(key) >= TEASER_WORDS}
    if not candidates:
        return text
    teasers: set[str] = set()
    shortest = min(map(len, candidates))  # a link's text is no shorter than its label
    for link in tree.iter("a"):
        raw = link.text or "" if not len(link) else "".join(link.itertext())
        if len(raw) < shortest or not (href := link.get("href")):
            continue
        label = " ".join(raw.split())
        if label not in candidates or label in teasers or not _elsewhere_on_site(href, page_url):
            continue
        if next(link.iterchildren(*_HEADINGS), None) is not None:
            teasers.add(label)  # a headline inside the link: a teaser's card
            continue
        block = link.getparent()
        while block is not None and block.tag not in _TEASER_BLOCKS:
            block = block.getparent()
        if block is not None and _links_only(block):
            teasers.add(label)
    if not teasers:
        return text
    gone = [key in teasers for key in keys]
    # The short line that announces them goes with them ('Schon gelesen?', 'Lue aiheesta lisää:').
    for i in range(len(lines) - 1):
        if gone[i + 1] and not gone[i] and _announces(lines[i]):
            gone[i] = True
    return "\n".join(line for line, drop in zip(lines, gone, strict=True) if not drop)


def _links_only(block: HtmlElement) -> bool:
    """Whether all of a block's text is the text of its links (a list of them, one alone)."""
    if _has_words(block.text):
        return False
    for child in block:
        if _has_words(child.tail):
            return False
        if isinstance(child.tag, str) and child.tag != "a" and not _links_only(child):
            return False
    return True


def _has_words(text: str | None) -> bool:
    return bool(text) and any(ch.isalnum() for ch in text)


def _announces(line: str) -> bool:
    line = line.strip()
    return line.endswith((":", "?")) and len(line.split()) <= TEASER_LABEL_WORDS


def _elsewhere_on_site(href: str, page_url: str | None) -> bool:
    """Whether a link leads to another page of the page's own site (its registered domain)."""
    href = href.strip()
    if href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return False
    if not page_url:  # a saved file that names no URL: only a relative link is the site's
        return not _SCHEME.match(href) and not href.startswith("//")
    from courlan import is_external  # trafilatura's URL library, loaded with it

    try:
        target = urlsplit(urljoin(page_url, href))
        page = urlsplit(page_url)
    except ValueError:
        return False
    return (
        target.scheme in ("http", "https")
        and (target.path.rstrip("/"), target.query) != (page.path.rstrip("/"), page.query)
        and not is_external(target.geturl(), page_url, ignore_suffix=False)
    )


_UNSEARCHED = object()


# A name alone on the text's last line, as German regional papers sign a report ('Stefan
# Wasmer'): two or three capitalised words of letters, not upper case, nothing else.
_SIGNATURE = re.compile(r"^(?:[^\W\d_][^\W\d_.'’-]*[.'’-]?[^\W\d_]* ?){2,3}$")


def _signed(body: str) -> list[str]:
    """The name the text ends with, when its last line is one (measured on the 990 real
    pages: 3 pages gain their gold author, a fourth with its sign-off, 'Euer HansEhrlich')."""
    last = body.rstrip().rsplit("\n", 1)[-1].strip()
    words = last.split()
    if (
        len(last) <= _MAX_SIGNATURE
        and _SIGNATURE.match(last)
        and looks_like_name(last)
        and all(any(ch.islower() for ch in w) for w in words)
    ):
        return [last]
    return []


_MAX_SIGNATURE = 40


class _Guess:
    """trafilatura's metadata searches, each run only when a field is not declared by the
    page, and at most once (a published date is resolved again when the first one found is
    not plausible). Its whole metadata pass (htmldate, byline, title, site name, URL,
    categories, tags, licence) cost ~15 ms CPU on each page without a declared title and
    date, 40% of the real pages in bench/extraction_real.py: 17% of the extraction's CPU."""

    def __init__(self, tree: HtmlElement, url: str | None, sites: frozenset[str]) -> None:
        self._tree, self._url, self._sites = tree, url, sites
        self._date: datetime | object | None = _UNSEARCHED

    def title(self) -> str | None:
        from trafilatura.metadata import extract_title

        return extract_title(self._tree)

    def date(self) -> datetime | None:
        from htmldate import find_date
        from trafilatura.settings import set_date_params

        if self._date is _UNSEARCHED:  # htmldate's search is the costly one (~8 ms a page)
            # extensive_search, as bare_extraction(fast=True, with_metadata=True) asked of it
            found = find_date(self._tree, url=self._url, **set_date_params(True))
            self._date = parse_datetime(found)
        return self._date  # type: ignore[return-value]

    def authors(self) -> list[str]:
        # trafilatura's byline search (rel=author, class=byline, ...). Measured
        # (bench/extraction_real.py --metadata): authors found on dev pages 0.445 -> 0.571 when
        # pages that declare a title and a date but no author got it too.
        # A guess of several words that is not a name is a heading or a label the search
        # took for a byline ('Alles über Lautsprecher', 'Źródło Statista com').
        names = clean_authors([extract_author(self._tree)], self._sites)
        if not names:
            return []
        # The search also reads a quotation's credit ('<blockquote>„…“ <span
        # class="zitat-author">Jan Fleischhauer, deutscher Journalist, Kolumnist und
        # Autor</span>'): a name said under a quotation is whom the page quotes.
        # The search's one element gives every name, so one of them quoted drops them all.
        quoted = " ".join(
            " ".join(q.text_content().split()) for q in self._tree.iter("blockquote", "q")
        ).casefold()
        if any(re.search(rf"(?<!\w){re.escape(n.casefold())}(?!\w)", quoted) for n in names):
            return []
        return [n for n in names if len(n.split()) == 1 or looks_like_name(n)]

    def sitename(self) -> str | None:
        from trafilatura.metadata import META_URL, extract_sitename

        # As trafilatura's pass does: a Twitter handle loses its "@", else the host.
        if name := (extract_sitename(self._tree) or "").lstrip("@"):
            return name if "." in name or name[0].isupper() else name.title()
        host = META_URL.match(self._url or "")
        return host[1] if host else None

    def url(self) -> str | None:
        from trafilatura.metadata import extract_url

        found = extract_url(self._tree, self._url)
        return canonicalize(found) if found else None


def _first(options: list[tuple[object, str]]) -> tuple[object, str]:
    """The first (value, origin) whose value is set, else (None, "")."""
    return next(((v, o) for v, o in _resolved(options) if v), (None, ""))


def _resolved(options: list[tuple[object, str]]) -> Iterator[tuple[object, str]]:
    """(value, origin) in order, a _Guess search run only when it is reached."""
    for value, origin in options:
        yield (value() if callable(value) else value), origin


def sha256(data: bytes) -> str:
    return _sha256(data).hexdigest()
