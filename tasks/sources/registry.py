"""The sources registry: feeds and sites to poll, from a TOML file the user edits.

[network]                      # optional
allowed_hosts = ["127.0.0.1"]  # private or loopback hosts you allow (never by default)
per_host_delay = 1.0           # seconds between requests to one host
user_agent = "newsflow/0.1 (+https://example.org/bot)"

[defaults]                     # optional: per-source settings everyone inherits
poll_minutes = 10
max_items = 50

[[feeds]]
name = "BBC World"
url = "https://feeds.bbci.co.uk/news/world/rss.xml"
poll_minutes = 15              # optional per-source overrides
allow = ["bbc.co.uk", "bbc.com"]   # only fetch article links on these hosts

[[sites]]                      # sitemap / news-sitemap discovery
name = "Example News"
url = "https://news.example.com/"
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.entities import html5
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from tasks.errors import ConfigError
from tasks.extract.urls import ascii_host, is_http_url, user_info_of
from tasks.models import short_hash
from tasks.settings import read_toml, settings

_SOURCE_KEYS = {"name", "url", "poll_minutes", "max_items", "allow"}


class RegistryError(ConfigError):
    """The sources file cannot be used as it is; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Source:
    kind: str  # feed | site
    url: str
    name: str | None = None
    poll_minutes: int = 10
    max_items: int = 50
    allow: tuple[str, ...] = ()  # hosts article links may point to; empty: any public host

    @property
    def source_id(self) -> str:
        return source_id(self.kind, self.url)

    def allows(self, link: str) -> bool:
        return allows_link(link, self.allow)


def allows_link(link: str, allow: tuple[str, ...]) -> bool:
    """Whether `link` leads to a host of `allow` (everywhere, when `allow` is empty)."""
    if not allow:
        return True
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:  # 'http://[bad'
        return False
    return allowed_host(host, allow)


def allowed_host(host: str, allow: tuple[str, ...]) -> bool:
    """Whether `host` is one of `allow` (IDNA-encoded, as the registry keeps them) or a
    subdomain of one, whichever way the link spells an internationalised name."""
    host = ascii_host(host) or ""
    return any(host == a or host.endswith("." + a) for a in allow)


@dataclass(frozen=True, slots=True)
class Registry:
    sources: tuple[Source, ...] = ()
    network: dict[str, object] = field(default_factory=dict)
    path: str | None = None

    def feeds(self) -> list[Source]:
        return [s for s in self.sources if s.kind == "feed"]

    def find(self, kind: str, url: str) -> Source | None:
        return next((s for s in self.sources if s.kind == kind and s.url == url), None)


def source_id(kind: str, url: str) -> str:
    return short_hash(kind, url)[:16]


