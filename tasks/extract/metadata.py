"""Page metadata (title, dates, author, canonical URL, ...) with a declared priority per field.

A page states its metadata up to four times and the copies disagree. Each field is taken from
the first of these that gives a usable value, and PageMeta.sources records which one:

1. "json-ld": schema.org JSON-LD, what publishers maintain for search engines. The article
   node (NewsArticle, Article, BlogPosting, ...) first, then a WebPage node.
2. "opengraph": og:* and article:* meta tags, written for social previews (often shortened
   or carrying a " | Site" suffix).
3. "meta": other meta tags (name=author, description, keywords, Dublin Core, Parse.ly,
   Sailthru, twitter:*).
4. "html": the document itself: <title>, <link rel=canonical>, <html lang>, and a <time> in
   <article> for the date.

page_metadata() never raises: a page whose metadata cannot be read still has an article in
it, so bad input gives an empty (or partial) PageMeta instead.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from lxml import etree

from tasks.extract.dates import parse_datetime, plausible_published
from tasks.extract.urls import canonicalize, is_http_url

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str | None = None
    published_at: datetime | None = None  # UTC, naive (tzinfo removed after converting to UTC)
    modified_at: datetime | None = None
    author: str | None = None  # the authors joined with ", "
    authors: tuple[str, ...] = ()  # names only (tasks.metadata.clean_authors)
    site_name: str | None = None
    canonical_url: str | None = None  # absolute, via tasks.extract.urls.canonicalize
    description: str | None = None
    language: str | None = None  # primary subtag, lower-case: "en" from "en-GB"
    image: str | None = None
    section: str | None = None
    keywords: tuple[str, ...] = ()
    # field name -> where it came from: "json-ld" | "opengraph" | "meta" | "html".
    # Left out of the hash so a PageMeta can still be hashed, as frozen dataclasses promise.
    sources: dict[str, str] = field(default_factory=dict, hash=False)
    # Why the page's metadata could not be read (a bug on a page we did not foresee): the
    # article still lands with trafilatura's metadata, and metadata_sources says this.
    error: str | None = None


JSON_LD, OPENGRAPH, META, HTML = "json-ld", "opengraph", "meta", "html"
HTML_H1 = "html-h1"  # the page's printed headline, agreeing with a declared title

_ARTICLE_TYPES = frozenset(
    {
        "newsarticle", "article", "reportagenews", "analysisnewsarticle", "blogposting",
        "liveblogposting", "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle",
        "askpublicnewsarticle", "satiricalarticle", "techarticle", "report",
    }
)  # fmt: skip
_PAGE_TYPES = frozenset({"webpage", "itempage"})
_SITE_TYPES = frozenset({"website"})
_ORGANIZATION_TYPES = frozenset({"organization", "newsmediaorganization"})

# Meta tags by field, in priority order within their tier. Keys are lower-cased `name` or
# `property` values; `itemprop:` marks microdata.
_OG_TITLE = ("og:title",)
_OG_SITE = ("og:site_name",)
_OG_URL = ("og:url",)
_OG_DESCRIPTION = ("og:description",)
_OG_IMAGE = ("og:image", "og:image:url", "og:image:secure_url")
_OG_LOCALE = ("og:locale",)
_OG_PUBLISHED = ("article:published_time", "og:published_time")
_OG_MODIFIED = ("article:modified_time", "og:updated_time")
_OG_AUTHOR = ("article:author",)
_OG_SECTION = ("article:section",)
_OG_TAGS = ("article:tag",)
_META_TITLE = ("twitter:title",)
_META_SITE = ("application-name",)
_META_DESCRIPTION = ("description", "twitter:description")
_META_IMAGE = ("twitter:image", "twitter:image:src")
_META_AUTHOR = ("author", "parsely-author", "sailthru.author", "dc.creator")
_META_SECTION = ("parsely-section",)
_META_KEYWORDS = ("news_keywords", "keywords", "parsely-tags", "sailthru.tags")
_META_LANGUAGE = ("content-language", "dc.language")
_META_PUBLISHED = (
    "itemprop:datepublished", "pubdate", "publish-date", "publishdate", "date", "dc.date",
    "dc.date.issued", "dcterms.issued", "dcterms.created", "parsely-pub-date", "sailthru.date",
)  # fmt: skip
_META_MODIFIED = ("itemprop:datemodified", "dcterms.modified", "dc.date.modified")

_TITLE_PARENTS = frozenset({"head", "body", "html"})
_SPACE = re.compile(r"\s+")
_TITLE_SEPARATORS = ("|", "-", "–", "—", "::", "·", "•", "//", "»", "›")
# " | ", " - ", ...: a separator with a space each side, so "Tsai Ing-wen" is one part.
_SEP_ALT = "|".join(re.escape(s) for s in _TITLE_SEPARATORS)
_TITLE_SPLIT = re.compile(rf"\s+(?:{_SEP_ALT})\s+")
_SEPARATOR_END = re.compile(rf"\s+(?:{_SEP_ALT})\s*$")
_SEPARATOR_START = re.compile(rf"^\s*(?:{_SEP_ALT})\s+")
_MAX_SUFFIX_PARTS = 2  # 'Headline | Site | Section': the site's name is one of the last two
_MAX_H1 = 5  # a page with more <h1>s uses them for teasers: the first few are enough
_BY_PREFIX = re.compile(r"^(?:by|von|par|por|di|door|av|przez)\s+", re.I)
# Between names: , ; & / | and ' and ' / ' und ' / ' et ' / ' y ' (with spaces, so 'Anderson'
# and 'Bethune' stay whole).
_AUTHOR_HARD_SPLIT = re.compile(r"\s*[;|]\s*")
# Between names: , & / and ' and ' / ' und ' / ' et ' (with spaces, so 'Anderson' stays
# whole). Organisations use them too ('Ministerium für Wirtschaft und Klimaschutz', 'Jobs &
# Hire'), so a value is split there only when every part looks like a person's name.
_AUTHOR_SPLIT = re.compile(r"\s*[,&/]\s*|\s+(?:and|und|et|y)\s+", re.I)
_NAME_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "da", "del", "della", "di", "du", "dos", "la", "le",
     "zu", "ten", "ter", "bin", "al", "el"}
)  # fmt: skip
_AUTHOR_JUNK_WORD = re.compile(
    r"\S+(?:@|\[at\]|\(at\))\S+|(?:https?://|www\.)\S+|\(?\S+\.(?:com|de|org|net)\)?(?=\s|$)",
    re.I,
)
_URL_LIKE = re.compile(r"^(?:https?:|www\.)|\.[a-z]{2,6}$", re.I)
_HANDLE = re.compile(r"^@\w+$")
# Not a person: desks, roles and agencies' generic credits, as bylines print them (lower-case).
_NOT_PERSONS = frozenset(
    {
        "staff", "staff writer", "editor", "editors", "editorial", "editorial staff",
        "editorial team", "redaktion", "red", "online-redaktion", "newsroom", "reporter",
        "correspondent", "korrespondent", "autor", "author", "admin", "administrator",
        "guest", "gast", "team", "rédaction", "la rédaction", "redacción", "redakcja",
        "agencies", "agenturen", "news desk", "web desk", "desk", "name", "posted",
    }
)  # fmt: skip
_MAX_AUTHOR_LEN = 60  # a longer "name" is a sentence or a list the splitting missed
_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_]|$)", re.I)
# JSON-LD blocks as CMSs wrap them: in an HTML comment or a CDATA section.
_JSON_WRAPPERS = re.compile(
    r"^\s*(?:<!--|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)|(?:-->|/\*\s*\]\]>\s*\*/|\]\]>)\s*$"
)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_MAX_JSON_NODES = 2000  # walking a pathological @graph must stay cheap


def page_metadata(html: str | bytes | etree._Element, url: str | None = None) -> PageMeta:
    """Metadata of one HTML page; `url` (where the page was fetched) resolves relative links.

    `html` may be a tree already parsed by lxml (it is only read, never changed), so the
    pipeline parses each page once. Never raises: unparseable input gives PageMeta().
    """
    try:
        root = html if isinstance(html, etree._Element) else _parse(html)
        if root is None:
            return PageMeta()
        return _Page(root, url).metadata()
    except Exception as exc:  # a metadata bug must not cost the article: the body is still good
        return PageMeta(error=f"{type(exc).__name__}: {exc}"[:300])


def _parse(html: str | bytes) -> etree._Element | None:
    if isinstance(html, bytes):
        try:
            html = html.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Not UTF-8: let libxml2 honour the page's <meta charset> (callers that decode
            # first, as the pipeline does, pass str and never get here).
            return etree.fromstring(html, etree.HTMLParser(remove_comments=True))
    # Parsed as UTF-8 bytes: lxml refuses str input with an XML encoding declaration, and a
    # stale <meta charset> must not re-decode text that is already text.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True)
    return etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)


class _Page:
    """One parsed page: the raw material of each tier, gathered in one pass over the tree."""

    def __init__(self, root: etree._Element, url: str | None) -> None:
        self.root = root
        self.url = url if url and is_http_url(url) else None
        self.meta: dict[str, list[str]] = {}
        self.canonical_link: str | None = None
        self.title: str | None = None
        self.base = self.url
        json_blocks: list[str] = []
        for el in root.iter("meta", "link", "script", "title", "base", "time"):
            tag = el.tag
            if tag == "meta":
                self._add_meta(el)
            elif tag == "script":
                if (el.get("type") or "").strip().lower().startswith("application/ld+json"):
                    json_blocks.append(el.text or "")
            elif tag == "link":
                rel = (el.get("rel") or "").lower().split()
                if "canonical" in rel and self.canonical_link is None:
                    self.canonical_link = el.get("href")
            elif tag == "title":
                # The document's <title>, not an inline SVG's (<svg><title>Share</title>).
                parent = el.getparent()
                if self.title is None and parent is not None and parent.tag in _TITLE_PARENTS:
                    self.title = _clean(el.text)
            elif tag == "base":
                if (href := el.get("href")) and self.base == self.url:
                    self.base = _absolute(href, self.url)
            elif tag == "time" and (prop := el.get("itemprop")):
                self._add("itemprop:" + prop.lower(), el.get("datetime") or el.text)
        self.ld = _JsonLd(json_blocks)

    def _add_meta(self, el: etree._Element) -> None:
        content = el.get("content")
        if content is None:
            return
        for attr in ("property", "name", "http-equiv"):
            if key := el.get(attr):
                self._add(key.strip().lower(), content)
        if prop := el.get("itemprop"):
            self._add("itemprop:" + prop.strip().lower(), content)

    def _add(self, key: str, value: str | None) -> None:
        if value is not None:
            self.meta.setdefault(key, []).append(value)

    def tags(self, keys: Iterable[str]) -> list[str]:
        return [v for key in keys for v in self.meta.get(key, ())]

    def metadata(self) -> PageMeta:
        ld = self.ld
        sources: dict[str, str] = {}

        def pick(
            name: str, convert: Callable[[Any], T | None], *cands: tuple[str, Any]
        ) -> T | None:
            for source, raw in cands:
                value = convert(raw() if callable(raw) else raw)
                if value:
                    sources[name] = source
                    return value
            return None

        site_name = pick(
            "site_name",
            _first_text,
            (JSON_LD, lambda: ld.site_name()),
            (OPENGRAPH, self.tags(_OG_SITE)),
            (META, self.tags(_META_SITE)),
        )
        title, title_source = self._title(site_name)
        if title:
            sources["title"] = title_source
        # Dates in the future or before the URL's own date are skipped (tasks.dates).
        date_url = self._page_url()
        published_at = pick(
            "published_at",
            lambda raw: _first_date(raw, date_url),
            (JSON_LD, lambda: ld.values("datePublished", "dateCreated")),
            (OPENGRAPH, self.tags(_OG_PUBLISHED)),
            (META, self.tags(_META_PUBLISHED)),
            (HTML, self._article_time),
        )
        modified_at = pick(
            "modified_at",
            _first_date,
            (JSON_LD, lambda: ld.values("dateModified")),
            (OPENGRAPH, self.tags(_OG_MODIFIED)),
            (META, self.tags(_META_MODIFIED)),
        )
        author_keys = site_keys(site_name, self._page_url())
        authors = pick(
            "author",
            lambda raw: clean_authors(_texts(raw), author_keys),
            (JSON_LD, lambda: ld.authors()),
            (OPENGRAPH, self.tags(_OG_AUTHOR)),
            (META, self.tags(_META_AUTHOR)),
        )
        if authors:
            sources["authors"] = sources["author"]  # the list and the joined string agree
        canonical_url = pick(
            "canonical_url",
            self._canonical,
            (JSON_LD, lambda: ld.urls()),
            (OPENGRAPH, self.tags(_OG_URL)),
            (HTML, [self.canonical_link]),
        )
        description = pick(
            "description",
            _first_text,
            (JSON_LD, lambda: ld.values("description")),
            (OPENGRAPH, self.tags(_OG_DESCRIPTION)),
            (META, self.tags(_META_DESCRIPTION)),
        )
        language = pick(
            "language",
            _first_language,
            (JSON_LD, lambda: ld.languages()),
            (OPENGRAPH, self.tags(_OG_LOCALE)),
            (META, self.tags(_META_LANGUAGE)),
            (HTML, [self.root.get("lang"), self.root.get("xml:lang")]),
        )
        image = pick(
            "image",
            self._image,
            (JSON_LD, lambda: ld.images()),
            (OPENGRAPH, self.tags(_OG_IMAGE)),
            (META, self.tags(_META_IMAGE)),
        )
        section = pick(
            "section",
            _first_text,
            (JSON_LD, lambda: ld.values("articleSection")),
            (OPENGRAPH, self.tags(_OG_SECTION)),
            (META, self.tags(_META_SECTION)),
        )
        keywords = pick(
            "keywords",
            _keywords,
            (JSON_LD, lambda: ld.values("keywords", first_node_only=True)),
            (OPENGRAPH, self.tags(_OG_TAGS)),
            (META, self.tags(_META_KEYWORDS)[:1]),
        )
        return PageMeta(
            title=title,
            published_at=published_at,
            modified_at=modified_at,
            author=", ".join(authors) if authors else None,
            authors=authors or (),
            site_name=site_name,
            canonical_url=canonical_url,
            description=description,
            language=language,
            image=image,
            section=section,
            keywords=keywords or (),
            sources=sources,
        )

    def _title(self, site_name: str | None) -> tuple[str | None, str]:
        """The headline printed on the page (an <h1>) when it is one of the declared titles
        modulo the site name; else the first declared title with the site name cut off.

        Declared titles are often the search-engine version of the headline or carry the
        site's name or tagline (`Headline | Site`); the printed <h1> alone is often the site's
        logo. Where they agree, the <h1> is the headline as the page prints it.
        """
        sites = site_keys(site_name, self._page_url())
        declared: list[tuple[str, str]] = []
        for source, raw in (
            (JSON_LD, self.ld.values("headline", "name")),
            (OPENGRAPH, self.tags(_OG_TITLE)),
            (META, self.tags(_META_TITLE)),
            (HTML, [self.title]),
        ):
            if (text := _first_text(raw)) is not None:
                declared.append((source, text))
        if not declared:
            return None, ""
        for h1 in self._headlines():
            if _is_site(h1, sites):
                continue  # the site's logo in an <h1>
            key = _loose(h1)
            for source, text in declared:
                if h1 in (text, _strip_site(text, sites)):
                    return h1, source  # the same words: the declared source has them
                parts = _TITLE_SPLIT.split(text)
                stripped = _loose(_strip_site(text, sites) or "")
                cut = _cut_short(text)
                # The headline is the title's first part, or its last after the site's name
                # ('Site - Headline'); a middle or trailing part is a tagline or section.
                ends = {_loose(parts[0])} if len(parts) > 1 else set()
                if len(parts) > 1 and _is_site(parts[0], sites):
                    ends.add(_loose(parts[-1]))
                if key in (stripped, _loose(text)) or key in ends:
                    return h1, HTML_H1
                if cut and key.startswith(_loose(cut)):  # declared cut short, h1 whole
                    return h1, HTML_H1
                # Cut without a mark (a quote that broke the attribute, a length limit).
                if stripped and len(key) > len(stripped) and key.startswith(stripped + " "):
                    return h1, HTML_H1
        # A declared title cut short ("...") loses to a longer one that it starts.
        for i, (source, text) in enumerate(declared):
            cut = _cut_short(text)
            if cut is None:
                return _strip_site(text, sites), source
            whole = next((t for _, t in declared[i + 1 :] if t.startswith(cut)), None)
            if whole is None:
                return _strip_site(text, sites), source
        source, text = declared[0]
        return _strip_site(text, sites), source

    def _page_url(self) -> str | None:
        """Where the page was fetched, else where it says it lives (a saved file has no URL):
        its host names the site, its path may name the day."""
        declared = self.canonical_link or next(iter(self.tags(_OG_URL)), None)
        return self.url or (_absolute(declared, None) if declared else None)

    def _headlines(self) -> list[str]:
        """<h1> texts: inside <article> first, then the rest of the page (a few at most)."""
        body = next(self.root.iter("body"), None)
        if body is None:
            return []
        article = next(body.iter("article"), None)
        found: list[str] = []
        for scope in (article, body):
            if scope is None:
                continue
            for h1 in scope.iter("h1"):
                text = _clean(" ".join(h1.itertext()))
                if text and text not in found:
                    found.append(text)
                if len(found) >= _MAX_H1:
                    return found
        return found

    def _article_time(self) -> list[str]:
        # Only inside <article>: a <time> elsewhere is a site clock, a comment or a teaser.
        article = next(self.root.iter("article"), None)
        if article is None:
            return []
        return [t.get("datetime") or "" for t in article.iter("time") if t.get("datetime")]

    def _canonical(self, raw: Iterable[Any]) -> str | None:
        for value in _texts(raw):
            absolute = _absolute(value, self.base)
            if absolute is None:
                continue
            url = canonicalize(absolute)
            # A canonical that names the site root on an article page is a template default
            # (og:url = home page). Trusting it would merge every article of the site.
            if urlsplit(url).path == "/" and not self._is_root_page():
                continue
            return url
        return None

    def _is_root_page(self) -> bool:
        return self.url is not None and urlsplit(canonicalize(self.url)).path == "/"

    def _image(self, raw: Iterable[Any]) -> str | None:
        for value in _texts(raw):
            if absolute := _absolute(value, self.base):
                return absolute
        return None


class _JsonLd:
    """The schema.org nodes of a page's JSON-LD blocks, with @id references resolvable."""

    def __init__(self, blocks: list[str]) -> None:
        self.nodes: list[dict[str, Any]] = []
        for block in blocks:
            data = _load_json(block)
            if data is not None:
                self.nodes.extend(_flatten(data, _MAX_JSON_NODES - len(self.nodes)))
        self.by_id = {n["@id"]: n for n in self.nodes if isinstance(n.get("@id"), str)}
        self.article = self._first(_ARTICLE_TYPES)
        self.page = self._first(_PAGE_TYPES)
        self.site = self._first(_SITE_TYPES)
        self.organization = self._first(_ORGANIZATION_TYPES)

    def _first(self, types: frozenset[str]) -> dict[str, Any] | None:
        return next((n for n in self.nodes if _types(n) & types), None)

    def _main(self) -> list[dict[str, Any]]:
        # The article node, then the WebPage as a last resort for what the article lacks.
        return [n for n in (self.article, self.page) if n is not None]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self.by_id.get(value["@id"], value)
        return value

    def values(self, *keys: str, first_node_only: bool = False) -> list[Any]:
        """The values of `keys` on the main nodes, in priority order (nodes, then keys).

        first_node_only: only from the first node that has any, for fields that are a set
        (keywords) where the article's and the page's would otherwise be mixed.
        """
        out: list[Any] = []
        for node in self._main():
            for key in keys:
                out.extend(_as_list(node.get(key)))
            if out and first_node_only:
                break
        return out

    def site_name(self) -> list[Any]:
        out: list[Any] = []
        for node in self._main():
            for publisher in _as_list(node.get("publisher")):
                publisher = self.resolve(publisher)
                out.append(publisher.get("name") if isinstance(publisher, dict) else publisher)
        # Then the site's own nodes: Yoast names the WebSite, others only the Organization.
        out.extend(n.get("name") for n in (self.site, self.organization) if n is not None)
        return out

    def authors(self) -> list[str]:
        for node in self._main():
            for key in ("author", "creator"):
                names = [n for a in _as_list(node.get(key)) if (n := self._person(a))]
                if names:
                    return names
        return []

    def _person(self, value: Any) -> str | None:
        value = self.resolve(value)
        if isinstance(value, dict):
            name = _text(value.get("name"))
            if name is None:
                given = _text(value.get("givenName")) or ""
                family = _text(value.get("familyName")) or ""
                name = _clean(f"{given} {family}")
            return name
        return _text(value)

    def urls(self) -> list[str]:
        out: list[str] = []
        for node in self._main():
            main = self.resolve(node.get("mainEntityOfPage"))
            if isinstance(main, dict):
                out.extend(u for u in (main.get("url"), main.get("@id")) if isinstance(u, str))
            elif isinstance(main, str):
                out.append(main)
            if isinstance(node.get("url"), str):
                out.append(node["url"])
        return out

    def languages(self) -> list[Any]:
        out: list[Any] = []
        for value in self.values("inLanguage"):
            value = self.resolve(value)
            if isinstance(value, dict):  # {"@type": "Language", "alternateName": "en"}
                out.extend((value.get("alternateName"), value.get("name")))
            else:
                out.append(value)
        return out

    def images(self) -> list[Any]:
        out: list[Any] = []
        for value in self.values("image", "thumbnailUrl"):
            value = self.resolve(value)
            if isinstance(value, dict):
                out.extend((value.get("url"), value.get("contentUrl")))
            else:
                out.append(value)
        return out


def _load_json(block: str) -> Any:
    """One JSON-LD block, or None. Comment wrappers, raw control characters and trailing
    commas are what CMS templates get wrong; past those a broken block is skipped."""
    text = _JSON_WRAPPERS.sub("", block).strip()
    if not text:
        return None
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(candidate, strict=False)  # strict=False: raw newlines in strings
        except (ValueError, RecursionError):
            continue
    return None


def _flatten(data: Any, limit: int) -> Iterator[dict[str, Any]]:
    """Nodes of a block: top-level lists, @graph, and an article under WebPage.mainEntity."""
    stack = [data]
    count = 0
    while stack and count < limit:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, dict):
            count += 1
            yield item
            if "@graph" in item:
                stack[:0] = _as_list(item["@graph"])
            main = item.get("mainEntity")
            if isinstance(main, dict) and _types(main) & _ARTICLE_TYPES:
                stack.append(main)


def _types(node: dict[str, Any]) -> set[str]:
    # "NewsArticle", ["NewsArticle", "Article"], "schema:NewsArticle", "https://schema.org/..."
    return {
        t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
        for t in _as_list(node.get("@type"))
        if isinstance(t, str)
    }


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _SPACE.sub(" ", value).strip() or None


def _text(value: Any) -> str | None:
    """A string out of a JSON-LD or meta value: str, number, {"@value": ...} or a list."""
    if isinstance(value, list):
        return next((t for v in value if (t := _text(v))), None)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str) and "&" in value:
        # JSON-LD is often written through an HTML escaper (WordPress: &#8217;, &amp;).
        value = html_lib.unescape(value)
    return _clean(value)