def sources_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The sources file: the argument, else $NEWSFLOW_SOURCES, else ./sources.toml."""
    return Path(path) if path else settings().sources


def load_registry(path: str | os.PathLike[str] | None = None) -> Registry:
    """Read and validate the sources file; a missing file is an empty registry."""
    file = sources_path(path)
    if not file.exists():
        return Registry(path=str(file))
    data = read_toml(file, "sources file", RegistryError)
    unknown = set(data) - {"network", "defaults", "feeds", "sites"}
    if unknown:
        raise RegistryError(f"{file}: unknown section(s) {sorted(unknown)}")
    network = data.get("network", {})
    if not isinstance(network, dict):
        raise RegistryError(f"{file}: [network] must be a table")
    if extra := set(network) - set(_NETWORK_CHECKS):
        raise RegistryError(f"{file}: unknown [network] key(s) {sorted(extra)}")
    for key, value in network.items():
        if (problem := _NETWORK_CHECKS[key](value)) is not None:
            raise RegistryError(f"{file}: [network] {key} {problem}, got {value!r}")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise RegistryError(f"{file}: [defaults] must be a table")
    if extra := set(defaults) - (_SOURCE_KEYS - {"url", "name"}):
        raise RegistryError(f"{file}: unknown [defaults] key(s) {sorted(extra)}")
    _check_counts(file, "[defaults]", defaults)
    sources = []
    for kind, section in (("feed", "feeds"), ("site", "sites")):
        for n, entry in enumerate(data.get(section, []), start=1):
            sources.append(_source(file, kind, f"{section}[{n}]", {**defaults, **entry}))
    return Registry(tuple(sources), network, str(file))


def _source(file: Path, kind: str, where: str, entry: dict) -> Source:
    if extra := set(entry) - _SOURCE_KEYS:
        raise RegistryError(f"{file}: {where}: unknown key(s) {sorted(extra)}")
    url = entry.get("url")
    if not isinstance(url, str) or not is_http_url(url):
        raise RegistryError(f"{file}: {where}: 'url' must be an http(s) URL, got {url!r}")
    if user_info_of(url) is not None:
        raise RegistryError(f"{file}: {where}: 'url' carries a user name or password")
    _check_counts(file, f"{where}:", entry)
    allow = entry.get("allow", ())
    if isinstance(allow, str) or not all(isinstance(h, str) for h in allow):
        raise RegistryError(f"{file}: {where}: allow must be a list of host names, got {allow!r}")
    hosts = tuple(ascii_host(h) for h in allow)
    if None in hosts:
        bad = allow[hosts.index(None)]
        raise RegistryError(f"{file}: {where}: allow: {bad!r} is not a host name")
    return Source(
        kind=kind,
        url=url,
        name=entry.get("name"),
        poll_minutes=entry.get("poll_minutes", 10),
        max_items=entry.get("max_items", 50),
        allow=hosts,
    )


def _check_counts(file: Path, where: str, table: dict) -> None:
    """A source's (or [defaults]') poll_minutes and max_items are whole numbers of 1 or more."""
    for key in ("poll_minutes", "max_items"):
        if key in table and (problem := _count(table[key])) is not None:
            raise RegistryError(f"{file}: {where} {key} {problem}, got {table[key]!r}")


# What each [network] value must be: None where it is right, else what is wrong with it.
def _count(value: object) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return None if ok else "must be a whole number of 1 or more"


def _seconds(value: object) -> str | None:
    ok = (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
    return None if ok else "must be a number of seconds above 0"


def _delay(value: object) -> str | None:
    ok = value == 0 or _seconds(value) is None
    return None if ok and not isinstance(value, bool) else "must be a number of seconds, 0 or more"


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _hosts(value: object) -> str | None:
    ok = isinstance(value, list) and all(isinstance(h, str) and h for h in value)
    return None if ok else "must be a list of host names"


def _agent(value: object) -> str | None:
    # A control character in a header is an injected header or a refused request.
    ok = isinstance(value, str) and value.strip() and value.isprintable()
    return None if ok else "must be one line of printable text"


_NETWORK_CHECKS = {
    "allowed_hosts": _hosts, "allow_private": _flag, "per_host_delay": _delay,
    "per_host_concurrency": _count, "user_agent": _agent, "timeout": _seconds,
    "respect_robots": _flag, "max_bytes": _count, "max_time": _seconds,
}  # fmt: skip


def parse_opml(data: bytes) -> list[tuple[str | None, str]]:
    """(title, feed URL) for every outline with an xmlUrl, however deeply nested."""
    # Not recovering: a file cut off in its second outline imported the first and dropped
    # the rest without a word (a feed reader's bare '&' and HTML entities are mended first).
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(_as_xml(data), parser)
    except etree.XMLSyntaxError as exc:
        raise RegistryError(f"not an OPML file: {exc}") from exc
    if root is None or root.tag.lower() != "opml":
        raise RegistryError("not an OPML file: no <opml> root element")
    found = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            found.append((outline.get("title") or outline.get("text"), url.strip()))
    return found


# An ampersand in an XML document: an entity or character reference, else a bare one.
_AMPERSAND = re.compile(rb"&(#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?")
_XML_ENTITIES = frozenset({"amp;", "lt;", "gt;", "quot;", "apos;"})


def _as_xml(data: bytes) -> bytes:
    """Feed readers' exports as XML: a bare '&' in a URL ('…/feed?a=1&b=2') escaped, an HTML
    entity in a title ('News&nbsp;One') as its character reference. The parser's recovery
    dropped both, and '?a=1&b=2' was imported as '?a=1=2'. (UTF-16, with its NULs, as it is.)"""
    if b"\x00" in data[:4096]:
        return data

    def escaped(m: re.Match[bytes]) -> bytes:
        if m.group(1) is None:
            return b"&amp;"
        name = m.group(1).decode("ascii")
        if name.startswith("#") or name in _XML_ENTITIES:
            return m.group(0)
        if (char := html5.get(name)) is None:
            return b"&amp;" + m.group(1)
        return "".join(f"&#{ord(c)};" for c in char).encode("ascii")

    return _AMPERSAND.sub(escaped, data)


def feed_url_ok(url: str) -> bool:
    """True for a URL the sources file can hold: http(s), a valid host and port, and no user
    name or password (which `_source` refuses, and with it the whole file)."""
    return is_http_url(url) and user_info_of(url) is None


def append_feeds(path: str | os.PathLike[str], feeds: list[tuple[str | None, str]]) -> int:
    """Add feeds to the sources file (creating it), skipping URLs it already has and those
    it cannot hold (`feed_url_ok`)."""
    file = sources_path(path)
    known = {s.url for s in load_registry(file).sources}
    blocks = []
    for title, url in feeds:
        if url in known or not feed_url_ok(url):
            continue
        known.add(url)
        name = f"name = {_toml_string(title)}\n" if title else ""
        blocks.append(f"\n[[feeds]]\n{name}url = {_toml_string(url)}\n")
    if blocks:
        # Written whole and read back before it replaces the file: a block that did not
        # read back once stayed appended, and every later command refused the file.
        target = Path(os.path.realpath(file))  # a link stays a link to the file it names
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        staged = target.with_name(f".{target.name}.{os.getpid()}.new")
        try:
            staged.write_text(old + "".join(blocks), encoding="utf-8")
            load_registry(staged)
            if target.exists():
                shutil.copymode(target, staged)
            os.replace(staged, target)
        except OSError as exc:
            raise RegistryError(f"{file}: cannot write the sources file: {exc.strerror}") from exc
        finally:
            staged.unlink(missing_ok=True)
    return len(blocks)


def _toml_string(text: str) -> str:
    """`text` as a TOML basic string: JSON's escapes, which TOML shares, and DEL, which TOML
    forbids unescaped and JSON leaves as it is (an OPML title with it broke the file)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def next_poll(
    source: Source,
    now: datetime,
    error_kind: str | None,
    failures: int,
    retry_after: float | None = None,
) -> datetime:
    """When to poll a source again: its interval when healthy, backing off while it fails.

    Temporary and soft failures double the wait per consecutive failure (capped at a day);
    hard failures (gone, forbidden, refused) wait at least six hours and up to a week.
    A server's Retry-After is always respected.
    """
    interval = timedelta(minutes=source.poll_minutes)
    if error_kind is None:
        wait = interval
    elif error_kind == "hard":
        wait = min(max(interval * 2 ** min(failures, 10), timedelta(hours=6)), timedelta(days=7))
    else:
        wait = min(interval * 2 ** min(failures, 10), timedelta(days=1))
    if retry_after:
        wait = max(wait, timedelta(seconds=retry_after))
    return now + wait