def _texts(raw: Any) -> Iterator[str]:
    for value in _as_list(raw):
        if (text := _text(value)) is not None:
            yield text


def _first_text(raw: Any) -> str | None:
    return next(_texts(raw), None)


def _first_date(raw: Any, url: str | None = None) -> datetime | None:
    """The first date of `raw`; with `url`, the first plausible one as a published date."""
    for value in _texts(raw):
        if (d := parse_datetime(value)) and (url is None or plausible_published(d, url)):
            return d
    return None


def _first_language(raw: Any) -> str | None:
    for value in _texts(raw):
        if m := _LANGUAGE.match(value):
            return m.group(1).lower()
    return None


def clean_authors(
    values: Iterable[str | None], sites: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Person names out of author fields: split on , ; & / | and and/und/et, with bylines
    ('By', 'Von'), e-mails, URLs, handles, numeric ids, roles ('Staff', 'Redaktion') and the
    site's own name (`sites`: site_keys()) dropped; each name once."""
    names: list[str] = []
    seen: set[str] = set()
    for value in values:
        if not value or value.lower().startswith(("http://", "https://", "www.", "/")):
            continue  # article:author is often a profile URL, not a name
        # An e-mail or a URL inside a name ('Lüder Hoppe info@example.de'): keep the rest.
        for part in _split_names(_AUTHOR_JUNK_WORD.sub(" ", value)):
            name = _clean(_BY_PREFIX.sub("", part.strip(" -–—:|,;()")))
            if not name or not _is_person(name, sites) or name.casefold() in seen:
                continue
            seen.add(name.casefold())
            names.append(name)
    return tuple(names)


def _split_names(value: str) -> list[str]:
    parts: list[str] = []
    for chunk in _AUTHOR_HARD_SPLIT.split(value):
        chunk = _BY_PREFIX.sub("", chunk.strip())
        pieces = [p for p in _AUTHOR_SPLIT.split(chunk) if p.strip()]
        parts.extend(pieces if len(pieces) > 1 and all(map(_looks_like_name, pieces)) else [chunk])
    return parts


def _looks_like_name(text: str) -> bool:
    """Two to five words, each capitalised or a particle ('Ursula von der Leyen', 'J. I. DA
    SILVA'): a person, where 'Wirtschaft' or 'Hire' alone is part of an organisation's name."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(
        w[0].isupper() or w.casefold() in _NAME_PARTICLES for w in words
    )


def _is_person(name: str, sites: frozenset[str]) -> bool:
    folded = name.casefold()
    if not any(ch.isalpha() for ch in name) or len(name) > _MAX_AUTHOR_LEN:
        return False  # a numeric id, or a sentence that landed in the field
    if _HANDLE.match(name) or folded in _NOT_PERSONS or _URL_LIKE.search(name):
        return False
    return not _is_site(name, sites)


def _keywords(raw: Any) -> tuple[str, ...]:
    words: list[str] = []
    seen: set[str] = set()
    for value in _texts(raw):
        for word in value.split(","):
            word = word.strip()
            if word and word.casefold() not in seen:
                seen.add(word.casefold())
                words.append(word)
    return tuple(words)


def _loose(text: str) -> str:
    """Case-folded, punctuation and symbols dropped: 'Korsetts – Shops' == 'korsetts shops'."""
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZ" else ch for ch in text.casefold())
    return " ".join(kept.split())


def site_keys(site_name: str | None, url: str | None) -> frozenset[str]:
    """What a site calls itself in a title, spaces removed: its name, its host, the host's
    name without the TLD ('haenselblatt.com', 'haenselblatt')."""
    keys = set()
    if site_name:
        keys.add(_loose(site_name).replace(" ", ""))
    if url and (host := urlsplit(url).hostname):
        host = host.removeprefix("www.")
        keys.add(_loose(host).replace(" ", ""))
        labels = host.split(".")
        if len(labels) >= 2:
            keys.add(_loose(labels[-2]).replace(" ", ""))
    keys.discard("")
    return frozenset(keys)


def _is_site(part: str, sites: frozenset[str]) -> bool:
    key = _loose(part).replace(" ", "")
    return bool(key) and any(key == s or (len(s) >= 4 and key.startswith(s)) for s in sites)


def _strip_site(title: str | None, sites: frozenset[str] | str | None) -> str | None:
    """'Headline | Site' -> 'Headline' (and 'Site - Headline') when Site is the site's name
    or host; the headline itself is never cut."""
    if not title or not sites:
        return title
    if isinstance(sites, str):
        sites = site_keys(sites, None)
    parts = _TITLE_SPLIT.split(title)
    if len(parts) < 2:
        return title
    # The site's name may be followed by a section: 'Headline – Site – IT'.
    for part in parts[-1 : -min(len(parts), _MAX_SUFFIX_PARTS + 1) : -1]:
        if _is_site(part, sites):
            return _SEPARATOR_END.sub("", title[: title.rfind(part)]).strip() or title
    if _is_site(parts[0], sites):
        return _SEPARATOR_START.sub("", title[len(parts[0]) :]).strip() or title
    return title


def _cut_short(title: str) -> str | None:
    """The text before a trailing '...' / '…' (a title cut for a preview), else None."""
    for mark in ("...", "…"):
        if title.endswith(mark) and len(title) > len(mark) + 10:
            return title[: -len(mark)].rstrip()
    return None


def _absolute(value: str, base: str | None) -> str | None:
    """An absolute http(s) URL for `value` resolved against `base`, or None."""
    value = value.strip()
    if value.startswith("//") and base is None:
        value = "https:" + value  # protocol-relative with nothing to take a scheme from
    try:
        absolute = urljoin(base, value) if base else value
    except ValueError:
        return None
    return absolute if is_http_url(absolute) else None
